//! The client path, one input per test, asserting the whole action list: refusals a
//! server makes alone, writes and SYNCs forwarded to the leader, held reads, session
//! creation, close and expiry, and what losing the leader does to waiting clients.

use super::harness::*;
use super::tests::{config, msg, server, vote, z};
use super::*;
use crate::node::Action;
use crate::tree::WatchEventType;
use crate::types::ClientId;

type Nodes = BTreeMap<u32, ZabNode>;

fn connect() -> ClientOp {
    ClientOp::connect(10_000)
}

fn set_root(data: &str) -> ClientOp {
    ClientOp::Set { path: "/".into(), data: data.into(), version: None }
}

fn get_root() -> ClientOp {
    ClientOp::Get { path: "/".into(), watch: false }
}

/// Leader 3 and followers 1 and 2 in epoch 2; client 7 of server 1 has a session
/// (request 1 made it, at 0x200000001).
fn connected() -> (Nodes, SessionId) {
    let mut c = Cluster::ensemble(&[]);
    c.client(1, 7, connect());
    c.settle(100);
    (c.nodes, SessionId(z(2, 1).0))
}

/// The leader proposes the one message server 1 forwarded: the entry it logged.
fn leader_proposes(s: &mut Nodes, forwarded: &[A]) -> LogEntry {
    let [Action::Send { to: NodeId(3), msg: request }] = forwarded else { panic!("not forwarded: {forwarded:?}") };
    msg(s.get_mut(&3).unwrap(), 1, request.clone());
    s[&3].log.last().cloned().expect("proposed")
}

/// Server 1 logs `entry`, then learns it is committed: what the COMMIT does.
fn commit_at_1(s: &mut Nodes, entry: &LogEntry) -> Vec<A> {
    let f = s.get_mut(&1).unwrap();
    msg(f, 3, ZabMsg::Proposal { entry: entry.clone() });
    msg(f, 3, ZabMsg::Commit { zxid: entry.zxid })
}

/// Delivering `entry`, then the replies it lets out.
fn delivered_then(entry: &LogEntry, replies: impl IntoIterator<Item = A>) -> Vec<A> {
    delivered(entry).into_iter().chain(replies).collect()
}

#[test]
fn a_server_that_is_not_serving_answers_connection_loss() {
    let mut n = server(1, &config(3, &[]), &[], None);
    let r = request(7, 1, connect());
    let why = "server 1 is not connected to a quorum (Election)";
    assert_eq!(ask(&mut n, &r), vec![reply_err(&r, ErrorCode::ConnectionLoss, why)]);
}

#[test]
fn requests_a_server_can_answer_alone_are_answered_at_once() {
    let (mut s, session) = connected();
    let f = s.get_mut(&1).unwrap();
    let table = [
        (7, ClientOp::Propose { value: "v".into() }, ErrorCode::BadArguments, "use create/set/delete"),
        (8, set_root("x"), ErrorCode::SessionExpired, "connect first"),
        (7, ClientOp::Multi { ops: vec![get_root()] }, ErrorCode::BadArguments, "only writes go in a multi"),
    ];
    for (seq, (client, op, code, why)) in (2..).zip(table) {
        let r = request(client, seq, op);
        assert_eq!(ask(f, &r), vec![reply_err(&r, code, why)], "{:?}", r.op);
    }
    let again = request(7, 5, connect());
    let already = ZkReply::Session { session_id: session, already: true };
    assert_eq!(ask(f, &again), vec![reply_ok(&again, already)]);
    let ping = request(7, 6, ClientOp::Ping {});
    assert_eq!(ask(f, &ping), vec![reply_ok(&ping, ZkReply::Session { session_id: session, already: false })]);
}

#[test]
fn a_connect_at_a_follower_is_forwarded_and_answered_there_once_delivered() {
    let mut s = Cluster::ensemble(&[]).nodes;
    let r = request(7, 1, connect());
    let forwarded = ask(s.get_mut(&1).unwrap(), &r);
    let write = WriteRequest::Connect { timeout_ms: 10_000 };
    assert_eq!(forwarded, vec![send(3, ZabMsg::Request { origin: origin(1, 7, 1), write })]);
    let entry = leader_proposes(&mut s, &forwarded);
    let session = SessionId(z(2, 1).0);
    let connected = reply_ok(&r, ZkReply::Connected { session_id: session, timeout_ms: 10_000 });
    assert_eq!(commit_at_1(&mut s, &entry), delivered_then(&entry, [connected]));
    assert_eq!(s[&1].clients.sessions.get(&ClientId(7)), Some(&session));
}

