//! Learning chosen slots and applying them in slot order, exactly once per command.

use super::msg::{Entry, MultiPaxosDurable, MultiPaxosMsg, MultiPaxosTimer};
use super::{MultiPaxosNode, Role};
use crate::client::{ClientReply, ReplyBody};
use crate::node::Out;
use crate::paxos::PaxosEvent;
use crate::types::{Ballot, Instance, NodeId};

impl MultiPaxosNode {
    /// The first slot this node has not learned: every slot below is applied.
    pub(super) fn first_unchosen(&self) -> Instance {
        Instance(self.applied)
    }

    pub(super) fn learn(&mut self, slot: Instance, entry: Entry, out: &mut Out<Self>) {
        if let Some(known) = self.chosen.get(&slot) {
            debug_assert_eq!(known, &entry, "node {}: slot {} chosen twice, differently", self.id, slot.0);
            return;
        }
        self.write(MultiPaxosDurable::Chosen { slot, entry: entry.clone() }, out);
        out.emit(PaxosEvent::Learned { instance: slot, value: entry.value.clone(), accepted: 0, of: 0 });
        self.chosen.insert(slot, entry);
        self.apply_ready(Some(out));
    }

    /// Apply chosen slots in order. Without `out` (at recovery) nothing is replied.
    pub(super) fn apply_ready(&mut self, mut out: Option<&mut Out<Self>>) {
        while let Some(entry) = self.chosen.get(&Instance(self.applied)).cloned() {
            let slot = Instance(self.applied);
            self.applied += 1;
            debug_assert!(self.log.len() as u64 <= self.applied, "more commands applied than slots");
            let Some(origin) = entry.origin else { continue };
            if !self.applied_origins.insert(origin) {
                continue; // chosen twice (re-forwarded): applied once
            }
            self.log.push(entry.value.clone());
            if let (Some(out), Some(req)) = (out.as_deref_mut(), self.pending.remove(&(origin.client, origin.seq))) {
                out.reply(ClientReply::ok(&req, ReplyBody::Chosen { instance: slot, value: entry.value }));
            }
        }
    }

    pub(super) fn on_heartbeat(&mut self, from: NodeId, ballot: Ballot, chosen_upto: Instance, out: &mut Out<Self>) {
        if ballot < self.promised {
            return self.count_stale();
        }
        self.heard_ballot(ballot, out);
        self.follow(ballot, out);
        if self.first_unchosen() < chosen_upto {
            out.send(from, MultiPaxosMsg::CatchUp { from_slot: self.first_unchosen() });
        }
    }

    /// `ballot`'s proposer is the leader: note it, and give it time before suspecting it.
    pub(super) fn follow(&mut self, ballot: Ballot, out: &mut Out<Self>) {
        if ballot.node == self.id || ballot < self.promised {
            return;
        }
        // A candidate or leader with a ballot at least as high keeps its course;
        // `heard_ballot` already made it step down if this one is higher.
        if self.role != Role::Follower {
            return;
        }
        let changed = self.leader != Some(ballot.node);
        self.leader = Some(ballot.node);
        self.arm_leader_timeout(out);
        if changed {
            // Commands not yet applied go to the new leader; duplicates are harmless.
            for entry in self.unapplied_commands() {
                out.send(ballot.node, MultiPaxosMsg::Forward { entry });
            }
        }
    }

    pub(super) fn on_catch_up(&mut self, from: NodeId, from_slot: Instance, out: &mut Out<Self>) {
        // Bounded, so one request cannot make a huge burst; the next heartbeat asks again.
        for (slot, entry) in self.chosen.range(from_slot..).take(64) {
            out.send(from, MultiPaxosMsg::Chosen { slot: *slot, entry: entry.clone() });
        }
    }

    pub(super) fn arm_leader_timeout(&mut self, out: &mut Out<Self>) {
        let [lo, hi] = self.config.leader_timeout_ms;
        out.set_timer(MultiPaxosTimer::LeaderTimeout, lo..=hi);
    }
}
