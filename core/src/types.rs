//! Small value types shared by every protocol: ids, virtual time, ballots, values.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A server in the ensemble. Ids are small integers starting at 1, as in ZooKeeper's `myid`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub u32);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Virtual time in milliseconds. The core never reads a clock: time is handed in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Time(pub u64);

impl Time {
    pub fn ms(self) -> u64 {
        self.0
    }
    pub fn plus_ms(self, delta_ms: u64) -> Time {
        Time(self.0.saturating_add(delta_ms))
    }
}

/// A client attached to one server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientId(pub u32);

/// A consensus instance: the single decree of Basic Paxos is instance 0; in Multi-Paxos
/// every log slot is an instance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Instance(pub u64);

impl Instance {
    pub fn next(self) -> Instance {
        Instance(self.0 + 1)
    }
}

/// A proposal number `(round, node)`: rounds are compared first, the proposer's id breaks
/// ties, so two proposers never use the same ballot (Paxos Made Simple §2.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Ballot {
    pub round: u64,
    pub node: NodeId,
}

impl Ballot {
    /// The ballot below every real one: nothing promised yet.
    pub const ZERO: Ballot = Ballot { round: 0, node: NodeId(0) };

    pub fn new(round: u64, node: NodeId) -> Ballot {
        Ballot { round, node }
    }
    /// The smallest ballot of `node` that is above `self`.
    pub fn next_for(self, node: NodeId) -> Ballot {
        Ballot { round: self.round + 1, node }
    }
    pub fn is_zero(self) -> bool {
        self == Ballot::ZERO
    }
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.round, self.node.0)
    }
}

/// A ZAB epoch: the number of a leader's reign (ZooKeeper's `peerEpoch`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Epoch(pub u32);

impl fmt::Display for Epoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A ZAB transaction id: `epoch << 32 | counter`, so comparing zxids orders every
/// transaction ever proposed. Printed as ZooKeeper does (`0x100000003`); written in
/// traces as `{"epoch": e, "counter": c}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "ZxidParts", from = "ZxidParts")]
pub struct Zxid(pub u64);

#[derive(Clone, Copy, Serialize, Deserialize)]
struct ZxidParts {
    epoch: u32,
    counter: u32,
}

impl From<Zxid> for ZxidParts {
    fn from(z: Zxid) -> Self {
        ZxidParts { epoch: z.epoch().0, counter: z.counter() }
    }
}
impl From<ZxidParts> for Zxid {
    fn from(p: ZxidParts) -> Self {
        Zxid::new(Epoch(p.epoch), p.counter)
    }
}

impl Zxid {
    pub const ZERO: Zxid = Zxid(0);

    pub fn new(epoch: Epoch, counter: u32) -> Zxid {
        Zxid((u64::from(epoch.0) << 32) | u64::from(counter))
    }
    pub fn epoch(self) -> Epoch {
        Epoch((self.0 >> 32) as u32)
    }
    pub fn counter(self) -> u32 {
        (self.0 & 0xffff_ffff) as u32
    }
}

impl fmt::Display for Zxid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:x}", self.0)
    }
}

/// A client session of the coordination service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(pub u64);

impl From<u64> for SessionId {
    fn from(id: u64) -> SessionId {
        SessionId(id)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:x}", self.0)
    }
}

/// A proposed value. `Noop` fills Multi-Paxos gaps and is written as JSON `null`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Noop,
    Data(std::sync::Arc<str>),
}

impl Value {
    pub fn data(s: impl Into<String>) -> Value {
        Value::Data(s.into().into())
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Noop => write!(f, "no-op"),
            Value::Data(s) => write!(f, "{s:?}"),
        }
    }
}

/// Serialize a map with non-string keys (a ballot, a pair) as a list of `[key, value]`
/// pairs, which JSON can hold: `#[serde(serialize_with = "crate::types::as_pairs")]`.
pub fn as_pairs<K: Serialize, V: Serialize, S: serde::Serializer>(
    map: &std::collections::BTreeMap<K, V>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(map.iter())
}

/// Read a map whose keys are numbers (a session id): serde_json writes such keys as
/// strings, and reads them back as numbers only when it reads the map itself. Inside an
/// internally tagged enum (a message, a durable record) serde buffers the fields first,
/// and a buffered key stays a string: `#[serde(deserialize_with = "crate::types::number_keyed")]`.
pub fn number_keyed<'de, K, V, D>(d: D) -> Result<std::collections::BTreeMap<K, V>, D::Error>
where
    K: From<u64> + Ord,
    V: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    struct Key(u64);
    struct KeyVisitor;
    impl serde::de::Visitor<'_> for KeyVisitor {
        type Value = Key;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number, or a string holding one")
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Key, E> {
            Ok(Key(v))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
            v.parse().map(Key).map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
        }
    }
    impl<'de> Deserialize<'de> for Key {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
            d.deserialize_any(KeyVisitor)
        }
    }
    let map = std::collections::BTreeMap::<Key, V>::deserialize(d)?;
    Ok(map.into_iter().map(|(k, v)| (K::from(k.0), v)).collect())
}

/// Majority of `n` voters: more than half.
pub fn majority(n: usize) -> usize {
    n / 2 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballots_order_by_round_then_node() {
        let a = Ballot::new(1, NodeId(2));
        let b = Ballot::new(2, NodeId(1));
        assert!(a < b);
        assert!(Ballot::new(2, NodeId(2)) > b);
        assert_eq!(a.next_for(NodeId(1)), Ballot::new(2, NodeId(1)));
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"round":1,"node":2}"#);
    }

    #[test]
    fn noop_is_null() {
        assert_eq!(serde_json::to_string(&Value::Noop).unwrap(), "null");
        assert_eq!(serde_json::to_string(&Value::data("A")).unwrap(), r#""A""#);
        let v: Value = serde_json::from_str("null").unwrap();
        assert_eq!(v, Value::Noop);
    }

    #[test]
    fn zxid_halves_and_hex() {
        let z = Zxid::new(Epoch(1), 3);
        assert_eq!(z.to_string(), "0x100000003");
        assert_eq!((z.epoch(), z.counter()), (Epoch(1), 3));
        assert!(Zxid::new(Epoch(2), 0) > Zxid::new(Epoch(1), u32::MAX));
        assert_eq!(serde_json::to_string(&z).unwrap(), r#"{"epoch":1,"counter":3}"#);
        assert_eq!(serde_json::from_str::<Zxid>(r#"{"epoch":1,"counter":3}"#).unwrap(), z);
    }

    #[test]
    fn majorities() {
        assert_eq!(majority(3), 2);
        assert_eq!(majority(4), 3);
        assert_eq!(majority(5), 3);
    }
}
