//! `ensemble bench-sim`: simulator throughput in handled events (steps) per second,
//! on a 5-node Multi-Paxos ensemble in steady state, with tracing off and with the
//! trace kept in memory.

use clap::Args;
use ensemble_core::scenarios::{build_with, find_builtin, Protocol};
use ensemble_core::sim::{DynSim, Intervention, TraceEntry};
use ensemble_core::NodeId;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct BenchArgs {
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
    println!("simulator throughput, 5-node Multi-Paxos steady state, {} events per run", args.events);
    for (label, keep) in [("tracing off", false), ("trace in memory", true)] {
        let (rate, chosen, trace_len) = measure(&args, keep);
        let extra = if keep { format!(", {trace_len} trace entries kept") } else { String::new() };
        println!("{label:>16}: {:>12.0} events/s  ({chosen} slots chosen{extra})", rate);
    }
    ExitCode::SUCCESS
}

fn steady_state(seed: u64) -> Box<dyn DynSim> {
    let mut s = find_builtin("multipaxos-steady").expect("built-in");
    debug_assert_eq!(s.protocol, Protocol::Multipaxos);
    s.schedule.clear();
    s.network.latency_ms = [1, 3];
    let mut sim = build_with(&s, seed);
    // Let a leader be elected before measuring.
    while sim.now().ms() < 500 && sim.step().is_some() {}
    sim
}

fn measure(args: &BenchArgs, keep: bool) -> (f64, usize, usize) {
    let mut sim = steady_state(args.seed);
    sim.set_tracing(keep);
    let mut trace: Vec<TraceEntry> = Vec::new();
    let warmup_steps = sim.steps();
    let start = Instant::now();
    for i in 0..args.events {
        let entry = if i % args.request_every == 0 {
            let node = NodeId((i / args.request_every % 5) as u32 + 1);
            sim.intervene(&Intervention::Request { node, value: format!("v{i}") }).ok()
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
    ((sim.steps() - warmup_steps) as f64 / secs, sim.chosen().len(), trace.len())
}
