//! From a scenario to a running simulation.

use super::spec::{RunSpec, Scenario};
use crate::sim::{DynSim, Sim, TraceEntry, Violation};
use crate::types::{NodeId, Time, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Build the simulation of `s` with its own seed.
pub fn build(s: &Scenario) -> Box<dyn DynSim> {
    build_with(s, s.seed)
}

/// Build the simulation of `s` with `seed`, its schedule queued, by its protocol.
pub fn build_with(s: &Scenario, seed: u64) -> Box<dyn DynSim> {
    crate::protocol::lookup(s.protocol).build(s, seed)
}

/// `sim` with the scenario's schedule queued.
pub fn scheduled<N: crate::node::Node>(mut sim: Sim<N>, s: &Scenario) -> Sim<N> {
    for item in &s.schedule {
        // Validated when the scenario was parsed.
        if let Ok(iv) = item.intervention() {
            sim.schedule(Time(item.at_ms), iv);
        }
    }
    sim
}

/// A headless run of a scenario within its limits, as `ensemble sim` does it.
pub struct Run {
    pub scenario: String,
    pub seed: u64,
    pub sim: Box<dyn DynSim>,
    pub limits: RunSpec,
}

/// The last line `ensemble sim` prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub steps: u64,
    pub virtual_ms: u64,
    pub chosen: BTreeMap<String, Value>,
    pub messages: u64,
    pub violations: Vec<Violation>,
    /// ZAB: the leader established in each epoch.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub leaders: BTreeMap<String, NodeId>,
    /// Each node's last logged zxid (ZooKeeper's hex form), where its view has one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub last_zxid: BTreeMap<String, String>,
    /// A digest of each node's state (ZAB: its znode tree), where its view has one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tree_digest: BTreeMap<String, String>,
}

impl Run {
    pub fn new(s: &Scenario, seed: u64) -> Run {
        Run { scenario: s.name.clone(), seed, sim: build_with(s, seed), limits: s.run.clone() }
    }

    /// The next step, unless the run's limits are reached or nothing is left to do.
    pub fn next_entry(&mut self) -> Option<TraceEntry> {
        if !self.limits.allows(self.sim.steps(), self.sim.next_time().map(|t| t.ms())) {
            return None;
        }
        self.sim.step()
    }

    /// Run to the end without keeping the trace.
    pub fn finish(&mut self) -> Summary {
        while self.next_entry().is_some() {}
        self.summary()
    }

    pub fn summary(&self) -> Summary {
        let views = self.sim.views();
        let fact = |key: &str| -> BTreeMap<String, String> {
            views.iter().filter_map(|v| Some((v.id.0.to_string(), v.fact(key)?.to_string()))).collect()
        };
        Summary {
            scenario: self.scenario.clone(),
            seed: self.seed,
            steps: self.sim.steps(),
            virtual_ms: self.sim.now().ms(),
            chosen: self.sim.chosen().into_iter().map(|(i, v)| (i.0.to_string(), v)).collect(),
            messages: self.sim.stats().sent,
            violations: self.sim.violations(),
            leaders: self.sim.leaders().into_iter().map(|(e, n)| (e.0.to_string(), n)).collect(),
            last_zxid: fact("zxid"),
            tree_digest: fact("digest"),
        }
    }
}
