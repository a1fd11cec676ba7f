//! Applying committed transactions: the deterministic heart of the replicated tree.
//!
//! Each operation first checks everything that could fail and only then changes the tree,
//! so a failing single op changes nothing. A multi needs more: its third op may fail after
//! the first two changed the tree. Every op of a multi therefore saves the nodes it is
//! about to touch in an undo log (see [`Applying`]), and a failure restores them in
//! reverse order, as a database rolls back. That gives ZooKeeper's all-or-nothing `multi`
//! without copying the whole tree for every multi.

use super::path;
use super::stat::{data_len, Znode};
use super::watch::Change;
use super::{DataTree, SessionInfo, Txn, TxnResult, ZkError};
use crate::types::{SessionId, Zxid};
use std::collections::BTreeMap;

/// The arguments of a create, borrowed from its `Txn`.
struct Create<'a> {
    path: &'a str,
    data: &'a str,
    ephemeral: bool,
    sequential: bool,
    session: SessionId,
}

/// One transaction being applied: its zxid and time, the changes made so far (for the
/// watches), and, inside a multi, the undo log.
pub(super) struct Applying {
    zxid: Zxid,
    time_ms: u64,
    pub(super) changes: Vec<Change>,
    /// Nodes as they were before the multi changed them (`None`: did not exist). `None`
    /// outside a multi, where a failing op has changed nothing and nothing needs undoing.
    undo: Option<Vec<(String, Option<Znode>)>>,
}

impl Applying {
    pub(super) fn new(zxid: Zxid, time_ms: u64) -> Applying {
        Applying { zxid, time_ms, changes: Vec::new(), undo: None }
    }
    /// Remember `path` as it is now. Saving a node twice is harmless: undoing in reverse
    /// order restores the oldest copy last.
    fn save(&mut self, nodes: &BTreeMap<String, Znode>, path: &str) {
        if let Some(saved) = &mut self.undo {
            saved.push((path.to_string(), nodes.get(path).cloned()));
        }
    }
}

/// `None` (ZooKeeper's -1) matches any version; so does an explicit -1, as in ZooKeeper.
fn check_version(expected: Option<i32>, actual: i32) -> Result<(), ZkError> {
    match expected {
        Some(v) if v != -1 && v != actual => Err(ZkError::BadVersion),
        _ => Ok(()),
    }
}

impl DataTree {
    /// Apply a session or tree transaction.
    pub(super) fn apply_txn(&mut self, at: &mut Applying, txn: &Txn) -> TxnResult {
        match txn {
            Txn::CreateSession { session, timeout_ms } => {
                // A repeated CreateSession (a client reconnecting) keeps the session and
                // takes the new timeout, as ZooKeeper's session tracker does.
                self.sessions.insert(*session, SessionInfo { timeout_ms: *timeout_ms });
                TxnResult::SessionCreated
            }
            Txn::CloseSession { session } => self.close_session(at, *session),
            Txn::Multi { ops } => self.apply_multi(at, ops),
            Txn::Error { error } => TxnResult::Error(*error),
            op => self.apply_op(at, op).unwrap_or_else(TxnResult::Error),
        }
    }

    /// Apply one tree operation (one that may appear in a multi).
    fn apply_op(&mut self, at: &mut Applying, op: &Txn) -> Result<TxnResult, ZkError> {
        match op {
            Txn::Create { path, data, ephemeral, sequential, session } => {
                let args = Create { path, data, ephemeral: *ephemeral, sequential: *sequential, session: *session };
                self.create(at, &args)
            }
            Txn::Delete { path, version } => self.delete(at, path, *version),
            Txn::SetData { path, data, version } => self.set_data(at, path, data, *version),
            Txn::Check { path, version } => {
                path::validate(path)?;
                let node = self.nodes.get(path.as_str()).ok_or(ZkError::NoNode)?;
                check_version(*version, node.stat.version)?;
                Ok(TxnResult::Checked)
            }
            // Sessions and nested multis are not ops of a multi (ZooKeeper refuses them too).
            Txn::CreateSession { .. } | Txn::CloseSession { .. } | Txn::Multi { .. } | Txn::Error { .. } => {
                Err(ZkError::BadArguments)
            }
        }
    }

    /// Apply every op or none: on the first error, undo what the earlier ops did and
    /// forget their changes, so no watch fires.
    fn apply_multi(&mut self, at: &mut Applying, ops: &[Txn]) -> TxnResult {
        at.undo = Some(Vec::new());
        let mut results = Vec::with_capacity(ops.len());
        for (index, op) in ops.iter().enumerate() {
            match self.apply_op(at, op) {
                Ok(result) => results.push(result),
                Err(error) => {
                    self.roll_back(at.undo.take().unwrap_or_default());
                    at.changes.clear();
                    return TxnResult::MultiError { index, error };
                }
            }
        }
        TxnResult::Multi(results)
    }

    fn roll_back(&mut self, saved: Vec<(String, Option<Znode>)>) {
        for (path, old) in saved.into_iter().rev() {
            if let Some(current) = self.nodes.remove(&path) {
                self.unindex_ephemeral(&path, &current);
            }
            if let Some(old) = old {
                self.index_ephemeral(&path, &old);
                self.nodes.insert(path, old);
            }
        }
    }

