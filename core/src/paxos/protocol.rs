//! Basic Paxos in the protocol registry.

use super::{Buggy, Fix, PaxosChecker, PaxosConfig, PaxosEvent, PaxosNode};
use crate::event::{Event, ProtocolEvent};
use crate::explain::Milestone;
use crate::protocol::{name_of, parse_checked, About, MessageKind, Pair, ProtocolInfo, SweepShape};
use crate::scenarios::{check_checkpoint_every, check_ranges, scheduled, Protocol, Scenario};
use crate::sim::{DynSim, Rng, Sim};
use crate::types::NodeId;
use crate::view::{Term, Text};
use std::sync::Arc;

pub struct BasicPaxos;

pub const PROTOCOL: BasicPaxos = BasicPaxos;

const FIXES: &[&str] = &["none", "distinguished-proposer", "randomized-backoff"];
const FIX_LABELS: [(&str, Text); 3] = [
    ("none", Text::new("none", "无")),
    ("distinguished-proposer", Text::new("distinguished proposer", "唯一提案者")),
    ("randomized-backoff", Text::new("randomized backoff", "随机退避")),
];
const BUGGY: &[&str] = &["none", "forgetful-acceptor", "no-value-adoption"];

const PHASE1: (&str, &str) = ("phase 1", "准备阶段");
const PHASE2: (&str, &str) = ("phase 2", "接受阶段");

pub(crate) const MESSAGES: &[MessageKind] = &[
    MessageKind {
        name: "Prepare",
        glyph: "1a",
        colour: "prepare",
        group: PHASE1,
        en: "asks for a promise to accept no lower ballot",
        zh: "请承诺不再接受更低的编号",
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
        name: "Accept",
        glyph: "2a",
        colour: "accept",
        group: PHASE2,
        en: "accept this value",
        zh: "请接受这个值",
    },
    MessageKind { name: "Accepted", glyph: "2b", colour: "accepted", group: PHASE2, en: "accepted", zh: "已接受" },
    MessageKind {
        name: "Nack",
        glyph: "N",
        colour: "nack",
        group: PHASE1,
        en: "refused: the acceptor promised higher",
        zh: "拒绝：已承诺更高的编号",
    },
    MessageKind {
        name: "Forward",
        glyph: "F",
        colour: "forward",
        group: ("clients", "客户端"),
        en: "a client's value for the proposer",
        zh: "转交客户端的值",
    },
];

const ABOUT: About = About { tag: Protocol::Paxos, name: "paxos", title: "Basic Paxos" };

