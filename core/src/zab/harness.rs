//! A hand-driven ensemble for regression tests: every message waits on the wire until
//! the test delivers or drops it, and timers fire only when the test says so. It
//! reproduces exact interleavings (a lost LEADERINFO, a retry that crosses an answer)
//! that a random run reaches only by luck.

use super::*;
use crate::client::ClientReply;
use crate::event::Event;
use crate::node::Action;
use crate::types::ClientId;
use std::collections::BTreeMap;

pub(super) struct Cluster {
    pub nodes: BTreeMap<u32, ZabNode>,
    /// Messages sent and not yet delivered or dropped, in send order: (from, to, msg).
    pub wire: Vec<(u32, u32, ZabMsg)>,
    pub events: Vec<(u32, Event)>,
    pub replies: Vec<ClientReply>,
    /// What each server persisted during the test, in order.
    pub disk: BTreeMap<u32, Vec<ZabDurable>>,
    /// Virtual time: each action of the test happens 1 ms after the previous one.
    pub now: u64,
    seq: u64,
}

impl Cluster {
    /// Servers `1..=n` with the given initial logs (`(id, log)`); the rest start empty.
    pub fn new(n: u32, observers: &[u32], logs: &[(u32, &[[u32; 2]])]) -> Cluster {
        let settings = ZabSettings { observers: observers.to_vec(), committed_log_max: 3, ..ZabSettings::default() };
        let cfg = Arc::new(ZabConfig::new(n, &settings));
        let nodes = (1..=n)
            .map(|id| {
                let log = logs.iter().find(|(i, _)| *i == id).map(|(_, l)| l.to_vec()).unwrap_or_default();
                let init = ServerInit { id, log, ..Default::default() };
                (id, ZabNode::new(NodeId(id), cfg.clone(), &init.records()))
            })
            .collect();
        Cluster {
            nodes,
            wire: Vec::new(),
            events: Vec::new(),
            replies: Vec::new(),
            disk: BTreeMap::new(),
            now: 0,
            seq: 0,
        }
    }

    pub fn node(&self, id: u32) -> &ZabNode {
        &self.nodes[&id]
    }

    /// Run `f` on server `id` and put what it sends on the wire.
    pub fn act(&mut self, id: u32, f: impl FnOnce(&mut ZabNode, &mut Out<ZabNode>)) {
        self.now += 1;
        let mut out = Out::new();
        let n = self.nodes.get_mut(&id).expect("server exists");
        n.now = Time(self.now);
        f(n, &mut out);
        for a in out.actions {
            match a {
                Action::Send { to, msg } | Action::SendAhead { to, msg } => self.wire.push((id, to.0, msg)),
                Action::Emit(e) | Action::EmitAhead(e) => self.events.push((id, e)),
                Action::Reply(r) | Action::ReplyAhead(r) => self.replies.push(r),
                Action::Persist(r) => self.disk.entry(id).or_default().push(r),
                _ => {}
            }
        }
    }

    /// Deliver the first message on the wire that `pick` selects; false if none does.
    pub fn deliver(&mut self, pick: impl Fn(u32, u32, &ZabMsg) -> bool) -> bool {
        let Some(i) = self.wire.iter().position(|(f, t, m)| pick(*f, *t, m)) else { return false };
        let (from, to, msg) = self.wire.remove(i);
        let now = self.now + 1;
        self.act(to, |n, out| n.on_message(Time(now), NodeId(from), msg, out));
        true
    }

    /// Lose every message on the wire that `pick` selects.
    pub fn drop_where(&mut self, pick: impl Fn(u32, u32, &ZabMsg) -> bool) {
        self.wire.retain(|(f, t, m)| !pick(*f, *t, m));
    }

    /// Deliver everything, in order, including what that sends (at most `max` messages).
    pub fn settle(&mut self, max: usize) {
        for _ in 0..max {
            if !self.deliver(|_, _, _| true) {
                return;
            }
        }
        panic!("still sending after {max} messages");
    }

    pub fn tick(&mut self, id: u32) {
        let now = self.now + 1;
        self.act(id, |n, out| n.on_timer(Time(now), ZabTimer::Tick, out));
    }

