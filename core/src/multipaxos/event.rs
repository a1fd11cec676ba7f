//! Multi-Paxos' own trace event, its role changes; the rest are Paxos' events
//! (`paxos::PaxosEvent`), with `instance` a slot.

use crate::event::EventKind;
use serde::{Deserialize, Serialize};

/// A node's role as the trace writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MultiPaxosState {
    /// Running phase 1 for every open slot.
    Candidate,
    Leading,
    Following,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum MultiPaxosEvent {
    /// The node's role changed; `round` is its ballot round (absent when none).
    State {
        state: MultiPaxosState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        round: Option<u64>,
    },
}

impl EventKind for MultiPaxosEvent {
    fn kind(&self) -> &'static str {
        match self {
            MultiPaxosEvent::State { .. } => "state",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::paxos::PaxosEvent;

    #[test]
    fn its_events_read_back_as_its_own_and_paxos_ones() {
        for state in [r#"{"type":"state","state":"LEADING","round":2}"#, r#"{"type":"state","state":"FOLLOWING"}"#] {
            let e: Event = serde_json::from_str(state).unwrap();
            assert!(e.get::<MultiPaxosEvent>().is_some(), "{e:?}");
            assert_eq!(serde_json::to_string(&e).unwrap(), state);
        }
        let learned = r#"{"type":"learned","instance":4,"value":null}"#;
        let e: Event = serde_json::from_str(learned).unwrap();
        assert!(matches!(e.get(), Some(PaxosEvent::Learned { .. })), "{e:?}");
        let unknown = serde_json::from_str::<Event>(r#"{"type":"elected","term":2}"#).unwrap_err();
        assert_eq!(unknown.to_string(), "no event `elected` with these fields, in any protocol");
    }
}
