//! What the ZAB seed sweeps check, shared by `sweep-zab` and `sweep-zab-chaos`.
//!
//! During the run: every invariant of the checker (including `stuck`), and
//! `log_consistent`: after each step, the server that took it has a log that is a
//! contiguous history (each zxid follows the one before, from its snapshot on) of
//! transactions exactly as they were broadcast. The checker cannot see followers'
//! logs (no event says what they logged), so the sweep looks inside the servers.
//!
//! After healing: a leader with a quorum in BROADCAST within `leader_within_ms`; no
//! server changes its state or phase after `settled_ms` (no flapping); at the end every
//! live server serves (LEADING, FOLLOWING or OBSERVING, in BROADCAST) under that one
//! leader, with the same last zxid, delivered zxid and tree; every client request was
//! answered (a reply, or its server crashed: the client saw the connection drop) and
//! none became two transactions (`exactly_once`); the late write (if any) is everywhere;
//! each tree equals the replay of its disk.

use ensemble_core::event::Event;
use ensemble_core::scenarios::{Scenario, LATE_CLIENT};
use ensemble_core::sim::{DynSim, Sim, TraceEntry};
use ensemble_core::zab::{ServerState, SyncMode, ZabEvent, ZabNode, ZabPhase};
use ensemble_core::{ClientId, NodeId, Zxid};
use std::collections::BTreeMap;

pub struct Profile {
    /// The generated scenario's name, as `ensemble sim --scenario` takes it.
    pub name: &'static str,
    pub scenario: fn(u64) -> Scenario,
    pub heal_ms: u64,
    /// After healing, a leader must serve a quorum this soon.
    pub leader_within_ms: u64,
    /// From then on no server changes its state or phase (no flapping).
    pub settled_ms: u64,
    /// The variable that sets the seed count, and the count without it.
    pub seeds_var: &'static str,
    pub default_seeds: u64,
}

/// A failed seed: the check that failed (to count failures by kind) and what happened.
pub struct Failure {
    pub check: String,
    pub text: String,
}

fn fail<T>(check: &str, text: String) -> Result<T, Failure> {
    Err(Failure { check: check.into(), text })
}

/// How mean a run was, counted over a sweep.
#[derive(Clone, Copy, Default)]
pub struct Coverage {
    /// A leader synchronized a learner with SNAP.
    pub snap: bool,
    /// A leader was established whose log starts at a snapshot.
    pub snapshot_leader: bool,
    /// A late duplicate was put on the wire.
    pub late_duplicate: bool,
    /// A crash lost writes still in progress (and what waited on them).
    pub lost_writes: bool,
}

/// What the sweep follows from step to step.
#[derive(Default)]
struct Monitor {
    /// Requests not answered yet: (client, seq) -> (server, time, op).
    open: BTreeMap<(ClientId, u64), (NodeId, u64, String)>,
    /// When, after healing, a leader first served a quorum.
    leader_at: Option<u64>,
    /// The last change of a server's state or phase: (time, server).
    last_change: (u64, Option<NodeId>),
    /// Per server, the log prefix already checked: (snapshot, length, last zxid).
    checked: BTreeMap<NodeId, (Zxid, usize, Zxid)>,
    coverage: Coverage,
}

/// Run one seed; what it covered (also when it failed) and its first failure.
pub fn run_seed(p: &Profile, seed: u64) -> (Coverage, Result<(), Failure>) {
    let s = (p.scenario)(seed);
    let mut sim = ensemble_core::zab::build(&s, seed);
    sim.set_tracing(false);
    let mut m = Monitor::default();
    let mut result = run(&s, &mut sim, &mut m, p.heal_ms);
    m.coverage.late_duplicate = s.network.duplicate_late_ms > 0 && sim.stats().duplicated > 0;
    if result.is_ok() {
        result = after_heal(p, &s, &sim, &m);
    }
    (m.coverage, result)
}

/// Step to the end of the run, or to its first failure.
fn run(s: &Scenario, sim: &mut Sim<ZabNode>, m: &mut Monitor, heal_ms: u64) -> Result<(), Failure> {
    while s.run.allows(sim.steps(), sim.next_time().map(|t| t.ms())) {
        let Some(entry) = sim.step() else { break };
        if let Some(v) = sim.checker().violations().first() {
            return fail(&v.invariant, format!("{} violated at step {}: {}", v.invariant, v.step, v.detail));
        }
        m.observe(sim, &entry, heal_ms)?;
    }
    Ok(())
}

/// The checks after healing, in order; the first that fails.
fn after_heal(p: &Profile, s: &Scenario, sim: &Sim<ZabNode>, m: &Monitor) -> Result<(), Failure> {
    let checks = [
        leader_in_time(p, m),
        settled(p, m),
        converged(sim),
        answered(m),
        exactly_once(sim),
        late_write(s, sim),
        durable(sim),
    ];
    checks.into_iter().collect()
}

fn leader_in_time(p: &Profile, m: &Monitor) -> Result<(), Failure> {
    match m.leader_at {
        Some(t) if t <= p.heal_ms + p.leader_within_ms => Ok(()),
        Some(t) => {
            fail("leader_after_heal", format!("a leader served a quorum only {} ms after healing", t - p.heal_ms))
        }
        None => fail("leader_after_heal", "no leader served a quorum after healing".into()),
    }
}

