//! The learner's side of discovery and synchronization, one input per test, asserting
//! the whole action list: registering, LEADERINFO, TRUNC, DIFF, SNAP, NEWLEADER (its
//! ACK waits for the new epoch to be durable), UPTODATE, initLimit and the tick.

use super::harness::*;
use super::tests::{config, msg, server, vote, z};
use super::*;

/// Server 1 of three with `log` (delivered up to `delivered`), registering with 3.
fn follower(log: &[[u32; 2]], delivered: Option<[u32; 2]>) -> ZabNode {
    let mut f = server(1, &config(3, &[]), log, delivered);
    run(&mut f, 0, |f, out| f.follow(NodeId(3), Time(0), out));
    f
}

/// The same, having accepted epoch 2 from 3: synchronizing.
fn syncing(log: &[[u32; 2]], delivered: Option<[u32; 2]>) -> ZabNode {
    let mut f = follower(log, delivered);
    msg(&mut f, 3, ZabMsg::LeaderInfo { new_epoch: Epoch(2) });
    f
}

/// Server 1 with 0x100000001..2 (delivered to 0x100000001), having acknowledged 3's
/// NEWLEADER of epoch 2.
fn acked_newleader() -> ZabNode {
    let mut f = syncing(&[[1, 2]], Some([1, 1]));
    msg(&mut f, 3, ZabMsg::Diff { after: z(1, 2), proposals: vec![] });
    msg(&mut f, 3, ZabMsg::NewLeader { epoch: Epoch(2), zxid: z(1, 2) });
    f
}

/// What server 1 with `last` in epoch `epoch`, never in an election before, does on
/// giving up its leader.
fn gives_up(epoch: u32, last: Zxid) -> Vec<A> {
    looking_again(epoch, vote(1, last, epoch), 1, &[2, 3])
}

fn ack_epoch(last: Zxid, delivered: Zxid, already_acked: bool) -> ZabMsg {
    ZabMsg::AckEpoch { new_epoch: Epoch(2), current_epoch: Epoch(1), last_zxid: last, delivered, already_acked }
}

#[test]
fn registering_sends_followerinfo_or_observerinfo_and_arms_init_limit_and_the_tick() {
    let (accepted_epoch, last_zxid, attempt) = (Epoch(1), z(1, 2), 7 << 16);
    let cases = [
        (1, ServerState::Following, ZabMsg::FollowerInfo { accepted_epoch, last_zxid, attempt }),
        (4, ServerState::Observing, ZabMsg::ObserverInfo { accepted_epoch, last_zxid, attempt }),
    ];
    for (id, state, info) in cases {
        let mut n = server(id, &config(4, &[4]), &[[1, 2]], None);
        let acts = run(&mut n, 7, |n, out| n.follow(NodeId(3), Time(7), out));
        assert_eq!(acts, registers(state, 1, 3, info), "server {id}");
    }
}

#[test]
fn a_new_epoch_is_persisted_before_its_ackepoch_leaves() {
    let mut f = follower(&[[1, 2]], None);
    assert_eq!(
        msg(&mut f, 3, ZabMsg::LeaderInfo { new_epoch: Epoch(2) }),
        vec![
            persist(ZabDurable::AcceptedEpoch { epoch: Epoch(2), leader: Some(NodeId(3)) }),
            send(3, ack_epoch(z(1, 2), z(1, 2), false)),
            ev_phase(ZabPhase::Synchronization),
        ]
    );
}

#[test]
fn an_epoch_already_accepted_is_acked_without_a_write_and_counted_only_for_its_proposer() {
    for (proposer, already_acked) in [(3, false), (2, true)] {
        let mut f = server(1, &config(3, &[]), &[[1, 2]], None);
        (f.accepted_epoch, f.accepted_from) = (Epoch(2), Some(NodeId(proposer)));
        run(&mut f, 0, |f, out| f.follow(NodeId(3), Time(0), out));
        assert_eq!(
            msg(&mut f, 3, ZabMsg::LeaderInfo { new_epoch: Epoch(2) }),
            vec![send(3, ack_epoch(z(1, 2), z(1, 2), already_acked)), ev_phase(ZabPhase::Synchronization)],
            "epoch 2 accepted from {proposer}"
        );
    }
}

#[test]
fn an_epoch_below_the_accepted_one_sends_the_follower_back_to_looking() {
    let mut f = server(1, &config(3, &[]), &[[1, 2]], None);
    f.accepted_epoch = Epoch(6);
    run(&mut f, 0, |f, out| f.follow(NodeId(3), Time(0), out));
    assert_eq!(msg(&mut f, 3, ZabMsg::LeaderInfo { new_epoch: Epoch(5) }), gives_up(1, z(1, 2)));
}

