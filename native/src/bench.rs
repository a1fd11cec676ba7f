//! `ensemble bench-sim`: simulator throughput in handled events (steps) per second,
//! on a 5-node Multi-Paxos ensemble in steady state, with tracing off and with the
//! trace kept in memory.

use clap::Args;
use ensemble_core::client::ClientOp;
use ensemble_core::scenarios::build_with;
use ensemble_core::scenarios::find_builtin;
use ensemble_core::sim::{DynSim, Intervention, TraceEntry};
use ensemble_core::{ClientId, NodeId};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
pub enum BenchProtocol {
    Multipaxos,
    Zab,
}

#[derive(Args)]
pub struct BenchArgs {
    /// Which protocols to measure (default: both).
    #[arg(long, value_enum)]
    protocol: Vec<BenchProtocol>,
    /// Handled events per measurement.
    #[arg(long, default_value_t = 2_000_000)]
    events: u64,
    /// Inject one client request every this many events (keeps the leader busy
    /// without an ever-growing backlog).
    #[arg(long, default_value_t = 20)]
    request_every: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub fn run(args: BenchArgs) -> ExitCode {
    let protocols = if args.protocol.is_empty() {
        vec![BenchProtocol::Multipaxos, BenchProtocol::Zab]
    } else {
        args.protocol.clone()
    };
    for p in protocols {
        let name = if p == BenchProtocol::Zab { "ZAB, broadcast" } else { "Multi-Paxos" };
        println!("simulator throughput, 5-node {name} steady state, {} events per run", args.events);
        for (label, keep) in [("tracing off", false), ("trace in memory", true)] {
            let (rate, done, trace_len) = measure(&args, p, keep);
            let extra = if keep { format!(", {trace_len} trace entries kept") } else { String::new() };
            println!("{label:>16}: {:>12.0} events/s  ({done} commands committed{extra})", rate);
        }
    }
    ExitCode::SUCCESS
}

fn steady_state(p: BenchProtocol, seed: u64) -> Box<dyn DynSim> {
    let name = if p == BenchProtocol::Zab { "zab-election-fresh" } else { "multipaxos-steady" };
    let mut s = find_builtin(name).expect("built-in");
    s.schedule.clear();
    s.nodes.count = 5;
    s.network.latency_ms = [1, 3];
    let mut sim = build_with(&s, seed);
    // Let a leader be elected, then connect one client per ZAB server.
    while sim.now().ms() < 500 && sim.step().is_some() {}
    if p == BenchProtocol::Zab {
        for n in 1..=5 {
            let op = ClientOp::Connect { session_timeout_ms: 60_000 };
            let _ = sim.intervene(&Intervention::Client { node: NodeId(n), client: ClientId(n), op });
        }
        while sim.now().ms() < 700 && sim.step().is_some() {}
    }
    sim
}

/// The next client command of the benchmark's load.
fn command(p: BenchProtocol, i: u64, node: NodeId) -> Intervention {
    match p {
        BenchProtocol::Multipaxos => Intervention::Request { node, value: format!("v{i}") },
        BenchProtocol::Zab => {
            let op = ClientOp::Set { path: "/".into(), data: format!("v{i}"), version: None };
            Intervention::Client { node, client: ClientId(node.0), op }
        }
    }
}

fn measure(args: &BenchArgs, p: BenchProtocol, keep: bool) -> (f64, u64, usize) {
    let mut sim = steady_state(p, args.seed);
    sim.set_tracing(keep);
    let mut trace: Vec<TraceEntry> = Vec::new();
    let warmup_steps = sim.steps();
    let start = Instant::now();
    for i in 0..args.events {
        let entry = if i % args.request_every == 0 {
            let node = NodeId((i / args.request_every % 5) as u32 + 1);
            sim.intervene(&command(p, i, node)).ok()
        } else {
            sim.step()
        };
        match entry {
            Some(e) if keep => trace.push(e),
            Some(_) => {}
            None => break,
        }
    }
    let secs = start.elapsed().as_secs_f64();
    assert!(sim.violations().is_empty(), "benchmark run violated an invariant");
    let done = match p {
        BenchProtocol::Multipaxos => sim.chosen().len() as u64,
        BenchProtocol::Zab => sim.views()[0].zab.as_ref().map(|z| u64::from(z.delivered.counter())).unwrap_or(0),
    };
    ((sim.steps() - warmup_steps) as f64 / secs, done, trace.len())
}
