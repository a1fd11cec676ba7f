//! The follower's (and observer's) side: `Follower.followLeader()`,
//! `registerWithLeader` (discovery), `syncWithLeader` (synchronization) and the
//! broadcast loop. Observers do the same but never vote: they get INFORM, not PROPOSAL.

use super::event::ZabEvent;
use super::msg::{LogEntry, ServerState, SyncMode, ZabMsg, ZabPhase, ZabTimer};
use super::tree::DataTree;
use super::{ZabBuggy, ZabNode};
use crate::node::Out;
use crate::types::{Epoch, NodeId, Time, Zxid};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnerState {
    pub leader: NodeId,
    pub last_heard: Time,
    /// NEWLEADER acknowledged: waiting for UPTODATE.
    pub acked_newleader: bool,
    /// UPTODATE received: synchronized and serving.
    pub synced: bool,
    /// Which sync messages of this registration arrived: a second copy of one (a
    /// duplicated message) must not be applied again, or a TRUNC would cut what the
    /// DIFF after it added.
    #[serde(default)]
    pub got: Vec<SyncMode>,
}

impl ZabNode {
    pub(super) fn is_observer(&self) -> bool {
        self.config.observer_ids.contains(&self.id)
    }

    pub(super) fn follow(&mut self, leader: NodeId, now: Time, out: &mut Out<Self>) {
        let observer = self.is_observer();
        self.state = if observer { ServerState::Observing } else { ServerState::Following };
        self.leader = Some(leader);
        let got = Vec::new();
        self.learner = Some(LearnerState { leader, last_heard: now, acked_newleader: false, synced: false, got });
        out.emit(ZabEvent::State { state: self.state, epoch: u64::from(self.current_epoch.0) });
        self.enter_phase(ZabPhase::Discovery, out);
        self.attempt = now.ms() << 16 | (self.election.round & 0xffff);
        out.send(leader, self.learner_info());
        let init_ms = self.config.init_limit * self.config.tick_ms;
        out.set_timer(ZabTimer::InitLimit, init_ms..=init_ms);
        out.set_timer(ZabTimer::Tick, self.config.tick_ms..=self.config.tick_ms);
    }

    /// FOLLOWERINFO or OBSERVERINFO for the current registration attempt.
    fn learner_info(&self) -> ZabMsg {
        let (accepted_epoch, last_zxid, attempt) = (self.accepted_epoch, self.last_zxid(), self.attempt);
        if self.is_observer() {
            ZabMsg::ObserverInfo { accepted_epoch, last_zxid, attempt }
        } else {
            ZabMsg::FollowerInfo { accepted_epoch, last_zxid, attempt }
        }
    }

    /// A sync message (TRUNC, DIFF, SNAP, NEWLEADER) from our leader, in our sync phase;
    /// anything else is left over from an earlier registration.
    fn syncing_with(&mut self, from: NodeId) -> bool {
        self.heard_from_leader(from) && self.phase == ZabPhase::Synchronization
    }

    /// A TRUNC, DIFF or SNAP from our leader in our sync phase, in the only orders a
    /// leader sends them (TRUNC or SNAP first, then one DIFF) and before we acknowledged
    /// NEWLEADER: anything else is a late copy, which must not change a log we have
    /// already vouched for (a SNAP after the DIFF would cut what we ACKed).
    fn first_sync_step(&mut self, from: NodeId, step: SyncMode) -> bool {
        if !self.syncing_with(from) {
            return false;
        }
        let l = self.learner.as_mut().expect("following");
        let fits = match step {
            SyncMode::Diff => !l.got.contains(&SyncMode::Diff),
            SyncMode::Trunc | SyncMode::Snap => l.got.is_empty(),
        };
        l.got.push(step);
        fits && !l.acked_newleader
    }

    /// Whether `from` is the leader we follow; every message from it proves it alive.
    pub(super) fn heard_from_leader(&mut self, from: NodeId) -> bool {
        let now = self.now;
        match self.learner.as_mut() {
            Some(l) if l.leader == from => {
                l.last_heard = now;
                true
            }
            _ => false,
        }
    }

