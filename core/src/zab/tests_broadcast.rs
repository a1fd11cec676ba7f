//! Broadcast, one input per test, asserting the whole action list: the leader's
//! PROPOSAL (sent ahead of its own write, acknowledged by itself once durable), the
//! follower's log-then-ACK, commits by a quorum of voters (COMMIT to followers, INFORM
//! to observers), PINGs both ways and the tick's syncLimit check.

use super::harness::*;
use super::tests::{msg, vote, z};
use super::*;
use crate::node::Action;

/// Leader 3, followers 1 and 2 and observer 4, all in broadcast in epoch 2 with
/// 0x100000001..2 delivered.
fn ensemble() -> BTreeMap<u32, ZabNode> {
    Cluster::ensemble(&[4]).nodes
}

/// The proposal of client 7's connect through server 1, at time 100.
fn connect_entry() -> LogEntry {
    let txn = Txn::CreateSession { session: SessionId(z(2, 1).0), timeout_ms: 10_000 };
    LogEntry { zxid: z(2, 1), time_ms: 100, txn: txn.into(), origin: Some(origin(1, 7, 1)) }
}

fn connect_request() -> ZabMsg {
    ZabMsg::Request { origin: origin(1, 7, 1), write: WriteRequest::Connect { timeout_ms: 10_000 } }
}

/// The ensemble with the connect proposed at the leader.
fn proposed() -> BTreeMap<u32, ZabNode> {
    let mut s = ensemble();
    msg(s.get_mut(&3).unwrap(), 1, connect_request());
    s
}

/// What the leader does when a quorum has acknowledged `entry`.
fn commits(entry: &LogEntry) -> Vec<A> {
    let zxid = entry.zxid;
    let mut want = vec![
        ev_committed(zxid, true),
        send(1, ZabMsg::Commit { zxid }),
        send(2, ZabMsg::Commit { zxid }),
        send(4, ZabMsg::Inform { entry: entry.clone() }),
    ];
    want.extend(delivered(entry));
    want
}

fn ping(zxid: Zxid) -> ZabMsg {
    ZabMsg::Ping { sessions: vec![], zxid: Some(zxid) }
}

#[test]
fn a_forwarded_write_is_proposed_to_followers_ahead_of_the_leaders_own_write() {
    let mut s = ensemble();
    let e = connect_entry();
    let proposal = ZabMsg::Proposal { entry: e.clone() };
    assert_eq!(
        msg(s.get_mut(&3).unwrap(), 1, connect_request()),
        vec![
            ev_proposed(&e),
            send_ahead(1, proposal.clone()),
            send_ahead(2, proposal),
            persist(ZabDurable::Logged { entry: e }),
            // The leader's own ACK: the runtime lets it out once the write is durable.
            send(3, ZabMsg::Ack { zxid: z(2, 1) }),
        ]
    );
}

#[test]
fn a_repeated_request_is_proposed_once() {
    let mut s = proposed();
    let l = s.get_mut(&3).unwrap();
    assert_eq!(msg(l, 1, connect_request()), vec![]);
    assert_eq!(l.last_zxid(), z(2, 1));
}

#[test]
fn a_follower_logs_a_proposal_before_acknowledging_it() {
    let mut s = ensemble();
    let e = connect_entry();
    assert_eq!(
        msg(s.get_mut(&1).unwrap(), 3, ZabMsg::Proposal { entry: e.clone() }),
        vec![persist(ZabDurable::Logged { entry: e }), send(3, ZabMsg::Ack { zxid: z(2, 1) })]
    );
}

#[test]
fn a_follower_ignores_a_duplicate_or_stale_proposal_and_gives_up_on_a_gap() {
    let mut s = ensemble();
    let f = s.get_mut(&1).unwrap();
    let e = connect_entry();
    msg(f, 3, ZabMsg::Proposal { entry: e.clone() });
    assert_eq!(msg(f, 3, ZabMsg::Proposal { entry: e.clone() }), vec![], "a duplicate");
    let old = LogEntry { zxid: z(1, 3), ..e.clone() };
    assert_eq!(msg(f, 3, ZabMsg::Proposal { entry: old }), vec![], "an earlier epoch's");
    assert_eq!(msg(f, 2, ZabMsg::Proposal { entry: e.clone() }), vec![], "not from our leader");
    let gap = LogEntry { zxid: z(2, 3), ..e };
    assert_eq!(msg(f, 3, ZabMsg::Proposal { entry: gap }), looking_again(2, vote(1, z(2, 1), 2), 1, &[2, 3, 4]));
}

#[test]
fn a_quorum_of_voter_acks_commits_to_followers_and_informs_observers() {
    let mut s = proposed();
    let l = s.get_mut(&3).unwrap();
    assert_eq!(msg(l, 1, ZabMsg::Ack { zxid: z(2, 1) }), vec![], "not until our own write is durable");
    assert_eq!(msg(l, 3, ZabMsg::Ack { zxid: z(2, 1) }), commits(&connect_entry()));
}

