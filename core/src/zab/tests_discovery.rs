//! The leader's side of discovery and synchronization, one input per test, asserting
//! the whole action list: FOLLOWERINFO and OBSERVERINFO, ACKEPOCH, the DIFF, TRUNC
//! and SNAP choices, the NEWLEADER ACKs (the leader's own once its epoch is durable)
//! and initLimit.

use super::harness::*;
use super::tests::{config, msg, server, vote, z};
use super::*;

/// Server 3 of `n` (with `observers`), leading with `log`, delivered up to `delivered`.
fn leader(n: u32, observers: &[u32], log: &[[u32; 2]], delivered: Option<[u32; 2]>) -> ZabNode {
    let mut l = server(3, &config(n, observers), log, delivered);
    run(&mut l, 0, |l, out| l.lead(out));
    l
}

fn info(accepted: u32, last: Zxid) -> ZabMsg {
    ZabMsg::FollowerInfo { accepted_epoch: Epoch(accepted), last_zxid: last, attempt: 1 }
}

fn ack_epoch(new: u32, current: u32, last: Zxid, delivered: Zxid) -> ZabMsg {
    let (new_epoch, current_epoch) = (Epoch(new), Epoch(current));
    ZabMsg::AckEpoch { new_epoch, current_epoch, last_zxid: last, delivered, already_acked: false }
}

/// Agreeing on `epoch` with history `last`: the epoch is written, our own NEWLEADER
/// ACK waits for that write, and synchronization begins.
fn agreed(epoch: u32, last: Zxid) -> Vec<A> {
    vec![
        persist(ZabDurable::CurrentEpoch { epoch: Epoch(epoch) }),
        send(3, ZabMsg::Ack { zxid: last }),
        ev_phase(ZabPhase::Synchronization),
    ]
}

/// Leader 3 (log 0x100000001..2, delivered to 0x100000001) and follower 1 agreed on
/// epoch 2; 1 has been sent DIFF and NEWLEADER.
fn synchronizing() -> ZabNode {
    let mut l = leader(3, &[], &[[1, 2]], Some([1, 1]));
    msg(&mut l, 1, info(1, z(1, 2)));
    msg(&mut l, 1, ack_epoch(2, 1, z(1, 2), z(1, 2)));
    l
}

#[test]
fn leading_enters_discovery_and_arms_init_limit_and_the_tick() {
    let mut l = server(3, &config(3, &[]), &[[1, 2]], None);
    assert_eq!(
        run(&mut l, 0, |l, out| l.lead(out)),
        vec![
            ev_phase(ZabPhase::Discovery),
            ev_state(ServerState::Leading, 1),
            set_timer(ZabTimer::InitLimit, 500),
            set_timer(ZabTimer::Tick, 50),
        ]
    );
}

#[test]
fn a_followerinfo_after_the_epoch_is_chosen_gets_leaderinfo_at_once() {
    let mut l = leader(3, &[], &[[1, 2]], None);
    msg(&mut l, 1, info(1, z(1, 2)));
    assert_eq!(msg(&mut l, 2, info(1, z(1, 2))), vec![send(2, ZabMsg::LeaderInfo { new_epoch: Epoch(2) })]);
}

#[test]
fn a_followerinfo_retry_is_answered_until_its_ackepoch_arrives_and_ignored_after() {
    let mut l = leader(3, &[], &[[1, 2]], None);
    msg(&mut l, 1, info(1, z(1, 2)));
    assert_eq!(msg(&mut l, 1, info(1, z(1, 2))), vec![send(1, ZabMsg::LeaderInfo { new_epoch: Epoch(2) })]);
    msg(&mut l, 1, ack_epoch(2, 1, z(1, 2), z(1, 2)));
    let stale = l.stale;
    assert_eq!(msg(&mut l, 1, info(1, z(1, 2))), vec![], "it crossed our LEADERINFO: no second sync");
    assert_eq!(l.stale, stale + 1);
}

#[test]
fn an_observerinfo_makes_no_quorum_but_the_observer_gets_the_new_epoch_too() {
    let mut l = leader(4, &[4], &[[1, 2]], None);
    let oinfo = ZabMsg::ObserverInfo { accepted_epoch: Epoch(1), last_zxid: z(1, 2), attempt: 1 };
    assert_eq!(msg(&mut l, 4, oinfo), vec![]);
    let leader_info = ZabMsg::LeaderInfo { new_epoch: Epoch(2) };
    assert_eq!(
        msg(&mut l, 1, info(1, z(1, 2))),
        vec![
            persist(ZabDurable::AcceptedEpoch { epoch: Epoch(2), leader: Some(NodeId(3)) }),
            send(1, leader_info.clone()),
            send(4, leader_info),
        ]
    );
}

