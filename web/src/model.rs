//! Plain data the components draw, read out of the state once per change.

use crate::state::AppState;
use ensemble_core::event::Event;
use ensemble_core::explain::{explain_entry, is_heartbeat, milestones, Lang, Milestone};
use ensemble_core::protocol::{lookup, MessageKind};
use ensemble_core::sim::{history_matrix, sequence as sequence_of, HistoryMatrix, InFlight, Sequence};
use ensemble_core::types::NodeId;
use ensemble_core::view::NodeView;

/// The narrated log shows this many lines at first, and this many more each time the
/// learner asks for earlier ones (the whole history stays reachable).
pub const LOG_LINES: usize = 200;

/// The history matrix shows the newest this many positions (and counts the older), so
/// a long run draws as fast as a short one.
pub const HISTORY_COLUMNS: usize = 40;

/// The history matrix at the current step.
pub fn history(state: &AppState) -> HistoryMatrix {
    history_matrix(&state.timeline(), HISTORY_COLUMNS)
}

/// The sequence diagram draws the newest this many messages (and counts the older): an
/// SVG of a few hundred arrows stays quick to redraw on every step.
pub const SEQUENCE_ARROWS: usize = 200;

/// The sequence diagram at the current step, without heartbeats if the log hides them.
pub fn sequence(state: &AppState) -> Sequence {
    let (protocol, hide) = (lookup(state.scenario.protocol), state.hide_beats);
    sequence_of(&state.timeline(), SEQUENCE_ARROWS, |e| hide && is_heartbeat(protocol, e))
}

/// What the cluster, node cards and message list show at the current step.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub step: u64,
    pub now_ms: u64,
    pub views: Vec<NodeView>,
    pub in_flight: Vec<Message>,
    /// `(instance, value)` as text, e.g. `("0", "\"A\"")`.
    pub chosen: Vec<(u64, String)>,
    pub violations: usize,
    /// Each violation: `invariant (step N)`, its detail, and its step (a link to it).
    pub violation_links: Vec<(String, String, u64)>,
    /// The nodes whose steps broke an invariant.
    pub violating: Vec<NodeId>,
    /// `(invariant, step)` of each violation.
    pub violated: Vec<(String, u64)>,
    pub at_end: bool,
    /// The partition's groups, the nodes in no listed group as one more; empty if none.
    pub partition: Vec<Vec<NodeId>>,
    /// ZAB: the leader established in each epoch so far, oldest first.
    pub leaders: Vec<(u32, NodeId)>,
    /// Furthest step of the current branch, for the scrubber.
    pub head: u64,
    pub branches: usize,
    pub branch: usize,
}

/// An in-flight message with its one-phrase description.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub msg: InFlight,
    pub text: String,
    pub kind: String,
    /// The letters drawn on it (`MessageKind::glyph`), so it is told apart without colour.
    pub glyph: &'static str,
    /// Its kind as the legend lists it (what it says, its phase).
    pub about: Option<MessageKind>,
}

impl Message {
    pub fn new(msg: InFlight, protocol: ensemble_core::scenarios::Protocol) -> Message {
        let kind = msg.msg.name().into_owned();
        let about = lookup(protocol).messages().iter().find(|k| k.name == kind).copied();
        Message { text: msg.msg.describe(), kind, glyph: about.map_or("", |k| k.glyph), about, msg }
    }
}

/// One narrated trace line.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub step: u64,
    pub time_ms: u64,
    pub text: String,
    pub violation: bool,
    /// The event's trace `type`, e.g. `reply`, `leader_established`.
    pub kind: &'static str,
    /// The node it happened at, if any.
    pub node: Option<u32>,
    /// The buggy mode that breaks the rule this line applied (`ProtocolInfo::breaks`),
    /// when the run breaks none yet: the line offers "break it here".
    pub breaks: Option<&'static str>,
}

