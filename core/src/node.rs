//! The sans-IO node interface shared by every protocol.
//!
//! A node is a plain-data state machine. The runtime (the simulator here, tokio in
//! `ensemble-native`) hands it time and inputs; it answers with [`Action`]s, effects
//! described as data. A node never reads a clock, opens a socket or draws a random
//! number: a timer is asked for with a *range* of delays and the runtime picks the
//! jitter, with its seeded RNG in the simulator.

use crate::client::{ClientReply, ClientRequest};
use crate::event::Event;
use crate::sim::Invariants;
use crate::types::{NodeId, Time};
use crate::view::{HistoryView, NodeView};
use crate::wire::WireValue;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;
use std::ops::RangeInclusive;

/// A protocol participant. Implementations keep all state in plain, clonable fields so
/// the simulator can snapshot them and a UI can show every field.
pub trait Node: Clone + Debug + Serialize {
    /// One message enum per protocol, variants named after the paper.
    type Msg: WireValue + Clone + PartialEq + Serialize + DeserializeOwned;
    /// A closed set of named timers; setting a timer that is already set re-arms it.
    type Timer: WireValue + Copy + Eq + Ord + Serialize + DeserializeOwned;
    /// What survives a crash. Restart rebuilds the node from these records only.
    type Durable: Clone + Debug + PartialEq + Serialize + DeserializeOwned;
    /// The protocol's invariants, which the simulator checks after every step.
    type Checker: Invariants;

    fn on_start(&mut self, now: Time, out: &mut Out<Self>);
    fn on_message(&mut self, now: Time, from: NodeId, msg: Self::Msg, out: &mut Out<Self>);
    fn on_timer(&mut self, now: Time, timer: Self::Timer, out: &mut Out<Self>);
    fn on_request(&mut self, now: Time, req: ClientRequest, out: &mut Out<Self>);
    /// A runtime with real connections lost its connection to `peer` (the socket
    /// closed: the peer's process died, or the link between them broke). Messages on it
    /// may have been lost. A protocol that runs over FIFO connections, as ZAB does over
    /// TCP, reacts at once instead of waiting for a timeout; by default nothing happens.
    fn on_disconnect(&mut self, _now: Time, _peer: NodeId, _out: &mut Out<Self>) {}
    /// Whether the protocol's links are connections (TCP), not datagrams. On a
    /// connection a message is never lost alone: losing one breaks the connection, so a
    /// runtime that loses one (the simulator's drop) loses everything else in flight on
    /// it, in both directions, and tells both ends (`on_disconnect`); what is sent
    /// afterwards goes over a new connection. By default links are datagrams, and a
    /// dropped message is just gone.
    fn links_are_connections() -> bool {
        false
    }
    fn view(&self) -> NodeView;
    /// Its whole history, for a history matrix (made on demand, not with every view);
    /// empty for a protocol without a log.
    fn history(&self) -> HistoryView {
        HistoryView::default()
    }
    /// Whether `event`, emitted by this node, may have cut entries off the top of its
    /// history (ZAB's TRUNC and SNAP): a history matrix keeps what was cut as ghosts.
    fn cuts_history(_event: &Event) -> bool {
        false
    }
    /// Whether `record` holds the node's whole durable state: once it is durable a
    /// runtime may drop every record persisted before it (a checkpoint, so a
    /// write-ahead log stays bounded). Restart then replays from it.
    fn is_checkpoint(_record: &Self::Durable) -> bool {
        false
    }
    /// Whether `record` is bookkeeping: nothing the node says rests on it being durable,
    /// and losing it in a crash only makes the node redo work it can redo (a ZAB
    /// server's delivery mark: restarted, it delivers again from its log). A runtime may
    /// let what the node says after it leave before it is durable, and may sync it with
    /// the next write rather than on its own. The simulator keeps the strict order.
    fn is_bookkeeping(_record: &Self::Durable) -> bool {
        false
    }
    /// Whether this node leads now (for "crash the leader" faults). Leaderless
    /// protocols keep the default.
    fn is_leader(&self) -> bool {
        false
    }
}

/// How many of `records` follow the last checkpoint (all of them if there is none):
/// what a node restarted from them has written since its last checkpoint.
pub fn since_checkpoint<N: Node>(records: &[N::Durable]) -> u64 {
    records.iter().rev().take_while(|r| !N::is_checkpoint(r)).count() as u64
}