#[test]
fn a_connect_at_the_leader_is_proposed_there() {
    let mut s = Cluster::ensemble(&[]).nodes;
    let acts = ask(s.get_mut(&3).unwrap(), &request(8, 1, connect()));
    let txn = Txn::CreateSession { session: SessionId(z(2, 1).0), timeout_ms: 10_000 };
    let e = LogEntry { zxid: z(2, 1), time_ms: 100, txn: txn.into(), origin: Some(origin(3, 8, 1)) };
    let p = ZabMsg::Proposal { entry: e.clone() };
    let want = vec![
        ev_proposed(&e),
        send_ahead(1, p.clone()),
        send_ahead(2, p),
        persist(ZabDurable::Logged { entry: e }),
        send(3, ZabMsg::Ack { zxid: z(2, 1) }),
    ];
    assert_eq!(acts, want);
}

#[test]
fn a_read_is_served_at_once_from_the_servers_own_tree() {
    let (mut s, _) = connected();
    let f = s.get_mut(&1).unwrap();
    let (data, stat) = f.tree.get_data("/", None).unwrap();
    let r = request(7, 2, get_root());
    assert_eq!(ask(f, &r), vec![reply_ok(&r, ZkReply::Data { data, stat })]);
}

#[test]
fn a_read_behind_the_same_clients_write_is_held_and_answered_right_after_it() {
    let (mut s, session) = connected();
    let (write, read) = (request(7, 2, set_root("new")), request(7, 3, get_root()));
    let forwarded = ask(s.get_mut(&1).unwrap(), &write);
    let txn = Txn::SetData { path: "/".into(), data: "new".into(), version: None };
    let request = ZabMsg::Request { origin: origin(1, 7, 2), write: WriteRequest::Txn { txn, session } };
    assert_eq!(forwarded, vec![send(3, request)]);
    assert_eq!(ask(s.get_mut(&1).unwrap(), &read), vec![], "held");
    let entry = leader_proposes(&mut s, &forwarded);
    let acts = commit_at_1(&mut s, &entry);
    let stat = s[&1].tree.stat("/").unwrap();
    let replies = [
        reply_ok(&write, ZkReply::SetData { stat, zxid: z(2, 2) }),
        reply_ok(&read, ZkReply::Data { data: "new".into(), stat }),
    ];
    assert_eq!(acts, delivered_then(&entry, replies));
}

#[test]
fn a_sync_is_forwarded_and_the_leaders_answer_releases_the_reads_behind_it() {
    let (mut s, _) = connected();
    let f = s.get_mut(&1).unwrap();
    let (sync, read) = (request(7, 2, ClientOp::Sync { path: "/".into() }), request(7, 3, get_root()));
    let back = ZabMsg::Sync { origin: origin(1, 7, 2) };
    assert_eq!(ask(f, &sync), vec![send(3, back.clone())]);
    assert_eq!(ask(f, &read), vec![]);
    let (data, stat) = f.tree.get_data("/", None).unwrap();
    assert_eq!(
        msg(f, 3, back),
        vec![reply_ok(&sync, ZkReply::Synced { zxid: z(2, 1) }), reply_ok(&read, ZkReply::Data { data, stat })]
    );
}

#[test]
fn a_learners_sync_is_sent_back_at_once_when_nothing_is_outstanding() {
    let (mut s, _) = connected();
    let sync = ZabMsg::Sync { origin: origin(1, 7, 2) };
    assert_eq!(msg(s.get_mut(&3).unwrap(), 1, sync.clone()), vec![send(1, sync)]);
}

#[test]
fn a_learners_sync_is_sent_back_after_the_commits_outstanding_before_it() {
    let (mut s, _) = connected();
    let forwarded = ask(s.get_mut(&1).unwrap(), &request(7, 2, set_root("x")));
    let entry = leader_proposes(&mut s, &forwarded);
    let l = s.get_mut(&3).unwrap();
    let sync = ZabMsg::Sync { origin: origin(1, 7, 3) };
    assert_eq!(msg(l, 1, sync.clone()), vec![]);
    msg(l, 3, ZabMsg::Ack { zxid: entry.zxid });
    let mut want = vec![
        ev_committed(entry.zxid, false),
        send(1, ZabMsg::Commit { zxid: entry.zxid }),
        send(2, ZabMsg::Commit { zxid: entry.zxid }),
    ];
    // Behind the COMMIT on the same FIFO channel: a read after the SYNC sees the write.
    want.extend(delivered_then(&entry, [send(1, sync)]));
    assert_eq!(msg(l, 2, ZabMsg::Ack { zxid: entry.zxid }), want);
}

