//! The chaos profile of the ZAB seed sweep (`sweep-zab-chaos`): random partitions
//! every 40 to 250 ms, isolated and crashed leaders, late duplicates, a DIFF window of
//! 2 to 4 proposals (SNAP, leaders starting from a snapshot), busy clients on any
//! server; then healing and a quiet end, so that a missed last commit shows.
//!
//! Checks as in `sweep_zab` (see `zab_sweep`). `ENSEMBLE_CHAOS_SEEDS=N` changes the
//! seed count (default 3,000); `make sweep` runs 100,000.

mod zab_sweep;

use ensemble_core::zab::chaos::{chaos_scenario, CHAOS_HEAL_MS, CHAOS_QUIET_MS};
use zab_sweep::{sweep, Profile};

#[test]
fn zab_chaos_seed_sweep() {
    sweep(&Profile {
        name: "sweep-zab-chaos",
        scenario: chaos_scenario,
        heal_ms: CHAOS_HEAL_MS,
        leader_within_ms: 2_000,
        settled_ms: CHAOS_QUIET_MS + 2_000,
        seeds_var: "ENSEMBLE_CHAOS_SEEDS",
        default_seeds: 3_000,
    });
}
