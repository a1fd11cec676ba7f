//! # ensemble-core
//!
//! Basic Paxos, Multi-Paxos and (later) ZooKeeper's ZAB as sans-IO state machines,
//! plus a deterministic simulator that runs them, checks their invariants after every
//! step and narrates what happened in English and Simplified Chinese.
//!
//! - [`node`]: the [`Node`](node::Node) trait: time and inputs in, [`Action`](node::Action)s out.
//! - [`paxos`], [`multipaxos`]: the protocols, named after the papers.
//! - [`sim`]: virtual time, a seeded network, faults, the checker, stepping back.
//! - [`event`]: trace events; each protocol's own are types of its folder.
//! - [`tree`]: the coordination service's znode tree, which ZAB replicates.
//! - [`scenarios`]: TOML scenarios, the built-in ones, and building a simulation.
//! - [`explain`]: one sentence per trace event, in `en` or `zh`.
//!
//! Nothing here reads a clock, opens a socket, spawns a thread or draws from a global
//! RNG, so it builds for `wasm32-unknown-unknown` unchanged.

pub mod client;
pub mod event;
pub mod explain;
pub mod multipaxos;
pub mod node;
pub mod paxos;
pub mod protocol;
pub mod scenarios;
pub mod sim;
pub mod tree;
pub mod types;
pub mod view;
pub mod wire;
pub mod zab;

pub use types::{Ballot, ClientId, Epoch, Instance, NodeId, SessionId, Time, Value, Zxid};