#[test]
fn the_leaders_own_clients_sync_is_answered_at_once_when_nothing_is_outstanding() {
    let mut c = Cluster::ensemble(&[]);
    c.client(3, 8, connect());
    c.settle(100);
    let r = request(8, 2, ClientOp::Sync { path: "/".into() });
    assert_eq!(ask(c.nodes.get_mut(&3).unwrap(), &r), vec![reply_ok(&r, ZkReply::Synced { zxid: z(2, 1) })]);
}

#[test]
fn a_request_or_sync_reaching_a_server_that_does_not_lead_is_ignored() {
    let (mut s, _) = connected();
    let f = s.get_mut(&1).unwrap();
    let write = WriteRequest::Connect { timeout_ms: 1 };
    assert_eq!(msg(f, 2, ZabMsg::Request { origin: origin(2, 8, 1), write }), vec![]);
    assert_eq!(msg(f, 2, ZabMsg::Sync { origin: origin(1, 7, 9) }), vec![], "not from our leader");
    assert_eq!(f.stale, 2);
}

#[test]
fn a_close_is_forwarded_and_its_delivery_answers_and_ends_the_session() {
    let (mut s, session) = connected();
    let r = request(7, 2, ClientOp::Close {});
    let forwarded = ask(s.get_mut(&1).unwrap(), &r);
    let close = ZabMsg::Request { origin: origin(1, 7, 2), write: WriteRequest::Close { session } };
    assert_eq!(forwarded, vec![send(3, close)]);
    let entry = leader_proposes(&mut s, &forwarded);
    assert_eq!(*entry.txn, Txn::CloseSession { session });
    let result = tree::TxnResult::SessionClosed { deleted: vec![] };
    let closed = reply_ok(&r, ZkReply::Applied { zxid: z(2, 2), result });
    assert_eq!(commit_at_1(&mut s, &entry), delivered_then(&entry, [closed]));
    assert!(s[&1].clients.sessions.is_empty());
}

/// `connected()`, but the leader's lease on the session ran out: the time of its next
/// tick.
fn lease_ran_out() -> (Nodes, SessionId, u64) {
    let (mut s, session) = connected();
    let l = s.get_mut(&3).unwrap();
    l.lead.as_mut().unwrap().leases.get_mut(&session).unwrap().expires_at = Time(0);
    let now = l.now.ms() + 50;
    (s, session, now)
}

#[test]
fn the_leaders_tick_proposes_closing_a_session_whose_lease_ran_out() {
    let (mut s, session, now) = lease_ran_out();
    let l = s.get_mut(&3).unwrap();
    // The server's own pseudo-client closes it: nobody awaits the reply.
    let owner = Origin { server: NodeId(3), client: ClientId(0), seq: session.0 };
    let txn = Txn::CloseSession { session };
    let e = LogEntry { zxid: z(2, 2), time_ms: now, txn: txn.into(), origin: Some(owner) };
    let (ping, p) = (ZabMsg::Ping { sessions: vec![], zxid: Some(z(2, 1)) }, ZabMsg::Proposal { entry: e.clone() });
    assert_eq!(
        fire(l, now, ZabTimer::Tick),
        vec![
            send(1, ping.clone()),
            send(2, ping),
            ev_proposed(&e),
            send_ahead(1, p.clone()),
            send_ahead(2, p),
            persist(ZabDurable::Logged { entry: e }),
            send(3, ZabMsg::Ack { zxid: z(2, 2) }),
            set_timer(ZabTimer::Tick, 50),
        ]
    );
}

