//! Basic Paxos messages, named as in *Paxos Made Simple*.

use crate::types::{Ballot, Value};
use serde::{Deserialize, Serialize};

/// A value an acceptor accepted, and the ballot it accepted it at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedValue {
    pub ballot: Ballot,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PaxosMsg {
    /// Phase 1a: "promise me not to accept ballots below `ballot`".
    Prepare { ballot: Ballot },
    /// Phase 1b: the promise, with the highest-ballot value the acceptor accepted.
    Promise { ballot: Ballot, accepted: Option<AcceptedValue> },
    /// Phase 2a: "accept `value` at `ballot`".
    Accept { ballot: Ballot, value: Value },
    /// Phase 2b: sent to the proposer and every learner.
    Accepted { ballot: Ballot, value: Value },
    /// Refusal of a Prepare or Accept at `ballot`: the acceptor promised `promised`.
    Nack { ballot: Ballot, promised: Ballot },
    /// A client's value handed to the distinguished proposer.
    Forward { value: Value },
}

/// Records a Paxos node persists before it answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PaxosDurable {
    Promised {
        ballot: Ballot,
    },
    Accepted {
        ballot: Ballot,
        value: Value,
    },
    /// The highest round this proposer used, so a restarted proposer never reuses a
    /// ballot with a different value.
    Round {
        round: u64,
    },
    /// The whole durable state (what every earlier record says), written every
    /// `checkpoint_every` records: once it is durable the records before it can go.
    Checkpoint {
        round: u64,
        promised: Ballot,
        accepted: Option<AcceptedValue>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaxosTimer {
    /// A pre-empted proposer waits, then prepares again.
    Retry,
    /// No progress in this phase (messages lost): start over with a higher ballot.
    Progress,
}
