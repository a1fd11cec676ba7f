//! Trace events: the vocabulary of the JSON Lines trace (`docs/trace.md`).
//!
//! The runtime records network, fault and client events (`send`, `crash`, `reply`, ...)
//! and the checker its `violation`s. A protocol's own events (`promised`, `vote`, ...)
//! are types of its folder, emitted by its nodes through `Action::Emit` and carried here
//! as a [`ProtocolEvent`]: typed, shared, and written as JSON only at the edge, with their
//! `type` first as if they were variants of [`Event`]. The checker and the narration
//! read only these events.

use crate::client::{ClientError, ClientOp, ClientReply, ClientRequest, ReplyBody};
use crate::types::{ClientId, NodeId};
use crate::wire::Wire;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// Why the simulator dropped a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The network lost it (the scenario's drop probability).
    Loss,
    /// Sender and receiver are on different sides of a partition.
    Partition,
    /// The receiver is crashed.
    NodeDown,
    /// A person (or a test) dropped it by hand.
    Manual,
    /// It was in flight on a connection that broke (`Node::links_are_connections`):
    /// another message on it was lost, and took the connection with it.
    Connection,
}

/// The runtime's events are derived as inherent functions (`remote = "Self"`) that the
/// trait impls below wrap: a protocol's event is written by its own type, and read back
/// through the registry when its `type` is none of the runtime's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", remote = "Self")]
pub enum Event {
    // ---- network and faults, recorded by the runtime ----
    Send {
        msg_id: u64,
        from: NodeId,
        to: NodeId,
        msg: Wire,
    },
    Deliver {
        msg_id: u64,
        from: NodeId,
        to: NodeId,
        msg: Wire,
    },
    Drop {
        msg_id: u64,
        from: NodeId,
        to: NodeId,
        msg: Wire,
        reason: DropReason,
        /// Losing it broke the connection between `from` and `to` (a protocol whose
        /// links are connections): the drops of what else was on it, then each end's
        /// `disconnected`, follow.
        #[serde(default, skip_serializing_if = "is_false")]
        breaks_link: bool,
    },
    /// The network delivered a second copy; `msg_id` is the copy's id, `of` the original's.
    Duplicate {
        msg_id: u64,
        of: u64,
        from: NodeId,
        to: NodeId,
        msg: Wire,
    },
    Timer {
        timer: Wire,
    },
    /// `lost_writes`: writes still in progress, lost with everything waiting on them.
    Crash {
        #[serde(default, skip_serializing_if = "is_zero")]
        lost_writes: u64,
    },
    /// The node's connection to `peer` closed (it broke, or `peer`'s side went away),
    /// and the node is told (`Node::on_disconnect`).
    Disconnected {
        peer: NodeId,
    },
    /// The node's disk finished a write: `records` more records are durable, and what
    /// the node said after writing them leaves now.
    Persisted {
        records: u64,
    },
    Restart {},
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    Heal {
        groups: Vec<Vec<NodeId>>,
    },
    // Rare next to the others, so boxed: a trace keeps millions of events.
    Request {
        client: ClientId,
        seq: u64,
        #[serde(flatten)]
        op: Box<ClientOp>,
    },
    Reply {
        client: ClientId,
        seq: u64,
        op: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        reply: Option<Box<ReplyBody>>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        error: Option<Box<ClientError>>,
    },

    // ---- checker ----
    Violation {
        invariant: String,
        detail: String,
    },

    /// A protocol's own event, emitted by a node; it writes its own `type` (see the
    /// impls below).
    #[serde(skip)]
    Protocol(ProtocolEvent),
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Event::Protocol(e) => e.serialize(s),
            runtime => Event::serialize(runtime, s),
        }
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Event, D::Error> {
        use serde::de::Error;
        let json = serde_json::Value::deserialize(d)?;
        let runtime = match Event::deserialize(&json) {
            Ok(e) => return Ok(e),
            Err(e) => e,
        };
        if let Some(e) = crate::protocol::parse_event(&json) {
            return Ok(Event::Protocol(e));
        }
        // serde's words for a `type` none of the runtime's events has; otherwise the
        // runtime's event is malformed, and serde says how.
        if !runtime.to_string().starts_with("unknown variant") {
            return Err(D::Error::custom(runtime));
        }
        let kind = json.get("type").and_then(|t| t.as_str()).unwrap_or("?");
        Err(D::Error::custom(format!("no event `{kind}` with these fields, in any protocol")))
    }
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

