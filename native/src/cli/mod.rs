//! `ensemble cli` (a ZooKeeper-style client: one command, or a shell) and
//! `ensemble status` (servers' `/status`). See "ensemble cli" in
//! `docs/client-protocol.md`.

pub mod commands;
pub mod shell;
pub mod status;
#[cfg(test)]
mod tests;

use crate::client::{Client, ClientOptions};
use commands::{Cmd, Session, OUTPUT_HELP};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args, Debug)]
#[command(after_help = OUTPUT_HELP)]
pub struct CliArgs {
    /// The server: HOST:PORT, ws://HOST:PORT or http://HOST:PORT
    #[arg(long)]
    pub server: String,
    /// The session timeout to ask for, in milliseconds
    #[arg(long, default_value_t = 10_000)]
    pub session_timeout_ms: u64,
    /// The longest wait for the connection or any reply, in milliseconds
    #[arg(long, default_value_t = 10_000)]
    pub timeout_ms: u64,
    /// Run this command and exit; without one, a shell (lines from stdin if it is not a terminal)
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

pub fn run(args: CliArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let opts = ClientOptions {
        session_timeout_ms: args.session_timeout_ms,
        session_id: None,
        request_timeout: Duration::from_millis(args.timeout_ms),
    };
    let client = match rt.block_on(Client::connect_with(&args.server, opts)) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("error: {}: connect {}", e.code_name(), e.message());
            return ExitCode::FAILURE;
        }
    };
    let mut session = Session::new(client.clone(), Box::new(std::io::stdout()), Box::new(std::io::stderr()));
    let status = match &args.command {
        Some(cmd) => rt.block_on(session.run(cmd)),
        None if std::io::stdin().is_terminal() => shell::interactive(&rt, &mut session, &args.server),
        None => shell::piped(&rt, &mut session, std::io::stdin().lock()),
    };
    // End the session now rather than leave it (and its ephemeral nodes) to time out,
    // as zkCli.sh does on quit; waiting briefly, since the work is done either way.
    let _ = rt.block_on(async { tokio::time::timeout(Duration::from_secs(2), client.close()).await });
    ExitCode::from(status)
}