    /// Client `client` of server `id` sends `op`.
    pub fn client(&mut self, id: u32, client: u32, op: ClientOp) -> u64 {
        self.seq += 1;
        let req = ClientRequest { client: ClientId(client), seq: self.seq, op };
        let now = self.now + 1;
        self.act(id, |n, out| n.on_request(Time(now), req, out));
        self.seq
    }

    pub fn reply(&self, seq: u64) -> Option<&ClientReply> {
        self.replies.iter().find(|r| r.seq == seq)
    }

    /// (leader, epoch) of every `leader_established` event, in order.
    pub fn established(&self) -> Vec<(u32, Epoch)> {
        self.events
            .iter()
            .filter_map(|(n, e)| match e.get::<ZabEvent>() {
                Some(ZabEvent::LeaderEstablished { epoch }) => Some((*n, *epoch)),
                _ => None,
            })
            .collect()
    }

    /// Voters 1 and 2 follow 3 (the one with the longest log), all synced: a fresh
    /// epoch-2 ensemble of three (plus observers), every message delivered.
    pub fn ensemble(observers: &[u32]) -> Cluster {
        let n = 3 + observers.len() as u32;
        let mut c = Cluster::new(n, observers, &[(1, &[[1, 2]]), (2, &[[1, 2]]), (3, &[[1, 2]])]);
        c.act(3, |n, out| n.lead(out));
        for f in (1..=n).filter(|f| *f != 3) {
            let now = c.now;
            c.act(f, |n, out| n.follow(NodeId(3), Time(now), out));
        }
        c.settle(100);
        assert_eq!(c.established(), vec![(3, Epoch(2))]);
        c
    }
}

// ---- One server by hand: feed it one input, get the full action list ----

pub(super) type A = crate::node::ActionOf<ZabNode>;

/// Run `f` on `n` at `now` (ms) and return every action it produced, in order.
pub(super) fn run(n: &mut ZabNode, now: u64, f: impl FnOnce(&mut ZabNode, &mut Out<ZabNode>)) -> Vec<A> {
    let mut out = Out::new();
    n.now = Time(now);
    f(n, &mut out);
    out.actions
}

/// `timer` fires at `now` (ms).
pub(super) fn fire(n: &mut ZabNode, now: u64, timer: ZabTimer) -> Vec<A> {
    run(n, now, |n, out| n.on_timer(Time(now), timer, out))
}

pub(super) fn request(client: u32, seq: u64, op: ClientOp) -> ClientRequest {
    ClientRequest { client: ClientId(client), seq, op }
}

/// A client of `n` sends `req` at time 100.
pub(super) fn ask(n: &mut ZabNode, req: &ClientRequest) -> Vec<A> {
    run(n, 100, |n, out| n.on_request(Time(100), req.clone(), out))
}

/// Where client `client`'s request `seq` to server `server` came from.
pub(super) fn origin(server: u32, client: u32, seq: u64) -> Origin {
    Origin { server: NodeId(server), client: ClientId(client), seq }
}

/// The proposal an initial log (`ServerInit::log`) holds at `zxid`.
pub(super) fn init_entry(zxid: Zxid) -> LogEntry {
    let txn = Txn::SetData { path: "/".into(), data: zxid.to_string(), version: None };
    LogEntry { zxid, time_ms: 0, txn: txn.into(), origin: None }
}

// ---- Expected actions ----

pub(super) fn send(to: u32, msg: ZabMsg) -> A {
    Action::Send { to: NodeId(to), msg }
}
pub(super) fn send_ahead(to: u32, msg: ZabMsg) -> A {
    Action::SendAhead { to: NodeId(to), msg }
}
pub(super) fn persist(record: ZabDurable) -> A {
    Action::Persist(record)
}
pub(super) fn set_timer(timer: ZabTimer, ms: u64) -> A {
    Action::SetTimer { timer, after_ms: ms..=ms }
}
pub(super) fn cancel(timer: ZabTimer) -> A {
    Action::CancelTimer(timer)
}
pub(super) fn reply_ok(req: &ClientRequest, body: ZkReply) -> A {
    Action::ReplyAhead(ClientReply::ok(req, crate::client::ReplyBody::Zk(body)))
}
pub(super) fn reply_err(req: &ClientRequest, code: ErrorCode, message: &str) -> A {
    Action::ReplyAhead(ClientReply::error(req, code, message))
}

