//! Trace entries and their JSON Lines form (`docs/trace.md`).

use crate::event::Event;
use crate::types::NodeId;
use serde::{Deserialize, Serialize};

/// Everything one simulator step did. `events[0]` is the input handled (a delivery, a
/// timer, a fault, a request); the rest are its consequences, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceEntry {
    pub step: u64,
    pub time_ms: u64,
    pub node: Option<NodeId>,
    pub events: Vec<Event>,
}

/// One line of the JSON Lines trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceLine {
    pub step: u64,
    pub time_ms: u64,
    pub node: Option<NodeId>,
    pub event: Event,
}

/// A [`TraceLine`] that borrows its event: written the same.
#[derive(Serialize)]
struct LineRef<'a> {
    step: u64,
    time_ms: u64,
    node: Option<NodeId>,
    event: &'a Event,
}

impl TraceEntry {
    pub fn lines(&self) -> impl Iterator<Item = TraceLine> + '_ {
        self.events.iter().map(|e| TraceLine {
            step: self.step,
            time_ms: self.time_ms,
            node: self.node,
            event: e.clone(),
        })
    }

    /// The entry as JSON Lines, one `\n`-terminated line per event.
    pub fn to_jsonl(&self) -> String {
        let mut bytes = Vec::new();
        // Serializing our own plain types into memory cannot fail, and JSON is UTF-8.
        self.write_jsonl(&mut bytes).expect("trace line serializes");
        String::from_utf8(bytes).expect("JSON is UTF-8")
    }

    /// Write the entry as JSON Lines to `w`, without building a string first (nor
    /// copying an event).
    pub fn write_jsonl(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        for event in &self.events {
            let line = LineRef { step: self.step, time_ms: self.time_ms, node: self.node, event };
            serde_json::to_writer(&mut *w, &line)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }

    pub fn violations(&self) -> impl Iterator<Item = (&str, &str)> {
        self.events.iter().filter_map(|e| match e {
            Event::Violation { invariant, detail } => Some((invariant.as_str(), detail.as_str())),
            _ => None,
        })
    }
}

/// Parse a JSON Lines trace back into lines; an error names the 1-based line number.
/// A protocol's events come back typed, by the protocol that knows them
/// (`ProtocolInfo::parse_event`).
pub fn parse_jsonl(text: &str) -> Result<Vec<TraceLine>, (usize, serde_json::Error)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| (i + 1, e)))
        .collect()
}

/// FNV-1a over the trace text: a short fingerprint to compare runs across platforms.
pub fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}
