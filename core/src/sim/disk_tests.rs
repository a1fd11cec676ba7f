//! The simulated disk and the durability contract: what a node says after a write
//! waits for it, `SendAhead` does not, a crash loses writes in progress with what
//! waited on them, and a checkpoint replaces the records before it.

use super::{Intervention, NetConfig, Sim};
use crate::client::ClientRequest;
use crate::event::{Event, EventKind};
use crate::node::{Node, Out};
use crate::types::{NodeId, Time};
use crate::view::{NodeView, StateKind, StateView, Term};
use serde::Serialize;
use std::sync::Arc;

/// What node 1 tells the trace once a record is durable.
#[derive(Clone, Debug, PartialEq, Serialize)]
struct Noted;

impl EventKind for Noted {
    fn kind(&self) -> &'static str {
        "noted"
    }
}

/// Node 2 sends node 1 a record number; node 1 writes it, says so at once with a
/// `SendAhead` (number + 100), and acknowledges it (the number) once it is durable.
/// Numbers from 200 are checkpoints.
#[derive(Clone, Debug, Serialize)]
struct Scribe {
    id: u32,
    send: Vec<u8>,
}

impl Node for Scribe {
    type Msg = u8;
    type Timer = u8;
    type Durable = u8;
    type Checker = ();

    fn on_start(&mut self, _: Time, out: &mut Out<Self>) {
        for m in &self.send {
            out.send(NodeId(1), *m);
        }
    }
    fn on_message(&mut self, _: Time, from: NodeId, m: u8, out: &mut Out<Self>) {
        if self.id == 1 {
            out.persist(m);
            out.send_ahead(from, m.wrapping_add(100));
            out.send(from, m);
            out.emit(Noted);
        }
    }
    fn on_timer(&mut self, _: Time, _: u8, _: &mut Out<Self>) {}
    fn on_request(&mut self, _: Time, _: ClientRequest, _: &mut Out<Self>) {}
    fn is_checkpoint(r: &u8) -> bool {
        *r >= 200
    }
    fn view(&self) -> NodeView {
        NodeView::new(NodeId(self.id), StateView { term: Term::new("SCRIBE", "", ""), kind: StateKind::Idle })
    }
}

fn sim(send: &[u8], disk_ms: u64) -> Sim<Scribe> {
    let net = NetConfig { latency_ms: [1, 1], disk_ms: [disk_ms, disk_ms], ..NetConfig::default() };
    let send = send.to_vec();
    let factory =
        Arc::new(move |id: NodeId, _: &[u8]| Scribe { id: id.0, send: if id.0 == 2 { send.clone() } else { vec![] } });
    Sim::new(2, net, 1, (), factory)
}

/// (time, node, event kind, message) of every event until the run ends.
fn run(sim: &mut Sim<Scribe>) -> Vec<(u64, u32, &'static str, Option<u64>)> {
    let mut seen = Vec::new();
    for _ in 0..100 {
        let Some(entry) = sim.step() else { break };
        for e in &entry.events {
            let msg = match e {
                Event::Send { msg, .. } | Event::Deliver { msg, .. } => msg.get::<u8>().map(|m| u64::from(*m)),
                _ => None,
            };
            seen.push((entry.time_ms, entry.node.map_or(0, |n| n.0), e.kind(), msg));
        }
    }
    seen
}

#[test]
fn an_answer_waits_for_its_write_and_a_send_ahead_does_not() {
    let mut s = sim(&[7], 10);
    let seen = run(&mut s);
    let at_1: Vec<_> = seen.iter().filter(|e| e.1 == 1).cloned().collect();
    assert_eq!(
        at_1,
        vec![
            (1, 1, "deliver", Some(7)),
            (1, 1, "send", Some(107)),
            (11, 1, "persisted", None),
            (11, 1, "send", Some(7)),
            (11, 1, "noted", None),
        ]
    );
    assert_eq!(s.durable(NodeId(1)), &[7]);
}

#[test]
fn a_crash_loses_the_writes_in_progress_and_what_waited_on_them() {
    let mut s = sim(&[7], 10);
    s.schedule(Time(5), Intervention::Crash { node: NodeId(1) });
    let seen = run(&mut s);
    assert!(seen.contains(&(5, 1, "crash", None)));
    assert!(!seen.iter().any(|e| e.2 == "persisted" || e.2 == "noted"), "{seen:?}");
    assert!(!seen.iter().any(|e| e.2 == "send" && e.3 == Some(7)), "the answer must never leave: {seen:?}");
    assert!(s.durable(NodeId(1)).is_empty());
}

#[test]
fn an_instant_disk_makes_every_write_durable_at_once() {
    let mut s = sim(&[7], 0);
    let seen = run(&mut s);
    assert!(seen.contains(&(1, 1, "send", Some(7))));
    assert!(!seen.iter().any(|e| e.2 == "persisted"));
    assert_eq!(s.durable(NodeId(1)), &[7]);
}

#[test]
fn a_checkpoint_replaces_the_records_before_it() {
    let mut s = sim(&[1, 2, 200, 3], 2);
    run(&mut s);
    assert_eq!(s.durable(NodeId(1)), &[200, 3]);
}
