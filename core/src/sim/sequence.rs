//! A sequence (space-time) diagram's data: each message sent up to the current step as
//! an arrow from its sender at its send time to its receiver where it ended (delivered,
//! dropped, or still in flight), and when each node was down. Read from the trace of a
//! [`Timeline`], for any protocol; a UI only lays it out.
//!
//! Only the newest `limit` messages are listed (the rest are counted), and the trace is
//! walked back only as far as they reach, so a long run costs what a short one does.

use super::Timeline;
use crate::event::{DropReason, Event};
use crate::types::NodeId;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A step and its virtual time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct At {
    pub step: u64,
    pub time_ms: u64,
}

/// Where a message's arrow ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "fate", rename_all = "snake_case")]
pub enum End {
    Delivered {
        at: At,
    },
    Dropped {
        at: At,
        reason: DropReason,
    },
    /// Not arrived by the current step; due at `due_ms` (virtual).
    InFlight {
        due_ms: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Arrow {
    pub msg_id: u64,
    pub from: NodeId,
    pub to: NodeId,
    /// The message's type name (`Wire::name`), as the protocol registry lists it.
    pub kind: Cow<'static, str>,
    /// Its name and key fields (`Wire::describe`).
    pub text: String,
    /// The original's id, if this is the network's second copy of it.
    pub copy_of: Option<u64>,
    pub sent: At,
    pub end: End,
}

/// Node `node` was down from `from_ms` until `until_ms` (`None`: still down).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Down {
    pub node: NodeId,
    pub from_ms: u64,
    pub until_ms: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Sequence {
    /// The lanes: every node, in id order.
    pub nodes: Vec<NodeId>,
    /// The newest messages, in the order they were sent.
    pub arrows: Vec<Arrow>,
    /// Messages sent before the first arrow, left out.
    pub earlier: usize,
    /// Down spans that overlap the arrows' time (from the first arrow's send on).
    pub down: Vec<Down>,
    pub step: u64,
    pub now_ms: u64,
}

/// When the nodes started, and sent their first messages.
const START: At = At { step: 0, time_ms: 0 };

/// The diagram at the timeline's position: the newest `limit` messages whose `send` (or
/// `duplicate`) event `skip` does not leave out (a UI's hidden heartbeats).
pub fn sequence(tl: &Timeline, limit: usize, skip: impl Fn(&Event) -> bool) -> Sequence {
    let entries = tl.entries();
    let sim = tl.sim();
    let is_sent = |e: &Event| matches!(e, Event::Send { .. } | Event::Duplicate { .. }) && !skip(e);
    let sent_in = |i: usize| entries[i].events.iter().filter(|e| is_sent(e)).count();
    // Walk back to the step of the oldest message shown; count what is before it.
    let mut start = entries.len();
    let mut shown = 0;
    while start > 0 && shown < limit {
        start -= 1;
        shown += sent_in(start);
    }
    let in_flight = sim.in_flight();
    let due: BTreeMap<u64, u64> = in_flight.iter().map(|m| (m.msg_id, m.deliver_at_ms)).collect();
    let mut arrows: Vec<Arrow> = Vec::new();
    let mut index: BTreeMap<u64, usize> = BTreeMap::new();
    // Ended, but with no `send` in the steps walked (see `from_start`).
    let mut unsent: Vec<Arrow> = Vec::new();
    for entry in &entries[start..] {
        let at = At { step: entry.step, time_ms: entry.time_ms };
        for e in entry.events.iter() {
            if let Some(arrow) = is_sent(e).then(|| sent(e, at, &due)).flatten() {
                index.insert(arrow.msg_id, arrows.len());
                arrows.push(arrow);
            } else if let Some((id, end)) = ended(e, at) {
                match index.get(&id) {
                    Some(&i) => arrows[i].end = end,
                    None if start == 0 => {
                        let arrow = as_send(e).filter(|s| !skip(s)).and_then(|s| sent(&s, START, &due));
                        unsent.extend(arrow.map(|a| Arrow { end, ..a }));
                    }
                    None => {}
                }
            }
        }
    }
    if start == 0 {
        let flying = in_flight.into_iter().filter(|m| !index.contains_key(&m.msg_id));
        let flying = flying.map(|m| Event::Send { msg_id: m.msg_id, from: m.from, to: m.to, msg: m.msg });
        unsent.extend(flying.filter(|e| !skip(e)).filter_map(|e| sent(&e, START, &due)));
        from_start(&mut arrows, unsent);
    }
    // The oldest step shown may hold more messages than fit.
    let over = arrows.len().saturating_sub(limit);
    arrows.drain(..over);
    let earlier = (0..start).map(sent_in).sum::<usize>() + over;
    let nodes: Vec<NodeId> = sim.views().iter().map(|v| v.id).collect();
    let from_ms = arrows.first().map_or(sim.now().ms(), |a| a.sent.time_ms);
    let down = down_spans(tl, &nodes, from_ms);
    Sequence { nodes, arrows, earlier, down, step: tl.position(), now_ms: sim.now().ms() }
}

/// The messages the nodes sent as they started, before step 1, have no `send` event:
/// when the whole trace is walked, those it saw end or that are still in flight
/// (`unsent`) go first, drawn from time 0.
fn from_start(arrows: &mut Vec<Arrow>, mut unsent: Vec<Arrow>) {
    unsent.sort_by_key(|a| a.msg_id);
    unsent.dedup_by_key(|a| a.msg_id);
    arrows.splice(0..0, unsent);
}

/// The arrow a `send` or `duplicate` event starts, in flight until its end is found.
fn sent(e: &Event, at: At, due: &BTreeMap<u64, u64>) -> Option<Arrow> {
    let (msg_id, from, to, msg, copy_of) = match e {
        Event::Send { msg_id, from, to, msg } => (*msg_id, *from, *to, msg, None),
        Event::Duplicate { msg_id, of, from, to, msg } => (*msg_id, *from, *to, msg, Some(*of)),
        _ => return None,
    };
    let end = End::InFlight { due_ms: due.get(&msg_id).copied().unwrap_or(at.time_ms) };
    Some(Arrow { msg_id, from, to, kind: msg.name(), text: msg.describe(), copy_of, sent: at, end })
}

/// The `send` of the message a `deliver` or `drop` event ends (for one whose `send`
/// is not in the trace: sent as the nodes started).
fn as_send(e: &Event) -> Option<Event> {
    let (Event::Deliver { msg_id, from, to, msg } | Event::Drop { msg_id, from, to, msg, .. }) = e else { return None };
    Some(Event::Send { msg_id: *msg_id, from: *from, to: *to, msg: msg.clone() })
}

/// The message a `deliver` or `drop` event ends, and how.
fn ended(e: &Event, at: At) -> Option<(u64, End)> {
    match e {
        Event::Deliver { msg_id, .. } => Some((*msg_id, End::Delivered { at })),
        Event::Drop { msg_id, reason, .. } => Some((*msg_id, End::Dropped { at, reason: *reason })),
        _ => None,
    }
}

/// When each node was down, from `from_ms` on: its crashes and restarts since then, and
/// a node down at `from_ms` (crashed earlier) from there.
fn down_spans(tl: &Timeline, nodes: &[NodeId], from_ms: u64) -> Vec<Down> {
    let entries = tl.entries();
    // The first entry at or after `from_ms`; what came before only says who was down.
    let first = entries.partition_point(|e| e.time_ms < from_ms);
    let mut open: BTreeMap<NodeId, u64> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let Some(node) = entry.node else { continue };
        for e in &entry.events {
            match e {
                Event::Crash { .. } => {
                    open.insert(node, entry.time_ms.max(from_ms));
                }
                Event::Restart {} => {
                    if let Some(since) = open.remove(&node).filter(|_| i >= first) {
                        out.push(Down { node, from_ms: since, until_ms: Some(entry.time_ms) });
                    }
                }
                _ => {}
            }
        }
    }
    let still = open.into_iter().filter(|(n, _)| nodes.contains(n));
    out.extend(still.map(|(node, since)| Down { node, from_ms: since, until_ms: None }));
    out.sort_by_key(|d| (d.node, d.from_ms));
    out
}

#[cfg(test)]
#[path = "sequence_tests.rs"]
mod tests;
