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
use serde_json::json;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

pub async fn subscribe(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| stream(shared, socket))
}

async fn stream(shared: Arc<Shared>, mut socket: WebSocket) {
    let mut lines = shared.events.subscribe();
    let m = &shared.metrics;
    m.event_subscribers.inc();
    loop {
        tokio::select! {
            line = lines.recv() => match line {
                Ok(line) => {
                    if socket.send(Message::text(line.to_string())).await.is_err() {
                        break;
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    m.event_subscribers_lagged.inc();
                    tracing::info!("an /events subscriber lagged {missed} lines behind (buffer {EVENTS_BUFFER}): dropped");
                    let _ = socket.send(Message::text(json!({"lagged": missed}).to_string())).await;
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
