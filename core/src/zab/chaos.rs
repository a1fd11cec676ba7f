//! `sweep-zab-chaos`: the ZAB sweep at its meanest.
//!
//! Until [`CHAOS_HEAL_MS`] the network is re-partitioned into random groups every 40 to
//! 250 ms, leaders are isolated and crashed, servers crash and restart, links slow down,
//! messages are lost and duplicated, and duplicates arrive late (after messages sent
//! later). Leaders keep only 2 to 4 proposals for DIFF, so SNAP, and leaders whose log
//! starts at a snapshot, are common. Clients on any server connect, create (sequential,
//! ephemeral), set, delete, read with watches, `sync`, `multi` and close.
//!
//! Then everything heals, and the only client left (if any) retries one write until
//! [`CHAOS_QUIET_MS`]. Nothing asks for a write after that, so a commit a server missed
//! is not covered up by a later one: a correct ensemble must still end with every
//! server serving the same history and every request answered.

use crate::client::ClientOp;
use crate::scenarios::random::{blank, item, late_writes, LATE_CLIENT};
use crate::scenarios::{ClientSpec, Protocol, Scenario, ScheduleItem, SlowLinkSpec};
use crate::sim::{NetConfig, Rng};

/// All faults are over by then.
pub const CHAOS_HEAL_MS: u64 = 4_000;
/// The last client request; the rest of the run is the servers' own.
/// A server that was LOOKING at the heal may rejoin only when its notification timeout
/// (doubling up to 1.6 s) next fires: the late client keeps trying until then.
pub const CHAOS_QUIET_MS: u64 = CHAOS_HEAL_MS + 3_800;
pub const CHAOS_END_MS: u64 = CHAOS_QUIET_MS + 4_000;
/// The client that writes after healing (as in `sweep-zab`).
pub const CHAOS_LATE_CLIENT: u32 = LATE_CLIENT;

/// Most seeds (80%) run with a slow disk, 1 to 16 ms a write, so crashes often fall
/// between a write and what waits on it. A stream of its own keeps the schedule.
fn slow_disk_ms(seed: u64) -> [u64; 2] {
    let mut rng = Rng::new(seed ^ 0xd15c_d15c_d15c_d15c);
    if !rng.chance(0.8) {
        return [0, 0];
    }
    let lo = rng.range(1, 8);
    [lo, lo + rng.range(0, 8)]
}

pub fn chaos_scenario(seed: u64) -> Scenario {
    // A different stream from the simulator's and from `sweep-zab`'s.
    let mut rng = Rng::new(seed ^ 0xc4a0_5c4a_05c4_a05c);
    let voters = if rng.chance(0.5) { 3 } else { 5 };
    let count = voters + rng.range(0, 2) as u32;
    let lo = rng.range(1, 10);
    let network = NetConfig {
        latency_ms: [lo, lo + rng.range(0, 40)],
        drop: rng.range(0, 20) as f64 / 100.0,
        duplicate: rng.range(0, 20) as f64 / 100.0,
        reorder: 0.0,
        reorder_ms: 50,
        fifo: true,
        duplicate_late_ms: if rng.chance(0.8) { 300 } else { 0 },
        disk_ms: slow_disk_ms(seed),
    };
    let mut s = blank("sweep-zab-chaos", Protocol::Zab, seed, count, network);
    s.description = "Random partitions, leader faults, late duplicates, SNAP and busy clients".into();
    s.description_zh = "随机分区、领导者故障、迟到的重复消息、SNAP 与繁忙的客户端".into();
    s.zab.committed_log_max = rng.range(2, 4) as usize;
    // Restarts from checkpoints too (a stream of its own keeps the schedule as it was).
    s.zab.checkpoint_every = Rng::new(seed ^ 0xc0ff_eec0_ffee).range(5, 60);
    // Observers anywhere, not only the highest ids.
    let mut ids: Vec<u32> = (1..=count).collect();
    while ids.len() > voters as usize {
        s.zab.observers.push(ids.remove(rng.range(0, ids.len() as u64 - 1) as usize));
    }
    s.zab.observers.sort();
    s.run.until_ms = CHAOS_END_MS;
    s.schedule = network_chaos(&mut rng, count);
    s.schedule.extend(clients(&mut rng, count));
    s.schedule.extend(heal(&mut rng, count));
    s.schedule.sort_by_key(|i| i.at_ms);
    s
}