    /// ZooKeeper checks in this order: path, session, parent, ephemeral parent, existence.
    fn create(&mut self, at: &mut Applying, c: &Create<'_>) -> Result<TxnResult, ZkError> {
        path::validate_create(c.path, c.sequential)?;
        if c.ephemeral && !self.sessions.contains_key(&c.session) {
            return Err(ZkError::SessionExpired);
        }
        if c.path == "/" && !c.sequential {
            return Err(ZkError::NodeExists); // the root always exists
        }
        let (parent_path, _) = path::split(c.path);
        let parent = self.nodes.get(parent_path).ok_or(ZkError::NoNode)?;
        if parent.stat.is_ephemeral() {
            return Err(ZkError::NoChildrenForEphemerals);
        }
        let path = match c.sequential {
            // ZooKeeper's `String.format("%010d", parentCVersion)`: Rust pads the same way.
            true => format!("{}{:010}", c.path, parent.stat.child_creations()),
            false => c.path.to_string(),
        };
        if self.nodes.contains_key(&path) {
            return Err(ZkError::NodeExists);
        }
        at.save(&self.nodes, parent_path);
        at.save(&self.nodes, &path);
        let node = Znode::new(c.data.to_string(), at.zxid, at.time_ms, c.ephemeral.then_some(c.session));
        self.index_ephemeral(&path, &node);
        self.nodes.insert(path.clone(), node);
        let parent = self.nodes.get_mut(parent_path).expect("checked above");
        parent.children.insert(path::split(&path).1.to_string());
        parent.children_changed(at.zxid);
        at.changes.push(Change::Created(path.clone()));
        at.changes.push(Change::ChildrenChanged(parent_path.to_string()));
        Ok(TxnResult::Created { path })
    }

    fn delete(&mut self, at: &mut Applying, path: &str, version: Option<i32>) -> Result<TxnResult, ZkError> {
        path::validate(path)?;
        if path == "/" {
            return Err(ZkError::BadArguments); // the root cannot go
        }
        let node = self.nodes.get(path).ok_or(ZkError::NoNode)?;
        check_version(version, node.stat.version)?;
        if !node.children.is_empty() {
            return Err(ZkError::NotEmpty);
        }
        at.save(&self.nodes, path);
        at.save(&self.nodes, path::split(path).0);
        self.detach(at, path);
        Ok(TxnResult::Deleted)
    }

    fn set_data(
        &mut self,
        at: &mut Applying,
        path: &str,
        data: &str,
        version: Option<i32>,
    ) -> Result<TxnResult, ZkError> {
        path::validate(path)?;
        let node = self.nodes.get(path).ok_or(ZkError::NoNode)?;
        check_version(version, node.stat.version)?;
        at.save(&self.nodes, path);
        let node = self.nodes.get_mut(path).expect("checked above");
        node.data = data.to_string();
        node.stat.version = node.stat.version.wrapping_add(1);
        node.stat.mzxid = at.zxid;
        node.stat.mtime_ms = at.time_ms;
        node.stat.data_length = data_len(data);
        at.changes.push(Change::DataChanged(path.to_string()));
        Ok(TxnResult::Stat(node.stat))
    }

    /// End a session: forget its watches first (its client is gone, so the events its own
    /// ephemerals' deletion fires are not for it), then delete its ephemerals in path order.
    fn close_session(&mut self, at: &mut Applying, session: SessionId) -> TxnResult {
        if self.sessions.remove(&session).is_none() {
            return TxnResult::Error(ZkError::SessionExpired);
        }
        self.watches.remove_session(session);
        let deleted: Vec<String> = self.ephemerals.remove(&session).unwrap_or_default().into_iter().collect();
        for path in &deleted {
            // Ephemerals are leaves (NoChildrenForEphemerals), so no check is needed.
            self.detach(at, path);
        }
        TxnResult::SessionClosed { deleted }
    }

    /// Remove an existing leaf and update its parent, as ZooKeeper's `deleteNode`.
    fn detach(&mut self, at: &mut Applying, path: &str) {
        let node = self.nodes.remove(path).expect("detach: the node exists");
        debug_assert!(node.children.is_empty(), "detach: {path} is a leaf");
        self.unindex_ephemeral(path, &node);
        let (parent_path, name) = path::split(path);
        let parent = self.nodes.get_mut(parent_path).expect("detach: every node's parent exists");
        parent.children.remove(name);
        parent.children_changed(at.zxid);
        at.changes.push(Change::Deleted(path.to_string()));
        at.changes.push(Change::ChildrenChanged(parent_path.to_string()));
    }

    fn index_ephemeral(&mut self, path: &str, node: &Znode) {
        if let Some(owner) = node.stat.ephemeral_owner {
            self.ephemerals.entry(owner).or_default().insert(path.to_string());
        }
    }

    fn unindex_ephemeral(&mut self, path: &str, node: &Znode) {
        let Some(owner) = node.stat.ephemeral_owner else { return };
        if let Some(paths) = self.ephemerals.get_mut(&owner) {
            paths.remove(path);
            if paths.is_empty() {
                self.ephemerals.remove(&owner);
            }
        }
    }
}
