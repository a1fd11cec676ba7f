//! Fast Leader Election (`FastLeaderElection.lookForLeader`), recovery mode's first step.
//!
//! A LOOKING server increments its round (logical clock), votes for itself with its
//! last zxid and epoch, and tells everyone. Votes are compared by epoch, then zxid,
//! then server id: whoever has seen the most recent history should lead. A better vote
//! is adopted and passed on; a higher round resets what was counted; a lower round is
//! answered with our vote. When a quorum agrees with our vote we wait `finalizeWait`
//! for anything better, then decide. Servers that already follow or lead answer a
//! LOOKING server with their vote, so a late joiner learns who leads.

use super::event::ZabEvent;
use super::msg::{ServerState, Vote, ZabMsg, ZabPhase, ZabTimer};
use super::ZabNode;
use crate::node::Out;
use crate::types::{majority, NodeId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Election {
    /// The logical clock (ZooKeeper's `logicalclock`, sent as `electionEpoch`).
    pub round: u64,
    pub vote: Option<Vote>,
    /// Votes of this round, by voter (`recvset`).
    pub received: BTreeMap<NodeId, Vote>,
    /// Votes of servers already FOLLOWING or LEADING (`outofelection`).
    pub out_of_election: BTreeMap<NodeId, Vote>,
    /// Servers that told us they are LEADING (`checkLeader`).
    pub leading: BTreeSet<NodeId>,
    pub notification_ms: u64,
    /// A quorum agreed and the finalize wait is running.
    pub finalizing: bool,
    /// Servers whose last notification said LOOKING: told of our decision when we
    /// make it, since a LOOKING observer, or a voter whose notifications we have
    /// answered already, would otherwise hear of it only after its next timeout.
    #[serde(default)]
    pub heard_looking: BTreeSet<NodeId>,
    /// Servers asked again, this round, because someone already decided (see
    /// `ask_the_rest`).
    #[serde(default)]
    pub asked: BTreeSet<NodeId>,
}

impl ZabNode {
    /// Our own candidacy: last logged zxid and current epoch.
    fn own_vote(&self) -> Vote {
        Vote { leader: self.id, zxid: self.last_zxid(), peer_epoch: self.current_epoch }
    }

    fn is_voter(&self, n: NodeId) -> bool {
        self.config.voters.contains(&n)
    }

    /// Enter LOOKING: a new round, a vote for ourselves, notifications to everyone.
    pub(super) fn look_for_leader(&mut self, out: &mut Out<Self>) {
        self.leave_role(out);
        self.state = ServerState::Looking;
        self.phase = ZabPhase::Election;
        self.leader = None;
        let own = self.own_vote();
        let voter = self.is_voter(self.id);
        let e = &mut self.election;
        e.round += 1;
        e.vote = Some(own);
        e.received.clear();
        e.out_of_election.clear();
        e.leading.clear();
        e.heard_looking.clear();
        e.asked.clear();
        e.finalizing = false;
        e.notification_ms = self.config.min_notification_ms;
        if voter {
            e.received.insert(self.id, own);
        }
        out.emit(ZabEvent::State { state: ServerState::Looking, epoch: u64::from(self.current_epoch.0) });
        self.emit_vote(None, out);
        self.send_notifications(out);
        out.cancel_timer(ZabTimer::FinalizeWait);
        let ms = self.election.notification_ms;
        out.set_timer(ZabTimer::NotificationTimeout, ms..=ms);
        if voter && self.quorum() == 1 {
            // A one-server ensemble: its own vote is a quorum already, and no
            // notification will ever come back to count it.
            self.election.finalizing = true;
            let ms = self.config.finalize_wait_ms;
            out.set_timer(ZabTimer::FinalizeWait, ms..=ms);
        }
    }

    /// Our vote, and the one it `beats` when a comparison made it ours.
    fn emit_vote(&self, beats: Option<Vote>, out: &mut Out<Self>) {
        if let Some(v) = self.election.vote {
            out.emit(ZabEvent::Vote { vote: v.into(), round: self.election.round, beats: beats.map(Into::into) });
        }
    }

    fn notification(&self) -> ZabMsg {
        // A follower or leader reports the vote it decided on; an observer, which has no
        // vote of its own to offer, reports its current belief too.
        let v = self.election.vote.unwrap_or_else(|| self.own_vote());
        ZabMsg::Notification {
            leader: v.leader,
            zxid: v.zxid,
            round: self.election.round,
            state: self.state,
            peer_epoch: v.peer_epoch,
        }
    }

    fn send_notifications(&mut self, out: &mut Out<Self>) {
        let msg = self.notification();
        let others: Vec<NodeId> = self.config.all().filter(|n| *n != self.id).collect();
        out.broadcast(&others, &msg);
    }

    pub(super) fn on_notification(
        &mut self,
        from: NodeId,
        vote: Vote,
        round: u64,
        state: ServerState,
        out: &mut Out<Self>,
    ) {
        if self.abandoned_by(from, round, state) {
            // A voter that backed us looks again: it gave up on us, and without it we
            // may never be established. Look again too, at once, rather than waiting
            // out initLimit (ZooKeeper's leader bounds this wait by maxTimeToWaitForEpoch).
            self.look_for_leader(out);
            return self.on_notification(from, vote, round, state, out);
        }
        if state == ServerState::Looking {
            self.election.heard_looking.insert(from);
        } else {
            self.election.heard_looking.remove(&from);
        }
        if self.state != ServerState::Looking {
            // We know the leader: tell a LOOKING server (a restarted or new one).
            if state == ServerState::Looking {
                out.send(from, self.notification());
            }
            return;
        }
        // ZooKeeper resends its notifications only after a timeout with none received.
        // An observer learns nothing from LOOKING servers, so for it they are silence.
        let useful = self.is_voter(self.id) || matches!(state, ServerState::Following | ServerState::Leading);
        if useful && self.is_voter(from) {
            let ms = self.election.notification_ms;
            out.set_timer(ZabTimer::NotificationTimeout, ms..=ms);
        }
        match state {
            ServerState::Looking if self.is_voter(from) && self.is_voter(self.id) => {
                self.on_looking_vote(from, vote, round, out)
            }
            ServerState::Looking => {
                if round < self.election.round {
                    out.send(from, self.notification());
                }
                self.count_stale();
            }
            ServerState::Following | ServerState::Leading => self.on_decided_vote(from, vote, round, state, out),
            ServerState::Observing => self.count_stale(),
        }
    }

    /// Whether `from`, a voter whose vote made us lead, is LOOKING in a newer round
    /// while we are still not established.
    fn abandoned_by(&self, from: NodeId, round: u64, state: ServerState) -> bool {
        let waiting = self.state == ServerState::Leading && self.lead.as_ref().is_some_and(|l| !l.established);
        let backed = self.election.received.get(&from).is_some_and(|v| v.leader == self.id);
        waiting && state == ServerState::Looking && self.is_voter(from) && backed && round > self.election.round
    }

    fn on_looking_vote(&mut self, from: NodeId, vote: Vote, round: u64, out: &mut Out<Self>) {
        let own = self.own_vote();
        let current = self.election.vote.unwrap_or(own);
        if round > self.election.round {
            // A newer round: forget what we counted, vote afresh.
            self.election.round = round;
            self.election.received.clear();
            let (best, other) = if vote.beats(&own) { (vote, own) } else { (own, vote) };
            self.change_vote(best, Some(other).filter(|o| best.beats(o)), out);
        } else if round < self.election.round {
            out.send(from, self.notification());
            return;
        } else if vote.beats(&current) {
            self.change_vote(vote, Some(current), out);
        } else {
            // Said aloud: a vote that is not better changes nothing but the count.
            let (theirs, kept) = (vote.into(), current.into());
            out.emit(ZabEvent::VoteKept { from, theirs, vote: kept, round });
            if current.beats(&vote) {
                // The sender has not seen our better vote (it was lost, or sent before a
                // partition healed): tell it. ZooKeeper's connection layer resends the
                // last notification on reconnecting; this does the same on lossy links.
                out.send(from, self.notification());
            }
        }
        self.election.received.insert(from, vote);
        let mine = self.election.vote.expect("voting");
        self.election.received.insert(self.id, mine);
        if !self.election.finalizing && self.agreeing(&self.election.received, &mine) >= self.quorum() {
            self.election.finalizing = true;
            let ms = self.config.finalize_wait_ms;
            out.set_timer(ZabTimer::FinalizeWait, ms..=ms);
        }
    }

    fn change_vote(&mut self, vote: Vote, beats: Option<Vote>, out: &mut Out<Self>) {
        self.election.vote = Some(vote);
        // Something better came in: the finalize wait starts over once a quorum agrees.
        self.election.finalizing = false;
        out.cancel_timer(ZabTimer::FinalizeWait);
        self.emit_vote(beats, out);
        self.send_notifications(out);
    }

    fn on_decided_vote(&mut self, from: NodeId, vote: Vote, round: u64, state: ServerState, out: &mut Out<Self>) {
        if state == ServerState::Leading && vote.leader == from {
            self.election.leading.insert(from);
        }
        if !self.is_voter(from) {
            return self.count_stale();
        }
        if round == self.election.round {
            self.election.received.insert(from, vote);
            if self.agreeing(&self.election.received, &vote) >= self.quorum() && self.check_leader(&vote, round) {
                return self.decide(vote, out);
            }
        }
        // Servers that decided in different rounds may report different zxids or
        // epochs for the same leader: like ZooKeeper's `Vote.equals` outside LOOKING,
        // only who leads has to agree.
        self.election.out_of_election.insert(from, vote);
        let backing =
            self.election.out_of_election.iter().filter(|(n, v)| self.is_voter(**n) && v.leader == vote.leader).count();
        if backing >= self.quorum() && self.check_leader(&vote, round) {
            self.election.round = self.election.round.max(round);
            return self.decide(vote, out);
        }
        self.ask_the_rest(out);
    }

    /// Someone has decided, but we do not yet know enough to follow: our first
    /// notifications may have been lost (say, before a partition healed), and decided
    /// servers answer a LOOKING one at once. Ask each voter we have no decided vote
    /// from, once a round, rather than wait out a long notification timeout.
    fn ask_the_rest(&mut self, out: &mut Out<Self>) {
        let e = &self.election;
        let rest: Vec<NodeId> = (self.config.voters.iter().copied())
            .filter(|n| *n != self.id && !e.out_of_election.contains_key(n) && !e.asked.contains(n))
            .collect();
        self.election.asked.extend(rest.iter().copied());
        out.broadcast(&rest, &self.notification());
    }

    /// `checkLeader` (ZOOKEEPER-1732): follow a leader only if it says it leads; lead
    /// only on votes of our own round (followers of an earlier reign of ours do not
    /// count: we are not leading now).
    fn check_leader(&self, vote: &Vote, round: u64) -> bool {
        if vote.leader == self.id {
            round == self.election.round
        } else {
            self.election.leading.contains(&vote.leader)
        }
    }

    fn agreeing(&self, votes: &BTreeMap<NodeId, Vote>, vote: &Vote) -> usize {
        votes.iter().filter(|(n, v)| self.is_voter(**n) && *v == vote).count()
    }

    pub(super) fn quorum(&self) -> usize {
        majority(self.config.voters.len())
    }

    pub(super) fn on_finalize_wait(&mut self, out: &mut Out<Self>) {
        let Some(vote) = self.election.vote.filter(|_| self.state == ServerState::Looking) else { return };
        self.election.finalizing = false;
        if self.agreeing(&self.election.received, &vote) >= self.quorum() {
            self.decide(vote, out);
        }
    }

    pub(super) fn on_notification_timeout(&mut self, out: &mut Out<Self>) {
        if self.state != ServerState::Looking {
            return;
        }
        // No notification for a whole timeout (each one re-arms it): ask again, waiting
        // twice as long each time (capped).
        self.send_notifications(out);
        // An observer only asks who leads, and decided servers answer at once: it keeps
        // asking often, so it rejoins soon after a partition heals.
        let max_ms =
            if self.is_voter(self.id) { self.config.max_notification_ms } else { 2 * self.config.min_notification_ms };
        let e = &mut self.election;
        e.notification_ms = (e.notification_ms * 2).min(max_ms);
        let ms = e.notification_ms;
        out.set_timer(ZabTimer::NotificationTimeout, ms..=ms);
    }

    fn decide(&mut self, vote: Vote, out: &mut Out<Self>) {
        self.emit_elected(&vote, out);
        self.election.vote = Some(vote);
        out.cancel_timer(ZabTimer::NotificationTimeout);
        out.cancel_timer(ZabTimer::FinalizeWait);
        if vote.leader == self.id {
            self.lead(out);
        } else {
            self.follow(vote.leader, self.now, out);
        }
        let looking: Vec<NodeId> = std::mem::take(&mut self.election.heard_looking).into_iter().collect();
        out.broadcast(&looking, &self.notification());
    }
}

impl ZabNode {
    /// Which voters back `vote`'s leader, said as the election ends: those of this round
    /// that agree with it exactly, and those already out of the election that follow or
    /// lead it (only who leads has to agree for them).
    fn emit_elected(&self, vote: &Vote, out: &mut Out<Self>) {
        let e = &self.election;
        let same_round = e.received.iter().filter(|(_, v)| *v == vote).map(|(n, _)| *n);
        let decided = e.out_of_election.iter().filter(|(_, v)| v.leader == vote.leader).map(|(n, _)| *n);
        let voters: BTreeSet<NodeId> = same_round.chain(decided).filter(|n| self.is_voter(*n)).collect();
        let of = self.config.voters.len() as u32;
        out.emit(ZabEvent::Elected { leader: vote.leader, voters: voters.into_iter().collect(), of });
    }
}

/// The trace form of a vote (`{"leader","zxid","peer_epoch"}`).
impl From<Vote> for super::VoteView {
    fn from(v: Vote) -> Self {
        super::VoteView { leader: v.leader, zxid: v.zxid, peer_epoch: v.peer_epoch }
    }
}
