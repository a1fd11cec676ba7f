//! The Multi-Paxos acceptor: one promise covers every slot from `from_slot` on, and
//! each slot keeps its own accepted value.

use super::msg::{Entry, MultiPaxosDurable, MultiPaxosMsg, SlotValue};
use super::MultiPaxosNode;
use crate::node::Out;
use crate::paxos::{PaxosEvent, Phase};
use crate::types::{Ballot, Instance, NodeId};

impl MultiPaxosNode {
    pub(super) fn on_prepare(&mut self, from: NodeId, ballot: Ballot, from_slot: Instance, out: &mut Out<Self>) {
        if ballot < self.promised {
            self.reject(from, from_slot, Phase::Prepare, ballot, out);
            return;
        }
        if ballot > self.promised {
            self.promised = ballot;
            self.write(MultiPaxosDurable::Promised { ballot }, out);
            out.emit(PaxosEvent::Promised { instance: from_slot, ballot });
        }
        let accepted = self
            .accepted
            .range(from_slot..)
            .map(|(slot, (b, entry))| SlotValue { slot: *slot, ballot: *b, entry: entry.clone() })
            .collect();
        out.send(from, MultiPaxosMsg::Promise { ballot, accepted });
        self.heard_ballot(ballot, out);
    }

    pub(super) fn on_accept(
        &mut self,
        from: NodeId,
        ballot: Ballot,
        slot: Instance,
        entry: Entry,
        out: &mut Out<Self>,
    ) {
        if ballot < self.promised {
            self.reject(from, slot, Phase::Accept, ballot, out);
            return;
        }
        let again = self.accepted.get(&slot).is_some_and(|(b, e)| *b == ballot && *e == entry);
        self.promised = ballot;
        if !again {
            self.accepted.insert(slot, (ballot, entry.clone()));
            self.write(MultiPaxosDurable::Accepted { slot, ballot, entry: entry.clone() }, out);
            out.emit(PaxosEvent::Accepted { instance: slot, ballot, value: entry.value });
        }
        out.send(from, MultiPaxosMsg::Accepted { ballot, slot });
        self.heard_ballot(ballot, out);
        self.follow(ballot, out);
    }

    fn reject(&mut self, from: NodeId, instance: Instance, phase: Phase, ballot: Ballot, out: &mut Out<Self>) {
        let promised = self.promised;
        out.emit(PaxosEvent::Rejected { instance, phase, ballot, promised });
        out.send(from, MultiPaxosMsg::Nack { ballot, promised });
    }
}
