//! The client path: sessions, writes forwarded to the leader, reads served from the
//! server's own tree, `sync`, watches, and replies in each client's order.
//!
//! ZooKeeper's "sequential consistency" (顺序一致性): one client's requests take effect
//! in the order it sent them. Writes travel to the leader over a FIFO channel and are
//! proposed in arrival order; a read waits until the same client's earlier writes have
//! been applied on this server, so it never overtakes them.

use super::msg::{LogEntry, Origin, WriteRequest, ZabMsg, ZabPhase};
use super::tree::{TxnResult, WatchEvent, ZkError};
use super::{ZabNode, ZkReply};
use crate::client::{ClientOp, ClientReply, ClientRequest, ErrorCode, ReplyBody};
use crate::node::Out;
use crate::types::{ClientId, NodeId, SessionId, Time};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The clients connected to this server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Clients {
    #[serde(serialize_with = "crate::types::as_pairs")]
    pub sessions: BTreeMap<ClientId, SessionId>,
    /// Requests sent on (writes, syncs) and awaiting their outcome, by (client, seq).
    #[serde(serialize_with = "crate::types::as_pairs")]
    pub pending: BTreeMap<(ClientId, u64), ClientRequest>,
    /// Reads held back behind the same client's pending writes.
    pub held: Vec<ClientRequest>,
    /// What was sent to the leader for each pending request, and when: a lost
    /// REQUEST or SYNC is sent again (the leader ignores a copy it already has).
    #[serde(serialize_with = "crate::types::as_pairs")]
    pub forwarded: BTreeMap<(ClientId, u64), (Time, ZabMsg)>,
}

fn code(e: ZkError) -> ErrorCode {
    match e {
        ZkError::NoNode => ErrorCode::NoNode,
        ZkError::NodeExists => ErrorCode::NodeExists,
        ZkError::BadVersion => ErrorCode::BadVersion,
        ZkError::NotEmpty => ErrorCode::NotEmpty,
        ZkError::NoChildrenForEphemerals => ErrorCode::NoChildrenForEphemerals,
        ZkError::BadArguments => ErrorCode::BadArguments,
        ZkError::SessionExpired => ErrorCode::SessionExpired,
    }
}

fn zk(req: &ClientRequest, body: ZkReply) -> ClientReply {
    ClientReply::ok(req, ReplyBody::Zk(body))
}

impl ZabNode {
    pub(super) fn serving(&self) -> bool {
        self.phase == ZabPhase::Broadcast
    }

    pub(super) fn on_client(&mut self, req: ClientRequest, out: &mut Out<Self>) {
        if let ClientOp::Disconnect {} = req.op {
            return self.detach(req.client);
        }
        if !self.serving() {
            let why = format!("server {} is not connected to a quorum ({:?})", self.id, self.phase);
            return out.reply_ahead(ClientReply::error(&req, ErrorCode::ConnectionLoss, why));
        }
        let session = self.clients.sessions.get(&req.client).copied();
        let write = match (&req.op, session) {
            (ClientOp::Propose { .. }, _) => {
                return out.reply_ahead(ClientReply::error(&req, ErrorCode::BadArguments, "use create/set/delete"))
            }
            (ClientOp::Connect { session_id: Some(s), .. }, None) => return self.reattach(&req, *s, out),
            (ClientOp::Connect { session_timeout_ms, session_id: None }, None) => {
                WriteRequest::Connect { timeout_ms: *session_timeout_ms }
            }
            (ClientOp::Connect { .. }, Some(s)) => {
                return out.reply_ahead(zk(&req, ZkReply::Session { session_id: s, already: true }));
            }
            (_, None) => return out.reply_ahead(ClientReply::error(&req, ErrorCode::SessionExpired, "connect first")),
            (ClientOp::Close {}, Some(session)) => WriteRequest::Close { session },
            (ClientOp::Ping {}, Some(s)) => {
                return out.reply_ahead(zk(&req, ZkReply::Session { session_id: s, already: false }))
            }
            (ClientOp::Sync { .. }, Some(_)) => return self.start_sync(req, out),
            (ClientOp::Get { .. } | ClientOp::Exists { .. } | ClientOp::Children { .. }, Some(_)) => {
                return self.read_in_order(req, out)
            }
            (op, Some(session)) => match super::txn_for(op, session) {
                Some(txn) => WriteRequest::Txn { txn, session },
                None => {
                    return out.reply_ahead(ClientReply::error(
                        &req,
                        ErrorCode::BadArguments,
                        "only writes go in a multi",
                    ))
                }
            },
        };
        self.send_write(req, write, out);
    }