#[test]
fn a_learner_that_accepted_a_newer_epoch_sends_the_leader_back_to_looking() {
    let mut l = leader(3, &[], &[[1, 2]], None);
    msg(&mut l, 1, info(1, z(1, 2)));
    let want = looking_again(1, vote(3, z(1, 2), 1), 1, &[1, 2]);
    assert_eq!(msg(&mut l, 2, info(9, z(1, 2))), want);
}

#[test]
fn a_leader_sent_back_by_a_newer_epoch_proposes_above_it_when_it_leads_again() {
    let mut l = leader(3, &[], &[[1, 2]], None);
    msg(&mut l, 1, info(1, z(1, 2)));
    msg(&mut l, 2, info(9, z(1, 2)));
    assert_eq!(l.state, ServerState::Looking);
    run(&mut l, 500, |n, out| n.lead(out));
    // Not above 2 (its own and 1's), which 2 would refuse again, but above 9.
    let want = vec![
        persist(ZabDurable::AcceptedEpoch { epoch: Epoch(10), leader: Some(NodeId(3)) }),
        send(1, ZabMsg::LeaderInfo { new_epoch: Epoch(10) }),
    ];
    assert_eq!(msg(&mut l, 1, info(1, z(1, 2))), want);
}

#[test]
fn ackepochs_of_a_quorum_fix_the_epoch_and_synchronize_the_acked_learners() {
    let mut l = leader(3, &[], &[[1, 2]], None);
    msg(&mut l, 1, info(1, z(1, 2)));
    let mut want = agreed(2, z(1, 2));
    want.extend([
        ev_sync(1, SyncMode::Diff, z(1, 2)),
        send(1, ZabMsg::Diff { after: z(1, 2), proposals: vec![] }),
        send(1, ZabMsg::NewLeader { epoch: Epoch(2), zxid: z(1, 2) }),
    ]);
    assert_eq!(msg(&mut l, 1, ack_epoch(2, 1, z(1, 2), z(1, 2))), want);
}

#[test]
fn an_ackepoch_after_agreement_synchronizes_that_learner_alone() {
    let mut l = synchronizing();
    msg(&mut l, 2, info(1, z(1, 1)));
    assert_eq!(
        msg(&mut l, 2, ack_epoch(2, 1, z(1, 1), z(1, 1))),
        vec![
            ev_sync(2, SyncMode::Diff, z(1, 1)),
            send(2, ZabMsg::Diff { after: z(1, 1), proposals: vec![init_entry(z(1, 2))] }),
            send(2, ZabMsg::NewLeader { epoch: Epoch(2), zxid: z(1, 2) }),
        ]
    );
}

#[test]
fn an_ackepoch_with_a_newer_history_than_ours_sends_the_leader_back_to_looking() {
    let mut l = leader(3, &[], &[[1, 2]], None);
    msg(&mut l, 1, info(1, z(1, 2)));
    let want = looking_again(1, vote(3, z(1, 2), 1), 1, &[1, 2]);
    assert_eq!(msg(&mut l, 1, ack_epoch(2, 1, z(1, 5), z(1, 5))), want);
}

#[test]
fn an_ackepoch_of_an_epoch_accepted_from_another_leader_is_not_counted() {
    let mut l = leader(3, &[], &[[1, 2]], None);
    msg(&mut l, 1, info(1, z(1, 2)));
    let mut ack = ack_epoch(2, 1, z(1, 2), z(1, 2));
    if let ZabMsg::AckEpoch { already_acked, .. } = &mut ack {
        *already_acked = true;
    }
    assert_eq!(msg(&mut l, 1, ack), vec![]);
    assert!(!l.lead.as_ref().unwrap().epoch_agreed);
}

/// Leader 3 with 0x100000001..5 and 0x200000001 (keeping 3 proposals for DIFF) agrees
/// on epoch 3 with follower 1, whose history ends at `last`: the sync it gets.
fn sync_of(last: Zxid, delivered: Zxid) -> Vec<A> {
    let mut l = leader(3, &[], &[[1, 5], [2, 1]], None);
    msg(&mut l, 1, info(2, last));
    let acts = msg(&mut l, 1, ack_epoch(3, 1, last, delivered));
    assert_eq!(acts[..3], agreed(3, z(2, 1))[..], "agreement first");
    assert_eq!(acts.last(), Some(&send(1, ZabMsg::NewLeader { epoch: Epoch(3), zxid: z(2, 1) })), "then NEWLEADER");
    acts[3..acts.len() - 1].to_vec()
}

#[test]
fn a_learner_behind_within_the_window_gets_a_diff_of_what_it_lacks() {
    let proposals = vec![init_entry(z(1, 5)), init_entry(z(2, 1))];
    assert_eq!(
        sync_of(z(1, 4), z(1, 4)),
        vec![ev_sync(1, SyncMode::Diff, z(1, 4)), send(1, ZabMsg::Diff { after: z(1, 4), proposals })]
    );
}

