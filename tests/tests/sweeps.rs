//! Seed sweeps: thousands of runs with random drops, duplicates, reordering,
//! crashes, restarts and partitions. Safety: no invariant is ever violated. Liveness:
//! once the faults are over, the request made after healing is answered.
//!
//! `ENSEMBLE_SWEEP_SEEDS=N` changes the number of seeds per protocol (default 5000).
//! A failure prints the seed and the exact command that replays it.

use ensemble_core::paxos::Fix;
use ensemble_core::scenarios::{random_scenario, Protocol, Run, Scenario};
use ensemble_core::Value;

fn seeds() -> u64 {
    std::env::var("ENSEMBLE_SWEEP_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5_000)
}

fn replay(s: &Scenario) -> String {
    format!("cargo run -p ensemble-native -- sim --scenario {} --seed {} --explain", s.name, s.seed)
}

/// Run one seed; `Err` describes the failure with its replay command.
fn run_seed(protocol: Protocol, seed: u64) -> Result<(), String> {
    let s = random_scenario(protocol, seed);
    let summary = Run::new(&s, seed).finish();
    if let Some(v) = summary.violations.first() {
        return Err(format!(
            "seed {seed}: {} violated at step {}: {}\n  replay: {}",
            v.invariant,
            v.step,
            v.detail,
            replay(&s)
        ));
    }
    let live = match protocol {
        // Without a fix, a duel may legitimately go on forever.
        Protocol::Paxos => s.paxos.fix == Fix::None || !summary.chosen.is_empty(),
        Protocol::Multipaxos => summary.chosen.values().any(|v| *v == Value::data("after-heal")),
        Protocol::Zab => true,
    };
    if !live {
        return Err(format!(
            "seed {seed}: nothing chosen after the network healed (liveness)\n  replay: {}",
            replay(&s)
        ));
    }
    Ok(())
}

/// A panic (a node's `debug_assert!`) is a failure of that seed too, with its replay.
fn run_seed_caught(protocol: Protocol, seed: u64) -> Result<(), String> {
    std::panic::catch_unwind(|| run_seed(protocol, seed)).unwrap_or_else(|_| {
        let s = random_scenario(protocol, seed);
        Err(format!("seed {seed}: a node assertion failed (see the panic above)\n  replay: {}", replay(&s)))
    })
}

fn sweep(protocol: Protocol) {
    let n = seeds();
    let failures: Vec<String> = (0..n).filter_map(|seed| run_seed_caught(protocol, seed).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {n} seeds failed:\n{}",
        failures.len(),
        failures.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn basic_paxos_seed_sweep() {
    sweep(Protocol::Paxos);
}

#[test]
fn multi_paxos_seed_sweep() {
    sweep(Protocol::Multipaxos);
}
