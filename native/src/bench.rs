//! `ensemble bench-sim`: simulator throughput in handled events (steps) per second.

use clap::Args;
use std::process::ExitCode;

#[derive(Args)]
pub struct BenchArgs {}

pub fn run(_args: BenchArgs) -> ExitCode {
    ExitCode::SUCCESS
}
