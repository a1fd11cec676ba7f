//! Dropping a message: on a datagram link (Paxos) only that message is lost; on a link
//! that is a connection (`Node::links_are_connections`) the connection breaks, with
//! everything in flight on it both ways, and each end is told in a step of its own.

use super::{DynSim, InFlight, Intervention, NetConfig, Sim, TraceEntry};
use crate::client::ClientRequest;
use crate::event::{DropReason, Event, EventKind};
use crate::node::{Node, Out};
use crate::types::{NodeId, Time};
use crate::view::{NodeView, StateKind, StateView, Term};
use crate::wire::Wire;
use serde::Serialize;
use std::sync::Arc;

/// What a node says when it hears that its connection to `0` closed.
#[derive(Clone, Debug, PartialEq, Serialize)]
struct Hung(u32);

impl EventKind for Hung {
    fn kind(&self) -> &'static str {
        "hung"
    }
}

/// Node 2 sends node 1 the numbers 1, 2, 3 at start, node 1 sends node 2 the number 9,
/// and both send themselves 0. Later, node 1 answers whatever it gets with the number
/// plus 10. A client's request makes a node send the other 7. `TCP`: whether its links
/// are connections.
#[derive(Clone, Debug, Serialize)]
struct Chatter<const TCP: bool> {
    id: u32,
}

impl<const TCP: bool> Node for Chatter<TCP> {
    type Msg = u8;
    type Timer = u8;
    type Durable = u8;
    type Checker = ();

    fn on_start(&mut self, _: Time, out: &mut Out<Self>) {
        let (to, send): (u32, &[u8]) = if self.id == 2 { (1, &[1, 2, 3]) } else { (2, &[9]) };
        for m in send {
            out.send(NodeId(to), *m);
        }
        out.send(NodeId(self.id), 0);
    }
    fn on_message(&mut self, _: Time, from: NodeId, m: u8, out: &mut Out<Self>) {
        if self.id == 1 && from != NodeId(1) {
            out.send(from, m + 10);
        }
    }
    fn on_timer(&mut self, _: Time, _: u8, _: &mut Out<Self>) {}
    fn on_request(&mut self, _: Time, _: ClientRequest, out: &mut Out<Self>) {
        out.send(NodeId(3 - self.id), 7);
    }
    fn on_disconnect(&mut self, _: Time, peer: NodeId, out: &mut Out<Self>) {
        out.emit(Hung(peer.0));
    }
    fn links_are_connections() -> bool {
        TCP
    }
    fn view(&self) -> NodeView {
        NodeView::new(NodeId(self.id), StateView { term: Term::new("CHATTER", "", ""), kind: StateKind::Idle })
    }
}

fn sim<const TCP: bool>(drop: f64) -> Sim<Chatter<TCP>> {
    let net = NetConfig { latency_ms: [5, 5], drop, fifo: true, ..NetConfig::default() };
    Sim::new(2, net, 1, (), Arc::new(|id: NodeId, _: &[u8]| Chatter { id: id.0 }))
}

/// (msg id, from, to, number) of every message in flight.
fn wire<const TCP: bool>(s: &Sim<Chatter<TCP>>) -> Vec<(u64, u32, u32, u8)> {
    let number = |m: &InFlight| *m.msg.get::<u8>().expect("a number");
    DynSim::in_flight(s).iter().map(|m| (m.msg_id, m.from.0, m.to.0, number(m))).collect()
}

fn dropped(msg_id: u64, from: u32, to: u32, m: u8, reason: DropReason, breaks_link: bool) -> Event {
    Event::Drop { msg_id, from: NodeId(from), to: NodeId(to), msg: Wire::new(m), reason, breaks_link }
}

fn entry(step: u64, node: u32, events: Vec<Event>) -> TraceEntry {
    TraceEntry { step, time_ms: 0, node: Some(NodeId(node)), events }
}