    /// LEADERINFO: accept the new epoch, acknowledge it (`registerWithLeader`).
    pub(super) fn on_leader_info(&mut self, from: NodeId, new_epoch: Epoch, out: &mut Out<Self>) {
        let discovery = self.phase == ZabPhase::Discovery
            || (self.phase == ZabPhase::Synchronization && new_epoch > self.accepted_epoch);
        if !self.heard_from_leader(from) || !discovery {
            // Outside discovery it answers a FOLLOWERINFO retry that crossed the first
            // answer: acknowledging again would start a second synchronization. (A newer
            // epoch while we sync means our leader started over, and our sync with it:
            // we accepted a late copy of its older LEADERINFO.)
            return self.count_stale();
        }
        if let Some(l) = self.learner.as_mut() {
            l.got.clear();
            l.acked_newleader = false;
        }
        if new_epoch < self.accepted_epoch {
            // We accepted a newer epoch from someone else: this leader is stale.
            return self.look_for_leader(out);
        }
        // Zab: acknowledge only an epoch above the one accepted, so that two leaders'
        // epoch quorums are disjoint. The same leader's epoch again (our ACKEPOCH was
        // lost, or we re-registered) is safe to count: a leader proposes an epoch once.
        let already_acked = new_epoch == self.accepted_epoch && self.accepted_from != Some(from);
        if new_epoch > self.accepted_epoch {
            self.set_accepted_epoch(new_epoch, from, out);
        }
        let (current_epoch, last_zxid, delivered) = (self.current_epoch, self.last_zxid(), self.delivered);
        let ack = ZabMsg::AckEpoch { new_epoch, current_epoch, last_zxid, delivered, already_acked };
        out.send(from, ack);
        self.enter_phase(ZabPhase::Synchronization, out);
    }

    pub(super) fn on_trunc(&mut self, from: NodeId, zxid: Zxid, out: &mut Out<Self>) {
        if zxid < self.delivered || !self.first_sync_step(from, SyncMode::Trunc) {
            // A leader never cuts what we delivered (it was committed, so the leader has
            // it): this is a late copy from an earlier registration.
            return self.count_stale();
        }
        if self.config.buggy == ZabBuggy::SkipTrunc {
            return; // keeps proposals the new leader never had
        }
        if zxid != Zxid::ZERO && !self.has_logged(zxid) {
            // Cut back there, our log would still not be a prefix of the leader's.
            return self.look_for_leader(out);
        }
        self.truncate(zxid, out);
    }

    pub(super) fn on_diff(&mut self, from: NodeId, after: Zxid, proposals: Vec<LogEntry>, out: &mut Out<Self>) {
        if !self.first_sync_step(from, SyncMode::Diff) {
            return self.count_stale();
        }
        if self.last_zxid() != after && self.config.buggy != ZabBuggy::SkipTrunc {
            // The TRUNC or SNAP before this DIFF never arrived: start over.
            return self.look_for_leader(out);
        }
        for e in proposals {
            if e.zxid > self.last_zxid() {
                self.append(e, out);
            }
        }
    }

    pub(super) fn on_snap(&mut self, from: NodeId, zxid: Zxid, tree: DataTree, out: &mut Out<Self>) {
        if zxid < self.delivered || !self.first_sync_step(from, SyncMode::Snap) {
            // A leader's snapshot is never behind what we delivered (see `sync_plan`):
            // this is a late copy from an earlier registration.
            return self.count_stale();
        }
        self.install_snapshot(zxid, tree, out);
    }

    pub(super) fn on_new_leader(&mut self, from: NodeId, epoch: Epoch, zxid: Zxid, out: &mut Out<Self>) {
        if !self.syncing_with(from) || epoch != self.accepted_epoch {
            // Zab: NEWLEADER(e) counts only if e is the epoch we accepted. Another is a
            // late copy from before our leader started over with a newer epoch: taking
            // it would set our current epoch back.
            return self.count_stale();
        }
        if self.last_zxid() != zxid && self.config.buggy != ZabBuggy::SkipTrunc {
            // Some of the sync never arrived: our history is not the leader's. Start over.
            return self.look_for_leader(out);
        }
        // Logged (DIFF) before acknowledged (ZOOKEEPER-3911): `append` persisted them.
        self.set_current_epoch(epoch, out);
        if let Some(l) = self.learner.as_mut() {
            l.acked_newleader = true;
        }
        self.ack(from, zxid, out);
    }

    pub(super) fn on_up_to_date(&mut self, from: NodeId, committed: Zxid, out: &mut Out<Self>) {
        let expected = self.learner.as_ref().is_some_and(|l| l.acked_newleader && !l.synced);
        if !self.heard_from_leader(from) || !expected {
            // E.g. the answer to an earlier registration, crossing our new FOLLOWERINFO.
            return self.count_stale();
        }
        if let Some(l) = self.learner.as_mut() {
            l.synced = true;
        }
        self.deliver_upto(committed, out);
        out.cancel_timer(ZabTimer::InitLimit);
        self.enter_phase(ZabPhase::Broadcast, out);
    }

    pub(super) fn on_proposal(&mut self, from: NodeId, entry: LogEntry, out: &mut Out<Self>) {
        if self.config.buggy == ZabBuggy::NoEpochCheck && !self.heard_from_leader(from) {
            // The bug: a deposed leader's proposal is logged and acknowledged anyway.
            let zxid = entry.zxid;
            self.log.push(entry);
            out.send(from, ZabMsg::Ack { zxid });
            return;
        }
        if !self.in_leaders_epoch(from, entry.zxid) {
            return self.count_stale();
        }
        let zxid = entry.zxid;
        if zxid <= self.last_zxid() {
            return self.count_stale(); // a duplicate
        }
        if !self.follows_on(zxid) {
            // A proposal went missing on the way: our history has a hole. Re-synchronize.
            return self.look_for_leader(out);
        }
        self.append(entry, out);
        self.ack(from, zxid, out);
    }

