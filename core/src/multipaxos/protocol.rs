//! Multi-Paxos in the protocol registry, and the narration of its roles.

use super::{MultiPaxosConfig, MultiPaxosEvent, MultiPaxosNode, MultiPaxosState};
use crate::event::{Event, ProtocolEvent};
use crate::explain::Milestone;
use crate::paxos::{PaxosChecker, PaxosEvent};
use crate::protocol::{About, Bench, MessageKind, Pair, ProtocolInfo, SweepShape};
use crate::scenarios::{check_checkpoint_every, check_ranges, scheduled, Protocol, Scenario};
use crate::sim::{DynSim, Rng, Sim};
use std::sync::Arc;

pub struct MultiPaxos;

pub const PROTOCOL: MultiPaxos = MultiPaxos;

const PHASE1: (&str, &str) = ("phase 1 (once per leader)", "准备阶段（每任领导者一次）");
const PHASE2: (&str, &str) = ("phase 2 (per slot)", "接受阶段（每个槽位）");
const LEADER: (&str, &str) = ("leader and learners", "领导者与学习者");

const MESSAGES: &[MessageKind] = &[
    MessageKind {
        name: "Prepare",
        glyph: "1a",
        colour: "prepare",
        group: PHASE1,
        en: "asks for a promise of no lower ballot, for every slot from here",
        zh: "请对此后所有槽位承诺不再接受更低的编号",
    },
    MessageKind {
        name: "Promise",
        glyph: "1b",
        colour: "promise",
        group: PHASE1,
        en: "promised, with what the acceptor accepted",
        zh: "已承诺，并附上已接受的值",
    },
    MessageKind {
        name: "Nack",
        glyph: "N",
        colour: "nack",
        group: PHASE1,
        en: "refused: the acceptor promised higher",
        zh: "拒绝：已承诺更高的编号",
    },
    MessageKind {
        name: "Accept",
        glyph: "2a",
        colour: "accept",
        group: PHASE2,
        en: "accept this command in this slot",
        zh: "请在此槽位接受这条命令",
    },
    MessageKind { name: "Accepted", glyph: "2b", colour: "accepted", group: PHASE2, en: "accepted", zh: "已接受" },
    MessageKind {
        name: "Chosen",
        glyph: "C",
        colour: "chosen",
        group: LEADER,
        en: "this slot is chosen",
        zh: "此槽位已选定",
    },
    MessageKind {
        name: "Heartbeat",
        glyph: "H",
        colour: "heartbeat",
        group: LEADER,
        en: "the leader is alive",
        zh: "领导者仍在",
    },
    MessageKind {
        name: "CatchUp",
        glyph: "U",
        colour: "catchup",
        group: LEADER,
        en: "asks for the chosen slots it missed",
        zh: "请求补发它错过的已选定槽位",
    },
    MessageKind {
        name: "Forward",
        glyph: "F",
        colour: "forward",
        group: LEADER,
        en: "a client's command for the leader",
        zh: "转交给领导者的客户端命令",
    },
];

const ABOUT: About = About { tag: Protocol::Multipaxos, name: "multipaxos", title: "Multi-Paxos" };

