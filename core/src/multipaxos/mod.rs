//! Multi-Paxos: a replicated log, one Paxos instance per slot.
//!
//! Paxos Made Simple §3: a distinguished leader runs phase 1 once, for all slots at
//! once, and then only phase 2 for each new command, one round trip per command.
//! Followers suspect the leader when its heartbeats stop and run phase 1 themselves
//! with a higher ballot; the new leader finishes the slots the old one left open
//! (re-proposing accepted values, filling gaps with no-ops). Every node applies the
//! chosen commands in slot order, so all logs agree.

mod acceptor;
mod describe;
mod durable;
mod event;
mod invariants;
mod leader;
mod learner;
mod msg;
mod protocol;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_durable;
mod view;

pub use event::{MultiPaxosEvent, MultiPaxosState};
pub use msg::{Entry, MultiPaxosDurable, MultiPaxosMsg, MultiPaxosTimer, Origin, SlotValue};
pub use protocol::PROTOCOL;

use crate::client::{ClientReply, ClientRequest, ErrorCode};
use crate::node::{Node, Out};
use crate::types::{Ballot, ClientId, Instance, NodeId, Time, Value};
use crate::view::{HistoryView, NodeView};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MultiPaxosConfig {
    pub nodes: Vec<NodeId>,
    pub heartbeat_ms: u64,
    pub leader_timeout_ms: [u64; 2],
    pub resend_ms: u64,
    pub checkpoint_every: u64,
}

impl MultiPaxosConfig {
    pub fn from_settings(n: u32, s: &MultiPaxosSettings) -> MultiPaxosConfig {
        MultiPaxosConfig {
            nodes: (1..=n).map(NodeId).collect(),
            heartbeat_ms: s.heartbeat_ms,
            leader_timeout_ms: s.leader_timeout_ms,
            resend_ms: s.resend_ms,
            checkpoint_every: s.checkpoint_every,
        }
    }
}

/// A scenario's `[multipaxos]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MultiPaxosSettings {
    pub heartbeat_ms: u64,
    /// A follower that hears no heartbeat for this long (drawn per wait) runs phase 1.
    pub leader_timeout_ms: [u64; 2],
    /// The leader re-sends unanswered phase 2 messages after this long.
    pub resend_ms: u64,
    /// A node writes a checkpoint (its whole durable state as one record) after this
    /// many records, so its disk holds a bounded number of them.
    pub checkpoint_every: u64,
}