    /// ACK means "logged": never acknowledge what is not in our log.
    fn ack(&self, leader: NodeId, zxid: Zxid, out: &mut Out<Self>) {
        debug_assert!(self.has_logged(zxid), "node {}: ACK of {zxid}, which it has not logged", self.id);
        out.send(leader, ZabMsg::Ack { zxid });
    }

    /// Whether `zxid` is the next proposal after our last one.
    fn follows_on(&self, zxid: Zxid) -> bool {
        let last = self.last_zxid();
        if last.epoch() == zxid.epoch() {
            zxid.counter() == last.counter() + 1
        } else {
            zxid.counter() == 1
        }
    }

    pub(super) fn on_commit(&mut self, from: NodeId, zxid: Zxid, out: &mut Out<Self>) {
        if self.config.buggy == ZabBuggy::NoEpochCheck && !self.heard_from_leader(from) {
            return self.deliver_stale(zxid, out);
        }
        if !self.in_leaders_epoch(from, zxid) {
            return self.count_stale();
        }
        if !self.has_logged(zxid) {
            return self.look_for_leader(out);
        }
        self.deliver_upto(zxid, out);
    }

    /// A broadcast message (PROPOSAL, COMMIT, INFORM) about `zxid` from our leader, in
    /// its epoch, after we acknowledged its NEWLEADER (so our log is its history).
    /// Anything else is left over from an earlier registration or leader.
    fn in_leaders_epoch(&mut self, from: NodeId, zxid: Zxid) -> bool {
        let acked = self.learner.as_ref().is_some_and(|l| l.acked_newleader);
        self.heard_from_leader(from) && acked && zxid.epoch() == self.current_epoch
    }

    /// The bug's second half: apply a deposed leader's commit out of order.
    fn deliver_stale(&mut self, zxid: Zxid, out: &mut Out<Self>) {
        let Some(e) = self.log.iter().find(|e| e.zxid == zxid).cloned() else { return };
        let (result, watches) = self.tree.apply_unchecked(e.zxid, e.time_ms, &e.txn);
        out.emit(ZabEvent::Delivered { zxid, txn: e.txn.clone() });
        self.after_delivery(&e, result, watches, out);
    }

    pub(super) fn on_inform(&mut self, from: NodeId, entry: LogEntry, out: &mut Out<Self>) {
        if !self.in_leaders_epoch(from, entry.zxid) {
            return self.count_stale();
        }
        let zxid = entry.zxid;
        if zxid <= self.last_zxid() {
            if zxid > self.delivered && self.has_logged(zxid) {
                // Logged already (from a DIFF): the INFORM is its commit.
                return self.deliver_upto(zxid, out);
            }
            return self.count_stale();
        }
        if !self.follows_on(zxid) {
            return self.look_for_leader(out); // an INFORM went missing
        }
        self.append(entry, out);
        self.deliver_upto(zxid, out);
    }

    /// The leader's PING carries its commit point: a learner in broadcast delivers up
    /// to it (its last COMMIT or INFORM may have been lost) and answers with its last
    /// logged zxid (its last ACK may have been lost).
    pub(super) fn on_leader_ping(&mut self, from: NodeId, committed: Option<Zxid>, out: &mut Out<Self>) {
        if !self.heard_from_leader(from) {
            return self.count_stale();
        }
        let broadcast = self.phase == ZabPhase::Broadcast;
        if let Some(c) = committed.filter(|c| broadcast && *c > self.delivered) {
            if !self.has_logged(c) && c > self.last_zxid() {
                // FIFO: whatever it committed was sent to us before this PING.
                return self.look_for_leader(out);
            }
            self.deliver_upto(c, out);
        }
        let sessions = self.clients.sessions.values().copied().collect();
        let zxid = broadcast.then(|| self.last_zxid());
        out.send(from, ZabMsg::Ping { sessions, zxid });
    }

    pub(super) fn learner_tick(&mut self, out: &mut Out<Self>) {
        let limit_ms = self.config.sync_limit * self.config.tick_ms;
        let Some(l) = self.learner.as_ref() else { return };
        out.set_timer(ZabTimer::Tick, self.config.tick_ms..=self.config.tick_ms);
        if self.phase == ZabPhase::Discovery {
            // The leader may not have been ready for us yet (`connectToLeader` retries);
            // initLimit bounds how long we keep trying.
            return out.send(l.leader, self.learner_info());
        }
        if self.phase != ZabPhase::Broadcast {
            return;
        }
        if self.now.ms() > l.last_heard.ms() + limit_ms {
            // Nothing from the leader for syncLimit ticks: it is gone, or we are cut off.
            return self.look_for_leader(out);
        }
        let leader = l.leader;
        self.resend_forwarded(leader, 4 * self.config.tick_ms, out);
    }
}
