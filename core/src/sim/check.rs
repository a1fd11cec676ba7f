//! The cluster invariant checker, run after every simulator step.
//!
//! It reads only trace events, never node internals. Each protocol brings its own
//! invariants (`Node::Checker`, an [`Invariants`] in the protocol's folder); this module
//! reports what they find, each (invariant, subject) once, so one bug does not flood the
//! trace.
//!
//! For every protocol, the simulator itself reports `stuck` (liveness): virtual time
//! stopped advancing, so the run would spin to its step limit without progress.

use crate::event::Event;
use crate::types::{Epoch, Instance, NodeId, Value};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub step: u64,
    pub invariant: String,
    pub detail: String,
}

/// What invariants found in one event: (invariant, subject, detail). The subject is
/// what is reported once (`"instance 3"`).
pub type Found = Vec<(&'static str, String, String)>;

/// A protocol's invariants over the events of a run.
pub trait Invariants: Clone + Debug {
    /// Check one event of a step handled by `node` (every event, the runtime's too).
    fn observe(&mut self, node: Option<NodeId>, event: &Event, found: &mut Found);
    /// The values chosen so far, per instance (protocols that choose values).
    fn chosen(&self) -> BTreeMap<Instance, Value> {
        BTreeMap::new()
    }
    /// The leader established in each epoch so far (protocols with epochs).
    fn leaders(&self) -> BTreeMap<Epoch, NodeId> {
        BTreeMap::new()
    }
    /// Facts only the checker sees, which it noted while observing the last events
    /// (Paxos: a value is chosen before any node knows it): protocol events the step's
    /// trace gets after the node's own.
    fn take_notes(&mut self) -> Vec<Event> {
        Vec::new()
    }
}

/// No invariants, for nodes that only exercise the simulator.
impl Invariants for () {
    fn observe(&mut self, _: Option<NodeId>, _: &Event, _: &mut Found) {}
}

#[derive(Clone, Debug, Default)]
pub struct Checker<I> {
    invariants: I,
    violations: Vec<Violation>,
    reported: BTreeSet<(String, String)>,
}

impl<I: Invariants> Checker<I> {
    pub fn new(invariants: I) -> Checker<I> {
        Checker { invariants, violations: Vec::new(), reported: BTreeSet::new() }
    }
    /// The protocol's invariants, with what they recorded.
    pub fn invariants(&self) -> &I {
        &self.invariants
    }
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Check one step's events (handled by `node`); returns the notes the invariants
    /// made, then the violations found.
    pub fn observe(&mut self, step: u64, node: Option<NodeId>, events: &[Event]) -> Vec<Event> {
        let mut found = Vec::new();
        for e in events {
            self.invariants.observe(node, e, &mut found);
        }
        let mut out = self.invariants.take_notes();
        out.extend(found.into_iter().filter_map(|(inv, subject, detail)| self.report(step, inv, subject, detail)));
        out
    }

    /// Record a violation found at `step` (by the invariants, or by the simulator
    /// itself, e.g. `stuck`); `None` if this (invariant, subject) was reported before.
    pub fn report(&mut self, step: u64, invariant: &str, subject: String, detail: String) -> Option<Event> {
        if !self.reported.insert((invariant.to_string(), subject)) {
            return None;
        }
        self.violations.push(Violation { step, invariant: invariant.into(), detail: detail.clone() });
        Some(Event::Violation { invariant: invariant.into(), detail })
    }
}