fn is_false(v: &bool) -> bool {
    !*v
}

impl Event {
    /// The `request` event of a client's request.
    pub fn request(req: &ClientRequest) -> Event {
        Event::Request { client: req.client, seq: req.seq, op: Box::new(req.op.clone()) }
    }

    /// The `reply` event of a server's answer.
    pub fn reply(r: ClientReply) -> Event {
        let (reply, error) = match r.result {
            Ok(body) => (Some(Box::new(body)), None),
            Err(e) => (None, Some(Box::new(e))),
        };
        Event::Reply { client: r.client, seq: r.seq, op: r.op, reply, error }
    }

    /// The snake_case `type` name, as written in the trace.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Send { .. } => "send",
            Event::Deliver { .. } => "deliver",
            Event::Drop { .. } => "drop",
            Event::Duplicate { .. } => "duplicate",
            Event::Timer { .. } => "timer",
            Event::Crash { .. } => "crash",
            Event::Disconnected { .. } => "disconnected",
            Event::Persisted { .. } => "persisted",
            Event::Restart {} => "restart",
            Event::Partition { .. } => "partition",
            Event::Heal { .. } => "heal",
            Event::Request { .. } => "request",
            Event::Reply { .. } => "reply",
            Event::Violation { .. } => "violation",
            Event::Protocol(e) => e.kind(),
        }
    }

    /// The protocol event this is, if it is a `T`.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        match self {
            Event::Protocol(e) => e.get(),
            _ => None,
        }
    }
}

/// A protocol's event type: an enum of its folder, `#[serde(tag = "type")]`.
pub trait EventKind {
    /// The `type` it is written with: `"promised"`.
    fn kind(&self) -> &'static str;
}

/// A value a [`ProtocolEvent`] can hold.
pub trait EventValue: erased_serde::Serialize + fmt::Debug + Send + Sync + 'static {
    fn kind(&self) -> &'static str;
    fn as_any(&self) -> &dyn Any;
    /// Equal to `other`, which is of any type.
    fn same(&self, other: &dyn Any) -> bool;
}

impl<T> EventValue for T
where
    T: EventKind + Serialize + PartialEq + fmt::Debug + Send + Sync + 'static,
{
    fn kind(&self) -> &'static str {
        EventKind::kind(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn same(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<T>() == Some(self)
    }
}

impl<T: EventValue> From<T> for Event {
    fn from(e: T) -> Event {
        Event::Protocol(ProtocolEvent::new(e))
    }
}

/// A protocol's event, typed and cheap to clone. Read back from a trace, it is typed
/// again by the registry (`ProtocolInfo::parse_event`).
#[derive(Clone)]
pub struct ProtocolEvent(Arc<dyn EventValue>);

impl ProtocolEvent {
    pub fn new<T: EventValue>(e: T) -> ProtocolEvent {
        ProtocolEvent(Arc::new(e))
    }
    pub fn kind(&self) -> &'static str {
        self.0.kind()
    }
    /// The protocol's own value, if it is a `T`.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        self.0.as_any().downcast_ref()
    }
    /// `json` read as a `T`, if it is one.
    pub fn parse<T: EventValue + serde::de::DeserializeOwned>(json: &serde_json::Value) -> Option<ProtocolEvent> {
        T::deserialize(json).ok().map(ProtocolEvent::new)
    }
}

impl fmt::Debug for ProtocolEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl PartialEq for ProtocolEvent {
    fn eq(&self, other: &ProtocolEvent) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.same(other.0.as_any())
    }
}

impl Serialize for ProtocolEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        erased_serde::serialize(&*self.0, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A recorded run keeps millions of events: a bulky variant would make every one of
    /// them bigger (the runtime's rare ones are boxed, a protocol's are shared).
    #[test]
    fn a_malformed_event_is_told_as_such() {
        let bad = serde_json::from_str::<Event>(r#"{"type":"send","msg_id":"x"}"#).unwrap_err();
        assert!(bad.to_string().starts_with("invalid type: string \"x\", expected u64"), "{bad}");
        let crash: Event = serde_json::from_str(r#"{"type":"crash"}"#).unwrap();
        assert_eq!(crash, Event::Crash { lost_writes: 0 });
    }

    #[test]
    fn an_event_stays_small() {
        assert!(std::mem::size_of::<Event>() <= 56, "{} bytes", std::mem::size_of::<Event>());
    }
}
