//! Narration: one sentence per trace event, in English or Simplified Chinese.
//!
//! A protocol narrates its own events (`ProtocolInfo::narrate`, in its folder), each
//! sentence naming the rule that applied; this module narrates the runtime's: the
//! network, faults, clients and violations. The Chinese follows the glossary of the
//! course notes (提案者, 表决者, 同步者, ...) and keeps protocol message names in their
//! original form, as Chinese texts do.

use crate::client::ClientError;
use crate::event::{DropReason, Event};
use crate::protocol::{Pair, ProtocolInfo};
use crate::sim::{TraceEntry, TraceLine};
use crate::types::NodeId;
use crate::wire::Wire;
use serde::{Deserialize, Serialize};

mod milestone;
pub use milestone::{is_heartbeat, milestone, milestones, Mark, Milestone};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// One sentence for one trace line of a `protocol` run, read on its own;
/// [`explain_entry`] says more.
pub fn explain(protocol: &dyn ProtocolInfo, line: &TraceLine, lang: Lang) -> String {
    explain_event(protocol, line.node, &line.event, lang)
}

/// One sentence per event of a step, each read with the events that followed it in the
/// step (a finalize wait that ended in a decision says so).
pub fn explain_entry(protocol: &dyn ProtocolInfo, entry: &TraceEntry, lang: Lang) -> Vec<String> {
    let events = &entry.events;
    let narrate = |i: usize| narrate(protocol, entry.node, &events[i], Some(&events[i + 1..]));
    (0..events.len()).map(|i| pick(narrate(i), lang)).collect()
}

/// One sentence for `event`, which happened at `node` (if any), read on its own.
pub fn explain_event(protocol: &dyn ProtocolInfo, node: Option<NodeId>, event: &Event, lang: Lang) -> String {
    pick(narrate(protocol, node, event, None), lang)
}

