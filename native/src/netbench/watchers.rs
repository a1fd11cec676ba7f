//! `--subscribers N`: that many `/events` subscribers (a classroom watching the
//! ensemble), spread over the servers and reading all along the load phases, so a run
//! with and one without them show what watching costs the writes.

use super::BenchError;
use futures_util::StreamExt;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::task::JoinHandle;

pub struct Watchers {
    tasks: Vec<JoinHandle<()>>,
    lines: Arc<AtomicU64>,
    lagged: Arc<AtomicU64>,
}

/// What the subscribers saw.
#[derive(Clone, Debug, Serialize)]
pub struct WatchReport {
    pub subscribers: u32,
    /// Trace lines they received, all together.
    pub lines: u64,
    /// Subscribers the servers dropped for lagging.
    pub lagged: u64,
}

/// Open `n` subscribers, round-robin over `servers`.
pub async fn open(servers: &[String], n: u32) -> Result<Watchers, BenchError> {
    let (lines, lagged) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut tasks = Vec::new();
    for i in 0..n as usize {
        let url = format!("ws://{}/events", servers[i % servers.len()]);
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url.as_str(), Some(crate::ws::config()), false)
            .await
            .map_err(|e| BenchError::Usage(format!("{url}: {e}")))?;
        let (lines, lagged) = (lines.clone(), lagged.clone());
        tasks.push(tokio::spawn(async move {
            while let Some(Ok(frame)) = ws.next().await {
                let text = frame.to_text().unwrap_or_default();
                if text.starts_with("{\"lagged\"") {
                    lagged.fetch_add(1, Ordering::Relaxed);
                } else {
                    // A frame gathers one or more lines.
                    lines.fetch_add(text.lines().count() as u64, Ordering::Relaxed);
                }
            }
        }));
    }
    Ok(Watchers { tasks, lines, lagged })
}

impl Watchers {
    pub fn stop(self) -> WatchReport {
        for t in &self.tasks {
            t.abort();
        }
        WatchReport {
            subscribers: self.tasks.len() as u32,
            lines: self.lines.load(Ordering::Relaxed),
            lagged: self.lagged.load(Ordering::Relaxed),
        }
    }
}
