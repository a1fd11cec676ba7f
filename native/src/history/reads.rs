//! Reads, checked per session by zxid.
//!
//! ZooKeeper serves a read from the server the client is connected to, which may be
//! behind the leader, so reads are not linearizable and are not put in the search. What
//! it does promise is that one session never goes back in time, and that a read waits
//! for the session's own earlier writes. Every write has a zxid, and a read returns the
//! node's `mzxid`, the zxid of the write that left its data, so per session and path:
//!
//! - a read is at least as new as the session's previous read of the path and as its
//!   own last acknowledged write to it (strictly newer than its own delete, or than a
//!   state in which it saw no node);
//! - `NoNode` after the session saw the node (read it, or created or set it itself) is
//!   allowed only if some delete of the path may have come later: an acknowledged one
//!   with a larger zxid, or one whose reply never came;
//! - the data is what the write with that `mzxid` wrote to that path, or, if no
//!   acknowledged write has that zxid, what some write whose reply never came wrote.

use ensemble_core::{SessionId, Zxid};
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// What a session did, in the order it sent its requests (which is the order they take
/// effect in: ZooKeeper keeps one session's requests in order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An acknowledged write of `path` (each path of a `multi` too, all with the multi's
    /// zxid): the data it left, `None` for a delete.
    Wrote { path: String, zxid: Zxid, data: Option<String> },
    /// A write whose reply never came: it may have taken effect, at an unknown zxid.
    MaybeWrote { path: String, data: Option<String> },
    /// A `get`: the data and `stat.mzxid`, or `None` for `NoNode`.
    Read { path: String, found: Option<(String, Zxid)> },
}

/// One event of one session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionEvent {
    pub session: SessionId,
    pub event: Event,
}

/// Where a session learned what its read must not be older than.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    OwnWrite,
    EarlierRead,
}

/// What is wrong with a read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Older than what the session had already seen of the path at `seen`.
    Stale { seen: Zxid, source: Source },
    /// `NoNode`, though the session saw the node at `seen` and no delete can come after.
    Vanished { seen: Zxid, source: Source },
    /// Not the data that the write with this `mzxid` left (`None`: it was a delete, or
    /// a write of other paths only).
    WrongData { expected: Option<String> },
    /// No write of the path has this `mzxid`, and none whose reply never came wrote
    /// this data.
    NeverWritten,
}

/// A read that breaks the session's guarantees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadViolation {
    pub session: SessionId,
    pub path: String,
    /// The index of the read in the events checked.
    pub index: usize,
    /// What it returned: data and `mzxid`, or `None` for `NoNode`.
    pub found: Option<(String, Zxid)>,
    pub problem: Problem,
}

/// Everything written, by every session, as reads may see any of it.
#[derive(Default)]
struct Writes {
    /// (path, zxid) -> the data left, `None` for a delete.
    acked: HashMap<(String, Zxid), Option<String>>,
    /// Every acknowledged zxid, whatever paths it wrote.
    zxids: BTreeSet<Zxid>,
    /// Per path, the data of the writes whose reply never came (`None`: a delete).
    maybe: HashMap<String, Vec<Option<String>>>,
    /// Per path, the zxids of its acknowledged deletes.
    deletes: HashMap<String, BTreeSet<Zxid>>,
}

impl Writes {
    fn new(events: &[SessionEvent]) -> Writes {
        let mut w = Writes::default();
        // The root exists before any transaction, empty, with every zxid zero.
        w.acked.insert(("/".to_string(), Zxid::ZERO), Some(String::new()));
        for e in events {
            match &e.event {
                Event::Wrote { path, zxid, data } => {
                    w.acked.insert((path.clone(), *zxid), data.clone());
                    w.zxids.insert(*zxid);
                    if data.is_none() {
                        w.deletes.entry(path.clone()).or_default().insert(*zxid);
                    }
                }
                Event::MaybeWrote { path, data } => w.maybe.entry(path.clone()).or_default().push(data.clone()),
                Event::Read { .. } => {}
            }
        }
        w
    }

    /// May a delete of `path` have come after `zxid`?
    fn deleted_after(&self, path: &str, zxid: Zxid) -> bool {
        let maybe = self.maybe.get(path).is_some_and(|writes| writes.contains(&None));
        maybe || self.deletes.get(path).and_then(|zxids| zxids.last()).is_some_and(|last| *last > zxid)
    }

