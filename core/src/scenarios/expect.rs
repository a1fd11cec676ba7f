//! What a scenario promises to show (`[expect]`), and the event patterns that tie its
//! lesson to the trace: a scenario about rule P2c must show a proposer adopting a
//! reported value, or its test fails even if the right value ends up chosen.

use crate::event::Event;
use crate::types::NodeId;
use serde::{Deserialize, Serialize};

/// What a scenario is expected to show; checked by the scenario tests.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Expect {
    /// Instance 0 (or every listed slot, in order) ends with these values chosen.
    pub chosen: Vec<String>,
    /// At least this many instances are chosen.
    pub min_chosen: usize,
    /// Nothing is chosen by the end (livelock).
    pub nothing_chosen: bool,
    /// This invariant is reported violated.
    pub violation: Option<String>,
    /// ZAB: the leader of the last established epoch.
    pub leader: Option<u32>,
    /// ZAB: these zxids (`[epoch, counter]`) are delivered by every live server.
    pub delivered: Vec<[u32; 2]>,
    /// ZAB: these zxids were cut away and are delivered by nobody.
    pub truncated: Vec<[u32; 2]>,
    /// ZAB: every live server ends with this sync mode used at least once.
    pub sync_mode: Option<String>,
    /// ZAB: these znodes exist on every live server at the end.
    pub znodes: Vec<String>,
    /// ZAB: these znodes exist on no live server at the end.
    pub absent: Vec<String>,
    /// ZAB: exactly these watches fired, as `"client kind path"`, in any order.
    pub watches: Option<Vec<String>>,
    /// Trace events that must each occur at least once (the lesson itself).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventPattern>,
}

/// One trace event a scenario must show, written as the fields it must have:
/// `{ node = 3, type = "proposing", value = "A", from = { round = 1, node = 1 } }`.
///
/// `type` is the event's trace type; `node`, if given, the node whose step emitted
/// it; every other key is a field of the event as the trace writes it (`docs/trace.md`).
/// A table matches a part of an object (the fields it names); anything else must be
/// equal. TOML has no null, so the string `"null"` also matches a null (a no-op value).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventPattern(pub toml::Table);

impl EventPattern {
    /// The event type it names, if `type` is a string.
    pub fn kind(&self) -> Option<&str> {
        self.0.get("type").and_then(|t| t.as_str())
    }

    /// What is wrong with the pattern, if anything: the key at fault and why.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if self.kind().is_none() {
            return Some(("type", "name the event's trace type, e.g. type = \"proposing\"".into()));
        }
        match self.0.get("node") {
            Some(n) if n.as_integer().is_none_or(|n| n < 1) => {
                Some(("node", "a node id (1 and up): the node whose step emitted the event".into()))
            }
            _ => None,
        }
    }

    /// Whether `event`, emitted in a step of `node`, has every field the pattern names.
    pub fn matches(&self, node: Option<NodeId>, event: &Event) -> bool {
        if self.kind() != Some(event.kind()) {
            return false;
        }
        if let Some(want) = self.0.get("node") {
            if want.as_integer() != node.map(|n| i64::from(n.0)) {
                return false;
            }
        }
        // Only the few events of the named type get here, so writing them as JSON is cheap.
        let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(event) else { return false };
        self.0.iter().filter(|(k, _)| *k != "node" && *k != "type").all(|(k, want)| {
            let want = serde_json::to_value(want).unwrap_or(serde_json::Value::Null);
            fields.get(k).is_some_and(|got| part_of(&want, got))
        })
    }
}

/// `want` is `got`, or for tables, a part of it.
fn part_of(want: &serde_json::Value, got: &serde_json::Value) -> bool {
    use serde_json::Value::{Null, Object, String};
    match (want, got) {
        (Object(w), Object(g)) => w.iter().all(|(k, w)| g.get(k).is_some_and(|g| part_of(w, g))),
        (String(s), Null) => s == "null",
        _ => want == got,
    }
}

