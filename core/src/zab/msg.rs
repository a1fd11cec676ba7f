//! ZAB messages, named as in ZooKeeper's source (`Leader.java` packet types and
//! `FastLeaderElection`'s notification), and what a ZAB server persists.

use super::tree::{DataTree, Txn};
use crate::types::{ClientId, Epoch, NodeId, SessionId, Zxid};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// `QuorumPeer.ServerState`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServerState {
    #[default]
    Looking,
    Following,
    Leading,
    Observing,
}

impl ServerState {
    pub fn name(self) -> &'static str {
        match self {
            ServerState::Looking => "LOOKING",
            ServerState::Following => "FOLLOWING",
            ServerState::Leading => "LEADING",
            ServerState::Observing => "OBSERVING",
        }
    }
}

/// ZooKeeper's `ZabState`: where a server is in the protocol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ZabPhase {
    #[default]
    Election,
    Discovery,
    Synchronization,
    Broadcast,
}

impl ZabPhase {
    /// The trace name (`DISCOVERY`, ...), as serde writes it.
    pub fn name(self) -> &'static str {
        match self {
            ZabPhase::Election => "ELECTION",
            ZabPhase::Discovery => "DISCOVERY",
            ZabPhase::Synchronization => "SYNCHRONIZATION",
            ZabPhase::Broadcast => "BROADCAST",
        }
    }
}

/// How a leader brings a learner up to date (`SyncMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SyncMode {
    /// Send the committed proposals the learner lacks (possibly none).
    Diff,
    /// The learner has proposals the leader never had: cut them, then DIFF.
    Trunc,
    /// The learner is too far behind: send the whole tree.
    Snap,
}

impl SyncMode {
    /// The trace name (`DIFF`, `TRUNC`, `SNAP`), as serde writes it.
    pub fn name(self) -> &'static str {
        match self {
            SyncMode::Diff => "DIFF",
            SyncMode::Trunc => "TRUNC",
            SyncMode::Snap => "SNAP",
        }
    }
}

/// A vote in Fast Leader Election. Votes are ordered by `peer_epoch`, then `zxid`,
/// then the proposed leader's id (`totalOrderPredicate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub leader: NodeId,
    pub zxid: Zxid,
    pub peer_epoch: Epoch,
}

impl Vote {
    fn key(&self) -> (Epoch, Zxid, NodeId) {
        (self.peer_epoch, self.zxid, self.leader)
    }
    /// Whether `self` is a better leader than `other`.
    pub fn beats(&self, other: &Vote) -> bool {
        self.key() > other.key()
    }
}

/// One logged proposal: the leader stamps the time, so every server applies the same.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub zxid: Zxid,
    pub time_ms: u64,
    /// Shared: a proposal travels to every learner and into every trace event, uncopied.
    pub txn: Arc<Txn>,
    /// Which server's client asked for it: that server replies once it is delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// The client and server a write came from, so the right server replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Origin {
    pub server: NodeId,
    pub client: ClientId,
    pub seq: u64,
}

