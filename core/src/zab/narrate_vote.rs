//! Narration of Fast Leader Election's votes: each vote printed as the tuple it is
//! compared by (`totalOrderPredicate`: epoch, then zxid, then server id), the field that
//! decided each comparison, and the servers that form the quorum that ends it.

use super::VoteView;
use crate::protocol::Pair;
use crate::types::NodeId;

/// A vote in the order it is compared: `(epoch 1, zxid 0x100000003, server 2)`.
fn tuple(v: &VoteView) -> Pair {
    (
        format!("(epoch {}, zxid {}, server {})", v.peer_epoch, v.zxid, v.leader),
        format!("（纪元 {}，zxid {}，服务器 {}）", v.peer_epoch, v.zxid, v.leader),
    )
}

/// The first field, in the order votes are compared (epoch, zxid, server id), in which
/// two votes differ: the field that decides between them. The one place this order is
/// spelled out for people, used by the narration and by the vote table alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteField {
    Epoch,
    Zxid,
    Id,
    /// The votes are equal.
    Same,
}

/// Which field tells `a` from `b` (`Same` if they are equal).
pub fn deciding_field(a: &VoteView, b: &VoteView) -> VoteField {
    if a.peer_epoch != b.peer_epoch {
        VoteField::Epoch
    } else if a.zxid != b.zxid {
        VoteField::Zxid
    } else if a.leader != b.leader {
        VoteField::Id
    } else {
        VoteField::Same
    }
}

/// Which field makes `winner` beat `loser`, and that the later fields do not matter.
pub(super) fn decider(winner: &VoteView, loser: &VoteView) -> Pair {
    let (w, l) = (winner, loser);
    match deciding_field(w, l) {
        VoteField::Epoch => {
            let (we, le) = (w.peer_epoch, l.peer_epoch);
            if l.zxid.counter() > w.zxid.counter() {
                return (
                    format!("epoch {we} beats epoch {le}: the epoch decides, the larger counter does not matter"),
                    format!("纪元 {we} 胜过纪元 {le}：由纪元决定，更大的计数器无关紧要"),
                );
            }
            (format!("epoch {we} beats epoch {le}: the epoch decides"), format!("纪元 {we} 胜过纪元 {le}：由纪元决定"))
        }
        VoteField::Zxid => {
            let (wz, lz, e) = (w.zxid, l.zxid, w.peer_epoch);
            (
                format!("both have epoch {e}, and zxid {wz} beats {lz}: the zxid decides"),
                format!("两者纪元都是 {e}，zxid {wz} 胜过 {lz}：由 zxid 决定"),
            )
        }
        VoteField::Id | VoteField::Same => {
            let (wi, li) = (w.leader, l.leader);
            (
                format!("epoch and zxid are equal, and server id {wi} beats {li}: the id decides"),
                format!("纪元与 zxid 都相同，服务器 id {wi} 胜过 {li}：由 id 决定"),
            )
        }
    }
}

/// A server's vote; `beats`: the vote it won a comparison against, if one made it.
pub(super) fn voted(n: u32, vote: &VoteView, round: u64, beats: Option<&VoteView>) -> Pair {
    let (t, tz) = tuple(vote);
    let l = vote.leader;
    match beats {
        None if l.0 == n => (
            format!("Node {n} votes for itself {t} in round {round}. Votes are compared in that order: epoch first, then zxid, then server id."),
            format!("节点 {n} 在第 {round} 轮投票给自己{tz}。选票按此顺序比较：先比纪元，再比 zxid，最后比服务器 id。"),
        ),
        None => (
            format!("Node {n} votes for node {l} {t} in round {round}: the best vote it has seen, compared in that order (epoch, zxid, server id)."),
            format!("节点 {n} 在第 {round} 轮投票给节点 {l}{tz}：这是它见过的最优选票，按此顺序比较（纪元、zxid、服务器 id）。"),
        ),
        Some(other) => {
            let ((o, oz), (why, why_zh)) = (tuple(other), decider(vote, other));
            (
                format!("Node {n} now votes for node {l} {t} in round {round}: it beats {o}, because {why}."),
                format!("节点 {n} 在第 {round} 轮改投节点 {l}{tz}：它胜过{oz}，因为{why_zh}。"),
            )
        }
    }
}

