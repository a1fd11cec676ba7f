//! `/status`: what the node is doing now, as JSON, like ZooKeeper's `srvr` (DESIGN §3.3).

use super::driver::Input;
use super::metrics::Percentiles;
use super::net::Shared;
use axum::extract::State;
use axum::Json;
use ensemble_core::node::Node;
use ensemble_core::zab::ZabNode;
use serde::Serialize;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    pub id: u32,
    /// LOOKING, FOLLOWING, LEADING or OBSERVING.
    pub state: String,
    /// ELECTION, DISCOVERY, SYNCHRONIZATION or BROADCAST.
    pub phase: String,
    pub epoch: u64,
    pub accepted_epoch: u64,
    pub last_zxid: String,
    /// The last zxid applied to the tree.
    pub delivered: String,
    pub leader: Option<u32>,
    pub observer: bool,
    pub znodes: u64,
    pub digest: String,
    /// Live sessions in the tree (the whole ensemble's).
    pub sessions: u64,
    /// Client connections to this server.
    pub clients: u64,
    /// Peers connected to this server now.
    pub peers_connected: u64,
    /// Learners in sync with this server, if it leads.
    pub followers_synced: Option<u64>,
    /// Client and peer frames refused, and messages dropped for unreachable peers.
    pub rejected_frames: u64,
    pub rejected_peers: u64,
    pub dropped_messages: u64,
    /// fdatasync times of the write-ahead log since the node started.
    pub fsync_micros: Percentiles,
    /// From the node's start to its first time serving, and its last election (LOOKING
    /// to BROADCAST), in ms; `null` until they happened.
    pub serving_after_ms: Option<u64>,
    pub last_election_ms: Option<u64>,
    pub elections: u64,
    /// This process's resident memory (Linux), in bytes.
    pub rss_bytes: Option<u64>,
}

impl Status {
    /// Read from the server itself, typed: nothing is parsed back from display text.
    pub fn of(n: &ZabNode) -> Status {
        Status {
            id: n.id.0,
            state: n.state.name().to_string(),
            phase: n.phase.name().to_string(),
            epoch: u64::from(n.current_epoch.0),
            accepted_epoch: u64::from(n.accepted_epoch.0),
            last_zxid: n.last_zxid().to_string(),
            delivered: n.delivered.to_string(),
            leader: n.leader.map(|l| l.0),
            observer: n.config.observer_ids.contains(&n.id),
            znodes: n.tree.node_count() as u64,
            digest: n.tree.digest(),
            sessions: n.tree.sessions().count() as u64,
            followers_synced: n.lead.as_ref().filter(|_| n.is_leader()).map(|l| l.synced_learners() as u64),
            ..Status::default()
        }
    }

    fn with_counts(mut self, shared: &Shared) -> Status {
        let m = &shared.metrics;
        self.clients = shared.clients_connected() as u64;
        self.peers_connected = shared.peers_connected() as u64;
        self.rejected_frames = m.rejected_frames.get();
        self.rejected_peers = m.rejected_peers.get();
        self.dropped_messages = m.dropped_messages.get();
        self.fsync_micros = m.fsync_percentiles();
        self.serving_after_ms = *shared.serving_after_ms.lock().expect("not poisoned");
        self.last_election_ms = *shared.last_election_ms.lock().expect("not poisoned");
        self.elections = m.elections.get();
        self.rss_bytes = rss_bytes();
        self
    }
}

/// Resident memory from `/proc/self/statm` (pages), where there is one.
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

type Inbox = mpsc::UnboundedSender<Input<ZabNode>>;

/// Everything `/status` shows.
pub async fn full_status(shared: &Shared) -> Option<Status> {
    Some(status_of(&shared.inbox).await?.with_counts(shared))
}

/// `/metrics`.
pub async fn metrics(State(shared): State<Arc<Shared>>) -> Result<String, (axum::http::StatusCode, &'static str)> {
    match full_status(&shared).await {
        Some(s) => Ok(shared.metrics.encode(&s)),
        None => Err((axum::http::StatusCode::SERVICE_UNAVAILABLE, "the node has stopped")),
    }
}

/// The node's status, asked of its task (it owns the node); `None` once it stopped.
pub async fn status_of(inbox: &Inbox) -> Option<Status> {
    let (tx, rx) = oneshot::channel();
    let ask = move |n: &ZabNode| {
        let _ = tx.send(Status::of(n));
    };
    inbox.send(Input::Ask(Box::new(ask))).ok()?;
    rx.await.ok()
}

pub async fn status(State(shared): State<Arc<Shared>>) -> Result<Json<Status>, (axum::http::StatusCode, &'static str)> {
    match full_status(&shared).await {
        Some(s) => Ok(Json(s)),
        None => Err((axum::http::StatusCode::SERVICE_UNAVAILABLE, "the node has stopped")),
    }
}
