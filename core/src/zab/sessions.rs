//! The leader's side of the client path (`PrepRequestProcessor` and the session
//! tracker): a write becomes a transaction with the next zxid, at most once per
//! client request, and only for a live session; session leases expire.

use super::msg::{LogEntry, Origin, WriteRequest};
use super::tree::{Txn, ZkError};
use super::ZabNode;
use crate::node::Out;
use crate::types::{ClientId, SessionId, Zxid};

use super::leader::Lease;

impl ZabNode {
    /// A write a learner forwarded (REQUEST). A duplicate, or a retry of one already
    /// proposed, is ignored: each client request is applied at most once. Requests
    /// from one server arrive in order (FIFO), so a sequence number at or below the
    /// last one proposed for that client is old.
    pub(super) fn on_forwarded(&mut self, origin: Origin, write: WriteRequest, out: &mut Out<Self>) {
        let queued = self.lead.as_ref().is_some_and(|l| l.queued.iter().any(|(o, _)| *o == origin));
        let seen = self.proposed_seq.get(&(origin.server, origin.client)).is_some_and(|s| *s >= origin.seq);
        if queued || seen {
            return self.count_stale();
        }
        self.propose_write(origin, write, out);
    }

    /// Turn a client's write into a proposal with the next zxid (queued until we are
    /// established).
    pub(super) fn propose_write(&mut self, origin: Origin, write: WriteRequest, out: &mut Out<Self>) {
        let Some(l) = self.lead.as_mut() else { return };
        if !l.established {
            l.queued.push((origin, write));
            return;
        }
        let next = Zxid::new(l.new_epoch.expect("established"), l.counter + 1);
        let txn = match write {
            // A session's id is the zxid that created it: unique and the same everywhere.
            WriteRequest::Connect { timeout_ms } => Txn::CreateSession { session: SessionId(next.0), timeout_ms },
            WriteRequest::Close { session } => self.checked(session, true, Txn::CloseSession { session }),
            WriteRequest::Txn { txn, session } => self.checked(session, false, txn),
        };
        self.propose_txn(origin, txn, out);
    }

    /// Propose `txn` with the next zxid of our epoch.
    fn propose_txn(&mut self, origin: Origin, txn: Txn, out: &mut Out<Self>) {
        let l = self.lead.as_mut().expect("leading");
        l.counter += 1;
        let zxid = Zxid::new(l.new_epoch.expect("established"), l.counter);
        let entry = LogEntry { zxid, time_ms: self.now.ms(), txn: txn.into(), origin: Some(origin) };
        self.propose_entry(entry, out);
    }

    /// `txn`, or the error txn that refuses it if `session` is not live.
    fn checked(&mut self, session: SessionId, closing: bool, txn: Txn) -> Txn {
        match self.check_session(session, closing) {
            Ok(()) => txn,
            Err(error) => Txn::Error { error },
        }
    }

    /// `checkSession`: a write needs a live session, neither closed nor closing
    /// (expired, or its close already proposed). `closing`: this write closes it.
    fn check_session(&mut self, session: SessionId, closing: bool) -> Result<(), ZkError> {
        let l = self.lead.as_mut().expect("leading");
        match l.leases.get_mut(&session) {
            Some(lease) if !lease.closing => {
                lease.closing = closing;
                Ok(())
            }
            _ => Err(ZkError::SessionExpired),
        }
    }

    /// A new leader gives every session a full timeout to be touched again.
    pub(super) fn renew_all_leases(&mut self) {
        let now = self.now;
        let sessions: Vec<(SessionId, u64)> = self.tree.sessions().collect();
        let l = self.lead.as_mut().expect("leading");
        l.leases = sessions
            .into_iter()
            .map(|(s, timeout_ms)| (s, Lease { timeout_ms, expires_at: now.plus_ms(timeout_ms), closing: false }))
            .collect();
    }

    pub(super) fn expire_sessions(&mut self, out: &mut Out<Self>) {
        let (now, id) = (self.now, self.id);
        let local: Vec<SessionId> = self.clients.sessions.values().copied().collect();
        let Some(l) = self.lead.as_mut().filter(|l| l.established) else { return };
        let mut expired = Vec::new();
        for (s, lease) in l.leases.iter_mut() {
            if local.contains(s) {
                lease.expires_at = now.plus_ms(lease.timeout_ms);
            } else if !lease.closing && lease.expires_at < now {
                lease.closing = true;
                expired.push(*s);
            }
        }
        for session in expired {
            // The server's own "client" closes it: nobody awaits the reply.
            let origin = Origin { server: id, client: ClientId(0), seq: session.0 };
            self.propose_txn(origin, Txn::CloseSession { session }, out);
        }
    }

    /// After delivery at the leader: keep the session leases in step with the tree.
    pub(super) fn track_session(&mut self, txn: &Txn) {
        let now = self.now;
        let Some(l) = self.lead.as_mut() else { return };
        match txn {
            Txn::CreateSession { session, timeout_ms } => {
                let lease = Lease { timeout_ms: *timeout_ms, expires_at: now.plus_ms(*timeout_ms), closing: false };
                l.leases.insert(*session, lease);
            }
            Txn::CloseSession { session } => {
                l.leases.remove(session);
            }
            _ => {}
        }
    }
}
