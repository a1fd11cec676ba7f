//! The history checker: did what concurrent clients observed of the service agree with
//! ZooKeeper's guarantees? The multi-process fault tests and the benchmark record every
//! request (when it was sent, what came back, when) and hand the record to two checks.
//!
//! - **Writes are linearizable** ([`znode::check_paths`]). Creates, sets, deletes and
//!   checks, the failed conditional ones included (a `BadVersion` says something about
//!   the order too), must fit one order that respects real time and the znode
//!   semantics of `core/src/tree`. This is Wing and Gong's search with Lowe's cache, as
//!   the Go library porcupine does it ([`linear`], generic over a [`Model`]), run per
//!   path. A write whose reply never came (timed out, `ConnectionLoss`) may have taken
//!   effect at any time after it was sent, or never.
//! - **Reads are checked per session by zxid** ([`reads::check_reads`]). ZooKeeper's
//!   reads may be stale, so they are not linearizable; but a session never sees the
//!   past: each read is at least as new as the session's earlier reads and its own
//!   writes of the path, and returns the data of the write its `mzxid` names.
//!
//! A `multi` is kept: it is projected onto each path it touches, an all-or-nothing
//! sequence there. Leaving it out would make the later reads and writes of its paths
//! look impossible; checking its paths together would bind them into one search. The
//! projection is sound (it never accuses a correct service) and misses only a service
//! that applied one multi's paths at different instants.
//!
//! Ephemeral nodes vanish when their session ends, without a client's delete: record
//! a session's end as a `Delete` of each of its ephemerals (pending, sent when the
//! session may first have expired) so the check knows they may be gone.

pub mod linear;
pub mod reads;
pub mod znode;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_prop;
#[cfg(test)]
mod tests_reads;

pub use linear::{check, CheckResult, Illegal, Model, Operation, NO_RETURN};
pub use reads::{check_reads, Event, ReadViolation, SessionEvent};
pub use znode::{check_paths, Action, MultiOutput, ZInput, ZOutput, ZnodeModel, ZnodeOp, ZnodeReport};
