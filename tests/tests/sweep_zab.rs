//! ZAB seed sweep: 3- and 5-voter ensembles, some with an observer, random client
//! writes, crashes (the leader too, mid-broadcast), partitions, drops and duplicates.
//!
//! Safety: no ZAB invariant is ever violated. Liveness: once the network heals and a
//! quorum is up, a leader is established, the late client's write is committed, and
//! every live server ends with the same tree. Durability: each server's tree equals
//! the replay of what it persisted. `ENSEMBLE_SWEEP_SEEDS=N` changes the seed count.

use ensemble_core::scenarios::{build_zab, random_scenario, Protocol};
use ensemble_core::zab::ZabNode;
use ensemble_core::NodeId;

fn seeds() -> u64 {
    std::env::var("ENSEMBLE_SWEEP_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3_000)
}

fn run_seed(seed: u64) -> Result<(), String> {
    let s = random_scenario(Protocol::Zab, seed);
    let mut sim = build_zab(&s, seed);
    sim.set_tracing(false);
    while s.run.allows(sim.steps(), sim.next_time().map(|t| t.ms())) {
        if sim.step().is_none() {
            break;
        }
    }
    let fail = |why: String| {
        Err(format!("seed {seed}: {why}\n  replay: cargo run -p ensemble-native -- sim --scenario sweep-zab --seed {seed} --explain"))
    };
    if let Some(v) = sim.checker().violations().first() {
        return fail(format!("{} violated at step {}: {}", v.invariant, v.step, v.detail));
    }
    let up: Vec<NodeId> = (1..=sim.node_count()).map(NodeId).filter(|n| sim.is_up(*n)).collect();
    // The late client retries until it succeeds; a retry may find its own earlier,
    // committed attempt (NodeExists, after a ConnectionLoss): what counts is the node.
    if let Some(n) = up.iter().find(|n| sim.node(**n).tree.stat("/after-heal").is_none()) {
        return fail(format!("server {n} lacks the write made after the network healed (liveness)"));
    }
    let digests: Vec<String> = up.iter().map(|n| sim.node(*n).tree.digest()).collect();
    if digests.windows(2).any(|w| w[0] != w[1]) {
        return fail(format!("live servers' trees differ after healing: {digests:?}"));
    }
    for n in up {
        let live = sim.node(n);
        let replayed = ZabNode::new(n, live.config.clone(), sim.durable(n));
        if replayed.tree.digest() != live.tree.digest() || replayed.last_zxid() != live.last_zxid() {
            return fail(format!("server {n}: its tree differs from the replay of its disk"));
        }
    }
    Ok(())
}

#[test]
fn zab_seed_sweep() {
    let n = seeds();
    let failures: Vec<String> = (0..n)
        .filter_map(|seed| {
            std::panic::catch_unwind(|| run_seed(seed))
                .unwrap_or_else(|_| Err(format!("seed {seed}: a server assertion failed (see the panic above)")))
                .err()
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {n} seeds failed:\n{}",
        failures.len(),
        failures.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
}
