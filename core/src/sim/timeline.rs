//! Exact stepping backwards and forking, on top of any [`DynSim`].
//!
//! A run is a sequence of steps; step `s` is either the simulator's own next input or,
//! if the branch says so, a person's [`Intervention`]. Because every automatic step
//! follows from the seed, a branch is fully described by its interventions and where
//! they happen. Stepping back restores the nearest snapshot (one every
//! [`SNAPSHOT_EVERY`] steps) and replays forward: exact, and fast enough for a UI.
//! Intervening anywhere but at the head of a branch starts a new branch from that
//! step; the old branch is kept and can be switched back to.
//!
//! A UI may also compute a branch ahead of where the person has been
//! ([`Timeline::compute_ahead`]), so its timeline can be scrubbed to any step. That
//! future is only what would happen: an intervention where the person is (at the
//! furthest step they have *seen*) replaces it rather than forking.

use super::{DynSim, Intervention, InterventionError, TraceEntry};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SNAPSHOT_EVERY: u64 = 64;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Branch {
    /// The branch this one forked from, and the number of steps they share.
    pub parent: Option<(usize, u64)>,
    /// `(s, iv)`: step `s` (1-based) is the intervention `iv`. Sorted by `s`.
    pub interventions: Vec<(u64, Intervention)>,
    /// The furthest step this branch has been run to (computed ahead, perhaps).
    pub head: u64,
    /// The furthest step the person has been at on this branch: intervening before it
    /// forks, as that future was seen.
    #[serde(default)]
    pub seen: u64,
}

impl Branch {
    fn at(&self, step: u64) -> Option<&Intervention> {
        self.interventions.iter().find(|(s, _)| *s == step).map(|(_, iv)| iv)
    }
}

pub struct Timeline {
    sim: Box<dyn DynSim>,
    /// Snapshots of the current branch, by step count.
    snapshots: BTreeMap<u64, Box<dyn DynSim>>,
    /// Trace entries of the current branch as far as it was run (may pass `pos`).
    entries: Vec<TraceEntry>,
    /// Steps taken: the state shown is the one after `pos` steps.
    pos: u64,
    branches: Vec<Branch>,
    current: usize,
    /// Set when the simulation has nothing left to do.
    finished: bool,
}

impl Timeline {
    pub fn new(sim: Box<dyn DynSim>) -> Timeline {
        let mut snapshots = BTreeMap::new();
        snapshots.insert(0, sim.box_clone());
        Timeline {
            sim,
            snapshots,
            entries: Vec::new(),
            pos: 0,
            branches: vec![Branch { parent: None, interventions: Vec::new(), head: 0, seen: 0 }],
            current: 0,
            finished: false,
        }
    }

    pub fn sim(&self) -> &dyn DynSim {
        self.sim.as_ref()
    }
    pub fn position(&self) -> u64 {
        self.pos
    }
    /// The entries up to the current position.
    pub fn entries(&self) -> &[TraceEntry] {
        &self.entries[..self.pos as usize]
    }
    /// Every entry of the current branch computed so far, past the position too (what
    /// `compute_ahead` ran): a UI marks the whole timeline's milestones from them.
    pub fn computed(&self) -> &[TraceEntry] {
        &self.entries
    }
    pub fn branches(&self) -> &[Branch] {
        &self.branches
    }
    pub fn current_branch(&self) -> usize {
        self.current
    }
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Take the next step of the current branch. `None` when nothing is left to happen.
    pub fn step_forward(&mut self) -> Option<&TraceEntry> {
        self.advance()?;
        self.mark_seen();
        self.entries.get(self.pos as usize - 1)
    }

    /// The person is here: the branch's future up to here was seen.
    fn mark_seen(&mut self) {
        let branch = &mut self.branches[self.current];
        branch.seen = branch.seen.max(self.pos);
    }

    /// Compute the current branch ahead of its head, without moving: at most `budget`
    /// steps, and no step due after `until_ms` (virtual). Whether it stopped for the
    /// budget (there may be more to compute).
    pub fn compute_ahead(&mut self, budget: u64, until_ms: u64) -> bool {
        let pos = self.pos;
        self.goto(self.branches[self.current].head);
        let mut left = budget;
        while left > 0 && self.sim.next_time().is_some_and(|t| t.ms() <= until_ms) {
            if self.advance().is_none() {
                break;
            }
            left -= 1;
        }
        self.goto(pos);
        left == 0
    }

    /// One step forward, recorded, without marking it seen.
    fn advance(&mut self) -> Option<()> {
        let s = self.position() + 1;
        let entry = match self.branches[self.current].at(s).cloned() {
            Some(iv) => self.sim.intervene(&iv).ok(),
            None => self.sim.step(),
        };
        let Some(entry) = entry else {
            self.finished = true;
            return None;
        };
        self.record(entry);
        let branch = &mut self.branches[self.current];
        branch.head = branch.head.max(s);
        if s % SNAPSHOT_EVERY == 0 {
            self.snapshots.entry(s).or_insert_with(|| self.sim.box_clone());
        }
        Some(())
    }

    /// Store the entry of step `pos + 1` and move there.
    fn record(&mut self, entry: TraceEntry) {
        let i = self.pos as usize;
        if i < self.entries.len() {
            debug_assert_eq!(self.entries[i], entry, "replay diverged at step {}", i + 1);
            self.entries[i] = entry;
        } else {
            self.entries.push(entry);
        }
        self.pos += 1;
    }