fn settled(p: &Profile, m: &Monitor) -> Result<(), Failure> {
    match m.last_change {
        (t, Some(n)) if t > p.settled_ms => fail(
            "serving_after_heal",
            format!("server {n} still changed its state or phase at {t} ms, {} ms after healing", t - p.heal_ms),
        ),
        _ => Ok(()),
    }
}

fn answered(m: &Monitor) -> Result<(), Failure> {
    match m.open.iter().next() {
        Some(((c, seq), (n, at, op))) => fail(
            "request_answered",
            format!("client {}'s request #{seq} ({op}) to server {n} at {at} ms was never answered", c.0),
        ),
        None => Ok(()),
    }
}

/// No client request became two transactions (e.g. a duplicated REQUEST proposed
/// twice). Seen in the serving leader's log, which holds what was delivered since its
/// snapshot; the leader's own session expiries (client 0) are left out.
fn exactly_once(sim: &Sim<ZabNode>) -> Result<(), Failure> {
    let Some(leader) = serving_leader(sim) else { return Ok(()) };
    let mut seen = BTreeMap::new();
    for e in &sim.node(leader).log {
        let Some(o) = e.origin.filter(|o| o.client.0 != 0) else { continue };
        if let Some(first) = seen.insert((o.server, o.client, o.seq), e.zxid) {
            let what = format!("client {}'s request #{} (via server {})", o.client.0, o.seq, o.server);
            return fail("exactly_once", format!("{what} became two transactions, {first} and {}", e.zxid));
        }
    }
    Ok(())
}

fn late_write(s: &Scenario, sim: &Sim<ZabNode>) -> Result<(), Failure> {
    let late = s.schedule.iter().any(|i| i.client.as_ref().is_some_and(|c| c.client == Some(LATE_CLIENT)));
    match live(sim).into_iter().find(|n| late && sim.node(*n).tree.stat("/after-heal").is_none()) {
        Some(n) => fail("late_write", format!("server {n} lacks the write made after the network healed")),
        None => Ok(()),
    }
}

fn durable(sim: &Sim<ZabNode>) -> Result<(), Failure> {
    for n in live(sim) {
        let node = sim.node(n);
        let replayed = ZabNode::new(n, node.config.clone(), sim.durable(n));
        if replayed.tree.digest() != node.tree.digest() || replayed.last_zxid() != node.last_zxid() {
            return fail("durability", format!("server {n}: its tree differs from the replay of its disk"));
        }
    }
    Ok(())
}

fn live(sim: &Sim<ZabNode>) -> Vec<NodeId> {
    (1..=sim.node_count()).map(NodeId).filter(|n| sim.is_up(*n)).collect()
}

impl Monitor {
    fn observe(&mut self, sim: &Sim<ZabNode>, entry: &TraceEntry, heal_ms: u64) -> Result<(), Failure> {
        for e in &entry.events {
            match (e, entry.node) {
                (Event::Request { client, seq, op }, Some(n)) => {
                    self.open.insert((*client, *seq), (n, entry.time_ms, op.name().to_string()));
                }
                (Event::Reply { client, seq, .. }, _) => {
                    self.open.remove(&(*client, *seq));
                }
                // A client whose server crashes sees its connection drop: that answers it.
                (Event::Crash { lost_writes }, Some(n)) => {
                    self.coverage.lost_writes |= *lost_writes > 0;
                    self.open.retain(|_, (server, _, _)| *server != n)
                }
                _ => self.observe_zab(sim, entry, e.get()),
            }
        }
        if let Some(n) = entry.node.filter(|n| sim.is_up(*n)) {
            self.check_log(sim, n)?;
        }
        if self.leader_at.is_none() && entry.time_ms >= heal_ms && serving_leader(sim).is_some() {
            self.leader_at = Some(entry.time_ms);
        }
        Ok(())
    }

    fn observe_zab(&mut self, sim: &Sim<ZabNode>, entry: &TraceEntry, e: Option<&ZabEvent>) {
        match (e, entry.node) {
            (Some(ZabEvent::State { .. } | ZabEvent::Phase { .. }), n) => self.last_change = (entry.time_ms, n),
            (Some(ZabEvent::Sync { mode: SyncMode::Snap, .. }), _) => self.coverage.snap = true,
            (Some(ZabEvent::LeaderEstablished { .. }), Some(n)) if sim.node(n).snap_zxid != Zxid::ZERO => {
                self.coverage.snapshot_leader = true
            }
            _ => {}
        }
    }

