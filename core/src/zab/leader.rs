//! The leader's side of discovery, synchronization and broadcast (`Leader.lead()` and
//! `LearnerHandler`).
//!
//! Discovery: once a quorum of voters has connected (FOLLOWERINFO), the new epoch is
//! one more than the highest epoch any of them accepted (LEADERINFO), and a quorum must
//! acknowledge it (ACKEPOCH). Synchronization: each learner gets DIFF, TRUNC+DIFF or
//! SNAP, then NEWLEADER; when a quorum has acknowledged NEWLEADER the leader delivers
//! its own history and is established (UPTODATE). Broadcast: each write becomes a
//! PROPOSAL with the next zxid, committed once a quorum of voters has ACKed it.

use super::event::ZabEvent;
use super::msg::{LogEntry, Origin, ServerState, SyncMode, WriteRequest, ZabMsg, ZabPhase, ZabTimer};
use super::{ZabBuggy, ZabNode};
use crate::node::Out;
use crate::types::{Epoch, NodeId, SessionId, Time, Zxid};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LearnerStage {
    /// FOLLOWERINFO received.
    Connected,
    /// ACKEPOCH received.
    Acked,
    /// Sync messages and NEWLEADER sent.
    Syncing,
    /// NEWLEADER acknowledged; UPTODATE sent once the leader is established.
    UpToDate,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnerHandler {
    pub observer: bool,
    pub accepted_epoch: Epoch,
    pub last_zxid: Zxid,
    /// The learner's delivery mark (from ACKEPOCH).
    pub delivered: Zxid,
    pub stage: LearnerStage,
    pub newleader_zxid: Zxid,
    pub last_heard: Time,
    pub attempt: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outstanding {
    pub entry: LogEntry,
    pub acks: BTreeSet<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lease {
    pub timeout_ms: u64,
    pub expires_at: Time,
    pub closing: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeaderState {
    pub new_epoch: Option<Epoch>,
    pub epoch_agreed: bool,
    pub established: bool,
    pub learners: BTreeMap<NodeId, LearnerHandler>,
    pub epoch_acks: BTreeSet<NodeId>,
    pub newleader_acks: BTreeSet<NodeId>,
    /// The leader's last zxid when synchronization began: its history to establish.
    pub history_zxid: Zxid,
    pub counter: u32,
    pub committed: Zxid,
    #[serde(serialize_with = "crate::types::as_pairs")]
    pub outstanding: BTreeMap<Zxid, Outstanding>,
    pub leases: BTreeMap<SessionId, Lease>,
    /// Writes that arrived before the leader was established.
    pub queued: Vec<(Origin, WriteRequest)>,
    /// SYNC requests waiting for a zxid to commit: (zxid, learner, origin).
    pub syncs: Vec<(Zxid, NodeId, Origin)>,
}

impl LeaderState {
    /// Learners synced with us and following our broadcast (`getSyncedFollowers`).
    pub fn synced_learners(&self) -> usize {
        self.learners.values().filter(|h| h.stage == LearnerStage::UpToDate).count()
    }

    /// `from` has logged every proposal up to `zxid`: logs are written in order, so one
    /// ACK (or PING) vouches for every earlier outstanding proposal too.
    fn logged_upto(&mut self, from: NodeId, zxid: Zxid) {
        self.outstanding.range_mut(..=zxid).for_each(|(_, o)| {
            o.acks.insert(from);
        });
    }
}

impl ZabNode {
    pub(super) fn lead(&mut self, out: &mut Out<Self>) {
        self.state = ServerState::Leading;
        self.leader = Some(self.id);
        self.lead = Some(LeaderState::default());
        self.enter_phase(ZabPhase::Discovery, out);
        out.emit(ZabEvent::State { state: ServerState::Leading, epoch: u64::from(self.current_epoch.0) });
        let init_ms = self.config.init_limit * self.config.tick_ms;
        out.set_timer(ZabTimer::InitLimit, init_ms..=init_ms);
        out.set_timer(ZabTimer::Tick, self.config.tick_ms..=self.config.tick_ms);
        self.try_new_epoch(out);
    }

    fn leading(&mut self) -> Option<&mut LeaderState> {
        self.lead.as_mut().filter(|_| self.state == ServerState::Leading)
    }

    pub(super) fn on_learner_info(
        &mut self,
        from: NodeId,
        (accepted_epoch, last_zxid, attempt): (Epoch, Zxid, u64),
        observer: bool,
        out: &mut Out<Self>,
    ) {
        let now = self.now;
        let Some(l) = self.leading() else { return self.learner_info_ignored(from, observer, out) };
        let retry = l.learners.get(&from).is_some_and(|h| h.attempt == attempt);
        if retry && l.learners[&from].stage != LearnerStage::Connected {
            return self.count_stale(); // a retry that crossed our LEADERINFO
        }
        if !retry {
            let stage = LearnerStage::Connected;
            let h = LearnerHandler {
                observer,
                accepted_epoch,
                last_zxid,
                delivered: Zxid::ZERO,
                stage,
                newleader_zxid: Zxid::ZERO,
                last_heard: now,
                attempt,
            };
            // A new registration replaces whatever we knew of this learner.
            l.learners.insert(from, h);
            l.epoch_acks.remove(&from);
        }
        match l.new_epoch {
            // This learner promised a newer epoch (to a leader that never got established)
            // and would refuse ours forever. ZooKeeper leaves it out until the next
            // election; we hold that election now, so every live server rejoins. Should
            // we lead again, we propose above its epoch, or it would send us back again.
            Some(new_epoch) if accepted_epoch > new_epoch => {
                self.epoch_seen = self.epoch_seen.max(accepted_epoch);
                self.look_for_leader(out)
            }
            Some(new_epoch) => out.send(from, ZabMsg::LeaderInfo { new_epoch }),
            None => self.try_new_epoch(out),
        }
    }

    /// With a quorum of voters connected, propose the new epoch: above every epoch a
    /// connected learner accepted, observers' too (`getEpochToPropose`), though only
    /// voters count toward the quorum, and above any a late learner showed us before.
    fn try_new_epoch(&mut self, out: &mut Out<Self>) {
        let (quorum, own) = (self.quorum(), self.accepted_epoch.max(self.epoch_seen));
        let Some(l) = self.lead.as_mut() else { return };
        let voters = l.learners.values().filter(|h| !h.observer).count();
        if l.new_epoch.is_some() || voters + 1 < quorum {
            return;
        }
        let max = l.learners.values().map(|h| h.accepted_epoch).max().unwrap_or(own).max(own);
        let new_epoch = Epoch(max.0 + 1);
        l.new_epoch = Some(new_epoch);
        l.epoch_acks.insert(self.id);
        let to: Vec<NodeId> = l.learners.keys().copied().collect();
        self.set_accepted_epoch(new_epoch, self.id, out);
        out.broadcast(&to, &ZabMsg::LeaderInfo { new_epoch });
        self.try_epoch_agreed(out);
    }

    /// ACKEPOCH (`waitForEpochAck`): count it toward the epoch's quorum, unless the
    /// learner had accepted this epoch from another leader.
    pub(super) fn on_ack_epoch(
        &mut self,
        from: NodeId,
        new_epoch: Epoch,
        (current_epoch, last_zxid, delivered): (Epoch, Zxid, Zxid),
        counted: bool,
        out: &mut Out<Self>,
    ) {
        let (my_epoch, my_zxid) = (self.current_epoch, self.last_zxid());
        let Some(l) = self.leading().filter(|l| l.new_epoch == Some(new_epoch)) else { return self.count_stale() };
        let Some(h) = l.learners.get_mut(&from).filter(|h| h.stage == LearnerStage::Connected) else {
            // Unknown, or past discovery already (a duplicate, or an answer to a retry).
            return self.count_stale();
        };
        if !h.observer && (current_epoch, last_zxid) > (my_epoch, my_zxid) {
            // A follower has seen more than we have: we must not lead (waitForEpochAck).
            return self.look_for_leader(out);
        }
        h.stage = LearnerStage::Acked;
        h.last_zxid = last_zxid;
        h.delivered = delivered;
        if !h.observer && counted {
            l.epoch_acks.insert(from);
        }
        if l.epoch_agreed {
            self.sync_learner(from, out);
        } else {
            self.try_epoch_agreed(out);
        }
    }

    fn try_epoch_agreed(&mut self, out: &mut Out<Self>) {
        let quorum = self.quorum();
        let last = self.last_zxid();
        let Some(l) = self.lead.as_mut() else { return };
        if l.epoch_agreed || l.epoch_acks.len() < quorum {
            return;
        }
        l.epoch_agreed = true;
        l.history_zxid = last;
        let epoch = l.new_epoch.expect("agreed on an epoch");
        let acked: Vec<NodeId> =
            l.learners.iter().filter(|(_, h)| h.stage == LearnerStage::Acked).map(|(n, _)| *n).collect();
        self.set_current_epoch(epoch, out);
        // Our own ACK of NEWLEADER: it arrives once the new epoch is durable here.
        out.send(self.id, ZabMsg::Ack { zxid: last });
        self.enter_phase(ZabPhase::Synchronization, out);
        for n in acked {
            self.sync_learner(n, out);
        }
    }

    /// Choose DIFF, TRUNC or SNAP for a learner whose last zxid is `peer`.
    #[cfg(test)]
    pub(super) fn choose_sync(&self, peer: Zxid) -> (SyncMode, Vec<ZabMsg>) {
        self.sync_plan(peer, Zxid::ZERO, self.last_zxid())
    }

    /// The same, for a learner that delivered up to `delivered`.
    #[cfg(test)]
    pub(super) fn choose_sync_delivered(&self, peer: Zxid, delivered: Zxid) -> (SyncMode, Vec<ZabMsg>) {
        self.sync_plan(peer, delivered, self.last_zxid())
    }

    /// The messages that make a learner's log ours up to `upto` (`syncFollower`), for a
    /// learner whose last zxid is `peer` and which delivered up to `delivered`.
    fn sync_plan(&self, peer: Zxid, delivered: Zxid, upto: Zxid) -> (SyncMode, Vec<ZabMsg>) {
        let base = self.diff_base();
        let diff = |after: Zxid| ZabMsg::Diff { after, proposals: self.entries_between(after, upto) };
        if peer <= upto && peer >= base && self.has_logged(peer) {
            return (SyncMode::Diff, vec![diff(peer)]);
        }
        if let Some(shared) = self.trunc_point(peer, delivered, upto).filter(|s| *s >= base) {
            return (SyncMode::Trunc, vec![ZabMsg::Trunc { zxid: shared }, diff(shared)]);
        }
        let snap = ZabMsg::Snap { zxid: self.delivered, tree: Box::new(self.tree.snapshot()) };
        (SyncMode::Snap, vec![snap, diff(self.delivered)])
    }

    /// The learner has proposals we never had: the last zxid of ours it surely holds.
    fn trunc_point(&self, peer: Zxid, delivered: Zxid, upto: Zxid) -> Option<Zxid> {
        let before = if peer > upto {
            Some(upto)
        } else {
            let logged = self.log[..self.index_after(peer)].iter().rev().map(|e| e.zxid).find(|z| *z < peer);
            logged.or(Some(self.snap_zxid).filter(|s| *s < peer))
        };
        // Within one epoch a log is one leader's contiguous history, so the learner holds
        // our last zxid before its own too; across an epoch boundary it may not
        // (ZooKeeper refuses such a TRUNC).
        let same_epoch = before.filter(|s| *s == Zxid::ZERO || s.epoch() == peer.epoch());
        // What it delivered was committed, so it is in our history as well.
        let committed = Some(delivered).filter(|d| *d <= upto && self.has_logged(*d));
        same_epoch.max(committed)
    }

    /// Synchronize learner `n`: a follower gets our whole log (outstanding proposals
    /// too, which it must log and ACK), an observer only what is committed, since it
    /// never sees PROPOSALs and learns of later commits by INFORM.
    fn sync_learner(&mut self, n: NodeId, out: &mut Out<Self>) {
        let last = self.last_zxid();
        let Some(l) = self.lead.as_ref() else { return };
        let (Some(h), Some(epoch)) = (l.learners.get(&n), l.new_epoch) else { return };
        let upto = if h.observer && l.established { l.committed } else { last };
        let peer = h.last_zxid;
        let (mode, msgs) = self.sync_plan(peer, h.delivered, upto);
        out.emit(ZabEvent::Sync { learner: n, mode, zxid: peer });
        for m in msgs {
            out.send(n, m);
        }
        out.send(n, ZabMsg::NewLeader { epoch, zxid: upto });
        let h = self.lead.as_mut().and_then(|l| l.learners.get_mut(&n)).expect("present");
        h.stage = LearnerStage::Syncing;
        h.newleader_zxid = upto;
    }

    pub(super) fn on_ack(&mut self, from: NodeId, zxid: Zxid, out: &mut Out<Self>) {
        if from == self.id {
            return self.on_own_ack(zxid, out);
        }
        let now = self.now;
        let Some(l) = self.leading() else { return self.count_stale() };
        let Some(h) = l.learners.get_mut(&from) else { return self.count_stale() };
        h.last_heard = now;
        let voter = !h.observer;
        if h.stage == LearnerStage::Syncing && zxid == h.newleader_zxid {
            h.stage = LearnerStage::UpToDate;
            if voter {
                l.newleader_acks.insert(from);
                // Having logged our history up to `zxid`, it has logged these too.
                l.logged_upto(from, zxid);
            }
            if l.established {
                let committed = l.committed;
                out.send(from, ZabMsg::UpToDate { committed });
                self.try_commit(out);
            } else {
                self.try_establish(out);
            }
            return;
        }
        if !voter || h.stage != LearnerStage::UpToDate || !l.outstanding.contains_key(&zxid) {
            return self.count_stale();
        }
        // Proposals are logged in order over a FIFO channel: an ACK for `zxid` vouches
        // for every earlier one too, so one lost ACK does not hold up the commits.
        l.logged_upto(from, zxid);
        self.try_commit(out);
    }

    /// Our own disk has what we logged up to `zxid` (ZooKeeper's leader acknowledges
    /// itself from its sync processor the same way): our history once the new epoch is
    /// durable, then each proposal once it is.
    fn on_own_ack(&mut self, zxid: Zxid, out: &mut Out<Self>) {
        let id = self.id;
        let Some(l) = self.leading() else { return self.count_stale() };
        if !l.established && l.epoch_agreed && zxid == l.history_zxid {
            l.newleader_acks.insert(id);
            return self.try_establish(out);
        }
        l.logged_upto(id, zxid);
        self.try_commit(out);
    }

    /// A quorum acknowledged NEWLEADER: deliver our history, then serve.
    fn try_establish(&mut self, out: &mut Out<Self>) {
        let quorum = self.quorum();
        let Some(l) = self.lead.as_mut() else { return };
        if l.established || !l.epoch_agreed || l.newleader_acks.len() < quorum {
            return;
        }
        l.established = true;
        let (history, epoch) = (l.history_zxid, l.new_epoch.expect("agreed"));
        // Primary integrity: everything of earlier epochs is delivered before we propose.
        self.deliver_upto(history, out);
        let l = self.lead.as_mut().expect("leading");
        l.committed = history;
        out.emit(ZabEvent::LeaderEstablished { epoch });
        let ready: Vec<NodeId> =
            l.learners.iter().filter(|(_, h)| h.stage == LearnerStage::UpToDate).map(|(n, _)| *n).collect();
        out.broadcast(&ready, &ZabMsg::UpToDate { committed: history });
        out.cancel_timer(ZabTimer::InitLimit);
        self.enter_phase(ZabPhase::Broadcast, out);
        self.renew_all_leases();
        for (origin, write) in std::mem::take(&mut self.lead.as_mut().expect("leading").queued) {
            self.propose_write(origin, write, out);
        }
        self.try_commit(out);
    }

    /// Send the PROPOSAL first and log it in parallel with the followers: a write costs
    /// one fsync and a round trip, not two fsyncs in series. Our own ACK counts only
    /// once our write is durable, like anyone else's.
    pub(super) fn propose_entry(&mut self, entry: LogEntry, out: &mut Out<Self>) {
        let zxid = entry.zxid;
        let l = self.lead.as_mut().expect("leading");
        l.outstanding.insert(zxid, Outstanding { entry: entry.clone(), acks: BTreeSet::new() });
        let to = l
            .learners
            .iter()
            .filter(|(_, h)| !h.observer && matches!(h.stage, LearnerStage::Syncing | LearnerStage::UpToDate));
        // Broadcast happens here, whether or not our own write survives a crash.
        out.emit_ahead(ZabEvent::Proposed { zxid, txn: entry.txn.clone() });
        for (n, _) in to {
            out.send_ahead(*n, ZabMsg::Proposal { entry: entry.clone() });
        }
        self.append(entry, out);
        out.send(self.id, ZabMsg::Ack { zxid });
    }

    /// Commit, in zxid order, every outstanding proposal a quorum of voters has ACKed.
    fn try_commit(&mut self, out: &mut Out<Self>) {
        let quorum = if self.config.buggy == ZabBuggy::CommitWithoutQuorum { 1 } else { self.quorum() };
        loop {
            let Some(l) = self.lead.as_mut().filter(|l| l.established) else { return };
            let Some((&zxid, o)) = l.outstanding.iter().next() else { return };
            if o.acks.len() < quorum {
                return;
            }
            let entry = l.outstanding.remove(&zxid).expect("first").entry;
            l.committed = zxid;
            out.emit(ZabEvent::Committed { zxid, inform: !self.config.observer_ids.is_empty() });
            // Followers being synchronized learn of it from UPTODATE; observers being
            // synchronized got only what was committed before, so they get INFORM now.
            let up: Vec<(NodeId, bool)> = l
                .learners
                .iter()
                .filter(|(_, h)| h.stage == LearnerStage::UpToDate || (h.observer && h.stage == LearnerStage::Syncing))
                .map(|(n, h)| (*n, h.observer))
                .collect();
            for (n, observer) in up {
                let msg = if observer { ZabMsg::Inform { entry: entry.clone() } } else { ZabMsg::Commit { zxid } };
                out.send(n, msg);
            }
            self.deliver_upto(zxid, out);
            self.answer_syncs(out);
        }
    }

    /// SYNC from a learner, or from one of our own clients (`from` is us): answered
    /// once what we proposed so far is committed. Our own clients are answered
    /// directly; a SYNC message only ever travels between a learner and its leader.
    pub(super) fn on_learner_sync(&mut self, from: NodeId, origin: Origin, out: &mut Out<Self>) {
        let id = self.id;
        let Some(l) = self.leading() else { return self.count_stale() };
        match l.outstanding.keys().next_back() {
            Some(&last) => l.syncs.push((last, from, origin)),
            None if from == id => self.finish_sync(origin, out),
            None => out.send(from, ZabMsg::Sync { origin }),
        }
    }

    /// SYNC answers go out once what was proposed before them is committed.
    fn answer_syncs(&mut self, out: &mut Out<Self>) {
        let id = self.id;
        let Some(l) = self.lead.as_mut() else { return };
        let committed = l.committed;
        let (ready, waiting): (Vec<_>, Vec<_>) = l.syncs.drain(..).partition(|(z, _, _)| *z <= committed);
        l.syncs = waiting;
        for (_, n, origin) in ready {
            if n == id {
                self.finish_sync(origin, out);
            } else {
                out.send(n, ZabMsg::Sync { origin });
            }
        }
    }

    pub(super) fn leader_tick(&mut self, out: &mut Out<Self>) {
        let (now, quorum, limit_ms) = (self.now, self.quorum(), self.config.sync_limit * self.config.tick_ms);
        let Some(l) = self.leading() else { return };
        let synced: Vec<NodeId> = l
            .learners
            .iter()
            .filter(|(_, h)| matches!(h.stage, LearnerStage::Syncing | LearnerStage::UpToDate))
            .map(|(n, _)| *n)
            .collect();
        out.broadcast(&synced, &ZabMsg::Ping { sessions: Vec::new(), zxid: Some(l.committed) });
        let alive = l
            .learners
            .values()
            .filter(|h| !h.observer && h.stage == LearnerStage::UpToDate && now.ms() <= h.last_heard.ms() + limit_ms)
            .count();
        if l.established && alive + 1 < quorum {
            // Without a synced quorum we could commit nothing: step down.
            return self.look_for_leader(out);
        }
        self.expire_sessions(out);
        out.set_timer(ZabTimer::Tick, self.config.tick_ms..=self.config.tick_ms);
    }

    /// A learner's PING: it is alive, its clients' sessions are, and it has logged
    /// everything up to `logged` (a cumulative ACK, in case its last ACK was lost).
    pub(super) fn on_learner_ping(
        &mut self,
        from: NodeId,
        sessions: Vec<SessionId>,
        logged: Option<Zxid>,
        out: &mut Out<Self>,
    ) {
        let now = self.now;
        let Some(l) = self.leading() else { return self.count_stale() };
        for s in sessions {
            if let Some(lease) = l.leases.get_mut(&s) {
                lease.expires_at = now.plus_ms(lease.timeout_ms);
            }
        }
        let Some(h) = l.learners.get_mut(&from) else { return };
        h.last_heard = now;
        let Some(zxid) = logged.filter(|_| !h.observer && h.stage == LearnerStage::UpToDate) else { return };
        l.logged_upto(from, zxid);
        // Proposals it has not logged were lost on the way (or are still travelling, and
        // it will ignore the copies): send them again.
        for o in l.outstanding.range(Zxid(zxid.0 + 1)..).map(|(_, o)| o) {
            out.send(from, ZabMsg::Proposal { entry: o.entry.clone() });
        }
        self.try_commit(out);
    }
}