    /// The states just before and just after step `s` (1-based) of the current branch,
    /// rebuilt on copies from the nearest snapshot: the timeline does not move. For a
    /// view that compares a node across one step of the past (a history matrix's
    /// ghosts). `None` past the steps computed so far.
    pub fn around_step(&self, s: u64) -> Option<(Box<dyn DynSim>, Box<dyn DynSim>)> {
        if s == 0 || s > self.entries.len() as u64 {
            return None;
        }
        let (&at, snap) = self.snapshots.range(..s).next_back()?;
        let mut sim = snap.box_clone();
        let branch = &self.branches[self.current];
        let step = |sim: &mut Box<dyn DynSim>, n: u64| match branch.at(n) {
            Some(iv) => sim.intervene(iv).ok(),
            None => sim.step(),
        };
        for n in at + 1..s {
            step(&mut sim, n)?;
        }
        let before = sim.box_clone();
        step(&mut sim, s)?;
        Some((before, sim))
    }

    /// Go back one step, exactly.
    pub fn step_back(&mut self) -> bool {
        let pos = self.position();
        if pos == 0 {
            return false;
        }
        self.seek(pos - 1);
        true
    }

    /// Move to the state after `target` steps of the current branch.
    pub fn seek(&mut self, target: u64) {
        self.goto(target);
        self.mark_seen();
    }

    fn goto(&mut self, target: u64) {
        let (&at, snap) = self.snapshots.range(..=target).next_back().expect("snapshot 0 always exists");
        if at > self.pos || target < self.pos {
            self.sim = snap.box_clone();
            self.pos = at;
        }
        self.finished = false;
        while self.position() < target {
            if self.advance().is_none() {
                break;
            }
        }
    }

    /// Apply `iv` as the next step. At the head of a branch it extends the branch;
    /// anywhere else it forks a new branch from here (the old one is kept).
    pub fn intervene(&mut self, iv: Intervention) -> Result<&TraceEntry, InterventionError> {
        let pos = self.position();
        let entry = self.sim.intervene(&iv)?;
        let branch = &self.branches[self.current];
        // Behind where the person has been, the future they saw would be lost: fork
        // instead. A future only computed ahead is replaced.
        if branch.seen > pos {
            let mut interventions: Vec<_> = branch.interventions.iter().filter(|(s, _)| *s <= pos).cloned().collect();
            interventions.push((pos + 1, iv));
            let (head, seen) = (pos + 1, pos + 1);
            self.branches.push(Branch { parent: Some((self.current, pos)), interventions, head, seen });
            self.current = self.branches.len() - 1;
        } else {
            let branch = &mut self.branches[self.current];
            branch.interventions.retain(|(s, _)| *s <= pos);
            branch.interventions.push((pos + 1, iv));
            (branch.head, branch.seen) = (pos + 1, pos + 1);
        }
        self.snapshots.split_off(&(pos + 1));
        self.finished = false;
        self.entries.truncate(pos as usize);
        self.record(entry);
        Ok(self.entries.last().expect("just recorded"))
    }

    /// Switch to branch `b`, at the position it shares with the current one.
    pub fn switch_branch(&mut self, b: usize) {
        if b >= self.branches.len() || b == self.current {
            return;
        }
        let shared = self.shared_prefix(self.current, b).min(self.position());
        self.snapshots.split_off(&(shared + 1));
        self.goto(shared);
        self.entries.truncate(shared as usize);
        self.current = b;
    }

    /// Go to the branch whose interventions are exactly `interventions` (a link to a
    /// moment of another person's run), making it if there is none: from the branch that
    /// shares most with it, each missing intervention is applied at its step. Errors if
    /// one cannot be applied (the list is not of this run); what was applied stays.
    pub fn follow(&mut self, interventions: &[(u64, Intervention)]) -> Result<(), InterventionError> {
        if let Some(b) = self.branches.iter().position(|b| b.interventions == interventions) {
            self.switch_branch(b);
            return Ok(());
        }
        let common = |b: &Branch| b.interventions.iter().zip(interventions).take_while(|(x, y)| x == y).count();
        let (best, shared) =
            (0..self.branches.len()).map(|b| (b, common(&self.branches[b]))).max_by_key(|p| p.1).unwrap_or((0, 0));
        self.switch_branch(best);
        for (step, iv) in &interventions[shared..] {
            self.seek(step.saturating_sub(1));
            if self.position() + 1 != *step {
                return Err(InterventionError::Unreachable(*step));
            }
            self.intervene(iv.clone())?;
        }
        Ok(())
    }

    /// How many leading steps two branches have in common.
    fn shared_prefix(&self, a: usize, b: usize) -> u64 {
        let (ia, ib) = (&self.branches[a].interventions, &self.branches[b].interventions);
        let mut k = 0;
        while k < ia.len() && k < ib.len() && ia[k] == ib[k] {
            k += 1;
        }
        let first_diff = |v: &Vec<(u64, Intervention)>| v.get(k).map(|(s, _)| *s - 1).unwrap_or(u64::MAX);
        first_diff(ia).min(first_diff(ib))
    }
}