    /// Is `data` what the write `mzxid` left at `path`?
    fn data_problem(&self, path: &str, data: &str, mzxid: Zxid) -> Option<Problem> {
        match self.acked.get(&(path.to_string(), mzxid)) {
            Some(Some(written)) if written == data => None,
            Some(expected) => Some(Problem::WrongData { expected: expected.clone() }),
            None if self.zxids.contains(&mzxid) => Some(Problem::WrongData { expected: None }),
            None => {
                let maybe = self.maybe.get(path).is_some_and(|writes| writes.iter().flatten().any(|d| d == data));
                (!maybe).then_some(Problem::NeverWritten)
            }
        }
    }
}

/// What one session has seen of one path.
#[derive(Clone, Copy, Debug)]
struct Seen {
    zxid: Zxid,
    /// `true`: the node, with that `mzxid`. `false`: no node, in a state newer than `zxid`.
    exists: bool,
    source: Source,
}

/// Check every read of `events` against what its session saw and what was written.
pub fn check_reads(events: &[SessionEvent]) -> Vec<ReadViolation> {
    let writes = Writes::new(events);
    let mut seen: HashMap<(SessionId, &str), Seen> = HashMap::new();
    let mut violations = Vec::new();
    for (index, e) in events.iter().enumerate() {
        match &e.event {
            Event::Wrote { path, zxid, data } => {
                let now = Seen { zxid: *zxid, exists: data.is_some(), source: Source::OwnWrite };
                seen.insert((e.session, path), now);
            }
            // Its zxid is unknown, so it tells nothing about what later reads must see.
            Event::MaybeWrote { .. } => {}
            Event::Read { path, found } => {
                let before = seen.get(&(e.session, path.as_str())).copied();
                let problem = read_problem(&writes, path, found, before);
                seen.insert((e.session, path), after_read(before, found));
                if let Some(problem) = problem {
                    violations.push(ReadViolation {
                        session: e.session,
                        path: path.clone(),
                        index,
                        found: found.clone(),
                        problem,
                    });
                }
            }
        }
    }
    violations
}

/// What is wrong with a read of `path` that found `found`, if the session had `before`.
fn read_problem(writes: &Writes, path: &str, found: &Option<(String, Zxid)>, before: Option<Seen>) -> Option<Problem> {
    match (found, before) {
        (Some((_, mzxid)), Some(s)) if *mzxid < s.zxid || (*mzxid == s.zxid && !s.exists) => {
            Some(Problem::Stale { seen: s.zxid, source: s.source })
        }
        (Some((data, mzxid)), _) => writes.data_problem(path, data, *mzxid),
        (None, Some(s)) if s.exists && !writes.deleted_after(path, s.zxid) => {
            Some(Problem::Vanished { seen: s.zxid, source: s.source })
        }
        (None, _) => None,
    }
}

/// What the session has seen of the path after a read that found `found`.
fn after_read(before: Option<Seen>, found: &Option<(String, Zxid)>) -> Seen {
    let source = Source::EarlierRead;
    match (found, before) {
        (Some((_, mzxid)), _) => Seen { zxid: *mzxid, exists: true, source },
        // No node, in a state newer than the node it saw last: a later node must be newer.
        (None, Some(s)) => Seen { zxid: s.zxid, exists: false, source },
        (None, None) => Seen { zxid: Zxid::ZERO, exists: false, source },
    }
}

impl fmt::Display for ReadViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session {} read {} (event #{}) ", self.session, self.path, self.index)?;
        match &self.found {
            Some((data, mzxid)) => write!(f, "and got {data:?} with mzxid {mzxid}: ")?,
            None => write!(f, "and got NoNode: ")?,
        }
        let by = |source: &Source| match source {
            Source::OwnWrite => "its own write",
            Source::EarlierRead => "its earlier read",
        };
        match &self.problem {
            Problem::Stale { seen, source } => write!(f, "older than {seen}, seen by {}", by(source)),
            Problem::Vanished { seen, source } => {
                write!(f, "the node at {seen} (seen by {}) cannot have been deleted since", by(source))
            }
            Problem::WrongData { expected: Some(data) } => write!(f, "that write left {data:?}"),
            Problem::WrongData { expected: None } => write!(f, "that zxid left no data at this path"),
            Problem::NeverWritten => write!(f, "no write of this path has that zxid or that data"),
        }
    }
}
