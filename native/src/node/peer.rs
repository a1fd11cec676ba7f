//! Peer links (`/peer`, DESIGN §3.3): WebSocket connections between the servers of an
//! ensemble, one frame per ZAB message.
//!
//! Each server dials every other server and only sends on that connection; it reads
//! what others send on the connections they dialed. So each direction is one FIFO
//! stream, as ZAB's TCP links are in ZooKeeper. When a connection closes the node hears
//! of it at once (`Node::on_disconnect`): a follower whose leader's process died looks
//! for a new leader without waiting for a timeout. A dialer that cannot connect tries
//! again with back-off, and what the node sends meanwhile is dropped, as the protocol
//! expects of an unreachable peer.
//!
//! A dialer says who it is in the upgrade request's headers (its id, the cluster's id
//! and, with `--cluster-secret`, the secret); anything else is refused with 403 and
//! counted. Frames are `{"v": 1, "id": N, "msg": <ZabMsg as in the trace>}`, `id` being the
//! sender's number for the message, so the trace's `send` and `deliver` pair up.

use super::driver::Input;
use super::net::{Outgoing, Shared};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ensemble_core::types::NodeId;
use ensemble_core::zab::ZabMsg;
use futures_util::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};
use tokio_tungstenite::WebSocketStream;

pub const VERSION: u32 = 1;
const H_VERSION: &str = "ensemble-peer-version";
const H_ID: &str = "ensemble-peer-id";
const H_CLUSTER: &str = "ensemble-cluster";
const H_SECRET: &str = "ensemble-cluster-secret";
/// A SNAP carries a whole tree: peer frames may be large.
const PEER_FRAME_MAX: usize = 1 << 30;
const BACKOFF_MIN: Duration = Duration::from_millis(20);
const BACKOFF_MAX: Duration = Duration::from_millis(1_000);
const DIAL_TIMEOUT: Duration = Duration::from_secs(2);
/// Messages written before one flush: batches form under load by themselves.
const BATCH: usize = 256;

#[derive(Serialize)]
struct FrameOut<'a> {
    v: u32,
    /// The sender's number for the message, as its trace shows it.
    id: u64,
    msg: &'a ZabMsg,
}

#[derive(Deserialize)]
struct FrameIn {
    v: u32,
    #[serde(default)]
    id: u64,
    msg: ZabMsg,
}

fn config() -> WebSocketConfig {
    crate::ws::config().max_message_size(Some(PEER_FRAME_MAX)).max_frame_size(Some(PEER_FRAME_MAX))
}

/// Start the link that carries this node's messages to `peer`.
pub fn spawn_link(shared: Arc<Shared>, peer: NodeId, rx: mpsc::Receiver<Outgoing>) {
    tokio::spawn(link(shared, peer, rx));
}

