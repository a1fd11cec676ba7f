//! Narration of ZAB: election, discovery, synchronization, broadcast, sessions.

use crate::client::ReplyBody;
use crate::event::Event;
use crate::protocol::Pair;
use crate::types::Zxid;
use crate::zab::describe::txn_text;
use crate::zab::{ServerState, SyncMode, ZabEvent, ZabPhase, ZkReply};

fn state_meaning(state: ServerState) -> (&'static str, &'static str) {
    match state {
        ServerState::Looking => {
            ("it has no leader and runs Fast Leader Election (recovery mode)", "它没有领导者，开始快速选主（恢复模式）")
        }
        ServerState::Following => {
            ("it follows the elected leader: discovery, then synchronization", "它跟随选出的领导者：先发现，再同步")
        }
        ServerState::Leading => {
            ("it was elected and now gathers its followers (discovery)", "它当选领导者，开始召集跟随者（发现阶段）")
        }
        ServerState::Observing => {
            ("an observer: it learns the leader but never votes", "观察者：它跟随领导者，但从不投票")
        }
    }
}

pub(super) fn explain(n: u32, event: &Event) -> Option<Pair> {
    match event {
        Event::Reply { client, op, reply, error: None, .. } if op != "propose" => {
            Some(replied(n, client.0, op, reply.as_deref()))
        }
        _ => event.get::<ZabEvent>().map(|e| zab(n, e)),
    }
}

fn zab(n: u32, event: &ZabEvent) -> Pair {
    match event {
        ZabEvent::State { state, epoch: e } => {
            let (en, zh) = state_meaning(*state);
            let state = state.name();
            (format!("Node {n} is now {state} (epoch {e}): {en}."), format!("节点 {n} 进入 {state} 状态（纪元 {e}）：{zh}。"))
        }
        ZabEvent::Phase { phase } => phase_text(n, *phase),
        ZabEvent::Vote { vote, round, beats } => super::narrate_vote::voted(n, vote, *round, beats.as_ref()),
        ZabEvent::VoteKept { from, theirs, vote, round } => super::narrate_vote::kept(n, from.0, theirs, vote, *round),
        ZabEvent::Elected { leader, voters, of } => super::narrate_vote::elected(n, leader.0, voters, *of),
        ZabEvent::LearnerInfoIgnored { learner, state, observer } => info_ignored(n, learner.0, *state, *observer),
        ZabEvent::LeaderEstablished { epoch } => (
            format!("Node {n} is established as leader of epoch {epoch}: a quorum acknowledged NEWLEADER, so its history is now committed and it starts broadcasting."),
            format!("节点 {n} 成为纪元 {epoch} 的正式领导者：过半数服务器确认了 NEWLEADER，它的历史已提交，开始广播。"),
        ),
        ZabEvent::Sync { learner, mode, zxid } => sync_text(n, learner.0, *mode, *zxid),
        ZabEvent::Proposed { zxid, txn } => {
            let t = txn_text(txn);
            (
                format!("Leader {n} proposes {t} as {zxid} (epoch {}, counter {}) and sends PROPOSAL to its followers.", zxid.epoch(), zxid.counter()),
                format!("领导者 {n} 把 {t} 作为事务 {zxid}（纪元 {}，计数器 {}）提出，向跟随者发送 PROPOSAL。", zxid.epoch(), zxid.counter()),
            )
        }
        ZabEvent::Committed { zxid, inform: false } => (
            format!("Leader {n} commits {zxid}: a quorum of servers has logged it; it sends COMMIT to its followers."),
            format!("领导者 {n} 提交 {zxid}：过半数服务器已记录它；它向跟随者发送 COMMIT。"),
        ),
        ZabEvent::Committed { zxid, inform: true } => (
            format!("Leader {n} commits {zxid}: a quorum of voters has logged it (observers do not count); COMMIT to followers, INFORM to observers."),
            format!("领导者 {n} 提交 {zxid}：过半数投票者已记录它（观察者不计入）；向跟随者发 COMMIT，向观察者发 INFORM。"),
        ),
        ZabEvent::Delivered { zxid, txn } => {
            let t = txn_text(txn);
            (format!("Node {n} applies {zxid} ({t}) to its tree, in zxid order."), format!("节点 {n} 按 zxid 顺序把 {zxid}（{t}）应用到数据树。"))
        }
        ZabEvent::Truncated { zxid, removed } => truncated(n, *zxid, *removed),
        ZabEvent::Snapshot { zxid } => (
            format!("Node {n} was too far behind: it replaces its tree with the leader's snapshot at {zxid} (SNAP)."),
            format!("节点 {n} 落后太多：它用领导者在 {zxid} 的快照替换自己的数据树（SNAP）。"),
        ),
        ZabEvent::LeaderLost { leader } => leader_lost(n, leader.0),
        ZabEvent::LearnerLost { learner } => learner_lost(n, learner.0),
        ZabEvent::Watch { client, kind, path } => {
            let kind = kind.name();
            (
                format!("A watch fires for client {} of node {n}: {kind} on {path} (one-shot: it must set it again).", client.0),
                format!("节点 {n} 的客户端 {} 的监听触发：{path} 发生 {kind}（一次性：需重新注册）。", client.0),
            )
        }
    }
}

