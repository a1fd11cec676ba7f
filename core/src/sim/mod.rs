//! The deterministic simulator.
//!
//! Virtual time, one event queue ordered by `(time, seq)`, one seeded [`Rng`]. Each
//! [`Sim::step`] takes the earliest pending input (a message delivery, a timer, a
//! scheduled fault or request), hands it to the node, carries out the node's actions
//! and runs the invariant [`Checker`] over what happened. Same scenario, seed and
//! interventions give the same trace, byte for byte, natively and in wasm.

mod break_here;
mod check;
mod control;
mod disk;
#[cfg(test)]
mod disk_tests;
mod dynsim;
mod history;
mod intervention;
mod link;
#[cfg(test)]
mod link_tests;
mod net;
mod rng;
mod sequence;
#[cfg(test)]
mod stuck_tests;
mod timeline;
mod trace;

pub use break_here::{break_here, Broken};
pub use check::{Checker, Found, Invariants, Violation};
pub use dynsim::{DynSim, InFlight, Stats, TimerView};
pub use history::{ghosts, history_matrix, Cell, Column, Ghost, HistoryMatrix, HistoryRow, Mark};
pub use intervention::{Intervention, InterventionError};
pub use net::{NetConfig, Partition};
pub use rng::Rng;
pub use sequence::{sequence, Arrow, At, Down, End, Sequence};
pub use timeline::{Branch, Timeline};
pub use trace::{fingerprint, parse_jsonl, TraceEntry, TraceLine};

use crate::client::ClientReply;
use crate::event::{DropReason, Event};
use crate::node::{Action, Node, Out};
use crate::types::{ClientId, NodeId, Time};
use crate::wire::{Wire, WireValue};
use disk::Held;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Builds a node from its durable records: empty at first start, the persisted ones
/// at restart.
pub type Factory<N> = Arc<dyn Fn(NodeId, &[<N as Node>::Durable]) -> N>;

#[derive(Clone, Debug)]
struct Message<M> {
    id: u64,
    from: NodeId,
    to: NodeId,
    /// Shared with its trace events: recording a message copies no message.
    msg: Arc<M>,
    sent_at: Time,
    /// Decided at send time so that the whole fate of a message follows from the seed.
    lost: bool,
    /// Sender and receiver were partitioned when it was sent.
    cut: bool,
}

#[derive(Clone, Debug)]
enum Pending<N: Node> {
    Msg(Message<N::Msg>),
    Timer {
        node: NodeId,
        timer: N::Timer,
    },
    /// A scenario's scheduled fault or request.
    Script(Intervention),
    /// Node `node`'s disk finishes its writes up to number `upto`.
    Disk {
        node: NodeId,
        upto: u64,
        incarnation: u64,
    },
    /// Node `node` is told its connection to `peer` broke (see [`link`]).
    Disconnect {
        node: NodeId,
        peer: NodeId,
    },
}

#[derive(Clone)]
struct Slot<N: Node> {
    node: N,
    up: bool,
    durable: Vec<N::Durable>,
    /// Writes in progress and the effects waiting on them.
    disk: disk::Disk<N>,
    /// Armed timers and their queue keys, so re-arming or cancelling finds them.
    timers: BTreeMap<N::Timer, (Time, u64)>,
}

#[derive(Clone)]
pub struct Sim<N: Node> {
    now: Time,
    seq: u64,
    steps: u64,
    next_msg_id: u64,
    rng: Rng,
    queue: BTreeMap<(Time, u64), Pending<N>>,
    nodes: Vec<Slot<N>>,
    net: NetConfig,
    partition: Partition,
    factory: Factory<N>,
    checker: Checker<N::Checker>,
    /// Off: network events are not recorded (protocol events still are, for the checker).
    tracing: bool,
    client_seq: BTreeMap<ClientId, u64>,
    /// Per link, when its last message arrives (FIFO links only).
    link_last: BTreeMap<(NodeId, NodeId), Time>,
    /// Extra delay of slowed links.
    slow: BTreeMap<(NodeId, NodeId), u64>,
    stats: Stats,
    /// How many steps in a row happened at this instant (see [`STUCK_STEPS`]).
    instant: (Time, u64),
}

/// More steps than this at one instant is a livelock (`stuck`): nodes keep answering
/// each other without delay, and virtual time never reaches the next timer.
pub const STUCK_STEPS: u64 = 10_000;