    /// A client moving here from another server carries on with its session, if this
    /// server's tree has it. A session created after what this server has applied may
    /// exist already (its id is the zxid that created it): the client should try again.
    fn reattach(&mut self, req: &ClientRequest, session: SessionId, out: &mut Out<Self>) {
        let timeout_ms = self.tree.session_timeout_ms(session);
        let reply = match timeout_ms {
            Some(timeout_ms) => {
                self.clients.sessions.insert(req.client, session);
                zk(req, ZkReply::Connected { session_id: session, timeout_ms })
            }
            None if session.0 > self.delivered.0 => {
                let why = format!("server {} has not caught up with session {session} yet", self.id);
                ClientReply::error(req, ErrorCode::ConnectionLoss, why)
            }
            None => ClientReply::error(req, ErrorCode::SessionExpired, format!("session {session} expired or closed")),
        };
        out.reply_ahead(reply);
    }

    /// The client's connection closed: forget it. Its session stays, for the leader to
    /// expire once no server reports it alive; what it sent still takes effect, unanswered.
    fn detach(&mut self, client: ClientId) {
        let c = &mut self.clients;
        c.sessions.remove(&client);
        c.pending.retain(|(k, _), _| *k != client);
        c.forwarded.retain(|(k, _), _| *k != client);
        c.held.retain(|r| r.client != client);
    }

    fn origin(&self, req: &ClientRequest) -> Origin {
        Origin { server: self.id, client: req.client, seq: req.seq }
    }

    fn send_write(&mut self, req: ClientRequest, write: WriteRequest, out: &mut Out<Self>) {
        let origin = self.origin(&req);
        self.clients.pending.insert((req.client, req.seq), req);
        match self.leader {
            Some(l) if l == self.id => self.propose_write(origin, write, out),
            Some(l) => self.forward(l, origin, ZabMsg::Request { origin, write }, out),
            None => {}
        }
    }

    fn start_sync(&mut self, req: ClientRequest, out: &mut Out<Self>) {
        let origin = self.origin(&req);
        self.clients.pending.insert((req.client, req.seq), req);
        match self.leader {
            Some(l) if l == self.id => self.on_learner_sync(l, origin, out),
            Some(l) => self.forward(l, origin, ZabMsg::Sync { origin }, out),
            None => {}
        }
    }

    fn forward(&mut self, leader: NodeId, origin: Origin, msg: ZabMsg, out: &mut Out<Self>) {
        self.clients.forwarded.insert((origin.client, origin.seq), (self.now, msg.clone()));
        out.send(leader, msg);
    }

    /// Send again what was forwarded `retry_ms` ago and is still unanswered.
    pub(super) fn resend_forwarded(&mut self, leader: NodeId, retry_ms: u64, out: &mut Out<Self>) {
        let now = self.now;
        let pending = &self.clients.pending;
        self.clients.forwarded.retain(|k, _| pending.contains_key(k));
        for (sent, msg) in self.clients.forwarded.values_mut() {
            if now.ms() >= sent.ms() + retry_ms {
                *sent = now;
                out.send(leader, msg.clone());
            }
        }
    }

    /// Forwarded requests of `client` older than `seq` when `seq`'s write was just
    /// delivered: the leader handles one server's requests in order, so they were lost
    /// on the way and can no longer be applied in order. A write gets ConnectionLoss
    /// (as when ZooKeeper drops a connection); a sync is answered, since everything
    /// before that delivered write is delivered here too.
    fn settle_overtaken(&mut self, client: ClientId, seq: u64, out: &mut Out<Self>) {
        let lost: Vec<(ClientId, u64)> =
            self.clients.forwarded.range((client, 0)..(client, seq)).map(|(k, _)| *k).collect();
        for key in lost {
            self.clients.forwarded.remove(&key);
            let Some(req) = self.clients.pending.remove(&key) else { continue };
            if matches!(req.op, ClientOp::Sync { .. }) {
                out.reply_ahead(zk(&req, ZkReply::Synced { zxid: self.delivered }));
            } else {
                out.reply_ahead(ClientReply::error(&req, ErrorCode::ConnectionLoss, "the request was lost on its way"));
            }
        }
    }

