//! Multi-Paxos messages: the Basic Paxos ones with slots, plus a leader's heartbeat,
//! the announcement of chosen slots, catch-up and client forwarding.

use crate::types::{Ballot, ClientId, Instance, NodeId, Value};
use serde::{Deserialize, Serialize};

/// Who asked for a command: replies and exactly-once application use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Origin {
    pub node: NodeId,
    pub client: ClientId,
    pub seq: u64,
}

/// A log entry: a client's command, or a no-op that fills a gap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub value: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl Entry {
    pub fn noop() -> Entry {
        Entry { value: Value::Noop, origin: None }
    }
}

/// An acceptance reported in a promise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotValue {
    pub slot: Instance,
    pub ballot: Ballot,
    pub entry: Entry,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum MultiPaxosMsg {
    /// Phase 1a for every slot from `from_slot` on: run once per leadership.
    Prepare {
        ballot: Ballot,
        from_slot: Instance,
    },
    /// Phase 1b: everything accepted at or after `from_slot`.
    Promise {
        ballot: Ballot,
        accepted: Vec<SlotValue>,
    },
    /// Phase 2a for one slot.
    Accept {
        ballot: Ballot,
        slot: Instance,
        entry: Entry,
    },
    /// Phase 2b, to the leader.
    Accepted {
        ballot: Ballot,
        slot: Instance,
    },
    Nack {
        ballot: Ballot,
        promised: Ballot,
    },
    /// The leader tells everyone a slot is chosen (the learners' message).
    Chosen {
        slot: Instance,
        entry: Entry,
    },
    /// The leader is alive; `chosen_upto` is its first slot not yet chosen.
    Heartbeat {
        ballot: Ballot,
        chosen_upto: Instance,
    },
    /// A follower that missed `Chosen` messages asks for those from `from_slot` on.
    CatchUp {
        from_slot: Instance,
    },
    /// A client command sent on to the leader.
    Forward {
        entry: Entry,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MultiPaxosDurable {
    Promised {
        ballot: Ballot,
    },
    Accepted {
        slot: Instance,
        ballot: Ballot,
        entry: Entry,
    },
    Chosen {
        slot: Instance,
        entry: Entry,
    },
    Round {
        round: u64,
    },
    /// The whole durable state, written every `checkpoint_every` records: once it is
    /// durable the records before it can go.
    Checkpoint {
        round: u64,
        promised: Ballot,
        accepted: Vec<SlotValue>,
        chosen: Vec<(Instance, Entry)>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MultiPaxosTimer {
    /// No word from a leader for this long: run phase 1.
    LeaderTimeout,
    /// The leader's heartbeat period.
    Heartbeat,
    /// Re-send unanswered Prepare / Accept messages.
    Resend,
}
