//! `stuck`: a node that answers itself without delay stops virtual time; the run is
//! reported once, at the step that crosses the bound, not left to spin.

use super::{NetConfig, Sim, STUCK_STEPS};
use crate::client::ClientRequest;
use crate::node::{Node, Out};
use crate::types::{NodeId, Time};
use crate::view::{NodeView, StateKind, StateView, Term};
use serde::Serialize;
use std::sync::Arc;

/// Pings itself forever; with `tick_ms`, only after a timer (time moves on).
#[derive(Clone, Debug, Serialize)]
struct Echo {
    tick_ms: u64,
}

impl Node for Echo {
    type Msg = u8;
    type Timer = u8;
    type Durable = u8;
    type Checker = ();

    fn on_start(&mut self, _: Time, out: &mut Out<Self>) {
        out.send(NodeId(1), 0);
    }
    fn on_message(&mut self, _: Time, _: NodeId, _: u8, out: &mut Out<Self>) {
        match self.tick_ms {
            0 => out.send(NodeId(1), 0),
            t => out.set_timer(0, t..=t),
        }
    }
    fn on_timer(&mut self, _: Time, _: u8, out: &mut Out<Self>) {
        out.send(NodeId(1), 0);
    }
    fn on_request(&mut self, _: Time, _: ClientRequest, _: &mut Out<Self>) {}
    fn view(&self) -> NodeView {
        NodeView::new(NodeId(1), StateView { term: Term::new("ECHO", "", ""), kind: StateKind::Idle })
    }
}

fn run(tick_ms: u64, steps: u64) -> Sim<Echo> {
    let mut sim = Sim::new(1, NetConfig::default(), 1, (), Arc::new(move |_, _| Echo { tick_ms }));
    for _ in 0..steps {
        if sim.step().is_none() {
            break;
        }
    }
    sim
}

#[test]
fn a_run_whose_time_stops_is_stuck() {
    let sim = run(0, 3 * STUCK_STEPS);
    let v = sim.checker().violations();
    assert_eq!(v.len(), 1, "reported once: {v:?}");
    assert_eq!((v[0].invariant.as_str(), v[0].step), ("stuck", STUCK_STEPS + 1));
    assert_eq!(sim.now(), Time(0));
    // It ended there: no step after the one that crossed the bound.
    assert_eq!((sim.steps(), sim.next_time()), (STUCK_STEPS + 1, None));
}

#[test]
fn a_busy_run_whose_time_moves_is_not() {
    let sim = run(1, 3 * STUCK_STEPS);
    assert!(sim.checker().violations().is_empty());
    assert_eq!(sim.steps(), 3 * STUCK_STEPS);
}

#[test]
fn the_inspector_shows_every_field_on_demand() {
    let sim = run(1, 3);
    let dynsim: &dyn super::DynSim = &sim;
    assert_eq!(dynsim.inspect(NodeId(1)), Some(serde_json::json!({ "tick_ms": 1 })));
    assert_eq!(dynsim.inspect(NodeId(2)), None);
    assert_eq!(dynsim.inspect(NodeId(0)), None);
}
