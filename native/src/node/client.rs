//! The server side of the client protocol (`/client`, `docs/client-protocol.md`).
//!
//! One task per connection turns JSON frames into the core's `ClientRequest`s for the
//! node task and its answers back into frames. It checks frames at the edge (JSON, an
//! `id`, a known `op`, field types, paths, the size limit), so the node only ever sees
//! well-formed requests; a refused frame gets an error frame and a log line, and only a
//! frame over the limit closes the connection. When the connection goes (closed, or
//! silent for its session timeout) the node detaches the client: its session lives on
//! until it expires, or until the client connects again elsewhere with its id.

use super::driver::Input;
use super::net::{Shared, ToClient};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use ensemble_core::client::{ClientOp, ClientReply, ClientRequest, ErrorCode, ReplyBody};
use ensemble_core::tree::path;
use ensemble_core::tree::ZkReply;
use ensemble_core::types::ClientId;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The operations a client may send (the core knows others: Paxos's `propose`, and the
/// runtime's own `disconnect`).
const OPS: &[&str] =
    &["connect", "create", "get", "set", "delete", "exists", "children", "sync", "ping", "close", "check", "multi"];
/// The session timeouts a server grants: a client asking for less or more gets the
/// bound (ZooKeeper negotiates within `minSessionTimeout`..`maxSessionTimeout` too).
pub const SESSION_TIMEOUT_MS: std::ops::RangeInclusive<u64> = 200..=60_000;
/// The largest client frame (ZooKeeper's `jute.maxbuffer` is 1 MiB too).
pub const FRAME_MAX: usize = 1 << 20;
/// How long a connection may stay silent before it has a session.
const IDLE_BEFORE_CONNECT: Duration = Duration::from_secs(10);
/// Requests of one connection awaiting their answers; beyond it we stop reading its
/// socket until some are answered (a flood waits in its own TCP buffers, not our memory).
const MAX_IN_FLIGHT: usize = 10_000;

pub async fn upgrade(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    ws.read_buffer_size(crate::ws::READ_BUFFER_BYTES)
        .max_message_size(FRAME_MAX)
        .max_frame_size(FRAME_MAX)
        .on_upgrade(move |socket| serve(shared, socket))
}

/// A refused frame: its id (if it had one), the code and why.
type Refusal = (Option<u64>, ErrorCode, String);

/// Refused frames logged one by one per connection; the rest are counted, and logged
/// once when it closes (a flood must not flood the log).
const LOGGED_REFUSALS: u64 = 10;

struct Conn {
    shared: Arc<Shared>,
    client: ClientId,
    refusals: u64,
    /// The client's id of each request the node has, by the core's sequence number,
    /// with when it came and whether it reads.
    ids: HashMap<u64, (u64, Instant, bool)>,
    idle: Duration,
}

async fn serve(shared: Arc<Shared>, socket: WebSocket) {
    let (client, mut answers) = shared.client_opened();
    let mut conn = Conn { shared: shared.clone(), client, refusals: 0, ids: HashMap::new(), idle: IDLE_BEFORE_CONNECT };
    let (mut sink, mut stream) = socket.split();
    loop {
        let reply = tokio::select! {
            frame = tokio::time::timeout(conn.idle, stream.next()), if conn.ids.len() < MAX_IN_FLIGHT => {
                match frame {
                    Err(_) => {
                        tracing::info!(client = client.0, "closing a client connection silent for {:?}", conn.idle);
                        break;
                    }
                    Ok(None | Some(Ok(Message::Close(_)))) => break,
                    Ok(Some(Err(e))) => {
                        too_large(&mut conn, e, &mut sink).await;
                        break;
                    }
                    Ok(Some(Ok(Message::Text(text)))) => conn.request(&text),
                    Ok(Some(Ok(Message::Binary(_)))) => Some(conn.refused((None, ErrorCode::Malformed, "binary frame: requests are JSON text".into()))),
                    Ok(Some(Ok(_))) => None, // WebSocket pings and pongs
                }
            }
            answer = answers.recv() => match answer {
                Some(answer) => conn.answer(answer),
                None => break,
            },
        };
        if let Some(text) = reply {
            if send_ready(&mut conn, &mut sink, &mut answers, text).await.is_err() {
                break;
            }
        }
    }
    if conn.refusals > LOGGED_REFUSALS {
        tracing::info!(client = client.0, "connection closed after {} refused frames", conn.refusals);
    }
    shared.client_closed(client);
}

/// At most this many answers go out in one write.
const WRITE_BATCH: usize = 64;

type Sink = futures_util::stream::SplitSink<WebSocket, Message>;

/// Send `text` and the answers already waiting behind it in one write to the socket,
/// not one write each.
async fn send_ready(
    conn: &mut Conn,
    sink: &mut Sink,
    answers: &mut tokio::sync::mpsc::UnboundedReceiver<ToClient>,
    text: String,
) -> Result<(), axum::Error> {
    sink.feed(Message::text(text)).await?;
    for _ in 1..WRITE_BATCH {
        let Ok(answer) = answers.try_recv() else { break };
        if let Some(text) = conn.answer(answer) {
            sink.feed(Message::text(text)).await?;
        }
    }
    sink.flush().await
}

/// A read error: if the frame was over the limit, say so and close with 1009.
async fn too_large(conn: &mut Conn, e: axum::Error, sink: &mut Sink) {
    use tokio_tungstenite::tungstenite::Error;
    let inner = e.into_inner();
    if let Some(Error::Capacity(why)) = inner.downcast_ref::<Error>() {
        let why = format!("frame over the limit of {FRAME_MAX} bytes: {why}");
        let text = conn.refused((None, ErrorCode::TooLarge, why));
        let _ = sink.send(Message::text(text)).await;
        let close = CloseFrame { code: 1009, reason: "frame too large".into() };
        let _ = sink.send(Message::Close(Some(close))).await;
    } else {
        tracing::debug!(client = conn.client.0, "client connection failed: {inner}");
    }
}

impl Conn {
    /// Hand a request to the node, or the error frame that refuses it.
    fn request(&mut self, text: &str) -> Option<String> {
        match parse(text) {
            Ok((id, op)) => {
                let seq = self.shared.next_seq();
                let read = matches!(op, ClientOp::Get { .. } | ClientOp::Exists { .. } | ClientOp::Children { .. });
                self.ids.insert(seq, (id, Instant::now(), read));
                let req = ClientRequest { client: self.client, seq, op };
                let _ = self.shared.inbox.send(Input::Request(req));
                None
            }
            Err(refusal) => Some(self.refused(refusal)),
        }
    }

    fn refused(&mut self, (id, code, message): Refusal) -> String {
        self.shared.metrics.rejected_frames.inc();
        self.refusals += 1;
        if self.refusals <= LOGGED_REFUSALS {
            tracing::info!(client = self.client.0, "refused a client frame: {code:?}: {message}");
        }
        json!({"id": id, "ok": false, "error": {"code": code, "message": message}}).to_string()
    }

    fn answer(&mut self, answer: ToClient) -> Option<String> {
        match answer {
            ToClient::Watch { kind, path } => Some(json!({"watch": {"type": kind, "path": path}}).to_string()),
            ToClient::Reply(reply) => {
                let (id, came, read) = self.ids.remove(&reply.seq)?;
                let m = &self.shared.metrics;
                let latency = if read { &m.read_latency_ms } else { &m.update_latency_ms };
                latency.observe(came.elapsed().as_secs_f64() * 1_000.0);
                if let Ok(ReplyBody::Zk(ZkReply::Connected { timeout_ms, .. })) = &reply.result {
                    self.idle = Duration::from_millis(*timeout_ms);
                }
                Some(reply_frame(id, reply))
            }
        }
    }
}

fn reply_frame(id: u64, reply: ClientReply) -> String {
    match reply.result {
        Ok(body) => {
            // Bodies are JSON objects: their fields follow `id` and `ok`.
            let body = serde_json::to_string(&body).unwrap_or_else(|_| "{}".into());
            let head = format!("\"id\":{id},\"ok\":true");
            crate::ws::fields_first(&head, &body).unwrap_or_else(|| format!("{{{head}}}"))
        }
        Err(e) => json!({"id": id, "ok": false, "error": e}).to_string(),
    }
}

/// A frame as a request, or why not.
fn parse(text: &str) -> Result<(u64, ClientOp), Refusal> {
    let malformed = |id, why: String| (id, ErrorCode::Malformed, why);
    let value: Value = serde_json::from_str(text).map_err(|e| malformed(None, format!("not JSON: {e}")))?;
    let Value::Object(fields) = &value else { return Err(malformed(None, "a request is a JSON object".into())) };
    let id = fields.get("id").and_then(Value::as_u64);
    let id = id.ok_or_else(|| malformed(None, "`id` (an unsigned integer) is missing".into()))?;
    let name = fields.get("op").and_then(Value::as_str).ok_or_else(|| malformed(Some(id), "`op` is missing".into()))?;
    let Some(name) = OPS.iter().find(|o| **o == name) else {
        return Err(malformed(Some(id), format!("unknown op `{name}`")));
    };
    let mut op: ClientOp = serde_json::from_value(value).map_err(|e| malformed(Some(id), format!("{name}: {e}")))?;
    check_paths(&op).map_err(|why| (Some(id), ErrorCode::BadArguments, why))?;
    if let ClientOp::Connect { session_timeout_ms, .. } = &mut op {
        let (min, max) = SESSION_TIMEOUT_MS.into_inner();
        *session_timeout_ms = (*session_timeout_ms).clamp(min, max);
    }
    Ok((id, op))
}

/// Refuse an invalid path here, with the reason, rather than in the ensemble.
fn check_paths(op: &ClientOp) -> Result<(), String> {
    let (path, valid) = match op {
        ClientOp::Create { path, sequential, .. } => (path, path::validate_create(path, *sequential)),
        ClientOp::Get { path, .. }
        | ClientOp::Set { path, .. }
        | ClientOp::Delete { path, .. }
        | ClientOp::Exists { path, .. }
        | ClientOp::Children { path, .. }
        | ClientOp::Sync { path }
        | ClientOp::Check { path, .. } => (path, path::validate(path)),
        ClientOp::Multi { ops } => return ops.iter().try_for_each(check_paths),
        _ => return Ok(()),
    };
    valid.map_err(|_| format!("invalid path {path:?}: a path starts with / and has no empty, `.` or `..` parts"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> (Option<u64>, ErrorCode) {
        let (id, code, _) = parse(text).expect_err("refused");
        (id, code)
    }

    #[test]
    fn frames_are_checked_at_the_edge_with_the_clients_id_when_it_has_one() {
        assert_eq!(code("not json"), (None, ErrorCode::Malformed));
        assert_eq!(code("[1]"), (None, ErrorCode::Malformed));
        assert_eq!(code(r#"{"op":"get","path":"/"}"#), (None, ErrorCode::Malformed));
        assert_eq!(code(r#"{"id":-1,"op":"get"}"#), (None, ErrorCode::Malformed));
        assert_eq!(code(r#"{"id":3,"op":"propose","value":"x"}"#), (Some(3), ErrorCode::Malformed));
        assert_eq!(code(r#"{"id":3,"op":"disconnect"}"#), (Some(3), ErrorCode::Malformed));
        assert_eq!(code(r#"{"id":4,"op":"get","path":7}"#), (Some(4), ErrorCode::Malformed));
        assert_eq!(code(r#"{"id":5,"op":"get","path":"a/b"}"#), (Some(5), ErrorCode::BadArguments));
        let multi = r#"{"id":6,"op":"multi","ops":[{"op":"create","path":"/a//b"}]}"#;
        assert_eq!(code(multi), (Some(6), ErrorCode::BadArguments));
        let (id, op) = parse(r#"{"id":7,"op":"create","path":"/a","data":"x","ephemeral":true}"#).expect("valid");
        assert_eq!((id, op.name()), (7, "create"));
        let (_, op) = parse(r#"{"id":8,"op":"connect","session_timeout_ms":5}"#).expect("valid");
        assert_eq!(op, ClientOp::connect(200), "the timeout is negotiated up to the minimum");
        let (_, op) = parse(r#"{"id":9,"op":"connect","session_timeout_ms":99999999}"#).expect("valid");
        assert_eq!(op, ClientOp::connect(60_000), "and down to the maximum");
    }

    #[test]
    fn a_reply_frame_carries_the_clients_id_and_the_body_fields() {
        let req = ClientRequest { client: ClientId(1), seq: 9, op: ClientOp::connect(4_000) };
        let session = ensemble_core::types::SessionId(5);
        let ok = ClientReply::ok(&req, ReplyBody::Zk(ZkReply::Connected { session_id: session, timeout_ms: 4_000 }));
        let frame: Value = serde_json::from_str(&reply_frame(42, ok)).expect("JSON");
        assert_eq!(frame, json!({"id": 42, "ok": true, "session_id": 5, "timeout_ms": 4000}));
        let err = ClientReply::error(&req, ErrorCode::NoNode, "get /x");
        let frame: Value = serde_json::from_str(&reply_frame(43, err)).expect("JSON");
        assert_eq!(frame, json!({"id": 43, "ok": false, "error": {"code": "NoNode", "message": "get /x"}}));
    }
}
