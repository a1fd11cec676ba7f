//! Taking a whole tree from the leader (SNAP) without losing this server's watches.
//!
//! A snapshot carries no watches, yet the clients connected here still count on theirs.
//! ZooKeeper's client re-registers them after a reconnect (SetWatches, with the last
//! zxid it saw) and the server at once fires each one whose node changed since then
//! (`DataTree.setWatches`). Here the server keeps its watches across the snapshot and
//! compares each watched node in the old tree with the new one, which gives the same
//! events: the client learns of every change it would otherwise have missed.

use super::watch::Change;
use super::{DataTree, WatchEvent, Znode};

/// The change a client watching `path` missed, old node to new node; `None` when the
/// node is the same. Comparing zxids (not only data) sees a node deleted and created
/// again, as ZooKeeper's `mzxid`/`pzxid` comparison does.
fn node_change(path: &str, old: Option<&Znode>, new: Option<&Znode>) -> Option<Change> {
    match (old, new) {
        (None, None) => None,
        (None, Some(_)) => Some(Change::Created(path.to_string())),
        (Some(_), None) => Some(Change::Deleted(path.to_string())),
        (Some(o), Some(n)) => {
            let changed = o.stat.czxid != n.stat.czxid || o.stat.mzxid != n.stat.mzxid || o.data != n.data;
            changed.then(|| Change::DataChanged(path.to_string()))
        }
    }
}

fn children_change(path: &str, old: Option<&Znode>, new: Option<&Znode>) -> Option<Change> {
    let (o, n) = (old?, new?);
    let changed = o.stat.pzxid != n.stat.pzxid || o.children != n.children;
    changed.then(|| Change::ChildrenChanged(path.to_string()))
}

impl DataTree {
    /// SNAP: become `snapshot` (the leader's tree), keep this server's watches, and fire
    /// those whose node differs between the two trees: a data watch on a changed or
    /// deleted node, an exists watch on a created, changed or deleted one, a children
    /// watch on a node whose children changed or that was deleted, with the event kinds
    /// [`DataTree::apply`] would have fired. Watches of sessions the snapshot no longer
    /// has are dropped unfired, as applying their `CloseSession` would have done.
    ///
    /// Order: by session, then node events in path order, then children events in path
    /// order. The snapshot's own watches, if any, are ignored: they are another server's.
    pub fn install(&mut self, snapshot: DataTree) -> Vec<WatchEvent> {
        let mut watches = std::mem::take(&mut self.watches);
        for session in watches.sessions() {
            if !snapshot.has_session(session) {
                watches.remove_session(session);
            }
        }
        let mut changes = Vec::new();
        let mut children = Vec::new();
        for path in watches.paths() {
            let (old, new) = (self.nodes.get(&path), snapshot.nodes.get(&path));
            changes.extend(node_change(&path, old, new));
            children.extend(children_change(&path, old, new));
        }
        changes.extend(children);
        *self = snapshot;
        self.watches = watches;
        self.watches.fire(&changes)
    }
}