impl Default for MultiPaxosSettings {
    fn default() -> Self {
        MultiPaxosSettings { heartbeat_ms: 50, leader_timeout_ms: [150, 300], resend_ms: 100, checkpoint_every: 1_000 }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    #[default]
    Follower,
    Candidate,
    Leader,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub entry: Entry,
    pub accepted_by: BTreeSet<NodeId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MultiPaxosNode {
    pub id: NodeId,
    #[serde(skip)]
    pub config: Arc<MultiPaxosConfig>,
    // Acceptor (durable).
    pub promised: Ballot,
    pub accepted: BTreeMap<Instance, (Ballot, Entry)>,
    // Learner: chosen slots are durable, the applied log is rebuilt from them.
    pub chosen: BTreeMap<Instance, Entry>,
    pub applied: u64,
    pub log: Vec<Value>,
    pub applied_origins: BTreeSet<Origin>,
    // Proposer / leader (volatile but for the highest round used).
    pub role: Role,
    pub ballot: Ballot,
    /// The highest round seen anywhere: the next ballot goes above it.
    pub max_round: u64,
    /// The highest round written: all of the proposer that survives a crash.
    pub saved_round: u64,
    pub leader: Option<NodeId>,
    pub attempts: u32,
    pub promises: BTreeMap<NodeId, Vec<SlotValue>>,
    pub next_slot: Instance,
    pub proposals: BTreeMap<Instance, Proposal>,
    /// Commands waiting for a leader to be known.
    pub queue: Vec<Entry>,
    /// Requests of this node's clients awaiting a reply, by (client, seq).
    #[serde(serialize_with = "crate::types::as_pairs")]
    pub pending: BTreeMap<(ClientId, u64), ClientRequest>,
    /// Records written since the last checkpoint.
    pub unsaved: u64,
    pub stale: u64,
}

impl MultiPaxosNode {
    pub fn new(id: NodeId, config: Arc<MultiPaxosConfig>, records: &[MultiPaxosDurable]) -> MultiPaxosNode {
        let mut n = MultiPaxosNode {
            id,
            config,
            promised: Ballot::ZERO,
            accepted: BTreeMap::new(),
            chosen: BTreeMap::new(),
            applied: 0,
            log: Vec::new(),
            applied_origins: BTreeSet::new(),
            role: Role::Follower,
            ballot: Ballot::ZERO,
            max_round: 0,
            saved_round: 0,
            leader: None,
            attempts: 0,
            promises: BTreeMap::new(),
            next_slot: Instance(0),
            proposals: BTreeMap::new(),
            queue: Vec::new(),
            pending: BTreeMap::new(),
            // After a restart the records after the last checkpoint count as unsaved, so a
            // node that restarts often still checkpoints on time.
            unsaved: crate::node::since_checkpoint::<MultiPaxosNode>(records),
            stale: 0,
        };
        for r in records {
            n.recover(r);
        }
        n.apply_ready(None);
        n.debug_check();
        n
    }

    fn count_stale(&mut self) {
        self.stale += 1;
    }

    fn entry_for(&self, req: &ClientRequest) -> Entry {
        Entry {
            value: Value::data(req.op.proposed_value().unwrap_or_default()),
            origin: Some(Origin { node: self.id, client: req.client, seq: req.seq }),
        }
    }

    /// Commands waiting for a leader plus our clients' commands not yet applied (the
    /// queue is emptied: the caller hands them on).
    fn unapplied_commands(&mut self) -> Vec<Entry> {
        let mut entries = std::mem::take(&mut self.queue);
        entries.extend(self.pending.values().map(|r| self.entry_for(r)));
        entries
    }

    /// The end of every handler: a checkpoint after the writes it reflects, then the
    /// local invariants, and that nothing shrank that only grows since `before`.
    fn after_input(&mut self, before: Option<invariants::Marks>, out: &mut Out<Self>) {
        self.maybe_checkpoint(out);
        self.debug_check();
        self.debug_check_step(before);
    }

    fn on_forward(&mut self, entry: Entry, out: &mut Out<Self>) {
        match (self.role, self.leader) {
            (Role::Leader, _) => self.propose(entry, out),
            (_, Some(l)) if l != self.id => out.send(l, MultiPaxosMsg::Forward { entry }),
            _ => self.queue.push(entry),
        }
    }
}

impl Node for MultiPaxosNode {
    type Msg = MultiPaxosMsg;
    type Timer = MultiPaxosTimer;
    type Durable = MultiPaxosDurable;
    type Checker = crate::paxos::PaxosChecker;

    fn on_start(&mut self, _now: Time, out: &mut Out<Self>) {
        let before = self.marks();
        self.arm_leader_timeout(out);
        self.after_input(before, out);
    }

    fn on_message(&mut self, _now: Time, from: NodeId, msg: MultiPaxosMsg, out: &mut Out<Self>) {
        let before = self.marks();
        match msg {
            MultiPaxosMsg::Prepare { ballot, from_slot } => self.on_prepare(from, ballot, from_slot, out),
            MultiPaxosMsg::Promise { ballot, accepted } => self.on_promise(from, ballot, accepted, out),
            MultiPaxosMsg::Accept { ballot, slot, entry } => self.on_accept(from, ballot, slot, entry, out),
            MultiPaxosMsg::Accepted { ballot, slot } => self.on_accepted(from, ballot, slot, out),
            MultiPaxosMsg::Nack { ballot, promised } => self.on_nack(ballot, promised, out),
            MultiPaxosMsg::Chosen { slot, entry } => self.learn(slot, entry, out),
            MultiPaxosMsg::Heartbeat { ballot, chosen_upto } => self.on_heartbeat(from, ballot, chosen_upto, out),
            MultiPaxosMsg::CatchUp { from_slot } => self.on_catch_up(from, from_slot, out),
            MultiPaxosMsg::Forward { entry } => self.on_forward(entry, out),
        }
        self.after_input(before, out);
    }

    fn on_timer(&mut self, _now: Time, timer: MultiPaxosTimer, out: &mut Out<Self>) {
        let before = self.marks();
        match timer {
            MultiPaxosTimer::LeaderTimeout if self.role != Role::Leader => self.start_phase1(out),
            MultiPaxosTimer::Heartbeat if self.role == Role::Leader => self.send_heartbeat(out),
            MultiPaxosTimer::Resend => self.resend(out),
            _ => {}
        }
        self.after_input(before, out);
    }

    fn on_request(&mut self, _now: Time, req: ClientRequest, out: &mut Out<Self>) {
        let before = self.marks();
        if req.op.proposed_value().is_none() {
            out.reply(ClientReply::error(&req, ErrorCode::BadArguments, "Multi-Paxos serves `propose` only"));
        } else {
            let entry = self.entry_for(&req);
            self.pending.insert((req.client, req.seq), req);
            self.on_forward(entry, out);
            if self.role == Role::Follower {
                out.set_timer(MultiPaxosTimer::Resend, self.config.resend_ms..=self.config.resend_ms);
            }
        }
        self.after_input(before, out);
    }

    fn is_checkpoint(record: &MultiPaxosDurable) -> bool {
        matches!(record, MultiPaxosDurable::Checkpoint { .. })
    }

    fn is_leader(&self) -> bool {
        self.role == Role::Leader
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }

    fn history(&self) -> HistoryView {
        view::history(self)
    }
}
