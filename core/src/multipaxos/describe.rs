//! How Multi-Paxos messages and timers appear in the narration and the web app.

use super::msg::{MultiPaxosMsg, MultiPaxosTimer};
use crate::event::Event;
use crate::wire::Describe;
use std::borrow::Cow;

impl Describe for MultiPaxosMsg {
    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            MultiPaxosMsg::Prepare { .. } => "Prepare",
            MultiPaxosMsg::Promise { .. } => "Promise",
            MultiPaxosMsg::Accept { .. } => "Accept",
            MultiPaxosMsg::Accepted { .. } => "Accepted",
            MultiPaxosMsg::Nack { .. } => "Nack",
            MultiPaxosMsg::Chosen { .. } => "Chosen",
            MultiPaxosMsg::Heartbeat { .. } => "Heartbeat",
            MultiPaxosMsg::CatchUp { .. } => "CatchUp",
            MultiPaxosMsg::Forward { .. } => "Forward",
        })
    }

    /// `Accept(b=2.1, slot 3, "x")`, `Promise(b=2.1, 2 accepted)`.
    fn describe(&self) -> String {
        let fields = match self {
            MultiPaxosMsg::Prepare { ballot, from_slot } => format!("b={ballot}, from slot {}", from_slot.0),
            MultiPaxosMsg::Promise { ballot, accepted } if accepted.is_empty() => format!("b={ballot}"),
            MultiPaxosMsg::Promise { ballot, accepted } => format!("b={ballot}, {} accepted", accepted.len()),
            MultiPaxosMsg::Accept { ballot, slot, entry } => format!("b={ballot}, slot {}, {}", slot.0, entry.value),
            MultiPaxosMsg::Accepted { ballot, slot } => format!("b={ballot}, slot {}", slot.0),
            MultiPaxosMsg::Nack { ballot, promised } => format!("b={ballot}, promised {promised}"),
            MultiPaxosMsg::Chosen { slot, entry } => format!("slot {}, {}", slot.0, entry.value),
            MultiPaxosMsg::Heartbeat { ballot, chosen_upto } => format!("b={ballot}, chosen upto {}", chosen_upto.0),
            MultiPaxosMsg::CatchUp { from_slot } => format!("from slot {}", from_slot.0),
            MultiPaxosMsg::Forward { entry } => entry.value.to_string(),
        };
        format!("{}({fields})", self.name())
    }
}

impl Describe for MultiPaxosTimer {
    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            MultiPaxosTimer::LeaderTimeout => "leader_timeout",
            MultiPaxosTimer::Heartbeat => "heartbeat",
            MultiPaxosTimer::Resend => "resend",
        })
    }

    fn meaning(&self, _after: Option<&[Event]>) -> Option<(&'static str, &'static str)> {
        Some(match self {
            MultiPaxosTimer::LeaderTimeout => {
                ("it heard no leader for too long and will try to lead", "太久没有收到领导者的消息，它将尝试成为领导者")
            }
            MultiPaxosTimer::Heartbeat => ("time for the leader's heartbeat", "领导者发送心跳的时间到了"),
            MultiPaxosTimer::Resend => ("unanswered messages are sent again", "重发尚未得到回应的消息"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multipaxos::Entry;
    use crate::types::{Ballot, Instance, NodeId};

    #[test]
    fn an_accept_names_its_slot_and_a_noop() {
        let m = MultiPaxosMsg::Accept {
            ballot: Ballot { round: 2, node: NodeId(1) },
            slot: Instance(3),
            entry: Entry::noop(),
        };
        assert_eq!(m.describe(), "Accept(b=2.1, slot 3, no-op)");
    }
}
