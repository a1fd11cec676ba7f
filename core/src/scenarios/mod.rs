//! Scenario files: TOML descriptions of a run (`docs/scenarios.md`).

mod build;
mod builtin;
mod expect;
pub(crate) mod random;
mod spec;

pub use build::{build, build_with, scheduled, Run, Summary};
#[cfg(feature = "text")]
pub use builtin::builtin_text;
pub use builtin::{builtin, builtin_names, find_builtin};
pub use expect::{EventPattern, EventWatch, Expect};
pub use random::{generated, random_scenario, sweep_names, END_MS, HEAL_MS, LATE_CLIENT};
pub use spec::{check_checkpoint_every, check_ranges};
pub use spec::{
    ClientSpec, Hint, MultiPaxosSettings, NodesSpec, PaxosSettings, Protocol, RequestSpec, RunSpec, Scenario,
    ScenarioError, ScheduleItem, SlowLinkSpec, Surface,
};