impl ProtocolInfo for MultiPaxos {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn validate(&self, s: &Scenario) -> Result<(), (String, String)> {
        let m = &s.multipaxos;
        check_ranges(&[("multipaxos.leader_timeout_ms", m.leader_timeout_ms)])?;
        if m.heartbeat_ms == 0 {
            return Err(("multipaxos.heartbeat_ms".into(), "must be at least 1".into()));
        }
        check_checkpoint_every("multipaxos.checkpoint_every", m.checkpoint_every)
    }
    fn sweep_settings(&self, s: &mut Scenario, _observer: Option<u32>, rng: &mut Rng) {
        s.multipaxos.checkpoint_every = rng.range(2, 16);
    }
    fn build(&self, s: &Scenario, seed: u64) -> Box<dyn DynSim> {
        let n = s.nodes.count;
        let config = Arc::new(MultiPaxosConfig::from_settings(n, &s.multipaxos));
        let checker = PaxosChecker::new(n as usize, true);
        let factory = Arc::new(move |id, d: &[_]| MultiPaxosNode::new(id, config.clone(), d));
        Box::new(scheduled(Sim::new(n, s.network.clone(), seed, checker, factory), s))
    }
    fn sweep(&self) -> SweepShape {
        SweepShape { fifo: false, observer_percent: 0, sessions: false }
    }
    fn messages(&self) -> &'static [MessageKind] {
        MESSAGES
    }
    fn milestone(&self, event: &Event) -> Option<Milestone> {
        match event.get() {
            Some(MultiPaxosEvent::State { state: MultiPaxosState::Leading, .. }) => Some(Milestone::Election),
            _ => crate::paxos::protocol::milestone(event),
        }
    }
    fn heartbeats(&self) -> &'static [&'static str] {
        &["Heartbeat", "heartbeat"]
    }
    fn invariants(&self) -> &'static [crate::view::Term] {
        crate::paxos::protocol::INVARIANTS
    }
    fn narrate(&self, n: u32, event: &Event) -> Option<Pair> {
        let Some(MultiPaxosEvent::State { state, round }) = event.get() else {
            return crate::paxos::narrate::narrate(n, event);
        };
        let r = round.unwrap_or(0);
        Some(match state {
            MultiPaxosState::Candidate => (
                format!("Node {n} is now CANDIDATE (round {r}): it heard from no leader, so it runs phase 1 once, for every slot from the first one not chosen."),
                format!("节点 {n} 成为候选者（轮次 {r}）：它没有收到领导者的消息，于是对第一个未选定槽位及其后的所有槽位一次性执行准备阶段。"),
            ),
            MultiPaxosState::Leading => (
                format!("Node {n} is now LEADING (round {r}): a majority promised its ballot for every open slot, so each new command needs phase 2 only."),
                format!("节点 {n} 成为领导者（轮次 {r}）：过半数表决者对所有未决槽位承诺了它的编号，此后每条新命令只需接受阶段。"),
            ),
            MultiPaxosState::Following => (
                format!("Node {n} is now FOLLOWING: it saw a higher ballot, so it follows that leader and forwards its clients' commands to it."),
                format!("节点 {n} 成为跟随者：它看到了更高的编号，于是跟随那位领导者，并把客户端命令转交给它。"),
            ),
        })
    }
    fn parse_event(&self, json: &serde_json::Value) -> Option<ProtocolEvent> {
        ProtocolEvent::parse::<MultiPaxosEvent>(json).or_else(|| ProtocolEvent::parse::<PaxosEvent>(json))
    }
    fn bench(&self) -> Option<Bench> {
        Some(Bench { scenario: "multipaxos-steady", committed: |sim| sim.chosen().len() as u64 })
    }
    fn restarted(&self, n: u32) -> Pair {
        crate::paxos::PROTOCOL.restarted(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::first_sentence;

    #[test]
    fn a_restart_is_told_as_in_basic_paxos() {
        let (en, zh) = first_sentence(&PROTOCOL, vec![Event::Restart {}]);
        assert!(en.ends_with("from what it persisted (promises, accepted values)."), "{en}");
        assert!(zh.contains("（承诺、已接受的值）"), "{zh}");
    }

    /// State names are shared with ZAB: a Multi-Paxos leader was once told in ZAB's
    /// words ("gathers its followers").
    #[test]
    fn its_roles_are_told_in_its_own_words() {
        let leading = MultiPaxosEvent::State { state: MultiPaxosState::Leading, round: Some(2) };
        let (en, _) = first_sentence(&PROTOCOL, vec![leading.into()]);
        assert!(en.starts_with("Node 2 is now LEADING (round 2): a majority promised its ballot"), "{en}");
        assert!(!en.contains("followers"), "{en}");
    }
}
