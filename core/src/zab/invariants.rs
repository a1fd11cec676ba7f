//! A ZAB server's local invariants, checked after every input in debug builds (so the
//! seed sweeps check them in thousands of runs), as Multi-Paxos nodes check theirs. The
//! buggy modes break them on purpose, so they are not checked there.

use super::msg::ServerState;
use super::{ZabBuggy, ZabNode, ZabPhase};
use crate::types::{Epoch, Zxid};

/// What may only grow from one input to the next: captured before a handler runs and
/// compared after it (`None` in release builds, which check nothing).
#[derive(Clone, Copy, Debug)]
pub(super) struct Marks {
    accepted_epoch: Epoch,
    current_epoch: Epoch,
    delivered: Zxid,
    round: u64,
    /// A leader's (epoch, counter, commit point).
    leading: Option<(Option<Epoch>, u32, Zxid)>,
}

impl ZabNode {
    pub(super) fn marks(&self) -> Option<Marks> {
        cfg!(debug_assertions).then(|| Marks {
            accepted_epoch: self.accepted_epoch,
            current_epoch: self.current_epoch,
            delivered: self.delivered,
            round: self.election.round,
            leading: self.lead.as_ref().map(|l| (l.new_epoch, l.counter, l.committed)),
        })
    }

    /// After an input: the local invariants hold, and nothing that may only grow shrank
    /// since `before`: the epochs (a server never takes back an epoch it accepted or
    /// acknowledged), the delivery mark (a delivered transaction stays delivered), the
    /// election round (FLE's logical clock), and within one epoch a leader's counter
    /// (zxids are never reused) and its commit point.
    pub(super) fn debug_check_step(&self, before: Option<Marks>) {
        let Some(b) = before.filter(|_| self.config.buggy == ZabBuggy::None) else { return };
        self.debug_check();
        let id = self.id;
        debug_assert!(self.accepted_epoch >= b.accepted_epoch, "node {id}: accepted epoch went back");
        debug_assert!(self.current_epoch >= b.current_epoch, "node {id}: current epoch went back");
        debug_assert!(
            self.delivered >= b.delivered,
            "node {id}: delivered {} went back from {}",
            self.delivered,
            b.delivered
        );
        debug_assert!(self.election.round >= b.round, "node {id}: election round went back");
        let (Some((epoch, counter, committed)), Some(l)) = (b.leading, self.lead.as_ref()) else { return };
        if l.new_epoch == epoch {
            debug_assert!(l.counter >= counter, "node {id}: leader's counter went back within epoch {epoch:?}");
            debug_assert!(l.committed >= committed, "node {id}: leader's commit point went back");
        }
    }

    /// The state's invariants: the log is in zxid order after the snapshot; snapshot ≤
    /// delivered ≤ last logged; the current epoch was accepted first; a role's state
    /// exists exactly in that role; then the leader's and learner's own.
    pub(super) fn debug_check(&self) {
        if !cfg!(debug_assertions) || self.config.buggy != ZabBuggy::None {
            return;
        }
        let id = self.id;
        debug_assert!(self.log.windows(2).all(|w| w[0].zxid < w[1].zxid), "node {id}: log out of zxid order");
        debug_assert!(self.log.first().is_none_or(|e| e.zxid > self.snap_zxid), "node {id}: log behind its snapshot");
        debug_assert!(
            self.snap_zxid <= self.delivered && self.delivered <= self.last_zxid(),
            "node {id}: delivered {} outside snapshot {} .. last {}",
            self.delivered,
            self.snap_zxid,
            self.last_zxid()
        );
        debug_assert!(self.current_epoch <= self.accepted_epoch, "node {id}: current epoch above accepted");
        let learning = matches!(self.state, ServerState::Following | ServerState::Observing);
        debug_assert_eq!(self.lead.is_some(), self.state == ServerState::Leading, "node {id}: leader state");
        debug_assert_eq!(self.learner.is_some(), learning, "node {id}: learner state");
        self.debug_check_leader();
        if let Some(l) = self.learner.as_ref() {
            debug_assert!(!l.synced || l.acked_newleader, "node {id}: synced without acknowledging NEWLEADER");
            debug_assert_eq!(self.phase == ZabPhase::Broadcast, l.synced, "node {id}: broadcasting unsynced");
        }
    }

    /// A leader: its epoch is its current one once agreed; established only by a quorum
    /// of NEWLEADER ACKs, after which it has delivered exactly what it committed, and
    /// every outstanding proposal is a logged one of its epoch above the commit point
    /// (as is every SYNC waiting for one); its last proposal carries its counter.
    fn debug_check_leader(&self) {
        let Some(l) = self.lead.as_ref() else { return };
        let id = self.id;
        if l.epoch_agreed {
            debug_assert_eq!(l.new_epoch, Some(self.current_epoch), "node {id}: agreed epoch is not current");
        }
        debug_assert_eq!(self.phase == ZabPhase::Broadcast, l.established, "node {id}: broadcasting unestablished");
        if !l.established {
            return;
        }
        let epoch = l.new_epoch.expect("established");
        debug_assert!(l.epoch_agreed && l.newleader_acks.len() >= self.quorum(), "node {id}: established alone");
        debug_assert_eq!(self.delivered, l.committed, "node {id}: delivered is not the commit point");
        debug_assert!(
            l.outstanding.keys().all(|z| *z > l.committed && z.epoch() == epoch && self.has_logged(*z)),
            "node {id}: an outstanding proposal not logged, of another epoch, or at or below {}",
            l.committed
        );
        debug_assert!(l.syncs.iter().all(|(z, _, _)| *z > l.committed), "node {id}: an answerable SYNC waits");
        if l.counter > 0 {
            debug_assert_eq!(self.last_zxid(), Zxid::new(epoch, l.counter), "node {id}: leader's counter");
        }
    }
}
