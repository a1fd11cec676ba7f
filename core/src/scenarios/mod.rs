//! Scenario files: TOML descriptions of a run (`docs/scenarios.md`).

mod build;
mod builtin;
mod random;
mod spec;

pub use build::{build, build_with, build_zab, Run};
pub use build::{paxos_config, Summary};
pub use builtin::{builtin, builtin_names, builtin_text, find_builtin};
pub use random::{generated, random_scenario, END_MS, HEAL_MS, LATE_CLIENT, SWEEP_NAMES};
pub use spec::{
    ClientSpec, Expect, MultiPaxosSettings, NodesSpec, PaxosSettings, Protocol, RequestSpec, RunSpec, Scenario,
    ScenarioError, ScheduleItem,
};