impl<N: Node> Sim<N> {
    /// Nodes get ids `1..=count` and are started at time 0, in id order.
    pub fn new(count: u32, net: NetConfig, seed: u64, checker: N::Checker, factory: Factory<N>) -> Self {
        Self::with_initial(count, net, seed, checker, factory, Vec::new())
    }

    /// Like `new`, but node `i` starts from the durable records `initial[i - 1]` (a
    /// scenario's initial logs and epochs), which it also keeps across restarts.
    pub fn with_initial(
        count: u32,
        net: NetConfig,
        seed: u64,
        checker: N::Checker,
        factory: Factory<N>,
        initial: Vec<Vec<N::Durable>>,
    ) -> Self {
        let nodes = (1..=count)
            .map(|i| {
                let durable = initial.get(i as usize - 1).cloned().unwrap_or_default();
                Slot {
                    node: factory(NodeId(i), &durable),
                    up: true,
                    durable,
                    disk: disk::Disk::default(),
                    timers: BTreeMap::new(),
                }
            })
            .collect();
        let mut sim = Sim {
            now: Time(0),
            seq: 0,
            steps: 0,
            next_msg_id: 1,
            rng: Rng::new(seed),
            queue: BTreeMap::new(),
            nodes,
            net,
            partition: Partition::default(),
            factory,
            checker: Checker::new(checker),
            tracing: true,
            client_seq: BTreeMap::new(),
            link_last: BTreeMap::new(),
            slow: BTreeMap::new(),
            stats: Stats::default(),
            instant: (Time(0), 0),
        };
        for i in 1..=count {
            let mut scratch = Vec::new();
            sim.run_node(NodeId(i), &mut scratch, |n, now, out| n.on_start(now, out));
        }
        sim
    }

    /// Queue a scheduled intervention (fault or request) at `at`.
    pub fn schedule(&mut self, at: Time, iv: Intervention) {
        self.enqueue(at, Pending::Script(iv));
    }

    pub fn set_tracing(&mut self, on: bool) {
        self.tracing = on;
    }
    pub fn now(&self) -> Time {
        self.now
    }
    pub fn steps(&self) -> u64 {
        self.steps
    }
    pub fn node(&self, id: NodeId) -> &N {
        &self.slot(id).node
    }
    pub fn is_up(&self, id: NodeId) -> bool {
        self.slot(id).up
    }
    pub fn durable(&self, id: NodeId) -> &[N::Durable] {
        &self.slot(id).durable
    }
    pub fn node_count(&self) -> u32 {
        self.nodes.len() as u32
    }
    pub fn checker(&self) -> &Checker<N::Checker> {
        &self.checker
    }
    /// Time of the next pending input, if any (none once the run is stuck).
    pub fn next_time(&self) -> Option<Time> {
        self.queue.keys().next().map(|k| k.0).filter(|_| !self.is_stuck())
    }
    /// Virtual time stopped (see [`STUCK_STEPS`]): the run takes no more steps.
    pub fn is_stuck(&self) -> bool {
        self.instant.1 > STUCK_STEPS
    }

    fn slot(&self, id: NodeId) -> &Slot<N> {
        &self.nodes[id.0 as usize - 1]
    }
    fn slot_mut(&mut self, id: NodeId) -> &mut Slot<N> {
        &mut self.nodes[id.0 as usize - 1]
    }
    fn exists(&self, id: NodeId) -> bool {
        id.0 >= 1 && id.0 as usize <= self.nodes.len()
    }

    /// The lowest-numbered live node that believes it leads.
    pub fn leader(&self) -> Option<NodeId> {
        self.nodes.iter().position(|s| s.up && s.node.is_leader()).map(|i| NodeId(i as u32 + 1))
    }

    fn enqueue(&mut self, at: Time, p: Pending<N>) -> (Time, u64) {
        self.seq += 1;
        let key = (at, self.seq);
        self.queue.insert(key, p);
        key
    }

