//! Random fault schedules for seed sweeps: `sweep-NAME` for every protocol of the
//! registry (and each protocol's own profiles, such as ZAB's `sweep-zab-chaos`).
//!
//! The seed picks the cluster size, the network's misbehaviour and a schedule of
//! crashes, restarts, partitions and requests. Every fault ends by `HEAL_MS`: all
//! crashed nodes restart and partitions heal, then one last request arrives, so a
//! correct protocol must still choose it (liveness) with no invariant ever violated
//! (safety). `ensemble sim --scenario sweep-paxos --seed N` replays seed `N`.

use super::spec::{ClientSpec, NodesSpec, Protocol, RequestSpec, RunSpec, Scenario, ScheduleItem};
use crate::client::ClientOp;
use crate::protocol::REGISTRY;
use crate::sim::{NetConfig, Rng};

/// All faults are over by then.
pub const HEAL_MS: u64 = 1_500;
/// Enough for any correct run to finish what was asked after healing.
pub const END_MS: u64 = 6_000;

/// Every generated scenario's name: `sweep-NAME` per protocol, then its own profiles.
pub fn sweep_names() -> Vec<String> {
    let mut names: Vec<String> = REGISTRY.iter().map(|p| format!("sweep-{}", p.name())).collect();
    names.extend(REGISTRY.iter().flat_map(|p| p.extra_sweeps().iter().map(|(n, _)| n.to_string())));
    names
}

/// The client that writes after the faults are over (ZAB sweeps).
pub const LATE_CLIENT: u32 = 100;

/// The generated scenario called `name` for `seed`, if `name` is a sweep.
pub fn generated(name: &str, seed: u64) -> Option<Scenario> {
    if let Some(p) = REGISTRY.into_iter().find(|p| name.strip_prefix("sweep-") == Some(p.name())) {
        return Some(random_scenario(p.tag(), seed));
    }
    let extra = REGISTRY.iter().flat_map(|p| p.extra_sweeps()).find(|(n, _)| *n == name);
    extra.map(|(_, make)| make(seed))
}

pub fn random_scenario(protocol: Protocol, seed: u64) -> Scenario {
    let proto = crate::protocol::lookup(protocol);
    let shape = proto.sweep();
    // A different stream from the simulator's, so schedule and run do not correlate.
    let mut rng = Rng::new(seed ^ 0x5eed_5eed_5eed_5eed);
    let voters = if rng.chance(0.5) { 3 } else { 5 };
    // Some runs add an observer, where the protocol has them.
    let observer = shape.observer_percent > 0 && rng.chance(shape.observer_percent as f64 / 100.0);
    let count = voters + u32::from(observer);
    let lo = rng.range(1, 10);
    let network = NetConfig {
        latency_ms: [lo, lo + rng.range(0, 30)],
        drop: rng.range(0, 15) as f64 / 100.0,
        duplicate: rng.range(0, 10) as f64 / 100.0,
        reorder: rng.range(0, 20) as f64 / 100.0,
        reorder_ms: 50,
        fifo: shape.fifo,
        duplicate_late_ms: 0,
        disk_ms: disk_ms(seed),
    };
    let mut s = blank(&format!("sweep-{}", proto.name()), protocol, seed, count, network);
    // Seeds take turns with each livelock fix; liveness is asserted for the cures only.
    if let Some(fix) = proto.fixes().get(((seed + 1) % 3) as usize) {
        proto.set_fix(&mut s, fix).expect("a listed fix");
    }
    // Its own settings (restarts from checkpoints, ...), drawn from a stream of their
    // own so a seed's schedule is the same with or without them.
    proto.sweep_settings(&mut s, observer.then_some(count), &mut Rng::new(seed ^ 0xc0ff_eec0_ffee));
    if shape.sessions {
        // Time for every server to catch up after the late client's last attempt.
        s.run.until_ms = END_MS + 3_000;
    }
    s.schedule = faults(&mut rng, count, shape.sessions);
    s
}

/// Half the seeds run with a slow disk (1 to 6 ms a write), so a crash can fall
/// between a write and what waits on it. Drawn from a stream of its own, so a seed's
/// schedule is the same with or without it.
pub(crate) fn disk_ms(seed: u64) -> [u64; 2] {
    let mut rng = Rng::new(seed ^ 0xd15c_d15c_d15c_d15c);
    if !rng.chance(0.5) {
        return [0, 0];
    }
    let lo = rng.range(1, 3);
    [lo, lo + rng.range(0, 3)]
}

