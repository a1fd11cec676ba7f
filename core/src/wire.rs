//! Protocol values in trace events, kept typed until a trace is written or sent.
//!
//! A trace event names a message or a timer of whichever protocol runs. Turning each into
//! JSON when it happens made a recorded run ten times slower than an unrecorded one, and
//! made the narration and the web app parse back what the core knew. A [`Wire`] holds the
//! protocol's own value behind an `Arc` (the simulator shares one allocation between the
//! message on the wire and its `send` and `deliver` events); JSON is made only by
//! `Serialize`, at the edge. A trace read back from JSON holds `serde_json::Value`s,
//! which describe themselves generically.

use crate::event::Event;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;
use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// What a message or timer says about itself, in the paper's words.
pub trait Describe {
    /// The name the trace writes: `"PROPOSAL"`, `"Prepare"`, `"tick"`.
    fn name(&self) -> Cow<'static, str>;
    /// The name and key fields in one short phrase: `PROPOSAL(0x100000001 create /a)`.
    fn describe(&self) -> String {
        self.name().into_owned()
    }
    /// For a timer: what its firing means (English, Chinese). `after`: the rest of the
    /// step it fired in, when known.
    fn meaning(&self, _after: Option<&[Event]>) -> Option<(&'static str, &'static str)> {
        None
    }
}

/// A value a [`Wire`] can hold.
pub trait WireValue: Describe + fmt::Debug + Send + Sync + 'static {
    fn to_json(&self) -> Json;
    fn as_any(&self) -> &dyn Any;
}

impl<T> WireValue for T
where
    T: Describe + Serialize + fmt::Debug + Send + Sync + 'static,
{
    fn to_json(&self) -> Json {
        // Our protocol types are plain data: serializing them cannot fail.
        serde_json::to_value(self).expect("protocol values serialize to JSON")
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A protocol's message or timer, typed, shared and cheap to clone.
#[derive(Clone)]
pub struct Wire(Arc<dyn WireValue>);

impl Wire {
    pub fn new<T: WireValue>(value: T) -> Wire {
        Wire(Arc::new(value))
    }
    /// Share `value` without copying it.
    pub fn shared<T: WireValue>(value: Arc<T>) -> Wire {
        Wire(value)
    }
    pub fn name(&self) -> Cow<'static, str> {
        self.0.name()
    }
    pub fn describe(&self) -> String {
        self.0.describe()
    }
    pub fn meaning(&self, after: Option<&[Event]>) -> Option<(&'static str, &'static str)> {
        self.0.meaning(after)
    }
    pub fn to_json(&self) -> Json {
        self.0.to_json()
    }
    /// The protocol's own value, if it is a `T`.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        self.0.as_any().downcast_ref()
    }
}

impl fmt::Debug for Wire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Equal when they write the same JSON (a typed value equals its JSON read back).
impl PartialEq for Wire {
    fn eq(&self, other: &Wire) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.to_json() == other.to_json()
    }
}

impl Serialize for Wire {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Wire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Wire, D::Error> {
        Json::deserialize(d).map(Wire::new)
    }
}

/// A value read back from a JSON trace: `{"type": "PROPOSAL", ...}` or `"tick"`.
impl Describe for Json {
    fn name(&self) -> Cow<'static, str> {
        let name = self.get("type").and_then(Json::as_str).or(self.as_str()).unwrap_or("?");
        Cow::Owned(name.to_string())
    }
    fn describe(&self) -> String {
        let Some(fields) = self.as_object() else { return self.name().into_owned() };
        let parts: Vec<String> = fields.iter().filter(|(k, _)| *k != "type").map(|(k, v)| format!("{k} {v}")).collect();
        format!("{}({})", self.name(), parts.join(", "))
    }
}

#[cfg(test)]
impl Describe for u8 {
    fn name(&self) -> Cow<'static, str> {
        Cow::Owned(self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_wire_writes_its_value_as_json_and_reads_back_equal() {
        let w = Wire::new(7u8);
        assert_eq!(serde_json::to_string(&w).unwrap(), "7");
        let back: Wire = serde_json::from_str("7").unwrap();
        assert_eq!(back, w);
        assert_eq!(w.get::<u8>(), Some(&7));
        assert_eq!(back.get::<u8>(), None, "read back, it is JSON");
    }

    #[test]
    fn json_read_back_describes_itself() {
        let w = Wire::new(json!({"type": "ACK", "zxid": {"epoch": 1, "counter": 2}}));
        assert_eq!(w.name(), "ACK");
        assert_eq!(w.describe(), r#"ACK(zxid {"counter":2,"epoch":1})"#);
        assert_eq!(Wire::new(json!("tick")).name(), "tick");
    }
}