    /// Handle the earliest pending input. `None` when nothing is left to happen, or
    /// the run is stuck: stepping on would only spin at the same instant.
    pub fn step(&mut self) -> Option<TraceEntry> {
        if self.is_stuck() {
            return None;
        }
        loop {
            let ((at, _), pending) = self.queue.pop_first()?;
            self.now = at;
            let mut events = Vec::new();
            let node = match pending {
                Pending::Msg(m) => {
                    let to = m.to;
                    self.handle_message(m, false, &mut events);
                    Some(to)
                }
                Pending::Timer { node, timer } => {
                    self.slot_mut(node).timers.remove(&timer);
                    self.fire_timer(node, timer, &mut events);
                    Some(node)
                }
                Pending::Script(iv) => match self.apply(&iv, &mut events) {
                    Ok(node) => node,
                    // A scheduled fault that no longer applies (e.g. crashing a node that
                    // is already down) is skipped without using up a step.
                    Err(_) => continue,
                },
                Pending::Disk { node, upto, incarnation } => {
                    // A write lost in a crash completes nothing, and takes no step.
                    if !self.complete_write(node, upto, incarnation, &mut events) {
                        continue;
                    }
                    Some(node)
                }
                Pending::Disconnect { node, peer } => {
                    // A node that crashed meanwhile has no connection left to lose.
                    if !self.disconnected(node, peer, &mut events) {
                        continue;
                    }
                    Some(node)
                }
            };
            return Some(self.finish(node, events));
        }
    }

    /// Apply a person's intervention now, as one step. Nothing changes on error.
    pub fn intervene(&mut self, iv: &Intervention) -> Result<TraceEntry, InterventionError> {
        self.validate(iv)?;
        let mut events = Vec::new();
        let node = self.apply(iv, &mut events)?;
        Ok(self.finish(node, events))
    }

    fn finish(&mut self, node: Option<NodeId>, mut events: Vec<Event>) -> TraceEntry {
        self.steps += 1;
        let mut entry = TraceEntry { step: self.steps, time_ms: self.now.ms(), node, events: Vec::new() };
        let violations = self.checker.observe(self.steps, node, &events);
        events.extend(violations);
        events.extend(self.check_stuck());
        entry.events = events;
        self.stats.steps = self.steps;
        entry
    }

    /// Liveness for every protocol: a run whose time stops is reported once, at the
    /// step that crosses [`STUCK_STEPS`], and ends there instead of spinning silently to
    /// its step limit.
    fn check_stuck(&mut self) -> Option<Event> {
        let (at, count) = self.instant;
        self.instant = (self.now, if at == self.now { count + 1 } else { 1 });
        if self.instant.1 != STUCK_STEPS + 1 {
            return None;
        }
        let detail = format!("more than {STUCK_STEPS} steps at {} ms: virtual time stopped advancing", self.now.ms());
        self.checker.report(self.steps, "stuck", "run".into(), detail)
    }

    fn handle_message(&mut self, m: Message<N::Msg>, manual: bool, events: &mut Vec<Event>) {
        let reason = if !self.slot(m.to).up {
            Some(DropReason::NodeDown)
        } else if m.cut || !self.partition.connected(m.from, m.to) {
            Some(DropReason::Partition)
        } else if m.lost && !manual {
            Some(DropReason::Loss)
        } else {
            None
        };
        if reason == Some(DropReason::Loss) && N::links_are_connections() {
            return self.break_link(m, DropReason::Loss, events);
        }
        if let Some(reason) = reason {
            self.stats.dropped += 1;
            if self.tracing {
                let msg = wire(&m.msg);
                events.push(Event::Drop { msg_id: m.id, from: m.from, to: m.to, msg, reason, breaks_link: false });
            }
            return;
        }
        self.stats.delivered += 1;
        if self.tracing {
            events.push(Event::Deliver { msg_id: m.id, from: m.from, to: m.to, msg: wire(&m.msg) });
        }
        // The node owns what it is handed; a copy only if the trace still holds it.
        let (from, msg) = (m.from, Arc::try_unwrap(m.msg).unwrap_or_else(|shared| (*shared).clone()));
        self.run_node(m.to, events, |n, now, out| n.on_message(now, from, msg, out));
    }

    fn fire_timer(&mut self, node: NodeId, timer: N::Timer, events: &mut Vec<Event>) {
        if self.tracing {
            events.push(Event::Timer { timer: Wire::new(timer) });
        }
        self.run_node(node, events, |n, now, out| n.on_timer(now, timer, out));
    }

