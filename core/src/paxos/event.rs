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

/// Why a proposer's Promise changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ignored {
    /// It already had a majority of promises for this ballot and is in phase 2.
    HasMajority,
    /// It is for a ballot the proposer has given up (pre-empted, or retried higher).
    OldBallot,
    /// The proposer already knows the chosen value.
    Decided,
}

/// What an acceptor, a proposer or a learner did, as the trace writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PaxosEvent {
    /// An acceptor promised to ignore ballots below `ballot` (phase 1b).
    Promised { instance: Instance, ballot: Ballot },
    /// An acceptor accepted `value` at `ballot` (phase 2b).
    Accepted { instance: Instance, ballot: Ballot, value: Value },
    /// A learner learned that `value` was chosen: `accepted` of the `of` acceptors told
    /// it they accepted it at one ballot (both absent where not counted, as in older
    /// traces and in Multi-Paxos).
    Learned {
        instance: Instance,
        value: Value,
        #[serde(default, skip_serializing_if = "is_zero")]
        accepted: u32,
        #[serde(default, skip_serializing_if = "is_zero")]
        of: u32,
    },
    /// An acceptor refused a `phase` message at `ballot` because it promised `promised`.
    Rejected { instance: Instance, phase: Phase, ballot: Ballot, promised: Ballot },
    /// A proposer starts phase 1 with `ballot` (`attempt` counts its tries for this value).
    Preparing { instance: Instance, ballot: Ballot, attempt: u32 },
    /// A proposer has a majority of promises and must propose `value`. `from` is the
    /// ballot of the highest accepted value reported (rule P2c), or null if it is free
    /// to propose its own value. `promises` of the `of` acceptors promised (absent where
    /// not counted, as in older traces and in Multi-Paxos).
    Proposing {
        instance: Instance,
        ballot: Ballot,
        value: Value,
        from: Option<Ballot>,
        #[serde(default, skip_serializing_if = "is_zero")]
        promises: u32,
        #[serde(default, skip_serializing_if = "is_zero")]
        of: u32,
    },
    /// A proposer received a Promise that changes nothing, and says why.
    PromiseIgnored { instance: Instance, from: NodeId, ballot: Ballot, reason: Ignored },
    /// A majority of acceptors has accepted `value` at `ballot`: it is chosen, though no
    /// node knows it yet. Written by the checker, which sees every acceptor, at the step
    /// of the acceptance that made the majority (`accepted` of `of` acceptors).
    Chosen { instance: Instance, ballot: Ballot, value: Value, accepted: u32, of: u32 },
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
            PaxosEvent::PromiseIgnored { .. } => "promise_ignored",
            PaxosEvent::Chosen { .. } => "chosen",
        }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
