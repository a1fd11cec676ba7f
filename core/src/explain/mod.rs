//! Narration: one sentence per trace event, in English or Simplified Chinese.
//!
//! Each sentence names the rule that applied ("rejects ... because it promised ...").
//! The Chinese follows the glossary of the course notes (提案者, 表决者, 同步者, ...)
//! and keeps protocol message names in their original form, as Chinese texts do.

use crate::client::ReplyBody;
use crate::event::{DropReason, Event, Phase};
use crate::sim::{TraceEntry, TraceLine};
use crate::types::{Ballot, Instance, NodeId, Value};
use crate::wire::Wire;
use serde::{Deserialize, Serialize};

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

/// The protocol's own words first (its roles, phases and replies), then the network's
/// and faults', then the Paxos events Basic and Multi-Paxos share. `after`: the events
/// that followed `event` in its step, if known.
fn narrate(protocol: &dyn ProtocolInfo, node: Option<NodeId>, event: &Event, after: Option<&[Event]>) -> Pair {
    let n = node.map(|n| n.0).unwrap_or(0);
    protocol
        .narrate(n, event)
        .or_else(|| network(protocol, n, event, after))
        .or_else(|| paxos(n, event))
        .unwrap_or_else(|| {
            let kind = event.kind();
            (format!("Node {n}: {kind}."), format!("节点 {n}：{kind}。"))
        })
}

use crate::protocol::{Pair, ProtocolInfo};

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
        Event::Drop { from, to, msg, reason, .. } => dropped(*from, *to, &msg.describe(), *reason),
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
        Event::Reply { reply, error, .. } => replied(n, reply.as_deref(), error.as_deref()),
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
    }
}

fn timer_fired(n: u32, timer: &Wire, after: Option<&[Event]>) -> Pair {
    let name = timer.name();
    let (en, zh) = timer.meaning(after).unwrap_or(("a timer fires", "定时器触发"));
    (format!("Node {n}'s {name} timer fires: {en}."), format!("节点 {n} 的 {name} 定时器触发：{zh}。"))
}

fn replied(n: u32, reply: Option<&ReplyBody>, error: Option<&crate::client::ClientError>) -> Pair {
    if let Some(e) = error {
        return (
            format!("Node {n} answers its client with {:?}: {}.", e.code, e.message),
            format!("节点 {n} 向客户端返回错误 {:?}：{}。", e.code, e.message),
        );
    }
    // Only a Paxos `propose` gets here with a body, always `Chosen`; anything else is
    // told as the no-op at instance 0, as when the body was read as JSON.
    let (value, slot) = match reply {
        Some(ReplyBody::Chosen { instance, value }) => (value_of(value), instance.0),
        _ => (value_of(&Value::Noop), 0),
    };
    (
        format!("Node {n} tells its client that {value} was chosen (instance {slot})."),
        format!("节点 {n} 告诉客户端：{value} 已被选定（实例 {slot}）。"),
    )
}

fn paxos(n: u32, event: &Event) -> Option<Pair> {
    Some(match event {
        Event::Promised { instance, ballot } => (
            format!("Node {n} promises ballot {ballot}{}: higher than any it promised before, so from now on it refuses lower ballots (phase 1b).", slots_from(*instance)),
            format!("节点 {n} 承诺提案编号 {ballot}{}：它比之前承诺过的都高，此后将拒绝更低的编号（准备阶段 1b）。", slots_from_zh(*instance)),
        ),
        Event::Accepted { instance, ballot, value } => (
            format!("Node {n} accepts {}{} at ballot {ballot}: it promised nothing higher (phase 2b).", value_of(value), slot_en(*instance)),
            format!("节点 {n} 在提案编号 {ballot} 接受 {}{}：它没有承诺过更高的编号（接受阶段 2b）。", value_of(value), slot_zh(*instance)),
        ),
        Event::Learned { instance, value } => (
            format!("Node {n} learns that {}{} is chosen: a majority accepted it at one ballot.", value_of(value), slot_en(*instance)),
            format!("节点 {n} 得知 {}{} 已被选定：过半数表决者在同一提案编号接受了它。", value_of(value), slot_zh(*instance)),
        ),
        Event::Rejected { phase, ballot, promised, .. } => {
            let m = match phase {
                Phase::Prepare => "Prepare",
                Phase::Accept => "Accept",
            };
            (
                format!("Node {n} rejects {m}(b={ballot}) because it promised b={promised}: it sends a Nack so the proposer can try higher."),
                format!("节点 {n} 拒绝 {m}(b={ballot})，因为它已承诺 b={promised}；它回复 Nack，让提案者用更高的编号再试。"),
            )
        }
        Event::Preparing { instance, ballot, attempt } => (
            format!("Node {n} starts phase 1 with ballot {ballot} (attempt {attempt}){}: it sends Prepare to the acceptors.", slots_from(*instance)),
            format!("节点 {n} 以提案编号 {ballot} 开始准备阶段（第 {attempt} 次尝试）{}：向表决者发送 Prepare。", slots_from_zh(*instance)),
        ),
        Event::Proposing { instance, ballot, value, from } => proposing(n, *instance, *ballot, value, *from),
        Event::Preempted { ballot, by, streak, .. } => (
            format!("Node {n}'s ballot {ballot} is pre-empted by {by} ({} in a row with nothing chosen): if two proposers keep doing this to each other, it is a livelock.", times(*streak)),
            format!("节点 {n} 的提案编号 {ballot} 被 {by} 抢占。已连续被抢占 {streak} 次且没有值被选定：如果两个提案者一直互相抢占，这就是活锁。"),
        ),
        Event::Forwarded { value, to } => (
            format!("Node {n} is not the distinguished proposer: it forwards {} to node {to}, so only one process proposes.", value_of(value)),
            format!("节点 {n} 不是唯一指定的提案者：它把 {} 转交给节点 {to}，只允许一个进程提交提案。", value_of(value)),
        ),
        Event::State { state, round, .. } => {
            let e = round.map(|e| format!(" (round {e})")).unwrap_or_default();
            let ez = round.map(|e| format!("（轮次 {e}）")).unwrap_or_default();
            (format!("Node {n} is now {state}{e}."), format!("节点 {n} 进入 {state} 状态{ez}。"))
        }
        _ => return None,
    })
}

