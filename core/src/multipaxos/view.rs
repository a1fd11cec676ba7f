//! How a Multi-Paxos node looks in a UI: its role as its state (named as its `state`
//! events name it), its ballots and leader, and its slots.

use super::{MultiPaxosNode, Role};
use crate::paxos::view::{ballot_facts, log_rows, ACCEPTOR, LEARNER, PROPOSER};
use crate::types::Instance;
use crate::view::{facts, HistoryEntry, HistoryView, NodeView, StateKind, StateView, Term, Text};
use std::collections::BTreeSet;

const ROUND: Text = Text::new("ballot round", "提案编号轮次");
const FOLLOWING: Term = Term::new("FOLLOWING", "following the leader it knows", "跟随已知的领导者");
const CANDIDATE: Term = Term::new("CANDIDATE", "running phase 1 to become leader", "执行准备阶段以成为领导者");
const LEADING: Term = Term::new("LEADING", "the leader: proposes for every slot", "领导者：为每个槽位提案");

fn state(role: Role) -> StateView {
    match role {
        Role::Follower => StateView { term: FOLLOWING, kind: StateKind::Following },
        Role::Candidate => StateView { term: CANDIDATE, kind: StateKind::Seeking },
        Role::Leader => StateView { term: LEADING, kind: StateKind::Leading },
    }
}

/// The instances it accepted or learned something in.
fn slots(node: &MultiPaxosNode) -> BTreeSet<Instance> {
    node.accepted.keys().chain(node.chosen.keys()).copied().collect()
}

pub fn view(node: &MultiPaxosNode) -> NodeView {
    let mut v = NodeView::new(node.id, state(node.role));
    v.roles = vec![PROPOSER, ACCEPTOR, LEARNER];
    v.leader = node.leader;
    v.facts.extend(ballot_facts(Some(node.ballot), Some(node.promised)));
    v.facts.push(facts::leader(node.leader));
    v.log = log_rows(slots(node).into_iter().map(|slot| {
        let accepted = node.accepted.get(&slot).map(|(b, e)| (*b, &e.value));
        (slot, accepted, node.chosen.get(&slot).map(|e| &e.value))
    }));
    v
}

/// Its slots by instance, grouped by the round of the ballot that accepted each (a
/// value only learned has none); chosen ones are decided.
pub fn history(node: &MultiPaxosNode) -> HistoryView {
    let entries = slots(node).into_iter().map(|slot| {
        let accepted = node.accepted.get(&slot);
        let chosen = node.chosen.get(&slot);
        let value = chosen.or(accepted.map(|(_, e)| e)).map(|e| e.value.to_string()).unwrap_or_default();
        HistoryEntry {
            pos: slot.0,
            label: format!("#{}", slot.0),
            short: slot.0.to_string(),
            group: accepted.map(|(b, _)| b.round),
            done: chosen.is_some(),
            op: value,
        }
    });
    HistoryView { entries: entries.collect(), base: 0, window: None, group_name: Some(ROUND) }
}
