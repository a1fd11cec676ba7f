//! A Multi-Paxos node's local invariants, checked after every input in debug builds
//! (so the seed sweeps check them in thousands of runs), as ZAB's servers check theirs.

use super::{MultiPaxosNode, Role};
use crate::types::{majority, Ballot, Instance};

/// What may only grow from one input to the next: captured before a handler runs and
/// compared after it (`None` in release builds, which check nothing).
#[derive(Clone, Copy, Debug)]
pub(super) struct Marks {
    promised: Ballot,
    ballot: Ballot,
    max_round: u64,
    saved_round: u64,
    applied: u64,
    chosen: usize,
    /// A leader's next slot.
    next_slot: Option<Instance>,
}

impl MultiPaxosNode {
    /// The invariants, each with the rule it rests on (a chosen slot never changing and
    /// a proposer's round only growing are checked where they could break, in `learn`
    /// and `start_phase1`):
    /// - nothing accepted above the promise (accepting at a ballot promises it);
    /// - ballot round ≤ round written ≤ highest round seen (a round is written before its
    ///   Prepare leaves, so a restarted node never reuses a ballot);
    /// - every slot below `applied` is chosen and slot `applied` is not (chosen slots
    ///   apply in order, as soon as they can);
    /// - one command in the log per applied origin (exactly-once application);
    /// - leading exactly when naming itself leader, and only a leader has proposals in
    ///   flight, all below its next slot;
    /// - a candidate or leader has promised nothing above its own ballot (a higher one
    ///   makes it step down at once);
    /// - a proposal in flight has fewer Accepteds than a quorum, all from nodes of the
    ///   configuration (a quorum makes it chosen at once).
    pub(super) fn debug_check(&self) {
        if !cfg!(debug_assertions) {
            return;
        }
        let id = self.id;
        debug_assert!(self.accepted.values().all(|(b, _)| *b <= self.promised), "node {id}: accepted above promise");
        debug_assert!(self.promised.round <= self.max_round, "node {id}: promised a round above the highest seen");
        debug_assert!(
            self.ballot.round <= self.saved_round && self.saved_round <= self.max_round,
            "node {id}: ballot {:?}, round written {}, highest seen {}",
            self.ballot,
            self.saved_round,
            self.max_round
        );
        let applied = Instance(self.applied);
        debug_assert!(
            self.chosen.range(..applied).count() as u64 == self.applied && !self.chosen.contains_key(&applied),
            "node {id}: applied {} is not the end of the chosen prefix",
            self.applied
        );
        debug_assert_eq!(self.log.len(), self.applied_origins.len(), "node {id}: log and applied origins");
        let leading = self.role == Role::Leader;
        debug_assert_eq!(leading, self.leader == Some(id), "node {id}: role {:?}, leader {:?}", self.role, self.leader);
        debug_assert!(leading || self.proposals.is_empty(), "node {id}: proposals in flight but not leading");
        debug_assert!(self.proposals.keys().all(|s| *s < self.next_slot), "node {id}: proposal at or past next slot");
        if self.role != Role::Follower {
            debug_assert!(
                self.ballot.node == id && self.promised <= self.ballot,
                "node {id}: promised above own ballot"
            );
        }
        let quorum = majority(self.config.nodes.len());
        debug_assert!(
            self.proposals
                .values()
                .all(|p| p.accepted_by.len() < quorum && p.accepted_by.iter().all(|n| self.config.nodes.contains(n))),
            "node {id}: a proposal accepted by a quorum is still in flight"
        );
    }

    pub(super) fn marks(&self) -> Option<Marks> {
        cfg!(debug_assertions).then(|| Marks {
            promised: self.promised,
            ballot: self.ballot,
            max_round: self.max_round,
            saved_round: self.saved_round,
            applied: self.applied,
            chosen: self.chosen.len(),
            next_slot: (self.role == Role::Leader).then_some(self.next_slot),
        })
    }

    /// Nothing that may only grow shrank since `before`: the promise (an acceptor never
    /// takes one back), the ballot and the rounds seen and written (a proposer never
    /// reuses a round), what is chosen and applied (a chosen slot stays chosen), and,
    /// while leading with one ballot, the next slot (a slot is proposed once a ballot).
    pub(super) fn debug_check_step(&self, before: Option<Marks>) {
        let Some(b) = before else { return };
        let id = self.id;
        debug_assert!(self.promised >= b.promised, "node {id}: promise went back");
        debug_assert!(self.ballot >= b.ballot, "node {id}: ballot went back");
        debug_assert!(
            self.max_round >= b.max_round && self.saved_round >= b.saved_round,
            "node {id}: a round seen or written went back"
        );
        debug_assert!(
            self.applied >= b.applied && self.chosen.len() >= b.chosen,
            "node {id}: chosen or applied went back"
        );
        if let (Some(next), Role::Leader) = (b.next_slot, self.role) {
            if self.ballot == b.ballot {
                debug_assert!(self.next_slot >= next, "node {id}: a leader's next slot went back");
            }
        }
    }
}
