//! ZAB invariants (the Zab paper and ZooKeeper's TLA+ spec), checked from trace events:
//!
//! - `one_leader_per_epoch`: at most one leader is established per epoch;
//! - `integrity`: a server delivers only transactions that were broadcast, as broadcast;
//! - `total_order` / `agreement`: any two servers' delivery sequences are prefixes of
//!   one another (one global sequence);
//! - `primary_order`: zxids are delivered in increasing order (local and global
//!   primary order);
//! - `primary_integrity`: a leader has delivered every earlier epoch's delivered
//!   transaction before it proposes in its own epoch;
//! - `committed_survives`: a delivered (committed) transaction is never truncated.

use crate::event::Event;
use crate::types::{Epoch, NodeId, Zxid};
use crate::zab::tree::Txn;
use std::collections::BTreeMap;

type Found = Vec<(&'static str, String, String)>;

#[derive(Clone, Debug, Default)]
pub struct ZabChecker {
    leaders: BTreeMap<Epoch, NodeId>,
    broadcast: BTreeMap<Zxid, Txn>,
    /// The one delivery sequence every server's must be a prefix of.
    global: Vec<Zxid>,
    /// How much of `global` each server has delivered.
    upto: BTreeMap<NodeId, usize>,
}

impl ZabChecker {
    pub fn leaders(&self) -> &BTreeMap<Epoch, NodeId> {
        &self.leaders
    }

    /// A server starts with `logged` proposals (a scenario's initial log), of which the
    /// first `delivered` were already applied.
    pub fn preload(&mut self, node: NodeId, logged: &[(Zxid, Txn)], delivered: usize) {
        for (i, (z, txn)) in logged.iter().enumerate() {
            self.broadcast.entry(*z).or_insert_with(|| txn.clone());
            if i < delivered && i == self.global.len() {
                self.global.push(*z);
            }
        }
        self.upto.insert(node, delivered);
    }

    pub fn observe(&mut self, node: Option<NodeId>, e: &Event, found: &mut Found) {
        let Some(n) = node else { return };
        match e {
            Event::LeaderEstablished { epoch } => self.on_established(n, *epoch, found),
            Event::Proposed { zxid, txn } => self.on_proposed(n, *zxid, txn, found),
            Event::Delivered { zxid, txn } => self.on_delivered(n, *zxid, txn, found),
            Event::Snapshot { zxid } => {
                let k = self.global.iter().position(|z| z == zxid).map(|i| i + 1).unwrap_or(0);
                self.upto.insert(n, k);
            }
            Event::Truncated { zxid } => self.on_truncated(n, *zxid, found),
            _ => {}
        }
    }

    fn on_established(&mut self, n: NodeId, epoch: Epoch, found: &mut Found) {
        match self.leaders.insert(epoch, n) {
            Some(other) if other != n => found.push((
                "one_leader_per_epoch",
                format!("epoch {epoch}"),
                format!("nodes {other} and {n} were both established as leader of epoch {epoch}"),
            )),
            _ => {}
        }
    }

    fn on_proposed(&mut self, n: NodeId, zxid: Zxid, txn: &Txn, found: &mut Found) {
        if let Some(old) = self.broadcast.insert(zxid, txn.clone()) {
            if &old != txn {
                found.push((
                    "integrity",
                    format!("zxid {zxid}"),
                    format!("zxid {zxid} was proposed twice with different transactions"),
                ));
            }
        }
        // `global` is in zxid order (or a violation was already reported).
        let earlier = self.global.partition_point(|z| z.epoch() < zxid.epoch());
        let had = self.upto.get(&n).copied().unwrap_or(0);
        if had < earlier {
            found.push((
                "primary_integrity",
                format!("node {n} epoch {}", zxid.epoch()),
                format!("node {n} proposes {zxid} having delivered {had} of the {earlier} earlier-epoch transactions"),
            ));
        }
    }

    fn on_delivered(&mut self, n: NodeId, zxid: Zxid, txn: &Txn, found: &mut Found) {
        if self.broadcast.get(&zxid) != Some(txn) {
            found.push((
                "integrity",
                format!("node {n} zxid {zxid}"),
                format!("node {n} delivered {zxid}, which was never broadcast as such"),
            ));
        }
        let k = self.upto.get(&n).copied().unwrap_or(0);
        if k > 0 && self.global.get(k - 1).is_some_and(|prev| *prev >= zxid) {
            let prev = self.global[k - 1];
            found.push(("primary_order", format!("node {n}"), format!("node {n} delivered {zxid} after {prev}")));
        }
        match self.global.get(k) {
            Some(z) if *z == zxid => {}
            Some(z) => {
                return found.push((
                    "agreement",
                    format!("position {k}"),
                    format!("node {n} delivered {zxid} as transaction #{} where others delivered {z}", k + 1),
                ));
            }
            None => self.global.push(zxid),
        }
        self.upto.insert(n, k + 1);
    }

    fn on_truncated(&mut self, n: NodeId, zxid: Zxid, found: &mut Found) {
        let k = self.upto.get(&n).copied().unwrap_or(0);
        if let Some(lost) = self.global[..k.min(self.global.len())].iter().find(|z| **z > zxid) {
            found.push((
                "committed_survives",
                format!("node {n} zxid {lost}"),
                format!("node {n} truncated its log to {zxid}, losing the delivered transaction {lost}"),
            ));
        }
    }
}
