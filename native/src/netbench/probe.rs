//! What `ensemble bench` asks of the servers themselves: their `/status` (who leads, in
//! which phase, their fsync distribution and memory), and a local ensemble's start-up
//! timings. Every wait is bounded.

use super::local::{LocalEnsemble, StartupLine};
use super::{load, ms, BenchError, SERVING_LIMIT};
use crate::cli::status::fetch_status;
use crate::client::{Client, ClientError, ClientOptions, CreateMode, ErrorCode};
use futures_util::future::{join_all, try_join_all};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::{Duration, Instant};

/// The longest wait for one `/status` answer.
const STATUS_LIMIT: Duration = Duration::from_secs(2);
/// How often a wait polls: short, since start-up and failover are timed by it.
const POLL: Duration = Duration::from_millis(5);

/// A node's fsync durations in microseconds, cumulative since it started (its
/// `/status` field `fsync_micros`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsyncStats {
    pub count: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
}

/// What one server's `/status` says of its disk and memory; `None` where it did not
/// answer or has no such field (older servers).
#[derive(Clone, Debug, Default)]
pub struct NodeFigures {
    pub id: Option<u32>,
    pub fsync_micros: Option<FsyncStats>,
    pub rss_bytes: Option<u64>,
}

/// One node's fsync distribution at some moment, for the report.
#[derive(Clone, Debug, Serialize)]
pub struct NodeFsync {
    pub id: Option<u32>,
    pub fsync_micros: Option<FsyncStats>,
}

impl NodeFigures {
    pub fn fsync(&self) -> NodeFsync {
        NodeFsync { id: self.id, fsync_micros: self.fsync_micros }
    }

    fn of(status: Option<&Value>) -> NodeFigures {
        let field = |name: &str| status.and_then(|s| s.get(name)).cloned().unwrap_or(Value::Null);
        NodeFigures {
            id: field("id").as_u64().map(|id| id as u32),
            fsync_micros: serde_json::from_value(field("fsync_micros")).ok(),
            rss_bytes: field("rss_bytes").as_u64(),
        }
    }
}

/// Each server's figures now, in the order of `addrs`.
pub async fn figures(addrs: &[String]) -> Vec<NodeFigures> {
    let statuses = join_all(addrs.iter().map(|a| fetch_status(a, STATUS_LIMIT))).await;
    statuses.iter().map(|s| NodeFigures::of(s.as_ref().ok())).collect()
}

/// Who leads a serving ensemble.
#[derive(Clone, Debug)]
pub struct Serving {
    pub leader: u32,
    pub leader_addr: String,
}

