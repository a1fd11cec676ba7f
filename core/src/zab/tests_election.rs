//! Fast Leader Election, one handler input per test, asserting the whole action list:
//! entering LOOKING (at start and after a restart), notifications of a higher, lower
//! and equal round, from LOOKING, deciding and observing servers, the finalize wait
//! and the notification timeout.

use super::harness::*;
use super::tests::{config, msg, notification, server, vote, z};
use super::*;

const LOOKING: ServerState = ServerState::Looking;

/// Server `id` of `n` voters (and `observers`), started: LOOKING in round 1.
fn looking(id: u32, n: u32, observers: &[u32], log: &[[u32; 2]]) -> ZabNode {
    let mut s = server(id, &config(n, observers), log, None);
    run(&mut s, 0, |s, out| s.on_start(Time(0), out));
    s
}

#[test]
fn start_enters_looking_votes_for_itself_and_notifies_everyone() {
    let mut n = server(1, &config(3, &[]), &[[1, 2]], None);
    let acts = run(&mut n, 0, |n, out| n.on_start(Time(0), out));
    assert_eq!(acts, looking_again(1, vote(1, z(1, 2), 1), 1, &[2, 3]));
}

#[test]
fn a_restarted_server_votes_with_the_history_its_records_hold() {
    let init = ServerInit {
        id: 1,
        log: vec![[1, 2], [2, 1]],
        delivered: Some([1, 2]),
        current_epoch: Some(2),
        accepted_epoch: Some(3),
    };
    let mut records = init.records();
    records.push(ZabDurable::Logged { entry: init_entry(z(2, 2)) });
    let mut n = ZabNode::new(NodeId(1), config(3, &[]), &records);
    assert_eq!((n.accepted_epoch, n.current_epoch, n.delivered), (Epoch(3), Epoch(2), z(1, 2)));
    let acts = run(&mut n, 0, |n, out| n.on_start(Time(0), out));
    // The vote carries the current epoch, not the accepted one (`getCurrentEpoch`).
    assert_eq!(acts, looking_again(2, vote(1, z(2, 2), 2), 1, &[2, 3]));
}

#[test]
fn a_higher_round_with_a_better_vote_is_adopted_passed_on_and_counted() {
    let mut n = looking(1, 3, &[], &[]);
    let better = vote(2, z(1, 1), 1);
    let mut want = vec![set_timer(ZabTimer::NotificationTimeout, 100)];
    want.extend(revote(better, 5, vote(1, Zxid::ZERO, 0)));
    // We and 2 agree: a quorum of three, so wait for anything better.
    want.push(set_timer(ZabTimer::FinalizeWait, 40));
    assert_eq!(msg(&mut n, 2, notification(better, 5, LOOKING)), want);
    assert_eq!(n.election.round, 5);
}

#[test]
fn a_higher_round_with_a_worse_vote_renews_our_own_vote_in_that_round() {
    let mut n = looking(1, 3, &[], &[[1, 4]]);
    let own = vote(1, z(1, 4), 1);
    let mut want = vec![set_timer(ZabTimer::NotificationTimeout, 100)];
    want.extend(revote(own, 5, vote(2, z(1, 1), 1)));
    assert_eq!(msg(&mut n, 2, notification(vote(2, z(1, 1), 1), 5, LOOKING)), want);
}

#[test]
fn a_lower_round_is_answered_with_our_vote_and_not_counted() {
    let mut n = looking(1, 3, &[], &[[1, 4]]);
    msg(&mut n, 2, notification(vote(2, z(1, 1), 1), 5, LOOKING));
    let own = vote(1, z(1, 4), 1);
    assert_eq!(
        msg(&mut n, 3, notification(own, 2, LOOKING)),
        vec![set_timer(ZabTimer::NotificationTimeout, 100), send(3, notification(own, 5, LOOKING))]
    );
    assert!(!n.election.received.contains_key(&NodeId(3)), "a vote of round 2 does not count in round 5");
}

#[test]
fn an_equal_round_worse_vote_is_answered_and_counted_for_its_sender() {
    let mut n = looking(1, 3, &[], &[[1, 4]]);
    let worse = vote(3, z(1, 1), 1);
    assert_eq!(
        msg(&mut n, 3, notification(worse, 1, LOOKING)),
        vec![
            set_timer(ZabTimer::NotificationTimeout, 100),
            ev_kept(3, worse, vote(1, z(1, 4), 1), 1),
            send(3, notification(vote(1, z(1, 4), 1), 1, LOOKING))
        ]
    );
    assert_eq!(n.election.received.get(&NodeId(3)), Some(&worse));
}