#[test]
fn losing_the_leader_fails_waiting_writes_and_held_reads_with_connection_loss() {
    let (mut s, _) = connected();
    let f = s.get_mut(&1).unwrap();
    let (write, read) = (request(7, 2, set_root("new")), request(7, 3, get_root()));
    ask(f, &write);
    ask(f, &read);
    let heard = f.learner.as_ref().unwrap().last_heard.ms();
    let why = "the server lost its leader";
    let looking = looking_again(2, vote(1, z(2, 1), 2), 1, &[2, 3]);
    let mut want = vec![set_timer(ZabTimer::Tick, 50)];
    want.extend(looking[..2].iter().cloned());
    want.extend([reply_err(&write, ErrorCode::ConnectionLoss, why), reply_err(&read, ErrorCode::ConnectionLoss, why)]);
    want.extend(looking[2..].iter().cloned());
    assert_eq!(fire(f, heard + 251, ZabTimer::Tick), want);
}

#[test]
fn an_unanswered_forwarded_request_is_sent_again_after_four_ticks() {
    let (mut s, _) = connected();
    let f = s.get_mut(&1).unwrap();
    let forwarded = ask(f, &request(7, 2, set_root("new")));
    f.learner.as_mut().unwrap().last_heard = Time(300);
    assert_eq!(fire(f, 299, ZabTimer::Tick), vec![set_timer(ZabTimer::Tick, 50)]);
    let mut want = vec![set_timer(ZabTimer::Tick, 50)];
    want.extend(forwarded);
    assert_eq!(fire(f, 300, ZabTimer::Tick), want);
}

#[test]
fn a_write_overtaken_by_a_later_one_of_its_client_gets_connection_loss() {
    let (mut s, _) = connected();
    let (lost, later) = (request(7, 2, set_root("a")), request(7, 3, set_root("b")));
    ask(s.get_mut(&1).unwrap(), &lost);
    let forwarded = ask(s.get_mut(&1).unwrap(), &later);
    // The leader never got the first: the later one, delivered, proves it lost.
    let entry = leader_proposes(&mut s, &forwarded);
    let acts = commit_at_1(&mut s, &entry);
    let stat = s[&1].tree.stat("/").unwrap();
    let replies = [
        reply_err(&lost, ErrorCode::ConnectionLoss, "the request was lost on its way"),
        reply_ok(&later, ZkReply::SetData { stat, zxid: z(2, 2) }),
    ];
    assert_eq!(acts, delivered_then(&entry, replies));
}

#[test]
fn a_learners_ping_renews_the_leases_of_its_clients_sessions() {
    let (mut s, session, now) = lease_ran_out();
    let l = s.get_mut(&3).unwrap();
    let keep_alive = ZabMsg::Ping { sessions: vec![session], zxid: Some(z(2, 1)) };
    assert_eq!(run(l, now, |l, out| l.on_message(Time(now), NodeId(1), keep_alive, out)), vec![]);
    let ping = ZabMsg::Ping { sessions: vec![], zxid: Some(z(2, 1)) };
    let want = vec![send(1, ping.clone()), send(2, ping), set_timer(ZabTimer::Tick, 50)];
    assert_eq!(fire(l, now, ZabTimer::Tick), want, "no close proposed");
}

/// A server answers only with what a quorum committed, so an answer need not wait for
/// the server's own bookkeeping: the write's reply leaves ahead of the `Delivered` record
/// (a client's write waits for one fsync, the quorum's, not two). Watches leave ahead
/// too, so a client never sees new data before the event that announces it.
#[test]
fn answers_and_watches_leave_ahead_of_the_delivered_record() {
    let (mut s, session) = connected();
    let watch = request(7, 2, ClientOp::Get { path: "/".into(), watch: true });
    ask(s.get_mut(&1).unwrap(), &watch);
    let write = request(7, 3, set_root("new"));
    let forwarded = ask(s.get_mut(&1).unwrap(), &write);
    let entry = leader_proposes(&mut s, &forwarded);
    let acts = commit_at_1(&mut s, &entry);
    let delivered = acts.iter().position(|a| matches!(a, Action::Persist(ZabDurable::Delivered { .. })));
    let fired = ZabEvent::Watch { client: ClientId(7), kind: WatchEventType::DataChanged, path: "/".into() };
    let stat = s[&1].tree.stat("/").unwrap();
    let reply = reply_ok(&write, ZkReply::SetData { stat, zxid: entry.zxid });
    assert_eq!(delivered, Some(0), "{acts:?}");
    assert!(acts.contains(&Action::EmitAhead(fired.into())), "{acts:?}");
    assert!(matches!(reply, Action::ReplyAhead(_)) && acts.contains(&reply), "{acts:?}");
    let _ = session;
}
