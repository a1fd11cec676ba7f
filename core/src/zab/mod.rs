//! ZooKeeper's atomic broadcast (ZAB) and the znode tree it replicates.
//!
//! One leader orders every write; followers log and acknowledge its proposals; a
//! proposal acknowledged by a quorum is committed and applied everywhere in zxid order.
//! When the leader fails the servers go through ZooKeeper's phases:
//!
//! 1. **Election** (LOOKING): Fast Leader Election picks the server with the newest
//!    history (epoch, then zxid, then id) — [`election`].
//! 2. **Discovery**: followers report their accepted epoch; the leader takes a new
//!    epoch above all of them — [`leader`], [`learner`].
//! 3. **Synchronization**: DIFF, TRUNC or SNAP brings each follower to the leader's
//!    history, then NEWLEADER/ACK/UPTODATE.
//! 4. **Broadcast**: PROPOSAL, ACK, COMMIT (INFORM for observers), PING.
//!
//! Two rules make recovery safe: a proposal committed by a quorum is never lost (the
//! new leader has it, since it has the newest history of a quorum), and a proposal only
//! the failed leader logged is cut away (TRUNC) when it comes back.

pub mod chaos;
mod check;
pub mod clients;
pub mod describe;
pub mod election;
pub mod event;
#[cfg(test)]
mod harness;
mod invariants;
pub mod leader;
pub mod learner;
mod log;
pub mod msg;
pub(crate) mod narrate;
mod narrate_vote;
pub mod panels;
mod protocol;
mod sessions;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_broadcast;
#[cfg(test)]
mod tests_client_path;
#[cfg(test)]
mod tests_clients;
#[cfg(test)]
mod tests_connection;
#[cfg(test)]
mod tests_crash_leader;
#[cfg(test)]
mod tests_discovery;
#[cfg(test)]
mod tests_election;
#[cfg(test)]
mod tests_history;
#[cfg(test)]
mod tests_panels;
#[cfg(test)]
mod tests_snap;
#[cfg(test)]
mod tests_sync;
#[cfg(test)]
mod tests_trust;
// Scenario files are TOML: these tests need the `text` feature.
#[cfg(all(test, feature = "text"))]
mod tests_validate;
/// The znode tree and its replies live in `crate::tree`, shared by any protocol that
/// serves the coordination service; the old paths keep working.
pub use crate::tree::{self, reply, ZkReply};
mod validate;
mod view;

pub use check::ZabChecker;
pub use event::{VoteView, ZabEvent};
pub use msg::{LogEntry, Origin, ServerState, SyncMode, Vote, WriteRequest, ZabDurable, ZabMsg, ZabPhase, ZabTimer};
pub use protocol::{build, PROTOCOL};
pub use view::{server_view, ServerFacts};

use crate::client::{ClientOp, ClientReply, ClientRequest, ErrorCode};
use crate::event::Event;
use crate::node::{Node, Out};
use crate::types::{Epoch, NodeId, SessionId, Time, Zxid};
use crate::view::{HistoryView, NodeView};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use tree::{DataTree, Txn};

/// A rule deliberately broken, so the checker can show why it exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ZabBuggy {
    #[default]
    None,
    /// A rejoining server ignores TRUNC and keeps proposals the new leader never had.
    SkipTrunc,
    /// Followers accept PROPOSAL and COMMIT from a leader of a stale epoch.
    NoEpochCheck,
    /// The leader commits without waiting for a quorum of ACKs.
    CommitWithoutQuorum,
}

