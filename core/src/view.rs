//! What a UI or status page shows of a node.

use crate::types::{Ballot, Epoch, Instance, NodeId, Value, Zxid};
use crate::zab::VoteView;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    pub id: NodeId,
    /// False while crashed (filled in by the runtime).
    pub up: bool,
    /// Up and leading now (filled in by the runtime from `Node::is_leader`).
    #[serde(default)]
    pub is_leader: bool,
    /// Roles held, e.g. `["proposer", "acceptor", "learner"]`.
    pub roles: Vec<String>,
    /// Upper-case state name, e.g. `PREPARING`, `LEADING`, `FOLLOWING`, `IDLE`.
    pub state: String,
    /// The ballot this node works with (proposer) or promised (acceptor).
    pub ballot: Option<Ballot>,
    pub promised: Option<Ballot>,
    /// The leader this node believes in, if the protocol has one.
    pub leader: Option<NodeId>,
    pub log: Vec<LogLine>,
    /// ZAB servers: phase, vote, epochs, zxids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zab: Option<ZabView>,
}

/// One instance as one node sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub instance: Instance,
    pub accepted: Option<(Ballot, Value)>,
    pub chosen: Option<Value>,
}

/// What a ZAB server shows: ZooKeeper's `zabstate` and a little more.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZabView {
    /// Observers never vote.
    pub observer: bool,
    pub phase: String,
    pub vote: Option<VoteView>,
    pub round: u64,
    pub accepted_epoch: Epoch,
    pub current_epoch: Epoch,
    pub last_zxid: Zxid,
    /// The last delivered (committed and applied) zxid.
    pub delivered: Zxid,
    /// The last logged proposals: zxid, delivered yet, operation.
    pub log: Vec<(Zxid, bool, String)>,
    /// How many proposals the log holds in all (since its last snapshot).
    pub log_len: usize,
    pub tree_digest: String,
    pub znodes: usize,
}
