//! The history matrix of ZAB runs: every server's log by zxid, grouped by epoch, the
//! leader's committed-log window (which decides DIFF, TRUNC or SNAP), and a proposal
//! cut by TRUNC kept as a ghost with the step that cut it.

use super::tests::{config, server};
use super::*;
use crate::scenarios::{build_with, find_builtin};
use crate::sim::{history_matrix, HistoryMatrix, Mark, Timeline, TraceEntry};
use crate::view::HistoryView;

fn timeline(name: &str) -> Timeline {
    let s = find_builtin(name).expect("built-in");
    Timeline::new(build_with(&s, s.seed))
}

/// Step to the scenario's end: ZAB's ticks never stop by themselves.
fn run_to_end(tl: &mut Timeline, name: &str) {
    let until = find_builtin(name).expect("built-in").run.until_ms;
    while tl.sim().next_time().is_some_and(|t| t.ms() <= until) {
        tl.step_forward();
    }
}

/// Step until a step with `found`; its number.
fn step_until(tl: &mut Timeline, found: impl Fn(&TraceEntry) -> bool) -> u64 {
    loop {
        let entry = tl.step_forward().expect("the run gets there");
        if found(entry) {
            return entry.step;
        }
    }
}

/// Node `n`'s cell at `zxid`: its mark and operation.
fn cell(m: &HistoryMatrix, n: u32, zxid: Zxid) -> Option<(Mark, String)> {
    let col = m.columns.iter().position(|c| c.pos == zxid.0)?;
    let row = m.rows.iter().find(|r| r.node == NodeId(n))?;
    row.cells[col].as_ref().map(|c| (c.mark, c.entry.op.clone()))
}

fn z(e: u32, c: u32) -> Zxid {
    Zxid::new(Epoch(e), c)
}

fn sync_mode(entry: &TraceEntry) -> Option<(NodeId, SyncMode, Zxid)> {
    entry.events.iter().find_map(|e| match e.get::<ZabEvent>() {
        Some(ZabEvent::Sync { learner, mode, zxid }) => Some((*learner, *mode, *zxid)),
        _ => None,
    })
}

#[test]
fn a_servers_history_is_its_log_by_zxid_grouped_by_epoch() {
    let n = server(1, &config(3, &[]), &[[1, 2], [2, 1]], Some([1, 2]));
    let h: HistoryView = n.history();
    let labels: Vec<&str> = h.entries.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["0x100000001", "0x100000002", "0x200000001"]);
    let shorts: Vec<&str> = h.entries.iter().map(|e| e.short.as_str()).collect();
    assert_eq!(shorts, ["1", "2", "1"]);
    assert_eq!(h.entries.iter().map(|e| e.group).collect::<Vec<_>>(), [Some(1), Some(1), Some(2)]);
    assert_eq!(h.entries.iter().map(|e| e.done).collect::<Vec<_>>(), [true, true, false]);
    assert_eq!(h.entries[0].op, "set /", "the operation with its path");
    assert_eq!(h.window, None, "a server that does not lead has no window");
    assert_eq!(h.group_name.map(|g| g.en), Some("epoch"));
}

#[test]
fn a_proposal_cut_by_trunc_stays_as_a_ghost_labelled_with_its_step() {
    let name = "zab-crash-mid-broadcast-minority";
    let mut tl = timeline(name);
    let truncated = |e: &TraceEntry| {
        e.node == Some(NodeId(3)) && e.events.iter().any(|e| matches!(e.get(), Some(ZabEvent::Truncated { .. })))
    };
    let cut_at = step_until(&mut tl, truncated);
    tl.seek(cut_at - 1);
    let before = history_matrix(&tl, 40);
    assert_eq!(cell(&before, 3, z(1, 3)), Some((Mark::Pending, "create /b".into())), "only the old leader has it");
    assert_eq!(cell(&before, 2, z(1, 3)), None);
    tl.seek(cut_at);
    let after = history_matrix(&tl, 40);
    assert_eq!(cell(&after, 3, z(1, 3)), Some((Mark::Cut { step: cut_at }, "create /b".into())));
    run_to_end(&mut tl, name);
    let end = history_matrix(&tl, 40);
    assert_eq!(cell(&end, 3, z(1, 3)).map(|c| c.0), Some(Mark::Cut { step: cut_at }), "the ghost stays");
    for n in 1..=3 {
        assert_eq!(cell(&end, n, z(1, 2)), Some((Mark::Done, "create /a".into())), "node {n}: aligned by zxid");
    }
    let leader = end.rows.iter().find(|r| r.leader).expect("a leader");
    assert_eq!(leader.node, NodeId(2));
    let window = end.window.expect("the leader's window");
    let last = tl.sim().history(NodeId(2)).and_then(|h| h.entries.last().map(|e| e.pos)).expect("a log");
    assert_eq!(window.hi, last, "the window reaches the leader's last zxid");
    assert!(end.columns.iter().any(|c| c.in_window && c.pos == last));
}

#[test]
fn epochs_are_groups_with_a_boundary_where_one_begins() {
    let mut tl = timeline("zab-election-epoch");
    run_to_end(&mut tl, "zab-election-epoch");
    let m = history_matrix(&tl, 40);
    for pair in m.columns.windows(2) {
        let changes = pair[0].group.is_some() && pair[1].group.is_some() && pair[0].group != pair[1].group;
        assert_eq!(pair[1].boundary, changes, "{} after {}", pair[1].label, pair[0].label);
    }
    assert!(m.columns.iter().any(|c| c.boundary), "the run crosses an epoch");
    let few = history_matrix(&tl, 2);
    assert_eq!(few.columns.len(), 2);
    assert_eq!(few.older, m.columns.len() - 2, "older positions are counted, not shown");
    assert_eq!(few.columns[1], m.columns[m.columns.len() - 1], "the newest are shown");
}

/// The window shows the leader's choice: a learner whose last zxid is inside it gets a
/// DIFF; one below it (far behind), a SNAP.
#[test]
fn the_window_tells_diff_from_snap() {
    for (name, mode) in [("zab-leader-crash", SyncMode::Diff), ("zab-follower-far-behind", SyncMode::Snap)] {
        let mut tl = timeline(name);
        let step = step_until(&mut tl, |e| sync_mode(e).is_some_and(|(_, m, _)| m == mode));
        let entry = tl.entries()[step as usize - 1].clone();
        let (_, _, peer) = sync_mode(&entry).expect("a sync");
        let (before, _) = tl.around_step(step).expect("in the past");
        let window = before.history(entry.node.expect("the leader")).and_then(|h| h.window).expect("leading");
        let inside = (window.lo..=window.hi).contains(&peer.0);
        assert_eq!(inside, mode == SyncMode::Diff, "{name}: {peer} against {:x}..={:x}", window.lo, window.hi);
    }
}
