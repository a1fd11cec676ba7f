//! Becoming and being the leader.
//!
//! A node that hears no heartbeat runs phase 1 once, for every slot from its first
//! unchosen one. With a majority of promises it re-proposes, slot by slot, the value
//! accepted at the highest ballot, fills slots where nothing was accepted with no-ops,
//! and from then on runs only phase 2 for new commands. A `Nack` or a higher ballot
//! heard anywhere makes it step down.

use super::event::{MultiPaxosEvent, MultiPaxosState};
use super::msg::{Entry, MultiPaxosDurable, MultiPaxosMsg, MultiPaxosTimer, SlotValue};
use super::{MultiPaxosNode, Proposal, Role};
use crate::node::Out;
use crate::paxos::PaxosEvent;
use crate::types::{majority, Ballot, Instance, NodeId};
use std::collections::BTreeMap;

impl MultiPaxosNode {
    pub(super) fn start_phase1(&mut self, out: &mut Out<Self>) {
        self.max_round += 1;
        debug_assert!(self.max_round > self.ballot.round, "node {}: a proposer's round only grows", self.id);
        self.ballot = Ballot::new(self.max_round, self.id);
        self.role = Role::Candidate;
        self.leader = None;
        self.promises.clear();
        self.attempts += 1;
        let (ballot, from_slot) = (self.ballot, self.first_unchosen());
        self.saved_round = ballot.round;
        self.write(MultiPaxosDurable::Round { round: ballot.round }, out);
        out.emit(MultiPaxosEvent::State { state: MultiPaxosState::Candidate, round: Some(ballot.round) });
        out.emit(PaxosEvent::Preparing { instance: from_slot, ballot, attempt: self.attempts });
        out.broadcast(&self.config.nodes, &MultiPaxosMsg::Prepare { ballot, from_slot });
        self.arm_leader_timeout(out);
        out.set_timer(MultiPaxosTimer::Resend, self.config.resend_ms..=self.config.resend_ms);
    }

    pub(super) fn on_promise(&mut self, from: NodeId, ballot: Ballot, accepted: Vec<SlotValue>, out: &mut Out<Self>) {
        if self.role != Role::Candidate || ballot != self.ballot {
            return self.count_stale();
        }
        self.promises.insert(from, accepted);
        if self.promises.len() >= majority(self.config.nodes.len()) {
            self.become_leader(out);
        }
    }

    fn become_leader(&mut self, out: &mut Out<Self>) {
        self.role = Role::Leader;
        self.leader = Some(self.id);
        self.attempts = 0;
        let ballot = self.ballot;
        out.emit(MultiPaxosEvent::State { state: MultiPaxosState::Leading, round: Some(ballot.round) });
        out.cancel_timer(MultiPaxosTimer::LeaderTimeout);
        // Per slot, the acceptance with the highest ballot among the promises.
        let mut highest: BTreeMap<Instance, (Ballot, Entry)> = BTreeMap::new();
        for sv in std::mem::take(&mut self.promises).into_values().flatten() {
            let better = highest.get(&sv.slot).is_none_or(|(b, _)| sv.ballot > *b);
            if better {
                highest.insert(sv.slot, (sv.ballot, sv.entry));
            }
        }
        let from = self.first_unchosen();
        let last = highest.keys().next_back().copied().max(self.chosen.keys().next_back().copied());
        self.next_slot = last.map(|s| s.next()).unwrap_or(from).max(from);
        debug_assert!(self.next_slot >= self.first_unchosen(), "a leader never proposes below what it knows is chosen");
        self.proposals.clear();
        for s in from.0..self.next_slot.0 {
            let slot = Instance(s);
            if self.chosen.contains_key(&slot) {
                continue;
            }
            let (entry, adopted) = match highest.remove(&slot) {
                Some((b, e)) => (e, Some(b)),
                None => (Entry::noop(), None),
            };
            out.emit(PaxosEvent::Proposing {
                instance: slot,
                ballot,
                value: entry.value.clone(),
                from: adopted,
                promises: 0,
                of: 0,
            });
            self.send_accept(slot, entry, out);
        }
        // Our own clients' commands that went to the old leader may be lost with it.
        for entry in self.unapplied_commands() {
            self.propose(entry, out);
        }
        self.send_heartbeat(out);
    }

    /// Phase 2 only: the leader's steady state.
    pub(super) fn propose(&mut self, entry: Entry, out: &mut Out<Self>) {
        let known = |e: &Entry| e.origin.is_some() && e.origin == entry.origin;
        if entry.origin.is_some_and(|o| self.applied_origins.contains(&o))
            || self.proposals.values().any(|p| known(&p.entry))
        {
            return; // a re-forwarded duplicate
        }
        let slot = self.next_slot;
        self.next_slot = slot.next();
        out.emit(PaxosEvent::Proposing {
            instance: slot,
            ballot: self.ballot,
            value: entry.value.clone(),
            from: None,
            promises: 0,
            of: 0,
        });
        self.send_accept(slot, entry, out);
    }