fn proposing(n: u32, instance: Instance, ballot: Ballot, value: &Value, from: Option<Ballot>) -> Pair {
    let (v, s, sz) = (value_of(value), slot_en(instance), slot_zh(instance));
    match (from, value) {
        (Some(b), _) => (
            format!("Node {n} has a majority of promises{s}; the highest accepted ballot among them is {b} with {v}, so it must propose {v} at ballot {ballot} (rule P2c)."),
            format!("节点 {n} 收到过半数承诺{sz}；其中已接受的最高编号是 {b}，值为 {v}，所以它必须在提案编号 {ballot} 提议 {v}（规则 P2c）。"),
        ),
        (None, Value::Noop) => (
            format!("Node {n} leads with ballot {ballot}; nobody accepted anything{s}, so it fills the gap with a no-op."),
            format!("节点 {n} 以提案编号 {ballot} 领导；{sz}没有任何已接受的值，于是用空操作填补空洞。"),
        ),
        (None, _) => (
            format!("Node {n} proposes {v} at ballot {ballot}{s}: no promise reported an accepted value, so it is free to use its own."),
            format!("节点 {n} 在提案编号 {ballot} 提议 {v}{sz}：没有承诺带回已接受的值，所以它可以用自己的值。"),
        ),
    }
}

fn times(n: u32) -> String {
    if n == 1 {
        "once".into()
    } else {
        format!("{n} times")
    }
}

fn slot_en(i: Instance) -> String {
    format!(" for instance {}", i.0)
}
fn slot_zh(i: Instance) -> String {
    format!("（实例 {}）", i.0)
}
fn slots_from(i: Instance) -> String {
    if i.0 == 0 {
        String::new()
    } else {
        format!(" for every slot from {} on", i.0)
    }
}
fn slots_from_zh(i: Instance) -> String {
    if i.0 == 0 {
        String::new()
    } else {
        format!("（覆盖第 {} 个及以后的所有槽位）", i.0)
    }
}

fn value_of(v: &Value) -> String {
    v.to_string()
}

