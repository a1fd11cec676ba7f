//! Stepping back is exact, and an intervention in the past forks a new branch while
//! the old one is kept.

use ensemble_core::event::{DropReason, Event};
use ensemble_core::scenarios::{build, find_builtin};
use ensemble_core::sim::{Intervention, Timeline};
use ensemble_core::NodeId;

fn timeline(name: &str) -> Timeline {
    Timeline::new(build(&find_builtin(name).unwrap()))
}

fn snapshot(t: &Timeline) -> String {
    let s = t.sim();
    serde_json::to_string(&(s.views(), s.in_flight(), s.timers(), s.steps(), s.now())).unwrap()
}

#[test]
fn step_back_restores_the_exact_state() {
    let mut t = timeline("multipaxos-leader-crash");
    let mut states = vec![snapshot(&t)];
    for _ in 0..300 {
        t.step_forward();
        states.push(snapshot(&t));
    }
    // Back one step at a time, across several snapshot boundaries.
    for k in (0..300).rev() {
        assert!(t.step_back());
        assert_eq!(t.position(), k as u64);
        assert_eq!(snapshot(&t), states[k], "state after step back to {k}");
    }
    assert!(!t.step_back());
    // And forward again: the same states.
    for (k, want) in states.iter().enumerate().skip(1).take(100) {
        t.step_forward();
        assert_eq!(&snapshot(&t), want, "state at step {k} on the way forward");
    }
}

#[test]
fn seek_jumps_anywhere() {
    let mut t = timeline("paxos-livelock");
    for _ in 0..500 {
        t.step_forward();
    }
    let at_500 = snapshot(&t);
    t.seek(137);
    assert_eq!(t.position(), 137);
    t.seek(500);
    assert_eq!(snapshot(&t), at_500);
}

#[test]
fn intervening_in_the_past_forks_and_keeps_the_old_branch() {
    let mut t = timeline("paxos-livelock");
    for _ in 0..200 {
        t.step_forward();
    }
    let old_end = snapshot(&t);
    t.seek(20);
    let entry = t.intervene(Intervention::Crash { node: NodeId(2) }).unwrap().clone();
    assert_eq!(entry.step, 21);
    assert_eq!(t.branches().len(), 2);
    assert_eq!(t.current_branch(), 1);
    assert_eq!(t.branches()[1].parent, Some((0, 20)));
    // With proposer 2 down the duel is over: node 1's value is chosen.
    for _ in 0..100 {
        t.step_forward();
    }
    assert!(!t.sim().chosen().is_empty());
    // The old branch is still there, exactly as it was.
    t.switch_branch(0);
    assert_eq!(t.position(), 20);
    t.seek(200);
    assert_eq!(snapshot(&t), old_end);
    assert!(t.sim().chosen().is_empty());
}

#[test]
fn intervening_at_the_head_extends_the_branch() {
    let mut t = timeline("paxos-basic");
    t.step_forward();
    t.intervene(Intervention::Request { node: NodeId(2), value: "B".into() }).unwrap();
    assert_eq!(t.branches().len(), 1);
    assert_eq!(t.branches()[0].interventions.len(), 1);
}

#[test]
fn a_bad_intervention_changes_nothing() {
    let mut t = timeline("paxos-basic");
    t.step_forward();
    let before = snapshot(&t);
    assert!(t.intervene(Intervention::Deliver { msg_id: 999 }).is_err());
    assert!(t.intervene(Intervention::Restart { node: NodeId(1) }).is_err());
    assert!(t.intervene(Intervention::Crash { node: NodeId(9) }).is_err());
    assert_eq!(snapshot(&t), before);
    assert_eq!(t.position(), 1);
}

#[test]
fn manual_delivery_drop_and_duplicate() {
    let mut t = timeline("paxos-basic");
    for _ in 0..3 {
        t.step_forward();
    }
    let flying = t.sim().in_flight();
    assert!(flying.len() >= 2, "{flying:?}");
    let (a, b) = (flying[flying.len() - 1].msg_id, flying[flying.len() - 2].msg_id);
    let e = t.intervene(Intervention::Deliver { msg_id: a }).unwrap();
    assert!(matches!(e.events[0], Event::Deliver { msg_id, .. } if msg_id == a), "{e:?}");
    let e = t.intervene(Intervention::Drop { msg_id: b }).unwrap();
    assert!(matches!(e.events[0], Event::Drop { msg_id, reason: DropReason::Manual, .. } if msg_id == b), "{e:?}");
    assert!(t.sim().in_flight().iter().all(|m| m.msg_id != a && m.msg_id != b));
    let c = t.sim().in_flight()[0].msg_id;
    let before = t.sim().in_flight().len();
    let e = t.intervene(Intervention::Duplicate { msg_id: c }).unwrap();
    assert!(matches!(e.events[0], Event::Duplicate { of, .. } if of == c), "{e:?}");
    assert_eq!(t.sim().in_flight().iter().filter(|m| m.msg_id == c).count(), 1);
    assert_eq!(t.sim().in_flight().len(), before + 1, "the copy is on the wire too");
}

