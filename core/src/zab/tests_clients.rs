//! The client path, with exact messages: forwarding, held reads, SYNC, session
//! creation, close and expiry.

use super::harness::Cluster;
use super::tests::z;
use super::*;
use crate::client::ReplyBody;
use crate::types::ClientId;

fn connect() -> ClientOp {
    ClientOp::connect(10_000)
}

/// Client 7 of server 1 (a follower of 3) with a session: returns its id.
fn connected() -> (Cluster, SessionId) {
    let mut c = Cluster::ensemble(&[]);
    c.client(1, 7, connect());
    c.settle(100);
    let session = c.node(1).clients.sessions[&ClientId(7)];
    (c, session)
}

fn body(c: &Cluster, seq: u64) -> ZkReply {
    match c.reply(seq).map(|r| &r.result) {
        Some(Ok(ReplyBody::Zk(v))) => v.clone(),
        other => panic!("no reply body for {seq}: {other:?}"),
    }
}

#[test]
fn a_follower_forwards_a_connect_and_the_session_is_the_zxid_that_made_it() {
    let mut c = Cluster::ensemble(&[]);
    let seq = c.client(1, 7, connect());
    let origin = Origin { server: NodeId(1), client: ClientId(7), seq };
    let request = ZabMsg::Request { origin, write: WriteRequest::Connect { timeout_ms: 10_000 } };
    assert_eq!(c.wire, vec![(1, 3, request)]);
    c.settle(100);
    assert_eq!(body(&c, seq), ZkReply::Connected { session_id: SessionId(z(2, 1).0), timeout_ms: 10_000 });
    assert_eq!(c.node(1).clients.sessions[&ClientId(7)], SessionId(z(2, 1).0));
}

#[test]
fn a_write_is_forwarded_with_its_session_and_answered_by_its_own_server() {
    let (mut c, session) = connected();
    let seq =
        c.client(1, 7, ClientOp::Create { path: "/a".into(), data: "x".into(), ephemeral: true, sequential: false });
    let origin = Origin { server: NodeId(1), client: ClientId(7), seq };
    let txn = Txn::Create { path: "/a".into(), data: "x".into(), ephemeral: true, sequential: false, session };
    assert_eq!(c.wire, vec![(1, 3, ZabMsg::Request { origin, write: WriteRequest::Txn { txn, session } })]);
    c.settle(100);
    assert_eq!(body(&c, seq), ZkReply::Created { path: "/a".into(), zxid: z(2, 2) });
    assert!(c.replies.iter().filter(|r| r.seq == seq).count() == 1, "only server 1 answers");
}

#[test]
fn a_read_waits_for_the_same_clients_earlier_write() {
    let (mut c, _) = connected();
    let write = c.client(1, 7, ClientOp::Set { path: "/".into(), data: "new".into(), version: None });
    let read = c.client(1, 7, ClientOp::Get { path: "/".into(), watch: false });
    assert!(c.reply(read).is_none(), "held behind the write");
    assert_eq!(c.node(1).clients.held.len(), 1);
    c.settle(100);
    assert!(c.reply(write).is_some());
    let ZkReply::Data { data, .. } = body(&c, read) else { panic!("get answers with data") };
    assert_eq!(data, "new", "the read sees the client's own write");
}

#[test]
fn a_sync_is_answered_after_what_the_leader_proposed_before_it() {
    let (mut c, _) = connected();
    // Another client's write is outstanding at the leader when the SYNC arrives.
    c.client(3, 8, connect());
    let seq = c.client(1, 7, ClientOp::Sync { path: "/".into() });
    let origin = Origin { server: NodeId(1), client: ClientId(7), seq };
    assert!(c.deliver(|f, t, m| (f, t) == (1, 3) && matches!(m, ZabMsg::Sync { .. })));
    assert!(!c.wire.contains(&(3, 1, ZabMsg::Sync { origin })), "not before the outstanding commit");
    c.settle(100);
    // The answer comes back after the COMMIT, so the read after it sees the write.
    assert_eq!(body(&c, seq), ZkReply::Synced { zxid: z(2, 2) });
}

