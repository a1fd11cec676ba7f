//! How a ZAB server looks in a UI: ZooKeeper's server state and `ZabState` phase, its
//! vote while it elects, its epochs and zxids, the newest entries of its log, and its
//! tree's size and digest.

use super::msg::{ServerState, ZabPhase};
use super::ZabNode;
use crate::types::NodeId;
use crate::view::{
    facts, Fact, HistoryEntry, HistoryView, HistoryWindow, LogRow, LogView, NodeView, PhaseStrip, StateKind, StateView,
    Term, Text,
};

/// Log entries a view shows (the newest).
const LOG_SHOWN: usize = 8;

/// ZooKeeper's phases, in the order a server goes through them.
const PHASES: [Term; 4] = [
    Term::new("ELECTION", "leader election (recovery mode)", "选举（恢复模式）"),
    Term::new("DISCOVERY", "discovery: agreeing on a new epoch", "发现：商定新纪元"),
    Term::new("SYNCHRONIZATION", "synchronization mode", "同步模式"),
    Term::new("BROADCAST", "broadcast mode", "广播模式"),
];

const VOTER: Text = Text::new("voter", "投票者");
const OBSERVER: Text = Text::new("observer", "观察者");
const ROUND: Text = Text::new("round", "选举轮次");
const VOTE: Text = Text::new("vote", "投票");
const VOTE_TUPLE: Text = Text::new("(proposed leader, its zxid, its epoch)", "（推举的领导者, 其 zxid, 其纪元）");
const EPOCH: Text = Text::new("epoch", "纪元");
const CURRENT_EPOCH: Text = Text::new("current epoch (currentEpoch)", "当前纪元 (currentEpoch)");
const ACCEPTED_EPOCH: Text = Text::new("accepted epoch", "已接受纪元");
const ACCEPTED_EPOCH_HINT: Text = Text::new("accepted epoch (acceptedEpoch)", "已接受纪元 (acceptedEpoch)");
const LAST_ZXID: Text = Text::new("last zxid", "最新 zxid");
const COMMITTED: Text = Text::new("committed", "已提交");
const COMMITTED_HINT: Text = Text::new("the last zxid delivered to its tree", "已应用到数据树的最新 zxid");
const ZNODES: Text = Text::new("znodes", "数据节点");
const DIGEST: Text = Text::new("digest", "摘要");
const WINDOW: Text = Text::new("committed-log window", "已提交日志窗口 (committedLog)");
const WINDOW_MEANING: Text = Text::new(
    "a follower whose last zxid is inside it gets DIFF (after a TRUNC if it has proposals the leader lacks); one below it gets SNAP",
    "最新 zxid 在窗口内的跟随者收到 DIFF（若有领导者没有的提案，先收到 TRUNC）；低于窗口的收到 SNAP",
);
const COLUMNS: [Text; 3] = [Text::new("zxid", "zxid"), Text::new("✓", "✓"), Text::new("operation", "操作")];

fn state(s: ServerState) -> StateView {
    match s {
        ServerState::Looking => StateView {
            term: Term::new("LOOKING", "looking for a leader", "寻找/选举状态"),
            kind: StateKind::Seeking,
        },
        ServerState::Following => StateView {
            term: Term::new("FOLLOWING", "following the leader", "跟随状态"),
            kind: StateKind::Following,
        },
        ServerState::Leading => {
            StateView { term: Term::new("LEADING", "leading the ensemble", "领导状态"), kind: StateKind::Leading }
        }
        ServerState::Observing => StateView {
            term: Term::new("OBSERVING", "observing: never votes", "观察状态（不投票）"),
            kind: StateKind::Observing,
        },
    }
}

fn phase_index(p: ZabPhase) -> usize {
    match p {
        ZabPhase::Election => 0,
        ZabPhase::Discovery => 1,
        ZabPhase::Synchronization => 2,
        ZabPhase::Broadcast => 3,
    }
}

/// The round and `(leader, zxid, epoch)` of the vote, while it matters: during an
/// election, or while the server has voted and knows no leader.
fn vote_facts(node: &ZabNode) -> Vec<Fact> {
    let vote = node.election.vote;
    if node.phase != ZabPhase::Election && (vote.is_none() || node.leader.is_some()) {
        return Vec::new();
    }
    let tuple = vote.map(|v| format!("({}, {}, {})", v.leader, v.zxid, v.peer_epoch)).unwrap_or_else(|| "–".into());
    vec![Fact::new("round", ROUND, node.election.round), Fact::code("vote", VOTE, tuple).hint(VOTE_TUPLE)]
}

