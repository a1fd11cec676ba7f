//! The proposer (提案者): two phases per ballot.
//!
//! Phase 1: pick a ballot above every round seen, send `Prepare` to the acceptors and
//! wait for a majority of promises. Phase 2: propose the value of the highest-ballot
//! acceptance reported in those promises (rule P2c), or its own value if none was
//! reported, and wait for a majority of `Accepted`. A `Nack` means a higher ballot
//! pre-empted it: it waits (the `fix` decides how long) and starts again. Two
//! proposers that keep pre-empting each other this way are the Paxos livelock.

use super::durable::Saved;
use super::event::Ignored;
use super::msg::{AcceptedValue, PaxosDurable, PaxosMsg, PaxosTimer};
use super::PaxosEvent;
use super::{Buggy, Fix, PaxosNode};
use crate::node::Out;
use crate::types::{majority, Ballot, Instance, NodeId, Value};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProposerPhase {
    #[default]
    Idle,
    Preparing,
    Accepting,
    /// Pre-empted; the retry timer is running.
    Waiting,
    Done,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposer {
    /// The value this proposer was asked to get chosen.
    pub value: Option<Value>,
    pub ballot: Ballot,
    /// Highest round seen anywhere: the next ballot goes above it.
    pub max_round: u64,
    pub phase: ProposerPhase,
    pub promises: BTreeMap<NodeId, Option<AcceptedValue>>,
    /// The value sent in phase 2 (its own or an adopted one).
    pub proposing: Option<Value>,
    pub accepted_by: BTreeSet<NodeId>,
    /// Ballots tried for the current value.
    pub attempt: u32,
    /// Pre-emptions in a row without a value chosen: the livelock counter.
    pub streak: u32,
}

impl Proposer {
    /// Rebuild from what the records say: only the highest round used survives.
    pub fn restored(saved: &Saved) -> Proposer {
        Proposer { max_round: saved.round, ..Proposer::default() }
    }

    pub fn is_active(&self) -> bool {
        matches!(self.phase, ProposerPhase::Preparing | ProposerPhase::Accepting)
    }
}

impl PaxosNode {
    /// Take a value to propose (from a client or a forwarding proposer).
    pub(super) fn propose(&mut self, value: Value, out: &mut Out<Self>) {
        let Some(p) = self.proposer.as_mut() else { return };
        if p.value.is_none() {
            p.value = Some(value);
        }
        if p.phase == ProposerPhase::Idle {
            self.start_prepare(out);
        }
    }

    /// Phase 1a with a fresh ballot.
    pub(super) fn start_prepare(&mut self, out: &mut Out<Self>) {
        let id = self.id;
        let progress_ms = self.config.settings.progress_ms;
        let Some(p) = self.proposer.as_mut() else { return };
        if self.chosen.is_some() || p.value.is_none() {
            return;
        }
        p.attempt += 1;
        p.max_round += 1;
        p.ballot = Ballot::new(p.max_round, id);
        p.phase = ProposerPhase::Preparing;
        p.promises.clear();
        p.accepted_by.clear();
        p.proposing = None;
        let ballot = p.ballot;
        self.journal.write(PaxosDurable::Round { round: ballot.round }, out);
        out.emit(PaxosEvent::Preparing { instance: Instance(0), ballot, attempt: p.attempt });
        out.set_timer(PaxosTimer::Progress, progress_ms[0]..=progress_ms[1]);
        out.broadcast(&self.config.acceptors, &PaxosMsg::Prepare { ballot });
    }

    pub(super) fn on_promise(
        &mut self,
        from: NodeId,
        ballot: Ballot,
        accepted: Option<AcceptedValue>,
        out: &mut Out<Self>,
    ) {
        let quorum = majority(self.config.acceptors.len());
        let buggy = self.config.settings.buggy;
        let of = self.config.acceptors.len() as u32;
        let decided = self.chosen.is_some();
        let Some(p) = self.proposer.as_mut() else { return self.count_stale() };
        if p.phase != ProposerPhase::Preparing || ballot != p.ballot {
            // Said aloud, so a learner sees why this Promise changes nothing.
            let reason = match p.phase {
                _ if decided || p.phase == ProposerPhase::Done => Ignored::Decided,
                ProposerPhase::Accepting if ballot == p.ballot => Ignored::HasMajority,
                _ => Ignored::OldBallot,
            };
            out.emit(PaxosEvent::PromiseIgnored { instance: Instance(0), from, ballot, reason });
            return self.count_stale();
        }
        p.promises.insert(from, accepted);
        if p.promises.len() < quorum {
            return;
        }
        // Rule P2c: the value accepted at the highest ballot among the promises, if any.
        let highest = p.promises.values().flatten().max_by_key(|a| a.ballot).cloned();
        let own = p.value.clone().expect("a preparing proposer has a value");
        let (value, from_ballot) = match highest {
            Some(a) if buggy != Buggy::NoValueAdoption => (a.value, Some(a.ballot)),
            _ => (own, None),
        };
        debug_assert!(p.promises.len() >= quorum && ballot.node == self.id);
        p.phase = ProposerPhase::Accepting;
        p.proposing = Some(value.clone());
        let promises = p.promises.len() as u32;
        let proposing = PaxosEvent::Proposing {
            instance: Instance(0),
            ballot,
            value: value.clone(),
            from: from_ballot,
            promises,
            of,
        };
        out.emit(proposing);
        out.broadcast(&self.config.acceptors, &PaxosMsg::Accept { ballot, value });
    }

    /// The proposer's own count of phase 2b answers.
    pub(super) fn on_accepted_as_proposer(&mut self, from: NodeId, ballot: Ballot, value: &Value, out: &mut Out<Self>) {
        let quorum = majority(self.config.acceptors.len());
        let Some(p) = self.proposer.as_mut() else { return };
        if p.phase != ProposerPhase::Accepting || ballot != p.ballot {
            return;
        }
        p.accepted_by.insert(from);
        if p.accepted_by.len() >= quorum {
            p.phase = ProposerPhase::Done;
            p.streak = 0;
            self.know_chosen(value.clone(), out);
        }
    }

    pub(super) fn on_nack(&mut self, ballot: Ballot, promised: Ballot, out: &mut Out<Self>) {
        let current = self.proposer.as_ref().is_some_and(|p| p.is_active() && p.ballot == ballot);
        if current {
            self.preempted(promised, out);
        } else {
            self.count_stale();
        }
    }

    /// Any ballot seen by this node; a higher one from another proposer pre-empts ours.
    pub(super) fn observe_ballot(&mut self, b: Ballot, out: &mut Out<Self>) {
        let id = self.id;
        let Some(p) = self.proposer.as_mut() else { return };
        p.max_round = p.max_round.max(b.round);
        // Our own acceptor just promised someone else a higher ballot: this ballot
        // cannot win any more, and we know it without waiting for a Nack.
        if p.is_active() && b > p.ballot && b.node != id {
            self.preempted(b, out);
        }
    }

    fn preempted(&mut self, by: Ballot, out: &mut Out<Self>) {
        let (fix, retry_ms) = (self.config.settings.fix, self.config.settings.retry_ms);
        let (backoff_ms, backoff_max_ms) = (self.config.settings.backoff_ms, self.config.settings.backoff_max_ms);
        let Some(p) = self.proposer.as_mut() else { return };
        p.max_round = p.max_round.max(by.round);
        p.streak += 1;
        p.phase = ProposerPhase::Waiting;
        out.emit(PaxosEvent::Preempted { instance: Instance(0), ballot: p.ballot, by, streak: p.streak });
        out.cancel_timer(PaxosTimer::Progress);
        let wait_ms = match fix {
            // Randomized exponential back-off: the wait range doubles with each
            // pre-emption in a row, so two duelling proposers soon drift apart.
            Fix::RandomizedBackoff => {
                let cap_ms = backoff_ms.saturating_mul(1 << p.streak.min(16)).min(backoff_max_ms);
                retry_ms[0]..=retry_ms[1].max(cap_ms)
            }
            Fix::None | Fix::DistinguishedProposer => retry_ms[0]..=retry_ms[1],
        };
        out.set_timer(PaxosTimer::Retry, wait_ms);
    }
}
