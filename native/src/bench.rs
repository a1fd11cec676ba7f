//! `ensemble bench-sim`: simulator throughput in handled events (steps) per second,
//! on a 5-node ensemble of each protocol with a steady state (`ProtocolInfo::bench`), with
//! tracing off, with the trace kept in memory (typed, as the web app keeps it) and with
//! the trace written as JSON Lines (to a sink: the cost of making the JSON).

use clap::Args;
use ensemble_core::client::ClientOp;
use ensemble_core::protocol::{by_name, ProtocolInfo, REGISTRY};
use ensemble_core::scenarios::build_with;
use ensemble_core::scenarios::find_builtin;
use ensemble_core::sim::{DynSim, Intervention, TraceEntry};
use ensemble_core::{ClientId, NodeId};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct BenchArgs {
    /// Which protocols to measure, by name (default: every one with a steady state).
    #[arg(long, value_parser = bench_protocol)]
    protocol: Vec<&'static dyn ProtocolInfo>,
    /// Handled events per measurement.
    #[arg(long, default_value_t = 2_000_000)]
    events: u64,
    /// Inject one client request every this many events (keeps the leader busy
    /// without an ever-growing backlog).
    #[arg(long, default_value_t = 20)]
    request_every: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Which trace modes to measure (default: all three).
    #[arg(long, value_enum)]
    mode: Vec<Mode>,
}

/// A protocol named on the command line, if it has a steady state to measure.
fn bench_protocol(name: &str) -> Result<&'static dyn ProtocolInfo, String> {
    let p = by_name(name)?;
    p.bench().map(|_| p).ok_or_else(|| format!("{} decides once and stops: it has no steady state", p.title()))
}

pub fn run(args: BenchArgs) -> ExitCode {
    let protocols: Vec<&dyn ProtocolInfo> = if args.protocol.is_empty() {
        REGISTRY.into_iter().filter(|p| p.bench().is_some()).collect()
    } else {
        args.protocol.clone()
    };
    for p in protocols {
        println!("simulator throughput, 5-node {} steady state, {} events per run", p.title(), args.events);
        let all = [("tracing off", Mode::Off), ("trace in memory", Mode::Memory), ("JSON Lines", Mode::Jsonl)];
        for (label, mode) in all.into_iter().filter(|(_, m)| args.mode.is_empty() || args.mode.contains(m)) {
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

fn steady_state(p: &dyn ProtocolInfo, seed: u64) -> Box<dyn DynSim> {
    let bench = p.bench().expect("only protocols with a steady state are measured");
    let mut s = find_builtin(bench.scenario).expect("built-in");
    s.schedule.clear();
    s.nodes.count = 5;
    s.network.latency_ms = [1, 3];
    let mut sim = build_with(&s, seed);
    // Let a leader be elected, then connect one client per server of a service.
    while sim.now().ms() < 500 && sim.step().is_some() {}
    if p.sweep().sessions {
        for n in 1..=5 {
            let op = ClientOp::connect(60_000);
            let _ = sim.intervene(&Intervention::Client { node: NodeId(n), client: ClientId(n), op });
        }
        while sim.now().ms() < 700 && sim.step().is_some() {}
    }
    sim
}

/// The next client command of the benchmark's load: a write to a service, or a value
/// to choose.
fn command(p: &dyn ProtocolInfo, i: u64, node: NodeId) -> Intervention {
    if p.sweep().sessions {
        let op = ClientOp::Set { path: "/".into(), data: format!("v{i}"), version: None };
        Intervention::Client { node, client: ClientId(node.0), op }
    } else {
        Intervention::Request { node, value: format!("v{i}") }
    }
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
pub enum Mode {
    /// No trace: the simulator alone.
    Off,
    /// Every step's typed trace entry kept in memory, as the web app keeps it.
    Memory,
    /// Every step written as JSON Lines (to a sink that counts the bytes).
    Jsonl,
}

/// Events per second, commands committed, and trace entries kept (Memory) or bytes of
/// JSON written (Jsonl).
fn measure(args: &BenchArgs, p: &dyn ProtocolInfo, mode: Mode) -> (f64, u64, usize) {
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
    let done = p.bench().map_or(0, |b| (b.committed)(sim.as_ref()));
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
