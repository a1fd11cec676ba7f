//! The learner (同步者): counts `Accepted` messages per ballot; a majority for one
//! ballot means its value is chosen.

use super::PaxosEvent;
use super::PaxosNode;
use crate::node::Out;
use crate::types::{majority, Ballot, Instance, NodeId, Value};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Learner {
    /// Acceptors heard from, per ballot.
    #[serde(serialize_with = "crate::types::as_pairs", skip_deserializing)]
    pub accepted: BTreeMap<Ballot, BTreeSet<NodeId>>,
    pub learned: Option<Value>,
}

impl PaxosNode {
    pub(super) fn on_accepted(&mut self, from: NodeId, ballot: Ballot, value: Value, out: &mut Out<Self>) {
        self.on_accepted_as_proposer(from, ballot, &value, out);
        let quorum = majority(self.config.acceptors.len());
        let Some(l) = self.learner.as_mut() else { return };
        let voters = l.accepted.entry(ballot).or_default();
        voters.insert(from);
        if voters.len() >= quorum && l.learned.is_none() {
            l.learned = Some(value.clone());
            let (accepted, of) = (voters.len() as u32, self.config.acceptors.len() as u32);
            out.emit(PaxosEvent::Learned { instance: Instance(0), value: value.clone(), accepted, of });
            self.know_chosen(value, out);
        }
    }
}
