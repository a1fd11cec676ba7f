//! Watches: one-shot notifications a client leaves on a node when it reads it.
//!
//! Instead of polling, a client reads with `watch = true` and is told once when what it
//! read changes. The three kinds are left by three reads:
//!
//! | read | watch kind | fires on |
//! |---|---|---|
//! | `get_data` | data | `data_changed` (set), `deleted` |
//! | `exists` | exists | `created` (it may watch a missing node), `data_changed`, `deleted` |
//! | `get_children` | children | `children_changed` (a child created or deleted), `deleted` |
//!
//! A watch is **one-shot**: it fires at most once and is then gone; to keep watching, the
//! client reads again and sets a new one. The event says only *what* changed, not the new
//! value, so the client reads again anyway (ZooKeeper guarantees it sees the event
//! before the new data). A session that left both a data and an exists watch on a node
//! gets one event for one change, as in ZooKeeper, where both sit in one table.
//!
//! Watches are **server-local**: each server keeps those of the clients connected to it
//! and fires them when it applies a committed transaction. They are not replicated, not
//! part of the digest, and not shipped in snapshots; a server that takes a snapshot
//! keeps its own and fires those the snapshot changed (see `DataTree::install`).

use crate::types::SessionId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Which read left a watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchKind {
    Data,
    Exists,
    Children,
}

/// What happened to a watched node (ZooKeeper's `Watcher.Event.EventType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchEventType {
    Created,
    Deleted,
    DataChanged,
    ChildrenChanged,
}

impl WatchEventType {
    /// The trace name (`data_changed`, ...), as serde writes it.
    pub fn name(self) -> &'static str {
        match self {
            WatchEventType::Created => "created",
            WatchEventType::Deleted => "deleted",
            WatchEventType::DataChanged => "data_changed",
            WatchEventType::ChildrenChanged => "children_changed",
        }
    }
}

/// A fired watch, to be pushed to the session's client.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WatchEvent {
    pub session: SessionId,
    pub kind: WatchEventType,
    pub path: String,
}

/// One change a transaction made, in the order it made them; watches fire from this
/// list only once the whole transaction has committed, so a failed multi fires nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Change {
    Created(String),
    Deleted(String),
    DataChanged(String),
    ChildrenChanged(String),
}

/// The watches set on one server: per kind, the sessions watching each path.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watches {
    data: BTreeMap<String, BTreeSet<SessionId>>,
    exists: BTreeMap<String, BTreeSet<SessionId>>,
    children: BTreeMap<String, BTreeSet<SessionId>>,
}

impl Watches {
    /// Leave a watch. Setting the same one twice still fires once.
    pub(super) fn add(&mut self, kind: WatchKind, path: &str, session: SessionId) {
        self.table_mut(kind).entry(path.to_string()).or_default().insert(session);
    }

    /// The sessions watching `path` with `kind`, in session order.
    pub fn watchers(&self, kind: WatchKind, path: &str) -> Vec<SessionId> {
        self.table(kind).get(path).map(|s| s.iter().copied().collect()).unwrap_or_default()
    }

    /// Every watched path, of any kind, in path order.
    pub(super) fn paths(&self) -> BTreeSet<String> {
        [&self.data, &self.exists, &self.children].iter().flat_map(|t| t.keys().cloned()).collect()
    }

    /// Every session with a watch, in session order.
    pub(super) fn sessions(&self) -> BTreeSet<SessionId> {
        [&self.data, &self.exists, &self.children].iter().flat_map(|t| t.values().flatten().copied()).collect()
    }

    /// How many watches are set, all kinds together.
    pub fn count(&self) -> usize {
        [&self.data, &self.exists, &self.children].iter().flat_map(|t| t.values()).map(BTreeSet::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Forget every watch of `session` (its connection closed or moved to another server).
    pub(super) fn remove_session(&mut self, session: SessionId) {
        for table in [&mut self.data, &mut self.exists, &mut self.children] {
            table.retain(|_, sessions| {
                sessions.remove(&session);
                !sessions.is_empty()
            });
        }
    }

    /// Fire, and so remove, the watches the changes trigger.
    ///
    /// Order: grouped by session (ascending id); within a session, in the order of the
    /// changes (a node's own event before its parent's `children_changed`; a multi's ops
    /// in order). Each session thus sees its events in the order the tree changed.
    pub(super) fn fire(&mut self, changes: &[Change]) -> Vec<WatchEvent> {
        let mut events = Vec::new();
        for change in changes {
            let (kind, path, sessions) = match change {
                Change::Created(p) => (WatchEventType::Created, p, self.take(&[WatchKind::Exists], p)),
                Change::DataChanged(p) => {
                    (WatchEventType::DataChanged, p, self.take(&[WatchKind::Data, WatchKind::Exists], p))
                }
                Change::Deleted(p) => {
                    let all = [WatchKind::Data, WatchKind::Exists, WatchKind::Children];
                    (WatchEventType::Deleted, p, self.take(&all, p))
                }
                Change::ChildrenChanged(p) => {
                    (WatchEventType::ChildrenChanged, p, self.take(&[WatchKind::Children], p))
                }
            };
            events.extend(sessions.into_iter().map(|session| WatchEvent { session, kind, path: path.clone() }));
        }
        // A stable sort keeps each session's events in change order.
        events.sort_by_key(|e| e.session);
        events
    }

    /// Remove the watches of these kinds on `path`; a session watching with several
    /// kinds is returned once.
    fn take(&mut self, kinds: &[WatchKind], path: &str) -> BTreeSet<SessionId> {
        let mut sessions = BTreeSet::new();
        for &kind in kinds {
            sessions.extend(self.table_mut(kind).remove(path).unwrap_or_default());
        }
        sessions
    }

    fn table(&self, kind: WatchKind) -> &BTreeMap<String, BTreeSet<SessionId>> {
        match kind {
            WatchKind::Data => &self.data,
            WatchKind::Exists => &self.exists,
            WatchKind::Children => &self.children,
        }
    }

    fn table_mut(&mut self, kind: WatchKind) -> &mut BTreeMap<String, BTreeSet<SessionId>> {
        match kind {
            WatchKind::Data => &mut self.data,
            WatchKind::Exists => &mut self.exists,
            WatchKind::Children => &mut self.children,
        }
    }
}
