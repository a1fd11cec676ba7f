//! ZAB rules, one test each, asserting exact actions where the paper fixes them.

use super::*;
use crate::node::{Action, ActionOf};
use crate::types::ClientId;

pub(super) type A = ActionOf<ZabNode>;

pub(super) fn z(e: u32, c: u32) -> Zxid {
    Zxid::new(Epoch(e), c)
}
pub(super) fn config(n: u32, observers: &[u32]) -> Arc<ZabConfig> {
    let settings = ZabSettings { observers: observers.to_vec(), committed_log_max: 3, ..ZabSettings::default() };
    Arc::new(ZabConfig::new(n, &settings))
}
pub(super) fn server(id: u32, cfg: &Arc<ZabConfig>, log: &[[u32; 2]], delivered: Option<[u32; 2]>) -> ZabNode {
    let init = ServerInit { id, log: log.to_vec(), delivered, ..Default::default() };
    ZabNode::new(NodeId(id), cfg.clone(), &init.records())
}
pub(super) fn msg(n: &mut ZabNode, from: u32, m: ZabMsg) -> Vec<A> {
    let mut out = Out::new();
    n.on_message(Time(100), NodeId(from), m, &mut out);
    out.actions
}
pub(super) fn sends(acts: &[A]) -> Vec<(u32, ZabMsg)> {
    acts.iter()
        .filter_map(|a| match a {
            Action::Send { to, msg } => Some((to.0, msg.clone())),
            _ => None,
        })
        .collect()
}
pub(super) fn vote(leader: u32, zxid: Zxid, epoch: u32) -> Vote {
    Vote { leader: NodeId(leader), zxid, peer_epoch: Epoch(epoch) }
}
pub(super) fn notification(v: Vote, round: u64, state: ServerState) -> ZabMsg {
    ZabMsg::Notification { leader: v.leader, zxid: v.zxid, round, state, peer_epoch: v.peer_epoch }
}

#[test]
fn votes_compare_epoch_then_zxid_then_id() {
    // (winner, loser): the table of totalOrderPredicate.
    let table = [
        (vote(1, z(2, 1), 2), vote(3, z(1, 9), 1)), // newer epoch beats a larger counter
        (vote(1, z(1, 5), 1), vote(3, z(1, 3), 1)), // same epoch: newer zxid beats a higher id
        (vote(3, z(1, 3), 1), vote(2, z(1, 3), 1)), // all equal: the higher id wins
    ];
    for (win, lose) in table {
        assert!(win.beats(&lose) && !lose.beats(&win), "{win:?} should beat {lose:?}");
    }
}

#[test]
fn start_votes_for_itself_and_tells_everyone() {
    let cfg = config(3, &[]);
    let mut n = server(1, &cfg, &[[1, 2]], None);
    let mut out = Out::new();
    n.on_start(Time(0), &mut out);
    let own = vote(1, z(1, 2), 1);
    assert_eq!(n.election.round, 1);
    assert_eq!(n.election.vote, Some(own));
    assert_eq!(
        sends(&out.actions),
        vec![(2, notification(own, 1, ServerState::Looking)), (3, notification(own, 1, ServerState::Looking))]
    );
}

#[test]
fn a_better_vote_is_adopted_and_passed_on() {
    let cfg = config(3, &[]);
    let mut n = server(1, &cfg, &[], None);
    n.on_start(Time(0), &mut Out::new());
    let better = vote(3, Zxid::ZERO, 0);
    let acts = msg(&mut n, 3, notification(better, 1, ServerState::Looking));
    assert_eq!(n.election.vote, Some(better));
    assert!(acts.contains(&Action::Emit(
        ZabEvent::Vote { vote: better.into(), round: 1, beats: Some(vote(1, Zxid::ZERO, 0).into()) }.into()
    )));
    // A quorum (us and 3) agrees: the finalize wait starts.
    assert!(acts.contains(&Action::SetTimer { timer: ZabTimer::FinalizeWait, after_ms: 40..=40 }));
}

