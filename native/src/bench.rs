//! `ensemble bench-sim`: simulator throughput in handled events (steps) per second,
//! on a 5-node Multi-Paxos ensemble and a 5-node ZAB ensemble in steady state, with
//! tracing off, with the trace kept in memory (typed, as the web app keeps it) and with
//! the trace written as JSON Lines (to a sink: the cost of making the JSON).

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
        for (label, mode) in
            [("tracing off", Mode::Off), ("trace in memory", Mode::Memory), ("JSON Lines", Mode::Jsonl)]
        {
            let (rate, done, trace_len) = measure(&args, p, mode);
            let extra = match mode {
                Mode::Off => String::new(),
                Mode::Memory => format!(", {trace_len} trace entries kept"),
                Mode::Jsonl => format!(", {} MiB of JSON Lines", trace_len >> 20),
            };
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

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Off,
    Memory,
    Jsonl,
}

/// Events per second, commands committed, and trace entries kept (Memory) or bytes of
/// JSON written (Jsonl).
fn measure(args: &BenchArgs, p: BenchProtocol, mode: Mode) -> (f64, u64, usize) {
    let mut sim = steady_state(p, args.seed);
    sim.set_tracing(mode != Mode::Off);
    let mut trace: Vec<TraceEntry> = Vec::new();
    let mut jsonl = std::io::BufWriter::new(Counter(0));
    let warmup_steps = sim.steps();
    let start = Instant::now();
    for i in 0..args.events {
        let entry = if i % args.request_every == 0 {
            let node = NodeId((i / args.request_every % 5) as u32 + 1);
            sim.intervene(&command(p, i, node)).ok()
        } else {
            sim.step()
        };
        match (entry, mode) {
            (Some(e), Mode::Memory) => trace.push(e),
            (Some(e), Mode::Jsonl) => e.write_jsonl(&mut jsonl).expect("writing to memory"),
            (Some(_), Mode::Off) => {}
            (None, _) => break,
        }
    }
    let written = jsonl.into_inner().map(|c| c.0).unwrap_or(0);
    let secs = start.elapsed().as_secs_f64();
    assert!(sim.violations().is_empty(), "benchmark run violated an invariant");
    let done = match p {
        BenchProtocol::Multipaxos => sim.chosen().len() as u64,
        BenchProtocol::Zab => sim.views()[0].zab.as_ref().map(|z| u64::from(z.delivered.counter())).unwrap_or(0),
    };
    let kept = if mode == Mode::Jsonl { written } else { trace.len() };
    ((sim.steps() - warmup_steps) as f64 / secs, done, kept)
}

/// A sink that counts the bytes written to it.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