    /// Call a handler on node `id` and carry out the actions it returns.
    fn run_node(&mut self, id: NodeId, events: &mut Vec<Event>, f: impl FnOnce(&mut N, Time, &mut Out<N>)) {
        let now = self.now;
        let mut out = Out::new();
        f(&mut self.slot_mut(id).node, now, &mut out);
        let mut wrote = false;
        for action in out.actions {
            // What the node says waits while a write of its is in progress.
            let busy = self.slot(id).disk.busy();
            match action {
                Action::Send { to, msg } if busy => self.slot_mut(id).disk.hold(Held::Send { to, msg }),
                Action::Send { to, msg } | Action::SendAhead { to, msg } => self.send(id, to, msg, events),
                Action::SetTimer { timer, after_ms } => {
                    let delay_ms = self.rng.range(*after_ms.start(), *after_ms.end());
                    self.cancel_timer(id, timer);
                    let key = self.enqueue(now.plus_ms(delay_ms), Pending::Timer { node: id, timer });
                    self.slot_mut(id).timers.insert(timer, key);
                }
                Action::CancelTimer(timer) => self.cancel_timer(id, timer),
                Action::Persist(record) if self.instant_disk() => {
                    disk::keep::<N>(&mut self.slot_mut(id).durable, record)
                }
                Action::Persist(record) => {
                    self.slot_mut(id).disk.write(record);
                    wrote = true;
                }
                Action::Reply(reply) if busy => self.slot_mut(id).disk.hold(Held::Reply(reply)),
                Action::Reply(reply) | Action::ReplyAhead(reply) => events.push(reply_event(reply)),
                Action::Emit(event) if busy => self.slot_mut(id).disk.hold(Held::Emit(event)),
                Action::Emit(event) | Action::EmitAhead(event) => events.push(event),
            }
        }
        if wrote {
            self.schedule_write(id);
        }
    }

    fn cancel_timer(&mut self, id: NodeId, timer: N::Timer) {
        if let Some(key) = self.slot_mut(id).timers.remove(&timer) {
            self.queue.remove(&key);
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: N::Msg, events: &mut Vec<Event>) {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        self.stats.sent += 1;
        let msg = Arc::new(msg);
        if self.tracing {
            events.push(Event::Send { msg_id: id, from, to, msg: wire(&msg) });
        }
        let now = self.now;
        if from == to {
            // Local delivery: no wire, no delay, no loss.
            let m = Message { id, from, to, msg, sent_at: now, lost: false, cut: false };
            self.enqueue(now, Pending::Msg(m));
            return;
        }
        let delay_ms = self.draw_delay_ms() + self.slow.get(&(from, to)).copied().unwrap_or(0);
        let lost = self.rng.chance(self.net.drop);
        let cut = !self.partition.connected(from, to);
        let duplicated = self.rng.chance(self.net.duplicate);
        let at = self.arrival(from, to, now.plus_ms(delay_ms));
        let m = Message { id, from, to, msg, sent_at: now, lost, cut };
        let copy_at = match (duplicated, self.net.duplicate_late_ms) {
            (false, _) => None,
            (true, 0) => {
                let d = self.draw_delay_ms();
                Some(self.arrival(from, to, now.plus_ms(d)))
            }
            // A late copy keeps out of the link's FIFO order, so messages sent after the
            // original may arrive before it: the retransmission a protocol must shrug off.
            (true, late_ms) => Some(at.plus_ms(self.rng.range(0, late_ms))),
        };
        self.enqueue(at, Pending::Msg(m.clone()));
        if let Some(copy_at) = copy_at {
            self.put_copy(&m, copy_at, events);
        }
    }

    /// On a FIFO link a message never arrives before the one sent ahead of it.
    fn arrival(&mut self, from: NodeId, to: NodeId, at: Time) -> Time {
        if !self.net.fifo {
            return at;
        }
        let last = self.link_last.entry((from, to)).or_insert(Time(0));
        *last = (*last).max(at);
        *last
    }

    fn draw_delay_ms(&mut self) -> u64 {
        let [lo, hi] = self.net.latency_ms;
        let mut delay_ms = self.rng.range(lo, hi);
        if !self.net.fifo && self.rng.chance(self.net.reorder) {
            delay_ms += self.rng.range(0, self.net.reorder_ms);
        }
        delay_ms
    }

    /// A second copy of `m` (with its own id) that arrives at `at`.
    fn put_copy(&mut self, m: &Message<N::Msg>, at: Time, events: &mut Vec<Event>) {
        let copy_id = self.next_msg_id;
        self.next_msg_id += 1;
        self.stats.duplicated += 1;
        if self.tracing {
            events.push(Event::Duplicate { msg_id: copy_id, of: m.id, from: m.from, to: m.to, msg: wire(&m.msg) });
        }
        let copy = Message { id: copy_id, lost: false, ..m.clone() };
        self.enqueue(at, Pending::Msg(copy));
    }
}

fn wire<M: WireValue>(msg: &Arc<M>) -> Wire {
    Wire::shared(msg.clone())
}

fn reply_event(r: ClientReply) -> Event {
    Event::reply(r)
}
