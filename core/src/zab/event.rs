//! ZAB's trace events: what a server did, in the paper's and ZooKeeper's terms.

use super::tree::{Txn, WatchEventType};
use super::{ServerState, SyncMode, ZabPhase};
use crate::event::EventKind;
use crate::types::{ClientId, Epoch, NodeId, Zxid};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ZabEvent {
    /// The server's state changed; `epoch` is its current epoch.
    State { state: ServerState, epoch: u64 },
    /// The ZAB phase changed (ELECTION, DISCOVERY, SYNCHRONIZATION, BROADCAST).
    Phase { phase: ZabPhase },
    /// Fast Leader Election: this server's current vote. `beats`: the vote it was
    /// compared with and beat, when a comparison made it (absent otherwise, and in
    /// older traces).
    Vote {
        vote: VoteView,
        round: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        beats: Option<VoteView>,
    },
    /// A LOOKING server received `from`'s vote `theirs` in its own round, and it is no
    /// better than its own `vote`, which it keeps (it counts `theirs` all the same).
    VoteKept { from: NodeId, theirs: VoteView, vote: VoteView, round: u64 },
    /// The server ends its election: `voters` (of the `of` voting servers) vote for
    /// `leader`, a quorum. Its new `state` follows.
    Elected { leader: NodeId, voters: Vec<NodeId>, of: u32 },
    /// A FOLLOWERINFO (OBSERVERINFO if `observer`) from `learner` changed nothing: this
    /// server is `state`, not LEADING.
    LearnerInfoIgnored {
        learner: NodeId,
        state: ServerState,
        #[serde(default, skip_serializing_if = "is_false")]
        observer: bool,
    },
    /// A quorum acknowledged NEWLEADER: this leader's epoch is established.
    LeaderEstablished { epoch: Epoch },
    /// The leader chose how to synchronize a learner.
    Sync { learner: NodeId, mode: SyncMode, zxid: Zxid },
    /// The leader logged a new proposal.
    Proposed { zxid: Zxid, txn: Arc<Txn> },
    /// A quorum of voters acknowledged it (at the leader). `inform`: the ensemble has
    /// observers, which the leader sends INFORM (absent otherwise, and in older traces).
    Committed {
        zxid: Zxid,
        #[serde(default, skip_serializing_if = "is_false")]
        inform: bool,
    },
    /// The server applied the transaction to its tree, in zxid order.
    Delivered { zxid: Zxid, txn: Arc<Txn> },
    /// The log was cut back; `zxid` is the new last zxid, `removed` how many
    /// proposals were cut (absent in traces written before it was recorded).
    Truncated {
        zxid: Zxid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        removed: Option<u64>,
    },
    /// The server replaced its tree by the leader's snapshot at `zxid`.
    Snapshot { zxid: Zxid },
    /// A one-shot watch fired for a client of this server.
    Watch { client: ClientId, kind: WatchEventType, path: String },
    /// This learner's connection to its leader closed: it stops following it and looks
    /// for a leader, to register and be synchronized again.
    LeaderLost { leader: NodeId },
    /// This leader's connection to a learner closed: it forgets the learner until it
    /// registers again.
    LearnerLost { learner: NodeId },
}

/// A Fast Leader Election vote as the trace writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteView {
    pub leader: NodeId,
    pub zxid: Zxid,
    pub peer_epoch: Epoch,
}

impl EventKind for ZabEvent {
    fn kind(&self) -> &'static str {
        match self {
            ZabEvent::State { .. } => "state",
            ZabEvent::Phase { .. } => "phase",
            ZabEvent::Vote { .. } => "vote",
            ZabEvent::LeaderEstablished { .. } => "leader_established",
            ZabEvent::Sync { .. } => "sync",
            ZabEvent::Proposed { .. } => "proposed",
            ZabEvent::Committed { .. } => "committed",
            ZabEvent::Delivered { .. } => "delivered",
            ZabEvent::Truncated { .. } => "truncated",
            ZabEvent::Snapshot { .. } => "snapshot",
            ZabEvent::Watch { .. } => "watch",
            ZabEvent::LeaderLost { .. } => "leader_lost",
            ZabEvent::LearnerLost { .. } => "learner_lost",
            ZabEvent::VoteKept { .. } => "vote_kept",
            ZabEvent::Elected { .. } => "elected",
            ZabEvent::LearnerInfoIgnored { .. } => "learner_info_ignored",
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    /// Read back, a ZAB state is ZAB's even though Multi-Paxos also has `LEADING`.
    #[test]
    fn its_events_read_back_as_its_own() {
        let leading = Event::from(ZabEvent::State { state: ServerState::Leading, epoch: 3 });
        let json = serde_json::to_string(&leading).unwrap();
        assert_eq!(json, r#"{"type":"state","state":"LEADING","epoch":3}"#);
        let back: Event = serde_json::from_str(&json).unwrap();
        assert_eq!(back, leading);
        assert_eq!(back.kind(), "state");
        let cut = r#"{"type":"truncated","zxid":{"epoch":1,"counter":2}}"#;
        assert!(matches!(serde_json::from_str::<Event>(cut).unwrap().get(), Some(ZabEvent::Truncated { .. })));
    }
}
