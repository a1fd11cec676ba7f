//! Paxos' trace events (Multi-Paxos emits them too, with `instance` a slot).

use crate::event::EventKind;
use crate::types::{Ballot, Instance, NodeId, Value};
use serde::{Deserialize, Serialize};

/// Which Paxos phase a message belonged to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Prepare,
    Accept,
}

/// What an acceptor, a proposer or a learner did, as the trace writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PaxosEvent {
    /// An acceptor promised to ignore ballots below `ballot` (phase 1b).
    Promised { instance: Instance, ballot: Ballot },
    /// An acceptor accepted `value` at `ballot` (phase 2b).
    Accepted { instance: Instance, ballot: Ballot, value: Value },
    /// A learner learned that `value` was chosen.
    Learned { instance: Instance, value: Value },
    /// An acceptor refused a `phase` message at `ballot` because it promised `promised`.
    Rejected { instance: Instance, phase: Phase, ballot: Ballot, promised: Ballot },
    /// A proposer starts phase 1 with `ballot` (`attempt` counts its tries for this value).
    Preparing { instance: Instance, ballot: Ballot, attempt: u32 },
    /// A proposer has a majority of promises and must propose `value`. `from` is the
    /// ballot of the highest accepted value reported (rule P2c), or null if it is free
    /// to propose its own value.
    Proposing { instance: Instance, ballot: Ballot, value: Value, from: Option<Ballot> },
    /// A proposer learned that `by` pre-empted its `ballot`.
    Preempted { instance: Instance, ballot: Ballot, by: Ballot, streak: u32 },
    /// A non-distinguished proposer hands its value to the distinguished one.
    Forwarded { value: Value, to: NodeId },
}

impl EventKind for PaxosEvent {
    fn kind(&self) -> &'static str {
        match self {
            PaxosEvent::Promised { .. } => "promised",
            PaxosEvent::Accepted { .. } => "accepted",
            PaxosEvent::Learned { .. } => "learned",
            PaxosEvent::Rejected { .. } => "rejected",
            PaxosEvent::Preparing { .. } => "preparing",
            PaxosEvent::Proposing { .. } => "proposing",
            PaxosEvent::Preempted { .. } => "preempted",
            PaxosEvent::Forwarded { .. } => "forwarded",
        }
    }
}