    /// The leader's SYNC came back: everything committed before it is applied here.
    pub(super) fn finish_sync(&mut self, origin: Origin, out: &mut Out<Self>) {
        if let Some(req) = self.clients.pending.remove(&(origin.client, origin.seq)) {
            out.reply_ahead(zk(&req, ZkReply::Synced { zxid: self.delivered }));
        }
        self.release_reads(origin.client, out);
    }

    fn read_in_order(&mut self, req: ClientRequest, out: &mut Out<Self>) {
        let waiting = self.clients.pending.keys().any(|(c, _)| *c == req.client);
        if waiting {
            self.clients.held.push(req);
        } else {
            self.serve_read(req, out);
        }
    }

    fn serve_read(&mut self, req: ClientRequest, out: &mut Out<Self>) {
        let session = self.clients.sessions.get(&req.client).copied();
        let watch = |w: bool| if w { session } else { None };
        let result = match &req.op {
            ClientOp::Get { path, watch: w } => {
                self.tree.get_data(path, watch(*w)).map(|(data, stat)| ZkReply::Data { data, stat })
            }
            ClientOp::Exists { path, watch: w } => {
                self.tree.exists(path, watch(*w)).map(|stat| ZkReply::Exists { stat })
            }
            ClientOp::Children { path, watch: w } => {
                self.tree.get_children(path, watch(*w)).map(|children| ZkReply::Children { children })
            }
            _ => Err(ZkError::BadArguments),
        };
        out.reply_ahead(match result {
            Ok(body) => zk(&req, body),
            Err(e) => ClientReply::error(&req, code(e), format!("{} {}", req.op.name(), path_of(&req.op))),
        });
    }

    fn release_reads(&mut self, client: ClientId, out: &mut Out<Self>) {
        if self.clients.pending.keys().any(|(c, _)| *c == client) {
            return;
        }
        let (ready, held): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.clients.held).into_iter().partition(|r| r.client == client);
        self.clients.held = held;
        for r in ready {
            self.serve_read(r, out);
        }
    }

    /// After a delivery: the origin server answers its client; watches fire for the
    /// sessions of this server's clients; the leader tracks session leases.
    pub(super) fn after_delivery(
        &mut self,
        e: &LogEntry,
        result: TxnResult,
        watches: Vec<WatchEvent>,
        out: &mut Out<Self>,
    ) {
        self.track_session(&e.txn);
        self.emit_watches(watches, out);
        if let super::tree::Txn::CloseSession { session } = &*e.txn {
            self.clients.sessions.retain(|_, s| s != session);
        }
        let Some(origin) = e.origin.filter(|o| o.server == self.id) else { return };
        self.settle_overtaken(origin.client, origin.seq, out);
        let Some(req) = self.clients.pending.remove(&(origin.client, origin.seq)) else { return };
        if let (ClientOp::Connect { .. }, TxnResult::SessionCreated) = (&req.op, &result) {
            if let super::tree::Txn::CreateSession { session, timeout_ms } = &*e.txn {
                self.clients.sessions.insert(req.client, *session);
                out.reply_ahead(zk(&req, ZkReply::Connected { session_id: *session, timeout_ms: *timeout_ms }));
            }
        } else {
            out.reply_ahead(reply_for(&req, e, result));
        }
        self.release_reads(origin.client, out);
    }
}

fn path_of(op: &ClientOp) -> String {
    serde_json::to_value(op).ok().and_then(|v| v["path"].as_str().map(str::to_string)).unwrap_or_default()
}

fn reply_for(req: &ClientRequest, e: &LogEntry, result: TxnResult) -> ClientReply {
    if let Some(err) = result.error() {
        return ClientReply::error(req, code(err), format!("{} {}", req.op.name(), path_of(&req.op)));
    }
    zk(req, ZkReply::for_write(e.zxid, result))
}
