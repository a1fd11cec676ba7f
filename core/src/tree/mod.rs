//! The znode tree: the coordination service's state machine, as ZooKeeper's `DataTree`,
//! with its transactions, watches and the replies its clients get ([`ZkReply`]). ZAB
//! replicates it today; any protocol that orders its transactions could.
//!
//! ## Znodes
//!
//! ZooKeeper stores small pieces of coordination data (a configuration, a lock holder,
//! the members of a group) in a tree of **znodes** named like files: `/app/config`,
//! `/lock/n-0000000007`. Unlike a file system, every node, not only the leaves, holds
//! data, and every node carries a [`Stat`]: the zxids and times of its creation and last
//! change, and version counters that make compare-and-set possible (see [`stat`]).
//!
//! Two flags at creation give the recipes their power:
//!
//! - **ephemeral**: the node belongs to a session and is deleted when the session ends
//!   (closed, or expired because its client stopped heartbeating). Group membership is
//!   "create an ephemeral `/group/me`"; a crashed member disappears by itself. Ephemerals
//!   cannot have children, so a session's end never orphans a subtree.
//! - **sequential**: the server appends a 10-digit counter to the name (`n-` becomes
//!   `n-0000000007`), taken from the parent and never reused. A lock is "create an
//!   ephemeral sequential child of `/lock`; the smallest number holds it".
//!
//! ## Replication
//!
//! Every server holds a full copy of the tree. Writes become [`Txn`]s that the leader
//! numbers with zxids and the protocol commits; every server then calls [`DataTree::apply`] with
//! them in zxid order. `apply` depends only on the tree, the zxid, the time and the txn
//! (no clock, no randomness, ordered maps everywhere), so every server computes the same
//! tree and the same results, which [`DataTree::digest`] lets a test or the checker
//! verify. Reads ([`DataTree::get_data`], [`DataTree::exists`],
//! [`DataTree::get_children`]) are answered from the local copy, which is why a follower
//! that is behind may return older data until it catches up (or the client calls `sync`).
//!
//! ## Watches
//!
//! A read may leave a one-shot watch that the server fires when it applies a change to
//! what was read (see [`watch`]). Watches belong to the server the client is connected
//! to; they are not replicated and [`DataTree::snapshot`] leaves them out. A server that
//! takes the leader's snapshot keeps its watches and fires those whose node the snapshot
//! changed ([`DataTree::install`]).
//!
//! ZooKeeper's tree also starts with `/zookeeper` (quotas and the dynamic configuration);
//! Ensemble models neither, so a new tree holds only `/`.

mod apply;
mod digest;
mod error;
mod install;
pub mod path;
pub mod reply;
pub mod stat;
mod txn;
pub mod watch;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_prop;
#[cfg(test)]
mod tests_watch;

pub use error::ZkError;
pub use reply::ZkReply;
pub use stat::{Stat, Znode};
pub use txn::{Txn, TxnResult};
pub use watch::{WatchEvent, WatchEventType, WatchKind, Watches};

use crate::types::{SessionId, Zxid};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What the tree remembers of a session: its negotiated timeout. Expiry itself is decided
/// by the leader's session tracker, which then commits a `CloseSession`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub timeout_ms: u64,
}

/// The replicated znode tree of one server, plus that server's watches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataTree {
    /// Every node by full path; the root is `/`.
    nodes: BTreeMap<String, Znode>,
    /// The ephemeral nodes of each session (ZooKeeper's `DataTree.ephemerals`), so that
    /// closing a session does not scan the tree.
    #[serde(deserialize_with = "crate::types::number_keyed")]
    ephemerals: BTreeMap<SessionId, BTreeSet<String>>,
    /// The live sessions; replicated, like ZooKeeper's `sessionsWithTimeouts`.
    #[serde(deserialize_with = "crate::types::number_keyed")]
    sessions: BTreeMap<SessionId, SessionInfo>,
    /// This server's watches: not replicated.
    watches: Watches,
    /// The zxid of the last transaction applied, failed ones included.
    last_zxid: Zxid,
}

impl Default for DataTree {
    fn default() -> Self {
        DataTree::new()
    }
}

impl DataTree {
    /// A tree holding only the root `/`, before any transaction.
    pub fn new() -> Self {
        DataTree {
            nodes: BTreeMap::from([("/".to_string(), Znode::root())]),
            ephemerals: BTreeMap::new(),
            sessions: BTreeMap::new(),
            watches: Watches::default(),
            last_zxid: Zxid::ZERO,
        }
    }

    /// Apply a committed transaction. Deterministic: the result and the tree depend only
    /// on (tree, zxid, time_ms, txn). Errors are results, not panics: a failed txn changes
    /// nothing except `last_zxid` (ZooKeeper advances `lastProcessedZxid` for error txns
    /// too). Returns the result and the watches it fired, which are thereby removed.
    pub fn apply(&mut self, zxid: Zxid, time_ms: u64, txn: &Txn) -> (TxnResult, Vec<WatchEvent>) {
        debug_assert!(zxid > self.last_zxid, "txn {zxid} applied after {}: zxid order broken", self.last_zxid);
        let mut at = apply::Applying::new(zxid, time_ms);
        let result = self.apply_txn(&mut at, txn);
        self.last_zxid = zxid;
        // Watches fire only now, from the changes of a transaction that took effect.
        let events = self.watches.fire(&at.changes);
        (result, events)
    }

