//! Live mode's model: the nodes as the last poll of `/live` found them, the messages on
//! the wire as their `send` and `deliver` events tell, and the log of what the nodes
//! did; driven by `LiveAction`s (polls, ticks bringing the events that came, the user's
//! choices). No browser call here: it is plain code, tested natively.

use super::api::{LiveNode, Status};
use super::socket::Feed;
use ensemble_core::event::Event;
use ensemble_core::sim::TraceLine;
use ensemble_core::types::NodeId;
use ensemble_core::wire::Wire;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use yew::Reducible;

/// The live log keeps at most this many lines.
pub const LOG_LINES: usize = 300;
/// A real message takes well under a millisecond: each stays drawn at least this long,
/// its dot crossing from sender to receiver meanwhile, so that a learner sees it...
pub const MIN_SHOWN_MS: u64 = 600;
/// ... and one whose delivery never shows (lost with a crash) goes after this long.
pub const MAX_SHOWN_MS: u64 = 1500;
const FLIGHTS_MAX: usize = 200;
/// Deliveries seen before their send (they come from another node's feed), kept this many.
const EARLY_MAX: usize = 256;

/// A message drawn on the wire: from its `send` until its `deliver` (and a minimum time).
#[derive(Clone, Debug, PartialEq)]
pub struct Flight {
    pub msg_id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub msg: Wire,
    /// When the page saw its `send` (browser clock).
    pub sent_ms: u64,
    pub delivered: bool,
}

impl Flight {
    fn done(&self, now_ms: u64) -> bool {
        let age = now_ms.saturating_sub(self.sent_ms);
        (self.delivered && age >= MIN_SHOWN_MS) || age >= MAX_SHOWN_MS
    }
}

/// What the page itself saw happen to a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Note {
    Down,
    Up,
    /// Its event feed fell this many lines behind and was dropped.
    Lagged(u64),
}

/// One line of the live log: a node's trace line, or a note of the page's.
#[derive(Clone, Debug, PartialEq)]
pub enum Logged {
    Trace(TraceLine),
    Note { time_ms: u64, node: u32, note: Note },
}

pub enum LiveAction {
    /// `/live` answered; `asked_at` is when it was asked (browser clock).
    Polled {
        nodes: Vec<LiveNode>,
        asked_at: u64,
    },
    PollFailed(String),
    /// A beat of the page's clock, with the feed items that came since the last one.
    Tick {
        now_ms: u64,
        feed: Vec<Feed>,
    },
    ToggleHeartbeats,
    /// A crash or restart request was answered.
    Admin(Result<(), String>),
}

#[derive(Clone, Default)]
pub struct LiveState {
    pub nodes: Rc<Vec<LiveNode>>,
    /// Each node's last status, so that a crashed node shows where it stopped.
    pub last: Rc<BTreeMap<u32, Status>>,
    pub asked_at: u64,
    /// Polls answered so far: the cards' and the feeds' cue.
    pub polls: u64,
    pub flights: Vec<Flight>,
    early: VecDeque<u64>,
    /// Newest first.
    pub log: Rc<VecDeque<Logged>>,
    pub log_version: u64,
    /// Draw the leader's PINGs and their answers (off: they would hide the rest).
    pub heartbeats: bool,
    pub poll_error: Option<String>,
    pub admin_error: Option<String>,
    pub now_ms: u64,
}

/// A PING: ZAB's heartbeat, many a second.
fn is_heartbeat(msg: &Wire) -> bool {
    msg.name() == "PING"
}

/// Trace events the log leaves out: timers and disk writes come many times a second.
fn quiet(e: &Event) -> bool {
    matches!(e, Event::Timer { .. } | Event::Persisted { .. } | Event::Drop { .. } | Event::Duplicate { .. })
}

impl LiveState {
    fn polled(&mut self, nodes: Vec<LiveNode>, asked_at: u64) {
        for n in &nodes {
            let was = self.nodes.iter().find(|p| p.id == n.id).map(|p| p.running);
            match (was, n.running) {
                (Some(true), false) => self.note(asked_at, n.id, Note::Down),
                (Some(false), true) => self.note(asked_at, n.id, Note::Up),
                _ => {}
            }
            if let Some(s) = &n.status {
                Rc::make_mut(&mut self.last).insert(n.id, s.clone());
            }
        }
        self.nodes = Rc::new(nodes);
        self.asked_at = asked_at;
        self.polls += 1;
        self.poll_error = None;
    }

    fn tick(&mut self, now_ms: u64, mut feed: Vec<Feed>) {
        self.now_ms = now_ms;
        // The feeds of several nodes arrive interleaved: take their lines in time order.
        feed.sort_by_key(|item| match item {
            Feed::Line(l) => l.time_ms,
            Feed::Lagged { .. } => u64::MAX,
        });
        for item in feed {
            match item {
                Feed::Line(line) => self.take(line, now_ms),
                Feed::Lagged { node, missed } => self.note(now_ms, node, Note::Lagged(missed)),
            }
        }
        self.flights.retain(|f| !f.done(now_ms));
        let extra = self.flights.len().saturating_sub(FLIGHTS_MAX);
        self.flights.drain(..extra);
    }

