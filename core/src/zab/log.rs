//! The server's history: the logged proposals after the last snapshot, what was
//! delivered, and rebuilding all of it from disk after a crash.

use super::event::ZabEvent;
use super::msg::{LogEntry, ZabDurable};
use super::tree::{DataTree, WatchEvent};
use super::ZabNode;
use crate::node::Out;
use crate::types::{Epoch, NodeId, Zxid};

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
                ZabDurable::AcceptedEpoch { epoch, leader } => {
                    self.accepted_epoch = *epoch;
                    self.accepted_from = *leader;
                }
                ZabDurable::CurrentEpoch { epoch } => self.current_epoch = *epoch,
                ZabDurable::Logged { entry } => {
                    self.note_origin(entry);
                    self.log.push(entry.clone());
                }
                ZabDurable::Truncated { zxid } => self.log.retain(|e| e.zxid <= *zxid),
                ZabDurable::Snapshot { zxid, tree } => {
                    self.tree = (**tree).clone();
                    self.snap_zxid = *zxid;
                    self.log.clear();
                    self.delivered = *zxid;
                }
                ZabDurable::Delivered { zxid } => self.delivered = *zxid,
                ZabDurable::Checkpoint { .. } => self.restore(r),
            }
        }
        let (from, upto) = (self.tree.last_zxid(), self.delivered);
        for e in self.log.iter().filter(|e| e.zxid > from && e.zxid <= upto) {
            self.tree.apply(e.zxid, e.time_ms, &e.txn);
        }
    }

    fn restore(&mut self, checkpoint: &ZabDurable) {
        let ZabDurable::Checkpoint { accepted_epoch, accepted_from, current_epoch, snap_zxid, log, delivered, tree } =
            checkpoint
        else {
            return;
        };
        (self.accepted_epoch, self.accepted_from, self.current_epoch) =
            (*accepted_epoch, *accepted_from, *current_epoch);
        (self.snap_zxid, self.delivered) = (*snap_zxid, *delivered);
        self.tree = (**tree).clone();
        self.log = log.clone();
        self.proposed_seq.clear();
        for e in log {
            self.note_origin(e);
        }
    }

    /// The whole durable state as one record.
    fn checkpoint(&self) -> ZabDurable {
        ZabDurable::Checkpoint {
            accepted_epoch: self.accepted_epoch,
            accepted_from: self.accepted_from,
            current_epoch: self.current_epoch,
            snap_zxid: self.snap_zxid,
            log: self.log.clone(),
            delivered: self.delivered,
            tree: Box::new(self.tree.clone()),
        }
    }

    /// Write `record`.
    fn write(&mut self, record: ZabDurable, out: &mut Out<Self>) {
        self.unsaved += 1;
        out.persist(record);
    }

    /// At the end of a handler: a checkpoint once enough records were written since
    /// the last, so the records a runtime keeps stay bounded. A checkpoint copies the
    /// whole log, so it also waits for as many records as the log holds: its cost per
    /// record stays constant however long the log grows.
    pub(super) fn maybe_checkpoint(&mut self, out: &mut Out<Self>) {
        if self.unsaved >= self.config.checkpoint_every.max(self.log.len() as u64) {
            self.unsaved = 0;
            self.trim_log();
            out.persist(self.checkpoint());
        }
    }

    /// Forget the proposals the tree holds already, but for the last `committed_log_max`
    /// delivered ones, which a leader sends a learner a little behind (ZooKeeper's
    /// `committedLog`); a learner further behind gets a SNAP. Without this the log, in
    /// memory and in every checkpoint, would grow for as long as the server runs.
    fn trim_log(&mut self) {
        let delivered = self.index_after(self.delivered);
        let cut = delivered.saturating_sub(self.config.committed_log_max);
        if cut > 0 {
            self.snap_zxid = self.log[cut - 1].zxid;
            self.log.drain(..cut);
        }
    }

    /// Accept `epoch` as proposed by `leader`, durably (before acknowledging it).
    pub(super) fn set_accepted_epoch(&mut self, epoch: Epoch, leader: NodeId, out: &mut Out<Self>) {
        self.accepted_epoch = epoch;
        self.accepted_from = Some(leader);
        self.write(ZabDurable::AcceptedEpoch { epoch, leader: Some(leader) }, out);
    }

    pub(super) fn set_current_epoch(&mut self, epoch: Epoch, out: &mut Out<Self>) {
        self.current_epoch = epoch;
        self.write(ZabDurable::CurrentEpoch { epoch }, out);
    }

    /// Log a proposal durably (before it is acknowledged).
    pub(super) fn append(&mut self, entry: LogEntry, out: &mut Out<Self>) {
        debug_assert!(entry.zxid > self.last_zxid(), "node {}: log out of order at {}", self.id, entry.zxid);
        self.write(ZabDurable::Logged { entry: entry.clone() }, out);
        self.note_origin(&entry);
        self.log.push(entry);
    }

    fn note_origin(&mut self, entry: &LogEntry) {
        if let Some(o) = entry.origin {
            let seq = self.proposed_seq.entry((o.server, o.client)).or_default();
            *seq = (*seq).max(o.seq);
        }
    }

    /// TRUNC: drop every logged proposal after `zxid`.
    pub(super) fn truncate(&mut self, zxid: Zxid, out: &mut Out<Self>) {
        let before = self.log.len();
        self.log.retain(|e| e.zxid <= zxid);
        self.write(ZabDurable::Truncated { zxid }, out);
        let removed = Some((before - self.log.len()) as u64);
        out.emit(ZabEvent::Truncated { zxid: self.last_zxid(), removed });
    }

    /// SNAP: take the leader's tree as it was at `zxid`. The clients connected here keep
    /// their watches (ZooKeeper's would re-register them), so those the snapshot changed
    /// fire now, as the deliveries it replaces would have fired them.
    pub(super) fn install_snapshot(&mut self, zxid: Zxid, tree: DataTree, out: &mut Out<Self>) {
        self.write(ZabDurable::Snapshot { zxid, tree: Box::new(tree.clone()) }, out);
        let fired = self.tree.install(tree);
        self.snap_zxid = zxid;
        self.log.clear();
        self.delivered = zxid;
        out.emit(ZabEvent::Snapshot { zxid });
        self.emit_watches(fired, out);
        // Sessions the snapshot no longer has were closed while we were away.
        let tree = &self.tree;
        self.clients.sessions.retain(|_, s| tree.has_session(*s));
    }

    /// Tell this server's clients about their fired watches; a session with no client
    /// here (connected elsewhere) gets nothing from this server.
    pub(super) fn emit_watches(&self, fired: Vec<WatchEvent>, out: &mut Out<Self>) {
        for w in fired {
            if let Some((&client, _)) = self.clients.sessions.iter().find(|(_, s)| **s == w.session) {
                out.emit_ahead(ZabEvent::Watch { client, kind: w.kind, path: w.path });
            }
        }
    }

    /// Where the proposals after `zxid` start in the log (it is sorted by zxid).
    pub(super) fn index_after(&self, zxid: Zxid) -> usize {
        self.log.partition_point(|e| e.zxid <= zxid)
    }

    /// Proposals logged after `after` up to `upto`, in order.
    pub(super) fn entries_between(&self, after: Zxid, upto: Zxid) -> Vec<LogEntry> {
        let (from, to) = (self.index_after(after), self.index_after(upto));
        self.log[from..to.max(from)].to_vec()
    }

    /// The oldest zxid a learner may have for us to DIFF from it (ZooKeeper's
    /// minCommittedLog): we keep a committedLog window of `committed_log_max` proposals,
    /// and what we have not delivered yet is all still in our log.
    pub(super) fn diff_base(&self) -> Zxid {
        let k = self.config.committed_log_max;
        let window = if self.log.len() > k { self.log[self.log.len() - k - 1].zxid } else { self.snap_zxid };
        window.min(self.delivered)
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
            self.write(ZabDurable::Delivered { zxid: e.zxid }, out);
            out.emit(ZabEvent::Delivered { zxid: e.zxid, txn: e.txn.clone() });
            self.after_delivery(&e, result, watches, out);
        }
    }
}