fn pick((en, zh): Pair, lang: Lang) -> String {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// The protocol's own words first (its events, and its replies), then the network's,
/// faults' and clients'. `after`: the events that followed `event` in its step, if known.
fn narrate(protocol: &dyn ProtocolInfo, node: Option<NodeId>, event: &Event, after: Option<&[Event]>) -> Pair {
    let n = node.map(|n| n.0).unwrap_or(0);
    protocol.narrate(n, event).or_else(|| network(protocol, n, event, after)).unwrap_or_else(|| {
        let kind = event.kind();
        (format!("Node {n}: {kind}."), format!("节点 {n}：{kind}。"))
    })
}

fn network(protocol: &dyn ProtocolInfo, n: u32, event: &Event, after: Option<&[Event]>) -> Option<Pair> {
    Some(match event {
        Event::Send { from, to, msg, .. } if from == to => {
            let m = msg.describe();
            (format!("Node {from} sends {m} to itself."), format!("节点 {from} 向自己发送 {m}。"))
        }
        Event::Send { from, to, msg, .. } => {
            let m = msg.describe();
            (format!("Node {from} sends {m} to node {to}."), format!("节点 {from} 向节点 {to} 发送 {m}。"))
        }
        Event::Deliver { from, to, msg, .. } if from == to => {
            let m = msg.describe();
            (format!("Node {to} receives its own {m}."), format!("节点 {to} 收到自己发出的 {m}。"))
        }
        Event::Deliver { from, to, msg, .. } => {
            let m = msg.describe();
            (format!("Node {to} receives {m} from node {from}."), format!("节点 {to} 收到来自节点 {from} 的 {m}。"))
        }
        Event::Drop { from, to, msg, reason, breaks_link: true, .. } => {
            broke(protocol.title(), *from, *to, &msg.describe(), *reason)
        }
        Event::Drop { from, to, msg, reason, .. } => dropped(*from, *to, &msg.describe(), *reason),
        Event::Disconnected { peer } => (
            format!("Node {n}'s connection to node {peer} closed; what it sends node {peer} from now on goes over a new connection."),
            format!("节点 {n} 与节点 {peer} 的连接已断开；此后它发给节点 {peer} 的消息经由新的连接传送。"),
        ),
        Event::Duplicate { from, to, msg, of, .. } => {
            let m = msg.describe();
            (
                format!("The network duplicates {m} from node {from} to node {to} (a copy of message #{of})."),
                format!("网络复制了节点 {from} 发往节点 {to} 的 {m}（消息 #{of} 的副本）。"),
            )
        }
        Event::Timer { timer } => timer_fired(n, timer, after),
        Event::Crash { lost_writes: 0 } => (
            format!("Node {n} crashes: everything it did not persist is lost."),
            format!("节点 {n} 崩溃：所有未持久化的状态都丢失了。"),
        ),
        Event::Crash { lost_writes } => (
            format!(
                "Node {n} crashes with {lost_writes} write(s) not yet on disk: they are lost, and so is everything it was to say after them."
            ),
            format!("节点 {n} 崩溃，{lost_writes} 个写入尚未落盘：它们丢失了，等待它们的消息也一并丢失。"),
        ),
        Event::Persisted { records } => (
            format!(
                "Node {n}'s disk write completes (fsync): {records} record(s) are now durable, and what the node said after writing them leaves."
            ),
            format!("节点 {n} 的磁盘写入完成（fsync）：{records} 条记录已持久化，在它之后发出的消息现在才离开。"),
        ),
        Event::Restart {} => protocol.restarted(n),
        Event::Partition { groups } => {
            let g = groups_text(groups);
            (
                format!("The network splits: {g}. Messages across the cut are lost."),
                format!("发生网络分区：{g}。跨越分区的消息会丢失。"),
            )
        }
        Event::Heal { .. } => (
            "The partition heals: every node can reach every other again.".into(),
            "网络分区恢复：所有节点又可以互相通信。".into(),
        ),
        Event::Request { op, client, .. } => request(n, client.0, op),
        Event::Reply { client, op, error, .. } => replied(n, client.0, op, error.as_deref()),
        Event::Violation { invariant, detail } => {
            (format!("INVARIANT VIOLATED ({invariant}): {detail}."), format!("不变式被违反（{invariant}）：{detail}。"))
        }
        _ => return None,
    })
}

fn request(n: u32, client: u32, op: &crate::client::ClientOp) -> Pair {
    if let Some(value) = op.proposed_value() {
        return (
            format!("A client of node {n} asks for {value:?} to be chosen."),
            format!("节点 {n} 的客户端请求选定 {value:?}。"),
        );
    }
    let what = serde_json::to_value(op).unwrap_or_default();
    let path = what["path"].as_str().map(|p| format!(" {p}")).unwrap_or_default();
    let name = op.name();
    (
        format!("Client {client} asks node {n}: {name}{path}."),
        format!("客户端 {client} 向节点 {n} 请求：{name}{path}。"),
    )
}

fn dropped(from: NodeId, to: NodeId, m: &str, reason: DropReason) -> Pair {
    match reason {
        DropReason::Loss => (
            format!("The network loses {m} from node {from} to node {to}."),
            format!("网络丢失了节点 {from} 发往节点 {to} 的 {m}。"),
        ),
        DropReason::Partition => (
            format!("{m} from node {from} cannot cross the partition to node {to}: lost."),
            format!("节点 {from} 的 {m} 无法穿过网络分区到达节点 {to}：丢失。"),
        ),
        DropReason::NodeDown => (
            format!("Node {to} is down, so {m} from node {from} is lost."),
            format!("节点 {to} 已崩溃，节点 {from} 发来的 {m} 丢失。"),
        ),
        DropReason::Manual => (
            format!("You dropped {m} from node {from} to node {to}."),
            format!("你丢弃了节点 {from} 发往节点 {to} 的 {m}。"),
        ),
        DropReason::Connection => (
            format!("{m} from node {from} to node {to} is lost with the broken connection."),
            format!("节点 {from} 发往节点 {to} 的 {m} 随断开的连接一起丢失。"),
        ),
    }
}

/// A message lost on a link that is a connection (`title`'s, over TCP): the cause of
/// the break, and what goes with it. Each end's reaction is told in its own step.
fn broke(title: &str, from: NodeId, to: NodeId, m: &str, reason: DropReason) -> Pair {
    let (en, zh) = match reason {
        DropReason::Manual => (
            format!("You dropped {m} from node {from} to node {to}."),
            format!("你丢弃了节点 {from} 发往节点 {to} 的 {m}。"),
        ),
        _ => (
            format!("The network loses {m} from node {from} to node {to}."),
            format!("网络丢失了节点 {from} 发往节点 {to} 的 {m}。"),
        ),
    };
    (
        format!("{en} {title} runs over TCP, where a lost message means a broken connection: the connection between {from} and {to} breaks, and whatever else was in flight on it, either way, is lost with it. Both ends are told at once."),
        format!("{zh}{title} 运行在 TCP 之上，丢失一条消息就意味着连接断开：节点 {from} 与节点 {to} 之间的连接断开，连接上两个方向在途的其他消息也一并丢失。两端会立即得知。"),
    )
}

fn timer_fired(n: u32, timer: &Wire, after: Option<&[Event]>) -> Pair {
    let name = timer.name();
    let (en, zh) = timer.meaning(after).unwrap_or(("a timer fires", "定时器触发"));
    (format!("Node {n}'s {name} timer fires: {en}."), format!("节点 {n} 的 {name} 定时器触发：{zh}。"))
}

/// A client's answer the protocol did not tell in its own words: an error, or a
/// success it has nothing to add to.
fn replied(n: u32, client: u32, op: &str, error: Option<&ClientError>) -> Pair {
    match error {
        Some(e) => (
            format!("Node {n} answers its client with {:?}: {}.", e.code, e.message),
            format!("节点 {n} 向客户端返回错误 {:?}：{}。", e.code, e.message),
        ),
        None => {
            (format!("Node {n} answers client {client}'s {op}."), format!("节点 {n} 答复客户端 {client} 的 {op}。"))
        }
    }
}

fn groups_text(groups: &[Vec<NodeId>]) -> String {
    groups
        .iter()
        .map(|g| format!("{{{}}}", g.iter().map(|n| n.0.to_string()).collect::<Vec<_>>().join(",")))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The sentence for `event` at node 2 read on its own, in English and Chinese.
#[cfg(test)]
pub(crate) fn told_alone(p: &dyn ProtocolInfo, event: &Event) -> Pair {
    let node = Some(NodeId(2));
    (explain_event(p, node, event, Lang::En), explain_event(p, node, event, Lang::Zh))
}

/// The first sentence of one step of `events` at node 2, in English and Chinese.
#[cfg(test)]
pub(crate) fn first_sentence(p: &dyn ProtocolInfo, events: Vec<Event>) -> Pair {
    let entry = TraceEntry { step: 1, time_ms: 0, node: Some(NodeId(2)), events };
    (explain_entry(p, &entry, Lang::En).remove(0), explain_entry(p, &entry, Lang::Zh).remove(0))
}
