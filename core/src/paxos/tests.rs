//! One test per Paxos rule, asserting the exact actions a handler returns.

use super::*;
use super::{PaxosEvent, Phase};
use crate::client::{ClientOp, ClientRequest};
use crate::event::Event;
use crate::node::{Action, ActionOf};
use crate::types::{Ballot, ClientId};

type A = ActionOf<PaxosNode>;

fn b(round: u64, node: u32) -> Ballot {
    Ballot::new(round, NodeId(node))
}
fn v(s: &str) -> Value {
    Value::data(s)
}
fn node_with(id: u32, f: impl FnOnce(&mut PaxosConfig)) -> PaxosNode {
    let mut c = PaxosConfig::all_roles(3);
    f(&mut c);
    PaxosNode::new(NodeId(id), Arc::new(c), &[])
}
fn node(id: u32) -> PaxosNode {
    node_with(id, |_| {})
}
fn msg(n: &mut PaxosNode, from: u32, m: PaxosMsg) -> Vec<A> {
    let mut out = Out::new();
    n.on_message(Time(0), NodeId(from), m, &mut out);
    out.actions
}
fn request(n: &mut PaxosNode, value: &str) -> Vec<A> {
    let mut out = Out::new();
    let req = ClientRequest { client: ClientId(n.id.0), seq: 1, op: ClientOp::Propose { value: value.into() } };
    n.on_request(Time(0), req, &mut out);
    out.actions
}
fn send(to: u32, m: PaxosMsg) -> A {
    Action::Send { to: NodeId(to), msg: m }
}
fn to_all(m: PaxosMsg) -> Vec<A> {
    (1..=3).map(|i| send(i, m.clone())).collect()
}

#[test]
fn phase_1a_a_request_starts_prepare_with_a_fresh_persisted_ballot() {
    let mut n = node(1);
    let mut want = vec![
        Action::Persist(PaxosDurable::Round { round: 1 }),
        Action::Emit(PaxosEvent::Preparing { instance: Instance(0), ballot: b(1, 1), attempt: 1 }.into()),
        Action::SetTimer { timer: PaxosTimer::Progress, after_ms: 150..=250 },
    ];
    want.extend(to_all(PaxosMsg::Prepare { ballot: b(1, 1) }));
    assert_eq!(request(&mut n, "A"), want);
}

#[test]
fn phase_1b_acceptor_persists_then_promises_a_higher_ballot() {
    let mut n = node(2);
    assert_eq!(
        msg(&mut n, 1, PaxosMsg::Prepare { ballot: b(1, 1) }),
        vec![
            Action::Persist(PaxosDurable::Promised { ballot: b(1, 1) }),
            Action::Emit(PaxosEvent::Promised { instance: Instance(0), ballot: b(1, 1) }.into()),
            send(1, PaxosMsg::Promise { ballot: b(1, 1), accepted: None }),
        ]
    );
}

#[test]
fn phase_1b_acceptor_refuses_a_lower_prepare_with_nack() {
    let mut n = node(2);
    msg(&mut n, 3, PaxosMsg::Prepare { ballot: b(2, 3) });
    assert_eq!(
        msg(&mut n, 1, PaxosMsg::Prepare { ballot: b(1, 1) }),
        vec![
            Action::Emit(
                PaxosEvent::Rejected {
                    instance: Instance(0),
                    phase: Phase::Prepare,
                    ballot: b(1, 1),
                    promised: b(2, 3)
                }
                .into()
            ),
            send(1, PaxosMsg::Nack { ballot: b(1, 1), promised: b(2, 3) }),
        ]
    );
}

#[test]
fn phase_1b_promise_reports_the_accepted_value() {
    let mut n = node(2);
    msg(&mut n, 1, PaxosMsg::Accept { ballot: b(1, 1), value: v("A") });
    let acts = msg(&mut n, 3, PaxosMsg::Prepare { ballot: b(2, 3) });
    let accepted = Some(AcceptedValue { ballot: b(1, 1), value: v("A") });
    assert_eq!(acts.last(), Some(&send(3, PaxosMsg::Promise { ballot: b(2, 3), accepted })));
}

#[test]
fn phase_2b_acceptor_persists_accepts_and_tells_learners() {
    let mut n = node(2);
    let mut want = vec![
        Action::Persist(PaxosDurable::Accepted { ballot: b(1, 1), value: v("A") }),
        Action::Emit(PaxosEvent::Accepted { instance: Instance(0), ballot: b(1, 1), value: v("A") }.into()),
    ];
    want.extend(to_all(PaxosMsg::Accepted { ballot: b(1, 1), value: v("A") }));
    assert_eq!(msg(&mut n, 1, PaxosMsg::Accept { ballot: b(1, 1), value: v("A") }), want);
}