/// ZooKeeper's timing settings, scaled down for teaching (ZooKeeper's defaults:
/// tickTime 2000 ms, initLimit 10, syncLimit 5, finalizeWait 200 ms, notification
/// timeout 200 ms doubling to 60 s).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ZabSettings {
    pub tick_ms: u64,
    pub init_limit: u64,
    pub sync_limit: u64,
    pub finalize_wait_ms: u64,
    pub min_notification_ms: u64,
    pub max_notification_ms: u64,
    /// Proposals a leader keeps for DIFF; a learner further behind gets a SNAP.
    pub committed_log_max: usize,
    pub buggy: ZabBuggy,
    /// Servers that never vote (they get INFORM and serve reads).
    pub observers: Vec<u32>,
    /// Initial logs and epochs, to explore elections and recovery.
    pub servers: Vec<ServerInit>,
    /// A server writes a checkpoint (its whole durable state as one record) after this
    /// many records, so its disk holds a bounded number of them (ZooKeeper's
    /// `snapCount`, 100,000 there).
    pub checkpoint_every: u64,
}

/// A server's history before the run: `log = [[1, 5], [2, 1]]` means zxids
/// 0x100000001..0x100000005 then 0x200000001. Each initial proposal sets `/`'s data to
/// its zxid, so equal zxids are equal transactions on every server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerInit {
    pub id: u32,
    #[serde(default)]
    pub log: Vec<[u32; 2]>,
    /// The last delivered (committed) zxid as `[epoch, counter]`; default: the whole log.
    #[serde(default)]
    pub delivered: Option<[u32; 2]>,
    /// Default: the epoch of the last logged zxid.
    #[serde(default)]
    pub current_epoch: Option<u32>,
    /// Default: the current epoch.
    #[serde(default)]
    pub accepted_epoch: Option<u32>,
}

impl ServerInit {
    pub fn entries(&self) -> Vec<LogEntry> {
        let txn = |z: Zxid| Txn::SetData { path: "/".into(), data: z.to_string(), version: None };
        let zxids = self.log.iter().flat_map(|[e, n]| (1..=*n).map(move |c| Zxid::new(Epoch(*e), c)));
        zxids.map(|z| LogEntry { zxid: z, time_ms: 0, txn: txn(z).into(), origin: None }).collect()
    }

    pub fn delivered_zxid(&self) -> Zxid {
        let last = self.entries().last().map(|e| e.zxid).unwrap_or(Zxid::ZERO);
        self.delivered.map(|[e, c]| Zxid::new(Epoch(e), c)).unwrap_or(last)
    }

    /// The durable records a server with this history would have.
    pub fn records(&self) -> Vec<ZabDurable> {
        let entries = self.entries();
        let last_epoch = entries.last().map(|e| e.zxid.epoch().0).unwrap_or(0);
        let current = self.current_epoch.unwrap_or(last_epoch);
        let mut records = vec![
            ZabDurable::AcceptedEpoch { epoch: Epoch(self.accepted_epoch.unwrap_or(current)), leader: None },
            ZabDurable::CurrentEpoch { epoch: Epoch(current) },
        ];
        records.extend(entries.into_iter().map(|entry| ZabDurable::Logged { entry }));
        records.push(ZabDurable::Delivered { zxid: self.delivered_zxid() });
        records
    }
}