#[test]
fn a_higher_round_resets_the_count_and_a_lower_one_is_answered() {
    let cfg = config(3, &[]);
    let mut n = server(1, &cfg, &[[1, 4]], None);
    n.on_start(Time(0), &mut Out::new());
    let weaker = vote(2, z(1, 1), 1);
    msg(&mut n, 2, notification(weaker, 5, ServerState::Looking));
    assert_eq!(n.election.round, 5);
    assert_eq!(n.election.vote, Some(vote(1, z(1, 4), 1)), "our own vote is still the better one");
    let acts = msg(&mut n, 3, notification(weaker, 2, ServerState::Looking));
    assert_eq!(sends(&acts), vec![(3, notification(vote(1, z(1, 4), 1), 5, ServerState::Looking))]);
}

/// Leader 3 with followers 1 and 2 (and observer 4 when given) through discovery and sync.
pub(super) fn established(observers: &[u32]) -> (ZabNode, Arc<ZabConfig>) {
    let cfg = config(3 + observers.len() as u32, observers);
    let mut l = server(3, &cfg, &[[1, 2]], None);
    l.on_start(Time(0), &mut Out::new());
    l.lead(&mut Out::new());
    for f in [1, 2].iter().chain(observers) {
        let info = ZabMsg::FollowerInfo { accepted_epoch: Epoch(1), last_zxid: z(1, 2), attempt: 1 };
        let info = if observers.contains(f) {
            ZabMsg::ObserverInfo { accepted_epoch: Epoch(1), last_zxid: z(1, 2), attempt: 1 }
        } else {
            info
        };
        msg(&mut l, *f, info);
        msg(
            &mut l,
            *f,
            ZabMsg::AckEpoch {
                new_epoch: Epoch(2),
                current_epoch: Epoch(1),
                last_zxid: z(1, 2),
                delivered: z(1, 2),
                already_acked: false,
            },
        );
        msg(&mut l, *f, ZabMsg::Ack { zxid: z(1, 2) });
    }
    (l, cfg)
}

#[test]
fn discovery_takes_one_epoch_above_every_accepted_one() {
    let cfg = config(3, &[]);
    let mut l = server(3, &cfg, &[[1, 2]], None);
    l.lead(&mut Out::new());
    let acts = msg(&mut l, 1, ZabMsg::FollowerInfo { accepted_epoch: Epoch(4), last_zxid: z(1, 2), attempt: 7 });
    assert_eq!(
        acts,
        vec![
            Action::Persist(ZabDurable::AcceptedEpoch { epoch: Epoch(5), leader: Some(NodeId(3)) }),
            Action::Send { to: NodeId(1), msg: ZabMsg::LeaderInfo { new_epoch: Epoch(5) } },
        ]
    );
}

#[test]
fn a_follower_refuses_an_epoch_below_the_one_it_accepted() {
    let cfg = config(3, &[]);
    let mut f = server(1, &cfg, &[[1, 2]], None);
    f.accepted_epoch = Epoch(6);
    f.follow(NodeId(3), Time(0), &mut Out::new());
    msg(&mut f, 3, ZabMsg::LeaderInfo { new_epoch: Epoch(5) });
    assert_eq!(f.state, ServerState::Looking);
}

#[test]
fn sync_mode_is_diff_trunc_or_snap() {
    let cfg = config(3, &[]);
    let l = server(3, &cfg, &[[1, 5], [2, 2]], None);
    let mode = |peer| l.choose_sync(peer).0;
    assert_eq!(mode(z(2, 2)), SyncMode::Diff, "equal: an empty DIFF");
    assert_eq!(mode(z(1, 5)), SyncMode::Diff, "a prefix within the committed log window");
    assert_eq!(mode(z(1, 7)), SyncMode::Trunc, "proposals the leader never had");
    assert_eq!(mode(z(1, 1)), SyncMode::Snap, "behind the window of 3 proposals");
    let (_, msgs) = l.choose_sync(z(1, 7));
    assert_eq!(msgs[0], ZabMsg::Trunc { zxid: z(1, 5) });
}

