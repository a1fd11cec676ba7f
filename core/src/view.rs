//! What a UI or status page shows of a node: one shape for every protocol.
//!
//! A protocol fills a [`NodeView`] from its node (`Node::view`) and the UI draws it
//! without knowing which protocol runs: the state's name and what it means, its kind
//! (which decides the colour), an optional strip of phases, labelled facts and log
//! rows. Words come in English and Simplified Chinese ([`Text`]); protocol names
//! (`LOOKING`, `BROADCAST`, zxids) stay as the papers and ZooKeeper write them.
//! Everything of a node, field by field, is `DynSim::inspect`'s job, made on demand.

use crate::explain::Lang;
use crate::types::NodeId;
use serde::Serialize;

/// Words in English and Simplified Chinese (the glossary of teaching.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Text {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Text {
    pub const fn new(en: &'static str, zh: &'static str) -> Text {
        Text { en, zh }
    }
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

/// A name kept as the paper or ZooKeeper writes it, in both languages (`LOOKING`),
/// with what it means, for a tooltip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Term {
    pub name: &'static str,
    pub meaning: Text,
}

impl Term {
    pub const fn new(name: &'static str, en: &'static str, zh: &'static str) -> Term {
        Term { name, meaning: Text::new(en, zh) }
    }
}

/// What kind of state a node is in, across protocols: it decides how the node is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateKind {
    /// Nothing to do.
    Idle,
    /// Trying to win: a Paxos proposer preparing, a candidate, a ZAB server LOOKING.
    Seeking,
    /// Backing off before it tries again.
    Waiting,
    /// Asking acceptors to accept a value.
    Accepting,
    /// Serving a leader.
    Following,
    /// Serving a leader without a vote.
    Observing,
    Leading,
    /// Its work is done: a value is chosen.
    Done,
}

impl StateKind {
    /// The CSS class a UI gives a node in this state: `state-seeking`.
    pub fn class(self) -> &'static str {
        match self {
            StateKind::Idle => "state-idle",
            StateKind::Seeking => "state-seeking",
            StateKind::Waiting => "state-waiting",
            StateKind::Accepting => "state-accepting",
            StateKind::Following => "state-following",
            StateKind::Observing => "state-observing",
            StateKind::Leading => "state-leading",
            StateKind::Done => "state-done",
        }
    }
}

/// A node's state: its protocol's name for it, and its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StateView {
    pub term: Term,
    pub kind: StateKind,
}

impl StateView {
    pub fn name(&self) -> &'static str {
        self.term.name
    }
}

/// The phases a node goes through, in order, and where it is now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PhaseStrip {
    pub phases: &'static [Term],
    pub current: usize,
}

impl PhaseStrip {
    pub fn current(&self) -> Term {
        self.phases[self.current]
    }
}

/// One labelled fact about a node: `epoch 2`, `last zxid 0x200000001`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// Stable and short, for tests and styles (`zxid`): a UI may use it as an id.
    pub key: &'static str,
    pub label: Text,
    /// What the label means, for a tooltip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    pub value: String,
    /// The whole value when `value` is shortened (a digest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
    /// The value is protocol data (a ballot, a zxid), drawn as code.
    pub code: bool,
}

impl Fact {
    pub fn new(key: &'static str, label: Text, value: impl ToString) -> Fact {
        Fact { key, label, hint: None, value: value.to_string(), full: None, code: false }
    }
    /// The same, drawn as code.
    pub fn code(key: &'static str, label: Text, value: impl ToString) -> Fact {
        Fact { code: true, ..Fact::new(key, label, value) }
    }
    pub fn hint(self, hint: Text) -> Fact {
        Fact { hint: Some(hint), ..self }
    }
}

/// The newest entries of a node's log, as rows of cells under `columns`, in the order a
/// UI lists them (Paxos instances in order, a ZAB log newest first).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LogView {
    pub columns: Vec<Text>,
    pub rows: Vec<LogRow>,
    /// How many entries the log holds in all; `rows` may show only the newest.
    pub total: usize,
}

/// One log entry: its cells (the first names it), and whether it is decided (chosen,
/// committed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogRow {
    pub cells: Vec<String>,
    pub done: bool,
}