impl Snapshot {
    pub fn of(state: &AppState) -> Snapshot {
        let at_end = state.at_end();
        let tl = state.timeline();
        let sim = tl.sim();
        let in_flight = sim.in_flight().into_iter().map(|m| Message::new(m, state.scenario.protocol)).collect();
        let views = sim.views();
        Snapshot {
            step: tl.position(),
            now_ms: sim.now().ms(),
            partition: sim.partition(),
            leaders: sim.leaders().into_iter().map(|(e, n)| (e.0, n)).collect(),
            views,
            in_flight,
            chosen: sim.chosen().into_iter().map(|(i, v)| (i.0, v.to_string())).collect(),
            violations: sim.violations().len(),
            violation_links: sim
                .violations()
                .iter()
                .map(|v| (format!("{} (step {})", v.invariant, v.step), v.detail.clone(), v.step))
                .collect(),
            violated: sim.violations().iter().map(|v| (v.invariant.clone(), v.step)).collect(),
            violating: sim
                .violations()
                .iter()
                .filter_map(|v| tl.entries().get((v.step as usize).checked_sub(1)?)?.node)
                .collect(),
            at_end,
            head: tl.branches()[tl.current_branch()].head.max(tl.position()),
            branches: tl.branches().len(),
            branch: tl.current_branch(),
        }
    }

    /// The chosen values as one line of text: `#0 "A", #1 "B"`, or empty.
    pub fn chosen_text(&self) -> String {
        self.chosen.iter().map(|(i, v)| format!("#{i} {v}")).collect::<Vec<_>>().join(", ")
    }
}

/// The last `limit` narrated lines, newest step first; a step's own lines stay in the
/// order they happened, so each step reads as cause then consequences. `hide_beats`
/// leaves heartbeats out.
pub fn narrate(state: &AppState, lang: Lang, limit: usize, hide_beats: bool) -> Vec<LogLine> {
    let tl = state.timeline();
    let protocol = lookup(state.scenario.protocol);
    let clean = matches!(state.buggy().as_str(), "none" | "");
    let mut out = Vec::new();
    for entry in tl.entries().iter().rev() {
        for (line, text) in entry.lines().zip(explain_entry(protocol, entry, lang)) {
            if hide_beats && is_heartbeat(protocol, &line.event) {
                continue;
            }
            out.push(LogLine {
                step: line.step,
                time_ms: line.time_ms,
                text,
                violation: matches!(line.event, Event::Violation { .. }),
                kind: line.event.kind(),
                node: line.node.map(|n| n.0),
                breaks: if clean { protocol.breaks(&line.event) } else { None },
            });
        }
        if out.len() >= limit {
            out.truncate(limit);
            break;
        }
    }
    out
}

/// What the live region reads out: every line of the latest step.
pub fn latest(log: &[LogLine]) -> String {
    let Some(first) = log.first() else { return String::new() };
    log.iter().take_while(|l| l.step == first.step).map(|l| l.text.as_str()).collect::<Vec<_>>().join(" ")
}

/// The timeline's marks: the milestones of everything computed, gathered into at most
/// `MARK_SLOTS` slots along it (so a run with thousands of commits stays a few hundred
/// marks), each with its first step and its kinds.
pub fn marks(state: &AppState) -> Marks {
    let tl = state.timeline();
    let head = tl.computed().len().max(1) as u64;
    let mut out: Vec<(u64, Vec<Milestone>)> = Vec::new();
    let mut last_slot = None;
    for mark in milestones(lookup(state.scenario.protocol), tl.computed()) {
        let slot = mark.step * MARK_SLOTS / head;
        match out.last_mut() {
            Some((_, kinds)) if last_slot == Some(slot) => kinds.extend(mark.kinds),
            _ => out.push((mark.step, mark.kinds)),
        }
        last_slot = Some(slot);
    }
    for (_, kinds) in &mut out {
        kinds.sort_unstable();
        kinds.dedup();
    }
    out
}

/// Marked steps and their kinds.
pub type Marks = Vec<(u64, Vec<Milestone>)>;

/// How many places along the timeline can hold a mark.
const MARK_SLOTS: u64 = 240;