/// Storms of two to six faults, 40 to 250 ms apart, until the heal. Between storms
/// the network stays as the last fault left it for 300 to 1,200 ms: long enough for a
/// leader to be established and commit while a minority is cut off, which it must
/// then catch up with (by SNAP, when it missed more than the DIFF window).
fn network_chaos(rng: &mut Rng, count: u32) -> Vec<ScheduleItem> {
    let mut items = Vec::new();
    let (mut at_ms, mut storm) = (rng.range(0, 200), rng.range(2, 6));
    while at_ms < CHAOS_HEAL_MS - 40 {
        items.extend(fault(rng, count, at_ms));
        storm -= 1;
        at_ms += if storm > 0 { rng.range(40, 250) } else { rng.range(300, 1_200) };
        if storm == 0 {
            storm = rng.range(2, 6);
        }
    }
    items
}

fn fault(rng: &mut Rng, count: u32, at_ms: u64) -> Vec<ScheduleItem> {
    let mut items = Vec::new();
    match rng.range(0, 99) {
        // A minority cut off while the rest goes on writing: it will need SNAP.
        0..=34 => items.push(ScheduleItem { partition: Some(minority(rng, count)), ..item(at_ms) }),
        35..=54 => items.push(ScheduleItem { partition: Some(groups(rng, count)), ..item(at_ms) }),
        55..=64 => items.push(ScheduleItem { heal: Some(true), ..item(at_ms) }),
        65..=79 => items.push(ScheduleItem { isolate_leader: Some(true), ..item(at_ms) }),
        80..=89 => {
            // Whoever led comes back a little later: restarting a live node is skipped.
            items.push(ScheduleItem { crash_leader: Some(true), ..item(at_ms) });
            let back = (at_ms + rng.range(50, 600)).min(CHAOS_HEAL_MS - 1);
            items.extend((1..=count).map(|n| ScheduleItem { restart: Some(n), ..item(back) }));
        }
        _ => {
            let n = rng.range(1, u64::from(count)) as u32;
            items.push(ScheduleItem { crash: Some(n), ..item(at_ms) });
            let back = (at_ms + rng.range(20, 800)).min(CHAOS_HEAL_MS - 1);
            items.push(ScheduleItem { restart: Some(n), ..item(back) });
        }
    }
    items
}

/// One to `(count - 1) / 2` random servers apart from the others.
fn minority(rng: &mut Rng, count: u32) -> Vec<Vec<u32>> {
    let mut rest: Vec<u32> = (1..=count).collect();
    let mut cut = Vec::new();
    for _ in 0..rng.range(1, u64::from((count - 1) / 2).max(1)) {
        cut.push(rest.remove(rng.range(0, rest.len() as u64 - 1) as usize));
    }
    vec![cut, rest]
}

/// Every server in one of two or three groups (a group may be one server alone).
fn groups(rng: &mut Rng, count: u32) -> Vec<Vec<u32>> {
    let k = rng.range(2, 3);
    let mut groups = vec![Vec::new(); k as usize];
    for n in 1..=count {
        groups[rng.range(0, k - 1) as usize].push(n);
    }
    groups.retain(|g| !g.is_empty());
    groups
}

/// The end of the faults: heal, restart everyone, calm the network, restore slow links.
fn heal(rng: &mut Rng, count: u32) -> Vec<ScheduleItem> {
    let mut items = vec![ScheduleItem { heal: Some(true), ..item(CHAOS_HEAL_MS) }];
    items.extend((1..=count).map(|n| ScheduleItem { restart: Some(n), ..item(CHAOS_HEAL_MS) }));
    items.push(ScheduleItem { calm: Some(true), ..item(CHAOS_HEAL_MS) });
    for _ in 0..rng.range(0, 2) {
        let (from, to) = (rng.range(1, u64::from(count)) as u32, rng.range(1, u64::from(count)) as u32);
        let slow =
            |extra_ms, at_ms| ScheduleItem { slow_link: Some(SlowLinkSpec { from, to, extra_ms }), ..item(at_ms) };
        items.push(slow(rng.range(20, 150), rng.range(0, CHAOS_HEAL_MS - 100)));
        items.push(slow(0, CHAOS_HEAL_MS));
    }
    items
}