#[test]
fn an_equal_vote_completes_a_quorum_and_starts_the_finalize_wait_once() {
    let mut n = looking(1, 5, &[], &[]);
    let own = vote(1, Zxid::ZERO, 0);
    let heard = |from| vec![set_timer(ZabTimer::NotificationTimeout, 100), ev_kept(from, own, own, 1)];
    assert_eq!(msg(&mut n, 2, notification(own, 1, LOOKING)), heard(2));
    let acts = msg(&mut n, 3, notification(own, 1, LOOKING));
    let mut want = heard(3);
    want.push(set_timer(ZabTimer::FinalizeWait, 40));
    assert_eq!(acts, want);
    // A fourth agreeing vote does not restart the wait.
    assert_eq!(msg(&mut n, 4, notification(own, 1, LOOKING)), heard(4));
}

#[test]
fn the_finalize_wait_makes_the_agreed_candidate_lead_and_tells_who_looks() {
    let mut n = looking(3, 3, &[], &[[1, 2]]);
    let mine = vote(3, z(1, 2), 1);
    msg(&mut n, 1, notification(mine, 1, LOOKING));
    assert_eq!(
        fire(&mut n, 140, ZabTimer::FinalizeWait),
        vec![
            // 1 and 3 of 3 vote for 3: the quorum, named.
            ev_elected(3, &[1, 3], 3),
            cancel(ZabTimer::NotificationTimeout),
            cancel(ZabTimer::FinalizeWait),
            ev_phase(ZabPhase::Discovery),
            ev_state(ServerState::Leading, 1),
            set_timer(ZabTimer::InitLimit, 500),
            set_timer(ZabTimer::Tick, 50),
            // 1 said LOOKING last: it hears of the decision now, not after a timeout.
            send(1, notification(mine, 1, ServerState::Leading)),
        ]
    );
}

#[test]
fn the_finalize_wait_makes_a_voter_follow_the_agreed_leader() {
    let mut n = looking(1, 3, &[], &[]);
    let theirs = vote(3, z(1, 2), 1);
    msg(&mut n, 3, notification(theirs, 1, LOOKING));
    let info = ZabMsg::FollowerInfo { accepted_epoch: Epoch(0), last_zxid: Zxid::ZERO, attempt: 140 << 16 | 1 };
    let mut want = following_3(info, ServerState::Following, &[1, 3]);
    want.push(send(3, notification(theirs, 1, ServerState::Following)));
    assert_eq!(fire(&mut n, 140, ZabTimer::FinalizeWait), want);
}

#[test]
fn election_timers_that_fire_after_the_decision_do_nothing() {
    let mut n = looking(3, 3, &[], &[[1, 2]]);
    msg(&mut n, 1, notification(vote(3, z(1, 2), 1), 1, LOOKING));
    fire(&mut n, 140, ZabTimer::FinalizeWait);
    assert_eq!(fire(&mut n, 150, ZabTimer::FinalizeWait), vec![]);
    assert_eq!(fire(&mut n, 160, ZabTimer::NotificationTimeout), vec![]);
}

#[test]
fn role_timers_and_leader_pings_do_nothing_while_looking() {
    let mut n = looking(1, 3, &[], &[[1, 2]]);
    assert_eq!(fire(&mut n, 50, ZabTimer::Tick), vec![]);
    assert_eq!(fire(&mut n, 500, ZabTimer::InitLimit), vec![]);
    assert_eq!(msg(&mut n, 3, ZabMsg::Ping { sessions: vec![], zxid: Some(z(1, 2)) }), vec![]);
}

#[test]
fn silence_resends_the_notifications_and_doubles_the_timeout_up_to_its_cap() {
    let mut n = looking(1, 3, &[], &[]);
    let note = notification(vote(1, Zxid::ZERO, 0), 1, LOOKING);
    let again = |ms| vec![send(2, note.clone()), send(3, note.clone()), set_timer(ZabTimer::NotificationTimeout, ms)];
    for ms in [200, 400, 800, 1600, 1600] {
        assert_eq!(fire(&mut n, 100, ZabTimer::NotificationTimeout), again(ms));
    }
}

#[test]
fn a_looking_observer_asks_again_at_most_every_twice_the_minimum() {
    let mut n = looking(4, 4, &[4], &[]);
    let note = notification(vote(4, Zxid::ZERO, 0), 1, LOOKING);
    let again: Vec<A> =
        (1..=3).map(|to| send(to, note.clone())).chain([set_timer(ZabTimer::NotificationTimeout, 200)]).collect();
    assert_eq!(fire(&mut n, 100, ZabTimer::NotificationTimeout), again);
    assert_eq!(fire(&mut n, 300, ZabTimer::NotificationTimeout), again);
}