/// TRUNC obeyed; `removed` is how many proposals it cut, when the trace says (`None`:
/// it does not), so that a TRUNC that finds nothing to cut is not told as a loss.
pub(super) fn truncated(n: u32, zxid: Zxid, removed: Option<u64>) -> Pair {
    match removed {
        Some(0) => (
            format!("Node {n}'s log already ends at {zxid}: TRUNC finds nothing to cut."),
            format!("节点 {n} 的日志本就止于 {zxid}：TRUNC 没有可截断的提案。"),
        ),
        Some(k) => (
            format!("Node {n} cuts {k} proposal(s) from its log, back to {zxid}: they were never committed, and the new leader never had them."),
            format!("节点 {n} 从日志中截去 {k} 个提案，回到 {zxid}：它们从未提交，新领导者也没有它们。"),
        ),
        None => (
            format!("Node {n}'s log now ends at {zxid} (TRUNC): any proposals it had after that were never committed, and the new leader never had them, so they are cut."),
            format!("节点 {n} 按 TRUNC 把日志截到 {zxid}：其后若有提案，它们从未提交，新领导者也没有，因此被删去。"),
        ),
    }
}

/// A FOLLOWERINFO (OBSERVERINFO) to a server that does not lead: why nothing happens.
fn info_ignored(n: u32, learner: u32, state: ServerState, observer: bool) -> Pair {
    let m = if observer { "OBSERVERINFO" } else { "FOLLOWERINFO" };
    let s = state.name();
    match state {
        ServerState::Looking => (
            format!("Node {n} ignores {m} from node {learner}: it is still LOOKING, not yet leading, so it has no new epoch to offer. Node {learner} sends it again each tick until node {n} leads, or gives up after initLimit."),
            format!("节点 {n} 忽略来自节点 {learner} 的 {m}：它仍处于 LOOKING 状态，尚未成为领导者，没有新纪元可提供。节点 {learner} 每个 tick 重发一次，直到节点 {n} 成为领导者，或在 initLimit 后放弃。"),
        ),
        _ => (
            format!("Node {n} ignores {m} from node {learner}: it is {s}, not leading. Node {learner} gives up after initLimit and looks for a leader again."),
            format!("节点 {n} 忽略来自节点 {learner} 的 {m}：它处于 {s} 状态，不是领导者。节点 {learner} 在 initLimit 后放弃，重新寻找领导者。"),
        ),
    }
}

/// A learner's connection to its leader closed: why it goes LOOKING, and what next.
fn leader_lost(n: u32, leader: u32) -> Pair {
    (
        format!("Node {n} stops following node {leader}: its connection to its leader closed, and what was in flight on it is lost, so its history may lag or have a gap. It looks for a leader and, once it has one, registers again (FOLLOWERINFO) and is re-synchronized by DIFF, TRUNC or SNAP."),
        format!("节点 {n} 不再跟随节点 {leader}：它与领导者的连接断开了，连接上在途的消息随之丢失，它的历史可能落后或出现缺口。它重新寻找领导者，找到后重新注册（FOLLOWERINFO），并通过 DIFF、TRUNC 或 SNAP 重新同步。"),
    )
}

/// A leader's connection to a learner closed.
fn learner_lost(n: u32, learner: u32) -> Pair {
    (
        format!("Leader {n} forgets learner {learner}: its connection closed. It sends it no PROPOSAL or COMMIT until it registers again and is re-synchronized; the ACKs it gave before still count."),
        format!("领导者 {n} 移除同步者 {learner}：与它的连接断开了。在它重新注册并重新同步之前，领导者不再向它发送 PROPOSAL 或 COMMIT；它此前的 ACK 仍然有效。"),
    )
}

/// What a ZAB server rebuilds from disk (`ZabNode::recover`).
pub(super) fn restarted(n: u32) -> Pair {
    (
        format!("Node {n} restarts and rebuilds its state from what it persisted: accepted and current epoch, log, snapshot and delivered mark; its tree is replayed from them."),
        format!("节点 {n} 重启，并从持久化的记录恢复状态：已接受纪元与当前纪元、日志、快照和已交付位置，再据此重放数据树。"),
    )
}