/// Three to six clients on random servers, busy until just before the heal; then, in
/// most runs, one more that retries a write until it succeeds.
fn clients(rng: &mut Rng, count: u32) -> Vec<ScheduleItem> {
    let mut items = Vec::new();
    for c in 1..=rng.range(3, 6) as u32 {
        let node = rng.range(1, u64::from(count)) as u32;
        let on = |at_ms, op| ScheduleItem { client: Some(ClientSpec { node, client: Some(c), op }), ..item(at_ms) };
        let (start, timeout_ms) = (rng.range(50, 500), rng.range(800, 3_000));
        items.push(on(start, ClientOp::connect(timeout_ms)));
        for i in 0..rng.range(10, 25) as u32 {
            let at_ms = rng.range(start + 20, CHAOS_HEAL_MS - 100);
            // Like a real client it reconnects after losing its server: harmless when
            // still connected, and without a session it could write nothing.
            if rng.chance(0.4) {
                items.push(on(at_ms - 10, ClientOp::connect(timeout_ms)));
            }
            items.push(on(at_ms, op(rng, c, i)));
        }
    }
    if rng.chance(0.7) {
        let node = rng.range(1, u64::from(count)) as u32;
        let client = Some(CHAOS_LATE_CLIENT);
        let on = |at_ms, op| ScheduleItem { client: Some(ClientSpec { node, client, op }), ..item(at_ms) };
        items.extend(late_writes(node, CHAOS_HEAL_MS + 300, 9));
        items.push(on(CHAOS_QUIET_MS, ClientOp::Sync { path: "/".into() }));
        items.push(on(CHAOS_QUIET_MS, ClientOp::Get { path: "/after-heal".into(), watch: true }));
    }
    items
}

/// One random operation of client `c` (its `i`-th): on its own nodes, or on the shared
/// `/s` and its sequential children, so that clients race each other.
fn op(rng: &mut Rng, c: u32, i: u32) -> ClientOp {
    let own = |rng: &mut Rng| format!("/c{c}-{}", rng.range(0, u64::from(i)));
    let path = |rng: &mut Rng| if rng.chance(0.5) { "/s".to_string() } else { own(rng) };
    let watch = rng.chance(0.7);
    let create = |path: String, ephemeral, sequential| ClientOp::Create {
        path,
        data: format!("{c}.{i}"),
        ephemeral,
        sequential,
    };
    match rng.range(0, 99) {
        0..=19 => create(format!("/c{c}-{i}"), rng.chance(0.3), rng.chance(0.3)),
        20..=27 => create("/s".into(), false, false),
        28..=37 => create("/s/q-".into(), rng.chance(0.5), true),
        38..=49 => {
            let version = rng.chance(0.3).then(|| rng.range(0, 2) as i32);
            ClientOp::Set { path: path(rng), data: format!("{c}.{i}"), version }
        }
        50..=56 => ClientOp::Delete { path: path(rng), version: None },
        57..=68 => ClientOp::Get { path: path(rng), watch },
        69..=74 => ClientOp::Exists { path: path(rng), watch },
        75..=80 => ClientOp::Children { path: "/s".into(), watch },
        81..=89 => ClientOp::Sync { path: "/".into() },
        90..=94 => ClientOp::Multi {
            ops: vec![
                ClientOp::Check { path: "/s".into(), version: None },
                create(format!("/c{c}-m{i}"), false, false),
            ],
        },
        95..=97 => ClientOp::Close {},
        _ => ClientOp::connect(rng.range(800, 3_000)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chaos_scenarios_are_valid_and_end_quietly() {
        for seed in 0..300 {
            let s = chaos_scenario(seed);
            s.validate().unwrap_or_else(|e| panic!("seed {seed}: {e:?}"));
            assert!(s.schedule.iter().all(|i| i.client.is_none() || i.at_ms <= CHAOS_QUIET_MS));
            assert!(s
                .schedule
                .iter()
                .filter(|i| i.crash.is_some() || i.partition.is_some())
                .all(|i| i.at_ms < CHAOS_HEAL_MS));
            assert!((2..=4).contains(&s.zab.committed_log_max));
        }
    }
}