/// The FOLLOWERINFO a server sends when it decides at time 100 in `round`.
fn follower_info(round: u64) -> ZabMsg {
    ZabMsg::FollowerInfo { accepted_epoch: Epoch(0), last_zxid: Zxid::ZERO, attempt: 100 << 16 | round }
}

/// Deciding to follow 3, for an empty server (`info`: its registration).
/// Deciding for 3, on the votes of `voters` (of 3), then registering with it.
fn following_3(info: ZabMsg, state: ServerState, voters: &[u32]) -> Vec<A> {
    let mut want =
        vec![ev_elected(3, voters, 3), cancel(ZabTimer::NotificationTimeout), cancel(ZabTimer::FinalizeWait)];
    want.extend(registers(state, 0, 3, info));
    want
}

/// Changing our vote to `v` in `round`, as it `beats` another: the finalize wait starts
/// over, and 2 and 3 hear.
fn revote(v: Vote, round: u64, beats: Vote) -> Vec<A> {
    let note = notification(v, round, LOOKING);
    vec![cancel(ZabTimer::FinalizeWait), ev_vote_beats(v, round, beats), send(2, note.clone()), send(3, note)]
}

#[test]
fn a_leaders_notification_alone_makes_a_looking_server_ask_the_other_voters_once() {
    let mut n = looking(1, 3, &[], &[]);
    let lead = notification(vote(3, z(1, 2), 1), 1, ServerState::Leading);
    let ask = send(2, notification(vote(1, Zxid::ZERO, 0), 1, LOOKING));
    assert_eq!(msg(&mut n, 3, lead.clone()), vec![set_timer(ZabTimer::NotificationTimeout, 100), ask]);
    assert_eq!(msg(&mut n, 3, lead), vec![set_timer(ZabTimer::NotificationTimeout, 100)]);
}

#[test]
fn a_quorum_of_decided_votes_for_a_server_that_says_it_leads_is_followed() {
    let mut n = looking(1, 3, &[], &[]);
    let v3 = vote(3, z(1, 2), 1);
    msg(&mut n, 3, notification(v3, 1, ServerState::Leading));
    let mut want = vec![set_timer(ZabTimer::NotificationTimeout, 100)];
    want.extend(following_3(follower_info(1), ServerState::Following, &[2, 3]));
    assert_eq!(msg(&mut n, 2, notification(v3, 1, ServerState::Following)), want);
    assert_eq!(n.election.vote, Some(v3));
}

#[test]
fn agreeing_votes_are_not_followed_until_the_leader_itself_says_it_leads() {
    // checkLeader (ZOOKEEPER-1732): 2 follows 3, we agree, but 3 has not said so.
    let mut n = looking(1, 3, &[], &[]);
    let v3 = vote(3, z(1, 2), 1);
    msg(&mut n, 3, notification(v3, 1, LOOKING));
    assert_eq!(
        msg(&mut n, 2, notification(v3, 1, ServerState::Following)),
        vec![set_timer(ZabTimer::NotificationTimeout, 100), send(3, notification(v3, 1, LOOKING))]
    );
    assert_eq!(n.state, LOOKING);
}

#[test]
fn decided_votes_of_other_rounds_are_followed_if_a_quorum_names_one_leader() {
    let mut n = looking(1, 3, &[], &[]);
    msg(&mut n, 3, notification(vote(3, z(1, 2), 1), 4, ServerState::Leading));
    // 2 decided in another round, with another zxid for 3: only who leads must agree.
    let v2 = vote(3, z(2, 5), 2);
    let mut want = vec![set_timer(ZabTimer::NotificationTimeout, 100)];
    want.extend(following_3(follower_info(3), ServerState::Following, &[2, 3]));
    assert_eq!(msg(&mut n, 2, notification(v2, 3, ServerState::Following)), want);
    assert_eq!((n.election.round, n.election.vote), (3, Some(v2)));
}

#[test]
fn a_decided_server_answers_a_looking_one_with_its_decision_and_ignores_the_rest() {
    let mut n = looking(1, 3, &[], &[]);
    let v3 = vote(3, z(1, 2), 1);
    msg(&mut n, 3, notification(v3, 1, ServerState::Leading));
    msg(&mut n, 2, notification(v3, 1, ServerState::Following));
    let late = notification(vote(2, Zxid::ZERO, 0), 7, LOOKING);
    assert_eq!(msg(&mut n, 2, late), vec![send(2, notification(v3, 1, ServerState::Following))]);
    assert_eq!(msg(&mut n, 2, notification(v3, 1, ServerState::Following)), vec![]);
}

