//! One connection's machinery: a writer task that owns the socket's sending half, a
//! reader task that routes each reply to the request waiting for its `id` and each
//! watch push to the watch channel, and a keep-alive task.
//!
//! Requests are numbered and registered *before* they are sent, so a reply can never
//! arrive for an id nobody waits on; when the socket closes, every waiting request fails
//! with `ConnectionLoss` at once, and later ones fail without waiting.

use super::types::{verdict, ClientError, Reply, WatchEvent};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Outcome = Result<Reply, ClientError>;
/// Requests awaiting replies by id, or why the connection is gone.
type Waiting = Result<HashMap<u64, oneshot::Sender<Outcome>>, String>;

/// Watch pushes are queued up to this many; past it (nobody reads them) they are
/// dropped with a warning rather than stall the replies behind them.
pub const WATCH_QUEUE: usize = 4096;

/// A request's name, read back only to say which one went unanswered.
#[derive(Deserialize)]
struct OpName {
    op: String,
}

/// What the client's handle and its tasks share.
pub(crate) struct Shared {
    waiting: Mutex<Waiting>,
    next_id: AtomicU64,
    out: mpsc::UnboundedSender<Message>,
    pub(crate) request_timeout: Duration,
}

impl Shared {
    /// Send `op` (a JSON object without `id`) and wait, at most the request timeout,
    /// for its reply.
    pub(crate) async fn call(&self, op: &impl Serialize) -> Outcome {
        let fields = serde_json::to_string(op).map_err(ClientError::protocol)?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let text = Some(fields.as_str())
            .filter(|f| *f != "{}")
            .and_then(|f| crate::ws::fields_first(&format!("\"id\":{id}"), f));
        let Some(text) = text else {
            return Err(ClientError::protocol("a request is a JSON object with an op"));
        };
        let (tx, rx) = oneshot::channel();
        match &mut *self.lock() {
            Ok(waiting) => waiting.insert(id, tx),
            Err(why) => return Err(ClientError::ConnectionLoss(why.clone())),
        };
        if self.out.send(Message::Text(text.into())).is_err() {
            self.forget(id);
            return Err(ClientError::ConnectionLoss("the connection is closed".into()));
        }
        match tokio::time::timeout(self.request_timeout, rx).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(ClientError::ConnectionLoss("the connection closed".into())),
            Err(_) => {
                // Forget it, so a reply that comes after all is dropped, not leaked.
                self.forget(id);
                let name = serde_json::from_str::<OpName>(&fields).map_or_else(|_| "?".into(), |o| o.op);
                Err(ClientError::ConnectionLoss(format!("no reply to {name} within {:?}", self.request_timeout)))
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        // A panic elsewhere while holding this lock leaves the map usable as it was.
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn forget(&self, id: u64) {
        if let Ok(waiting) = &mut *self.lock() {
            waiting.remove(&id);
        }
    }

    /// Fail every waiting request and every later one with `ConnectionLoss(why)`.
    pub(crate) fn fail_all(&self, why: &str) {
        let before = std::mem::replace(&mut *self.lock(), Err(why.to_string()));
        for (_, tx) in before.into_iter().flatten() {
            let _ = tx.send(Err(ClientError::ConnectionLoss(why.to_string())));
        }
    }

    /// Ask the writer to close the WebSocket (after what is queued before it).
    pub(crate) fn close_socket(&self) {
        let _ = self.out.send(Message::Close(None));
    }

    /// Route one text frame: a watch push or the reply to a waiting request.
    fn route(&self, text: &str, watches: &mpsc::Sender<WatchEvent>) {
        let frame = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(frame)) => frame,
            _ => return tracing::warn!("the server sent a frame that is not a JSON object: {text}"),
        };
        if let Some(push) = frame.get("watch") {
            return match serde_json::from_value::<WatchEvent>(push.clone()) {
                Ok(ev) => {
                    if watches.try_send(ev).is_err() {
                        tracing::warn!("watch event dropped: nobody reads the watch channel, or it is full");
                    }
                }
                Err(e) => tracing::warn!("unreadable watch push {text}: {e}"),
            };
        }
        let Some(id) = frame.get("id").and_then(Value::as_u64) else {
            // `"id": null`: the server could not read some request's id; nothing to wake.
            return tracing::warn!("the server sent a reply with no usable id: {text}");
        };
        let waiter = match &mut *self.lock() {
            Ok(waiting) => waiting.remove(&id),
            Err(_) => None,
        };
        if let Some(tx) = waiter {
            let _ = tx.send(verdict(id, frame));
        }
    }
}

