//! ZAB invariants (the Zab paper and ZooKeeper's TLA+ spec), checked from trace events:
//!
//! - `one_leader_per_epoch`: at most one leader is established per epoch;
//! - `integrity`: a zxid names one transaction (the first broadcast under it); a server
//!   delivers, and a leader commits, only transactions that were broadcast, as broadcast;
//! - `total_order` / `agreement`: any two servers' delivery sequences of (zxid,
//!   transaction) are prefixes of one another (one global sequence), and a snapshot
//!   starts a server at a position of that sequence;
//! - `primary_order`: zxids are delivered in increasing order (local and global
//!   primary order);
//! - `primary_integrity`: a leader has delivered every earlier epoch's delivered
//!   transaction before it proposes in its own epoch;
//! - `committed_survives`: a committed transaction (delivered by anyone, or committed
//!   by a leader's quorum) is on every later leader's history when it is established;
//!   no server truncates away, or installs a snapshot behind, a committed transaction
//!   it had delivered or logged.
//!
//! The checker sees events only. A follower's log is invisible to it (no event says
//! what a follower logged), so a follower's TRUNC is checked against what that server
//! delivered, and a (former) leader's against what it proposed.

use super::event::ZabEvent;
use super::tree::Txn;
use crate::event::Event;
use crate::sim::{Found, Invariants};
use crate::types::{Epoch, NodeId, Zxid};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct ZabChecker {
    leaders: BTreeMap<Epoch, NodeId>,
    /// The first transaction broadcast under each zxid; a later, different one under
    /// the same zxid is reported and never replaces it.
    broadcast: BTreeMap<Zxid, Arc<Txn>>,
    /// The one delivery sequence every server's must be a prefix of.
    global: Vec<(Zxid, Arc<Txn>)>,
    /// How much of `global` each server has delivered.
    upto: BTreeMap<NodeId, usize>,
    /// Zxids a leader committed with a quorum of ACKs (`committed` events); what was
    /// delivered is committed too, but that is in `global` already.
    committed: BTreeSet<Zxid>,
    /// What each server proposed as leader and still has in its log: the one part of a
    /// server's log the events show.
    proposed_by: BTreeMap<NodeId, BTreeSet<Zxid>>,
    /// `primary_integrity` still to check when a leader's establishment shows up: a
    /// leader's PROPOSAL (and its `proposed` event) goes out ahead of its own writes,
    /// so it can overtake the deliveries of its history, which wait for them.
    /// (leader, epoch) -> how many earlier-epoch transactions were delivered then.
    unchecked: BTreeMap<(NodeId, Epoch), usize>,
}

impl ZabChecker {
    /// The transaction first broadcast under `zxid`, for tests that compare logs.
    pub fn broadcast(&self, zxid: Zxid) -> Option<&Arc<Txn>> {
        self.broadcast.get(&zxid)
    }

    /// A server starts with `logged` proposals (a scenario's initial log), of which the
    /// first `delivered` were already applied.
    pub fn preload(&mut self, node: NodeId, logged: &[(Zxid, Arc<Txn>)], delivered: usize) {
        for (i, (z, txn)) in logged.iter().enumerate() {
            self.broadcast.entry(*z).or_insert_with(|| txn.clone());
            if i < delivered && i == self.global.len() {
                self.global.push((*z, txn.clone()));
            }
        }
        self.upto.insert(node, delivered);
    }

    /// Where `zxid` is in the global sequence.
    fn position(&self, zxid: Zxid) -> Option<usize> {
        self.global.iter().position(|(z, _)| *z == zxid)
    }

    fn delivered_by(&self, n: NodeId) -> &[(Zxid, Arc<Txn>)] {
        let k = self.upto.get(&n).copied().unwrap_or(0);
        &self.global[..k.min(self.global.len())]
    }

    fn on_established(&mut self, n: NodeId, epoch: Epoch, found: &mut Found) {
        if let Some(other) = self.leaders.insert(epoch, n).filter(|other| *other != n) {
            found.push((
                "one_leader_per_epoch",
                format!("epoch {epoch}"),
                format!("nodes {other} and {n} were both established as leader of epoch {epoch}"),
            ));
        }
        if let Some(earlier) = self.unchecked.remove(&(n, epoch)) {
            self.check_primary_integrity(n, epoch, earlier, found);
        }
        // A leader delivers its whole history just before it is established, so that
        // history is its delivered prefix. Whatever a quorum committed in an earlier
        // epoch must be in it: a quorum of its followers saw that quorum.
        let start = Zxid::new(epoch, 0);
        let had: BTreeSet<Zxid> = self.delivered_by(n).iter().map(|(z, _)| *z).collect();
        let committed = self.committed.iter().copied().chain(self.global.iter().map(|(z, _)| *z));
        if let Some(lost) = committed.filter(|z| *z < start).find(|z| !had.contains(z)) {
            found.push((
                "committed_survives",
                format!("zxid {lost}"),
                format!("node {n} was established as leader of epoch {epoch} without the committed transaction {lost}"),
            ));
        }
    }

    fn on_proposed(&mut self, n: NodeId, zxid: Zxid, txn: &Arc<Txn>, found: &mut Found) {
        let first = self.broadcast.entry(zxid).or_insert_with(|| txn.clone());
        if first != txn {
            found.push((
                "integrity",
                format!("zxid {zxid}"),
                format!("node {n} proposed a different transaction under zxid {zxid}, which names {first:?} already"),
            ));
        }
        self.proposed_by.entry(n).or_default().insert(zxid);
        // `global` is in zxid order (or a violation was already reported).
        let epoch = zxid.epoch();
        let earlier = self.global.partition_point(|(z, _)| z.epoch() < epoch);
        if self.leaders.get(&epoch) == Some(&n) {
            self.check_primary_integrity(n, epoch, earlier, found);
        } else {
            let e = self.unchecked.entry((n, epoch)).or_insert(earlier);
            *e = (*e).max(earlier);
        }
    }

