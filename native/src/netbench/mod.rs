//! `ensemble bench`: throughput and latency of a real ensemble, measured over its
//! `/client` protocol with the client library, and what the servers themselves saw.
//!
//! With no `--servers` it starts a local ensemble of real `ensemble node` processes of
//! this same binary (WALs on disk in a temp dir, loopback ports) and stops it after,
//! also on an error or Ctrl-C. The run, in order:
//!
//! 1. **start**: spawn to each node's startup line and to its `/status` phase
//!    BROADCAST, and spawn to the first write that succeeds (local only);
//!    then each node's idle RSS.
//! 2. **phases** (`--phases`): `sequential` (one client on the leader, one write at a
//!    time: the latency of one commit), `pipelined` (`--clients` × `--pipeline` writes
//!    outstanding, clients spread over every server), `reads` (gets, spread the same
//!    way), `mixed` (`--read-ratio` of gets, the rest sets). Each node's fsync
//!    distribution (its `/status` `fsync_micros`) is read after every phase, because
//!    every write latency is bounded below by it and it varies from run to run.
//! 3. **failover** (`--failover K`, local only): kill -9 the leader K times under write
//!    load, and time each from the kill until a write sent after it succeeds.
//!
//! Progress goes to stderr (hidden when it is not a terminal); the report to stdout,
//! as tables or (`--json`) one JSON object.

mod failover;
mod load;
mod local;
mod probe;
mod report;
mod watchers;

use crate::client::{host_port, ClientError};
use crate::node::config::Fsync;
use clap::{Args, ValueEnum};
use report::Report;
use std::process::ExitCode;
use std::time::Duration;

/// The longest wait for a local ensemble to start serving, or for any ensemble to
/// settle again (one leader, everyone in BROADCAST) after a kill or a restart.
const SERVING_LIMIT: Duration = Duration::from_secs(20);
/// The longest a phase may take: far above what its operations need even at a slow
/// disk's pace, so only a stuck ensemble reaches it.
const PHASE_LIMIT: Duration = Duration::from_secs(300);

#[derive(Args, Clone, Debug)]
pub struct BenchArgs {
    /// Servers to measure (HOST:PORT, comma separated); without them a local ensemble of
    /// real `ensemble node` processes is started in a temp dir, and stopped after
    #[arg(long, value_delimiter = ',')]
    pub servers: Vec<String>,
    /// How many servers the local ensemble has
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=9))]
    pub nodes: u32,
    /// The local nodes' --fsync (`never` is for teaching: latencies then say nothing of a disk)
    #[arg(long, value_enum, default_value = "always")]
    pub fsync: Fsync,
    /// Client connections of the pipelined, reads and mixed phases and of the failover load
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub clients: u32,
    /// Requests each client keeps outstanding in the pipelined, reads and mixed phases
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub pipeline: u32,
    /// Operations in each of the pipelined, reads and mixed phases
    #[arg(long, default_value_t = 100_000)]
    pub operations: u64,
    /// Operations in the sequential phase (one client, one write at a time)
    #[arg(long, default_value_t = 1_000)]
    pub sequential_operations: u64,
    /// Bytes of each value written
    #[arg(long, default_value_t = 100)]
    pub value_size: usize,
    /// The share of reads in the mixed phase, 0 to 1
    #[arg(long, default_value_t = 0.8, value_parser = ratio)]
    pub read_ratio: f64,
    /// The phases to run, in this order
    #[arg(long, value_enum, value_delimiter = ',', default_values = ["sequential", "pipelined", "reads", "mixed"])]
    pub phases: Vec<PhaseKind>,
    /// Kill -9 the leader this many times under write load (local ensemble only), timing
    /// each until a write succeeds again
    #[arg(long, default_value_t = 0)]
    pub failover: u32,
    /// Subscribers to the servers' `/events` (spread over them) during the load phases:
    /// a classroom watching, to compare the write latencies with and without it
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub subscribers: u32,
    /// Print one JSON object with every figure instead of tables
    #[arg(long)]
    pub json: bool,
}

/// A load phase (see the module's docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PhaseKind {
    Sequential,
    Pipelined,
    Reads,
    Mixed,
}

impl PhaseKind {
    pub fn name(self) -> &'static str {
        match self {
            PhaseKind::Sequential => "sequential",
            PhaseKind::Pipelined => "pipelined",
            PhaseKind::Reads => "reads",
            PhaseKind::Mixed => "mixed",
        }
    }
}

fn ratio(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("{text}: a number from 0 to 1")),
    }
}

