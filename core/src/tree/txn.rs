//! Transactions: the state changes the leader decides and every server applies.
//!
//! A client's write becomes a `Txn` at the leader, gets the next zxid, is broadcast by ZAB
//! and, once committed, is applied by every server in zxid order. Reads never become
//! transactions: each server answers them from its own copy of the tree.
//!
//! A `Txn` says what to do, not what it will find: a `Create` whose parent is missing is
//! still a committed transaction, whose result is `Error(NoNode)`. (ZooKeeper resolves
//! most errors at the leader and logs an error txn instead; applying the request on every
//! server gives the same result, since every server has the same tree at that zxid.)
//!
//! JSON: `{"type":"create","path":"/a","data":"x","ephemeral":false,"sequential":false,"session":1}`.

use super::{Stat, ZkError};
use crate::types::SessionId;
use serde::{Deserialize, Serialize};

/// A state change decided by the leader and applied by every server in zxid order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Txn {
    /// A client connected: remember its session and timeout on every server.
    CreateSession { session: SessionId, timeout_ms: u64 },
    /// A session was closed by its client or expired: its ephemeral nodes go with it.
    CloseSession { session: SessionId },
    /// Create `path` (or, if `sequential`, `path` followed by a 10-digit counter). An
    /// `ephemeral` node belongs to `session` and is deleted when it ends.
    Create {
        path: String,
        #[serde(default)]
        data: String,
        #[serde(default)]
        ephemeral: bool,
        #[serde(default)]
        sequential: bool,
        session: SessionId,
    },
    /// Delete a leaf; `version: None` deletes whatever the version (ZooKeeper's -1).
    Delete {
        path: String,
        #[serde(default)]
        version: Option<i32>,
    },
    /// Replace the data if the version matches (`None`: any version).
    SetData {
        path: String,
        data: String,
        #[serde(default)]
        version: Option<i32>,
    },
    /// Change nothing; fail unless the node exists (with this version). Useful in a multi:
    /// "do these writes only if that node is still at version 3".
    Check {
        path: String,
        #[serde(default)]
        version: Option<i32>,
    },
    /// Apply `ops` atomically: all of them, or none. Only `Create`, `Delete`, `SetData`
    /// and `Check` may appear inside.
    Multi { ops: Vec<Txn> },
    /// A request the leader refused (ZooKeeper's error txn, e.g. a write from a closed
    /// session): it changes nothing, but takes its place in the order so the server the
    /// client waits on answers it in turn.
    Error { error: ZkError },
}

impl Txn {
    /// A persistent, non-sequential create: the common case in tests and scenarios.
    pub fn create(path: impl Into<String>, data: impl Into<String>, session: SessionId) -> Txn {
        Txn::Create { path: path.into(), data: data.into(), ephemeral: false, sequential: false, session }
    }

    /// The name the trace writes for it (its `type`: `"create"`, `"set_data"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Txn::SetData { .. } => "set_data",
            other => other.op_name(),
        }
    }

    /// The node it changes, if one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Txn::Create { path, .. }
            | Txn::Delete { path, .. }
            | Txn::SetData { path, .. }
            | Txn::Check { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The operation with its path, as a log row shows it: `create /a`, `set /b`; a
    /// multi with each of its ops (`multi: create /a, delete /b`).
    pub fn summary(&self) -> String {
        match (self, self.path()) {
            (Txn::Multi { ops }, _) => {
                format!("multi: {}", ops.iter().map(Txn::summary).collect::<Vec<_>>().join(", "))
            }
            (_, Some(path)) => format!("{} {path}", self.op_name()),
            _ => self.op_name().into(),
        }
    }

    /// The operation's name as in the client protocol (`"create"`, `"set"`, ...).
    pub fn op_name(&self) -> &'static str {
        match self {
            Txn::CreateSession { .. } => "create_session",
            Txn::CloseSession { .. } => "close_session",
            Txn::Create { .. } => "create",
            Txn::Delete { .. } => "delete",
            Txn::SetData { .. } => "set",
            Txn::Check { .. } => "check",
            Txn::Multi { .. } => "multi",
            Txn::Error { .. } => "error",
        }
    }
}

/// What applying a transaction returned: the reply the server owes the client that sent
/// it (if that client is connected to this server).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxnResult {
    /// The path actually created (with its counter, if sequential).
    Created {
        path: String,
    },
    Deleted,
    /// The node's stat after a `SetData`.
    Stat(Stat),
    Checked,
    SessionCreated,
    /// The ephemeral nodes deleted with the session, in path order.
    SessionClosed {
        deleted: Vec<String>,
    },
    /// One result per op of a successful multi, in order.
    Multi(Vec<TxnResult>),
    Error(ZkError),
    /// The op at `index` (from 0) of a multi failed, so none of its ops took effect.
    MultiError {
        index: usize,
        error: ZkError,
    },
}

impl TxnResult {
    /// The error, if the transaction failed (a failed multi gives its op's error).
    pub fn error(&self) -> Option<ZkError> {
        match self {
            TxnResult::Error(e) | TxnResult::MultiError { error: e, .. } => Some(*e),
            _ => None,
        }
    }

    pub fn is_ok(&self) -> bool {
        self.error().is_none()
    }
}