impl ProtocolInfo for BasicPaxos {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn fixes(&self) -> &'static [&'static str] {
        FIXES
    }
    fn fix(&self, s: &Scenario) -> &'static str {
        name_of::<Fix>(FIXES, &s.paxos.fix)
    }
    fn set_fix(&self, s: &mut Scenario, name: &str) -> Result<(), String> {
        s.paxos.fix = parse_checked("livelock fix", name, FIXES)?;
        Ok(())
    }
    fn fix_label(&self, name: &str) -> Option<Text> {
        FIX_LABELS.iter().find(|(n, _)| *n == name).map(|(_, label)| *label)
    }
    fn buggy_modes(&self) -> &'static [&'static str] {
        BUGGY
    }
    fn buggy(&self, s: &Scenario) -> &'static str {
        name_of::<Buggy>(BUGGY, &s.paxos.buggy)
    }
    fn set_buggy(&self, s: &mut Scenario, name: &str) -> Result<(), String> {
        s.paxos.buggy = parse_checked("buggy mode", name, BUGGY)?;
        Ok(())
    }
    fn validate(&self, s: &Scenario) -> Result<(), (String, String)> {
        if let Some(d) = s.paxos.distinguished {
            s.check_node("paxos.distinguished", d)?;
        }
        check_ranges(&[("paxos.retry_ms", s.paxos.retry_ms), ("paxos.progress_ms", s.paxos.progress_ms)])?;
        check_checkpoint_every("paxos.checkpoint_every", s.paxos.checkpoint_every)
    }
    fn sweep_settings(&self, s: &mut Scenario, _observer: Option<u32>, rng: &mut Rng) {
        s.paxos.checkpoint_every = rng.range(1, 8);
    }
    fn build(&self, s: &Scenario, seed: u64) -> Box<dyn DynSim> {
        let config: Arc<PaxosConfig> = Arc::new(config(s));
        let checker = PaxosChecker::new(config.acceptors.len(), false);
        let factory = Arc::new(move |id, d: &[_]| PaxosNode::new(id, config.clone(), d));
        Box::new(scheduled(Sim::new(s.nodes.count, s.network.clone(), seed, checker, factory), s))
    }
    fn sweep(&self) -> SweepShape {
        SweepShape { fifo: false, observer_percent: 0, sessions: false }
    }
    fn messages(&self) -> &'static [MessageKind] {
        MESSAGES
    }
    fn narrate(&self, n: u32, event: &Event) -> Option<Pair> {
        super::narrate::narrate(n, event)
    }
    fn parse_event(&self, json: &serde_json::Value) -> Option<ProtocolEvent> {
        ProtocolEvent::parse::<PaxosEvent>(json)
    }
    fn milestone(&self, event: &Event) -> Option<Milestone> {
        milestone(event)
    }
    fn invariants(&self) -> &'static [Term] {
        INVARIANTS
    }
    fn breaks(&self, event: &Event) -> Option<&'static str> {
        match event.get::<PaxosEvent>()? {
            PaxosEvent::Proposing { from: Some(_), .. } => Some("no-value-adoption"),
            PaxosEvent::Promised { .. } => Some("forgetful-acceptor"),
            _ => None,
        }
    }
    fn restarted(&self, n: u32) -> Pair {
        (
            format!("Node {n} restarts and rebuilds its state from what it persisted (promises, accepted values)."),
            format!("节点 {n} 重启，并从持久化的记录（承诺、已接受的值）恢复状态。"),
        )
    }
}

/// The roles a scenario gives its nodes: all of them, where it lists none.
fn config(s: &Scenario) -> PaxosConfig {
    let n = s.nodes.count;
    let ids = |list: &[u32]| -> Vec<NodeId> {
        if list.is_empty() {
            (1..=n).map(NodeId).collect()
        } else {
            list.iter().map(|i| NodeId(*i)).collect()
        }
    };
    let proposers = ids(&s.nodes.proposers);
    let distinguished = s.paxos.distinguished.map(NodeId).unwrap_or(proposers[0]);
    PaxosConfig {
        acceptors: ids(&s.nodes.acceptors),
        learners: ids(&s.nodes.learners),
        proposers,
        distinguished,
        settings: s.paxos.clone(),
    }
}

/// Paxos' milestone: a value chosen (a majority accepted it), and learned (Multi-Paxos
/// shares it).
pub(crate) fn milestone(event: &Event) -> Option<Milestone> {
    matches!(event.get::<PaxosEvent>()?, PaxosEvent::Chosen { .. } | PaxosEvent::Learned { .. })
        .then_some(Milestone::Commit)
}

/// Paxos' safety invariants (Multi-Paxos checks the same, per slot).
pub(crate) const INVARIANTS: &[Term] = &[
    Term::new("agreement", "at most one value is chosen per instance", "每个实例至多选定一个值"),
    Term::new("validity", "only a proposed value can be chosen", "只有被提出的值才能被选定"),
    Term::new("learned_chosen", "a learner learns only the chosen value", "学习者只会得知被选定的值"),
    Term::new(
        "promise_kept",
        "an acceptor never accepts or promises below a ballot it promised",
        "表决者绝不接受或承诺低于已承诺编号的提案",
    ),
];