#[test]
fn phase_2b_acceptor_refuses_an_accept_below_its_promise() {
    let mut n = node(2);
    msg(&mut n, 3, PaxosMsg::Prepare { ballot: b(2, 3) });
    assert_eq!(
        msg(&mut n, 1, PaxosMsg::Accept { ballot: b(1, 1), value: v("A") }),
        vec![
            Action::Emit(
                PaxosEvent::Rejected {
                    instance: Instance(0),
                    phase: Phase::Accept,
                    ballot: b(1, 1),
                    promised: b(2, 3)
                }
                .into()
            ),
            send(1, PaxosMsg::Nack { ballot: b(1, 1), promised: b(2, 3) }),
        ]
    );
}

/// Drive proposer 1 to phase 2 with the given promises (from nodes 2 and 3).
fn promises(n: &mut PaxosNode, reports: [Option<AcceptedValue>; 2]) -> Vec<A> {
    request(n, "Mine");
    let [r2, r3] = reports;
    assert!(msg(n, 2, PaxosMsg::Promise { ballot: b(1, 1), accepted: r2 }).is_empty());
    msg(n, 3, PaxosMsg::Promise { ballot: b(1, 1), accepted: r3 })
}

#[test]
fn phase_2a_rule_p2c_adopts_the_value_of_the_highest_ballot() {
    let mut n = node(1);
    let low = AcceptedValue { ballot: b(0, 2), value: v("Old") };
    let high = AcceptedValue { ballot: b(0, 3), value: v("Newer") };
    let mut want = vec![Action::Emit(
        PaxosEvent::Proposing {
            instance: Instance(0),
            ballot: b(1, 1),
            value: v("Newer"),
            from: Some(b(0, 3)),
            promises: 2,
            of: 3,
        }
        .into(),
    )];
    want.extend(to_all(PaxosMsg::Accept { ballot: b(1, 1), value: v("Newer") }));
    assert_eq!(promises(&mut n, [Some(low), Some(high)]), want);
}

#[test]
fn phase_2a_free_to_propose_its_own_value_when_nothing_was_accepted() {
    let mut n = node(1);
    let acts = promises(&mut n, [None, None]);
    assert_eq!(
        acts[0],
        Action::Emit(
            PaxosEvent::Proposing {
                instance: Instance(0),
                ballot: b(1, 1),
                value: v("Mine"),
                from: None,
                promises: 2,
                of: 3
            }
            .into()
        )
    );
}

#[test]
fn buggy_no_value_adoption_ignores_reported_values() {
    let mut n = node_with(1, |c| c.settings.buggy = Buggy::NoValueAdoption);
    let high = AcceptedValue { ballot: b(0, 3), value: v("Chosen") };
    let acts = promises(&mut n, [None, Some(high)]);
    assert_eq!(acts.last(), Some(&send(3, PaxosMsg::Accept { ballot: b(1, 1), value: v("Mine") })));
}

#[test]
fn buggy_forgetful_acceptor_promises_without_persisting() {
    let mut n = node_with(2, |c| c.settings.buggy = Buggy::ForgetfulAcceptor);
    let acts = msg(&mut n, 1, PaxosMsg::Prepare { ballot: b(1, 1) });
    assert!(!acts.iter().any(|a| matches!(a, Action::Persist(_))), "{acts:?}");
}

#[test]
fn restart_recovers_promise_and_accepted_value() {
    let records =
        [PaxosDurable::Promised { ballot: b(3, 2) }, PaxosDurable::Accepted { ballot: b(2, 1), value: v("A") }];
    let a = Acceptor::restored(&Saved::from_records(&records));
    assert_eq!(a.promised, b(3, 2));
    assert_eq!(a.accepted, Some(AcceptedValue { ballot: b(2, 1), value: v("A") }));
}

#[test]
fn learner_learns_on_a_majority_of_accepted_and_replies() {
    let mut n = node(3);
    request(&mut n, "X");
    assert!(msg(&mut n, 1, PaxosMsg::Accepted { ballot: b(1, 1), value: v("A") }).is_empty());
    let acts = msg(&mut n, 2, PaxosMsg::Accepted { ballot: b(1, 1), value: v("A") });
    assert_eq!(
        acts[0],
        Action::Emit(PaxosEvent::Learned { instance: Instance(0), value: v("A"), accepted: 2, of: 3 }.into())
    );
    assert!(matches!(acts.last(), Some(Action::Reply(r)) if r.result.is_ok()), "{acts:?}");
}

#[test]
fn nack_preempts_and_arms_the_retry_timer() {
    let mut n = node(1);
    request(&mut n, "A");
    assert_eq!(
        msg(&mut n, 2, PaxosMsg::Nack { ballot: b(1, 1), promised: b(4, 2) }),
        vec![
            Action::Emit(
                PaxosEvent::Preempted { instance: Instance(0), ballot: b(1, 1), by: b(4, 2), streak: 1 }.into()
            ),
            Action::CancelTimer(PaxosTimer::Progress),
            Action::SetTimer { timer: PaxosTimer::Retry, after_ms: 0..=0 },
        ]
    );
    // The retry goes above the ballot that beat it.
    let mut out = Out::new();
    n.on_timer(Time(0), PaxosTimer::Retry, &mut out);
    assert!(out.actions.contains(&send(2, PaxosMsg::Prepare { ballot: b(5, 1) })));
}

