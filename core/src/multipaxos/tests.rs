//! Multi-Paxos rules, asserting exact actions.

use super::event::{MultiPaxosEvent, MultiPaxosState};
use super::*;
use crate::client::ClientReply;
use crate::node::{Action, ActionOf};
use crate::paxos::PaxosEvent;

type A = ActionOf<MultiPaxosNode>;

fn b(round: u64, node: u32) -> Ballot {
    Ballot::new(round, NodeId(node))
}
fn data(s: &str) -> Entry {
    Entry { value: Value::data(s), origin: None }
}
fn node(id: u32, records: &[MultiPaxosDurable]) -> MultiPaxosNode {
    let config = MultiPaxosConfig::from_settings(3, &MultiPaxosSettings::default());
    MultiPaxosNode::new(NodeId(id), Arc::new(config), records)
}
fn msg(n: &mut MultiPaxosNode, from: u32, m: MultiPaxosMsg) -> Vec<A> {
    let mut out = Out::new();
    n.on_message(Time(0), NodeId(from), m, &mut out);
    out.actions
}
fn timer(n: &mut MultiPaxosNode, t: MultiPaxosTimer) -> Vec<A> {
    let mut out = Out::new();
    n.on_timer(Time(0), t, &mut out);
    out.actions
}
fn sends(acts: &[A]) -> Vec<(u32, MultiPaxosMsg)> {
    acts.iter()
        .filter_map(|a| match a {
            Action::Send { to, msg } => Some((to.0, msg.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn leader_timeout_runs_phase_1_once_for_all_open_slots() {
    let mut n = node(1, &[]);
    let acts = timer(&mut n, MultiPaxosTimer::LeaderTimeout);
    let prepare = MultiPaxosMsg::Prepare { ballot: b(1, 1), from_slot: Instance(0) };
    let mut want = vec![
        Action::Persist(MultiPaxosDurable::Round { round: 1 }),
        Action::Emit(MultiPaxosEvent::State { state: MultiPaxosState::Candidate, round: Some(1) }.into()),
        Action::Emit(PaxosEvent::Preparing { instance: Instance(0), ballot: b(1, 1), attempt: 1 }.into()),
    ];
    want.extend((1..=3).map(|i| Action::Send { to: NodeId(i), msg: prepare.clone() }));
    want.push(Action::SetTimer { timer: MultiPaxosTimer::LeaderTimeout, after_ms: 150..=300 });
    want.push(Action::SetTimer { timer: MultiPaxosTimer::Resend, after_ms: 100..=100 });
    assert_eq!(acts, want);
}

#[test]
fn promise_reports_acceptances_from_the_requested_slot_on() {
    let mut n = node(2, &[]);
    msg(&mut n, 1, MultiPaxosMsg::Accept { ballot: b(1, 1), slot: Instance(0), entry: data("a") });
    msg(&mut n, 1, MultiPaxosMsg::Accept { ballot: b(1, 1), slot: Instance(1), entry: data("b") });
    let acts = msg(&mut n, 3, MultiPaxosMsg::Prepare { ballot: b(2, 3), from_slot: Instance(1) });
    let accepted = vec![SlotValue { slot: Instance(1), ballot: b(1, 1), entry: data("b") }];
    assert_eq!(
        acts,
        vec![
            Action::Persist(MultiPaxosDurable::Promised { ballot: b(2, 3) }),
            Action::Emit(PaxosEvent::Promised { instance: Instance(1), ballot: b(2, 3) }.into()),
            Action::Send { to: NodeId(3), msg: MultiPaxosMsg::Promise { ballot: b(2, 3), accepted } },
        ]
    );
}

#[test]
fn new_leader_reproposes_accepted_values_and_fills_gaps_with_noops() {
    let mut n = node(1, &[]);
    timer(&mut n, MultiPaxosTimer::LeaderTimeout);
    let old = |slot, round, s: &str| SlotValue { slot: Instance(slot), ballot: b(round, 2), entry: data(s) };
    msg(&mut n, 2, MultiPaxosMsg::Promise { ballot: b(1, 1), accepted: vec![old(0, 0, "stale"), old(2, 0, "c")] });
    let newer = SlotValue { slot: Instance(0), ballot: b(0, 3), entry: data("a") };
    let acts = msg(&mut n, 3, MultiPaxosMsg::Promise { ballot: b(1, 1), accepted: vec![newer] });
    assert_eq!(n.role, Role::Leader);
    let accepts: Vec<(Instance, Value)> = sends(&acts)
        .into_iter()
        .filter(|(to, _)| *to == 1)
        .filter_map(|(_, m)| match m {
            MultiPaxosMsg::Accept { slot, entry, .. } => Some((slot, entry.value)),
            _ => None,
        })
        .collect();
    // Slot 0: the higher ballot's value; slot 1: nothing accepted, a no-op; slot 2: kept.
    assert_eq!(
        accepts,
        vec![(Instance(0), Value::data("a")), (Instance(1), Value::Noop), (Instance(2), Value::data("c"))]
    );
    assert!(
        acts.contains(&Action::Emit(MultiPaxosEvent::State { state: MultiPaxosState::Leading, round: Some(1) }.into()))
    );
}

#[test]
fn a_majority_of_accepted_chooses_the_slot_and_tells_everyone() {
    let mut n = node(1, &[]);
    timer(&mut n, MultiPaxosTimer::LeaderTimeout);
    msg(&mut n, 2, MultiPaxosMsg::Promise { ballot: b(1, 1), accepted: vec![] });
    msg(&mut n, 3, MultiPaxosMsg::Promise { ballot: b(1, 1), accepted: vec![] });
    let req = crate::client::ClientRequest {
        client: ClientId(1),
        seq: 1,
        op: crate::client::ClientOp::Propose { value: "x".into() },
    };
    let mut out = Out::new();
    n.on_request(Time(0), req.clone(), &mut out);
    assert!(msg(&mut n, 2, MultiPaxosMsg::Accepted { ballot: b(1, 1), slot: Instance(0) }).is_empty());
    let acts = msg(&mut n, 3, MultiPaxosMsg::Accepted { ballot: b(1, 1), slot: Instance(0) });
    let entry = n.chosen[&Instance(0)].clone();
    let reply =
        ClientReply::ok(&req, crate::client::ReplyBody::Chosen { instance: Instance(0), value: Value::data("x") });
    assert_eq!(
        acts,
        vec![
            Action::Send { to: NodeId(2), msg: MultiPaxosMsg::Chosen { slot: Instance(0), entry: entry.clone() } },
            Action::Send { to: NodeId(3), msg: MultiPaxosMsg::Chosen { slot: Instance(0), entry: entry.clone() } },
            Action::Persist(MultiPaxosDurable::Chosen { slot: Instance(0), entry }),
            Action::Emit(
                PaxosEvent::Learned { instance: Instance(0), value: Value::data("x"), accepted: 0, of: 0 }.into()
            ),
            Action::Reply(reply),
        ]
    );
    assert_eq!(n.log, vec![Value::data("x")]);
}

#[test]
fn nack_makes_a_candidate_step_down() {
    let mut n = node(1, &[]);
    timer(&mut n, MultiPaxosTimer::LeaderTimeout);
    let acts = msg(&mut n, 2, MultiPaxosMsg::Nack { ballot: b(1, 1), promised: b(5, 2) });
    assert_eq!(n.role, Role::Follower);
    assert!(
        acts.contains(&Action::Emit(MultiPaxosEvent::State { state: MultiPaxosState::Following, round: None }.into()))
    );
    timer(&mut n, MultiPaxosTimer::LeaderTimeout);
    assert_eq!(n.ballot, b(6, 1), "the next try goes above the ballot that beat it");
}

#[test]
fn chosen_slots_apply_in_order_and_survive_restart() {
    let mut n = node(2, &[]);
    msg(&mut n, 1, MultiPaxosMsg::Chosen { slot: Instance(1), entry: data("second") });
    assert!(n.log.is_empty(), "slot 0 is still open: nothing applies");
    let origin = |seq| Some(Origin { node: NodeId(1), client: ClientId(1), seq });
    msg(
        &mut n,
        1,
        MultiPaxosMsg::Chosen { slot: Instance(0), entry: Entry { value: Value::data("first"), origin: origin(1) } },
    );
    let restarted = node(
        2,
        &[
            MultiPaxosDurable::Chosen { slot: Instance(1), entry: data("second") },
            MultiPaxosDurable::Chosen {
                slot: Instance(0),
                entry: Entry { value: Value::data("first"), origin: origin(1) },
            },
        ],
    );
    // Entries without an origin (no client) are not commands; only "first" is applied.
    assert_eq!(n.log, vec![Value::data("first")]);
    assert_eq!(restarted.log, n.log);
    assert_eq!(restarted.first_unchosen(), Instance(2));
}

#[test]
fn heartbeat_from_a_leader_ahead_triggers_catch_up() {
    let mut n = node(2, &[]);
    let acts = msg(&mut n, 1, MultiPaxosMsg::Heartbeat { ballot: b(1, 1), chosen_upto: Instance(3) });
    assert_eq!(n.leader, Some(NodeId(1)));
    assert!(acts.contains(&Action::Send { to: NodeId(1), msg: MultiPaxosMsg::CatchUp { from_slot: Instance(0) } }));
}
