//! What a UI or status page shows of a node.

use crate::types::{Ballot, Instance, NodeId, Value};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    pub id: NodeId,
    /// False while crashed (filled in by the runtime).
    pub up: bool,
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
    /// Every field of the node, as JSON, for an inspector panel.
    pub fields: serde_json::Value,
}

/// One instance as one node sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub instance: Instance,
    pub accepted: Option<(Ballot, Value)>,
    pub chosen: Option<Value>,
}