#[test]
fn the_leaders_own_ack_is_one_vote_like_any_other() {
    let mut s = proposed();
    let l = s.get_mut(&3).unwrap();
    assert_eq!(msg(l, 3, ZabMsg::Ack { zxid: z(2, 1) }), vec![]);
    assert_eq!(msg(l, 2, ZabMsg::Ack { zxid: z(2, 1) }), commits(&connect_entry()));
}

#[test]
fn an_observers_ack_and_an_ack_of_nothing_outstanding_never_count() {
    let mut s = proposed();
    let l = s.get_mut(&3).unwrap();
    msg(l, 3, ZabMsg::Ack { zxid: z(2, 1) });
    assert_eq!(msg(l, 4, ZabMsg::Ack { zxid: z(2, 1) }), vec![]);
    assert_eq!(msg(l, 1, ZabMsg::Ack { zxid: z(2, 2) }), vec![]);
    assert_eq!(l.delivered, z(1, 2));
}

#[test]
fn a_commit_delivers_the_logged_proposal() {
    let mut s = ensemble();
    let f = s.get_mut(&2).unwrap();
    msg(f, 3, ZabMsg::Proposal { entry: connect_entry() });
    assert_eq!(msg(f, 3, ZabMsg::Commit { zxid: z(2, 1) }), delivered(&connect_entry()).to_vec());
}

#[test]
fn a_commit_of_a_proposal_never_logged_makes_the_follower_look_again() {
    let mut s = ensemble();
    let want = looking_again(2, vote(2, z(1, 2), 2), 1, &[1, 3, 4]);
    assert_eq!(msg(s.get_mut(&2).unwrap(), 3, ZabMsg::Commit { zxid: z(2, 1) }), want);
}

#[test]
fn an_inform_is_logged_and_delivered_by_an_observer() {
    let mut s = ensemble();
    let e = connect_entry();
    let mut want = vec![persist(ZabDurable::Logged { entry: e.clone() })];
    want.extend(delivered(&e));
    assert_eq!(msg(s.get_mut(&4).unwrap(), 3, ZabMsg::Inform { entry: e }), want);
}

#[test]
fn an_inform_of_a_proposal_logged_already_only_delivers_it() {
    let mut s = ensemble();
    let o = s.get_mut(&4).unwrap();
    // As a DIFF of the outstanding proposals leaves it while the observer syncs.
    o.log.push(connect_entry());
    assert_eq!(msg(o, 3, ZabMsg::Inform { entry: connect_entry() }), delivered(&connect_entry()).to_vec());
    assert_eq!(msg(o, 3, ZabMsg::Inform { entry: connect_entry() }), vec![], "a second copy");
}

#[test]
fn an_inform_after_a_missing_one_makes_the_observer_look_again() {
    let mut s = ensemble();
    let gap = LogEntry { zxid: z(2, 2), ..connect_entry() };
    let want = looking_again(2, vote(4, z(1, 2), 2), 1, &[1, 2, 3]);
    assert_eq!(msg(s.get_mut(&4).unwrap(), 3, ZabMsg::Inform { entry: gap }), want);
}

#[test]
fn the_leaders_tick_pings_every_learner_with_its_commit_point() {
    let mut s = ensemble();
    let now = s[&3].now.ms() + 50;
    let want =
        vec![send(1, ping(z(1, 2))), send(2, ping(z(1, 2))), send(4, ping(z(1, 2))), set_timer(ZabTimer::Tick, 50)];
    assert_eq!(fire(s.get_mut(&3).unwrap(), now, ZabTimer::Tick), want);
}

#[test]
fn a_leader_without_a_quorum_heard_within_sync_limit_steps_down() {
    let mut s = ensemble();
    let mut want = vec![send(1, ping(z(1, 2))), send(2, ping(z(1, 2))), send(4, ping(z(1, 2)))];
    want.extend(looking_again(2, vote(3, z(1, 2), 2), 1, &[1, 2, 4]));
    assert_eq!(fire(s.get_mut(&3).unwrap(), 10_000, ZabTimer::Tick), want);
}

#[test]
fn a_follower_answers_the_leaders_ping_with_its_last_logged_zxid() {
    let mut s = ensemble();
    assert_eq!(msg(s.get_mut(&1).unwrap(), 3, ping(z(1, 2))), vec![send(3, ping(z(1, 2)))]);
}

#[test]
fn a_pings_commit_point_delivers_what_a_lost_commit_did_not() {
    let mut s = ensemble();
    let f = s.get_mut(&1).unwrap();
    msg(f, 3, ZabMsg::Proposal { entry: connect_entry() });
    let mut want = delivered(&connect_entry()).to_vec();
    want.push(send(3, ping(z(2, 1))));
    assert_eq!(msg(f, 3, ping(z(2, 1))), want);
}