fn log_view(node: &ZabNode) -> LogView {
    let skip = node.log.len().saturating_sub(LOG_SHOWN);
    let rows = node.log[skip..].iter().rev().map(|e| {
        let done = e.zxid <= node.delivered;
        LogRow { cells: vec![e.zxid.to_string(), if done { "✓" } else { "…" }.into(), e.txn.summary()], done }
    });
    LogView { columns: COLUMNS.to_vec(), rows: rows.collect(), total: node.log.len() }
}

/// What a server's card shows besides its vote and its log: what a real server's
/// `/status` reports too, so the web app's live mode draws a real server with the
/// simulator's card. Zxids are written as ZooKeeper writes them (`0x100000002`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerFacts {
    pub id: NodeId,
    pub state: ServerState,
    pub phase: ZabPhase,
    pub observer: bool,
    pub leader: Option<NodeId>,
    pub current_epoch: u64,
    pub accepted_epoch: u64,
    pub last_zxid: String,
    pub delivered: String,
    pub znodes: u64,
    pub digest: String,
}

/// The view of a server from its facts: state, phase strip, role, facts and caption;
/// no vote and an empty log.
pub fn server_view(s: &ServerFacts) -> NodeView {
    let mut v = NodeView::new(s.id, state(s.state));
    v.voter = !s.observer;
    v.roles = vec![if v.voter { VOTER } else { OBSERVER }];
    v.leader = s.leader;
    v.phases = Some(PhaseStrip { phases: &PHASES, current: phase_index(s.phase) });
    let digest = &s.digest;
    v.facts = vec![
        facts::leader(s.leader),
        Fact::code("epoch", EPOCH, s.current_epoch).hint(CURRENT_EPOCH),
        Fact::code("accepted-epoch", ACCEPTED_EPOCH, s.accepted_epoch).hint(ACCEPTED_EPOCH_HINT),
        Fact::code("zxid", LAST_ZXID, &s.last_zxid),
        Fact::code("delivered", COMMITTED, &s.delivered).hint(COMMITTED_HINT),
        Fact::new("znodes", ZNODES, s.znodes),
        Fact { full: Some(digest.clone()), ..Fact::code("digest", DIGEST, digest.get(..8).unwrap_or(digest)) },
    ];
    v.caption = Some(format!("e{} · {}", s.current_epoch, s.last_zxid));
    v
}

pub fn view(node: &ZabNode) -> NodeView {
    let mut v = server_view(&ServerFacts {
        id: node.id,
        state: node.state,
        phase: node.phase,
        observer: node.is_observer(),
        leader: node.leader,
        current_epoch: u64::from(node.current_epoch.0),
        accepted_epoch: u64::from(node.accepted_epoch.0),
        last_zxid: node.last_zxid().to_string(),
        delivered: node.delivered.to_string(),
        znodes: node.tree.node_count() as u64,
        digest: node.tree.digest(),
    });
    v.facts.splice(0..0, vote_facts(node));
    v.log = log_view(node);
    v
}

/// The whole log by zxid, grouped by epoch, and, while leading, the window a learner's
/// last zxid must be in for DIFF or TRUNC (`sync_plan`'s choice, shown).
pub fn history(node: &ZabNode) -> HistoryView {
    let entries = node.log.iter().map(|e| HistoryEntry {
        pos: e.zxid.0,
        label: e.zxid.to_string(),
        short: e.zxid.counter().to_string(),
        group: Some(u64::from(e.zxid.epoch().0)),
        done: e.zxid <= node.delivered,
        op: e.txn.summary(),
    });
    let leading = node.state == ServerState::Leading && node.lead.is_some();
    let window = leading.then(|| HistoryWindow {
        lo: node.diff_base().0,
        hi: node.last_zxid().0,
        name: WINDOW,
        meaning: WINDOW_MEANING,
    });
    HistoryView { entries: entries.collect(), base: node.snap_zxid.0, window, group_name: Some(EPOCH) }
}
