//! Random fault schedules for seed sweeps: `sweep-paxos` and `sweep-multipaxos`.
//!
//! The seed picks the cluster size, the network's misbehaviour and a schedule of
//! crashes, restarts, partitions and requests. Every fault ends by `HEAL_MS`: all
//! crashed nodes restart and partitions heal, then one last request arrives, so a
//! correct protocol must still choose it (liveness) with no invariant ever violated
//! (safety). `ensemble sim --scenario sweep-paxos --seed N` replays seed `N`.

use super::spec::{NodesSpec, Protocol, RequestSpec, RunSpec, Scenario, ScheduleItem};
use crate::paxos::Fix;
use crate::sim::{NetConfig, Rng};

/// All faults are over by then.
pub const HEAL_MS: u64 = 1_500;
/// Enough for any correct run to finish what was asked after healing.
pub const END_MS: u64 = 6_000;

pub const SWEEP_NAMES: [&str; 2] = ["sweep-paxos", "sweep-multipaxos"];

/// The generated scenario called `name` for `seed`, if `name` is a sweep.
pub fn generated(name: &str, seed: u64) -> Option<Scenario> {
    match name {
        "sweep-paxos" => Some(random_scenario(Protocol::Paxos, seed)),
        "sweep-multipaxos" => Some(random_scenario(Protocol::Multipaxos, seed)),
        _ => None,
    }
}

pub fn random_scenario(protocol: Protocol, seed: u64) -> Scenario {
    // A different stream from the simulator's, so schedule and run do not correlate.
    let mut rng = Rng::new(seed ^ 0x5eed_5eed_5eed_5eed);
    let count = if rng.chance(0.5) { 3 } else { 5 };
    let lo = rng.range(1, 10);
    let network = NetConfig {
        latency_ms: [lo, lo + rng.range(0, 30)],
        drop: rng.range(0, 15) as f64 / 100.0,
        duplicate: rng.range(0, 10) as f64 / 100.0,
        reorder: rng.range(0, 20) as f64 / 100.0,
        reorder_ms: 50,
        fifo: protocol == Protocol::Zab,
    };
    let mut s = Scenario {
        name: format!("sweep-{}", if protocol == Protocol::Paxos { "paxos" } else { "multipaxos" }),
        description: "Random faults for a seed sweep".into(),
        description_zh: "用于随机种子扫描的随机故障".into(),
        protocol,
        seed,
        nodes: NodesSpec { count, proposers: vec![], acceptors: vec![], learners: vec![] },
        network,
        paxos: Default::default(),
        multipaxos: Default::default(),
        zab: Default::default(),
        run: RunSpec { until_ms: END_MS, max_steps: 1_000_000 },
        schedule: Vec::new(),
        expect: Default::default(),
    };
    // Seeds take turns with each livelock fix; liveness is asserted for the cures only.
    s.paxos.fix = [Fix::DistinguishedProposer, Fix::RandomizedBackoff, Fix::None][(seed % 3) as usize];
    s.schedule = faults(&mut rng, count);
    s
}

fn item(at_ms: u64) -> ScheduleItem {
    ScheduleItem {
        at_ms,
        request: None,
        client: None,
        crash: None,
        restart: None,
        partition: None,
        heal: None,
        crash_leader: None,
        isolate_leader: None,
    }
}

fn faults(rng: &mut Rng, count: u32) -> Vec<ScheduleItem> {
    let mut items = Vec::new();
    let node = |rng: &mut Rng| rng.range(1, u64::from(count)) as u32;
    for k in 0..rng.range(1, 4) {
        let at_ms = rng.range(0, HEAL_MS - 100);
        items.push(ScheduleItem {
            request: Some(RequestSpec { node: node(rng), value: format!("v{k}") }),
            ..item(at_ms)
        });
    }
    // Crash at most a minority at once, each restarted later; overlapping crashes of
    // the same node are skipped by the simulator.
    for _ in 0..rng.range(0, 3) {
        let (n, at_ms) = (node(rng), rng.range(0, HEAL_MS - 200));
        items.push(ScheduleItem { crash: Some(n), ..item(at_ms) });
        items.push(ScheduleItem { restart: Some(n), ..item(rng.range(at_ms + 1, HEAL_MS - 1)) });
    }
    if rng.chance(0.6) {
        let at_ms = rng.range(0, HEAL_MS - 200);
        let cut = rng.range(1, u64::from(count) - 1) as u32;
        let (a, b): (Vec<u32>, Vec<u32>) = (1..=count).partition(|n| *n <= cut);
        items.push(ScheduleItem { partition: Some(vec![a, b]), ..item(at_ms) });
    }
    items.push(ScheduleItem { heal: Some(true), ..item(HEAL_MS) });
    for n in 1..=count {
        items.push(ScheduleItem { restart: Some(n), ..item(HEAL_MS) });
    }
    let last = ScheduleItem {
        request: Some(RequestSpec { node: node(rng), value: "after-heal".into() }),
        ..item(HEAL_MS + 10)
    };
    items.push(last);
    items.sort_by_key(|i| i.at_ms);
    items
}
