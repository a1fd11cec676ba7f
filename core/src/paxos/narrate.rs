//! Narration of Paxos' events (Basic and Multi-Paxos): each sentence names the rule
//! that applied ("rejects ... because it promised ..."), in the course notes' words.

use super::event::{PaxosEvent, Phase};
use crate::client::ReplyBody;
use crate::event::Event;
use crate::protocol::Pair;
use crate::types::{Ballot, Instance, Value};

/// The sentence for a Paxos event, or for a client's answer (a chosen value).
pub(crate) fn narrate(n: u32, event: &Event) -> Option<Pair> {
    match event {
        Event::Reply { reply, error: None, .. } => Some(replied(n, reply.as_deref())),
        _ => event.get::<PaxosEvent>().map(|e| paxos(n, e)),
    }
}

fn paxos(n: u32, event: &PaxosEvent) -> Pair {
    match event {
        PaxosEvent::Promised { instance, ballot } => (
            format!("Node {n} promises ballot {ballot}{}: higher than any it promised before, so from now on it refuses lower ballots (phase 1b).", slots_from(*instance)),
            format!("节点 {n} 承诺提案编号 {ballot}{}：它比之前承诺过的都高，此后将拒绝更低的编号（准备阶段 1b）。", slots_from_zh(*instance)),
        ),
        PaxosEvent::Accepted { instance, ballot, value } => (
            format!("Node {n} accepts {value}{} at ballot {ballot}: it promised nothing higher (phase 2b).", slot_en(*instance)),
            format!("节点 {n} 在提案编号 {ballot} 接受 {value}{}：它没有承诺过更高的编号（接受阶段 2b）。", slot_zh(*instance)),
        ),
        PaxosEvent::Learned { instance, value } => (
            format!("Node {n} learns that {value}{} is chosen: a majority accepted it at one ballot.", slot_en(*instance)),
            format!("节点 {n} 得知 {value}{} 已被选定：过半数表决者在同一提案编号接受了它。", slot_zh(*instance)),
        ),
        PaxosEvent::Rejected { phase, ballot, promised, .. } => {
            let m = match phase {
                Phase::Prepare => "Prepare",
                Phase::Accept => "Accept",
            };
            (
                format!("Node {n} rejects {m}(b={ballot}) because it promised b={promised}: it sends a Nack so the proposer can try higher."),
                format!("节点 {n} 拒绝 {m}(b={ballot})，因为它已承诺 b={promised}；它回复 Nack，让提案者用更高的编号再试。"),
            )
        }
        PaxosEvent::Preparing { instance, ballot, attempt } => (
            format!("Node {n} starts phase 1 with ballot {ballot} (attempt {attempt}){}: it sends Prepare to the acceptors.", slots_from(*instance)),
            format!("节点 {n} 以提案编号 {ballot} 开始准备阶段（第 {attempt} 次尝试）{}：向表决者发送 Prepare。", slots_from_zh(*instance)),
        ),
        PaxosEvent::Proposing { instance, ballot, value, from } => proposing(n, *instance, *ballot, value, *from),
        PaxosEvent::Preempted { ballot, by, streak, .. } => (
            format!("Node {n}'s ballot {ballot} is pre-empted by {by} ({} in a row with nothing chosen): if two proposers keep doing this to each other, it is a livelock.", times(*streak)),
            format!("节点 {n} 的提案编号 {ballot} 被 {by} 抢占。已连续被抢占 {streak} 次且没有值被选定：如果两个提案者一直互相抢占，这就是活锁。"),
        ),
        PaxosEvent::Forwarded { value, to } => (
            format!("Node {n} is not the distinguished proposer: it forwards {value} to node {to}, so only one process proposes."),
            format!("节点 {n} 不是唯一指定的提案者：它把 {value} 转交给节点 {to}，只允许一个进程提交提案。"),
        ),
    }
}

fn proposing(n: u32, instance: Instance, ballot: Ballot, value: &Value, from: Option<Ballot>) -> Pair {
    let (v, s, sz) = (value, slot_en(instance), slot_zh(instance));
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

/// A client's answer. Only a `propose` gets here with a body, always `Chosen`; anything
/// else is told as the no-op at instance 0, as when the body was read as JSON.
fn replied(n: u32, reply: Option<&ReplyBody>) -> Pair {
    let (value, slot) = match reply {
        Some(ReplyBody::Chosen { instance, value }) => (value.clone(), instance.0),
        _ => (Value::Noop, 0),
    };
    (
        format!("Node {n} tells its client that {value} was chosen (instance {slot})."),
        format!("节点 {n} 告诉客户端：{value} 已被选定（实例 {slot}）。"),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::{first_sentence, told_alone};
    use crate::paxos::PROTOCOL as PAXOS;
    use crate::types::NodeId;

    #[test]
    fn rejection_names_the_rule() {
        let e = Event::from(PaxosEvent::Rejected {
            instance: Instance(0),
            phase: Phase::Prepare,
            ballot: Ballot::new(3, NodeId(1)),
            promised: Ballot::new(4, NodeId(2)),
        });
        let (en, zh) = told_alone(&PAXOS, &e);
        assert!(en.starts_with("Node 2 rejects Prepare(b=3.1) because it promised b=4.2"), "{en}");
        assert!(zh.contains("拒绝 Prepare(b=3.1)，因为它已承诺 b=4.2"), "{zh}");
    }

    #[test]
    fn a_paxos_restart_keeps_its_words() {
        let (en, zh) = first_sentence(&PAXOS, vec![Event::Restart {}]);
        assert!(en.ends_with("from what it persisted (promises, accepted values)."), "{en}");
        assert!(zh.contains("（承诺、已接受的值）"), "{zh}");
    }
}