/// A vote received that is no better than the server's own.
pub(super) fn kept(n: u32, from: u32, theirs: &VoteView, mine: &VoteView, round: u64) -> Pair {
    let ((t, tz), l) = (tuple(theirs), mine.leader);
    if theirs == mine {
        return (
            format!("Node {n} receives node {from}'s vote {t} in round {round}, the same as its own: nothing changes, and node {from} counts toward a quorum for node {l}."),
            format!("节点 {n} 在第 {round} 轮收到节点 {from} 的选票{tz}，与自己的相同：什么都不变，节点 {from} 计入支持节点 {l} 的法定人数。"),
        );
    }
    let ((m, mz), (why, why_zh)) = (tuple(mine), decider(mine, theirs));
    (
        format!("Node {n} keeps its vote {m}: node {from}'s vote {t} is not better, because {why}. Nothing changes; it tells node {from} its better vote."),
        format!("节点 {n} 保持自己的选票{mz}：节点 {from} 的选票{tz}并不更优，因为{why_zh}。什么都不变；它把更优的选票告诉节点 {from}。"),
    )
}

/// The election ends: which voters make the quorum.
pub(super) fn elected(n: u32, leader: u32, voters: &[NodeId], of: u32) -> Pair {
    let ids: Vec<String> = voters.iter().map(|v| v.0.to_string()).collect();
    let (who, who_zh) = match ids.as_slice() {
        [one] => (format!("server {one}"), format!("服务器 {one}")),
        [rest @ .., last] => {
            (format!("servers {} and {last}", rest.join(", ")), format!("服务器 {}、{last}", rest.join("、")))
        }
        [] => ("no server".to_string(), "没有服务器".to_string()),
    };
    let (then, then_zh) = if leader == n {
        ("so it leads".to_string(), "于是它成为领导者".to_string())
    } else {
        (format!("so node {leader} leads"), format!("于是节点 {leader} 成为领导者"))
    };
    (
        format!("Node {n} ends its election: {who} of {of} vote for node {leader}, a quorum, {then}."),
        format!("节点 {n} 结束选举：{of} 台投票服务器中，{who_zh} 投票给节点 {leader}，构成法定人数，{then_zh}。"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Epoch, Zxid};

    fn v(leader: u32, epoch: u32, zxid: (u32, u32)) -> VoteView {
        VoteView { leader: NodeId(leader), zxid: Zxid::new(Epoch(zxid.0), zxid.1), peer_epoch: Epoch(epoch) }
    }

    #[test]
    fn a_newer_epoch_beats_a_larger_zxid_and_says_so() {
        let (newer, longer) = (v(2, 2, (2, 1)), v(1, 1, (1, 9)));
        let (en, zh) = voted(3, &newer, 1, Some(&longer));
        assert_eq!(en, "Node 3 now votes for node 2 (epoch 2, zxid 0x200000001, server 2) in round 1: it beats (epoch 1, zxid 0x100000009, server 1), because epoch 2 beats epoch 1: the epoch decides, the larger counter does not matter.");
        assert_eq!(zh, "节点 3 在第 1 轮改投节点 2（纪元 2，zxid 0x200000001，服务器 2）：它胜过（纪元 1，zxid 0x100000009，服务器 1），因为纪元 2 胜过纪元 1：由纪元决定，更大的计数器无关紧要。");
    }

    #[test]
    fn a_vote_that_is_not_better_is_kept_with_its_reason() {
        let (mine, theirs) = (v(3, 0, (0, 0)), v(1, 0, (0, 0)));
        let (en, _) = kept(3, 1, &theirs, &mine, 1);
        assert_eq!(en, "Node 3 keeps its vote (epoch 0, zxid 0x0, server 3): node 1's vote (epoch 0, zxid 0x0, server 1) is not better, because epoch and zxid are equal, and server id 3 beats 1: the id decides. Nothing changes; it tells node 1 its better vote.");
        let (en, _) = kept(2, 3, &mine, &mine, 1);
        assert!(
            en.ends_with("the same as its own: nothing changes, and node 3 counts toward a quorum for node 3."),
            "{en}"
        );
        let (en, _) = decider(&v(1, 1, (1, 5)), &v(3, 1, (1, 4)));
        assert_eq!(en, "both have epoch 1, and zxid 0x100000005 beats 0x100000004: the zxid decides");
    }

    #[test]
    fn the_quorum_that_ends_an_election_is_named() {
        let (en, zh) = elected(1, 2, &[NodeId(1), NodeId(2)], 3);
        assert_eq!(en, "Node 1 ends its election: servers 1 and 2 of 3 vote for node 2, a quorum, so node 2 leads.");
        assert_eq!(
            zh,
            "节点 1 结束选举：3 台投票服务器中，服务器 1、2 投票给节点 2，构成法定人数，于是节点 2 成为领导者。"
        );
        let (en, _) = elected(3, 3, &[NodeId(1), NodeId(2), NodeId(3)], 5);
        assert_eq!(en, "Node 3 ends its election: servers 1, 2 and 3 of 5 vote for node 3, a quorum, so it leads.");
    }
}
