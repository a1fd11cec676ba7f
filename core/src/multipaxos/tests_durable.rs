//! Checkpoints: restarting from the last checkpoint and the records after it gives the
//! node that replaying every record would, and the records kept stay few, in a long
//! run with crashes and a slow disk too.

use super::*;
use crate::node::Action;
use crate::paxos::PaxosChecker;
use crate::sim::{Intervention, NetConfig, Sim};

const EVERY: u64 = 7;

fn config(every: u64) -> Arc<MultiPaxosConfig> {
    let settings = MultiPaxosSettings { checkpoint_every: every, ..MultiPaxosSettings::default() };
    Arc::new(MultiPaxosConfig::from_settings(3, &settings))
}

/// What survives a crash, and what a restart rebuilds from it.
type Durable = (Ballot, BTreeMap<Instance, (Ballot, Entry)>, BTreeMap<Instance, Entry>, u64, Vec<Value>, u64);

fn durable_part(n: &MultiPaxosNode) -> Durable {
    (n.promised, n.accepted.clone(), n.chosen.clone(), n.applied, n.log.clone(), n.saved_round)
}

fn restarted(config: &Arc<MultiPaxosConfig>, records: &[MultiPaxosDurable]) -> (Durable, u64) {
    let n = MultiPaxosNode::new(NodeId(2), config.clone(), records);
    (durable_part(&n), n.max_round)
}

/// Node 2 promises, accepts three slots (one twice), learns two, and runs phase 1
/// itself, round after round; `check` sees every record but the checkpoints and what
/// a runtime keeps (each checkpoint drops what came before).
fn drive(mut check: impl FnMut(&MultiPaxosNode, &[MultiPaxosDurable], &[MultiPaxosDurable])) {
    let mut n = MultiPaxosNode::new(NodeId(2), config(EVERY), &[]);
    let (mut plain, mut kept, mut out) = (Vec::new(), Vec::new(), Out::new());
    for r in 1..=40u64 {
        let (b, k) = (Ballot::new(2 * r, NodeId(1)), Instance(2 * (r - 1)));
        let entry = |i: u64| Entry {
            value: Value::data(format!("v{i}")),
            origin: Some(Origin { node: NodeId(1), client: ClientId(1), seq: i }),
        };
        let mut msgs = vec![MultiPaxosMsg::Prepare { ballot: b, from_slot: k }];
        for s in [k.0, k.0 + 1, k.0 + 1, k.0 + 2] {
            msgs.push(MultiPaxosMsg::Accept { ballot: b, slot: Instance(s), entry: entry(s) });
        }
        msgs.extend((k.0..k.0 + 2).map(|s| MultiPaxosMsg::Chosen { slot: Instance(s), entry: entry(s) }));
        for m in msgs {
            n.on_message(Time(0), NodeId(1), m, &mut out);
        }
        n.on_timer(Time(0), MultiPaxosTimer::LeaderTimeout, &mut out);
        for a in out.take() {
            let Action::Persist(rec) = a else { continue };
            if MultiPaxosNode::is_checkpoint(&rec) {
                kept.clear();
            } else {
                plain.push(rec.clone());
            }
            kept.push(rec);
        }
        check(&n, &plain, &kept);
    }
    assert_eq!(plain.len(), 40 * 7, "records written");
}

#[test]
fn a_checkpoint_and_the_records_after_it_rebuild_the_node() {
    let config = config(EVERY);
    let mut checkpoints = 0;
    drive(|live, plain, kept| {
        let from_checkpoint = restarted(&config, kept);
        assert_eq!(from_checkpoint, restarted(&config, plain));
        assert_eq!(from_checkpoint.0, durable_part(live));
        // A checkpoint waits for as many records as it copies (slots accepted and chosen).
        let bound = EVERY.max((live.accepted.len() + live.chosen.len()) as u64) + 4;
        assert!(kept.len() as u64 <= bound, "{} records kept", kept.len());
        checkpoints += usize::from(MultiPaxosNode::is_checkpoint(&kept[0]));
    });
    assert!(checkpoints > 30, "only {checkpoints} steps started from a checkpoint");
}

/// Three nodes, 300 commands over three seconds, a slow disk, a follower and then the
/// leader crashing and coming back: every node keeps at most about as many records as
/// its checkpoint copies (or `every`), and rebuilds from them the durable state it has.
#[test]
fn a_long_run_keeps_few_records() {
    let every = 20;
    let config = config(every);
    let net = NetConfig { disk_ms: [1, 3], ..NetConfig::default() };
    let factory = {
        let config = config.clone();
        Arc::new(move |id, d: &[MultiPaxosDurable]| MultiPaxosNode::new(id, config.clone(), d))
    };
    let mut sim = Sim::new(3, net, 7, PaxosChecker::new(3, true), factory);
    for i in 0..300u64 {
        let node = NodeId(1 + (i % 3) as u32);
        sim.schedule(Time(500 + 10 * i), Intervention::Request { node, value: format!("c{i}") });
    }
    let faults = [
        (1_000, Intervention::Crash { node: NodeId(2) }),
        (1_400, Intervention::Restart { node: NodeId(2) }),
        (2_000, Intervention::CrashLeader {}),
    ];
    for (at, iv) in faults {
        sim.schedule(Time(at), iv);
    }
    for n in 1..=3 {
        sim.schedule(Time(2_500), Intervention::Restart { node: NodeId(n) });
    }
    while sim.next_time().is_some_and(|t| t.ms() <= 6_000) {
        sim.step();
    }
    assert!(sim.checker().violations().is_empty(), "{:?}", sim.checker().violations());
    for id in (1..=3).map(NodeId) {
        let (live, records) = (sim.node(id), sim.durable(id));
        assert!(live.log.len() >= 250, "node {id}: {} commands applied", live.log.len());
        assert!(MultiPaxosNode::is_checkpoint(&records[0]), "node {id}");
        let bound = every.max((live.accepted.len() + live.chosen.len()) as u64) + 4;
        assert!(records.len() as u64 <= bound, "node {id}: {} records kept, {bound} allowed", records.len());
        let rebuilt = MultiPaxosNode::new(id, config.clone(), records);
        assert_eq!(durable_part(&rebuilt), durable_part(live), "node {id}");
    }
}