#[test]
fn a_pings_commit_point_beyond_the_log_makes_the_follower_look_again() {
    let mut s = ensemble();
    let want = looking_again(2, vote(1, z(1, 2), 2), 1, &[2, 3, 4]);
    assert_eq!(msg(s.get_mut(&1).unwrap(), 3, ping(z(2, 1))), want);
}

#[test]
fn a_learners_ping_resends_what_it_lacks_and_counts_as_an_ack_for_what_it_has() {
    let mut s = proposed();
    let l = s.get_mut(&3).unwrap();
    msg(l, 3, ZabMsg::Ack { zxid: z(2, 1) });
    let resend = send(1, ZabMsg::Proposal { entry: connect_entry() });
    assert_eq!(msg(l, 1, ping(z(1, 2))), vec![resend]);
    assert_eq!(msg(l, 1, ping(z(2, 1))), commits(&connect_entry()));
}

#[test]
fn a_learners_tick_rearms_and_gives_up_on_a_leader_silent_for_sync_limit() {
    let mut s = ensemble();
    let f = s.get_mut(&1).unwrap();
    let heard = f.learner.as_ref().unwrap().last_heard.ms();
    assert_eq!(fire(f, heard + 250, ZabTimer::Tick), vec![set_timer(ZabTimer::Tick, 50)]);
    let mut want = vec![set_timer(ZabTimer::Tick, 50)];
    want.extend(looking_again(2, vote(1, z(1, 2), 2), 1, &[2, 3, 4]));
    assert_eq!(fire(f, heard + 251, ZabTimer::Tick), want);
}

// ---- A connection closes (a real runtime's socket, `Node::on_disconnect`) ----

fn disconnect(n: &mut ZabNode, now: u64, peer: u32) -> Vec<A> {
    run(n, now, |n, out| n.on_disconnect(Time(now), NodeId(peer), out))
}

#[test]
fn a_follower_whose_connection_to_its_leader_closes_looks_for_a_leader_at_once() {
    let mut s = ensemble();
    // The reason first, so the trace tells why the server goes LOOKING.
    let mut want = vec![Action::Emit(ZabEvent::LeaderLost { leader: NodeId(3) }.into())];
    want.extend(looking_again(2, vote(1, z(1, 2), 2), 1, &[2, 3, 4]));
    assert_eq!(disconnect(s.get_mut(&1).unwrap(), 200, 3), want);
}

#[test]
fn a_learner_ignores_a_closed_connection_to_another_learner() {
    let mut s = ensemble();
    let f = s.get_mut(&1).unwrap();
    assert_eq!(disconnect(f, 200, 2), vec![]);
    assert_eq!(f.state, ServerState::Following);
}

#[test]
fn a_leader_forgets_a_learner_whose_connection_closed_and_syncs_it_when_it_registers_again() {
    let mut s = proposed();
    let l = s.get_mut(&3).unwrap();
    assert_eq!(disconnect(l, 200, 1), vec![Action::Emit(ZabEvent::LearnerLost { learner: NodeId(1) }.into())]);
    // Told again (its other connection closes too), it has nothing left to forget.
    assert_eq!(disconnect(l, 200, 1), vec![]);
    assert!(!l.lead.as_ref().unwrap().learners.contains_key(&NodeId(1)));
    // Its messages from before are stale now; it is no longer sent anything.
    assert_eq!(msg(l, 1, ZabMsg::Ack { zxid: z(2, 1) }), vec![]);
    assert_eq!(msg(l, 1, ping(z(1, 2))), vec![]);
    let now = l.now.ms() + 50;
    let want = vec![send(2, ping(z(1, 2))), send(4, ping(z(1, 2))), set_timer(ZabTimer::Tick, 50)];
    assert_eq!(fire(l, now, ZabTimer::Tick), want);
    // Registering again (a new attempt) starts its discovery over.
    let info = ZabMsg::FollowerInfo { accepted_epoch: Epoch(2), last_zxid: z(1, 2), attempt: 9 };
    assert_eq!(msg(l, 1, info), vec![send(1, ZabMsg::LeaderInfo { new_epoch: Epoch(2) })]);
}

#[test]
fn a_leader_that_loses_its_quorums_connections_steps_down_at_its_next_tick() {
    let mut s = ensemble();
    let l = s.get_mut(&3).unwrap();
    disconnect(l, 200, 1);
    disconnect(l, 200, 2);
    let now = l.now.ms() + 50;
    let mut want = vec![send(4, ping(z(1, 2)))];
    want.extend(looking_again(2, vote(3, z(1, 2), 2), 1, &[1, 2, 4]));
    assert_eq!(fire(l, now, ZabTimer::Tick), want);
}
