//! ZAB seed sweep: 3- and 5-voter ensembles, some with an observer, random client
//! writes, crashes (the leader too, mid-broadcast), partitions, drops and duplicates.
//!
//! Safety: no ZAB invariant is ever violated, and every server's log is a contiguous
//! history as broadcast. Liveness: once the network heals and a quorum is up, a leader
//! serves a quorum within 2 s, the late client's write is committed, every live server
//! ends serving with the same history and tree, and every request is answered.
//! Durability: each server's tree equals the replay of what it persisted.
//! `ENSEMBLE_SWEEP_SEEDS=N` changes the seed count (see `zab_sweep` for the checks).

mod zab_sweep;

use ensemble_core::scenarios::{random_scenario, Protocol, END_MS, HEAL_MS};
use zab_sweep::{sweep, Profile};

fn scenario(seed: u64) -> ensemble_core::scenarios::Scenario {
    random_scenario(Protocol::Zab, seed)
}

#[test]
fn zab_seed_sweep() {
    sweep(&Profile {
        name: "sweep-zab",
        scenario,
        heal_ms: HEAL_MS,
        leader_within_ms: 2_000,
        // The late client's last attempt is at 5.8 s.
        settled_ms: END_MS + 1_000,
        seeds_var: "ENSEMBLE_SWEEP_SEEDS",
        default_seeds: 3_000,
        // Known bugs, being fixed: a lost REQUEST is never retried (its client waits
        // forever); a duplicated one is proposed twice; an election after healing can
        // take over 2 s (livelock).
    });
}