fn groups_text(groups: &[Vec<NodeId>]) -> String {
    groups
        .iter()
        .map(|g| format!("{{{}}}", g.iter().map(|n| n.0.to_string()).collect::<Vec<_>>().join(",")))
        .collect::<Vec<_>>()
        .join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multipaxos::PROTOCOL as MULTIPAXOS;
    use crate::paxos::PROTOCOL as PAXOS;
    use crate::zab::PROTOCOL as ZAB;

    #[test]
    fn rejection_names_the_rule() {
        let e = Event::Rejected {
            instance: Instance(0),
            phase: Phase::Prepare,
            ballot: Ballot::new(3, NodeId(1)),
            promised: Ballot::new(4, NodeId(2)),
        };
        let en = explain_event(&PAXOS, Some(NodeId(2)), &e, Lang::En);
        assert!(en.starts_with("Node 2 rejects Prepare(b=3.1) because it promised b=4.2"), "{en}");
        let zh = explain_event(&PAXOS, Some(NodeId(2)), &e, Lang::Zh);
        assert!(zh.contains("拒绝 Prepare(b=3.1)，因为它已承诺 b=4.2"), "{zh}");
    }

    fn step(events: Vec<Event>) -> TraceEntry {
        TraceEntry { step: 1, time_ms: 0, node: Some(NodeId(2)), events }
    }

    /// The first sentence of a step, in English and Chinese.
    fn first(p: &dyn ProtocolInfo, events: Vec<Event>) -> (String, String) {
        let entry = step(events);
        (explain_entry(p, &entry, Lang::En).remove(0), explain_entry(p, &entry, Lang::Zh).remove(0))
    }

    #[test]
    fn a_zab_restart_names_what_a_zab_server_persists() {
        let vote = crate::event::VoteView {
            leader: NodeId(2),
            zxid: crate::types::Zxid::ZERO,
            peer_epoch: crate::types::Epoch(0),
        };
        let looking = Event::State { state: "LOOKING".into(), epoch: Some(0), round: None };
        let (en, zh) = first(&ZAB, vec![Event::Restart {}, looking, Event::Vote { vote, round: 1 }]);
        assert!(en.contains("accepted and current epoch, log, snapshot and delivered mark"), "{en}");
        assert!(!en.contains("promises"), "{en}");
        assert!(zh.contains("已接受纪元与当前纪元、日志、快照和已交付位置"), "{zh}");
        assert!(!zh.contains("承诺"), "{zh}");
    }

    #[test]
    fn a_paxos_restart_keeps_its_words() {
        for p in [&PAXOS as &dyn ProtocolInfo, &MULTIPAXOS] {
            let (en, zh) = first(p, vec![Event::Restart {}]);
            assert!(en.ends_with("from what it persisted (promises, accepted values)."), "{en}");
            assert!(zh.contains("（承诺、已接受的值）"), "{zh}");
        }
    }

    /// The bug this seam fixed: state names are shared, so a Multi-Paxos leader was told
    /// in ZAB's words ("gathers its followers").
    #[test]
    fn each_protocol_narrates_its_own_roles() {
        let leading = |epoch, round| Event::State { state: "LEADING".into(), epoch, round };
        let (en, _) = first(&MULTIPAXOS, vec![leading(None, Some(2))]);
        assert!(en.starts_with("Node 2 is now LEADING (round 2): a majority promised its ballot"), "{en}");
        assert!(!en.contains("followers"), "{en}");
        let (en, _) = first(&ZAB, vec![leading(Some(3), None)]);
        assert!(en.contains("(epoch 3): it was elected and now gathers its followers"), "{en}");
    }

    #[test]
    fn a_finalize_wait_decides_only_when_the_step_shows_it() {
        let timer = Event::Timer { timer: crate::wire::Wire::new(crate::zab::ZabTimer::FinalizeWait) };
        let leading = Event::State { state: "LEADING".into(), epoch: Some(0), round: None };
        let phase = Event::Phase { phase: crate::zab::ZabPhase::Discovery };
        let (en, zh) = first(&ZAB, vec![timer.clone(), phase, leading]);
        assert!(en.ends_with("a quorum still agrees with its vote, so it decides."), "{en}");
        assert!(zh.ends_with("过半数仍同意它的选票，于是做出决定。"), "{zh}");
        let (en, zh) = first(&ZAB, vec![timer.clone()]);
        assert!(
            en.ends_with("a quorum no longer agrees with its vote, so it does not decide and keeps looking."),
            "{en}"
        );
        assert!(zh.contains("已不足过半数，于是暂不决定"), "{zh}");
        // Read alone, the sentence is conditional: it may or may not decide.
        let en = explain_event(&ZAB, Some(NodeId(2)), &timer, Lang::En);
        assert!(en.ends_with("if a quorum still agrees with its vote (nothing better arrived), it decides."), "{en}");
        let zh = explain_event(&ZAB, Some(NodeId(2)), &timer, Lang::Zh);
        assert!(zh.contains("若过半数仍同意它的选票"), "{zh}");
    }

    #[test]
    fn a_trunc_that_removes_nothing_is_not_told_as_a_cut() {
        let z = crate::types::Zxid::new(crate::types::Epoch(1), 3);
        let (en, zh) = crate::zab::narrate::truncated(2, z, Some(0));
        assert_eq!(en, "Node 2's log already ends at 0x100000003: TRUNC finds nothing to cut.");
        assert_eq!(zh, "节点 2 的日志本就止于 0x100000003：TRUNC 没有可截断的提案。");
        let (en, zh) = crate::zab::narrate::truncated(2, z, Some(2));
        assert!(
            en.starts_with("Node 2 cuts 2 proposal(s) from its log, back to 0x100000003: they were never committed")
        );
        assert!(zh.starts_with("节点 2 从日志中截去 2 个提案，回到 0x100000003"), "{zh}");
        // Today's trace does not say how many were cut: the sentence claims no loss.
        let en = explain_event(&ZAB, Some(NodeId(2)), &Event::Truncated { zxid: z, removed: None }, Lang::En);
        assert!(en.starts_with("Node 2's log now ends at 0x100000003 (TRUNC): any proposals"), "{en}");
        let zh = explain_event(&ZAB, Some(NodeId(2)), &Event::Truncated { zxid: z, removed: None }, Lang::Zh);
        assert!(zh.contains("其后若有提案"), "{zh}");
    }
}
