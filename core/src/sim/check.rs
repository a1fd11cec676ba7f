//! The cluster invariant checker, run after every simulator step.
//!
//! It reads only trace events, never node internals, and keeps its own "ghost" record
//! of what every acceptor did. The ghost survives crashes on purpose: an acceptor that
//! forgets a promise after a restart still broke the promise it made before.
//!
//! Paxos invariants (DESIGN §2.3), for every instance:
//! - `agreement`: at most one value is chosen (accepted by a majority at one ballot);
//! - `validity`: only a value some client proposed (or a Multi-Paxos no-op) is chosen;
//! - `learned_chosen`: a learner learns only the chosen value;
//! - `promise_kept`: an acceptor never promises or accepts below a ballot it promised.
//!
//! For every protocol, the simulator itself reports `stuck` (liveness): virtual time
//! stopped advancing, so the run would spin to its step limit without progress.

use crate::event::Event;
use crate::types::{majority, Ballot, Instance, NodeId, Value};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub step: u64,
    pub invariant: String,
    pub detail: String,
}

#[derive(Clone, Debug, Default)]
pub struct Checker {
    quorum: usize,
    allow_noop: bool,
    proposed: BTreeSet<String>,
    /// Who accepted what, per instance and ballot.
    accepts: BTreeMap<(Instance, Ballot, Value), BTreeSet<NodeId>>,
    chosen: BTreeMap<Instance, (Ballot, Value)>,
    promised: BTreeMap<NodeId, Ballot>,
    violations: Vec<Violation>,
    /// Each (invariant, subject) is reported once, so one bug does not flood the trace.
    reported: BTreeSet<(String, String)>,
    pub zab: super::check_zab::ZabChecker,
}

impl Checker {
    /// A checker for `acceptors` acceptors; `allow_noop` for Multi-Paxos gap filling.
    /// A checker for ZAB: its invariants come from the ZAB events only.
    pub fn zab() -> Checker {
        Checker::default()
    }

    pub fn paxos(acceptors: usize, allow_noop: bool) -> Checker {
        Checker { quorum: majority(acceptors), allow_noop, ..Checker::default() }
    }

    pub fn chosen(&self) -> BTreeMap<Instance, Value> {
        self.chosen.iter().map(|(i, (_, v))| (*i, v.clone())).collect()
    }
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Check one step's events (handled by `node`); returns the violations found.
    pub fn observe(&mut self, step: u64, node: Option<NodeId>, events: &[Event]) -> Vec<Event> {
        let mut found = Vec::new();
        for e in events {
            match e {
                Event::Request { op, .. } => {
                    if let Some(value) = op.proposed_value() {
                        self.proposed.insert(value.to_string());
                    }
                }
                Event::Promised { ballot, .. } => {
                    if let Some(n) = node {
                        self.check_promise(n, *ballot, "promises", &mut found);
                    }
                }
                Event::Accepted { instance, ballot, value } => {
                    if let Some(n) = node {
                        self.check_promise(n, *ballot, "accepts", &mut found);
                        self.on_accepted(n, *instance, *ballot, value, &mut found);
                    }
                }
                Event::Learned { instance, value } => self.on_learned(node, *instance, value, &mut found),
                other => self.zab.observe(node, other, &mut found),
            }
        }
        found.into_iter().filter_map(|(inv, subject, detail)| self.report(step, inv, subject, detail)).collect()
    }

    /// Record a violation found at `step` (by the checks above, or by the simulator
    /// itself, e.g. `stuck`); `None` if this (invariant, subject) was reported before.
    pub fn report(&mut self, step: u64, invariant: &str, subject: String, detail: String) -> Option<Event> {
        if !self.reported.insert((invariant.to_string(), subject)) {
            return None;
        }
        self.violations.push(Violation { step, invariant: invariant.into(), detail: detail.clone() });
        Some(Event::Violation { invariant: invariant.into(), detail })
    }

    fn check_promise(&mut self, n: NodeId, ballot: Ballot, verb: &str, found: &mut Found) {
        let before = self.promised.get(&n).copied().unwrap_or(Ballot::ZERO);
        if ballot < before {
            found.push((
                "promise_kept",
                format!("node {n}"),
                format!("node {n} {verb} ballot {ballot} after promising {before}"),
            ));
        }
        self.promised.insert(n, ballot.max(before));
    }

    fn on_accepted(&mut self, n: NodeId, instance: Instance, ballot: Ballot, value: &Value, found: &mut Found) {
        let voters = self.accepts.entry((instance, ballot, value.clone())).or_default();
        voters.insert(n);
        if voters.len() < self.quorum {
            return;
        }
        match self.chosen.get(&instance) {
            Some((_, v)) if v == value => {}
            Some((b, v)) => found.push((
                "agreement",
                format!("instance {}", instance.0),
                format!(
                    "instance {}: {value} chosen at ballot {ballot}, but {v} was already chosen at ballot {b}",
                    instance.0
                ),
            )),
            None => {
                if !self.is_proposed(value) {
                    found.push((
                        "validity",
                        format!("instance {}", instance.0),
                        format!("instance {}: {value} was chosen but never proposed", instance.0),
                    ));
                }
                self.chosen.insert(instance, (ballot, value.clone()));
            }
        }
    }

    fn on_learned(&mut self, node: Option<NodeId>, instance: Instance, value: &Value, found: &mut Found) {
        let n = node.map(|n| n.to_string()).unwrap_or_default();
        match self.chosen.get(&instance) {
            Some((_, v)) if v == value => {}
            other => found.push((
                "learned_chosen",
                format!("node {n} instance {}", instance.0),
                match other {
                    Some((_, v)) => format!("node {n} learned {value} for instance {} but {v} was chosen", instance.0),
                    None => format!("node {n} learned {value} for instance {} before anything was chosen", instance.0),
                },
            )),
        }
    }

    fn is_proposed(&self, v: &Value) -> bool {
        match v {
            Value::Noop => self.allow_noop,
            Value::Data(s) => self.proposed.contains(&**s),
        }
    }
}

pub(super) type Found = Vec<(&'static str, String, String)>;
