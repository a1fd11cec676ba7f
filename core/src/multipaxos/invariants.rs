//! A Multi-Paxos node's local invariants, checked after every input in debug builds
//! (so the seed sweeps check them in thousands of runs), as ZAB's servers check theirs.

use super::{MultiPaxosNode, Role};
use crate::types::Instance;

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
    ///   makes it step down at once).
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
    }
}
