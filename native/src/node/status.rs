//! `/status`: what the node is doing now, as JSON, like ZooKeeper's `srvr` (DESIGN §3.3).

use super::driver::Input;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use ensemble_core::types::NodeId;
use ensemble_core::view::NodeView;
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
    pub fn of(v: &NodeView) -> Status {
        let fact = |key: &str| v.fact(key).unwrap_or_default().to_string();
        let number = |key: &str| v.fact(key).and_then(|f| f.parse().ok()).unwrap_or(0);
        Status {
            id: v.id.0,
            state: v.state.name().to_string(),
            phase: v.phases.map(|p| p.current().name.to_string()).unwrap_or_default(),
            epoch: number("epoch"),
            accepted_epoch: number("accepted-epoch"),
            last_zxid: fact("zxid"),
            delivered: fact("delivered"),
            leader: v.leader.map(|l| l.0),
            observer: !v.voter,
            znodes: number("znodes"),
            digest: fact("digest"),
        }
    }
}

type Inbox = mpsc::UnboundedSender<Input<ZabNode>>;

pub fn routes(_id: NodeId, inbox: Inbox) -> Router {
    Router::new().route("/status", get(status)).with_state(inbox)
}

/// The node's view, asked of its task (it owns the node).
pub async fn view(inbox: &Inbox) -> Option<NodeView> {
    let (tx, rx) = oneshot::channel();
    inbox.send(Input::View(tx)).ok()?;
    rx.await.ok()
}

async fn status(State(inbox): State<Inbox>) -> Result<Json<Status>, (axum::http::StatusCode, &'static str)> {
    match view(&inbox).await {
        Some(v) => Ok(Json(Status::of(&v))),
        None => Err((axum::http::StatusCode::SERVICE_UNAVAILABLE, "the node has stopped")),
    }
}