fn phase_text(n: u32, phase: ZabPhase) -> Pair {
    let (en, zh) = match phase {
        ZabPhase::Election => ("electing a leader", "选举领导者"),
        ZabPhase::Discovery => (
            "agreeing on a new epoch (FOLLOWERINFO, LEADERINFO, ACKEPOCH)",
            "商定新纪元（FOLLOWERINFO、LEADERINFO、ACKEPOCH）",
        ),
        ZabPhase::Synchronization => (
            "bringing histories in line (DIFF, TRUNC or SNAP, then NEWLEADER)",
            "对齐历史（DIFF、TRUNC 或 SNAP，然后 NEWLEADER）",
        ),
        ZabPhase::Broadcast => ("serving: PROPOSAL, ACK, COMMIT", "对外服务：PROPOSAL、ACK、COMMIT"),
    };
    let phase = phase.name();
    (format!("Node {n} enters {phase}: {en}."), format!("节点 {n} 进入 {phase} 阶段：{zh}。"))
}

fn sync_text(n: u32, learner: u32, mode: SyncMode, zxid: Zxid) -> Pair {
    let (en, zh) = match mode {
        SyncMode::Diff => (
            "its history is a prefix of the leader's, so it gets the proposals it lacks",
            "它的历史是领导者历史的前缀，于是补发它缺少的提案",
        ),
        SyncMode::Trunc => {
            ("it has proposals the leader never had, so it must cut them first", "它有领导者从未有过的提案，必须先截断")
        }
        SyncMode::Snap => ("it is too far behind, so it gets the whole tree", "它落后太多，于是发送整棵数据树"),
    };
    let mode = mode.name();
    (
        format!("Leader {n} synchronizes node {learner} (last zxid {zxid}) by {mode}: {en}."),
        format!("领导者 {n} 用 {mode} 同步节点 {learner}（最后 zxid {zxid}）：{zh}。"),
    )
}

/// A coordination-service reply, in a few words. A `set` is told by the stat it
/// returns, in the words of an `exists` that finds the node: the sentence the golden
/// traces hold since the narration read replies as JSON.
pub(super) fn replied(n: u32, client: u32, op: &str, reply: Option<&ReplyBody>) -> Pair {
    let detail = match reply {
        Some(ReplyBody::Zk(r)) => reply_detail(r),
        _ => "done".to_string(),
    };
    (
        format!("Node {n} answers client {client}'s {op}: {detail}."),
        format!("节点 {n} 答复客户端 {client} 的 {op}：{detail}。"),
    )
}

