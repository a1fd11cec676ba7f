//! Narration of ZAB: election, discovery, synchronization, broadcast, sessions.

use crate::client::ReplyBody;
use crate::event::Event;
use crate::protocol::Pair;
use crate::types::Zxid;
use crate::zab::describe::txn_text;
use crate::zab::{SyncMode, ZabPhase, ZkReply};

fn state_meaning(state: &str) -> Option<(&'static str, &'static str)> {
    Some(match state {
        "LOOKING" => {
            ("it has no leader and runs Fast Leader Election (recovery mode)", "它没有领导者，开始快速选主（恢复模式）")
        }
        "FOLLOWING" => {
            ("it follows the elected leader: discovery, then synchronization", "它跟随选出的领导者：先发现，再同步")
        }
        "LEADING" => {
            ("it was elected and now gathers its followers (discovery)", "它当选领导者，开始召集跟随者（发现阶段）")
        }
        "OBSERVING" => ("an observer: it learns the leader but never votes", "观察者：它跟随领导者，但从不投票"),
        _ => return None,
    })
}

pub(super) fn explain(n: u32, event: &Event) -> Option<Pair> {
    Some(match event {
        Event::Reply { client, op, reply, error: None, .. } if op != "propose" => replied(n, client.0, op, reply.as_deref()),
        Event::State { state, epoch, .. } => {
            let (en, zh) = state_meaning(state)?;
            let e = epoch.unwrap_or(0);
            (format!("Node {n} is now {state} (epoch {e}): {en}."), format!("节点 {n} 进入 {state} 状态（纪元 {e}）：{zh}。"))
        }
        Event::Phase { phase } => phase_text(n, *phase),
        Event::Vote { vote, round } => (
            format!("Node {n} votes for node {} (zxid {}, epoch {}) in round {round}: the best vote it has seen, compared by epoch, then zxid, then server id.", vote.leader, vote.zxid, vote.peer_epoch),
            format!("节点 {n} 在第 {round} 轮投票给节点 {}（zxid {}，纪元 {}）：这是它见过的最优选票，依次比较纪元、zxid、服务器 id。", vote.leader, vote.zxid, vote.peer_epoch),
        ),
        Event::LeaderEstablished { epoch } => (
            format!("Node {n} is established as leader of epoch {epoch}: a quorum acknowledged NEWLEADER, so its history is now committed and it starts broadcasting."),
            format!("节点 {n} 成为纪元 {epoch} 的正式领导者：过半数服务器确认了 NEWLEADER，它的历史已提交，开始广播。"),
        ),
        Event::Sync { learner, mode, zxid } => sync_text(n, learner.0, *mode, *zxid),
        Event::Proposed { zxid, txn } => {
            let t = txn_text(txn);
            (
                format!("Leader {n} proposes {t} as {zxid} (epoch {}, counter {}) and sends PROPOSAL to its followers.", zxid.epoch(), zxid.counter()),
                format!("领导者 {n} 把 {t} 作为事务 {zxid}（纪元 {}，计数器 {}）提出，向跟随者发送 PROPOSAL。", zxid.epoch(), zxid.counter()),
            )
        }
        Event::Committed { zxid } => (
            format!("Leader {n} commits {zxid}: a quorum of voters has logged it (observers do not count); COMMIT to followers, INFORM to observers."),
            format!("领导者 {n} 提交 {zxid}：过半数投票者已记录它（观察者不计入）；向跟随者发 COMMIT，向观察者发 INFORM。"),
        ),
        Event::Delivered { zxid, txn } => {
            let t = txn_text(txn);
            (format!("Node {n} applies {zxid} ({t}) to its tree, in zxid order."), format!("节点 {n} 按 zxid 顺序把 {zxid}（{t}）应用到数据树。"))
        }
        Event::Truncated { zxid, removed } => truncated(n, *zxid, *removed),
        Event::Snapshot { zxid } => (
            format!("Node {n} was too far behind: it replaces its tree with the leader's snapshot at {zxid} (SNAP)."),
            format!("节点 {n} 落后太多：它用领导者在 {zxid} 的快照替换自己的数据树（SNAP）。"),
        ),
        Event::Watch { client, kind, path } => {
            let kind = kind.name();
            (
                format!("A watch fires for client {} of node {n}: {kind} on {path} (one-shot: it must set it again).", client.0),
                format!("节点 {n} 的客户端 {} 的监听触发：{path} 发生 {kind}（一次性：需重新注册）。", client.0),
            )
        }
        _ => return None,
    })
}

/// TRUNC obeyed; `removed` is how many proposals it cut, when the trace says (`None`:
/// it does not), so that a TRUNC that finds nothing to cut is not told as a loss.
pub(crate) fn truncated(n: u32, zxid: Zxid, removed: Option<u64>) -> Pair {
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
            "it has a prefix of our history, so it gets the proposals it lacks",
            "它拥有我们历史的前缀，于是补发它缺少的提案",
        ),
        SyncMode::Trunc => {
            ("it has proposals we never had, so it must cut them first", "它有我们从未有过的提案，必须先截断")
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
    use crate::types::{Instance, SessionId, Value};
    use crate::zab::tree::{Stat, TxnResult};

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
}