/// A generated scenario of `count` nodes with nothing scheduled yet.
pub(crate) fn blank(name: &str, protocol: Protocol, seed: u64, count: u32, network: NetConfig) -> Scenario {
    Scenario {
        name: name.into(),
        description: "Random faults for a seed sweep".into(),
        description_zh: "用于随机种子扫描的随机故障".into(),
        hint: Default::default(),
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
    }
}

/// An empty schedule entry at `at_ms`; callers set its one action.
pub(crate) fn item(at_ms: u64) -> ScheduleItem {
    ScheduleItem {
        at_ms,
        request: None,
        client: None,
        crash: None,
        restart: None,
        partition: None,
        heal: None,
        calm: None,
        slow_link: None,
        crash_leader: None,
        isolate_leader: None,
    }
}

fn faults(rng: &mut Rng, count: u32, sessions: bool) -> Vec<ScheduleItem> {
    let mut items = Vec::new();
    let node = |rng: &mut Rng| rng.range(1, u64::from(count)) as u32;
    if sessions {
        items.extend(session_clients(rng, count));
    } else {
        for k in 0..rng.range(1, 4) {
            let at_ms = rng.range(0, HEAL_MS - 100);
            let request = Some(RequestSpec { node: node(rng), value: format!("v{k}") });
            items.push(ScheduleItem { request, ..item(at_ms) });
        }
    }
    if sessions && rng.chance(0.3) {
        items.push(ScheduleItem { crash_leader: Some(true), ..item(rng.range(300, HEAL_MS - 300)) });
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
    if sessions {
        // Sessions ride on TCP: no loss without the connection breaking. After the faults,
        // the network stops losing messages, so the late client's write must succeed.
        items.push(ScheduleItem { calm: Some(true), ..item(HEAL_MS) });
        items.extend(late_writes(node(rng), HEAL_MS + 500, 10));
    } else {
        let request = Some(RequestSpec { node: node(rng), value: "after-heal".into() });
        items.push(ScheduleItem { request, ..item(HEAL_MS + 10) });
    }
    items.sort_by_key(|i| i.at_ms);
    items
}

/// The late client's attempts, `tries` times from `from_ms`: like a real client, it
/// retries while the ensemble recovers (a connect when already connected is harmless,
/// and so is a create that finds its node).
pub(crate) fn late_writes(node: u32, from_ms: u64, tries: u64) -> Vec<ScheduleItem> {
    let on =
        |at_ms, op| ScheduleItem { client: Some(ClientSpec { node, client: Some(LATE_CLIENT), op }), ..item(at_ms) };
    let create =
        || ClientOp::Create { path: "/after-heal".into(), data: String::new(), ephemeral: false, sequential: false };
    (0..tries)
        .flat_map(|k| {
            let at_ms = from_ms + 400 * k;
            [on(at_ms, ClientOp::connect(2_000)), on(at_ms + 200, create())]
        })
        .collect()
}

/// One client per server: it connects, then creates, updates and reads its own nodes.
fn session_clients(rng: &mut Rng, count: u32) -> Vec<ScheduleItem> {
    let mut items = Vec::new();
    for k in 1..=count {
        let at = |rng: &mut Rng| rng.range(350, HEAL_MS - 100);
        let client = |at_ms, op| ScheduleItem { client: Some(ClientSpec { node: k, client: None, op }), ..item(at_ms) };
        items.push(client(rng.range(250, 400), ClientOp::connect(1_000)));
        for i in 0..rng.range(1, 4) {
            let (ephemeral, sequential) = (rng.chance(0.3), rng.chance(0.3));
            let path = format!("/c{k}-{i}");
            items.push(client(at(rng), ClientOp::Create { path, data: format!("{i}"), ephemeral, sequential }));
        }
        let path = format!("/c{k}-0");
        items.push(client(at(rng), ClientOp::Set { path: path.clone(), data: "x".into(), version: None }));
        items.push(client(at(rng), ClientOp::Get { path, watch: rng.chance(0.5) }));
    }
    items
}