#[test]
fn a_close_ends_the_session_everywhere_and_later_writes_need_a_new_one() {
    let (mut c, session) = connected();
    let close = c.client(1, 7, ClientOp::Close {});
    c.settle(100);
    assert!(c.reply(close).is_some_and(|r| r.result.is_ok()));
    assert!(!c.node(3).tree.has_session(session) && !c.node(1).tree.has_session(session));
    let write = c.client(
        1,
        7,
        ClientOp::Create { path: "/b".into(), data: String::new(), ephemeral: false, sequential: false },
    );
    let code = c.reply(write).and_then(|r| r.result.as_ref().err()).map(|e| e.code);
    assert_eq!(code, Some(ErrorCode::SessionExpired), "refused at once: no session here");
    assert!(c.wire.is_empty());
}

#[test]
fn the_leader_expires_a_session_nobody_keeps_alive() {
    let (mut c, session) = connected();
    // Server 1's client goes away without closing: nothing renews the lease any more.
    c.client(1, 7, ClientOp::Disconnect {});
    assert!(c.node(1).clients.sessions.is_empty() && c.wire.is_empty());
    // The leader ticks (its followers answer its PINGs) until the lease runs out.
    for _ in 0..60 {
        if c.wire.iter().any(|(_, _, m)| matches!(m, ZabMsg::Proposal { .. })) {
            break;
        }
        c.settle(100);
        c.now += 200;
        c.tick(3);
    }
    let origin = Origin { server: NodeId(3), client: ClientId(0), seq: session.0 };
    let proposal = c.wire.iter().find_map(|(_, _, m)| match m {
        ZabMsg::Proposal { entry } => Some(entry.clone()),
        _ => None,
    });
    let entry = proposal.expect("a proposal");
    assert_eq!((&*entry.txn, entry.origin), (&Txn::CloseSession { session }, Some(origin)));
    c.settle(100);
    assert!(!c.node(1).tree.has_session(session));
}

fn code(c: &Cluster, seq: u64) -> Option<ErrorCode> {
    c.reply(seq).and_then(|r| r.result.as_ref().err()).map(|e| e.code)
}

fn moving(session: SessionId) -> ClientOp {
    ClientOp::Connect { session_timeout_ms: 10_000, session_id: Some(session) }
}

#[test]
fn a_client_moving_to_another_server_keeps_its_session_and_its_ephemeral_nodes() {
    let (mut c, session) = connected();
    let create = ClientOp::Create { path: "/e".into(), data: "x".into(), ephemeral: true, sequential: false };
    c.client(1, 7, create);
    c.settle(100);
    c.client(1, 7, ClientOp::Disconnect {});
    let seq = c.client(2, 9, moving(session));
    assert_eq!(body(&c, seq), ZkReply::Connected { session_id: session, timeout_ms: 10_000 });
    assert!(c.wire.is_empty(), "answered from server 2's own tree");
    let set = c.client(2, 9, ClientOp::Set { path: "/e".into(), data: "y".into(), version: Some(0) });
    c.settle(100);
    assert!(matches!(body(&c, set), ZkReply::SetData { .. }));
    assert_eq!(
        c.nodes.get_mut(&3).unwrap().tree.get_data("/e", None).map(|(d, s)| (d, s.ephemeral_owner)),
        Ok(("y".into(), Some(session)))
    );
}

#[test]
fn a_server_behind_a_sessions_creation_asks_the_client_to_retry_and_an_old_unknown_session_is_expired() {
    let (mut c, session) = connected();
    let ahead = SessionId(session.0 + 1_000);
    let seq = c.client(2, 9, moving(ahead));
    assert_eq!(code(&c, seq), Some(ErrorCode::ConnectionLoss));
    let gone = SessionId(z(1, 1).0);
    let seq = c.client(2, 9, moving(gone));
    assert_eq!(code(&c, seq), Some(ErrorCode::SessionExpired));
    assert!(c.node(2).clients.sessions.is_empty());
}

