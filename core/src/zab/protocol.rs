//! ZAB in the protocol registry.

use super::{narrate, ZabBuggy, ZabChecker, ZabConfig, ZabEvent, ZabNode};
use crate::event::{Event, ProtocolEvent};
use crate::explain::Milestone;
use crate::protocol::{name_of, parse_checked, About, Bench, ExtraSweep, MessageKind, Pair, ProtocolInfo, SweepShape};
use crate::scenarios::{scheduled, Protocol, Scenario};
use crate::sim::{DynSim, Rng, Sim};
use crate::types::NodeId;
use crate::view::Term;
use std::sync::Arc;

pub struct Zab;

pub const PROTOCOL: Zab = Zab;

const BUGGY: &[&str] = &["none", "skip-trunc", "no-epoch-check", "commit-without-quorum"];

const ELECTION: (&str, &str) = ("election", "选举");
const DISCOVERY_SYNC: (&str, &str) = ("discovery / synchronization", "发现 / 同步");
const BROADCAST: (&str, &str) = ("broadcast", "广播");

/// Messages only observers send or receive.
const OBSERVERS_ONLY: [&str; 2] = ["OBSERVERINFO", "INFORM"];

const MESSAGES: &[MessageKind] = &[
    MessageKind {
        name: "NOTIFICATION",
        glyph: "V",
        colour: "notification",
        group: ELECTION,
        en: "the sender's vote, round and state",
        zh: "发送者的选票、轮次与状态",
    },
    MessageKind {
        name: "FOLLOWERINFO",
        glyph: "FI",
        colour: "followerinfo",
        group: DISCOVERY_SYNC,
        en: "a follower's accepted epoch and last zxid",
        zh: "跟随者的已接受纪元与最后 zxid",
    },
    MessageKind {
        name: "OBSERVERINFO",
        glyph: "OI",
        colour: "followerinfo",
        group: DISCOVERY_SYNC,
        en: "an observer's accepted epoch and last zxid",
        zh: "观察者的已接受纪元与最后 zxid",
    },
    MessageKind {
        name: "LEADERINFO",
        glyph: "LI",
        colour: "followerinfo",
        group: DISCOVERY_SYNC,
        en: "the new epoch",
        zh: "新纪元",
    },
    MessageKind {
        name: "ACKEPOCH",
        glyph: "AE",
        colour: "followerinfo",
        group: DISCOVERY_SYNC,
        en: "new epoch accepted, with the follower's history",
        zh: "已接受新纪元，并附上跟随者的历史",
    },
    MessageKind {
        name: "DIFF",
        glyph: "D",
        colour: "diff",
        group: DISCOVERY_SYNC,
        en: "the proposals the learner lacks",
        zh: "同步者缺少的提案",
    },
    MessageKind {
        name: "TRUNC",
        glyph: "T",
        colour: "diff",
        group: DISCOVERY_SYNC,
        en: "cut the learner's log back",
        zh: "截断同步者的日志",
    },
    MessageKind {
        name: "SNAP",
        glyph: "S",
        colour: "diff",
        group: DISCOVERY_SYNC,
        en: "the leader's whole tree",
        zh: "整棵数据树快照",
    },
    MessageKind {
        name: "NEWLEADER",
        glyph: "NL",
        colour: "diff",
        group: DISCOVERY_SYNC,
        en: "histories aligned: acknowledge the new leader",
        zh: "历史已对齐：请确认新领导者",
    },
    MessageKind {
        name: "UPTODATE",
        glyph: "U",
        colour: "diff",
        group: DISCOVERY_SYNC,
        en: "established: serve clients",
        zh: "已确立：开始服务客户端",
    },
    MessageKind {
        name: "PROPOSAL",
        glyph: "P",
        colour: "proposal",
        group: BROADCAST,
        en: "log this transaction",
        zh: "记录这个事务",
    },
    MessageKind {
        name: "ACK",
        glyph: "A",
        colour: "ack",
        group: BROADCAST,
        en: "logged (on disk)",
        zh: "已记录（已落盘）",
    },
    MessageKind {
        name: "COMMIT",
        glyph: "C",
        colour: "commit",
        group: BROADCAST,
        en: "a quorum logged it: apply it",
        zh: "过半数已记录：应用它",
    },
    MessageKind {
        name: "INFORM",
        glyph: "I",
        colour: "commit",
        group: BROADCAST,
        en: "a committed transaction, for an observer",
        zh: "给观察者的已提交事务",
    },
    MessageKind {
        name: "PING",
        glyph: "p",
        colour: "ping",
        group: BROADCAST,
        en: "alive; sessions; commit point or last logged",
        zh: "心跳；会话；提交点或最后记录",
    },
    MessageKind {
        name: "REQUEST",
        glyph: "R",
        colour: "request",
        group: BROADCAST,
        en: "a client's write, forwarded to the leader",
        zh: "转交给领导者的客户端写请求",
    },
    MessageKind {
        name: "SYNC",
        glyph: "Y",
        colour: "request",
        group: BROADCAST,
        en: "answer once what the leader proposed is committed",
        zh: "领导者已提出的提案提交后再回复",
    },
];

const ABOUT: About = About { tag: Protocol::Zab, name: "zab", title: "ZAB" };

