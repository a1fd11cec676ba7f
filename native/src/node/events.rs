//! `/events`: the node's trace (`docs/trace.md`, the simulator's format) as a live
//! stream, one JSON line per WebSocket text frame, for the web app's live mode.
//!
//! Each subscriber reads from a bounded broadcast buffer; the node task never waits
//! for one. A subscriber that falls [`EVENTS_BUFFER`] lines behind is sent
//! `{"lagged": N}` (the lines it missed) and closed, and counted.

use super::net::{Shared, EVENTS_BUFFER};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use futures_util::SinkExt;
use serde_json::json;
use std::sync::Arc;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

pub async fn subscribe(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| stream(shared, socket))
}

/// Lines written before one flush: a classroom of subscribers costs one system call
/// per subscriber per burst of events, not one per line.
const BATCH: usize = 256;

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

/// Tell a subscriber it fell behind by `missed` lines; it is dropped next.
async fn lagged(shared: &Shared, socket: &mut WebSocket, missed: u64) {
    shared.metrics.event_subscribers_lagged.inc();
    tracing::info!("an /events subscriber lagged {missed} lines behind (buffer {EVENTS_BUFFER}): dropped");
    let _ = socket.send(Message::text(json!({"lagged": missed}).to_string())).await;
}

/// Write `first` and the lines already waiting behind it, one frame each, then flush.
/// `Some(missed)` if the subscriber turned out to have lagged.
async fn send_batch(
    socket: &mut WebSocket,
    first: Arc<str>,
    lines: &mut tokio::sync::broadcast::Receiver<Arc<str>>,
) -> Result<Option<u64>, axum::Error> {
    socket.feed(Message::text(first.to_string())).await?;
    let mut missed = None;
    for _ in 1..BATCH {
        match lines.try_recv() {
            Ok(line) => socket.feed(Message::text(line.to_string())).await?,
            Err(TryRecvError::Lagged(n)) => {
                missed = Some(n);
                break;
            }
            Err(_) => break,
        }
    }
    socket.flush().await?;
    Ok(missed)
}