#[test]
fn a_disconnected_clients_pending_write_still_takes_effect_unanswered() {
    let (mut c, _) = connected();
    let seq = c.client(1, 7, ClientOp::Set { path: "/".into(), data: "v".into(), version: None });
    c.client(1, 7, ClientOp::Disconnect {});
    c.settle(100);
    assert!(c.reply(seq).is_none());
    assert_eq!(c.nodes.get_mut(&1).unwrap().tree.get_data("/", None).map(|(d, _)| d), Ok("v".into()));
}

/// Every `checkpoint_every` records a server writes its whole state as one record;
/// restarting from that record and what followed gives the server it was.
#[test]
fn a_checkpoint_and_the_records_after_it_rebuild_the_server() {
    let (mut c, _) = connected();
    let mut cfg = (*c.node(1).config).clone();
    cfg.settings.checkpoint_every = 4;
    let cfg = Arc::new(cfg);
    for n in c.nodes.values_mut() {
        n.config = cfg.clone();
    }
    for i in 0..7 {
        c.client(
            1,
            7,
            ClientOp::Create { path: format!("/n{i}"), data: "x".into(), ephemeral: false, sequential: false },
        );
        c.settle(100);
    }
    for (id, records) in &c.disk {
        let last = records.iter().rposition(ZabNode::is_checkpoint).expect("a checkpoint was written");
        let live = c.node(*id);
        // At most as many as the log holds (or `checkpoint_every`), plus one handler's writes.
        let bound = live.log.len().max(4) + 4;
        assert!(records.len() - last <= bound, "server {id}: {} records after its checkpoint", records.len() - last);
        let rebuilt = ZabNode::new(NodeId(*id), cfg.clone(), &records[last..]);
        assert_eq!(
            (rebuilt.accepted_epoch, rebuilt.current_epoch, rebuilt.delivered, rebuilt.snap_zxid),
            (live.accepted_epoch, live.current_epoch, live.delivered, live.snap_zxid),
            "server {id}"
        );
        assert_eq!((&rebuilt.log, &rebuilt.proposed_seq), (&live.log, &live.proposed_seq), "server {id}");
        assert_eq!(rebuilt.tree.digest(), live.tree.digest(), "server {id}");
    }
}

/// A long-running server keeps a bounded log: at each checkpoint it forgets the
/// proposals its tree holds, but for the last `committed_log_max` (for DIFF), and its
/// checkpoints stay small. A learner behind the window gets a SNAP, as in ZooKeeper.
#[test]
fn checkpoints_keep_the_log_bounded_to_the_diff_window() {
    let (mut c, _) = connected();
    let mut cfg = (*c.node(1).config).clone();
    (cfg.settings.checkpoint_every, cfg.settings.committed_log_max) = (10, 5);
    let cfg = Arc::new(cfg);
    for n in c.nodes.values_mut() {
        n.config = cfg.clone();
    }
    for i in 0..60 {
        let create = ClientOp::Create { path: format!("/n{i}"), data: "x".into(), ephemeral: false, sequential: false };
        c.client(1, 7, create);
        c.settle(100);
    }
    for id in 1..=3 {
        let n = c.node(id);
        assert!(n.log.len() <= 5 + 10, "server {id} keeps {} proposals", n.log.len());
        assert!(n.snap_zxid > z(2, 1) && n.has_logged(n.snap_zxid), "server {id}: {}", n.snap_zxid);
        assert_eq!(n.tree.node_count(), 61, "server {id}: the tree holds every write");
    }
    let leader = c.node(3);
    let behind = leader.log[leader.log.len() - 6].zxid;
    assert_eq!(leader.choose_sync(behind).0, SyncMode::Diff, "within the window: DIFF");
    assert_eq!(leader.choose_sync(z(2, 1)).0, SyncMode::Snap, "behind it: SNAP");
}