/// Wait until the servers at `addrs` serve: one leads, every other follows (or
/// observes) it, all in phase BROADCAST.
pub async fn wait_serving(addrs: &[String], limit: Duration) -> Result<Serving, BenchError> {
    let deadline = Instant::now() + limit;
    loop {
        let statuses = join_all(addrs.iter().map(|a| fetch_status(a, STATUS_LIMIT))).await;
        match serving(addrs, &statuses) {
            Ok(s) => return Ok(s),
            Err(last) if Instant::now() >= deadline => return Err(BenchError::NotServing { limit, last }),
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

/// The leader, if `statuses` (of `addrs`) show a serving ensemble; otherwise what is not so.
fn serving(addrs: &[String], statuses: &[Result<Value, String>]) -> Result<Serving, String> {
    let mut ok = Vec::new();
    for (addr, st) in addrs.iter().zip(statuses) {
        ok.push((addr, st.as_ref().map_err(|e| format!("{addr}: {e}"))?));
    }
    let (leader_addr, leader) = ok.iter().find(|(_, st)| st["state"] == "LEADING").ok_or("no server leads")?;
    let id = leader["id"].as_u64().ok_or("the leader's /status has no id")?;
    for (addr, st) in &ok {
        if st["phase"] != "BROADCAST" || st["leader"].as_u64() != Some(id) {
            return Err(format!("{addr} is {} in {} with leader {}", st["state"], st["phase"], st["leader"]));
        }
    }
    Ok(Serving { leader: id as u32, leader_addr: leader_addr.to_string() })
}

/// Wait until the server at `addr` is in phase BROADCAST.
async fn wait_broadcast(addr: &str, limit: Duration) -> Result<(), BenchError> {
    let deadline = Instant::now() + limit;
    loop {
        let last = match fetch_status(addr, STATUS_LIMIT).await {
            Ok(st) if st["phase"] == "BROADCAST" => return Ok(()),
            Ok(st) => format!("{addr} is in {}", st["phase"]),
            Err(e) => format!("{addr}: {e}"),
        };
        if Instant::now() >= deadline {
            return Err(BenchError::NotServing { limit, last });
        }
        tokio::time::sleep(POLL).await;
    }
}

/// A local ensemble's start, timed from the spawn of its first process.
#[derive(Clone, Debug, Serialize)]
pub struct StartReport {
    /// Until the first write (a session, then a create) succeeded.
    pub first_write_ms: f64,
    /// Until the last node reached BROADCAST.
    pub all_broadcast_ms: f64,
    pub nodes: Vec<NodeStart>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NodeStart {
    pub id: u32,
    /// Until its startup line ("listening on": its log recovered, its port bound).
    pub listening_ms: f64,
    /// Until its `/status` said phase BROADCAST.
    pub broadcast_ms: f64,
}

/// Time a local ensemble's start: each node's startup line and phase BROADCAST, and
/// the first write through any of them, all watched at once.
pub async fn measure_start(
    ensemble: &LocalEnsemble,
    spawned: Instant,
    lines: Vec<StartupLine>,
) -> Result<StartReport, BenchError> {
    let nodes = lines.into_iter().zip(1..).map(|(line, id)| async move {
        ensemble.listening(id, line).await?;
        let listening_ms = ms(spawned.elapsed());
        wait_broadcast(ensemble.addr(id), SERVING_LIMIT).await?;
        Ok::<_, BenchError>(NodeStart { id, listening_ms, broadcast_ms: ms(spawned.elapsed()) })
    });
    let addrs = ensemble.addrs();
    let (nodes, written) = tokio::try_join!(try_join_all(nodes), first_write(&addrs, SERVING_LIMIT))?;
    let all_broadcast_ms = nodes.iter().map(|n| n.broadcast_ms).fold(0.0, f64::max);
    Ok(StartReport { first_write_ms: ms(written.duration_since(spawned)), all_broadcast_ms, nodes })
}

/// Try each server in turn until a write succeeds through one; when it did.
async fn first_write(addrs: &[String], limit: Duration) -> Result<Instant, BenchError> {
    let deadline = Instant::now() + limit;
    // Short: a server that is not up yet refuses at once; one that hangs is skipped.
    let opts = ClientOptions { request_timeout: Duration::from_secs(1), ..ClientOptions::default() };
    loop {
        let mut last = String::new();
        for addr in addrs {
            match try_write(addr, &opts).await {
                Ok(at) => return Ok(at),
                Err(e) => last = format!("{addr}: {e}"),
            }
        }
        if Instant::now() >= deadline {
            return Err(BenchError::NotServing { limit, last });
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Create the benchmark's root through `addr` (it may be there already); when that
/// succeeded.
async fn try_write(addr: &str, opts: &ClientOptions) -> Result<Instant, ClientError> {
    let client = Client::connect_with(addr, opts.clone()).await?;
    let created = client.create(load::ROOT, "", CreateMode::Persistent).await;
    let at = Instant::now();
    let _ = client.close().await;
    match created {
        Ok(_) => Ok(at),
        Err(ClientError::Server { code: ErrorCode::NodeExists, .. }) => Ok(at),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_ensemble_serves_when_one_leads_and_all_broadcast_under_it() {
        let addrs = vec!["a:1".to_string(), "b:2".to_string()];
        let leader = json!({"id": 2, "state": "LEADING", "phase": "BROADCAST", "leader": 2});
        let follower = json!({"id": 1, "state": "FOLLOWING", "phase": "BROADCAST", "leader": 2});
        let s = serving(&addrs, &[Ok(follower.clone()), Ok(leader.clone())]).expect("serving");
        assert_eq!((s.leader, s.leader_addr.as_str()), (2, "b:2"));
        let syncing = json!({"id": 1, "state": "FOLLOWING", "phase": "SYNCHRONIZATION", "leader": 2});
        assert!(serving(&addrs, &[Ok(syncing), Ok(leader.clone())]).is_err());
        assert!(serving(&addrs, &[Err("refused".into()), Ok(leader)]).is_err());
        assert!(serving(&addrs[..1], &[Ok(follower)]).is_err());
    }

    #[test]
    fn figures_missing_from_a_status_are_none() {
        let full = json!({"id": 3, "rss_bytes": 7000, "fsync_micros": {"count": 5, "p50": 90, "p90": 120, "p99": 400, "max": 900}});
        let f = NodeFigures::of(Some(&full));
        assert_eq!((f.id, f.rss_bytes, f.fsync_micros.map(|s| s.p99)), (Some(3), Some(7000), Some(400)));
        let old = NodeFigures::of(Some(&json!({"id": 1})));
        assert_eq!((old.id, old.rss_bytes, old.fsync_micros), (Some(1), None, None));
        assert_eq!(NodeFigures::of(None).id, None);
    }
}