#[test]
fn randomized_backoff_widens_the_wait_with_each_preemption() {
    let mut n = node_with(1, |c| c.settings.fix = Fix::RandomizedBackoff);
    request(&mut n, "A");
    let retry = |acts: Vec<A>| {
        acts.into_iter().find_map(|a| match a {
            Action::SetTimer { timer: PaxosTimer::Retry, after_ms } => Some(after_ms),
            _ => None,
        })
    };
    assert_eq!(retry(msg(&mut n, 2, PaxosMsg::Nack { ballot: b(1, 1), promised: b(2, 2) })), Some(0..=40));
    let mut out = Out::new();
    n.on_timer(Time(0), PaxosTimer::Retry, &mut out);
    assert_eq!(retry(msg(&mut n, 2, PaxosMsg::Nack { ballot: b(3, 1), promised: b(4, 2) })), Some(0..=80));
}

#[test]
fn distinguished_proposer_fix_forwards_instead_of_proposing() {
    let mut n = node_with(2, |c| c.settings.fix = Fix::DistinguishedProposer);
    assert_eq!(
        request(&mut n, "B"),
        vec![
            Action::Emit(PaxosEvent::Forwarded { value: v("B"), to: NodeId(1) }.into()),
            send(1, PaxosMsg::Forward { value: v("B") }),
            Action::SetTimer { timer: PaxosTimer::Progress, after_ms: 150..=250 },
        ]
    );
}

#[test]
fn own_acceptor_promising_higher_preempts_the_local_proposer() {
    let mut n = node(1);
    request(&mut n, "A");
    let acts = msg(&mut n, 2, PaxosMsg::Prepare { ballot: b(1, 2) });
    assert!(acts.contains(&Action::Emit(
        PaxosEvent::Preempted { instance: Instance(0), ballot: b(1, 1), by: b(1, 2), streak: 1 }.into()
    )));
}

/// A Promise after the majority, or for a ballot given up, changes nothing: said aloud.
#[test]
fn a_late_promise_is_ignored_with_its_reason() {
    let mut n = node(1);
    promises(&mut n, [None, None]);
    // The Promise from `from` for `ballot`, and what the proposer says of it.
    let case = |from: u32, ballot: Ballot, reason: super::Ignored| {
        let said = PaxosEvent::PromiseIgnored { instance: Instance(0), from: NodeId(from), ballot, reason };
        (from, PaxosMsg::Promise { ballot, accepted: None }, vec![Action::Emit(said.into())])
    };
    let (from, late, want) = case(1, b(1, 1), super::Ignored::HasMajority);
    assert_eq!(msg(&mut n, from, late), want);
    assert_eq!(n.stale, 1);
    let (from, old, want) = case(2, b(0, 1), super::Ignored::OldBallot);
    assert_eq!(msg(&mut n, from, old), want);
}

/// An acceptor that promised or accepted is not IDLE, though it proposes nothing.
#[test]
fn an_acceptor_shows_what_it_promised_and_accepted() {
    let mut n = node_with(2, |c| c.proposers = vec![NodeId(1)]);
    assert_eq!(n.view().state.term.name, "IDLE");
    msg(&mut n, 1, PaxosMsg::Prepare { ballot: b(1, 1) });
    assert_eq!(n.view().state.term.name, "PROMISED");
    msg(&mut n, 1, PaxosMsg::Accept { ballot: b(1, 1), value: v("A") });
    assert_eq!(n.view().state.term.name, "ACCEPTED");
    assert_eq!(n.view().roles, vec![view::ACCEPTOR, view::LEARNER]);
}

/// Chosen is a fact about a majority of acceptors, which the checker sees at once.
#[test]
fn the_checker_notes_the_moment_a_value_is_chosen_once() {
    use crate::sim::Invariants;
    let mut c = PaxosChecker::new(3, false);
    let accepted = Event::from(PaxosEvent::Accepted { instance: Instance(0), ballot: b(1, 1), value: v("A") });
    let mut found = Vec::new();
    let mut notes = Vec::new();
    for n in 1..=3 {
        c.observe(Some(NodeId(n)), &accepted, &mut found);
        notes.push(c.take_notes());
    }
    let chosen = PaxosEvent::Chosen { instance: Instance(0), ballot: b(1, 1), value: v("A"), accepted: 2, of: 3 };
    assert_eq!(notes, vec![vec![], vec![Event::from(chosen)], vec![]]);
}