fn reply_detail(r: &ZkReply) -> String {
    match r {
        ZkReply::Connected { session_id, .. } | ZkReply::Session { session_id, .. } => format!("session {session_id}"),
        ZkReply::Created { path, .. } => format!("created {path}"),
        ZkReply::Data { data, stat } => format!("data {data:?} (version {})", stat.version),
        ZkReply::Children { children } => format!("children {}", children.join(", ")),
        ZkReply::Exists { stat: None } => "it does not exist".to_string(),
        ZkReply::Exists { stat: Some(stat) } | ZkReply::SetData { stat, .. } => {
            format!("it exists (version {})", stat.version)
        }
        ZkReply::Applied { zxid, .. } | ZkReply::Synced { zxid } => format!("done at {zxid}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::{first_sentence, told_alone};
    use crate::types::{Epoch, Instance, NodeId, SessionId, Value};
    use crate::zab::tree::{Stat, TxnResult};
    use crate::zab::PROTOCOL as ZAB;

    /// The details the narration gave when it read these bodies as JSON.
    #[test]
    fn every_reply_is_told_as_before() {
        let (z, stat) = (Zxid::new(crate::types::Epoch(1), 4), Stat { version: 2, ..Stat::default() });
        let cases = [
            (ZkReply::Connected { session_id: SessionId(z.0), timeout_ms: 4000 }, "session 0x100000004"),
            (ZkReply::Session { session_id: SessionId(z.0), already: true }, "session 0x100000004"),
            (ZkReply::Created { path: "/a".into(), zxid: z }, "created /a"),
            (ZkReply::SetData { stat, zxid: z }, "it exists (version 2)"),
            (ZkReply::Applied { zxid: z, result: TxnResult::Deleted }, "done at 0x100000004"),
            (ZkReply::Synced { zxid: z }, "done at 0x100000004"),
            (ZkReply::Data { data: "x".into(), stat }, "data \"x\" (version 2)"),
            (ZkReply::Children { children: vec!["a".into(), "b".into()] }, "children a, b"),
            (ZkReply::Exists { stat: Some(stat) }, "it exists (version 2)"),
            (ZkReply::Exists { stat: None }, "it does not exist"),
        ];
        for (reply, detail) in cases {
            let (en, zh) = replied(3, 7, "op", Some(&ReplyBody::Zk(reply)));
            assert_eq!(en, format!("Node 3 answers client 7's op: {detail}."));
            assert_eq!(zh, format!("节点 3 答复客户端 7 的 op：{detail}。"));
        }
        let chosen = ReplyBody::Chosen { instance: Instance(0), value: Value::data("A") };
        assert_eq!(replied(3, 7, "op", Some(&chosen)).0, "Node 3 answers client 7's op: done.");
        assert_eq!(replied(3, 7, "op", None).0, "Node 3 answers client 7's op: done.");
    }

    fn vote_event() -> Event {
        let vote = crate::zab::VoteView { leader: NodeId(2), zxid: Zxid::ZERO, peer_epoch: Epoch(0) };
        ZabEvent::Vote { vote, round: 1, beats: None }.into()
    }

    #[test]
    fn a_zab_restart_names_what_a_zab_server_persists() {
        let looking = ZabEvent::State { state: ServerState::Looking, epoch: 0 };
        let (en, zh) = first_sentence(&ZAB, vec![Event::Restart {}, looking.into(), vote_event()]);
        assert!(en.contains("accepted and current epoch, log, snapshot and delivered mark"), "{en}");
        assert!(!en.contains("promises"), "{en}");
        assert!(zh.contains("已接受纪元与当前纪元、日志、快照和已交付位置"), "{zh}");
        assert!(!zh.contains("承诺"), "{zh}");
    }

    #[test]
    fn a_leader_is_told_in_zab_words() {
        let leading = ZabEvent::State { state: ServerState::Leading, epoch: 3 };
        let (en, _) = first_sentence(&ZAB, vec![leading.into()]);
        assert!(en.contains("(epoch 3): it was elected and now gathers its followers"), "{en}");
    }

    #[test]
    fn a_finalize_wait_decides_only_when_the_step_shows_it() {
        let timer = Event::Timer { timer: crate::wire::Wire::new(crate::zab::ZabTimer::FinalizeWait) };
        let leading = ZabEvent::State { state: ServerState::Leading, epoch: 0 };
        let phase = ZabEvent::Phase { phase: ZabPhase::Discovery };
        let (en, zh) = first_sentence(&ZAB, vec![timer.clone(), phase.into(), leading.into()]);
        assert!(en.ends_with("a quorum still agrees with its vote, so it decides."), "{en}");
        assert!(zh.ends_with("过半数仍同意它的选票，于是做出决定。"), "{zh}");
        let (en, zh) = first_sentence(&ZAB, vec![timer.clone()]);
        assert!(
            en.ends_with("a quorum no longer agrees with its vote, so it does not decide and keeps looking."),
            "{en}"
        );
        assert!(zh.contains("已不足过半数，于是暂不决定"), "{zh}");
        // Read alone, the sentence is conditional: it may or may not decide.
        let (en, zh) = told_alone(&ZAB, &timer);
        assert!(en.ends_with("if a quorum still agrees with its vote (nothing better arrived), it decides."), "{en}");
        assert!(zh.contains("若过半数仍同意它的选票"), "{zh}");
    }

    #[test]
    fn a_trunc_that_removes_nothing_is_not_told_as_a_cut() {
        let z = Zxid::new(Epoch(1), 3);
        let (en, zh) = truncated(2, z, Some(0));
        assert_eq!(en, "Node 2's log already ends at 0x100000003: TRUNC finds nothing to cut.");
        assert_eq!(zh, "节点 2 的日志本就止于 0x100000003：TRUNC 没有可截断的提案。");
        let (en, zh) = truncated(2, z, Some(2));
        assert!(
            en.starts_with("Node 2 cuts 2 proposal(s) from its log, back to 0x100000003: they were never committed")
        );
        assert!(zh.starts_with("节点 2 从日志中截去 2 个提案，回到 0x100000003"), "{zh}");
        // Today's trace does not say how many were cut: the sentence claims no loss.
        let cut = Event::from(ZabEvent::Truncated { zxid: z, removed: None });
        let (en, zh) = told_alone(&ZAB, &cut);
        assert!(en.starts_with("Node 2's log now ends at 0x100000003 (TRUNC): any proposals"), "{en}");
        assert!(zh.contains("其后若有提案"), "{zh}");
    }
}