/// Why a benchmark could not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{0}")]
    Usage(String),
    #[error("node {id}: {why}")]
    Node { id: u32, why: String },
    #[error("the ensemble did not settle within {limit:?}: {last}")]
    NotServing { limit: Duration, last: String },
    #[error("{phase}: {why}")]
    Phase { phase: String, why: String },
    #[error("failover round {round}: {why}")]
    Failover { round: u32, why: String },
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("interrupted")]
    Interrupted,
}

pub fn run(args: BenchArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // On Ctrl-C the benchmark's future is dropped, and with it the local ensemble,
    // whose Drop kills the nodes and removes their directory.
    let outcome = rt.block_on(async {
        tokio::select! {
            r = bench(&args) => r,
            _ = tokio::signal::ctrl_c() => Err(BenchError::Interrupted),
        }
    });
    rt.shutdown_timeout(Duration::from_secs(1));
    match outcome {
        Ok(report) if args.json => {
            println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(report) => {
            print!("{}", report::human(&report));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn bench(args: &BenchArgs) -> Result<Report, BenchError> {
    check(args)?;
    let (mut local, servers, start) = if args.servers.is_empty() {
        let (ensemble, start) = local::LocalEnsemble::start(args.nodes, args.fsync).await?;
        let servers = ensemble.addrs();
        (Some(ensemble), servers, Some(start))
    } else {
        let servers = args.servers.iter().map(|s| host_port(s)).collect::<Result<Vec<_>, _>>()?;
        (None, servers, None)
    };
    let serving = probe::wait_serving(&servers, SERVING_LIMIT).await?;
    let rss_idle = local.as_ref().map(local::LocalEnsemble::rss);
    let work = load::Workload::setup(&servers, args.value_size).await?;
    let watchers = match args.subscribers {
        0 => None,
        n => Some(watchers::open(&servers, n).await?),
    };
    let mut phases = Vec::new();
    for kind in &args.phases {
        let plan = load::Plan::new(*kind, args, &servers, &serving.leader_addr);
        let mut result = load::run(&plan, &work).await?;
        result.fsync_after = probe::figures(&servers).await.into_iter().map(|f| f.fsync()).collect();
        phases.push(result);
    }
    let watched = watchers.map(watchers::Watchers::stop);
    let rss_after = local.as_ref().map(local::LocalEnsemble::rss);
    let failover = match local.as_mut() {
        Some(ensemble) if args.failover > 0 => Some(failover::run(ensemble, args, &work).await?),
        _ => None,
    };
    let end = probe::figures(&servers).await;
    let pids = local.as_ref().map(local::LocalEnsemble::pids);
    let last_phase = phases.last().map(|p| p.fsync_after.as_slice());
    let nodes = report::nodes(&servers, &end, last_phase, pids, rss_idle, rss_after);
    Ok(Report { settings: report::Settings::of(args, &servers), start, phases, watched, failover, nodes })
}

fn check(args: &BenchArgs) -> Result<(), BenchError> {
    if !args.servers.is_empty() && args.failover > 0 {
        return Err(BenchError::Usage("--failover kills nodes, so it needs the local ensemble (no --servers)".into()));
    }
    if args.failover > 0 && args.nodes < 3 {
        return Err(BenchError::Usage("--failover needs --nodes 3 or more (a quorum must survive)".into()));
    }
    Ok(())
}

/// A duration in milliseconds, with the microseconds as its fraction.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: BenchArgs,
    }

    fn parse(line: &[&str]) -> Result<BenchArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("bench").chain(line.iter().copied())).map(|c| c.args)
    }

    #[test]
    fn defaults_run_every_phase_on_a_local_ensemble_with_fsync() {
        let a = parse(&[]).expect("parses");
        assert_eq!(a.phases, [PhaseKind::Sequential, PhaseKind::Pipelined, PhaseKind::Reads, PhaseKind::Mixed]);
        assert_eq!((a.nodes, a.fsync, a.failover, a.servers.len()), (3, Fsync::Always, 0, 0));
        let some = parse(&["--phases", "reads,sequential", "--fsync", "never"]).expect("parses");
        assert_eq!((some.phases, some.fsync), (vec![PhaseKind::Reads, PhaseKind::Sequential], Fsync::Never));
        assert!(parse(&["--read-ratio", "1.5"]).is_err());
        assert!(parse(&["--clients", "0"]).is_err());
    }

    #[test]
    fn failover_needs_nodes_to_kill_and_a_quorum_left() {
        assert!(check(&parse(&["--failover", "2"]).expect("parses")).is_ok());
        let remote = parse(&["--servers", "a:1,b:2,c:3", "--failover", "1"]).expect("parses");
        assert!(matches!(check(&remote), Err(BenchError::Usage(_))));
        assert!(check(&parse(&["--nodes", "2", "--failover", "1"]).expect("parses")).is_err());
    }
}
