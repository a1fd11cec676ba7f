//! A history matrix: every node's history in one grid, lined up by position, with the
//! entries a node lost off the top of its history (ZAB's TRUNC) kept as ghosts.
//!
//! A node's history now is `Node::history`; what it once had and lost needs the past,
//! so the ghosts come from the timeline: each step that may have cut a history
//! (`Node::cuts_history`) is rebuilt on copies (`Timeline::around_step`) and the node's
//! history before and after it compared. Only what vanished *above* the node's new last
//! position was cut; what left from the bottom was compacted into a snapshot and is not
//! a ghost. A UI only draws the result.

use super::Timeline;
use crate::types::NodeId;
use crate::view::{HistoryEntry, HistoryView, HistoryWindow, Text};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// An entry node `node` lost off the top of its history at step `step`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ghost {
    pub node: NodeId,
    pub entry: HistoryEntry,
    pub step: u64,
}

/// How a cell is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// Committed, chosen.
    Done,
    Pending,
    /// Cut off the node's history at this step.
    Cut {
        step: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub entry: HistoryEntry,
    pub mark: Mark,
}

/// One position, as a column head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Column {
    pub pos: u64,
    pub label: String,
    pub short: String,
    /// The group every entry here shares (an epoch); `None` if they differ.
    pub group: Option<u64>,
    /// The group changes here from the column before (an epoch boundary).
    pub boundary: bool,
    /// Inside the leader's window.
    pub in_window: bool,
}

/// One node's row: a cell per column, empty where it has nothing at that position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryRow {
    pub node: NodeId,
    pub up: bool,
    pub leader: bool,
    pub cells: Vec<Option<Cell>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HistoryMatrix {
    /// The newest positions, oldest first.
    pub columns: Vec<Column>,
    /// Positions older than the first column, left out.
    pub older: usize,
    pub rows: Vec<HistoryRow>,
    /// The window of the leader (the newest, if several think they lead).
    pub window: Option<HistoryWindow>,
    pub group_name: Option<Text>,
}

/// The last position a history holds: its newest entry, or what its snapshot covers.
fn last_pos(h: &HistoryView) -> u64 {
    h.entries.last().map_or(h.base, |e| e.pos)
}

/// Every entry cut off the top of a node's history in the steps up to the timeline's
/// position, with the step that cut it; a position cut twice keeps the later step.
pub fn ghosts(tl: &Timeline) -> Vec<Ghost> {
    let mut cut: BTreeMap<(NodeId, u64), Ghost> = BTreeMap::new();
    for (i, entry) in tl.entries().iter().enumerate() {
        let Some(node) = entry.node.filter(|_| tl.sim().cuts_history(entry)) else { continue };
        let step = i as u64 + 1;
        let Some((before, after)) = tl.around_step(step) else { continue };
        let (Some(before), Some(after)) = (before.history(node), after.history(node)) else { continue };
        let top = last_pos(&after);
        let kept: BTreeSet<u64> = after.entries.iter().map(|e| e.pos).collect();
        for e in before.entries.into_iter().filter(|e| e.pos > top && !kept.contains(&e.pos)) {
            cut.insert((node, e.pos), Ghost { node, entry: e, step });
        }
    }
    cut.into_values().collect()
}

/// The matrix at the timeline's position, with at most `limit` columns (the newest).
/// A ghost is shown while its node has nothing else at its position and has not
/// compacted past it.
pub fn history_matrix(tl: &Timeline, limit: usize) -> HistoryMatrix {
    let sim = tl.sim();
    let views = sim.views();
    let histories: Vec<HistoryView> = views.iter().map(|v| sim.history(v.id).unwrap_or_default()).collect();
    let mut cells: BTreeMap<(NodeId, u64), Cell> = BTreeMap::new();
    for (v, h) in views.iter().zip(&histories) {
        for e in &h.entries {
            let mark = if e.done { Mark::Done } else { Mark::Pending };
            cells.insert((v.id, e.pos), Cell { entry: e.clone(), mark });
        }
    }
    for g in ghosts(tl) {
        let base = views.iter().zip(&histories).find(|(v, _)| v.id == g.node).map_or(0, |(_, h)| h.base);
        if g.entry.pos > base {
            let mark = Mark::Cut { step: g.step };
            cells.entry((g.node, g.entry.pos)).or_insert(Cell { entry: g.entry, mark });
        }
    }
    let leaders = views.iter().zip(&histories).filter(|(v, _)| v.up && v.is_leader);
    let window = leaders.filter_map(|(_, h)| h.window).max_by_key(|w| w.hi);
    let positions: BTreeSet<u64> = cells.keys().map(|(_, p)| *p).collect();
    let older = positions.len().saturating_sub(limit);
    let columns = columns(positions.into_iter().skip(older), &cells, window);
    let rows = views
        .iter()
        .map(|v| HistoryRow {
            node: v.id,
            up: v.up,
            leader: v.up && v.is_leader,
            cells: columns.iter().map(|c| cells.get(&(v.id, c.pos)).cloned()).collect(),
        })
        .collect();
    let group_name = histories.iter().find_map(|h| h.group_name);
    HistoryMatrix { columns, older, rows, window, group_name }
}

/// Column heads for `positions`, with a boundary where the group changes.
fn columns(
    positions: impl Iterator<Item = u64>,
    cells: &BTreeMap<(NodeId, u64), Cell>,
    window: Option<HistoryWindow>,
) -> Vec<Column> {
    let mut last_group = None;
    let mut out = Vec::new();
    for pos in positions {
        let here: Vec<&HistoryEntry> = cells.iter().filter(|((_, p), _)| *p == pos).map(|(_, c)| &c.entry).collect();
        let first = here[0];
        let group = first.group.filter(|g| here.iter().all(|e| e.group == Some(*g)));
        let boundary = group.is_some() && last_group.is_some() && group != last_group;
        last_group = group.or(last_group);
        let in_window = window.is_some_and(|w| (w.lo..=w.hi).contains(&pos));
        out.push(Column { pos, label: first.label.clone(), short: first.short.clone(), group, boundary, in_window });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::{build_with, find_builtin};

    fn run(name: &str) -> Timeline {
        let s = find_builtin(name).expect("built-in");
        let mut tl = Timeline::new(build_with(&s, s.seed));
        while tl.sim().next_time().is_some_and(|t| t.ms() <= s.run.until_ms) {
            tl.step_forward();
        }
        tl
    }

    #[test]
    fn multipaxos_slots_line_up_by_instance_grouped_by_ballot_round() {
        let m = history_matrix(&run("multipaxos-steady"), 40);
        assert_eq!(m.columns.first().map(|c| c.label.as_str()), Some("#0"));
        assert_eq!(m.group_name.map(|g| g.en), Some("ballot round"));
        let first = |r: &HistoryRow| r.cells[0].as_ref().map(|c| c.mark);
        assert!(m.rows.iter().all(|r| first(r) == Some(Mark::Done)), "slot 0 is chosen everywhere");
        assert!(m.columns.iter().all(|c| !c.in_window), "Multi-Paxos has no window");
    }

    #[test]
    fn a_protocol_without_a_log_has_an_empty_matrix() {
        let m = history_matrix(&run("paxos-basic"), 40);
        assert!(m.columns.is_empty() && m.group_name.is_none() && m.window.is_none());
    }
}