async fn link(shared: Arc<Shared>, peer: NodeId, mut rx: mpsc::Receiver<Outgoing>) {
    let url = format!("ws://{}/peer", shared.peers[&peer]);
    let mut backoff = BACKOFF_MIN;
    loop {
        match dial(&shared, &url).await {
            Ok(ws) => {
                tracing::debug!(%peer, "link up");
                backoff = BACKOFF_MIN;
                let closed = pump(ws, &mut rx).await;
                shared.lost(peer);
                match closed {
                    Pumped::NodeStopped => return,
                    Pumped::Lost(why) => tracing::info!(%peer, "link lost: {why}"),
                }
            }
            Err(why) => tracing::debug!(%peer, "cannot connect: {why}"),
        }
        let poke = shared.poke(peer).expect("a peer");
        // While we wait, what the node sends this peer is lost, as on a broken link.
        let dropped = async {
            while rx.recv().await.is_some() {
                shared.metrics.dropped_messages.inc();
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = poke.notified() => {}
            _ = dropped => return,
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

async fn dial(
    shared: &Shared,
    url: &str,
) -> Result<WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>, String> {
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    let h = request.headers_mut();
    let value = |s: &str| HeaderValue::from_str(s).map_err(|e| e.to_string());
    h.insert(H_VERSION, value(&VERSION.to_string())?);
    h.insert(H_ID, value(&shared.id.0.to_string())?);
    h.insert(H_CLUSTER, value(&shared.cluster_id)?);
    if let Some(secret) = &shared.secret {
        h.insert(H_SECRET, value(secret)?);
    }
    let connect = tokio_tungstenite::connect_async_with_config(request, Some(config()), true);
    match tokio::time::timeout(DIAL_TIMEOUT, connect).await {
        Ok(Ok((ws, _))) => Ok(ws),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out".into()),
    }
}

enum Pumped {
    NodeStopped,
    Lost(String),
}

/// Send what the node queues until the connection fails or the node stops; read the
/// connection too, to notice at once that the peer closed it.
async fn pump<S>(ws: WebSocketStream<S>, rx: &mut mpsc::Receiver<Outgoing>) -> Pumped
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (mut sink, mut stream) = ws.split();
    loop {
        tokio::select! {
            msg = rx.recv() => {
                let Some(msg) = msg else {
                    let _ = sink.close().await;
                    return Pumped::NodeStopped;
                };
                let mut batch = vec![msg];
                while batch.len() < BATCH {
                    match rx.try_recv() {
                        Ok(m) => batch.push(m),
                        Err(_) => break,
                    }
                }
                for (id, m) in &batch {
                    // Our own plain data types always serialize.
                    let frame = FrameOut { v: VERSION, id: *id, msg: m };
                    let text = serde_json::to_string(&frame).expect("messages serialize");
                    if let Err(e) = sink.feed(Message::text(text)).await {
                        return Pumped::Lost(e.to_string());
                    }
                }
                if let Err(e) = sink.flush().await {
                    return Pumped::Lost(e.to_string());
                }
            }
            frame = stream.next() => match frame {
                None | Some(Ok(Message::Close(_))) => return Pumped::Lost("closed by the peer".into()),
                Some(Err(e)) => return Pumped::Lost(e.to_string()),
                Some(Ok(_)) => {}
            }
        }
    }
}

/// `GET /peer`: check who is calling, then take the connection over as a plain
/// tokio-tungstenite stream (the same type of stream as the dialer's).
pub async fn accept(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let from = match check_peer(&shared, req.headers()) {
        Ok(from) => from,
        Err(why) => {
            shared.metrics.rejected_peers.inc();
            tracing::warn!("refused a peer connection: {why}");
            return (StatusCode::FORBIDDEN, why).into_response();
        }
    };
    let Some(key) = req.headers().get(header::SEC_WEBSOCKET_KEY).map(|k| derive_accept_key(k.as_bytes())) else {
        return (StatusCode::BAD_REQUEST, "a WebSocket upgrade is expected").into_response();
    };
    let upgrade = hyper::upgrade::on(req);
    tokio::spawn(async move {
        match upgrade.await {
            Ok(io) => {
                let ws = WebSocketStream::from_raw_socket(TokioIo::new(io), Role::Server, Some(config())).await;
                serve_incoming(shared, from, ws).await;
            }
            Err(e) => tracing::warn!(peer = %from, "peer upgrade failed: {e}"),
        }
    });
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, "upgrade")
        .header(header::UPGRADE, "websocket")
        .header(header::SEC_WEBSOCKET_ACCEPT, key)
        .body(Body::empty())
        .expect("a valid response")
}

/// The calling peer's id, if it is one of ours and presents our cluster and secret.
fn check_peer(shared: &Shared, h: &HeaderMap) -> Result<NodeId, String> {
    let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok());
    let version = get(H_VERSION).unwrap_or("none");
    if version != VERSION.to_string() {
        return Err(format!("peer protocol version {version}, not {VERSION}"));
    }
    let id = get(H_ID).and_then(|v| v.parse::<u32>().ok()).map(NodeId);
    let from = id.filter(|id| shared.peers.contains_key(id)).ok_or_else(|| format!("unknown peer id {id:?}"))?;
    let cluster = get(H_CLUSTER).unwrap_or("");
    if cluster != shared.cluster_id {
        return Err(format!("peer {from} is of cluster `{cluster}`, not `{}`", shared.cluster_id));
    }
    if let Some(secret) = &shared.secret {
        let given = get(H_SECRET).unwrap_or("");
        if !bool::from(given.as_bytes().ct_eq(secret.as_bytes())) {
            return Err(format!("peer {from} did not present the cluster secret"));
        }
    }
    Ok(from)
}

/// Read what `from` sends until its connection closes.
async fn serve_incoming<S>(shared: Arc<Shared>, from: NodeId, ws: WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    // The node hears that an earlier connection of this peer closed before it hears
    // anything sent on this one: the reader starts once the connection is registered.
    let (go, ready) = tokio::sync::oneshot::channel::<()>();
    let reader = {
        let shared = shared.clone();
        tokio::spawn(async move {
            if ready.await.is_ok() {
                read_peer(&shared, from, ws).await;
            }
        })
    };
    let n = shared.incoming_opened(from, reader.abort_handle());
    let _ = go.send(());
    let _ = reader.await;
    shared.incoming_closed(from, n);
}

async fn read_peer<S>(shared: &Shared, from: NodeId, mut ws: WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    while let Some(frame) = ws.next().await {
        let text = match frame {
            Ok(Message::Text(text)) => text,
            Ok(Message::Close(_)) | Err(_) => return,
            Ok(_) => continue,
        };
        match serde_json::from_str::<FrameIn>(&text) {
            Ok(FrameIn { v: VERSION, id, msg }) => {
                if shared.inbox.send(Input::Message { from, msg, id }).is_err() {
                    return; // the node stopped
                }
            }
            Ok(FrameIn { v, .. }) => return refuse(shared, from, format!("frame version {v}")),
            Err(e) => return refuse(shared, from, e.to_string()),
        }
    }
}

fn refuse(shared: &Shared, from: NodeId, why: String) {
    shared.metrics.rejected_peers.inc();
    tracing::warn!(peer = %from, "closing a peer connection after a bad frame: {why}");
}
