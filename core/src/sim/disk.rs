//! The simulated disk: writes take time, complete in order, and a crash loses the
//! ones still in progress, with everything that waited on them.
//!
//! This is what makes the durability contract of [`Action`](crate::node::Action)
//! testable: a node that answered before its write was durable would, after a crash
//! between the two, have promised something its disk forgot. With `disk_ms = [0, 0]`
//! (the default) every write is durable at once and nothing waits.

use super::{reply_event, Pending, Sim};
use crate::client::ClientReply;
use crate::event::Event;
use crate::node::Node;
use crate::types::{NodeId, Time};
use std::collections::VecDeque;

/// An effect waiting for a write to be durable.
#[derive(Clone, Debug)]
pub(super) enum Held<M> {
    Send { to: NodeId, msg: M },
    Reply(ClientReply),
    Emit(Event),
}

/// One node's disk.
#[derive(Clone, Debug)]
pub(super) struct Disk<N: Node> {
    /// Records written and not yet durable, oldest first.
    pending: VecDeque<N::Durable>,
    /// Writes asked for so far; the first `done` of them are durable.
    issued: u64,
    done: u64,
    /// Effects waiting for write number `k` (1-based) to be durable, in order.
    held: VecDeque<(u64, Held<N::Msg>)>,
    /// When the disk finishes the last write it was given (it works in order).
    busy_until: Time,
    /// Bumped by a crash, so the completions of lost writes are ignored.
    pub(super) incarnation: u64,
}

impl<N: Node> Default for Disk<N> {
    fn default() -> Self {
        Disk {
            pending: VecDeque::new(),
            issued: 0,
            done: 0,
            held: VecDeque::new(),
            busy_until: Time(0),
            incarnation: 0,
        }
    }
}

impl<N: Node> Disk<N> {
    /// Some write is still in progress: what the node says now must wait.
    pub(super) fn busy(&self) -> bool {
        self.issued > self.done
    }

    pub(super) fn write(&mut self, record: N::Durable) {
        self.pending.push_back(record);
        self.issued += 1;
    }

    /// `effect` leaves once every write asked for so far is durable.
    pub(super) fn hold(&mut self, effect: Held<N::Msg>) {
        self.held.push_back((self.issued, effect));
    }

    /// The crash: writes in progress and what waited on them are gone. Returns how
    /// many writes were lost.
    pub(super) fn crash(&mut self) -> u64 {
        let lost = self.issued - self.done;
        self.pending.clear();
        self.held.clear();
        self.issued = self.done;
        self.incarnation += 1;
        lost
    }
}

/// Keep `record` as durable; a checkpoint replaces every record before it.
pub(super) fn keep<N: Node>(durable: &mut Vec<N::Durable>, record: N::Durable) {
    if N::is_checkpoint(&record) {
        durable.clear();
    }
    durable.push(record);
}

impl<N: Node> Sim<N> {
    /// The disk has no latency: writes are durable at once.
    pub(super) fn instant_disk(&self) -> bool {
        self.net.disk_ms == [0, 0]
    }

    /// After a handler wrote something: the disk completes it (and every write before
    /// it) one fsync later, in order.
    pub(super) fn schedule_write(&mut self, id: NodeId) {
        let [lo, hi] = self.net.disk_ms;
        let fsync_ms = self.rng.range(lo, hi);
        let now = self.now;
        let slot = self.slot_mut(id);
        let at = Time(now.plus_ms(fsync_ms).0.max(slot.disk.busy_until.0));
        slot.disk.busy_until = at;
        let (upto, incarnation) = (slot.disk.issued, slot.disk.incarnation);
        self.enqueue(at, Pending::Disk { node: id, upto, incarnation });
    }

    /// A write completed: its records are durable, and what waited on them leaves.
    /// `false` if it was lost in a crash since (nothing happens).
    pub(super) fn complete_write(&mut self, id: NodeId, upto: u64, incarnation: u64, events: &mut Vec<Event>) -> bool {
        let slot = self.slot_mut(id);
        if slot.disk.incarnation != incarnation || upto <= slot.disk.done {
            return false;
        }
        let records = upto - slot.disk.done;
        for _ in 0..records {
            let record = slot.disk.pending.pop_front().expect("pending write");
            keep::<N>(&mut slot.durable, record);
        }
        slot.disk.done = upto;
        if self.tracing {
            events.push(Event::Persisted { records });
        }
        while let Some((k, _)) = self.slot(id).disk.held.front() {
            if *k > upto {
                break;
            }
            let (_, effect) = self.slot_mut(id).disk.held.pop_front().expect("front");
            match effect {
                Held::Send { to, msg } => self.send(id, to, msg, events),
                Held::Reply(r) => events.push(reply_event(r)),
                Held::Emit(e) => events.push(e),
            }
        }
        true
    }
}
