//! The acceptor (表决者): it promises and accepts, and persists both before replying.
//!
//! Rules (Paxos Made Simple §2.2): on `Prepare(n)` with `n` above every ballot it has
//! promised, it promises `n` and reports the value it accepted at its highest ballot
//! (phase 1b). On `Accept(n, v)` it accepts unless it promised a ballot above `n`
//! (phase 2b). Everything else is refused with a `Nack` carrying the promised ballot,
//! so the proposer can pick a higher one.

use super::durable::Saved;
use super::event::{PaxosEvent, Phase};
use super::msg::{AcceptedValue, PaxosDurable, PaxosMsg};
use super::{Buggy, PaxosNode};
use crate::node::Out;
use crate::types::{Ballot, Instance, NodeId, Value};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptor {
    pub promised: Ballot,
    pub accepted: Option<AcceptedValue>,
}

impl Acceptor {
    /// Rebuild from what the records say.
    pub fn restored(saved: &Saved) -> Acceptor {
        Acceptor { promised: saved.promised, accepted: saved.accepted.clone() }
    }
}

impl PaxosNode {
    pub(super) fn on_prepare(&mut self, from: NodeId, ballot: Ballot, out: &mut Out<Self>) {
        let buggy = self.config.settings.buggy;
        let Some(acc) = self.acceptor.as_mut() else { return self.count_stale() };
        if ballot < acc.promised {
            return reject(from, Phase::Prepare, ballot, acc.promised, out);
        }
        if ballot > acc.promised {
            acc.promised = ballot;
            // The forgetful acceptor is the buggy mode that shows why this record exists.
            if buggy != Buggy::ForgetfulAcceptor {
                self.journal.write(PaxosDurable::Promised { ballot }, out);
            }
            out.emit(PaxosEvent::Promised { instance: Instance(0), ballot });
        }
        // Equal ballot: a duplicate Prepare gets the same promise again.
        let accepted = acc.accepted.clone();
        out.send(from, PaxosMsg::Promise { ballot, accepted });
        self.observe_ballot(ballot, out);
    }

    pub(super) fn on_accept(&mut self, from: NodeId, ballot: Ballot, value: Value, out: &mut Out<Self>) {
        let Some(acc) = self.acceptor.as_mut() else { return self.count_stale() };
        if ballot < acc.promised {
            return reject(from, Phase::Accept, ballot, acc.promised, out);
        }
        let again = acc.accepted.as_ref().is_some_and(|a| a.ballot == ballot && a.value == value);
        acc.promised = ballot;
        acc.accepted = Some(AcceptedValue { ballot, value: value.clone() });
        debug_assert!(acc.accepted.as_ref().is_some_and(|a| a.ballot <= acc.promised));
        if !again {
            self.journal.write(PaxosDurable::Accepted { ballot, value: value.clone() }, out);
            out.emit(PaxosEvent::Accepted { instance: Instance(0), ballot, value: value.clone() });
        }
        let msg = PaxosMsg::Accepted { ballot, value };
        // The proposer hears it even when it is no learner.
        if !self.config.learners.contains(&ballot.node) {
            out.send(ballot.node, msg.clone());
        }
        out.broadcast(&self.config.learners, &msg);
        self.observe_ballot(ballot, out);
    }
}

/// Refuse a `phase` message at `ballot`: the proposer learns the ballot to beat.
fn reject(from: NodeId, phase: Phase, ballot: Ballot, promised: Ballot, out: &mut Out<PaxosNode>) {
    out.emit(PaxosEvent::Rejected { instance: Instance(0), phase, ballot, promised });
    out.send(from, PaxosMsg::Nack { ballot, promised });
}