#[test]
fn commit_needs_a_quorum_of_voters_and_observers_get_inform() {
    let (mut l, _) = established(&[4]);
    assert!(l.lead.as_ref().unwrap().established);
    let origin = Origin { server: NodeId(3), client: ClientId(9), seq: 1 };
    let txn = Txn::SetData { path: "/".into(), data: "x".into(), version: None };
    let session = SessionId(5);
    let lease = leader::Lease { timeout_ms: 1_000, expires_at: Time(1_000), closing: false };
    l.lead.as_mut().unwrap().leases.insert(session, lease);
    let mut out = Out::new();
    l.now = Time(100);
    l.propose_write(origin, WriteRequest::Txn { txn: txn.clone(), session }, &mut out);
    let zxid = z(2, 1);
    let entry = LogEntry { zxid, time_ms: 100, txn: txn.clone().into(), origin: Some(origin) };
    let proposal = ZabMsg::Proposal { entry: entry.clone() };
    assert_eq!(
        out.actions,
        vec![
            // No PROPOSAL to the observer; the followers get it before our own write.
            Action::EmitAhead(ZabEvent::Proposed { zxid, txn: txn.into() }.into()),
            Action::SendAhead { to: NodeId(1), msg: proposal.clone() },
            Action::SendAhead { to: NodeId(2), msg: proposal },
            Action::Persist(ZabDurable::Logged { entry: entry.clone() }),
            // Our own ACK, which the runtime lets out once the write is durable.
            Action::Send { to: NodeId(3), msg: ZabMsg::Ack { zxid } },
        ]
    );
    let acts = msg(&mut l, 4, ZabMsg::Ack { zxid });
    assert!(
        !acts.contains(&Action::Emit(ZabEvent::Committed { zxid, inform: true }.into())),
        "an observer's ACK never counts"
    );
    let acts = msg(&mut l, 1, ZabMsg::Ack { zxid });
    assert!(acts.is_empty(), "one follower is no quorum until our own write is durable: {acts:?}");
    let acts = msg(&mut l, 3, ZabMsg::Ack { zxid });
    assert_eq!(
        sends(&acts),
        vec![(1, ZabMsg::Commit { zxid }), (2, ZabMsg::Commit { zxid }), (4, ZabMsg::Inform { entry })]
    );
    assert_eq!(l.delivered, zxid);
}

#[test]
fn the_leader_counts_its_own_newleader_ack_once_its_epoch_is_durable() {
    let cfg = config(3, &[]);
    let mut l = server(3, &cfg, &[[1, 2]], None);
    let mut out = Out::new();
    l.lead(&mut out);
    msg(&mut l, 1, ZabMsg::FollowerInfo { accepted_epoch: Epoch(1), last_zxid: z(1, 2), attempt: 0 });
    let acts = msg(
        &mut l,
        1,
        ZabMsg::AckEpoch {
            new_epoch: Epoch(2),
            current_epoch: Epoch(1),
            last_zxid: z(1, 2),
            delivered: Zxid::ZERO,
            already_acked: false,
        },
    );
    assert!(acts.contains(&Action::Persist(ZabDurable::CurrentEpoch { epoch: Epoch(2) })));
    assert!(acts.contains(&Action::Send { to: NodeId(3), msg: ZabMsg::Ack { zxid: z(1, 2) } }));
    msg(&mut l, 1, ZabMsg::Ack { zxid: z(1, 2) });
    assert!(!l.lead.as_ref().unwrap().established, "the follower's ACK alone is no quorum");
    let acts = msg(&mut l, 3, ZabMsg::Ack { zxid: z(1, 2) });
    assert!(acts.contains(&Action::Emit(ZabEvent::LeaderEstablished { epoch: Epoch(2) }.into())));
}

#[test]
fn a_follower_ignores_a_stale_epoch_and_resyncs_on_a_gap() {
    let cfg = config(3, &[]);
    let mut f = server(1, &cfg, &[[1, 2]], None);
    (f.accepted_epoch, f.current_epoch) = (Epoch(2), Epoch(2));
    f.follow(NodeId(3), Time(0), &mut Out::new());
    f.learner.as_mut().unwrap().acked_newleader = true;
    let txn = Txn::SetData { path: "/".into(), data: "x".into(), version: None };
    let stale = LogEntry { zxid: z(1, 3), time_ms: 0, txn: txn.clone().into(), origin: None };
    assert!(msg(&mut f, 3, ZabMsg::Proposal { entry: stale }).is_empty());
    assert_eq!(f.stale, 1);
    let gap = LogEntry { zxid: z(2, 2), time_ms: 0, txn: txn.into(), origin: None };
    msg(&mut f, 3, ZabMsg::Proposal { entry: gap });
    assert_eq!(f.state, ServerState::Looking, "0x200000001 went missing: re-synchronize");
}
