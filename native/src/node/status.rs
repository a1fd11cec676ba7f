//! `/status`: what the node is doing now, as JSON, like ZooKeeper's `srvr` (DESIGN §3.3).

use super::driver::Input;
use super::net::Shared;
use axum::extract::State;
use axum::Json;
use ensemble_core::node::Node;
use ensemble_core::zab::ZabNode;
use serde::Serialize;
use std::sync::atomic::Ordering;
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
        let c = &shared.counters;
        self.clients = shared.clients_connected() as u64;
        self.peers_connected = shared.peers_connected() as u64;
        self.rejected_frames = c.rejected_frames.load(Ordering::Relaxed);
        self.rejected_peers = c.rejected_peers.load(Ordering::Relaxed);
        self.dropped_messages = c.dropped_messages.load(Ordering::Relaxed);
        self
    }
}

type Inbox = mpsc::UnboundedSender<Input<ZabNode>>;

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
    match status_of(&shared.inbox).await {
        Some(s) => Ok(Json(s.with_counts(&shared))),
        None => Err((axum::http::StatusCode::SERVICE_UNAVAILABLE, "the node has stopped")),
    }
}
