//! Every built-in ZAB scenario shows what it promises: who leads, which zxids every
//! live server delivers, which were truncated away, which sync mode was used, and for
//! the buggy modes, which invariant the checker catches.

use ensemble_core::scenarios::{builtin, EventWatch, Protocol, Scenario};
use ensemble_core::sim::Invariants;
use ensemble_core::zab::ZabEvent;
use ensemble_core::{Epoch, NodeId, Zxid};

fn zxid([e, c]: [u32; 2]) -> Zxid {
    Zxid::new(Epoch(e), c)
}

fn check(s: &Scenario) -> Result<(), String> {
    let mut sim = ensemble_core::zab::build(s, s.seed);
    let (mut modes, mut watches, mut events) = (Vec::new(), Vec::new(), EventWatch::new(&s.expect));
    while s.run.allows(sim.steps(), sim.next_time().map(|t| t.ms())) {
        let Some(entry) = sim.step() else { break };
        events.observe(entry.node, &entry.events);
        for e in &entry.events {
            match e.get() {
                Some(ZabEvent::Sync { mode, .. }) => modes.push(mode.name().to_string()),
                Some(ZabEvent::Watch { client, kind, path }) => {
                    watches.push(format!("{} {} {path}", client.0, kind.name()))
                }
                _ => {}
            }
        }
    }
    let e = &s.expect;
    let fail = |why: String| Err(format!("{}: {why}\n  replay: ensemble sim --scenario {} --explain", s.name, s.name));
    let violations = sim.checker().violations();
    match &e.violation {
        Some(inv) if !violations.iter().any(|v| &v.invariant == inv) => {
            return fail(format!("expected a `{inv}` violation, got {violations:?}"))
        }
        None if !violations.is_empty() => return fail(format!("unexpected violation {violations:?}")),
        _ => {}
    }
    if let Some(want) = e.leader {
        let last = sim.checker().invariants().leaders().iter().next_back().map(|(_, n)| n.0);
        if last != Some(want) {
            return fail(format!("expected node {want} to lead the last epoch, got {last:?}"));
        }
    }
    let up: Vec<NodeId> = (1..=sim.node_count()).map(NodeId).filter(|n| sim.is_up(*n)).collect();
    for z in e.delivered.iter().map(|z| zxid(*z)) {
        if let Some(n) = up.iter().find(|n| sim.node(**n).delivered < z) {
            return fail(format!("server {n} did not deliver {z}"));
        }
    }
    for z in e.truncated.iter().map(|z| zxid(*z)) {
        if let Some(n) = up.iter().find(|n| sim.node(**n).log.iter().any(|l| l.zxid == z)) {
            return fail(format!("server {n} still has {z}, which should have been truncated"));
        }
    }
    for path in &e.znodes {
        if let Some(n) = up.iter().find(|n| sim.node(**n).tree.stat(path).is_none()) {
            return fail(format!("server {n} lacks {path}"));
        }
    }
    for path in &e.absent {
        if let Some(n) = up.iter().find(|n| sim.node(**n).tree.stat(path).is_some()) {
            return fail(format!("server {n} still has {path}"));
        }
    }
    if let Some(want) = &e.watches {
        let (mut want, mut got) = (want.clone(), watches.clone());
        want.sort();
        got.sort();
        if want != got {
            return fail(format!("expected watches {want:?}, fired {got:?}"));
        }
    }
    if let Some(mode) = &e.sync_mode {
        if !modes.contains(mode) {
            return fail(format!("expected a {mode} sync, saw {modes:?}"));
        }
    }
    let missing = events.missing();
    if !missing.is_empty() {
        return fail(format!("expected events never happened: {}", missing.join(", ")));
    }
    Ok(())
}

#[test]
fn every_builtin_zab_scenario_meets_its_expectation() {
    let all: Vec<Scenario> = builtin().into_iter().filter(|s| s.protocol == Protocol::Zab).collect();
    assert!(all.len() >= 6);
    let failures: Vec<String> = all.iter().filter_map(|s| check(s).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