#[test]
fn sync_messages_from_a_server_we_do_not_follow_or_before_leaderinfo_are_ignored() {
    let mut f = follower(&[[1, 2]], None);
    assert_eq!(msg(&mut f, 2, ZabMsg::LeaderInfo { new_epoch: Epoch(2) }), vec![]);
    assert_eq!(msg(&mut f, 3, ZabMsg::Diff { after: z(1, 2), proposals: vec![] }), vec![], "still in discovery");
    assert_eq!(msg(&mut f, 3, ZabMsg::NewLeader { epoch: Epoch(2), zxid: z(1, 2) }), vec![]);
    assert_eq!(f.stale, 3);
}

#[test]
fn a_trunc_cuts_the_log_back_durably() {
    let mut f = syncing(&[[1, 4]], Some([1, 2]));
    assert_eq!(
        msg(&mut f, 3, ZabMsg::Trunc { zxid: z(1, 2) }),
        vec![persist(ZabDurable::Truncated { zxid: z(1, 2) }), ev_truncated(z(1, 2), 2)]
    );
}

#[test]
fn a_trunc_below_what_was_delivered_is_a_late_copy_and_ignored() {
    let mut f = syncing(&[[1, 4]], Some([1, 2]));
    assert_eq!(msg(&mut f, 3, ZabMsg::Trunc { zxid: z(1, 1) }), vec![]);
}

#[test]
fn a_trunc_to_a_zxid_the_follower_never_logged_makes_it_look_again() {
    let mut f = syncing(&[[1, 4]], Some([1, 2]));
    assert_eq!(msg(&mut f, 3, ZabMsg::Trunc { zxid: z(2, 1) }), gives_up(1, z(1, 4)));
}

#[test]
fn a_diff_logs_each_proposal_after_the_last_durably() {
    let mut f = syncing(&[[1, 2]], None);
    let proposals = vec![init_entry(z(1, 2)), init_entry(z(1, 3)), init_entry(z(1, 4))];
    assert_eq!(
        msg(&mut f, 3, ZabMsg::Diff { after: z(1, 2), proposals }),
        vec![
            persist(ZabDurable::Logged { entry: init_entry(z(1, 3)) }),
            persist(ZabDurable::Logged { entry: init_entry(z(1, 4)) }),
        ]
    );
}

#[test]
fn a_diff_that_does_not_start_at_the_last_zxid_makes_the_follower_look_again() {
    let mut f = syncing(&[[1, 2]], None);
    let diff = ZabMsg::Diff { after: z(1, 1), proposals: vec![init_entry(z(1, 2))] };
    assert_eq!(msg(&mut f, 3, diff), gives_up(1, z(1, 2)));
}

#[test]
fn a_snap_replaces_the_tree_durably() {
    let mut f = syncing(&[[1, 2]], None);
    let tree = server(3, &config(3, &[]), &[[1, 5]], None).tree.snapshot();
    assert_eq!(
        msg(&mut f, 3, ZabMsg::Snap { zxid: z(1, 5), tree: Box::new(tree.clone()) }),
        vec![persist(ZabDurable::Snapshot { zxid: z(1, 5), tree: Box::new(tree) }), ev_snapshot(z(1, 5))]
    );
    assert_eq!((f.last_zxid(), f.delivered, f.log.len()), (z(1, 5), z(1, 5), 0));
}

#[test]
fn the_newleader_ack_leaves_only_after_the_new_epoch_is_persisted() {
    let mut f = syncing(&[[1, 2]], None);
    msg(&mut f, 3, ZabMsg::Diff { after: z(1, 2), proposals: vec![] });
    assert_eq!(
        msg(&mut f, 3, ZabMsg::NewLeader { epoch: Epoch(2), zxid: z(1, 2) }),
        // A Send waits for every earlier Persist: the ACK vouches for the epoch.
        vec![persist(ZabDurable::CurrentEpoch { epoch: Epoch(2) }), send(3, ZabMsg::Ack { zxid: z(1, 2) })]
    );
}

#[test]
fn a_newleader_for_a_history_the_follower_does_not_have_makes_it_look_again() {
    let mut f = syncing(&[[1, 2]], None);
    msg(&mut f, 3, ZabMsg::Diff { after: z(1, 2), proposals: vec![] });
    assert_eq!(msg(&mut f, 3, ZabMsg::NewLeader { epoch: Epoch(2), zxid: z(1, 3) }), gives_up(1, z(1, 2)));
}

