//! The load phases of `ensemble bench`: clients of the client library each keep a
//! number of requests outstanding (pipelined on one connection, replies matched by id)
//! until the phase's operations are taken, and record each reply's latency, from the
//! moment its request was sent, in an HDR histogram.
//!
//! Writes are `set`s of a `--value-size` value on a few keys under [`ROOT`], so the tree
//! stays small and every write costs the same; reads are `get`s of those keys.

use super::probe::NodeFsync;
use super::{ms, BenchArgs, BenchError, PhaseKind, PHASE_LIMIT};
use crate::client::{Client, ClientError, ClientOptions, CreateMode, ErrorCode};
use futures_util::future::{join_all, try_join_all};
use futures_util::stream::{FuturesUnordered, StreamExt};
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// The benchmark's znodes live under this one.
pub const ROOT: &str = "/bench";
/// How many keys the phases spread their operations over.
const KEYS: usize = 64;
/// The session timeout the benchmark's clients ask for: long enough that a pause of
/// the machine never expires one mid-phase.
pub const SESSION_TIMEOUT_MS: u64 = 10_000;
/// The largest latency the histograms hold (longer ones are counted as this).
const MAX_MICROS: u64 = 60_000_000;

/// What the phases write and read (cheap to clone: it is shared).
#[derive(Clone)]
pub struct Workload {
    pub keys: Arc<Vec<String>>,
    pub value: Arc<String>,
}

impl Workload {
    /// Create [`ROOT`] and its keys through the first server (any left by an earlier
    /// run are used as they are).
    pub async fn setup(servers: &[String], value_size: usize) -> Result<Workload, BenchError> {
        let value: String = (0..value_size).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let keys: Vec<String> = (0..KEYS).map(|k| format!("{ROOT}/k{k:02}")).collect();
        let client = Client::connect(&servers[0], SESSION_TIMEOUT_MS, None).await?;
        let absent_ok = |r: Result<String, ClientError>| match r {
            Err(ClientError::Server { code: ErrorCode::NodeExists, .. }) => Ok(()),
            other => other.map(drop),
        };
        absent_ok(client.create(ROOT, "", CreateMode::Persistent).await)?;
        let created = join_all(keys.iter().map(|k| client.create(k, &value, CreateMode::Persistent))).await;
        created.into_iter().try_for_each(absent_ok)?;
        let _ = client.close().await;
        Ok(Workload { keys: Arc::new(keys), value: Arc::new(value) })
    }
}

/// One phase's shape.
#[derive(Clone, Debug)]
pub struct Plan {
    pub kind: PhaseKind,
    /// The servers its clients connect to, in turn.
    pub servers: Vec<String>,
    pub clients: u32,
    pub depth: u32,
    pub ops: u64,
    pub read_ratio: f64,
}

impl Plan {
    pub fn new(kind: PhaseKind, args: &BenchArgs, servers: &[String], leader: &str) -> Plan {
        let spread = |read_ratio| Plan {
            kind,
            servers: servers.to_vec(),
            clients: args.clients,
            depth: args.pipeline,
            ops: args.operations,
            read_ratio,
        };
        match kind {
            // On the leader: one commit's latency, without a follower's forwarding hop.
            PhaseKind::Sequential => Plan {
                kind,
                servers: vec![leader.to_string()],
                clients: 1,
                depth: 1,
                ops: args.sequential_operations,
                read_ratio: 0.0,
            },
            PhaseKind::Pipelined => spread(0.0),
            PhaseKind::Reads => spread(1.0),
            PhaseKind::Mixed => spread(args.read_ratio),
        }
    }

    /// Whether operation `i` is a read: a fixed pseudo-random choice, so that reads
    /// and writes interleave evenly at the ratio.
    fn is_read(&self, i: u64) -> bool {
        let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) as f64 / u64::MAX as f64) < self.read_ratio
    }
}

/// Latencies of the successful operations, in milliseconds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Latency {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct PhaseResult {
    pub name: &'static str,
    pub clients: u32,
    pub pipeline: u32,
    pub servers: Vec<String>,
    pub operations: u64,
    pub reads: u64,
    pub writes: u64,
    pub errors: u64,
    /// Failed operations by ZooKeeper error code.
    pub error_codes: BTreeMap<String, u64>,
    pub seconds: f64,
    pub ops_per_sec: f64,
    pub latency_ms: Latency,
    /// Each node's fsync distribution right after the phase (cumulative).
    pub fsync_after: Vec<NodeFsync>,
}

/// Run one phase: connect its clients, then time its operations (not the connects).
pub async fn run(plan: &Plan, work: &Workload) -> Result<PhaseResult, BenchError> {
    let fail = |why: String| BenchError::Phase { phase: plan.kind.name().into(), why };
    let connects = (0..plan.clients as usize).map(|i| {
        let opts = ClientOptions { session_timeout_ms: SESSION_TIMEOUT_MS, ..ClientOptions::default() };
        Client::connect_with(&plan.servers[i % plan.servers.len()], opts)
    });
    let clients = try_join_all(connects).await.map_err(|e| fail(format!("connecting: {e}")))?;
    let clients: Vec<Arc<Client>> = clients.into_iter().map(Arc::new).collect();
    let bar = progress(plan.kind.name(), plan.ops);
    let (next, job) = (Arc::new(AtomicU64::new(0)), Arc::new(plan.clone()));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for client in &clients {
        let (client, next, job, work, bar) = (client.clone(), next.clone(), job.clone(), work.clone(), bar.clone());
        tasks.spawn(async move { drive(&client, &next, &job, &work, &bar).await });
    }
    let mut tally = Tally::new();
    let joined = tokio::time::timeout(PHASE_LIMIT, async {
        while let Some(done) = tasks.join_next().await {
            tally.merge(done.map_err(|e| fail(format!("a client task failed: {e}")))?);
        }
        Ok::<_, BenchError>(())
    });
    joined.await.map_err(|_| fail(format!("not done within {PHASE_LIMIT:?}")))??;
    let seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let closing = join_all(clients.iter().map(|c| c.close()));
    let _ = tokio::time::timeout(Duration::from_secs(5), closing).await;
    Ok(tally.result(plan, seconds))
}

