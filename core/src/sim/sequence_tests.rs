use super::*;
use crate::scenarios::{build, builtin};
use crate::sim::Intervention;

/// `name`'s run, `steps` steps in.
fn timeline(name: &str, steps: u64) -> Timeline {
    let s = builtin().into_iter().find(|s| s.name == name).unwrap();
    let mut sim = build(&s);
    sim.set_tracing(true);
    let mut tl = Timeline::new(sim);
    for _ in 0..steps {
        tl.step_forward();
    }
    tl
}

/// An arrow in one line: `#id kind from->to sent step@ms end`.
fn brief(a: &Arrow) -> String {
    let end = match a.end {
        End::Delivered { at } => format!("delivered {}@{}", at.step, at.time_ms),
        End::Dropped { at, reason } => format!("dropped {}@{} {reason:?}", at.step, at.time_ms),
        End::InFlight { due_ms } => format!("in flight, due {due_ms}"),
    };
    format!("#{} {} {}->{} sent {}@{} {end}", a.msg_id, a.kind, a.from.0, a.to.0, a.sent.step, a.sent.time_ms)
}

fn briefs(seq: &Sequence) -> Vec<String> {
    seq.arrows.iter().map(brief).collect()
}

const PAXOS_6: [&str; 9] = [
    "#1 Prepare 1->1 sent 1@0 delivered 2@0",
    "#2 Prepare 1->2 sent 1@0 delivered 4@13",
    "#3 Prepare 1->3 sent 1@0 delivered 5@15",
    "#4 Promise 1->1 sent 2@0 delivered 3@0",
    "#5 Promise 2->1 sent 4@13 delivered 6@22",
    "#6 Promise 3->1 sent 5@15 in flight, due 24",
    "#7 Accept 1->1 sent 6@22 in flight, due 22",
    "#8 Accept 1->2 sent 6@22 in flight, due 35",
    "#9 Accept 1->3 sent 6@22 in flight, due 36",
];

/// Six steps of paxos-basic: every message sent so far, each where it ended.
#[test]
fn every_message_so_far_is_an_arrow() {
    let seq = sequence(&timeline("paxos-basic", 6), 100, |_| false);
    assert_eq!(briefs(&seq), PAXOS_6);
    assert_eq!(seq.arrows[0].text, "Prepare(b=1.1)");
    assert_eq!((seq.earlier, seq.step, seq.now_ms), (0, 6, 22));
    assert_eq!(seq.nodes, vec![NodeId(1), NodeId(2), NodeId(3)]);
    assert!(seq.down.is_empty());
}

/// The newest `limit` are kept, the rest counted, even inside one step's messages.
#[test]
fn only_the_newest_are_listed() {
    let tl = timeline("paxos-basic", 6);
    let seq = sequence(&tl, 4, |_| false);
    assert_eq!(briefs(&seq), PAXOS_6[5..]);
    assert_eq!(seq.earlier, 5);
    let seq = sequence(&tl, 2, |_| false);
    assert_eq!(briefs(&seq), PAXOS_6[7..]);
    assert_eq!(seq.earlier, 7);
}

/// What `skip` leaves out is neither drawn nor counted.
#[test]
fn skipped_kinds_are_left_out() {
    let tl = timeline("paxos-basic", 6);
    let prepare = |e: &Event| matches!(e, Event::Send { msg, .. } if msg.name() == "Prepare");
    let seq = sequence(&tl, 100, prepare);
    assert_eq!(briefs(&seq), PAXOS_6[3..]);
    assert_eq!(seq.earlier, 0);
}

/// A node crashed by hand and restarted: its down span, and the message it missed.
#[test]
fn a_crash_is_a_down_span() {
    let mut tl = timeline("paxos-basic", 2);
    tl.intervene(Intervention::Crash { node: NodeId(2) }).unwrap();
    tl.step_forward();
    tl.step_forward();
    tl.intervene(Intervention::Restart { node: NodeId(2) }).unwrap();
    let seq = sequence(&tl, 100, |_| false);
    let want = [
        "#1 Prepare 1->1 sent 1@0 delivered 2@0",
        "#2 Prepare 1->2 sent 1@0 dropped 5@13 NodeDown",
        "#3 Prepare 1->3 sent 1@0 in flight, due 15",
        "#4 Promise 1->1 sent 2@0 delivered 4@0",
    ];
    assert_eq!(briefs(&seq), want);
    assert_eq!(seq.down, vec![Down { node: NodeId(2), from_ms: 0, until_ms: Some(13) }]);
}

/// A node crashed before the first arrow shown is down from there.
#[test]
fn a_node_down_before_the_window_is_down_from_its_start() {
    let seq = sequence(&timeline("paxos-acceptor-crash", 60), 5, |_| false);
    assert_eq!(seq.earlier, 63);
    assert_eq!(seq.arrows[0].sent, At { step: 59, time_ms: 361 });
    assert_eq!(seq.down, vec![Down { node: NodeId(5), from_ms: 361, until_ms: None }]);
}

/// ZAB's servers send their first votes as they start, before step 1: those are drawn
/// from time 0, first, whether they arrived or are still on the wire.
#[test]
fn messages_sent_at_start_come_first() {
    let seq = sequence(&timeline("zab-election-fresh", 2), 100, |_| false);
    let want = [
        "#1 NOTIFICATION 1->2 sent 0@0 delivered 1@5",
        "#2 NOTIFICATION 1->3 sent 0@0 in flight, due 15",
        "#3 NOTIFICATION 2->1 sent 0@0 in flight, due 10",
        "#4 NOTIFICATION 2->3 sent 0@0 in flight, due 12",
        "#5 NOTIFICATION 3->1 sent 0@0 delivered 2@5",
        "#6 NOTIFICATION 3->2 sent 0@0 in flight, due 10",
        "#7 NOTIFICATION 2->1 sent 1@5 in flight, due 19",
        "#8 NOTIFICATION 1->2 sent 2@5 in flight, due 10",
        "#9 NOTIFICATION 1->3 sent 2@5 in flight, due 15",
    ];
    assert_eq!(briefs(&seq), want);
    assert_eq!(seq.earlier, 0);
}
