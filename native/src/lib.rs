//! The native side of Ensemble: the `ensemble` command's pieces, as a library so the
//! multi-process tests and the benchmark share the client and the history checker.

pub mod bench;
pub mod demo;
pub mod history;
pub mod node;
pub mod sim;
pub mod wal;