/// One client's part: keep `plan.depth` requests outstanding until no operation is left.
async fn drive(client: &Client, next: &AtomicU64, plan: &Plan, work: &Workload, bar: &ProgressBar) -> Tally {
    let mut tally = Tally::new();
    let mut outstanding = FuturesUnordered::new();
    loop {
        while outstanding.len() < plan.depth as usize {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= plan.ops {
                break;
            }
            let (key, read) = (&work.keys[i as usize % work.keys.len()], plan.is_read(i));
            outstanding.push(async move {
                // Timed from the first poll, which is when the request is sent.
                let sent = Instant::now();
                let done = if read {
                    client.get(key, false).await.map(drop)
                } else {
                    client.set(key, &work.value, None).await.map(drop)
                };
                (read, sent.elapsed(), done)
            });
        }
        let Some((read, took, done)) = outstanding.next().await else { return tally };
        tally.record(read, took, done);
        bar.inc(1);
    }
}

/// What some clients saw.
struct Tally {
    micros: Histogram<u64>,
    reads: u64,
    writes: u64,
    errors: BTreeMap<String, u64>,
}

impl Tally {
    fn new() -> Tally {
        let micros = Histogram::new_with_bounds(1, MAX_MICROS, 3).expect("valid histogram bounds");
        Tally { micros, reads: 0, writes: 0, errors: BTreeMap::new() }
    }

    fn record(&mut self, read: bool, took: Duration, done: Result<(), ClientError>) {
        *if read { &mut self.reads } else { &mut self.writes } += 1;
        match done {
            Ok(()) => self.micros.saturating_record(took.as_micros() as u64),
            Err(e) => *self.errors.entry(e.code_name()).or_default() += 1,
        }
    }

    fn merge(&mut self, other: Tally) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.micros.add(&other.micros);
        self.reads += other.reads;
        self.writes += other.writes;
        for (code, n) in other.errors {
            *self.errors.entry(code).or_default() += n;
        }
    }

    fn result(self, plan: &Plan, seconds: f64) -> PhaseResult {
        let operations = self.reads + self.writes;
        let errors = self.errors.values().sum();
        PhaseResult {
            name: plan.kind.name(),
            clients: plan.clients,
            pipeline: plan.depth,
            servers: plan.servers.clone(),
            operations,
            reads: self.reads,
            writes: self.writes,
            errors,
            error_codes: self.errors,
            seconds,
            ops_per_sec: if seconds > 0.0 { (operations - errors) as f64 / seconds } else { 0.0 },
            latency_ms: latency(&self.micros),
            fsync_after: Vec::new(),
        }
    }
}

fn latency(h: &Histogram<u64>) -> Latency {
    if h.is_empty() {
        return Latency::default();
    }
    let at = |q: f64| ms(Duration::from_micros(h.value_at_quantile(q)));
    Latency {
        mean: h.mean() / 1000.0,
        p50: at(0.5),
        p90: at(0.9),
        p99: at(0.99),
        max: ms(Duration::from_micros(h.max())),
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
pub fn progress(name: &str, len: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let template = "{prefix:>10} [{bar:30}] {pos}/{len} {per_sec} {elapsed}";
    let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    bar.set_prefix(name.to_string());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(read_ratio: f64) -> Plan {
        Plan { kind: PhaseKind::Mixed, servers: vec![], clients: 1, depth: 1, ops: 0, read_ratio }
    }

    #[test]
    fn the_read_ratio_holds_over_many_operations() {
        let reads = |r| (0..10_000u64).filter(|i| plan(r).is_read(*i)).count();
        assert_eq!((reads(0.0), reads(1.0)), (0, 10_000));
        let most = reads(0.8);
        assert!((7_700..8_300).contains(&most), "{most}");
    }

    #[test]
    fn latencies_are_read_in_milliseconds_and_errors_by_code() {
        let mut t = Tally::new();
        for us in 1..=1000u64 {
            t.record(false, Duration::from_micros(us * 10), Ok(()));
        }
        t.record(true, Duration::from_millis(1), Err(ClientError::ConnectionLoss("gone".into())));
        let r = t.result(&plan(0.5), 2.0);
        assert_eq!((r.operations, r.reads, r.writes, r.errors), (1001, 1, 1000, 1));
        assert_eq!(r.error_codes.get("ConnectionLoss"), Some(&1));
        assert!((r.latency_ms.p50 - 5.0).abs() < 0.01 && (r.latency_ms.max - 10.0).abs() < 0.01, "{:?}", r.latency_ms);
        assert!((r.ops_per_sec - 500.0).abs() < 1e-9);
    }
}