/// Start the writer and reader tasks of `socket`; the shared state, the watch channel's
/// receiving end, and the tasks (to abort when the client goes).
pub(crate) fn start(
    socket: Socket,
    request_timeout: Duration,
) -> (Arc<Shared>, mpsc::Receiver<WatchEvent>, Vec<AbortHandle>) {
    let (sink, stream) = socket.split();
    let (out, out_rx) = mpsc::unbounded_channel();
    let (watch_tx, watch_rx) = mpsc::channel(WATCH_QUEUE);
    let shared =
        Arc::new(Shared { waiting: Mutex::new(Ok(HashMap::new())), next_id: AtomicU64::new(1), out, request_timeout });
    let writer = tokio::spawn(write_loop(sink, out_rx, Arc::downgrade(&shared)));
    let reader = tokio::spawn(read_loop(stream, shared.clone(), watch_tx));
    (shared, watch_rx, vec![writer.abort_handle(), reader.abort_handle()])
}

async fn write_loop(
    mut sink: futures_util::stream::SplitSink<Socket, Message>,
    mut queue: mpsc::UnboundedReceiver<Message>,
    shared: Weak<Shared>,
) {
    let mut batch = Vec::new();
    while queue.recv_many(&mut batch, WRITE_BATCH).await > 0 {
        // What is queued goes out together: one write to the socket, not one per request.
        let mut closing = false;
        let mut sent = Ok(());
        for msg in batch.drain(..) {
            if closing {
                break; // nothing is sent after a close
            }
            closing = matches!(msg, Message::Close(_));
            sent = sent.and(sink.feed(msg).await);
        }
        if let Err(e) = sent.and(sink.flush().await) {
            if let Some(s) = shared.upgrade() {
                s.fail_all(&format!("sending failed: {e}"));
            }
            return;
        }
        if closing {
            return;
        }
    }
}

/// At most this many queued requests are written together.
const WRITE_BATCH: usize = 64;

async fn read_loop(
    mut stream: futures_util::stream::SplitStream<Socket>,
    shared: Arc<Shared>,
    watches: mpsc::Sender<WatchEvent>,
) {
    let why = loop {
        match stream.next().await {
            Some(Ok(Message::Text(text))) => shared.route(text.as_str(), &watches),
            Some(Ok(Message::Close(frame))) => {
                break frame.map_or("the server closed the connection".into(), |f| {
                    format!("the server closed the connection ({}: {})", u16::from(f.code), f.reason)
                })
            }
            Some(Ok(_)) => {} // pings are answered by tungstenite; nothing else is expected
            Some(Err(e)) => break format!("the connection failed: {e}"),
            None => break "the connection closed".to_string(),
        }
    };
    shared.fail_all(&why);
    // Dropping `watches` here ends the watch channel: a watcher sees the loss too.
}

/// Ping every `period` while the client lives, so the server keeps the session; stop
/// at the first lost connection (the reader has already failed everything).
pub(crate) fn keep_alive(shared: &Arc<Shared>, period: Duration) -> AbortHandle {
    let shared = Arc::downgrade(shared);
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.tick().await; // the first tick is immediate; the connect just went
        loop {
            tick.tick().await;
            let Some(s) = shared.upgrade() else { return };
            match s.call(&super::Op::Ping {}).await {
                Err(ClientError::ConnectionLoss(why)) if s.lock().is_err() => {
                    return tracing::debug!("keep-alive stops: {why}");
                }
                Err(e) => tracing::warn!("keep-alive ping: {e}"),
                Ok(_) => {}
            }
        }
    });
    task.abort_handle()
}
