//! Narration of Paxos' events (Basic and Multi-Paxos): each sentence names the rule
//! that applied ("rejects ... because it promised ..."), in the course notes' words.

use super::event::{Ignored, PaxosEvent, Phase};
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
        PaxosEvent::Learned { instance, value, accepted: 0, .. } => (
            format!("Node {n} learns that {value}{} is chosen: a majority accepted it at one ballot.", slot_en(*instance)),
            format!("节点 {n} 得知 {value}{} 已被选定：过半数表决者在同一提案编号接受了它。", slot_zh(*instance)),
        ),
        PaxosEvent::Learned { instance, value, accepted, of } => (
            format!("Node {n} learns that {value}{} is chosen: {accepted} of {of} acceptors told it they accepted it at one ballot, a majority. It was chosen when they accepted it; only now does node {n} know.", slot_en(*instance)),
            format!("节点 {n} 得知 {value}{} 已被选定：{of} 个表决者中有 {accepted} 个告诉它，它们在同一提案编号接受了该值，达到过半数。该值在它们接受时就已被选定，节点 {n} 直到现在才知道。", slot_zh(*instance)),
        ),
        PaxosEvent::Chosen { instance, ballot, value, accepted, of } => (
            format!("{value}{} is now chosen: with node {n}'s acceptance, {accepted} of {of} acceptors have accepted it at ballot {ballot}, a majority. No node knows it yet: each finds out by counting Accepted messages.", slot_en(*instance)),
            format!("{value}{}现已被选定：随着节点 {n} 的接受，{of} 个表决者中已有 {accepted} 个在提案编号 {ballot} 接受了它，达到过半数。但还没有任何节点知道：各节点要数 Accepted 消息才能得知。", slot_zh(*instance)),
        ),
        PaxosEvent::PromiseIgnored { from, ballot, reason, .. } => promise_ignored(n, from.0, *ballot, *reason),
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
        PaxosEvent::Proposing { instance, ballot, value, from, promises: 0, .. } => {
            proposing(n, *instance, *ballot, value, *from)
        }
        PaxosEvent::Proposing { ballot, value, from, promises, of, .. } => {
            counted_proposing(n, *ballot, value, *from, (*promises, *of))
        }
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

/// Phase 2a, with the promises counted aloud (Basic Paxos).
fn counted_proposing(n: u32, ballot: Ballot, v: &Value, from: Option<Ballot>, (k, of): (u32, u32)) -> Pair {
    let head = format!("{k} of {of} acceptors promised ballot {ballot} to node {n}: a majority.");
    let head_zh = format!("{of} 个表决者中有 {k} 个向节点 {n} 承诺了提案编号 {ballot}：过半数。");
    match from {
        Some(b) => (
            format!("{head} The highest accepted ballot their promises report is {b}, with {v}, so node {n} must propose {v}, not its own value (rule P2c)."),
            format!("{head_zh}这些承诺带回的已接受最高编号是 {b}，值为 {v}，所以节点 {n} 必须提议 {v}，而不是自己的值（规则 P2c）。"),
        ),
        None => (
            format!("{head} No promise reports an accepted value, so node {n} is free to propose its own: {v} at ballot {ballot}."),
            format!("{head_zh}没有承诺带回已接受的值，所以节点 {n} 可以提议自己的值：在提案编号 {ballot} 提议 {v}。"),
        ),
    }
}

/// A Promise that changes nothing, and why.
fn promise_ignored(n: u32, from: u32, ballot: Ballot, reason: Ignored) -> Pair {
    let (en, zh) = match reason {
        Ignored::HasMajority => (
            "it already has a majority of promises and is in phase 2, so one more changes nothing",
            "它已有过半数承诺并进入接受阶段，多一个承诺不改变任何事",
        ),
        Ignored::OldBallot => (
            "it has given that ballot up (pre-empted, or trying a higher one), so the promise changes nothing",
            "它已放弃这个提案编号（被抢占，或正用更高的编号重试），这个承诺不改变任何事",
        ),
        Ignored::Decided => (
            "it already knows the chosen value, so nothing is left to decide",
            "它已得知被选定的值，没有什么需要再决定",
        ),
    };
    (
        format!("Node {n} ignores node {from}'s late Promise for ballot {ballot}: {en}."),
        format!("节点 {n} 忽略节点 {from} 对提案编号 {ballot} 迟到的承诺：{zh}。"),
    )
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
    fn majorities_are_counted_aloud_and_chosen_is_not_learned() {
        let (ballot, value) = (Ballot::new(1, NodeId(1)), Value::data("A"));
        let proposing = Event::from(PaxosEvent::Proposing {
            instance: Instance(0),
            ballot,
            value: value.clone(),
            from: None,
            promises: 2,
            of: 3,
        });
        let (en, zh) = told_alone(&PAXOS, &proposing);
        assert_eq!(
            en,
            r#"2 of 3 acceptors promised ballot 1.1 to node 2: a majority. No promise reports an accepted value, so node 2 is free to propose its own: "A" at ballot 1.1."#
        );
        assert_eq!(
            zh,
            r#"3 个表决者中有 2 个向节点 2 承诺了提案编号 1.1：过半数。没有承诺带回已接受的值，所以节点 2 可以提议自己的值：在提案编号 1.1 提议 "A"。"#
        );
        let chosen =
            Event::from(PaxosEvent::Chosen { instance: Instance(0), ballot, value: value.clone(), accepted: 2, of: 3 });
        let (en, _) = told_alone(&PAXOS, &chosen);
        assert_eq!(
            en,
            r#""A" for instance 0 is now chosen: with node 2's acceptance, 2 of 3 acceptors have accepted it at ballot 1.1, a majority. No node knows it yet: each finds out by counting Accepted messages."#
        );
        let learned = Event::from(PaxosEvent::Learned { instance: Instance(0), value, accepted: 2, of: 3 });
        let (en, _) = told_alone(&PAXOS, &learned);
        assert!(en.ends_with("It was chosen when they accepted it; only now does node 2 know."), "{en}");
        let late = Event::from(PaxosEvent::PromiseIgnored {
            instance: Instance(0),
            from: NodeId(3),
            ballot,
            reason: Ignored::HasMajority,
        });
        let (en, zh) = told_alone(&PAXOS, &late);
        assert_eq!(en, "Node 2 ignores node 3's late Promise for ballot 1.1: it already has a majority of promises and is in phase 2, so one more changes nothing.");
        assert!(zh.starts_with("节点 2 忽略节点 3 对提案编号 1.1 迟到的承诺"), "{zh}");
    }

    #[test]
    fn a_paxos_restart_keeps_its_words() {
        let (en, zh) = first_sentence(&PAXOS, vec![Event::Restart {}]);
        assert!(en.ends_with("from what it persisted (promises, accepted values)."), "{en}");
        assert!(zh.contains("（承诺、已接受的值）"), "{zh}");
    }
}