    /// Leader `n` of `epoch` had delivered the `earlier` earlier-epoch transactions.
    fn check_primary_integrity(&mut self, n: NodeId, epoch: Epoch, earlier: usize, found: &mut Found) {
        let had = self.upto.get(&n).copied().unwrap_or(0);
        if had < earlier {
            found.push((
                "primary_integrity",
                format!("node {n} epoch {epoch}"),
                format!("node {n} proposes in epoch {epoch} having delivered {had} of the {earlier} earlier-epoch transactions"),
            ));
        }
    }

    fn on_committed(&mut self, n: NodeId, zxid: Zxid, found: &mut Found) {
        if !self.broadcast.contains_key(&zxid) {
            found.push((
                "integrity",
                format!("zxid {zxid}"),
                format!("node {n} committed {zxid}, which was never proposed"),
            ));
        }
        self.committed.insert(zxid);
    }

    fn on_delivered(&mut self, n: NodeId, zxid: Zxid, txn: &Arc<Txn>, found: &mut Found) {
        if self.broadcast.get(&zxid) != Some(txn) {
            found.push((
                "integrity",
                format!("node {n} zxid {zxid}"),
                format!("node {n} delivered {zxid}, which was never broadcast as such"),
            ));
        }
        let k = self.upto.get(&n).copied().unwrap_or(0);
        if let Some((prev, _)) = k.checked_sub(1).and_then(|i| self.global.get(i)).filter(|(p, _)| *p >= zxid) {
            found.push(("primary_order", format!("node {n}"), format!("node {n} delivered {zxid} after {prev}")));
        }
        match self.global.get(k) {
            Some((z, t)) if *z == zxid && t == txn => {}
            Some((z, t)) => {
                let what = if *z == zxid { format!("{zxid} as {txn:?}") } else { zxid.to_string() };
                let others = if *z == zxid { format!("{t:?}") } else { z.to_string() };
                return found.push((
                    "agreement",
                    format!("position {k}"),
                    format!("node {n} delivered {what} as transaction #{} where others delivered {others}", k + 1),
                ));
            }
            None => self.global.push((zxid, txn.clone())),
        }
        self.upto.insert(n, k + 1);
    }

    /// SNAP: the server's state becomes the global sequence up to `zxid`.
    fn on_snapshot(&mut self, n: NodeId, zxid: Zxid, found: &mut Found) {
        let at = if zxid == Zxid::ZERO { Some(0) } else { self.position(zxid).map(|i| i + 1) };
        let k = at.unwrap_or_else(|| {
            found.push((
                "agreement",
                format!("node {n} snapshot {zxid}"),
                format!("node {n} installed a snapshot at {zxid}, which is not on the delivered sequence"),
            ));
            self.global.partition_point(|(z, _)| *z <= zxid)
        });
        let had = self.upto.get(&n).copied().unwrap_or(0);
        if let Some((lost, _)) = self.global.get(k..had).and_then(|lost| lost.last()) {
            found.push((
                "committed_survives",
                format!("node {n} snapshot {zxid}"),
                format!("node {n} installed a snapshot at {zxid}, behind the transaction {lost} it had delivered"),
            ));
        }
        self.upto.insert(n, k);
        // A snapshot replaces the whole log.
        self.proposed_by.remove(&n);
    }

    fn on_truncated(&mut self, n: NodeId, zxid: Zxid, found: &mut Found) {
        if let Some((lost, _)) = self.delivered_by(n).iter().find(|(z, _)| *z > zxid) {
            found.push((
                "committed_survives",
                format!("node {n} zxid {lost}"),
                format!("node {n} truncated its log to {zxid}, losing the delivered transaction {lost}"),
            ));
        }
        let mine = self.proposed_by.get(&n).into_iter().flatten();
        if let Some(lost) = mine.filter(|z| **z > zxid).find(|z| self.committed.contains(z)) {
            found.push((
                "committed_survives",
                format!("node {n} zxid {lost}"),
                format!(
                    "node {n} truncated its log to {zxid}, losing {lost}, which it proposed and a quorum committed"
                ),
            ));
        }
        if let Some(p) = self.proposed_by.get_mut(&n) {
            p.retain(|z| *z <= zxid);
        }
    }
}

impl Invariants for ZabChecker {
    fn observe(&mut self, node: Option<NodeId>, e: &Event, found: &mut Found) {
        let Some(n) = node else { return };
        // Proposals it had not yet written are gone from its log: what the events show
        // of it is no longer known.
        if let Event::Crash { lost_writes: 1.. } = e {
            self.proposed_by.remove(&n);
        }
        match e.get::<ZabEvent>() {
            Some(ZabEvent::LeaderEstablished { epoch }) => self.on_established(n, *epoch, found),
            Some(ZabEvent::Proposed { zxid, txn }) => self.on_proposed(n, *zxid, txn, found),
            Some(ZabEvent::Committed { zxid, .. }) => self.on_committed(n, *zxid, found),
            Some(ZabEvent::Delivered { zxid, txn }) => self.on_delivered(n, *zxid, txn, found),
            Some(ZabEvent::Snapshot { zxid }) => self.on_snapshot(n, *zxid, found),
            Some(ZabEvent::Truncated { zxid, .. }) => self.on_truncated(n, *zxid, found),
            _ => {}
        }
    }

    fn leaders(&self) -> BTreeMap<Epoch, NodeId> {
        self.leaders.clone()
    }
}

#[cfg(test)]
#[path = "tests_check.rs"]
mod tests;