#[test]
fn a_leader_not_yet_established_looks_again_when_a_backer_looks_in_a_newer_round() {
    let mut n = looking(3, 3, &[], &[[1, 2]]);
    let mine = vote(3, z(1, 2), 1);
    msg(&mut n, 1, notification(mine, 1, LOOKING));
    fire(&mut n, 140, ZabTimer::FinalizeWait);
    let mut want = looking_again(1, mine, 2, &[1, 2]);
    // Then the notification counts in the new round: 1's vote is worse, so it is told ours.
    let kept = ev_kept(1, vote(1, z(1, 2), 1), mine, 2);
    want.extend([set_timer(ZabTimer::NotificationTimeout, 100), kept, send(1, notification(mine, 2, LOOKING))]);
    assert_eq!(msg(&mut n, 1, notification(vote(1, z(1, 2), 1), 2, LOOKING)), want);
}

#[test]
fn a_looking_observer_follows_once_a_quorum_of_voters_report_the_leader() {
    let mut n = looking(4, 4, &[4], &[]);
    let v3 = vote(3, z(1, 2), 1);
    let ask = notification(vote(4, Zxid::ZERO, 0), 1, LOOKING);
    assert_eq!(
        msg(&mut n, 3, notification(v3, 1, ServerState::Leading)),
        vec![set_timer(ZabTimer::NotificationTimeout, 100), send(1, ask.clone()), send(2, ask)]
    );
    let info = ZabMsg::ObserverInfo { accepted_epoch: Epoch(0), last_zxid: Zxid::ZERO, attempt: 100 << 16 | 1 };
    let mut want = vec![set_timer(ZabTimer::NotificationTimeout, 100)];
    want.extend(following_3(info, ServerState::Observing, &[1, 3]));
    assert_eq!(msg(&mut n, 1, notification(v3, 1, ServerState::Following)), want);
}

#[test]
fn a_looking_observer_learns_nothing_from_looking_voters() {
    let mut n = looking(4, 4, &[4], &[]);
    // No vote to count and no silence timer reset: for an observer this is silence.
    assert_eq!(msg(&mut n, 1, notification(vote(1, z(1, 2), 1), 1, LOOKING)), vec![]);
    assert_eq!(n.stale, 1);
}

#[test]
fn a_looking_voter_counts_nothing_an_observer_says_but_tells_a_lagging_one_its_vote() {
    let mut n = looking(1, 4, &[4], &[]);
    let theirs = vote(4, z(1, 9), 1);
    assert_eq!(msg(&mut n, 4, notification(theirs, 1, LOOKING)), vec![]);
    assert_eq!(msg(&mut n, 4, notification(theirs, 1, ServerState::Observing)), vec![]);
    let own = notification(vote(1, Zxid::ZERO, 0), 1, LOOKING);
    assert_eq!(msg(&mut n, 4, notification(theirs, 0, LOOKING)), vec![send(4, own)]);
    assert_eq!((n.election.vote, n.election.received.len()), (Some(vote(1, Zxid::ZERO, 0)), 1));
}

/// A one-server ensemble (a quorum of one) leads alone, as a standalone ZooKeeper
/// serves: its own vote is a quorum the moment it votes.
#[test]
#[cfg(feature = "text")]
fn a_lone_voter_elects_itself_and_establishes_its_epoch() {
    let text = "name = \"one\"\ndescription = \"d\"\nprotocol = \"zab\"\n[nodes]\ncount = 1\n[run]\nuntil_ms = 2000\n";
    let s = crate::scenarios::Scenario::parse("one.toml", text).expect("a scenario");
    let mut sim = super::build(&s, 1);
    while sim.now().ms() < 2_000 && sim.step().is_some() {}
    let node = sim.node(NodeId(1));
    assert_eq!((node.state, node.phase, node.current_epoch), (ServerState::Leading, ZabPhase::Broadcast, Epoch(1)));
}

#[test]
fn a_followerinfo_to_a_server_still_looking_is_ignored_aloud() {
    let mut n = looking(2, 3, &[], &[]);
    let info = ZabMsg::FollowerInfo { accepted_epoch: Epoch(0), last_zxid: Zxid::ZERO, attempt: 1 };
    let ignored = ZabEvent::LearnerInfoIgnored { learner: NodeId(1), state: LOOKING, observer: false };
    assert_eq!(msg(&mut n, 1, info), vec![crate::node::Action::Emit(ignored.clone().into())]);
    let (en, zh) = crate::explain::told_alone(&PROTOCOL, &ignored.into());
    assert!(en.starts_with("Node 2 ignores FOLLOWERINFO from node 1: it is still LOOKING, not yet leading"), "{en}");
    assert!(zh.starts_with("节点 2 忽略来自节点 1 的 FOLLOWERINFO：它仍处于 LOOKING 状态"), "{zh}");
}
