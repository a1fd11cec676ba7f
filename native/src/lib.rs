//! The native side of Ensemble: the `ensemble` command's pieces, as a library so the
//! multi-process tests and the benchmark share the client and the history checker.

pub mod bench;
pub mod cli;
pub mod client;
pub mod demo;
pub mod history;
pub mod netbench;
pub mod node;
pub mod sim;
pub mod wal;
pub mod ws;

/// A stand-in `/client` server for the client's and the CLI's tests.
#[cfg(test)]
#[path = "../tests/support/mock_server.rs"]
pub(crate) mod mock_server;
