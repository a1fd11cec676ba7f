//! The failover phase of `ensemble bench`: kill -9 the leader of a local ensemble
//! under write load, and time how long until a write succeeds again.
//!
//! Each round: wait until the ensemble serves, start `--clients` writers on the
//! followers (one write at a time each, a new connection when theirs is lost), let them
//! run a moment, kill the leader, and wait for the first success of a write *sent after*
//! the process was dead (a write sent before could have been committed by the old
//! leader). The figure is from the kill to that success. Then the old leader is
//! restarted from its log and the round ends when it has rejoined, so the next round
//! again kills a leader of a full ensemble.

use super::load::{progress, Workload, SESSION_TIMEOUT_MS};
use super::local::LocalEnsemble;
use super::probe::wait_serving;
use super::{ms, BenchArgs, BenchError, SERVING_LIMIT};
use crate::client::{Client, ClientError, ClientOptions, ErrorCode};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// How long the writers run before the kill, so it happens under load.
const WARM_UP: Duration = Duration::from_millis(300);
/// The longest wait for a write to succeed after a kill.
const RECOVERY_LIMIT: Duration = Duration::from_secs(15);
/// A writer's wait for one reply: a follower answers at once while it has no leader,
/// so only a stuck server makes a writer wait this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// A writer's pause after a failure, so a server without a leader is not spun on.
const RETRY_PAUSE: Duration = Duration::from_millis(1);

#[derive(Clone, Debug, Serialize)]
pub struct Round {
    pub round: u32,
    /// The leader killed.
    pub killed: u32,
    /// Who led once writes succeeded again.
    pub new_leader: u32,
    /// From the kill until a write sent after it succeeded.
    pub write_ms: f64,
    /// From restarting the killed node until every node serves again.
    pub rejoin_ms: f64,
    /// Writes acknowledged, and failed, during the round.
    pub writes: u64,
    pub errors: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct FailoverResult {
    pub rounds: Vec<Round>,
    /// Of `write_ms` over the rounds.
    pub median_ms: f64,
    pub max_ms: f64,
}

pub async fn run(
    ensemble: &mut LocalEnsemble,
    args: &BenchArgs,
    work: &Workload,
) -> Result<FailoverResult, BenchError> {
    let bar = progress("failover", u64::from(args.failover));
    let mut rounds = Vec::new();
    for round in 1..=args.failover {
        rounds.push(one_round(ensemble, round, args.clients, work).await?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let mut times: Vec<f64> = rounds.iter().map(|r| r.write_ms).collect();
    times.sort_by(f64::total_cmp);
    Ok(FailoverResult { median_ms: median(&times), max_ms: times.last().copied().unwrap_or(0.0), rounds })
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// What the writers of a round share.
struct Shared {
    /// When the leader was killed, and when it was certainly dead.
    kill: OnceLock<(Instant, Instant)>,
    stop: AtomicBool,
    /// When a write sent after the death succeeded (the first one is read).
    recovered: mpsc::Sender<Instant>,
    writes: AtomicU64,
    errors: AtomicU64,
}

async fn one_round(
    ensemble: &mut LocalEnsemble,
    round: u32,
    clients: u32,
    work: &Workload,
) -> Result<Round, BenchError> {
    let fail = |why: String| BenchError::Failover { round, why };
    let all = ensemble.addrs();
    let leader = wait_serving(&all, SERVING_LIMIT).await?.leader;
    let followers: Vec<String> = all.iter().filter(|a| *a != ensemble.addr(leader)).cloned().collect();
    let (recovered, mut first) = mpsc::channel(1);
    let shared = Arc::new(Shared {
        kill: OnceLock::new(),
        stop: AtomicBool::new(false),
        recovered,
        writes: AtomicU64::new(0),
        errors: AtomicU64::new(0),
    });
    let mut writers = JoinSet::new();
    for i in 0..clients as usize {
        let mut mine = followers.clone();
        mine.rotate_left(i % followers.len());
        let (key, value) = (work.keys[i % work.keys.len()].clone(), work.value.clone());
        writers.spawn(writer(mine, key, value, shared.clone()));
    }
    tokio::time::sleep(WARM_UP).await;
    if shared.writes.load(Ordering::Relaxed) == 0 {
        return Err(fail(format!("no write succeeded in the {WARM_UP:?} before the kill")));
    }
    let killed_at = Instant::now();
    ensemble.kill(leader);
    let _ = shared.kill.set((killed_at, Instant::now()));
    let back = tokio::time::timeout(RECOVERY_LIMIT, first.recv()).await;
    let Ok(Some(back)) = back else {
        return Err(fail(format!("no write succeeded within {RECOVERY_LIMIT:?} of the kill")));
    };
    shared.stop.store(true, Ordering::Relaxed);
    let _ = tokio::time::timeout(WRITE_TIMEOUT * 2, async { while writers.join_next().await.is_some() {} }).await;
    let new_leader = wait_serving(&followers, SERVING_LIMIT).await?.leader;
    let restarted = Instant::now();
    ensemble.restart(leader).await?;
    wait_serving(&all, SERVING_LIMIT).await?;
    Ok(Round {
        round,
        killed: leader,
        new_leader,
        write_ms: ms(back.duration_since(killed_at)),
        rejoin_ms: ms(restarted.elapsed()),
        writes: shared.writes.load(Ordering::Relaxed),
        errors: shared.errors.load(Ordering::Relaxed),
    })
}

/// Set `key` again and again through the first of `servers` that takes a session,
/// until told to stop; report successes of writes sent after the kill.
async fn writer(servers: Vec<String>, key: String, value: Arc<String>, shared: Arc<Shared>) {
    let mut client: Option<Client> = None;
    while !shared.stop.load(Ordering::Relaxed) {
        let Some(c) = client.as_ref() else {
            client = connect_any(&servers).await;
            if client.is_none() {
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            continue;
        };
        let sent = Instant::now();
        match c.set(&key, &value, None).await {
            Ok(_) => {
                shared.writes.fetch_add(1, Ordering::Relaxed);
                if shared.kill.get().is_some_and(|(_, dead)| sent >= *dead) {
                    let _ = shared.recovered.try_send(Instant::now());
                }
            }
            Err(e) => {
                shared.errors.fetch_add(1, Ordering::Relaxed);
                // The connection or the session is gone: start over; otherwise (no
                // leader yet) the same session tries again.
                let gone = matches!(e, ClientError::ConnectionLoss(_))
                    || matches!(e, ClientError::Server { code: ErrorCode::SessionExpired, .. });
                if gone {
                    client = None;
                }
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    }
    if let Some(c) = client {
        let _ = tokio::time::timeout(WRITE_TIMEOUT, c.close()).await;
    }
}

async fn connect_any(servers: &[String]) -> Option<Client> {
    let opts =
        ClientOptions { session_timeout_ms: SESSION_TIMEOUT_MS, session_id: None, request_timeout: WRITE_TIMEOUT };
    for server in servers {
        if let Ok(c) = Client::connect_with(server, opts.clone()).await {
            return Some(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(super::median(&[]), 0.0);
        assert_eq!(super::median(&[1.0, 5.0, 9.0]), 5.0);
        assert_eq!(super::median(&[1.0, 3.0, 5.0, 9.0]), 4.0);
    }
}