    /// `log_consistent` for server `n`, from where it was checked last.
    fn check_log(&mut self, sim: &Sim<ZabNode>, n: NodeId) -> Result<(), Failure> {
        let node = sim.node(n);
        let (snap, log) = (node.snap_zxid, &node.log);
        let from = match self.checked.get(&n) {
            Some(&(s, len, last)) if s == snap && len > 0 && log.get(len - 1).is_some_and(|e| e.zxid == last) => len,
            _ => 0,
        };
        for i in from..log.len() {
            let (prev, e) = (if i == 0 { snap } else { log[i - 1].zxid }, &log[i]);
            if !follows_on(prev, e.zxid) {
                fail("log_consistent", format!("server {n} logged {} right after {prev}: a hole or disorder", e.zxid))?;
            }
            if sim.checker().invariants().broadcast(e.zxid) != Some(&e.txn) {
                fail("log_consistent", format!("server {n} logged {} as a transaction never broadcast so", e.zxid))?;
            }
        }
        self.checked.insert(n, (snap, log.len(), log.last().map(|e| e.zxid).unwrap_or(snap)));
        Ok(())
    }
}

/// A zxid follows its predecessor: the next counter of its epoch, or 1 of a new epoch.
fn follows_on(prev: Zxid, z: Zxid) -> bool {
    if prev.epoch() == z.epoch() {
        z.counter() == prev.counter() + 1
    } else {
        z.epoch() > prev.epoch() && z.counter() == 1
    }
}

fn serving(n: &ZabNode) -> bool {
    n.phase == ZabPhase::Broadcast && n.state != ServerState::Looking
}

/// The live leader in BROADCAST that a quorum of voters (itself included) follow in
/// BROADCAST, if there is one.
fn serving_leader(sim: &Sim<ZabNode>) -> Option<NodeId> {
    let up = live(sim);
    let leader = *up.iter().find(|n| sim.node(**n).state == ServerState::Leading && serving(sim.node(**n)))?;
    let voters = &sim.node(leader).config.voters;
    let with = voters.iter().filter(|v| up.contains(v) && (**v == leader || follows(sim.node(**v), leader))).count();
    (with > voters.len() / 2).then_some(leader)
}

fn follows(n: &ZabNode, leader: NodeId) -> bool {
    serving(n) && n.state != ServerState::Leading && n.leader == Some(leader)
}

/// The end of the run: one leader, everyone serving it, one history, one tree.
fn converged(sim: &Sim<ZabNode>) -> Result<(), Failure> {
    let up = live(sim);
    let show = |n: &NodeId| {
        let z = sim.node(*n);
        format!("{n}: {} {:?} last {} delivered {}", z.state.name(), z.phase, z.last_zxid(), z.delivered)
    };
    let all = up.iter().map(show).collect::<Vec<_>>().join("; ");
    let Some(leader) = serving_leader(sim) else {
        return fail("serving_after_heal", format!("no leader serves a quorum at the end ({all})"));
    };
    if let Some(n) = up.iter().find(|n| **n != leader && !follows(sim.node(**n), leader)) {
        return fail(
            "serving_after_heal",
            format!("server {n} does not serve under leader {leader} at the end ({all})"),
        );
    }
    let same = |f: &dyn Fn(&ZabNode) -> String| up.windows(2).all(|w| f(sim.node(w[0])) == f(sim.node(w[1])));
    if !same(&|z| z.last_zxid().to_string()) || !same(&|z| z.delivered.to_string()) {
        return fail("converged_after_heal", format!("live servers end with different histories ({all})"));
    }
    if !same(&|z| z.tree.digest()) {
        return fail("converged_after_heal", format!("live servers' trees differ at the end ({all})"));
    }
    Ok(())
}

/// Run a profile's seeds; fail with the first failures and their replay commands, and
/// with how many seeds failed each check.
pub fn sweep(p: &Profile) {
    let n = std::env::var(p.seeds_var).ok().and_then(|s| s.parse().ok()).unwrap_or(p.default_seeds);
    let (mut failures, mut by_check, mut covered) = (Vec::new(), BTreeMap::<String, u64>::new(), [0u64; 4]);
    for seed in 0..n {
        let (c, result) = std::panic::catch_unwind(|| run_seed(p, seed)).unwrap_or_else(|_| {
            (Coverage::default(), fail("panic", "a server assertion failed (see the panic above)".into()))
        });
        for (k, hit) in [c.snap, c.snapshot_leader, c.late_duplicate, c.lost_writes].into_iter().enumerate() {
            covered[k] += u64::from(hit);
        }
        if let Err(f) = result {
            *by_check.entry(f.check.clone()).or_default() += 1;
            let replay = format!("cargo run -p ensemble-native -- sim --scenario {} --seed {seed} --explain", p.name);
            failures.push(format!("seed {seed}: [{}] {}\n  replay: {replay}", f.check, f.text));
        }
    }
    eprintln!(
        "{}: {n} seeds: {} with SNAP, {} with a leader whose log starts at a snapshot, {} with late duplicates, \
         {} with writes lost in a crash; failed checks: {by_check:?}",
        p.name, covered[0], covered[1], covered[2], covered[3]
    );
    // Every failure, to sort them by cause: ENSEMBLE_SWEEP_VERBOSE=1.
    let shown = if std::env::var_os("ENSEMBLE_SWEEP_VERBOSE").is_some() { failures.len() } else { 10 };
    let first = failures[..failures.len().min(shown)].join("\n");
    assert!(failures.is_empty(), "{} of {n} seeds failed:\n{first}", failures.len());
}
