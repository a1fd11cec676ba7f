//! `/status`: what the node is doing now, as JSON, like ZooKeeper's `srvr` (DESIGN §3.3).

use super::driver::Input;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use ensemble_core::zab::ZabNode;
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
        }
    }
}

type Inbox = mpsc::UnboundedSender<Input<ZabNode>>;

pub fn routes(inbox: Inbox) -> Router {
    Router::new().route("/status", get(status)).with_state(inbox)
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

async fn status(State(inbox): State<Inbox>) -> Result<Json<Status>, (axum::http::StatusCode, &'static str)> {
    match status_of(&inbox).await {
        Some(s) => Ok(Json(s)),
        None => Err((axum::http::StatusCode::SERVICE_UNAVAILABLE, "the node has stopped")),
    }
}
