//! The ZAB checks fed synthetic event sequences: each new check fires when its rule is
//! broken, and stays quiet on the correct sequence next to it.

use super::ZabChecker;
use crate::event::Event;
use crate::sim::Checker;
use crate::types::{Epoch, NodeId, SessionId, Zxid};
use crate::zab::event::ZabEvent;
use crate::zab::tree::Txn;

fn z(epoch: u32, counter: u32) -> Zxid {
    Zxid::new(Epoch(epoch), counter)
}

fn txn(data: &str) -> Txn {
    Txn::SetData { path: "/".into(), data: data.into(), version: None }
}

fn proposed(zxid: Zxid, data: &str) -> Event {
    Event::from(ZabEvent::Proposed { zxid, txn: txn(data).into() })
}

fn delivered(zxid: Zxid, data: &str) -> Event {
    Event::from(ZabEvent::Delivered { zxid, txn: txn(data).into() })
}

/// Feed `(node, event)` in order; the invariants violated, in order.
fn run(events: &[(u32, Event)]) -> Vec<String> {
    let mut c = Checker::new(ZabChecker::default());
    for (step, (n, e)) in events.iter().enumerate() {
        c.observe(step as u64 + 1, Some(NodeId(*n)), std::slice::from_ref(e));
    }
    c.violations().iter().map(|v| v.invariant.clone()).collect()
}

#[test]
fn agreement_compares_transactions_not_only_zxids() {
    // Two leaders of one epoch both used zxid 1.1: the first transaction keeps the name.
    let events = [
        (1, proposed(z(1, 1), "a")),
        (2, proposed(z(1, 1), "b")),
        (1, delivered(z(1, 1), "a")),
        (2, delivered(z(1, 1), "b")),
    ];
    assert_eq!(run(&events), ["integrity", "integrity", "agreement"]);
    // One transaction under one zxid, delivered everywhere: fine.
    let ok = [(1, proposed(z(1, 1), "a")), (1, delivered(z(1, 1), "a")), (2, delivered(z(1, 1), "a"))];
    assert!(run(&ok).is_empty());
}

#[test]
fn the_first_broadcast_under_a_zxid_stays() {
    // Had the second proposal replaced the first, delivering "b" would look fine.
    let events = [(1, proposed(z(1, 1), "a")), (2, proposed(z(1, 1), "b")), (3, delivered(z(1, 1), "b"))];
    assert_eq!(run(&events), ["integrity", "integrity"]);
    let committed_unknown = [(1, Event::from(ZabEvent::Committed { zxid: z(1, 2), inform: false }))];
    assert_eq!(run(&committed_unknown), ["integrity"]);
}

#[test]
fn a_snapshot_must_be_on_the_delivered_sequence() {
    let events = [
        (1, proposed(z(1, 1), "a")),
        (1, delivered(z(1, 1), "a")),
        (2, Event::from(ZabEvent::Snapshot { zxid: z(1, 5) })),
    ];
    assert_eq!(run(&events), ["agreement"]);
    let ok = [
        (1, proposed(z(1, 1), "a")),
        (1, delivered(z(1, 1), "a")),
        (2, Event::from(ZabEvent::Snapshot { zxid: Zxid::ZERO })),
        (3, Event::from(ZabEvent::Snapshot { zxid: z(1, 1) })),
        // After the snapshot, node 3 goes on from position 1.
        (1, proposed(z(1, 2), "b")),
        (3, delivered(z(1, 2), "b")),
    ];
    assert!(run(&ok).is_empty());
}

#[test]
fn a_snapshot_behind_what_a_server_delivered_loses_it() {
    let events = [
        (1, proposed(z(1, 1), "a")),
        (1, proposed(z(1, 2), "b")),
        (2, delivered(z(1, 1), "a")),
        (2, delivered(z(1, 2), "b")),
        (2, Event::from(ZabEvent::Snapshot { zxid: z(1, 1) })),
    ];
    assert_eq!(run(&events), ["committed_survives"]);
}

#[test]
fn a_new_leader_must_have_every_committed_transaction() {
    // Leader 1 commits 1.1 with a quorum (nobody else delivered it yet); node 2 is then
    // established in epoch 2 without it.
    let mut events =
        vec![(1, proposed(z(1, 1), "a")), (1, Event::from(ZabEvent::Committed { zxid: z(1, 1), inform: false }))];
    events.push((2, Event::from(ZabEvent::LeaderEstablished { epoch: Epoch(2) })));
    assert_eq!(run(&events), ["committed_survives"]);
    // Node 2 delivered its history (1.1) first, as a leader does: fine.
    let mut ok = events[..2].to_vec();
    ok.extend([(2, delivered(z(1, 1), "a")), (2, Event::from(ZabEvent::LeaderEstablished { epoch: Epoch(2) }))]);
    assert!(run(&ok).is_empty());
}

#[test]
fn truncating_a_committed_proposal_is_caught_at_its_proposer() {
    // Leader 1 proposed 1.1 and 1.2, a quorum committed 1.1; it crashed before it
    // delivered anything and a new leader TRUNCs it to 0.
    let events = [
        (1, proposed(z(1, 1), "a")),
        (1, proposed(z(1, 2), "b")),
        (1, Event::from(ZabEvent::Committed { zxid: z(1, 1), inform: false })),
        (1, Event::from(ZabEvent::Truncated { zxid: Zxid::ZERO, removed: None })),
    ];
    assert_eq!(run(&events), ["committed_survives"]);
    // Cutting only the uncommitted 1.2 is what TRUNC is for.
    let mut ok = events[..3].to_vec();
    ok.push((1, Event::from(ZabEvent::Truncated { zxid: z(1, 1), removed: None })));
    assert!(run(&ok).is_empty());
}

#[test]
fn truncating_below_a_delivered_transaction_is_caught() {
    let events = [
        (1, proposed(z(1, 1), "a")),
        (2, delivered(z(1, 1), "a")),
        (2, Event::from(ZabEvent::Truncated { zxid: Zxid::ZERO, removed: None })),
    ];
    assert_eq!(run(&events), ["committed_survives"]);
}

#[test]
fn a_session_txn_is_compared_whole() {
    // Same zxid, same kind of transaction, different session: still two transactions.
    let (a, b) = (SessionId(1), SessionId(2));
    let events = [
        (1, Event::from(ZabEvent::Proposed { zxid: z(1, 1), txn: Txn::CloseSession { session: a }.into() })),
        (1, Event::from(ZabEvent::Delivered { zxid: z(1, 1), txn: Txn::CloseSession { session: a }.into() })),
        (2, Event::from(ZabEvent::Delivered { zxid: z(1, 1), txn: Txn::CloseSession { session: b }.into() })),
    ];
    assert_eq!(run(&events), ["integrity", "agreement"]);
}
