//! What a Multi-Paxos node writes, rebuilding it from disk after a crash, and the
//! checkpoints that keep its records bounded.

use super::msg::{MultiPaxosDurable, SlotValue};
use super::MultiPaxosNode;
use crate::node::Out;

impl MultiPaxosNode {
    /// Apply one record at restart: ballots only grow, each slot keeps its last
    /// acceptance, a checkpoint replaces everything before it.
    pub(super) fn recover(&mut self, r: &MultiPaxosDurable) {
        match r {
            MultiPaxosDurable::Promised { ballot } => self.promised = self.promised.max(*ballot),
            MultiPaxosDurable::Accepted { slot, ballot, entry } => {
                self.promised = self.promised.max(*ballot);
                self.accepted.insert(*slot, (*ballot, entry.clone()));
            }
            MultiPaxosDurable::Chosen { slot, entry } => {
                self.chosen.insert(*slot, entry.clone());
            }
            MultiPaxosDurable::Round { round } => self.saved_round = self.saved_round.max(*round),
            MultiPaxosDurable::Checkpoint { round, promised, accepted, chosen } => {
                (self.saved_round, self.promised) = (*round, *promised);
                self.accepted = accepted.iter().map(|sv| (sv.slot, (sv.ballot, sv.entry.clone()))).collect();
                self.chosen = chosen.iter().cloned().collect();
            }
        }
        self.max_round = self.saved_round.max(self.promised.round);
    }

    /// The whole durable state as one record. The acceptor's and learner's fields are
    /// exactly what their records say (each change is written); of the proposer only
    /// the highest round written survives, not the rounds it merely heard of.
    fn checkpoint(&self) -> MultiPaxosDurable {
        MultiPaxosDurable::Checkpoint {
            round: self.saved_round,
            promised: self.promised,
            accepted: self
                .accepted
                .iter()
                .map(|(slot, (ballot, entry))| SlotValue { slot: *slot, ballot: *ballot, entry: entry.clone() })
                .collect(),
            chosen: self.chosen.iter().map(|(slot, entry)| (*slot, entry.clone())).collect(),
        }
    }

    /// Write `record`.
    pub(super) fn write(&mut self, record: MultiPaxosDurable, out: &mut Out<Self>) {
        self.unsaved += 1;
        out.persist(record);
    }

    /// At the end of a handler, after the writes it reflects: a checkpoint once enough
    /// records were written since the last, so the records a runtime keeps stay bounded.
    /// A checkpoint copies every accepted and chosen slot, so it also waits for as many
    /// records as it would copy: its cost per record stays constant as the log grows.
    pub(super) fn maybe_checkpoint(&mut self, out: &mut Out<Self>) {
        let size = (self.accepted.len() + self.chosen.len()) as u64;
        if self.unsaved >= self.config.checkpoint_every.max(size) {
            self.unsaved = 0;
            out.persist(self.checkpoint());
        }
    }
}