impl ProtocolInfo for Zab {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn buggy_modes(&self) -> &'static [&'static str] {
        BUGGY
    }
    fn buggy(&self, s: &Scenario) -> &'static str {
        name_of::<ZabBuggy>(BUGGY, &s.zab.buggy)
    }
    fn set_buggy(&self, s: &mut Scenario, name: &str) -> Result<(), String> {
        s.zab.buggy = parse_checked("buggy mode", name, BUGGY)?;
        Ok(())
    }
    fn validate(&self, s: &Scenario) -> Result<(), (String, String)> {
        super::validate::validate(s)
    }
    fn sweep_settings(&self, s: &mut Scenario, observer: Option<u32>, _rng: &mut Rng) {
        s.zab.observers.extend(observer);
    }
    fn extra_sweeps(&self) -> &'static [ExtraSweep] {
        &[("sweep-zab-chaos", super::chaos::chaos_scenario)]
    }
    fn build(&self, s: &Scenario, seed: u64) -> Box<dyn DynSim> {
        Box::new(build(s, seed))
    }
    fn sweep(&self) -> SweepShape {
        SweepShape { fifo: true, observer_percent: 40, sessions: true }
    }
    fn messages(&self) -> &'static [MessageKind] {
        MESSAGES
    }
    fn legend(&self, observers: bool) -> Vec<&'static MessageKind> {
        MESSAGES.iter().filter(|m| observers || !OBSERVERS_ONLY.contains(&m.name)).collect()
    }
    fn narrate(&self, n: u32, event: &Event) -> Option<Pair> {
        narrate::explain(n, event)
    }
    fn parse_event(&self, json: &serde_json::Value) -> Option<ProtocolEvent> {
        ProtocolEvent::parse::<ZabEvent>(json)
    }
    fn milestone(&self, event: &Event) -> Option<Milestone> {
        Some(match event.get::<ZabEvent>()? {
            ZabEvent::State { state: super::ServerState::Leading, .. } => Milestone::Election,
            ZabEvent::LeaderEstablished { .. } => Milestone::Epoch,
            ZabEvent::Sync { .. } | ZabEvent::Truncated { .. } | ZabEvent::Snapshot { .. } => Milestone::Sync,
            ZabEvent::Committed { .. } => Milestone::Commit,
            _ => return None,
        })
    }
    fn breaks(&self, event: &Event) -> Option<&'static str> {
        match event.get::<ZabEvent>()? {
            ZabEvent::Sync { mode: super::SyncMode::Trunc, .. } | ZabEvent::Truncated { .. } => Some("skip-trunc"),
            ZabEvent::Committed { .. } => Some("commit-without-quorum"),
            _ => None,
        }
    }
    fn invariants(&self) -> &'static [Term] {
        INVARIANTS
    }
    fn heartbeats(&self) -> &'static [&'static str] {
        // The leader's tick sends PINGs; a learner's tick checks that it hears them.
        &["PING", "tick"]
    }
    fn bench(&self) -> Option<Bench> {
        Some(Bench { scenario: "zab-election-fresh", committed: delivered_by_node_1 })
    }
    fn restarted(&self, n: u32) -> Pair {
        narrate::restarted(n)
    }
}

/// A ZAB scenario's simulation with its concrete node type, its schedule queued, for
/// tests that look inside the servers (e.g. replaying a server's disk). Servers start
/// from the scenario's initial logs, which the checker knows as already broadcast.
pub fn build(s: &Scenario, seed: u64) -> Sim<ZabNode> {
    let n = s.nodes.count;
    let config = Arc::new(ZabConfig::new(n, &s.zab));
    let mut initial = vec![Vec::new(); n as usize];
    let mut checker = ZabChecker::default();
    for init in &s.zab.servers {
        initial[init.id as usize - 1] = init.records();
        let d = init.delivered_zxid();
        let logged: Vec<_> = init.entries().into_iter().map(|e| (e.zxid, e.txn)).collect();
        let delivered = logged.iter().filter(|(z, _)| *z <= d).count();
        checker.preload(NodeId(init.id), &logged, delivered);
    }
    // ZAB assumes FIFO channels (TCP).
    let mut net = s.network.clone();
    net.fifo = true;
    let factory = Arc::new(move |id, d: &[_]| ZabNode::new(id, config.clone(), d));
    scheduled(Sim::with_initial(n, net, seed, checker, factory, initial), s)
}

/// Transactions server 1 delivered in its current epoch (a benchmark runs in one).
fn delivered_by_node_1(sim: &dyn DynSim) -> u64 {
    let delivered = sim.inspect(crate::types::NodeId(1)).and_then(|node| node.get("delivered").cloned());
    delivered.and_then(|z| serde_json::from_value::<crate::types::Zxid>(z).ok()).map_or(0, |z| u64::from(z.counter()))
}

/// ZAB's safety invariants, as the paper states them and the checker names them.
const INVARIANTS: &[Term] = &[
    Term::new(
        "one_leader_per_epoch",
        "at most one server is established as leader of an epoch",
        "每个纪元至多一个服务器成为正式领导者",
    ),
    Term::new(
        "integrity",
        "a server delivers only what was broadcast, and each zxid carries one transaction",
        "服务器只交付被广播的事务，每个 zxid 只对应一个事务",
    ),
    Term::new(
        "agreement",
        "servers deliver the same transactions in the same order (one is a prefix of the other)",
        "各服务器以相同顺序交付相同事务（一个是另一个的前缀）",
    ),
    Term::new("primary_order", "a server delivers zxids in increasing order", "服务器按 zxid 递增顺序交付"),
    Term::new(
        "primary_integrity",
        "a leader proposes only after delivering every earlier epoch's transactions",
        "领导者先交付之前纪元的全部事务，才提出新事务",
    ),
    Term::new(
        "committed_survives",
        "a committed transaction is never truncated or lost by a new leader",
        "已提交的事务不会被截断，也不会被新领导者丢失",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn its_legend_mentions_observers_only_where_there_are_some() {
        let names = |observers| PROTOCOL.legend(observers).iter().map(|m| m.name).collect::<Vec<_>>();
        assert!(!names(false).iter().any(|n| OBSERVERS_ONLY.contains(n)), "{:?}", names(false));
        assert_eq!(names(true).len(), MESSAGES.len());
    }
}