impl Default for ZabSettings {
    fn default() -> Self {
        ZabSettings {
            tick_ms: 50,
            init_limit: 10,
            sync_limit: 5,
            finalize_wait_ms: 40,
            min_notification_ms: 100,
            max_notification_ms: 1600,
            committed_log_max: 20,
            buggy: ZabBuggy::None,
            observers: Vec::new(),
            servers: Vec::new(),
            checkpoint_every: 1_000,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZabConfig {
    pub voters: Vec<NodeId>,
    pub observer_ids: Vec<NodeId>,
    pub settings: ZabSettings,
}

impl std::ops::Deref for ZabConfig {
    type Target = ZabSettings;
    fn deref(&self) -> &ZabSettings {
        &self.settings
    }
}

impl ZabConfig {
    pub fn new(n: u32, settings: &ZabSettings) -> ZabConfig {
        let observers: Vec<NodeId> = settings.observers.iter().map(|i| NodeId(*i)).collect();
        let voters = (1..=n).map(NodeId).filter(|i| !observers.contains(i)).collect();
        ZabConfig { voters, observer_ids: observers, settings: settings.clone() }
    }

    pub fn all(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.voters.iter().chain(self.observer_ids.iter()).copied()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ZabNode {
    pub id: NodeId,
    #[serde(skip)]
    pub config: Arc<ZabConfig>,
    /// The time of the input being handled (handed in; nodes own no clock).
    #[serde(skip)]
    pub now: Time,
    // Durable.
    pub accepted_epoch: Epoch,
    /// Who proposed `accepted_epoch` (`None`: unknown, e.g. a scenario's initial state).
    pub accepted_from: Option<NodeId>,
    pub current_epoch: Epoch,
    pub log: Vec<LogEntry>,
    pub snap_zxid: Zxid,
    pub delivered: Zxid,
    pub tree: DataTree,
    // Volatile.
    pub state: ServerState,
    pub phase: ZabPhase,
    pub leader: Option<NodeId>,
    pub election: election::Election,
    pub lead: Option<leader::LeaderState>,
    pub learner: Option<learner::LearnerState>,
    pub clients: clients::Clients,
    /// Identifies this server's current attempt to register with a leader.
    pub attempt: u64,
    /// The highest client sequence number logged per (origin server, client): a
    /// leader proposes each forwarded request at most once. Rebuilt from the log.
    #[serde(skip)]
    pub proposed_seq: BTreeMap<(NodeId, crate::types::ClientId), u64>,
    /// The newest epoch a late learner had accepted when we led (volatile): leading
    /// again, we propose above it, so that learner can join.
    pub epoch_seen: Epoch,
    /// Records written since the last checkpoint (see [`ZabSettings::checkpoint_every`]).
    pub unsaved: u64,
    pub stale: u64,
}

impl ZabNode {
    pub fn new(id: NodeId, config: Arc<ZabConfig>, records: &[ZabDurable]) -> ZabNode {
        let mut n = ZabNode {
            id,
            config,
            now: Time(0),
            accepted_epoch: Epoch(0),
            accepted_from: None,
            current_epoch: Epoch(0),
            log: Vec::new(),
            snap_zxid: Zxid::ZERO,
            delivered: Zxid::ZERO,
            tree: DataTree::new(),
            state: ServerState::Looking,
            phase: ZabPhase::Election,
            leader: None,
            election: Default::default(),
            lead: None,
            learner: None,
            clients: Default::default(),
            attempt: 0,
            proposed_seq: BTreeMap::new(),
            epoch_seen: Epoch(0),
            unsaved: crate::node::since_checkpoint::<ZabNode>(records),
            stale: 0,
        };
        n.recover(records);
        n
    }

    /// Every input: the handler at `now`, then a checkpoint after the writes it
    /// reflects, then (in debug builds) the local invariants.
    fn handle(&mut self, now: Time, out: &mut Out<Self>, f: impl FnOnce(&mut Self, &mut Out<Self>)) {
        let before = self.marks();
        self.now = now;
        f(self, out);
        self.maybe_checkpoint(out);
        self.debug_check_step(before);
    }

    fn count_stale(&mut self) {
        self.stale += 1;
    }

    /// A FOLLOWERINFO or OBSERVERINFO to a server that does not lead (yet): said aloud,
    /// since a learner that registers early is no error; it sends again each tick until
    /// this server leads, or its initLimit ends.
    fn learner_info_ignored(&mut self, learner: NodeId, observer: bool, out: &mut Out<Self>) {
        out.emit(ZabEvent::LearnerInfoIgnored { learner, state: self.state, observer });
        self.count_stale();
    }

    pub(super) fn enter_phase(&mut self, phase: ZabPhase, out: &mut Out<Self>) {
        self.phase = phase;
        out.emit(ZabEvent::Phase { phase });
    }

    /// Leaving FOLLOWING/LEADING: forget the role; clients waiting on it get
    /// ConnectionLoss (their write may or may not take effect, as in ZooKeeper).
    fn leave_role(&mut self, out: &mut Out<Self>) {
        self.lead = None;
        self.learner = None;
        out.cancel_timer(ZabTimer::InitLimit);
        out.cancel_timer(ZabTimer::Tick);
        for (_, req) in std::mem::take(&mut self.clients.pending) {
            out.reply_ahead(ClientReply::error(&req, ErrorCode::ConnectionLoss, "the server lost its leader"));
        }
        for req in std::mem::take(&mut self.clients.held) {
            out.reply_ahead(ClientReply::error(&req, ErrorCode::ConnectionLoss, "the server lost its leader"));
        }
        self.clients.forwarded.clear();
    }

    /// A connection to `peer` closed. A learner whose leader it was goes back to LOOKING
    /// (`Follower.followLeader` ends when its socket does); a leader forgets that
    /// learner (its `LearnerHandler` ends) until it registers again, and is synced
    /// again. Its ACKs counted so far still count: they were true. Each says so in the
    /// trace first, so the LOOKING that follows has its reason.
    fn on_peer_lost(&mut self, peer: NodeId, out: &mut Out<Self>) {
        match self.state {
            ServerState::Following | ServerState::Observing
                if self.learner.as_ref().is_some_and(|l| l.leader == peer) =>
            {
                out.emit(ZabEvent::LeaderLost { leader: peer });
                self.look_for_leader(out)
            }
            ServerState::Leading => {
                if self.lead.as_mut().and_then(|l| l.learners.remove(&peer)).is_some() {
                    out.emit(ZabEvent::LearnerLost { learner: peer });
                } else {
                    self.count_stale();
                }
            }
            _ => self.count_stale(),
        }
    }

    fn on_tick(&mut self, out: &mut Out<Self>) {
        match self.state {
            ServerState::Leading => self.leader_tick(out),
            ServerState::Following | ServerState::Observing => self.learner_tick(out),
            ServerState::Looking => {}
        }
    }

    fn on_init_limit(&mut self, out: &mut Out<Self>) {
        let done = match self.state {
            ServerState::Leading => self.lead.as_ref().is_some_and(|l| l.established),
            ServerState::Following | ServerState::Observing => self.learner.as_ref().is_some_and(|l| l.synced),
            ServerState::Looking => true,
        };
        if !done {
            // Discovery and synchronization took longer than initLimit: start over.
            self.look_for_leader(out);
        }
    }

    fn on_zab_message(&mut self, from: NodeId, msg: ZabMsg, out: &mut Out<Self>) {
        match msg {
            ZabMsg::Notification { leader, zxid, round, state, peer_epoch } => {
                self.on_notification(from, Vote { leader, zxid, peer_epoch }, round, state, out)
            }
            ZabMsg::FollowerInfo { accepted_epoch, last_zxid, attempt } => {
                self.on_learner_info(from, (accepted_epoch, last_zxid, attempt), false, out)
            }
            ZabMsg::ObserverInfo { accepted_epoch, last_zxid, attempt } => {
                self.on_learner_info(from, (accepted_epoch, last_zxid, attempt), true, out)
            }
            ZabMsg::LeaderInfo { new_epoch } => self.on_leader_info(from, new_epoch, out),
            ZabMsg::AckEpoch { new_epoch, current_epoch, last_zxid, delivered, already_acked } => {
                let counted = !already_acked;
                self.on_ack_epoch(from, new_epoch, (current_epoch, last_zxid, delivered), counted, out)
            }
            ZabMsg::Diff { after, proposals } => self.on_diff(from, after, proposals, out),
            ZabMsg::Trunc { zxid } => self.on_trunc(from, zxid, out),
            ZabMsg::Snap { zxid, tree } => self.on_snap(from, zxid, *tree, out),
            ZabMsg::NewLeader { epoch, zxid } => self.on_new_leader(from, epoch, zxid, out),
            ZabMsg::Ack { zxid } => self.on_ack(from, zxid, out),
            ZabMsg::UpToDate { committed } => self.on_up_to_date(from, committed, out),
            ZabMsg::Proposal { entry } => self.on_proposal(from, entry, out),
            ZabMsg::Commit { zxid } => self.on_commit(from, zxid, out),
            ZabMsg::Inform { entry } => self.on_inform(from, entry, out),
            ZabMsg::Ping { sessions, zxid } if self.state == ServerState::Leading => {
                self.on_learner_ping(from, sessions, zxid, out)
            }
            ZabMsg::Ping { zxid, .. } => self.on_leader_ping(from, zxid, out),
            ZabMsg::Request { origin, write } if self.state == ServerState::Leading => {
                self.on_forwarded(origin, write, out)
            }
            ZabMsg::Sync { origin } if self.state == ServerState::Leading => self.on_learner_sync(from, origin, out),
            ZabMsg::Sync { origin } if self.heard_from_leader(from) => self.finish_sync(origin, out),
            ZabMsg::Request { .. } | ZabMsg::Sync { .. } => self.count_stale(),
        }
    }
}

/// The transaction a client's write asks for; `None` for an operation that is no
/// write (a read, connect or sync inside a `multi`).
pub(crate) fn txn_for(op: &ClientOp, session: SessionId) -> Option<Txn> {
    Some(match op.clone() {
        ClientOp::Create { path, data, ephemeral, sequential } => {
            Txn::Create { path, data, ephemeral, sequential, session }
        }
        ClientOp::Set { path, data, version } => Txn::SetData { path, data, version },
        ClientOp::Delete { path, version } => Txn::Delete { path, version },
        ClientOp::Check { path, version } => Txn::Check { path, version },
        ClientOp::Multi { ops } => Txn::Multi { ops: ops.iter().map(|o| txn_for(o, session)).collect::<Option<_>>()? },
        _ => return None,
    })
}

impl Node for ZabNode {
    type Msg = ZabMsg;
    type Timer = ZabTimer;
    type Durable = ZabDurable;
    type Checker = ZabChecker;

    fn on_start(&mut self, now: Time, out: &mut Out<Self>) {
        self.handle(now, out, |n, out| n.look_for_leader(out));
    }

    fn on_message(&mut self, now: Time, from: NodeId, msg: ZabMsg, out: &mut Out<Self>) {
        self.handle(now, out, |n, out| n.on_zab_message(from, msg, out));
    }

    fn on_timer(&mut self, now: Time, timer: ZabTimer, out: &mut Out<Self>) {
        self.handle(now, out, |n, out| match timer {
            ZabTimer::NotificationTimeout => n.on_notification_timeout(out),
            ZabTimer::FinalizeWait => n.on_finalize_wait(out),
            ZabTimer::InitLimit => n.on_init_limit(out),
            ZabTimer::Tick => n.on_tick(out),
        });
    }

    fn on_request(&mut self, now: Time, req: ClientRequest, out: &mut Out<Self>) {
        self.handle(now, out, |n, out| n.on_client(req, out));
    }

    fn on_disconnect(&mut self, now: Time, peer: NodeId, out: &mut Out<Self>) {
        self.handle(now, out, |n, out| n.on_peer_lost(peer, out));
    }

    /// ZAB runs over FIFO TCP connections (`QuorumCnxManager`, the learners' sockets).
    fn links_are_connections() -> bool {
        true
    }

    fn is_checkpoint(record: &ZabDurable) -> bool {
        matches!(record, ZabDurable::Checkpoint { .. })
    }

    /// The delivery mark: clients are answered with what a quorum committed, and a
    /// server that loses its mark delivers again from its log when it rejoins. Syncing
    /// it on its own would put a second fsync on a follower's path to its next ACK.
    fn is_bookkeeping(record: &ZabDurable) -> bool {
        matches!(record, ZabDurable::Delivered { .. })
    }

    fn is_leader(&self) -> bool {
        self.state == ServerState::Leading
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }

    fn history(&self) -> HistoryView {
        view::history(self)
    }

    /// TRUNC cuts proposals the leader never had; SNAP replaces the log, losing any
    /// above the snapshot.
    fn cuts_history(event: &Event) -> bool {
        matches!(event.get::<ZabEvent>(), Some(ZabEvent::Truncated { .. } | ZabEvent::Snapshot { .. }))
    }
}
