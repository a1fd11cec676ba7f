//! `ensemble`: run scenarios headless, list them, serve the web app, benchmark the
//! simulator or a real ensemble, run a node, and talk to nodes (`cli`, `status`).

use clap::{Parser, Subcommand};
use ensemble_native::{bench, cli, demo, netbench, node, sim};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "ensemble", version, about = "Teach, see and run Paxos, Multi-Paxos and ZAB")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario in the deterministic simulator and print a JSON summary.
    Sim(sim::SimArgs),
    /// List the built-in scenarios.
    Scenarios(sim::ScenariosArgs),
    /// Serve the browser app at http://127.0.0.1:8080.
    Demo(demo::DemoArgs),
    /// Measure simulator throughput (handled events per second).
    BenchSim(bench::BenchArgs),
    /// Measure a real ensemble: throughput, latency, failover, start-up, memory, and
    /// the nodes' own fsync times (a local 3-node ensemble unless --servers).
    Bench(netbench::BenchArgs),
    /// Run one server of a real ensemble (`docs/wal.md`; peers and clients: in progress).
    Node(node::config::NodeArgs),
    /// A ZooKeeper-style client of a node: one command, or a shell (`help` lists them).
    Cli(cli::CliArgs),
    /// Print servers' /status as JSON, or as a table (--table).
    Status(cli::status::StatusArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Sim(args) => sim::run(args),
        Command::Scenarios(args) => sim::list(args),
        Command::Demo(args) => demo::run(args),
        Command::BenchSim(args) => bench::run(args),
        Command::Bench(args) => netbench::run(args),
        Command::Node(args) => node::run(args),
        Command::Cli(args) => cli::run(args),
        Command::Status(args) => cli::status::run(args),
    }
}
