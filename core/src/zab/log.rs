//! The server's history: the logged proposals after the last snapshot, what was
//! delivered, and rebuilding all of it from disk after a crash.

use super::msg::{LogEntry, ZabDurable};
use super::tree::DataTree;
use super::ZabNode;
use crate::event::Event;
use crate::node::Out;
use crate::types::{Epoch, Zxid};

impl ZabNode {
    /// The zxid of the last proposal this server logged.
    pub fn last_zxid(&self) -> Zxid {
        self.log.last().map(|e| e.zxid).unwrap_or(self.snap_zxid)
    }

    /// Rebuild from persisted records: epochs, log, snapshot, delivery mark; then the
    /// tree is replayed from the snapshot through the delivered part of the log.
    pub(super) fn recover(&mut self, records: &[ZabDurable]) {
        for r in records {
            match r {
                ZabDurable::AcceptedEpoch { epoch } => self.accepted_epoch = *epoch,
                ZabDurable::CurrentEpoch { epoch } => self.current_epoch = *epoch,
                ZabDurable::Logged { entry } => self.log.push(entry.clone()),
                ZabDurable::Truncated { zxid } => self.log.retain(|e| e.zxid <= *zxid),
                ZabDurable::Snapshot { zxid, tree } => {
                    self.tree = (**tree).clone();
                    self.snap_zxid = *zxid;
                    self.log.clear();
                    self.delivered = *zxid;
                }
                ZabDurable::Delivered { zxid } => self.delivered = *zxid,
            }
        }
        let (from, upto) = (self.tree.last_zxid(), self.delivered);
        for e in self.log.iter().filter(|e| e.zxid > from && e.zxid <= upto) {
            self.tree.apply(e.zxid, e.time_ms, &e.txn);
        }
    }

    pub(super) fn set_accepted_epoch(&mut self, epoch: Epoch, out: &mut Out<Self>) {
        self.accepted_epoch = epoch;
        out.persist(ZabDurable::AcceptedEpoch { epoch });
    }

    pub(super) fn set_current_epoch(&mut self, epoch: Epoch, out: &mut Out<Self>) {
        self.current_epoch = epoch;
        out.persist(ZabDurable::CurrentEpoch { epoch });
    }

    /// Log a proposal durably (before it is acknowledged).
    pub(super) fn append(&mut self, entry: LogEntry, out: &mut Out<Self>) {
        debug_assert!(entry.zxid > self.last_zxid(), "node {}: log out of order at {}", self.id, entry.zxid);
        out.persist(ZabDurable::Logged { entry: entry.clone() });
        self.log.push(entry);
    }

    /// TRUNC: drop every logged proposal after `zxid`.
    pub(super) fn truncate(&mut self, zxid: Zxid, out: &mut Out<Self>) {
        self.log.retain(|e| e.zxid <= zxid);
        out.persist(ZabDurable::Truncated { zxid });
        out.emit(Event::Truncated { zxid: self.last_zxid() });
    }

    /// SNAP: take the leader's tree as it was at `zxid`.
    pub(super) fn install_snapshot(&mut self, zxid: Zxid, tree: DataTree, out: &mut Out<Self>) {
        out.persist(ZabDurable::Snapshot { zxid, tree: Box::new(tree.clone()) });
        self.tree = tree;
        self.snap_zxid = zxid;
        self.log.clear();
        self.delivered = zxid;
        out.emit(Event::Snapshot { zxid });
    }

    /// Where the proposals after `zxid` start in the log (it is sorted by zxid).
    fn index_after(&self, zxid: Zxid) -> usize {
        self.log.partition_point(|e| e.zxid <= zxid)
    }

    /// Proposals logged after `zxid`, in order.
    pub(super) fn entries_after(&self, zxid: Zxid) -> Vec<LogEntry> {
        self.log[self.index_after(zxid)..].to_vec()
    }

    pub(super) fn has_logged(&self, zxid: Zxid) -> bool {
        zxid == self.snap_zxid || self.log.binary_search_by_key(&zxid, |e| e.zxid).is_ok()
    }

    /// Deliver (apply, in order) every logged proposal up to `zxid`.
    pub(super) fn deliver_upto(&mut self, zxid: Zxid, out: &mut Out<Self>) {
        let (from, to) = (self.index_after(self.delivered), self.index_after(zxid));
        let ready: Vec<LogEntry> = self.log[from..to.max(from)].to_vec();
        for e in ready {
            let (result, watches) = self.tree.apply(e.zxid, e.time_ms, &e.txn);
            self.delivered = e.zxid;
            out.persist(ZabDurable::Delivered { zxid: e.zxid });
            out.emit(Event::Delivered { zxid: e.zxid, txn: e.txn.clone() });
            self.after_delivery(&e, result, watches, out);
        }
    }
}
