//! A lost message on a ZAB link, in the simulator: ZAB runs over FIFO TCP connections,
//! where a message is never lost on its own. A drop (by hand, or the network's loss)
//! breaks the connection; both ends are told, the learner re-registers and is
//! re-synchronized, and every server ends with the same tree.

use super::*;
use crate::event::{DropReason, Event};
use crate::explain::{explain_entry, Lang};
use crate::scenarios::find_builtin;
use crate::sim::{DynSim, Intervention, Sim, TraceEntry};

/// A built-in scenario's simulation.
fn sim(name: &str) -> Sim<ZabNode> {
    let s = find_builtin(name).expect("a built-in scenario");
    build(&s, s.seed)
}

/// Step until a message `pick` selects is in flight; its id.
fn wait_for(sim: &mut Sim<ZabNode>, pick: impl Fn(u32, u32, &ZabMsg) -> bool) -> u64 {
    loop {
        let found = DynSim::in_flight(sim).into_iter().find(|m| {
            let msg = m.msg.get::<ZabMsg>().expect("a ZAB message");
            pick(m.from.0, m.to.0, msg)
        });
        if let Some(m) = found {
            return m.msg_id;
        }
        sim.step().expect("the run goes on until the message is sent");
    }
}

/// Every step until `until_ms`.
fn run_until(sim: &mut Sim<ZabNode>, until_ms: u64) -> Vec<TraceEntry> {
    let mut steps = Vec::new();
    while sim.next_time().is_some_and(|t| t.ms() <= until_ms) {
        steps.extend(sim.step());
    }
    steps
}

/// Every server is up, has delivered the same last zxid and holds the same tree.
fn assert_converged(sim: &Sim<ZabNode>) {
    assert!(sim.checker().violations().is_empty(), "{:?}", sim.checker().violations());
    let ids: Vec<NodeId> = (1..=sim.node_count()).map(NodeId).collect();
    let digests: Vec<(NodeId, Zxid, String)> =
        ids.iter().map(|n| (*n, sim.node(*n).delivered, sim.node(*n).tree.digest())).collect();
    for (n, delivered, digest) in &digests {
        assert!(sim.is_up(*n), "server {n} is down");
        assert_eq!((delivered, digest), (&digests[0].1, &digests[0].2), "server {n} differs: {digests:?}");
    }
}

/// The English sentences of every step, one string.
fn told(steps: &[TraceEntry]) -> String {
    steps.iter().flat_map(|e| explain_entry(&PROTOCOL, e, Lang::En)).collect::<Vec<_>>().join("\n")
}

fn told_zh(steps: &[TraceEntry]) -> String {
    steps.iter().flat_map(|e| explain_entry(&PROTOCOL, e, Lang::Zh)).collect::<Vec<_>>().join("\n")
}

/// Drop the message `pick` selects; the step of the drop, and those of the two ends
/// hearing of it (after whatever else was due at that instant).
fn drop_where(sim: &mut Sim<ZabNode>, pick: impl Fn(u32, u32, &ZabMsg) -> bool) -> [TraceEntry; 3] {
    let id = wait_for(sim, pick);
    let drop = sim.intervene(&Intervention::Drop { msg_id: id }).expect("in flight");
    let Event::Drop { msg_id, from, to, reason: DropReason::Manual, breaks_link: true, .. } = &drop.events[0] else {
        panic!("{:?}", drop.events[0])
    };
    assert_eq!(*msg_id, id);
    let link = [(*from, *to), (*to, *from)];
    assert!(!DynSim::in_flight(sim).iter().any(|m| link.contains(&(m.from, m.to))), "the rest of the link is lost");
    let mut told = Vec::new();
    while told.len() < 2 {
        let e = sim.step().expect("a step");
        assert_eq!(e.time_ms, drop.time_ms, "told at once");
        if matches!(e.events[0], Event::Disconnected { .. }) {
            told.push(e);
        }
    }
    let [learner, leader] = <[TraceEntry; 2]>::try_from(told).expect("two");
    [drop, learner, leader]
}

/// The ZAB events of a step.
fn zab_events(e: &TraceEntry) -> Vec<ZabEvent> {
    e.events.iter().filter_map(|e| e.get::<ZabEvent>().cloned()).collect()
}

