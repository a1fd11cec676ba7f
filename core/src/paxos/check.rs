//! Paxos' invariants (DESIGN §2.3), checked from trace events, for every instance:
//! - `agreement`: at most one value is chosen (accepted by a majority at one ballot);
//! - `validity`: only a value some client proposed (or a Multi-Paxos no-op) is chosen;
//! - `learned_chosen`: a learner learns only the chosen value;
//! - `promise_kept`: an acceptor never promises or accepts below a ballot it promised.
//!
//! It also notes the moment a value becomes chosen (a `chosen` event): a fact about all
//! acceptors together that no single node sees when it happens.
//!
//! The checker keeps its own "ghost" record of what every acceptor did. The ghost
//! survives crashes on purpose: an acceptor that forgets a promise after a restart still
//! broke the promise it made before.

use super::event::PaxosEvent;
use crate::event::Event;
use crate::sim::{Found, Invariants};
use crate::types::{majority, Ballot, Instance, NodeId, Value};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct PaxosChecker {
    quorum: usize,
    allow_noop: bool,
    proposed: BTreeSet<String>,
    /// Who accepted what, per instance and ballot.
    accepts: BTreeMap<(Instance, Ballot, Value), BTreeSet<NodeId>>,
    chosen: BTreeMap<Instance, (Ballot, Value)>,
    promised: BTreeMap<NodeId, Ballot>,
    acceptors: u32,
    /// `chosen` events noted in this step, for the trace.
    notes: Vec<Event>,
}

impl PaxosChecker {
    /// A checker for `acceptors` acceptors; `allow_noop` for Multi-Paxos gap filling.
    pub fn new(acceptors: usize, allow_noop: bool) -> PaxosChecker {
        let of = acceptors as u32;
        PaxosChecker { quorum: majority(acceptors), allow_noop, acceptors: of, ..PaxosChecker::default() }
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
        let accepted = voters.len() as u32;
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
                let of = self.acceptors;
                self.notes.push(PaxosEvent::Chosen { instance, ballot, value: value.clone(), accepted, of }.into());
            }
        }
    }

    fn on_learned(&mut self, node: Option<NodeId>, instance: Instance, value: &Value, found: &mut Found) {
        let other = match self.chosen.get(&instance) {
            Some((_, v)) if v == value => return,
            other => other,
        };
        let n = node.map(|n| n.to_string()).unwrap_or_default();
        found.push((
            "learned_chosen",
            format!("node {n} instance {}", instance.0),
            match other {
                Some((_, v)) => format!("node {n} learned {value} for instance {} but {v} was chosen", instance.0),
                None => format!("node {n} learned {value} for instance {} before anything was chosen", instance.0),
            },
        ));
    }

    fn is_proposed(&self, v: &Value) -> bool {
        match v {
            Value::Noop => self.allow_noop,
            Value::Data(s) => self.proposed.contains(&**s),
        }
    }
}

impl Invariants for PaxosChecker {
    fn observe(&mut self, node: Option<NodeId>, event: &Event, found: &mut Found) {
        if let Event::Request { op, .. } = event {
            if let Some(value) = op.proposed_value() {
                self.proposed.insert(value.to_string());
            }
            return;
        }
        match (event.get::<PaxosEvent>(), node) {
            (Some(PaxosEvent::Promised { ballot, .. }), Some(n)) => self.check_promise(n, *ballot, "promises", found),
            (Some(PaxosEvent::Accepted { instance, ballot, value }), Some(n)) => {
                self.check_promise(n, *ballot, "accepts", found);
                self.on_accepted(n, *instance, *ballot, value, found);
            }
            (Some(PaxosEvent::Learned { instance, value, .. }), _) => self.on_learned(node, *instance, value, found),
            _ => {}
        }
    }

    fn take_notes(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.notes)
    }

    fn chosen(&self) -> BTreeMap<Instance, Value> {
        self.chosen.iter().map(|(i, (_, v))| (*i, v.clone())).collect()
    }
}