#[test]
fn a_learner_with_proposals_the_leader_never_had_gets_trunc_then_diff() {
    assert_eq!(
        sync_of(z(1, 7), z(1, 5)),
        vec![
            ev_sync(1, SyncMode::Trunc, z(1, 7)),
            send(1, ZabMsg::Trunc { zxid: z(1, 5) }),
            send(1, ZabMsg::Diff { after: z(1, 5), proposals: vec![init_entry(z(2, 1))] }),
        ]
    );
}

#[test]
fn a_learner_behind_the_window_gets_snap_then_an_empty_diff() {
    let tree = server(3, &config(3, &[]), &[[1, 5], [2, 1]], None).tree.snapshot();
    assert_eq!(
        sync_of(z(1, 1), z(1, 1)),
        vec![
            ev_sync(1, SyncMode::Snap, z(1, 1)),
            send(1, ZabMsg::Snap { zxid: z(2, 1), tree: Box::new(tree) }),
            send(1, ZabMsg::Diff { after: z(2, 1), proposals: vec![] }),
        ]
    );
}

#[test]
fn a_followers_newleader_ack_alone_is_no_quorum_before_the_leaders_own() {
    let mut l = synchronizing();
    assert_eq!(msg(&mut l, 1, ZabMsg::Ack { zxid: z(1, 2) }), vec![]);
    assert!(!l.lead.as_ref().unwrap().established);
}

#[test]
fn the_leaders_own_ack_completes_the_quorum_delivers_its_history_and_establishes() {
    let mut l = synchronizing();
    msg(&mut l, 1, ZabMsg::Ack { zxid: z(1, 2) });
    assert_eq!(msg(&mut l, 3, ZabMsg::Ack { zxid: z(1, 2) }), establishes());
}

/// What `synchronizing()`'s leader does when established: deliver its history, then
/// tell follower 1 it is up to date and serve.
fn establishes() -> Vec<A> {
    let mut want = delivered(&init_entry(z(1, 2))).to_vec();
    want.extend([
        ev_established(2),
        send(1, ZabMsg::UpToDate { committed: z(1, 2) }),
        cancel(ZabTimer::InitLimit),
        ev_phase(ZabPhase::Broadcast),
    ]);
    want
}

#[test]
fn a_newleader_ack_after_establishment_gets_uptodate_at_once() {
    let mut l = synchronizing();
    msg(&mut l, 1, ZabMsg::Ack { zxid: z(1, 2) });
    msg(&mut l, 3, ZabMsg::Ack { zxid: z(1, 2) });
    msg(&mut l, 2, info(1, z(1, 2)));
    msg(&mut l, 2, ack_epoch(2, 1, z(1, 2), z(1, 2)));
    assert_eq!(msg(&mut l, 2, ZabMsg::Ack { zxid: z(1, 2) }), vec![send(2, ZabMsg::UpToDate { committed: z(1, 2) })]);
}

#[test]
fn init_limit_sends_a_leader_still_not_established_back_to_looking_and_no_other() {
    let mut l = synchronizing();
    let want = looking_again(2, vote(3, z(1, 2), 2), 1, &[1, 2]);
    assert_eq!(fire(&mut l.clone(), 500, ZabTimer::InitLimit), want);
    msg(&mut l, 1, ZabMsg::Ack { zxid: z(1, 2) });
    msg(&mut l, 3, ZabMsg::Ack { zxid: z(1, 2) });
    assert_eq!(fire(&mut l, 500, ZabTimer::InitLimit), vec![]);
}

#[test]
fn writes_forwarded_before_establishment_are_proposed_right_after_it() {
    let mut l = synchronizing();
    let write = WriteRequest::Connect { timeout_ms: 10_000 };
    assert_eq!(msg(&mut l, 1, ZabMsg::Request { origin: origin(1, 7, 1), write }), vec![], "queued");
    msg(&mut l, 1, ZabMsg::Ack { zxid: z(1, 2) });
    let acts = msg(&mut l, 3, ZabMsg::Ack { zxid: z(1, 2) });
    let txn = Txn::CreateSession { session: SessionId(z(2, 1).0), timeout_ms: 10_000 };
    let e = LogEntry { zxid: z(2, 1), time_ms: 100, txn: txn.into(), origin: Some(origin(1, 7, 1)) };
    let mut want = establishes();
    want.extend([
        ev_proposed(&e),
        send_ahead(1, ZabMsg::Proposal { entry: e.clone() }),
        persist(ZabDurable::Logged { entry: e }),
        send(3, ZabMsg::Ack { zxid: z(2, 1) }),
    ]);
    assert_eq!(acts, want);
}
