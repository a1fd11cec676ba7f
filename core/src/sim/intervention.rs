//! Things a person (or a test, or a scenario's schedule) does to a running simulation.

use crate::client::ClientOp;
use crate::types::{ClientId, NodeId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Intervention {
    /// Deliver one in-flight message now, ahead of its turn.
    Deliver {
        msg_id: u64,
    },
    /// Lose one in-flight message.
    Drop {
        msg_id: u64,
    },
    /// Put a second copy of an in-flight message on the wire.
    Duplicate {
        msg_id: u64,
    },
    /// Fire one of a node's pending timers now. `timer` is the timer's JSON form.
    FireTimer {
        node: NodeId,
        timer: serde_json::Value,
    },
    Crash {
        node: NodeId,
    },
    /// Crash whichever node leads now (Multi-Paxos, ZAB).
    CrashLeader {},
    /// Cut the current leader off from every other node.
    IsolateLeader {},
    Restart {
        node: NodeId,
    },
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    Heal {},
    /// Messages from `from` to `to` take `extra_ms` longer from now on (a congested
    /// link; 0 restores it). On FIFO links they still arrive in order.
    SlowLink {
        from: NodeId,
        to: NodeId,
        extra_ms: u64,
    },
    /// The network stops losing, duplicating and reordering messages (the end of a
    /// sweep's fault phase: what remains is a test of liveness).
    Calm {},
    /// A client of `node` asks for `value` to be chosen.
    Request {
        node: NodeId,
        value: String,
    },
    /// Client `client`, attached to `node`, sends any operation.
    Client {
        node: NodeId,
        client: ClientId,
        op: ClientOp,
    },
}

/// Why an intervention could not be applied: the UI shows it, nothing changes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InterventionError {
    #[error("no message {0} is in flight")]
    NoSuchMessage(u64),
    #[error("node {0} does not exist")]
    NoSuchNode(NodeId),
    #[error("node {0} has no pending timer {1}")]
    NoSuchTimer(NodeId, String),
    #[error("no node is leading now")]
    NoLeader,
    #[error("node {0} is already {1}")]
    AlreadyInState(NodeId, &'static str),
    /// The run ends before step `0`, where an intervention was to happen.
    #[error("the run ends before step {0}")]
    Unreachable(u64),
}
