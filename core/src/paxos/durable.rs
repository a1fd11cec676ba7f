//! What a Paxos node keeps on disk, folded into one value: restart rebuilds the roles
//! from it, and a checkpoint is a copy of it, so the records before a checkpoint can go.

use super::msg::{AcceptedValue, PaxosDurable};
use super::PaxosNode;
use crate::node::Out;
use crate::types::Ballot;
use serde::{Deserialize, Serialize};

/// The state a node's records describe, applied in order: ballots only grow, and the
/// last accepted value wins (an acceptor accepts only at or above its promise).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// The highest round the proposer used, so a restarted one never reuses a ballot.
    pub round: u64,
    /// The acceptor's promise; accepting at a ballot promises it too.
    pub promised: Ballot,
    pub accepted: Option<AcceptedValue>,
}

impl Saved {
    pub fn from_records(records: &[PaxosDurable]) -> Saved {
        let mut saved = Saved::default();
        for r in records {
            saved.apply(r);
        }
        saved
    }

    pub fn apply(&mut self, record: &PaxosDurable) {
        match record {
            PaxosDurable::Promised { ballot } => self.promised = self.promised.max(*ballot),
            PaxosDurable::Accepted { ballot, value } => {
                self.promised = self.promised.max(*ballot);
                self.accepted = Some(AcceptedValue { ballot: *ballot, value: value.clone() });
            }
            PaxosDurable::Round { round } => self.round = self.round.max(*round),
            PaxosDurable::Checkpoint { round, promised, accepted } => {
                *self = Saved { round: *round, promised: *promised, accepted: accepted.clone() };
            }
        }
    }

    fn checkpoint(&self) -> PaxosDurable {
        PaxosDurable::Checkpoint { round: self.round, promised: self.promised, accepted: self.accepted.clone() }
    }
}

/// A node's writes. The checkpoint is built from what the node *wrote*, not from its
/// live fields: the proposer's round also grows with ballots it only heard of, and the
/// forgetful acceptor's promises were never written; a checkpoint must not make either
/// durable, or restarting from it would differ from replaying the records it replaces.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Journal {
    /// What every record written so far (recovered ones included) says.
    pub saved: Saved,
    /// Records written since the last checkpoint.
    pub unsaved: u64,
}

impl Journal {
    /// After a restart: the records after the last checkpoint count as unsaved, so a
    /// node that restarts often still checkpoints on time.
    pub fn recover(records: &[PaxosDurable]) -> Journal {
        let unsaved = crate::node::since_checkpoint::<PaxosNode>(records);
        Journal { saved: Saved::from_records(records), unsaved }
    }

    pub(super) fn write(&mut self, record: PaxosDurable, out: &mut Out<PaxosNode>) {
        self.saved.apply(&record);
        self.unsaved += 1;
        out.persist(record);
    }

    /// At the end of a handler, after the writes it reflects: a checkpoint once
    /// `every` records were written since the last one.
    pub(super) fn maybe_checkpoint(&mut self, every: u64, out: &mut Out<PaxosNode>) {
        if self.unsaved >= every {
            self.unsaved = 0;
            out.persist(self.saved.checkpoint());
        }
    }
}