/// Learner `l` hears first that its connection to leader `leader` closed, and goes
/// LOOKING for that reason; then the leader forgets it.
fn assert_learner_then_leader_told(steps: &[TraceEntry; 3], l: u32, leader: u32) {
    let [_, learner, lead] = steps;
    assert_eq!((learner.node, lead.node), (Some(NodeId(l)), Some(NodeId(leader))));
    assert_eq!(learner.events[0], Event::Disconnected { peer: NodeId(leader) });
    assert_eq!(lead.events[0], Event::Disconnected { peer: NodeId(l) });
    let told = zab_events(learner);
    assert_eq!(told[0], ZabEvent::LeaderLost { leader: NodeId(leader) });
    assert!(matches!(told[1], ZabEvent::State { state: ServerState::Looking, .. }), "{told:?}");
    assert_eq!(zab_events(lead), vec![ZabEvent::LearnerLost { learner: NodeId(l) }]);
}

fn is_commit(m: &ZabMsg) -> bool {
    matches!(m, ZabMsg::Commit { .. })
}

#[test]
fn a_dropped_commit_breaks_the_connection_and_the_follower_resyncs_to_the_same_tree() {
    // zab-election-fresh: 3 leads; 1's session is committed at 3 and sent on.
    let mut s = sim("zab-election-fresh");
    let steps = drop_where(&mut s, |from, to, m| from == 3 && to == 1 && is_commit(m));
    assert_learner_then_leader_told(&steps, 1, 3);
    let text = told(&steps);
    assert!(
        text.starts_with(
            "You dropped COMMIT(0x100000001) from node 3 to node 1. ZAB runs over TCP, where a lost message means a broken connection: the connection between 3 and 1 breaks"
        ),
        "{text}"
    );
    assert!(text.contains("Node 1's connection to node 3 closed;"), "{text}");
    assert!(text.contains("Node 1 stops following node 3: its connection to its leader closed"), "{text}");
    assert!(text.contains("re-synchronized by DIFF, TRUNC or SNAP"), "{text}");
    assert!(text.contains("Leader 3 forgets learner 1: its connection closed."), "{text}");
    let zh = told_zh(&steps);
    assert!(zh.contains("ZAB 运行在 TCP 之上，丢失一条消息就意味着连接断开"), "{zh}");
    assert!(zh.contains("节点 1 不再跟随节点 3"), "{zh}");
    assert!(zh.contains("领导者 3 移除同步者 1"), "{zh}");
    let later = run_until(&mut s, 3_000);
    let synced = later.iter().flat_map(zab_events).any(|e| matches!(e, ZabEvent::Sync { learner: NodeId(1), .. }));
    assert!(synced, "server 1 is synchronized again");
    assert_converged(&s);
}

#[test]
fn a_dropped_proposal_sends_the_follower_looking_with_its_reason_and_it_catches_up() {
    let mut s = sim("zab-election-fresh");
    let steps = drop_where(&mut s, |from, to, m| from == 3 && to == 2 && matches!(m, ZabMsg::Proposal { .. }));
    assert_learner_then_leader_told(&steps, 2, 3);
    assert!(told(&steps).contains("Node 2 stops following node 3"));
    run_until(&mut s, 3_000);
    assert_converged(&s);
}

#[test]
fn a_dropped_trunc_sends_the_old_leader_looking_with_its_reason_and_it_is_truncated_later() {
    // The old leader 3 comes back with a proposal nobody else has; 2 leads and cuts it.
    let mut s = sim("zab-crash-mid-broadcast-minority");
    let steps = drop_where(&mut s, |from, to, m| from == 2 && to == 3 && matches!(m, ZabMsg::Trunc { .. }));
    assert_learner_then_leader_told(&steps, 3, 2);
    assert!(told(&steps).contains("Node 3 stops following node 2"));
    let later = run_until(&mut s, 5_000);
    let cut = later.iter().filter(|e| e.node == Some(NodeId(3))).flat_map(zab_events);
    assert!(cut.into_iter().any(|e| matches!(e, ZabEvent::Truncated { .. })), "TRUNC is sent again, and obeyed");
    assert_converged(&s);
}

#[test]
fn the_networks_loss_on_a_zab_link_breaks_the_connection_too() {
    let mut scenario = find_builtin("zab-election-fresh").expect("built-in");
    scenario.network.drop = 0.1;
    let mut s = build(&scenario, scenario.seed);
    let steps = run_until(&mut s, 1_200);
    let events: Vec<&Event> = steps.iter().flat_map(|e| &e.events).collect();
    let lost = events.iter().filter(|e| matches!(e, Event::Drop { reason: DropReason::Loss, .. }));
    assert!(lost.clone().count() > 0, "the seed loses messages");
    assert!(lost.clone().all(|e| matches!(e, Event::Drop { breaks_link: true, .. })), "each breaks its link");
    let told = events.iter().filter(|e| matches!(e, Event::Disconnected { .. })).count();
    assert_eq!(told, 2 * lost.count(), "both ends of each are told");
    assert!(s.checker().violations().is_empty());
}
