//! Scenario files: TOML descriptions of a run (`docs/scenarios.md`).

mod builtin;
mod build;
mod spec;

pub use build::{build, build_with, Run};
pub use builtin::{builtin, builtin_names, builtin_text, find_builtin};
pub use build::{paxos_config, Summary};
pub use spec::{
    Expect, MultiPaxosSettings, NodesSpec, PaxosSettings, Protocol, RunSpec, ScheduleItem, Scenario,
    ScenarioError, RequestSpec,
};
