//! Scenario files: TOML descriptions of a run (`docs/scenarios.md`).

mod build;
mod builtin;
mod chaos;
mod random;
mod spec;

pub use build::{build, build_with, scheduled, Run, Summary};
pub use builtin::{builtin, builtin_names, builtin_text, find_builtin};
pub use chaos::{chaos_scenario, CHAOS_END_MS, CHAOS_HEAL_MS, CHAOS_LATE_CLIENT, CHAOS_QUIET_MS};
pub use random::{generated, random_scenario, END_MS, HEAL_MS, LATE_CLIENT, SWEEP_NAMES};
pub use spec::{
    ClientSpec, Expect, MultiPaxosSettings, NodesSpec, PaxosSettings, Protocol, RequestSpec, RunSpec, Scenario,
    ScenarioError, ScheduleItem,
};
