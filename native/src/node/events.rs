//! `/events`: the node's trace (`docs/trace.md`, the simulator's format) as a live
//! stream for the web app's live mode: WebSocket text frames of one or more JSON lines
//! (newline-separated), each gathering up to [`FRAME_MS`] of the trace.
//!
//! Each subscriber reads from a bounded broadcast buffer; the node task never waits
//! for one. A subscriber that falls [`EVENTS_BUFFER`] frames behind, or takes as long
//! as those frames cover to accept one, is sent `{"lagged": N}` (the frames it missed)
//! and closed, and counted.

use super::net::{Shared, EVENTS_BUFFER, FRAME_MS};
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use futures_util::SinkExt;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

pub async fn subscribe(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    ws.read_buffer_size(crate::ws::READ_BUFFER_BYTES).on_upgrade(move |socket| stream(shared, socket))
}

/// Frames written before one flush.
const BATCH: usize = 16;

async fn stream(shared: Arc<Shared>, mut socket: WebSocket) {
    let mut lines = shared.events.subscribe();
    let m = &shared.metrics;
    m.event_subscribers.inc();
    loop {
        tokio::select! {
            line = lines.recv() => match line {
                Ok(line) => match send_batch(&mut socket, line, &mut lines).await {
                    Ok(None) => {}
                    Ok(Some(missed)) => {
                        lagged(&shared, &mut socket, missed).await;
                        break;
                    }
                    Err(_) => break,
                },
                Err(RecvError::Lagged(missed)) => {
                    lagged(&shared, &mut socket, missed).await;
                    break;
                }
                Err(RecvError::Closed) => break,
            },
            // A subscriber only listens; anything it sends, or its going, ends nothing
            // but its own stream.
            frame = socket.recv() => match frame {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    m.event_subscribers.dec();
    let _ = socket.send(Message::Close(None)).await;
}

/// How long a subscriber may take to accept frames: as long as its buffer covers. One
/// that does not read at all is found out then, not only once it reads again.
const SEND_LIMIT: Duration = Duration::from_millis(EVENTS_BUFFER as u64 * FRAME_MS);

/// Tell a subscriber it fell behind by `missed` frames (if it still listens at all);
/// it is dropped next.
async fn lagged(shared: &Shared, socket: &mut WebSocket, missed: u64) {
    shared.metrics.event_subscribers_lagged.inc();
    tracing::info!("an /events subscriber lagged {missed} frames behind (buffer {EVENTS_BUFFER}): dropped");
    let notice = socket.send(Message::text(json!({"lagged": missed}).to_string()));
    let _ = tokio::time::timeout(Duration::from_millis(100), notice).await;
}

/// Write `first` and the lines already waiting behind it, one frame each, then flush.
/// `Some(missed)` if the subscriber turned out to have lagged.
async fn send_batch(
    socket: &mut WebSocket,
    first: Utf8Bytes,
    lines: &mut tokio::sync::broadcast::Receiver<Utf8Bytes>,
) -> Result<Option<u64>, axum::Error> {
    let write = async {
        socket.feed(Message::Text(first)).await?;
        let mut missed = None;
        for _ in 1..BATCH {
            match lines.try_recv() {
                Ok(line) => socket.feed(Message::Text(line)).await?,
                Err(TryRecvError::Lagged(n)) => {
                    missed = Some(n);
                    break;
                }
                Err(_) => break,
            }
        }
        socket.flush().await?;
        Ok(missed)
    };
    match tokio::time::timeout(SEND_LIMIT, write).await {
        Ok(written) => written,
        Err(_) => Ok(Some(lines.len() as u64)),
    }
}
