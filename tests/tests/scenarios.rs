//! Every built-in scenario shows what it promises (its `[expect]` table).

use ensemble_core::scenarios::{builtin, EventWatch, Protocol, Run, Scenario};
use ensemble_core::Value;

fn check(s: &Scenario) -> Result<(), String> {
    let e = &s.expect;
    let (mut run, mut events) = (Run::new(s, s.seed), EventWatch::new(e));
    while let Some(entry) = run.next_entry() {
        events.observe(entry.node, &entry.events);
    }
    let summary = run.summary();
    let chosen: Vec<&Value> = summary.chosen.values().collect();
    let replay = format!("ensemble sim --scenario {} --seed {}", s.name, s.seed);
    let fail = |why: String| {
        Err(format!("{}: {why}\n  summary: {}\n  replay: {replay}", s.name, serde_json::to_string(&summary).unwrap()))
    };
    match &e.violation {
        Some(inv) if !summary.violations.iter().any(|v| &v.invariant == inv) => {
            return fail(format!("expected a `{inv}` violation"))
        }
        None if !summary.violations.is_empty() => return fail("unexpected violation".into()),
        _ => {}
    }
    if !e.chosen.is_empty() {
        let want: Vec<Value> = e.chosen.iter().map(|v| Value::data(v.clone())).collect();
        if chosen.iter().copied().cloned().collect::<Vec<_>>() != want {
            return fail(format!("expected chosen {want:?}"));
        }
    }
    if chosen.len() < e.min_chosen {
        return fail(format!("expected at least {} chosen", e.min_chosen));
    }
    if e.nothing_chosen && !chosen.is_empty() {
        return fail("expected nothing chosen".into());
    }
    let missing = events.missing();
    if !missing.is_empty() {
        return fail(format!("expected events never happened: {}", missing.join(", ")));
    }
    Ok(())
}

#[test]
fn every_builtin_scenario_meets_its_expectation() {
    let failures: Vec<String> =
        builtin().iter().filter(|s| s.protocol != Protocol::Zab).filter_map(|s| check(s).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The whole trace of a run, as JSON Lines.
fn trace(s: &Scenario) -> String {
    let mut run = Run::new(s, s.seed);
    run.sim.set_tracing(true);
    let mut jsonl = String::new();
    while let Some(entry) = run.next_entry() {
        jsonl.push_str(&entry.to_jsonl());
    }
    jsonl
}

/// Checkpoints change nothing a run shows: every built-in Paxos and Multi-Paxos
/// scenario gives the same trace with a checkpoint after every record or two, restarts
/// included, and the forgetful acceptor still forgets (a checkpoint holds only what
/// was written).
#[test]
fn checkpoints_leave_every_builtin_trace_as_it_was() {
    for s in builtin().into_iter().filter(|s| s.protocol != Protocol::Zab) {
        let want = trace(&s);
        for every in [1, 2] {
            let mut c = s.clone();
            (c.paxos.checkpoint_every, c.multipaxos.checkpoint_every) = (every, every);
            assert!(trace(&c) == want, "{}: the trace changed with checkpoint_every = {every}", s.name);
        }
    }
}