// ---- Expected trace events: the one place the tests name `ZabEvent` variants ----

pub(super) fn ev_state(state: ServerState, epoch: u32) -> A {
    Action::Emit(ZabEvent::State { state, epoch: u64::from(epoch) }.into())
}
pub(super) fn ev_phase(phase: ZabPhase) -> A {
    Action::Emit(ZabEvent::Phase { phase }.into())
}
pub(super) fn ev_vote(vote: Vote, round: u64) -> A {
    Action::Emit(ZabEvent::Vote { vote: vote.into(), round, beats: None }.into())
}
pub(super) fn ev_vote_beats(vote: Vote, round: u64, beats: Vote) -> A {
    Action::Emit(ZabEvent::Vote { vote: vote.into(), round, beats: Some(beats.into()) }.into())
}
pub(super) fn ev_kept(from: u32, theirs: Vote, vote: Vote, round: u64) -> A {
    Action::Emit(ZabEvent::VoteKept { from: NodeId(from), theirs: theirs.into(), vote: vote.into(), round }.into())
}
pub(super) fn ev_elected(leader: u32, voters: &[u32], of: u32) -> A {
    let voters = voters.iter().map(|v| NodeId(*v)).collect();
    Action::Emit(ZabEvent::Elected { leader: NodeId(leader), voters, of }.into())
}
pub(super) fn ev_established(epoch: u32) -> A {
    Action::Emit(ZabEvent::LeaderEstablished { epoch: Epoch(epoch) }.into())
}
pub(super) fn ev_sync(learner: u32, mode: SyncMode, zxid: Zxid) -> A {
    Action::Emit(ZabEvent::Sync { learner: NodeId(learner), mode, zxid }.into())
}
pub(super) fn ev_proposed(entry: &LogEntry) -> A {
    Action::EmitAhead(ZabEvent::Proposed { zxid: entry.zxid, txn: entry.txn.clone() }.into())
}
/// `inform`: the ensemble has observers, which hear of it by INFORM.
pub(super) fn ev_committed(zxid: Zxid, inform: bool) -> A {
    Action::Emit(ZabEvent::Committed { zxid, inform }.into())
}
pub(super) fn ev_delivered(entry: &LogEntry) -> A {
    Action::Emit(ZabEvent::Delivered { zxid: entry.zxid, txn: entry.txn.clone() }.into())
}
pub(super) fn ev_truncated(zxid: Zxid, removed: u64) -> A {
    Action::Emit(ZabEvent::Truncated { zxid, removed: Some(removed) }.into())
}
pub(super) fn ev_snapshot(zxid: Zxid) -> A {
    Action::Emit(ZabEvent::Snapshot { zxid }.into())
}

/// Persist the delivery of `entry`, then trace it: what every delivery does.
pub(super) fn delivered(entry: &LogEntry) -> [A; 2] {
    [persist(ZabDurable::Delivered { zxid: entry.zxid }), ev_delivered(entry)]
}

/// What registering with `leader` does (`follow`), sending `info`.
pub(super) fn registers(state: ServerState, epoch: u32, leader: u32, info: ZabMsg) -> Vec<A> {
    vec![
        ev_state(state, epoch),
        ev_phase(ZabPhase::Discovery),
        send(leader, info),
        set_timer(ZabTimer::InitLimit, 500),
        set_timer(ZabTimer::Tick, 50),
    ]
}

/// What entering LOOKING does (`look_for_leader`): forget the role's timers, vote for
/// `own` in `round` and tell `others`, then wait for answers.
pub(super) fn looking_again(epoch: u32, own: Vote, round: u64, others: &[u32]) -> Vec<A> {
    let mut want = vec![
        cancel(ZabTimer::InitLimit),
        cancel(ZabTimer::Tick),
        ev_state(ServerState::Looking, epoch),
        ev_vote(own, round),
    ];
    let note = ZabMsg::Notification {
        leader: own.leader,
        zxid: own.zxid,
        round,
        state: ServerState::Looking,
        peer_epoch: own.peer_epoch,
    };
    want.extend(others.iter().map(|o| send(*o, note.clone())));
    want.extend([cancel(ZabTimer::FinalizeWait), set_timer(ZabTimer::NotificationTimeout, 100)]);
    want
}