    /// Apply a transaction out of zxid order. Only the `no-epoch-check` buggy mode does
    /// this (a deposed leader's commit), so the checker can show what goes wrong.
    pub fn apply_unchecked(&mut self, zxid: Zxid, time_ms: u64, txn: &Txn) -> (TxnResult, Vec<WatchEvent>) {
        let mut at = apply::Applying::new(zxid, time_ms);
        let result = self.apply_txn(&mut at, txn);
        self.last_zxid = self.last_zxid.max(zxid);
        let events = self.watches.fire(&at.changes);
        (result, events)
    }

    /// Read a node's data and stat; `watch` leaves a data watch (not on a missing node).
    pub fn get_data(&mut self, path: &str, watch: Option<SessionId>) -> Result<(String, Stat), ZkError> {
        path::validate(path)?;
        let node = self.nodes.get(path).ok_or(ZkError::NoNode)?;
        let found = (node.data.clone(), node.stat);
        if let Some(session) = watch {
            self.watches.add(WatchKind::Data, path, session);
        }
        Ok(found)
    }

    /// A node's stat, or `None` if it does not exist. Unlike `get_data`, the watch is
    /// left even on a missing node, and then fires when it is created.
    pub fn exists(&mut self, path: &str, watch: Option<SessionId>) -> Result<Option<Stat>, ZkError> {
        path::validate(path)?;
        if let Some(session) = watch {
            self.watches.add(WatchKind::Exists, path, session);
        }
        Ok(self.stat(path))
    }

    /// The names (not paths) of a node's children, sorted; `watch` leaves a children watch.
    pub fn get_children(&mut self, path: &str, watch: Option<SessionId>) -> Result<Vec<String>, ZkError> {
        path::validate(path)?;
        let node = self.nodes.get(path).ok_or(ZkError::NoNode)?;
        let names = node.children.iter().cloned().collect();
        if let Some(session) = watch {
            self.watches.add(WatchKind::Children, path, session);
        }
        Ok(names)
    }

    /// A node's stat, without validating the path or leaving a watch.
    pub fn stat(&self, path: &str) -> Option<Stat> {
        self.nodes.get(path).map(|n| n.stat)
    }

    /// A node, for inspection (the UI shows every field).
    pub fn node(&self, path: &str) -> Option<&Znode> {
        self.nodes.get(path)
    }

    /// Every node, in path order (a parent comes before its children).
    pub fn nodes(&self) -> impl Iterator<Item = (&str, &Znode)> + '_ {
        self.nodes.iter().map(|(p, n)| (p.as_str(), n))
    }

    /// The zxid of the last transaction applied (zero before any).
    pub fn last_zxid(&self) -> Zxid {
        self.last_zxid
    }

    /// The live sessions and their timeouts, in session order.
    pub fn sessions(&self) -> impl Iterator<Item = (SessionId, u64)> + '_ {
        self.sessions.iter().map(|(id, info)| (*id, info.timeout_ms))
    }

    /// The timeout of a live session, or `None` if it is not one.
    pub fn session_timeout_ms(&self, session: SessionId) -> Option<u64> {
        self.sessions.get(&session).map(|info| info.timeout_ms)
    }

    pub fn has_session(&self, session: SessionId) -> bool {
        self.sessions.contains_key(&session)
    }

    /// The paths of a session's ephemeral nodes, sorted.
    pub fn ephemerals(&self, session: SessionId) -> Vec<String> {
        self.ephemerals.get(&session).map(|p| p.iter().cloned().collect()).unwrap_or_default()
    }

    /// The number of nodes, the root included (ZooKeeper's `zk_znode_count`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// This server's watches.
    pub fn watches(&self) -> &Watches {
        &self.watches
    }

    /// FNV-1a 64 over the nodes (path, data, stat) and sessions, as 16 hex digits; not
    /// over watches, which are server-local. Equal trees have equal digests.
    pub fn digest(&self) -> String {
        digest::digest(self)
    }

    /// Drop every watch of a session (when its connection closes or moves).
    pub fn remove_watches(&mut self, session: SessionId) {
        self.watches.remove_session(session);
    }

    /// A copy without server-local watches, to ship in a SNAP message or persist as a
    /// snapshot. `last_zxid` comes along: it says which transactions the copy contains.
    pub fn snapshot(&self) -> DataTree {
        DataTree {
            nodes: self.nodes.clone(),
            ephemerals: self.ephemerals.clone(),
            sessions: self.sessions.clone(),
            watches: Watches::default(),
            last_zxid: self.last_zxid,
        }
    }
}