/// Which of a scenario's expected events a run has shown so far.
#[derive(Clone, Debug)]
pub struct EventWatch<'a> {
    patterns: &'a [EventPattern],
    seen: Vec<bool>,
}

impl<'a> EventWatch<'a> {
    pub fn new(expect: &'a Expect) -> EventWatch<'a> {
        EventWatch { patterns: &expect.events, seen: vec![false; expect.events.len()] }
    }

    /// Look at the events of one step of `node`.
    pub fn observe(&mut self, node: Option<NodeId>, events: &[Event]) {
        for (p, seen) in self.patterns.iter().zip(&mut self.seen) {
            *seen = *seen || events.iter().any(|e| p.matches(node, e));
        }
    }

    /// The expected events the run has not shown, as the scenario writes them.
    pub fn missing(&self) -> Vec<String> {
        self.patterns.iter().zip(&self.seen).filter(|(_, s)| !**s).map(|(p, _)| p.to_string()).collect()
    }
}

impl std::fmt::Display for EventPattern {
    /// As the scenario writes it, inline: `{ node = 3, type = "learned" }`.
    #[cfg(feature = "text")]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", toml::Value::Table(self.0.clone()))
    }

    /// Without the TOML writer (the web app), as JSON.
    #[cfg(not(feature = "text"))]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", serde_json::to_string(&self.0).map_err(|_| std::fmt::Error)?)
    }
}

#[cfg(all(test, feature = "text"))]
mod tests {
    use super::*;
    use crate::paxos::PaxosEvent;
    use crate::types::{Ballot, Instance, Value};

    fn pattern(text: &str) -> EventPattern {
        #[derive(Deserialize)]
        struct P {
            p: EventPattern,
        }
        toml::from_str::<P>(&format!("p = {text}")).unwrap().p
    }

    fn proposing(value: Value, from: Option<Ballot>) -> Event {
        PaxosEvent::Proposing {
            instance: Instance(0),
            ballot: Ballot::new(2, NodeId(3)),
            value,
            from,
            promises: 0,
            of: 0,
        }
        .into()
    }

    #[test]
    fn a_pattern_matches_the_fields_it_names() {
        let adopted = proposing(Value::data("A"), Some(Ballot::new(1, NodeId(1))));
        let own = proposing(Value::data("B"), None);
        let p2c = pattern(r#"{ node = 3, type = "proposing", value = "A", from = { round = 1 } }"#);
        assert!(p2c.matches(Some(NodeId(3)), &adopted));
        assert!(!p2c.matches(Some(NodeId(2)), &adopted), "another node");
        assert!(!p2c.matches(Some(NodeId(3)), &own), "its own value, nothing adopted");
        assert!(!pattern(r#"{ type = "preparing" }"#).matches(Some(NodeId(3)), &adopted), "another type");
        assert!(pattern(r#"{ type = "proposing", from = "null" }"#).matches(None, &own));
        assert!(!pattern(r#"{ type = "proposing", ballot = { round = 2, node = 3, x = 1 } }"#).matches(None, &own));
    }

    #[test]
    fn a_watch_lists_the_events_not_shown() {
        let expect = Expect {
            events: vec![pattern(r#"{ type = "proposing", value = "B" }"#), pattern(r#"{ type = "learned" }"#)],
            ..Expect::default()
        };
        let mut watch = EventWatch::new(&expect);
        watch.observe(Some(NodeId(3)), &[proposing(Value::data("B"), None)]);
        assert_eq!(watch.missing(), vec![r#"{ type = "learned" }"#.to_string()]);
    }

    #[test]
    fn a_pattern_needs_a_type_and_a_real_node() {
        assert_eq!(pattern("{ value = 1 }").problem().map(|p| p.0), Some("type"));
        assert_eq!(pattern(r#"{ type = "learned", node = 0 }"#).problem().map(|p| p.0), Some("node"));
        assert_eq!(pattern(r#"{ type = "learned", node = 2 }"#).problem(), None);
    }
}
