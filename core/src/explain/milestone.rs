//! Milestones: the steps of a run worth jumping to (a leader elected, an epoch begun,
//! a crash, a partition, a DIFF/TRUNC/SNAP, a commit, a violation), and heartbeats,
//! the steps a reader may skip.
//!
//! The runtime's events (crash, restart, partition, heal, violation) are classified
//! here; a protocol classifies its own (`ProtocolInfo::milestone`) and names its
//! heartbeat messages and timers (`ProtocolInfo::heartbeats`), so a UI marks and
//! filters a run without knowing which protocol runs.

use crate::event::Event;
use crate::protocol::ProtocolInfo;
use crate::sim::TraceEntry;
use crate::view::Text;
use serde::Serialize;

/// What kind of moment a step is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// A leader was elected (a ZAB server starts LEADING, a Multi-Paxos node leads).
    Election,
    /// A new epoch is established (a quorum acknowledged NEWLEADER).
    Epoch,
    Crash,
    Restart,
    Partition,
    Heal,
    /// A leader synchronizes a learner (DIFF, TRUNC or SNAP), or a log is cut back.
    Sync,
    /// A value is chosen or a transaction committed.
    Commit,
    /// An invariant broke.
    Violation,
}

impl Milestone {
    pub const ALL: [Milestone; 9] = [
        Milestone::Election,
        Milestone::Epoch,
        Milestone::Crash,
        Milestone::Restart,
        Milestone::Partition,
        Milestone::Heal,
        Milestone::Sync,
        Milestone::Commit,
        Milestone::Violation,
    ];

    /// Stable and short, for CSS classes and tests: `election`.
    pub fn key(self) -> &'static str {
        match self {
            Milestone::Election => "election",
            Milestone::Epoch => "epoch",
            Milestone::Crash => "crash",
            Milestone::Restart => "restart",
            Milestone::Partition => "partition",
            Milestone::Heal => "heal",
            Milestone::Sync => "sync",
            Milestone::Commit => "commit",
            Milestone::Violation => "violation",
        }
    }

    /// What it is called (the glossary of teaching.md).
    pub fn label(self) -> Text {
        match self {
            Milestone::Election => Text::new("leader elected", "选出领导者"),
            Milestone::Epoch => Text::new("new epoch", "新纪元"),
            Milestone::Crash => Text::new("crash", "崩溃"),
            Milestone::Restart => Text::new("restart", "重启"),
            Milestone::Partition => Text::new("partition", "网络分区"),
            Milestone::Heal => Text::new("partition healed", "分区恢复"),
            Milestone::Sync => Text::new("synchronization (DIFF/TRUNC/SNAP)", "同步（DIFF/TRUNC/SNAP）"),
            Milestone::Commit => Text::new("commit / chosen", "提交 / 被选定"),
            Milestone::Violation => Text::new("invariant violated", "违反不变式"),
        }
    }
}

/// The milestone `event` is, if any.
pub fn milestone(protocol: &dyn ProtocolInfo, event: &Event) -> Option<Milestone> {
    match event {
        Event::Crash { .. } => Some(Milestone::Crash),
        Event::Restart {} => Some(Milestone::Restart),
        Event::Partition { .. } => Some(Milestone::Partition),
        Event::Heal { .. } => Some(Milestone::Heal),
        Event::Violation { .. } => Some(Milestone::Violation),
        Event::Protocol(_) => protocol.milestone(event),
        _ => None,
    }
}

/// One marked step: its number and what happened there, each kind once, in
/// [`Milestone`]'s order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mark {
    pub step: u64,
    pub kinds: Vec<Milestone>,
}

/// The marked steps among `entries`, in step order.
pub fn milestones(protocol: &dyn ProtocolInfo, entries: &[TraceEntry]) -> Vec<Mark> {
    entries
        .iter()
        .filter_map(|entry| {
            let mut kinds: Vec<Milestone> = entry.events.iter().filter_map(|e| milestone(protocol, e)).collect();
            kinds.sort_unstable();
            kinds.dedup();
            (!kinds.is_empty()).then_some(Mark { step: entry.step, kinds })
        })
        .collect()
}

/// Whether `event` is a heartbeat's: a heartbeat message sent, delivered or duplicated,
/// or a heartbeat timer firing. A dropped one is kept: a loss is news.
pub fn is_heartbeat(protocol: &dyn ProtocolInfo, event: &Event) -> bool {
    let name = match event {
        Event::Send { msg, .. } | Event::Deliver { msg, .. } | Event::Duplicate { msg, .. } => msg.name(),
        Event::Timer { timer } => timer.name(),
        _ => return false,
    };
    protocol.heartbeats().contains(&name.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::lookup;
    use crate::scenarios::{build, builtin};

    fn run(name: &str) -> (Vec<TraceEntry>, &'static dyn ProtocolInfo) {
        let s = builtin().into_iter().find(|s| s.name == name).unwrap();
        let mut sim = build(&s);
        sim.set_tracing(true);
        let mut entries = Vec::new();
        while s.run.allows(sim.steps(), sim.next_time().map(|t| t.ms())) {
            let Some(entry) = sim.step() else { break };
            entries.push(entry);
        }
        (entries, lookup(s.protocol))
    }

    fn kinds(marks: &[Mark]) -> Vec<Milestone> {
        let mut all: Vec<Milestone> = marks.iter().flat_map(|m| m.kinds.iter().copied()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// A leader crash in ZAB: the crash, the new election, its epoch, the sync and the
    /// commits are all marked, each at a step where it happened.
    #[test]
    fn a_zab_recovery_is_marked() {
        let (entries, zab) = run("zab-leader-crash");
        let marks = milestones(zab, &entries);
        let found = kinds(&marks);
        for k in [Milestone::Election, Milestone::Epoch, Milestone::Crash, Milestone::Sync, Milestone::Commit] {
            assert!(found.contains(&k), "{k:?} missing from {found:?}");
        }
        for m in &marks {
            let entry = &entries[m.step as usize - 1];
            assert_eq!(entry.step, m.step);
            assert!(entry.events.iter().any(|e| milestone(zab, e).is_some()));
        }
    }

    /// Paxos has no leader or epoch: its milestone is the value learned.
    #[test]
    fn a_paxos_run_marks_what_is_chosen() {
        let (entries, paxos) = run("paxos-basic");
        assert_eq!(kinds(&milestones(paxos, &entries)), vec![Milestone::Commit]);
    }

    /// ZAB's PINGs and ticks are heartbeats; a PROPOSAL is not.
    #[test]
    fn heartbeats_are_pings_and_ticks() {
        let (entries, zab) = run("zab-leader-crash");
        let events = entries.iter().flat_map(|e| e.events.iter());
        let beats: Vec<String> = events.filter(|e| is_heartbeat(zab, e)).map(|e| e.kind().to_string()).collect();
        assert!(beats.iter().any(|k| k == "send") && beats.iter().any(|k| k == "timer"), "{beats:?}");
        let proposal = |e: &&Event| matches!(e, Event::Send { msg, .. } if msg.name() == "PROPOSAL");
        let proposal = entries.iter().flat_map(|e| e.events.iter()).find(proposal);
        assert!(!is_heartbeat(zab, proposal.unwrap()));
    }
}