/// A node's whole history for a history matrix, which lines every node's up by
/// position so the same entry sits in the same column on every server: a ZAB server's
/// log by zxid, a Multi-Paxos node's slots by instance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HistoryView {
    /// In position order, oldest first.
    pub entries: Vec<HistoryEntry>,
    /// Everything up to this position is compacted into a snapshot and no longer listed
    /// (0: nothing is).
    pub base: u64,
    /// The positions a leader can still bring a follower forward from by sending only
    /// what it lacks (ZAB's committed-log window: inside it DIFF or TRUNC, below it
    /// SNAP); `None` for a node that leads nothing or a protocol without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<HistoryWindow>,
    /// What an entry's group is (`epoch`), for column heads and legends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_name: Option<Text>,
}

/// One entry: where it sits, how it is named, what it does, and whether it is decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// Orders entries across nodes: a zxid as a number, an instance.
    pub pos: u64,
    /// The position as the protocol writes it: `0x100000002`, `#3`.
    pub label: String,
    /// The position within its group, for a narrow column head: a zxid's counter.
    pub short: String,
    /// What colours it, and where a boundary is drawn: a ZAB epoch, a ballot's round.
    pub group: Option<u64>,
    /// Decided (committed, chosen); otherwise pending.
    pub done: bool,
    /// The operation with its path (`create /a`), or the value.
    pub op: String,
}

/// Positions `lo..=hi`, with what the range means, for a legend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryWindow {
    pub lo: u64,
    pub hi: u64,
    pub name: Text,
    pub meaning: Text,
}

/// One node as every UI draws it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeView {
    pub id: NodeId,
    /// False while crashed (filled in by the runtime).
    pub up: bool,
    /// Up and leading now (filled in by the runtime from `Node::is_leader`).
    pub is_leader: bool,
    /// Roles held, e.g. proposer, acceptor and learner.
    pub roles: Vec<Text>,
    /// False for a member that never votes (a ZooKeeper observer).
    pub voter: bool,
    pub state: StateView,
    /// The leader this node believes in; `None` also when the protocol has no leader.
    pub leader: Option<NodeId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phases: Option<PhaseStrip>,
    pub facts: Vec<Fact>,
    /// A few words under the node's disc (a ZAB server's epoch and last zxid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    pub log: LogView,
}

impl NodeView {
    /// A view of node `id` in `state` with nothing else filled in.
    pub fn new(id: NodeId, state: StateView) -> NodeView {
        NodeView {
            id,
            up: true,
            is_leader: false,
            roles: Vec::new(),
            voter: true,
            state,
            leader: None,
            phases: None,
            facts: Vec::new(),
            caption: None,
            log: LogView::default(),
        }
    }

    /// The fact called `key`, whole (not shortened).
    pub fn fact(&self, key: &str) -> Option<&str> {
        self.facts.iter().find(|f| f.key == key).map(|f| f.full.as_deref().unwrap_or(&f.value))
    }
}

/// Facts several protocols share.
pub mod facts {
    use super::{Fact, Text};
    use crate::types::NodeId;

    pub const LEADER: Text = Text::new("leader", "领导者");

    /// `leader 3`, or `leader ?` when the node knows of none.
    pub fn leader(leader: Option<NodeId>) -> Fact {
        Fact::new("leader", LEADER, leader.map(|l| l.to_string()).unwrap_or_else(|| "?".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_serializes_with_its_words_in_both_languages() {
        let state = StateView { term: Term::new("LOOKING", "looking", "寻找"), kind: StateKind::Seeking };
        let mut v = NodeView::new(NodeId(2), state);
        v.facts.push(Fact::code("zxid", Text::new("last zxid", "最新 zxid"), "0x100000001"));
        let json = serde_json::to_value(&v).expect("serializes");
        assert_eq!(json["state"]["term"]["name"], "LOOKING");
        assert_eq!(json["state"]["kind"], "seeking");
        assert_eq!(json["facts"][0]["label"]["zh"], "最新 zxid");
        assert_eq!(v.fact("zxid"), Some("0x100000001"));
        assert_eq!(StateKind::Seeking.class(), "state-seeking");
    }
}