#[test]
fn computing_ahead_lets_a_ui_seek_anywhere_without_moving() {
    let mut t = timeline("zab-leader-crash");
    for _ in 0..10 {
        t.step_forward();
    }
    let at_10 = snapshot(&t);
    while t.compute_ahead(100, 2_000) {}
    assert_eq!((t.position(), snapshot(&t)), (10, at_10), "computing ahead does not move");
    let head = t.branches()[0].head;
    assert!(head > 100, "the whole run is computed ({head} steps)");
    assert_eq!(t.branches()[0].seen, 10);
    let mut fresh = timeline("zab-leader-crash");
    for _ in 0..head {
        fresh.step_forward();
    }
    t.seek(head);
    assert_eq!(snapshot(&t), snapshot(&fresh), "seeking to the computed head is the run itself");
}

#[test]
fn computing_ahead_stops_at_the_time_given() {
    let mut t = timeline("zab-leader-crash");
    assert!(!t.compute_ahead(1_000_000, 300));
    let head = t.branches()[0].head;
    t.seek(head);
    assert!(t.sim().now().ms() <= 300 && t.sim().next_time().is_some_and(|n| n.ms() > 300));
}

#[test]
fn intervening_where_the_person_is_replaces_a_computed_future() {
    let mut t = timeline("zab-leader-crash");
    for _ in 0..20 {
        t.step_forward();
    }
    while t.compute_ahead(100, 2_000) {}
    t.intervene(Intervention::Crash { node: NodeId(1) }).unwrap();
    assert_eq!(t.branches().len(), 1, "no fork: the future past step 20 was never seen");
    assert_eq!((t.branches()[0].head, t.branches()[0].seen), (21, 21));
    for _ in 0..50 {
        t.step_forward();
    }
    let mut fresh = timeline("zab-leader-crash");
    for _ in 0..20 {
        fresh.step_forward();
    }
    fresh.intervene(Intervention::Crash { node: NodeId(1) }).unwrap();
    for _ in 0..50 {
        fresh.step_forward();
    }
    assert_eq!(snapshot(&t), snapshot(&fresh));
    t.seek(30);
    t.intervene(Intervention::Restart { node: NodeId(1) }).unwrap();
    assert_eq!(t.branches().len(), 2, "behind what was seen, it forks");
}

/// A branch made elsewhere (its interventions, as a link carries them) is rebuilt
/// exactly, and followed again without a new branch; a list not of this run is refused.
#[test]
fn following_a_branch_rebuilds_it() {
    let mut t = timeline("paxos-livelock");
    t.seek(30);
    t.intervene(Intervention::Crash { node: NodeId(2) }).unwrap();
    t.seek(60);
    t.intervene(Intervention::Restart { node: NodeId(2) }).unwrap();
    t.seek(120);
    let want = t.branches()[t.current_branch()].interventions.clone();
    let at_120 = snapshot(&t);

    let mut other = timeline("paxos-livelock");
    other.seek(80);
    other.follow(&want).unwrap();
    other.seek(120);
    assert_eq!(snapshot(&other), at_120);
    assert_eq!(other.branches().len(), 2, "the first branch, seen to 80, is kept");
    other.follow(&[]).unwrap();
    assert_eq!(other.current_branch(), 0);
    other.follow(&want).unwrap();
    assert_eq!(other.branches().len(), 2, "following it again finds it");

    let bad = vec![(5, Intervention::Deliver { msg_id: 9_999 })];
    assert!(other.follow(&bad).is_err());
}

/// The web app's inspector shows every field of any node at any step: `inspect` must
/// give one for every node of every built-in, at every step (it once panicked on a ZAB
/// leader, whose maps are keyed by zxid).
#[test]
fn every_node_of_every_builtin_can_be_inspected_at_every_step() {
    for s in ensemble_core::scenarios::builtin() {
        let mut t = Timeline::new(build(&s));
        let nodes = t.sim().views().len() as u32;
        for _ in 0..400 {
            for n in 1..=nodes {
                let fields = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| t.sim().inspect(NodeId(n))));
                assert!(
                    matches!(fields, Ok(Some(_))),
                    "{}: node {n} at step {} cannot be inspected",
                    s.name,
                    t.position()
                );
            }
            if t.step_forward().is_none() {
                break;
            }
        }
    }
}