    fn take(&mut self, line: TraceLine, now_ms: u64) {
        match &line.event {
            Event::Send { msg, .. } | Event::Deliver { msg, .. } if is_heartbeat(msg) && !self.heartbeats => {}
            Event::Send { msg_id, from, to, msg } => {
                let early = self.early.iter().position(|id| id == msg_id);
                let delivered = early.and_then(|i| self.early.remove(i)).is_some();
                let (msg_id, from, to, msg) = (*msg_id, *from, *to, msg.clone());
                self.flights.push(Flight { msg_id, from, to, msg, sent_ms: now_ms, delivered });
            }
            Event::Deliver { msg_id, .. } => match self.flights.iter_mut().find(|f| f.msg_id == *msg_id) {
                Some(f) => f.delivered = true,
                None => {
                    self.early.push_back(*msg_id);
                    if self.early.len() > EARLY_MAX {
                        self.early.pop_front();
                    }
                }
            },
            e if quiet(e) => {}
            _ => self.log(Logged::Trace(line)),
        }
    }

    fn note(&mut self, time_ms: u64, node: u32, note: Note) {
        self.log(Logged::Note { time_ms, node, note });
    }

    fn log(&mut self, line: Logged) {
        let log = Rc::make_mut(&mut self.log);
        log.push_front(line);
        log.truncate(LOG_LINES);
        self.log_version += 1;
    }

    fn with(&self, f: impl FnOnce(&mut LiveState)) -> Rc<LiveState> {
        let mut next = self.clone();
        f(&mut next);
        Rc::new(next)
    }
}

impl Reducible for LiveState {
    type Action = LiveAction;

    fn reduce(self: Rc<Self>, action: LiveAction) -> Rc<Self> {
        match action {
            LiveAction::Polled { nodes, asked_at } => self.with(|s| s.polled(nodes, asked_at)),
            LiveAction::PollFailed(e) => self.with(|s| s.poll_error = Some(e)),
            // Nothing came and nothing moves: no new state, nothing to draw.
            LiveAction::Tick { feed, .. } if feed.is_empty() && self.flights.is_empty() => self,
            LiveAction::Tick { now_ms, feed } => self.with(|s| s.tick(now_ms, feed)),
            LiveAction::ToggleHeartbeats => self.with(|s| s.heartbeats = !s.heartbeats),
            LiveAction::Admin(result) => self.with(|s| s.admin_error = result.err()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::socket::parse_feed;

    fn line(node: u32, event: &str) -> Feed {
        parse_feed(node, &format!(r#"{{"step":1,"time_ms":5,"node":{node},"event":{event}}}"#)).expect("a trace line")
    }

    fn msg(kind: &str, id: u64) -> String {
        let m = r#"{"type":"ACK","zxid":{"epoch":1,"counter":1}}"#;
        format!(r#"{{"type":"{kind}","msg_id":{id},"from":2,"to":1,"msg":{m}}}"#)
    }

    fn tick(s: Rc<LiveState>, now_ms: u64, feed: Vec<Feed>) -> Rc<LiveState> {
        s.reduce(LiveAction::Tick { now_ms, feed })
    }

    #[test]
    fn a_message_stays_drawn_at_least_its_minimum_and_goes_once_delivered() {
        let s = tick(Rc::default(), 1000, vec![line(2, &msg("send", 7))]);
        assert_eq!(s.flights.len(), 1);
        let s = tick(s, 1001, vec![line(1, &msg("deliver", 7))]);
        assert!(s.flights[0].delivered);
        let s = tick(s, 1000 + MIN_SHOWN_MS - 1, vec![]);
        assert_eq!(s.flights.len(), 1, "still drawn before its minimum time");
        let s = tick(s, 1000 + MIN_SHOWN_MS, vec![]);
        assert!(s.flights.is_empty());
        assert!(s.log.is_empty(), "sends and deliveries are drawn, not logged");
    }

    #[test]
    fn a_delivery_seen_first_and_a_lost_message_are_handled() {
        let s = tick(Rc::default(), 0, vec![line(1, &msg("deliver", 9)), line(2, &msg("send", 9))]);
        assert!(s.flights[0].delivered, "its delivery came from the other feed first");
        let s = tick(s, 10, vec![line(2, &msg("send", 10))]);
        let s = tick(s, MAX_SHOWN_MS + 9, vec![]);
        assert_eq!(s.flights.iter().map(|f| f.msg_id).collect::<Vec<_>>(), vec![10]);
        let s = tick(s, MAX_SHOWN_MS + 10, vec![]);
        assert!(s.flights.is_empty(), "never delivered: gone after the longest time");
        let idle = tick(s.clone(), MAX_SHOWN_MS + 50, vec![]);
        assert!(Rc::ptr_eq(&s, &idle), "an idle tick changes nothing");
    }

    #[test]
    fn protocol_events_are_logged_newest_first_and_bounded() {
        let committed = r#"{"type":"committed","zxid":{"epoch":1,"counter":1}}"#;
        let timer = r#"{"type":"timer","timer":"tick"}"#;
        let feed = (0..LOG_LINES + 5).map(|_| line(1, committed)).chain([line(1, timer)]).collect();
        let s = tick(Rc::default(), 0, feed);
        assert_eq!(s.log.len(), LOG_LINES);
        assert!(matches!(&s.log[0], Logged::Trace(l) if l.event.kind() == "committed"));
    }

    #[test]
    fn a_poll_notes_a_node_going_down_and_coming_back() {
        let node = |running| LiveNode { id: 2, addr: "a".into(), observer: false, running, status: None };
        let s = Rc::<LiveState>::default().reduce(LiveAction::Polled { nodes: vec![node(true)], asked_at: 1 });
        let s = s.reduce(LiveAction::Polled { nodes: vec![node(false)], asked_at: 2 });
        let s = s.reduce(LiveAction::Polled { nodes: vec![node(true)], asked_at: 3 });
        let notes: Vec<_> = s.log.iter().map(|l| matches!(l, Logged::Note { note: Note::Up, .. })).collect();
        assert_eq!(notes, vec![true, false]);
        assert_eq!(s.polls, 3);
    }
}
