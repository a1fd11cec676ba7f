//! The errors a tree operation can end with, named as ZooKeeper's `KeeperException.Code`.
//!
//! They are results, not failures of the server: a `create` of a node that exists is a
//! committed transaction like any other (it advances the zxid) whose answer is
//! `NodeExists`. Every server reaches the same answer because it applies the same
//! transactions in the same order.

use serde::{Deserialize, Serialize};

/// A ZooKeeper error code. Serialized as its ZooKeeper name (`"NoNode"`), the `code` of
/// the client protocol's error replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, thiserror::Error)]
pub enum ZkError {
    /// The node (or, for a create, its parent) does not exist.
    #[error("the node does not exist")]
    NoNode,
    /// A create names a node that already exists.
    #[error("the node already exists")]
    NodeExists,
    /// The expected version is not the node's version: someone else changed it first.
    #[error("the node's version is not the expected one")]
    BadVersion,
    /// A delete of a node that still has children.
    #[error("the node has children")]
    NotEmpty,
    /// A create under an ephemeral node: ephemerals are leaves, so a session's end can
    /// delete them without orphaning anything.
    #[error("ephemeral nodes cannot have children")]
    NoChildrenForEphemerals,
    /// A malformed path, deleting `/`, or an operation that cannot go inside a multi.
    #[error("bad arguments")]
    BadArguments,
    /// The session is unknown: it was closed or it expired.
    #[error("the session has expired")]
    SessionExpired,
}

impl ZkError {
    /// The ZooKeeper name, as in the client protocol (`"NoNode"`).
    pub fn code(self) -> &'static str {
        match self {
            ZkError::NoNode => "NoNode",
            ZkError::NodeExists => "NodeExists",
            ZkError::BadVersion => "BadVersion",
            ZkError::NotEmpty => "NotEmpty",
            ZkError::NoChildrenForEphemerals => "NoChildrenForEphemerals",
            ZkError::BadArguments => "BadArguments",
            ZkError::SessionExpired => "SessionExpired",
        }
    }
}
