//! How ZAB messages and timers appear in the narration and the web app: ZooKeeper's
//! packet names and zxids in its hex form.

use super::event::ZabEvent;
use super::msg::{LogEntry, ServerState, WriteRequest, ZabMsg, ZabTimer};
use super::tree::Txn;
use crate::event::Event;
use crate::wire::Describe;
use std::borrow::Cow;

impl Describe for ZabMsg {
    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            ZabMsg::Notification { .. } => "NOTIFICATION",
            ZabMsg::FollowerInfo { .. } => "FOLLOWERINFO",
            ZabMsg::ObserverInfo { .. } => "OBSERVERINFO",
            ZabMsg::LeaderInfo { .. } => "LEADERINFO",
            ZabMsg::AckEpoch { .. } => "ACKEPOCH",
            ZabMsg::Diff { .. } => "DIFF",
            ZabMsg::Trunc { .. } => "TRUNC",
            ZabMsg::Snap { .. } => "SNAP",
            ZabMsg::NewLeader { .. } => "NEWLEADER",
            ZabMsg::Ack { .. } => "ACK",
            ZabMsg::UpToDate { .. } => "UPTODATE",
            ZabMsg::Proposal { .. } => "PROPOSAL",
            ZabMsg::Commit { .. } => "COMMIT",
            ZabMsg::Inform { .. } => "INFORM",
            ZabMsg::Ping { .. } => "PING",
            ZabMsg::Request { .. } => "REQUEST",
            ZabMsg::Sync { .. } => "SYNC",
        })
    }

    /// `NOTIFICATION(vote 2, 0x0, epoch 0, round 1, LOOKING)`, `PROPOSAL(0x100000001 create /a)`.
    fn describe(&self) -> String {
        let fields = match self {
            ZabMsg::Notification { leader, zxid, round, state, peer_epoch } => {
                format!("vote {leader}, {zxid}, epoch {peer_epoch}, round {round}, {}", state.name())
            }
            ZabMsg::FollowerInfo { accepted_epoch, last_zxid, .. }
            | ZabMsg::ObserverInfo { accepted_epoch, last_zxid, .. } => {
                format!("accepted epoch {accepted_epoch}, last zxid {last_zxid}")
            }
            ZabMsg::LeaderInfo { new_epoch } => format!("new epoch {new_epoch}"),
            ZabMsg::AckEpoch { new_epoch, current_epoch, last_zxid, .. } => {
                format!("new epoch {new_epoch}, current epoch {current_epoch}, last zxid {last_zxid}")
            }
            ZabMsg::Diff { after, proposals } => format!("after {after}, {} proposal(s)", proposals.len()),
            ZabMsg::Trunc { zxid } | ZabMsg::Snap { zxid, .. } | ZabMsg::Ack { zxid } | ZabMsg::Commit { zxid } => {
                zxid.to_string()
            }
            ZabMsg::NewLeader { epoch, zxid } => format!("epoch {epoch}, {zxid}"),
            ZabMsg::UpToDate { committed } => format!("committed {committed}"),
            ZabMsg::Proposal { entry } | ZabMsg::Inform { entry } => entry_text(entry),
            ZabMsg::Ping { zxid, .. } => zxid.map(|z| z.to_string()).unwrap_or_default(),
            ZabMsg::Request { write, .. } => write.kind().to_string(),
            ZabMsg::Sync { .. } => String::new(),
        };
        format!("{}({fields})", self.name())
    }
}

fn entry_text(e: &LogEntry) -> String {
    format!("{} {}", e.zxid, txn_text(&e.txn))
}

/// `create /a`, `create_session`: a transaction's kind and path.
pub fn txn_text(t: &Txn) -> String {
    match t.path() {
        Some(p) => format!("{} {p}", t.kind()),
        None => t.kind().to_string(),
    }
}

impl WriteRequest {
    /// The name the trace writes for it (its `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            WriteRequest::Connect { .. } => "connect",
            WriteRequest::Close { .. } => "close",
            WriteRequest::Txn { .. } => "txn",
        }
    }
}

impl Describe for ZabTimer {
    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            ZabTimer::NotificationTimeout => "notification_timeout",
            ZabTimer::FinalizeWait => "finalize_wait",
            ZabTimer::InitLimit => "init_limit",
            ZabTimer::Tick => "tick",
        })
    }

    fn meaning(&self, after: Option<&[Event]>) -> Option<(&'static str, &'static str)> {
        Some(match self {
            ZabTimer::NotificationTimeout => (
                "no decision yet, so it sends its vote again and waits twice as long",
                "尚未选出领导者，于是重发选票并把等待时间加倍",
            ),
            ZabTimer::FinalizeWait => finalize_wait(after.map(decided)),
            ZabTimer::InitLimit => {
                ("discovery and synchronization must finish within initLimit", "发现与同步必须在 initLimit 内完成")
            }
            ZabTimer::Tick => (
                "a tick: PINGs, the syncLimit check and session expiry",
                "一个 tick：发送 PING、检查 syncLimit、处理会话过期",
            ),
        })
    }
}

/// Why the finalize wait ended as it did. A server decides only if a quorum of the
/// votes it holds still agrees with its own (`on_finalize_wait`); a better vote would
/// have cancelled the wait. `decided`: whether the step shows it following or leading
/// (`None`: the rest of the step is not known).
fn finalize_wait(decided: Option<bool>) -> (&'static str, &'static str) {
    match decided {
        Some(true) => (
            "nothing better arrived while it waited and a quorum still agrees with its vote, so it decides",
            "等待期间没有更好的选票，且过半数仍同意它的选票，于是做出决定",
        ),
        Some(false) => (
            "nothing better arrived, but a quorum no longer agrees with its vote, so it does not decide and keeps looking",
            "等待期间没有更好的选票，但同意它选票的已不足过半数，于是暂不决定、继续选举",
        ),
        None => (
            "the wait is over: if a quorum still agrees with its vote (nothing better arrived), it decides",
            "等待结束：若过半数仍同意它的选票（期间没有更好的选票），它就做出决定",
        ),
    }
}

/// Whether the events after a finalize wait show the server deciding (it leaves LOOKING).
fn decided(after: &[Event]) -> bool {
    after.iter().any(|e| matches!(e.get(), Some(ZabEvent::State { state, .. }) if *state != ServerState::Looking))
}
