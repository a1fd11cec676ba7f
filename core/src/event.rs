//! Trace events: the vocabulary of the JSON Lines trace (`docs/trace.md`).
//!
//! The simulator records network and fault events (`send`, `deliver`, `crash`, ...);
//! nodes emit protocol events (`promised`, `accepted`, `learned`, ...) through
//! `Action::Emit`. The invariant checker and the narration read only these events.

use crate::client::{ClientError, ClientOp, ReplyBody};
use crate::types::{Ballot, ClientId, Epoch, Instance, NodeId, Value, Zxid};
use crate::wire::Wire;
use crate::zab::tree::{Txn, WatchEventType};
use crate::zab::{SyncMode, ZabPhase};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Which Paxos phase a message belonged to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Prepare,
    Accept,
}

/// Why the simulator dropped a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The network lost it (the scenario's drop probability).
    Loss,
    /// Sender and receiver are on different sides of a partition.
    Partition,
    /// The receiver is crashed.
    NodeDown,
    /// A person (or a test) dropped it by hand.
    Manual,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    // ---- network and faults, recorded by the runtime ----
    Send {
        msg_id: u64,
        from: NodeId,
        to: NodeId,
        msg: Wire,
    },
    Deliver {
        msg_id: u64,
        from: NodeId,
        to: NodeId,
        msg: Wire,
    },
    Drop {
        msg_id: u64,
        from: NodeId,
        to: NodeId,
        msg: Wire,
        reason: DropReason,
    },
    /// The network delivered a second copy; `msg_id` is the copy's id, `of` the original's.
    Duplicate {
        msg_id: u64,
        of: u64,
        from: NodeId,
        to: NodeId,
        msg: Wire,
    },
    Timer {
        timer: Wire,
    },
    /// `lost_writes`: writes still in progress, lost with everything waiting on them.
    Crash {
        #[serde(default, skip_serializing_if = "is_zero")]
        lost_writes: u64,
    },
    /// The node's disk finished a write: `records` more records are durable, and what
    /// the node said after writing them leaves now.
    Persisted {
        records: u64,
    },
    Restart {},
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    Heal {
        groups: Vec<Vec<NodeId>>,
    },
    Request {
        client: ClientId,
        seq: u64,
        #[serde(flatten)]
        op: Box<ClientOp>,
    },
    Reply {
        client: ClientId,
        seq: u64,
        op: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        reply: Option<Box<ReplyBody>>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        error: Option<Box<ClientError>>,
    },

    // ---- Paxos, emitted by nodes ----
    /// An acceptor promised to ignore ballots below `ballot` (phase 1b).
    Promised {
        instance: Instance,
        ballot: Ballot,
    },
    /// An acceptor accepted `value` at `ballot` (phase 2b).
    Accepted {
        instance: Instance,
        ballot: Ballot,
        value: Value,
    },
    /// A learner learned that `value` was chosen.
    Learned {
        instance: Instance,
        value: Value,
    },
    /// An acceptor refused a `phase` message at `ballot` because it promised `promised`.
    Rejected {
        instance: Instance,
        phase: Phase,
        ballot: Ballot,
        promised: Ballot,
    },
    /// A proposer starts phase 1 with `ballot` (`attempt` counts its tries for this value).
    Preparing {
        instance: Instance,
        ballot: Ballot,
        attempt: u32,
    },
    /// A proposer has a majority of promises and must propose `value`. `from` is the
    /// ballot of the highest accepted value reported (rule P2c), or null if it is free
    /// to propose its own value.
    Proposing {
        instance: Instance,
        ballot: Ballot,
        value: Value,
        from: Option<Ballot>,
    },
    /// A proposer learned that `by` pre-empted its `ballot`.
    Preempted {
        instance: Instance,
        ballot: Ballot,
        by: Ballot,
        streak: u32,
    },
    /// A non-distinguished proposer hands its value to the distinguished one.
    Forwarded {
        value: Value,
        to: NodeId,
    },
    /// The node's role or protocol state changed. `epoch`: a ZAB server's current
    /// epoch; `round`: a Multi-Paxos node's ballot round.
    State {
        state: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epoch: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        round: Option<u64>,
    },

    // ---- ZAB, emitted by servers ----
    /// The ZAB phase changed (ELECTION, DISCOVERY, SYNCHRONIZATION, BROADCAST).
    Phase {
        phase: ZabPhase,
    },
    /// Fast Leader Election: this server's current vote.
    Vote {
        vote: VoteView,
        round: u64,
    },
    /// A quorum acknowledged NEWLEADER: this leader's epoch is established.
    LeaderEstablished {
        epoch: Epoch,
    },
    /// The leader chose how to synchronize a learner.
    Sync {
        learner: NodeId,
        mode: SyncMode,
        zxid: Zxid,
    },
    /// The leader logged a new proposal.
    Proposed {
        zxid: Zxid,
        txn: Arc<Txn>,
    },
    /// A quorum of voters acknowledged it (at the leader).
    Committed {
        zxid: Zxid,
    },
    /// The server applied the transaction to its tree, in zxid order.
    Delivered {
        zxid: Zxid,
        txn: Arc<Txn>,
    },
    /// The log was cut back; `zxid` is the new last zxid, `removed` how many
    /// proposals were cut (absent in traces written before it was recorded).
    Truncated {
        zxid: Zxid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        removed: Option<u64>,
    },
    /// The server replaced its tree by the leader's snapshot at `zxid`.
    Snapshot {
        zxid: Zxid,
    },
    /// A one-shot watch fired for a client of this server.
    Watch {
        client: ClientId,
        kind: WatchEventType,
        path: String,
    },

    // ---- checker ----
    Violation {
        invariant: String,
        detail: String,
    },
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// A Fast Leader Election vote as the trace writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteView {
    pub leader: NodeId,
    pub zxid: Zxid,
    pub peer_epoch: Epoch,
}

impl Event {
    /// The snake_case `type` name, as written in the trace.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Send { .. } => "send",
            Event::Deliver { .. } => "deliver",
            Event::Drop { .. } => "drop",
            Event::Duplicate { .. } => "duplicate",
            Event::Timer { .. } => "timer",
            Event::Crash { .. } => "crash",
            Event::Persisted { .. } => "persisted",
            Event::Restart {} => "restart",
            Event::Partition { .. } => "partition",
            Event::Heal { .. } => "heal",
            Event::Request { .. } => "request",
            Event::Reply { .. } => "reply",
            Event::Promised { .. } => "promised",
            Event::Accepted { .. } => "accepted",
            Event::Learned { .. } => "learned",
            Event::Rejected { .. } => "rejected",
            Event::Preparing { .. } => "preparing",
            Event::Proposing { .. } => "proposing",
            Event::Preempted { .. } => "preempted",
            Event::Forwarded { .. } => "forwarded",
            Event::State { .. } => "state",
            Event::Phase { .. } => "phase",
            Event::Vote { .. } => "vote",
            Event::LeaderEstablished { .. } => "leader_established",
            Event::Sync { .. } => "sync",
            Event::Proposed { .. } => "proposed",
            Event::Committed { .. } => "committed",
            Event::Delivered { .. } => "delivered",
            Event::Truncated { .. } => "truncated",
            Event::Snapshot { .. } => "snapshot",
            Event::Watch { .. } => "watch",
            Event::Violation { .. } => "violation",
        }
    }
}