    fn send_accept(&mut self, slot: Instance, entry: Entry, out: &mut Out<Self>) {
        let msg = MultiPaxosMsg::Accept { ballot: self.ballot, slot, entry: entry.clone() };
        self.proposals.insert(slot, Proposal { entry, accepted_by: Default::default() });
        out.broadcast(&self.config.nodes, &msg);
    }

    pub(super) fn on_accepted(&mut self, from: NodeId, ballot: Ballot, slot: Instance, out: &mut Out<Self>) {
        if self.role != Role::Leader || ballot != self.ballot {
            return self.count_stale();
        }
        let quorum = majority(self.config.nodes.len());
        let Some(p) = self.proposals.get_mut(&slot) else { return self.count_stale() };
        p.accepted_by.insert(from);
        if p.accepted_by.len() < quorum {
            return;
        }
        let entry = self.proposals.remove(&slot).expect("present").entry;
        let others: Vec<NodeId> = self.config.nodes.iter().copied().filter(|n| *n != self.id).collect();
        out.broadcast(&others, &MultiPaxosMsg::Chosen { slot, entry: entry.clone() });
        self.learn(slot, entry, out);
    }

    pub(super) fn on_nack(&mut self, ballot: Ballot, promised: Ballot, out: &mut Out<Self>) {
        if self.role == Role::Follower || ballot != self.ballot {
            return self.count_stale();
        }
        self.max_round = self.max_round.max(promised.round);
        out.emit(PaxosEvent::Preempted {
            instance: self.first_unchosen(),
            ballot,
            by: promised,
            streak: self.attempts,
        });
        self.step_down(out);
    }

    /// A higher ballot than ours exists: we cannot lead with this one.
    pub(super) fn heard_ballot(&mut self, b: Ballot, out: &mut Out<Self>) {
        self.max_round = self.max_round.max(b.round);
        if self.role != Role::Follower && b > self.ballot && b.node != self.id {
            self.step_down(out);
        }
    }

    pub(super) fn step_down(&mut self, out: &mut Out<Self>) {
        self.role = Role::Follower;
        if self.leader == Some(self.id) {
            self.leader = None;
        }
        // Commands we were proposing may still be chosen by the next leader (they are
        // accepted somewhere) or not; their origins re-forward them until applied.
        self.proposals.clear();
        out.emit(MultiPaxosEvent::State { state: MultiPaxosState::Following, round: None });
        out.cancel_timer(MultiPaxosTimer::Heartbeat);
        if self.pending.is_empty() {
            out.cancel_timer(MultiPaxosTimer::Resend);
        } else {
            // As a follower, keep re-forwarding our clients' commands.
            out.set_timer(MultiPaxosTimer::Resend, self.config.resend_ms..=self.config.resend_ms);
        }
        self.arm_leader_timeout(out);
    }

    pub(super) fn send_heartbeat(&mut self, out: &mut Out<Self>) {
        let msg = MultiPaxosMsg::Heartbeat { ballot: self.ballot, chosen_upto: self.first_unchosen() };
        let others: Vec<NodeId> = self.config.nodes.iter().copied().filter(|n| *n != self.id).collect();
        out.broadcast(&others, &msg);
        let hb = self.config.heartbeat_ms;
        out.set_timer(MultiPaxosTimer::Heartbeat, hb..=hb);
    }

    /// Re-send what has not been answered: Prepare while a candidate, Accepts while leading.
    pub(super) fn resend(&mut self, out: &mut Out<Self>) {
        match self.role {
            Role::Candidate => {
                let msg = MultiPaxosMsg::Prepare { ballot: self.ballot, from_slot: self.first_unchosen() };
                let missing: Vec<NodeId> =
                    self.config.nodes.iter().copied().filter(|n| !self.promises.contains_key(n)).collect();
                out.broadcast(&missing, &msg);
            }
            Role::Leader => {
                for (slot, p) in &self.proposals {
                    let msg = MultiPaxosMsg::Accept { ballot: self.ballot, slot: *slot, entry: p.entry.clone() };
                    let missing: Vec<NodeId> =
                        self.config.nodes.iter().copied().filter(|n| !p.accepted_by.contains(n)).collect();
                    out.broadcast(&missing, &msg);
                }
            }
            Role::Follower => {
                // Our clients' commands may have been lost on the way to the leader:
                // send them again until they are applied (the leader drops duplicates).
                if self.pending.is_empty() && self.queue.is_empty() {
                    return;
                }
                if let Some(l) = self.leader.filter(|l| *l != self.id) {
                    for entry in self.unapplied_commands() {
                        out.send(l, MultiPaxosMsg::Forward { entry });
                    }
                }
            }
        }
        out.set_timer(MultiPaxosTimer::Resend, self.config.resend_ms..=self.config.resend_ms);
    }
}