#[test]
fn uptodate_delivers_what_the_leader_committed_and_starts_serving() {
    let mut f = acked_newleader();
    let mut want = delivered(&init_entry(z(1, 2))).to_vec();
    want.extend([cancel(ZabTimer::InitLimit), ev_phase(ZabPhase::Broadcast)]);
    assert_eq!(msg(&mut f, 3, ZabMsg::UpToDate { committed: z(1, 2) }), want);
    assert_eq!(msg(&mut f, 3, ZabMsg::UpToDate { committed: z(1, 2) }), vec![], "a second copy is stale");
}

#[test]
fn an_uptodate_before_the_newleader_ack_is_stale() {
    let mut f = syncing(&[[1, 2]], None);
    assert_eq!(msg(&mut f, 3, ZabMsg::UpToDate { committed: z(1, 2) }), vec![]);
}

#[test]
fn init_limit_sends_a_learner_still_not_synchronized_back_to_looking() {
    let mut f = acked_newleader();
    assert_eq!(fire(&mut f.clone(), 500, ZabTimer::InitLimit), gives_up(2, z(1, 2)));
    msg(&mut f, 3, ZabMsg::UpToDate { committed: z(1, 2) });
    assert_eq!(fire(&mut f, 500, ZabTimer::InitLimit), vec![]);
}

#[test]
fn the_tick_resends_the_registration_in_discovery_and_only_rearms_in_sync() {
    let mut f = follower(&[[1, 2]], None);
    let info = ZabMsg::FollowerInfo { accepted_epoch: Epoch(1), last_zxid: z(1, 2), attempt: 0 };
    assert_eq!(fire(&mut f, 50, ZabTimer::Tick), vec![set_timer(ZabTimer::Tick, 50), send(3, info)]);
    msg(&mut f, 3, ZabMsg::LeaderInfo { new_epoch: Epoch(2) });
    assert_eq!(fire(&mut f, 100, ZabTimer::Tick), vec![set_timer(ZabTimer::Tick, 50)]);
}

#[test]
fn a_learner_answers_the_leaders_ping_while_synchronizing_without_a_zxid() {
    let mut f = syncing(&[[1, 2]], None);
    let ping = ZabMsg::Ping { sessions: vec![], zxid: Some(z(1, 2)) };
    assert_eq!(msg(&mut f, 3, ping), vec![send(3, ZabMsg::Ping { sessions: vec![], zxid: None })]);
}

#[test]
fn a_handler_that_wrote_enough_records_ends_with_a_checkpoint_after_them() {
    let settings = ZabSettings { checkpoint_every: 8, ..ZabSettings::default() };
    let cfg = Arc::new(ZabConfig::new(3, &settings));
    // Five records to start with (two epochs, two proposals, the delivery mark).
    let mut f = ZabNode::new(NodeId(1), cfg, &ServerInit { id: 1, log: vec![[1, 2]], ..Default::default() }.records());
    run(&mut f, 0, |f, out| f.follow(NodeId(3), Time(0), out));
    msg(&mut f, 3, ZabMsg::LeaderInfo { new_epoch: Epoch(2) });
    let (e3, e4) = (init_entry(z(1, 3)), init_entry(z(1, 4)));
    let acts = msg(&mut f, 3, ZabMsg::Diff { after: z(1, 2), proposals: vec![e3.clone(), e4.clone()] });
    let checkpoint = ZabDurable::Checkpoint {
        accepted_epoch: Epoch(2),
        accepted_from: Some(NodeId(3)),
        current_epoch: Epoch(1),
        snap_zxid: Zxid::ZERO,
        log: vec![init_entry(z(1, 1)), init_entry(z(1, 2)), e3.clone(), e4.clone()],
        delivered: z(1, 2),
        tree: Box::new(f.tree.clone()),
    };
    let logged = |entry| persist(ZabDurable::Logged { entry });
    assert_eq!(acts, vec![logged(e3), logged(e4), persist(checkpoint)]);
}

#[test]
fn a_late_newleader_of_an_earlier_epoch_never_lowers_the_current_epoch() {
    // Seeds 399, 580 and 1812 of sweep-zab-chaos: leader 3 started over with epoch 3
    // while 1 synchronized for epoch 2; a late copy of the epoch-2 NEWLEADER then set 1's
    // current epoch back to 2 (Zab: NEWLEADER(e) counts only if e is the accepted epoch).
    let mut f = acked_newleader();
    msg(&mut f, 3, ZabMsg::LeaderInfo { new_epoch: Epoch(3) });
    msg(&mut f, 3, ZabMsg::Diff { after: z(1, 2), proposals: vec![] });
    msg(&mut f, 3, ZabMsg::NewLeader { epoch: Epoch(3), zxid: z(1, 2) });
    assert_eq!(msg(&mut f, 3, ZabMsg::NewLeader { epoch: Epoch(2), zxid: z(1, 2) }), vec![]);
    assert_eq!((f.current_epoch, f.accepted_epoch), (Epoch(3), Epoch(3)));
}