/// A write as a learner forwards it to the leader (ZooKeeper's REQUEST packet): the
/// leader turns it into a `Txn` and proposes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WriteRequest {
    Connect {
        timeout_ms: u64,
    },
    Close {
        session: SessionId,
    },
    /// `session`: the client's, which the leader checks is live (`checkSession`).
    Txn {
        txn: Txn,
        session: SessionId,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ZabMsg {
    /// Fast Leader Election: the sender's vote, round (`electionEpoch`) and state.
    #[serde(rename = "NOTIFICATION")]
    Notification { leader: NodeId, zxid: Zxid, round: u64, state: ServerState, peer_epoch: Epoch },
    /// `attempt` tells a retry (same value) from a new registration after the
    /// learner lost us (a new TCP connection, in ZooKeeper).
    #[serde(rename = "FOLLOWERINFO")]
    FollowerInfo { accepted_epoch: Epoch, last_zxid: Zxid, attempt: u64 },
    #[serde(rename = "OBSERVERINFO")]
    ObserverInfo { accepted_epoch: Epoch, last_zxid: Zxid, attempt: u64 },
    /// The new epoch: one more than any epoch a quorum has accepted.
    #[serde(rename = "LEADERINFO")]
    LeaderInfo { new_epoch: Epoch },
    /// `already_acked`: the learner accepted this very epoch from another leader, so
    /// this ACKEPOCH must not count toward the epoch's quorum (ZooKeeper sends
    /// epoch -1). Two leaders of one epoch would otherwise share a quorum member.
    #[serde(rename = "ACKEPOCH")]
    /// `delivered`: the learner's delivery mark. It was committed, so it is in the new
    /// leader's history too: a safe point to cut the learner's log back to.
    /// `new_epoch`: the LEADERINFO epoch acknowledged, so that an answer to a late
    /// copy of an older LEADERINFO is not counted for a newer epoch.
    AckEpoch {
        #[serde(default)]
        new_epoch: Epoch,
        current_epoch: Epoch,
        last_zxid: Zxid,
        #[serde(default)]
        delivered: Zxid,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        already_acked: bool,
    },
    /// The proposals after `after`, which must be the learner's last zxid by now.
    #[serde(rename = "DIFF")]
    Diff { after: Zxid, proposals: Vec<LogEntry> },
    /// Cut the log back to `zxid`.
    #[serde(rename = "TRUNC")]
    Trunc { zxid: Zxid },
    #[serde(rename = "SNAP")]
    Snap { zxid: Zxid, tree: Box<DataTree> },
    #[serde(rename = "NEWLEADER")]
    NewLeader { epoch: Epoch, zxid: Zxid },
    /// Acknowledges a PROPOSAL or the NEWLEADER with that zxid.
    #[serde(rename = "ACK")]
    Ack { zxid: Zxid },
    /// Synchronized: serve clients; everything up to `committed` is delivered.
    #[serde(rename = "UPTODATE")]
    UpToDate { committed: Zxid },
    #[serde(rename = "PROPOSAL")]
    Proposal { entry: LogEntry },
    #[serde(rename = "COMMIT")]
    Commit { zxid: Zxid },
    /// A committed proposal for an observer (it saw no PROPOSAL).
    #[serde(rename = "INFORM")]
    Inform { entry: LogEntry },
    /// Heartbeat. From the leader, `zxid` is its commit point (a learner that lost the
    /// last COMMIT or INFORM catches up from it); from a learner, its last logged zxid
    /// (a cumulative ACK, so a lost last ACK does not leave a proposal uncommitted) and
    /// the sessions its clients keep alive.
    #[serde(rename = "PING")]
    Ping {
        sessions: Vec<SessionId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        zxid: Option<Zxid>,
    },
    #[serde(rename = "REQUEST")]
    Request { origin: Origin, write: WriteRequest },
    /// From a learner: "tell me when what you proposed so far is committed"; the
    /// leader's answer comes back on the same FIFO channel, after those COMMITs.
    #[serde(rename = "SYNC")]
    Sync { origin: Origin },
}

/// What a ZAB server persists; restart replays these records in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ZabDurable {
    /// `leader`: who proposed it (absent in records written before it was kept). A
    /// learner may acknowledge an epoch it already accepted only to the same leader.
    AcceptedEpoch {
        epoch: Epoch,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        leader: Option<NodeId>,
    },
    CurrentEpoch {
        epoch: Epoch,
    },
    Logged {
        entry: LogEntry,
    },
    /// The log was cut back to `zxid` (TRUNC).
    Truncated {
        zxid: Zxid,
    },
    /// The log was replaced by a snapshot of the tree at `zxid` (SNAP).
    Snapshot {
        zxid: Zxid,
        tree: Box<DataTree>,
    },
    /// Everything up to `zxid` was delivered (committed and applied).
    Delivered {
        zxid: Zxid,
    },
    /// The whole durable state: a runtime may drop every record before it. `tree` is
    /// the tree as delivered up to `delivered`; `log` starts after `snap_zxid`.
    Checkpoint {
        accepted_epoch: Epoch,
        accepted_from: Option<NodeId>,
        current_epoch: Epoch,
        snap_zxid: Zxid,
        log: Vec<LogEntry>,
        delivered: Zxid,
        tree: Box<DataTree>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZabTimer {
    /// Fast Leader Election: nothing decided yet, send the notifications again.
    NotificationTimeout,
    /// A quorum agrees; decide unless a better vote arrives first (`finalizeWait`).
    FinalizeWait,
    /// Discovery and synchronization must finish within `initLimit` ticks.
    InitLimit,
    /// Every tick: PINGs, the `syncLimit` check, session expiry.
    Tick,
}
