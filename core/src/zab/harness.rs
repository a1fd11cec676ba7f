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
                Action::Reply(r) => self.replies.push(r),
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