#[test]
fn a_drop_on_a_datagram_link_loses_that_message_only() {
    let mut s = sim::<false>(0.0);
    // Ids in the order sent: node 1 starts first.
    let before = wire(&s);
    assert_eq!(before, vec![(2, 1, 1, 0), (6, 2, 2, 0), (1, 1, 2, 9), (3, 2, 1, 1), (4, 2, 1, 2), (5, 2, 1, 3)]);
    let drop = s.intervene(&Intervention::Drop { msg_id: 4 }).expect("in flight");
    assert_eq!(drop, entry(1, 1, vec![dropped(4, 2, 1, 2, DropReason::Manual, false)]));
    let after: Vec<_> = before.into_iter().filter(|m| m.0 != 4).collect();
    assert_eq!(wire(&s), after);
    let kinds: Vec<&str> = std::iter::from_fn(|| s.step()).flat_map(|e| e.events).map(|e| e.kind()).collect();
    assert!(!kinds.contains(&"disconnected") && !kinds.contains(&"hung"), "{kinds:?}");
}

#[test]
fn a_drop_on_a_connection_breaks_it_both_ways_and_tells_both_ends() {
    let mut s = sim::<true>(0.0);
    let drop = s.intervene(&Intervention::Drop { msg_id: 4 }).expect("in flight");
    let lost = |id, from, to, m| dropped(id, from, to, m, DropReason::Connection, false);
    let want = vec![
        dropped(4, 2, 1, 2, DropReason::Manual, true),
        // In the order they would have arrived; the messages to oneself stay.
        lost(1, 1, 2, 9),
        lost(3, 2, 1, 1),
        lost(5, 2, 1, 3),
    ];
    assert_eq!(drop, entry(1, 1, want));
    assert_eq!(wire(&s), vec![(2, 1, 1, 0), (6, 2, 2, 0)]);
    // After what was due at that instant already (the messages to oneself), the
    // receiver hears of it, then the sender.
    let hung = |peer: u32| vec![Event::Disconnected { peer: NodeId(peer) }, Hung(peer).into()];
    let rest: Vec<TraceEntry> = std::iter::from_fn(|| s.step()).collect();
    assert_eq!(rest[2..], [entry(4, 1, hung(2)), entry(5, 2, hung(1))]);
    assert_eq!(rest.len(), 4, "{rest:?}");
    // Later messages flow again, over a new connection.
    s.intervene(&Intervention::Request { node: NodeId(2), value: "x".into() }).expect("node 2 exists");
    let delivered = |e: &TraceEntry| match &e.events[0] {
        Event::Deliver { from, msg, .. } => Some((from.0, *msg.get::<u8>().expect("a number"))),
        _ => None,
    };
    let rest: Vec<_> = std::iter::from_fn(|| s.step()).filter_map(|e| delivered(&e)).collect();
    assert_eq!(rest, vec![(2, 7), (1, 17)]);
    assert_eq!(s.stats().dropped, 4);
}

#[test]
fn the_networks_loss_on_a_connection_breaks_it_too() {
    let mut s = sim::<true>(1.0);
    let steps: Vec<TraceEntry> = std::iter::from_fn(|| s.step()).collect();
    let at_5: Vec<(Option<NodeId>, Vec<&str>)> = steps
        .iter()
        .filter(|e| e.time_ms == 5)
        .map(|e| (e.node, e.events.iter().map(|e| e.kind()).collect()))
        .collect();
    assert_eq!(
        at_5,
        vec![
            (Some(NodeId(2)), vec!["drop", "drop", "drop", "drop"]),
            (Some(NodeId(2)), vec!["disconnected", "hung"]),
            (Some(NodeId(1)), vec!["disconnected", "hung"]),
        ]
    );
    let Event::Drop { msg_id: 1, reason: DropReason::Loss, breaks_link: true, .. } = &steps[2].events[0] else {
        panic!("{:?}", steps[2])
    };
}