/// One effect requested by a node.
///
/// **The durability contract.** `Persist` starts a write; writes become durable in the
/// order they were asked for. Everything a node says (`Send`, `Reply`, `Emit`) leaves
/// only once every record it persisted before is durable, so no answer, and no trace
/// event, ever vouches for a write a crash could still lose. A crash loses the writes
/// that had not completed, with everything waiting on them. `SendAhead` is the one
/// exception (with `EmitAhead`, its trace event): it leaves at once, ahead of writes
/// still in progress (the ZAB leader's PROPOSAL, which it logs in parallel with its
/// followers, as ZooKeeper does). Timers are set and cancelled at once.
#[derive(Clone, Debug, PartialEq)]
pub enum Action<M, T, D> {
    /// Leaves once every record persisted before it is durable.
    Send {
        to: NodeId,
        msg: M,
    },
    /// Leaves at once, even while earlier writes are still in progress.
    SendAhead {
        to: NodeId,
        msg: M,
    },
    /// Arm `timer` to fire after a delay the runtime draws from `after_ms`.
    SetTimer {
        timer: T,
        after_ms: RangeInclusive<u64>,
    },
    CancelTimer(T),
    /// Write `D`; later `Send`s, `Reply`s and `Emit`s wait until it is durable.
    Persist(D),
    Reply(ClientReply),
    /// A reply that leaves at once, ahead of writes in progress: for an answer whose
    /// truth does not rest on this node's own writes (ZAB answers only with what a
    /// quorum committed, so its answers need not wait for its bookkeeping).
    ReplyAhead(ClientReply),
    Emit(Event),
    /// A trace event that goes with a `SendAhead`: recorded at once.
    EmitAhead(Event),
}

pub type ActionOf<N> = Action<<N as Node>::Msg, <N as Node>::Timer, <N as Node>::Durable>;

/// The effects a handler produced, in order.
pub struct Out<N: Node> {
    pub actions: Vec<ActionOf<N>>,
}

impl<N: Node> Default for Out<N> {
    fn default() -> Self {
        Out { actions: Vec::new() }
    }
}

impl<N: Node> Out<N> {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn send(&mut self, to: NodeId, msg: N::Msg) {
        self.actions.push(Action::Send { to, msg });
    }
    /// Send `msg` now, without waiting for writes in progress (see [`Action::SendAhead`]).
    pub fn send_ahead(&mut self, to: NodeId, msg: N::Msg) {
        self.actions.push(Action::SendAhead { to, msg });
    }
    /// Send `msg` to each of `peers`, in the order given.
    pub fn broadcast<'a>(&mut self, peers: impl IntoIterator<Item = &'a NodeId>, msg: &N::Msg) {
        for &to in peers {
            self.send(to, msg.clone());
        }
    }
    pub fn set_timer(&mut self, timer: N::Timer, after_ms: RangeInclusive<u64>) {
        self.actions.push(Action::SetTimer { timer, after_ms });
    }
    pub fn cancel_timer(&mut self, timer: N::Timer) {
        self.actions.push(Action::CancelTimer(timer));
    }
    pub fn persist(&mut self, record: N::Durable) {
        self.actions.push(Action::Persist(record));
    }
    pub fn reply(&mut self, reply: ClientReply) {
        self.actions.push(Action::Reply(reply));
    }
    /// Reply now, without waiting for writes in progress (see [`Action::ReplyAhead`]).
    pub fn reply_ahead(&mut self, reply: ClientReply) {
        self.actions.push(Action::ReplyAhead(reply));
    }
    /// Record `event` (a protocol's own event, usually) once what was persisted before
    /// is durable.
    pub fn emit(&mut self, event: impl Into<Event>) {
        self.actions.push(Action::Emit(event.into()));
    }
    /// Record `event` at once, without waiting for writes in progress.
    pub fn emit_ahead(&mut self, event: impl Into<Event>) {
        self.actions.push(Action::EmitAhead(event.into()));
    }
    pub fn take(&mut self) -> Vec<ActionOf<N>> {
        std::mem::take(&mut self.actions)
    }
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }
}
