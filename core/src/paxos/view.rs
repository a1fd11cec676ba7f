//! How a Paxos node looks in a UI: its proposer's phase as its state, its ballots, and
//! its one instance. Multi-Paxos shares the ballot facts and the log rows.

use super::proposer::ProposerPhase;
use super::PaxosNode;
use crate::types::{Ballot, Instance, Value};
use crate::view::{Fact, LogRow, LogView, NodeView, StateKind, StateView, Term, Text};

pub const PROPOSER: Text = Text::new("proposer", "提案者");
pub const ACCEPTOR: Text = Text::new("acceptor", "表决者");
pub const LEARNER: Text = Text::new("learner", "同步者");
const BALLOT: Text = Text::new("ballot", "提案编号");
const PROMISED: Text = Text::new("promised", "已承诺");
const COLUMNS: [Text; 3] = [Text::new("#", "#"), Text::new("accepted", "已接受"), Text::new("chosen", "被选定")];

const IDLE: Term = Term::new("IDLE", "nothing to propose", "无提案");
const PREPARING: Term = Term::new("PREPARING", "phase 1: asking for promises", "准备阶段：请求承诺");
const ACCEPTING: Term = Term::new("ACCEPTING", "phase 2: asking acceptors to accept", "接受阶段：请求接受");
const WAITING: Term = Term::new("WAITING", "pre-empted: waiting to try again", "被抢占：等待重试");
const DONE: Term = Term::new("DONE", "its value is chosen", "提案已被选定");
const CHOSEN: Term = Term::new("CHOSEN", "knows the chosen value", "已获知被选定的值");
const PROMISED_STATE: Term = Term::new(
    "PROMISED",
    "acceptor: promised a ballot, accepted nothing yet",
    "表决者：已承诺某个提案编号，尚未接受任何值",
);
const ACCEPTED_STATE: Term = Term::new(
    "ACCEPTED",
    "acceptor: accepted a value, not yet known to be chosen",
    "表决者：已接受一个值，尚不知它是否被选定",
);

fn state(node: &PaxosNode) -> StateView {
    let (term, kind) = match (&node.chosen, node.proposer.as_ref().map(|p| p.phase)) {
        (Some(_), _) => (CHOSEN, StateKind::Done),
        (None, None | Some(ProposerPhase::Idle)) => acceptor_state(node),
        (None, Some(ProposerPhase::Preparing)) => (PREPARING, StateKind::Seeking),
        (None, Some(ProposerPhase::Accepting)) => (ACCEPTING, StateKind::Accepting),
        (None, Some(ProposerPhase::Waiting)) => (WAITING, StateKind::Waiting),
        (None, Some(ProposerPhase::Done)) => (DONE, StateKind::Done),
    };
    StateView { term, kind }
}

/// A node whose proposer has nothing to do shows what its acceptor did: an acceptor that
/// promised or accepted is not idle.
fn acceptor_state(node: &PaxosNode) -> (Term, StateKind) {
    match node.acceptor.as_ref() {
        Some(a) if a.accepted.is_some() => (ACCEPTED_STATE, StateKind::Following),
        Some(a) if !a.promised.is_zero() => (PROMISED_STATE, StateKind::Following),
        _ => (IDLE, StateKind::Idle),
    }
}

/// `ballot` and `promised`, `–` for none yet.
pub fn ballot_facts(ballot: Option<Ballot>, promised: Option<Ballot>) -> [Fact; 2] {
    let text = |b: Option<Ballot>| b.filter(|b| !b.is_zero()).map(|b| b.to_string()).unwrap_or_else(|| "–".into());
    [Fact::code("ballot", BALLOT, text(ballot)), Fact::code("promised", PROMISED, text(promised))]
}

/// Instances that accepted or learned something, as `#i`, `v @ ballot`, `✔ v` rows.
pub fn log_rows<'a>(
    slots: impl Iterator<Item = (Instance, Option<(Ballot, &'a Value)>, Option<&'a Value>)>,
) -> LogView {
    let rows: Vec<LogRow> = slots
        .filter(|(_, accepted, chosen)| accepted.is_some() || chosen.is_some())
        .map(|(i, accepted, chosen)| LogRow {
            cells: vec![
                format!("#{}", i.0),
                accepted.map(|(b, v)| format!("{v} @ {b}")).unwrap_or_else(|| "–".into()),
                chosen.map(|v| format!("✔ {v}")).unwrap_or_else(|| "–".into()),
            ],
            done: chosen.is_some(),
        })
        .collect();
    LogView { columns: COLUMNS.to_vec(), total: rows.len(), rows }
}

pub fn view(node: &PaxosNode) -> NodeView {
    let mut v = NodeView::new(node.id, state(node));
    let held =
        [(node.proposer.is_some(), PROPOSER), (node.acceptor.is_some(), ACCEPTOR), (node.learner.is_some(), LEARNER)];
    v.roles = held.into_iter().filter(|(has, _)| *has).map(|(_, role)| role).collect();
    let promised = node.acceptor.as_ref().map(|a| a.promised);
    v.facts.extend(ballot_facts(node.proposer.as_ref().map(|p| p.ballot), promised));
    let accepted = node.acceptor.as_ref().and_then(|a| a.accepted.as_ref()).map(|a| (a.ballot, &a.value));
    v.log = log_rows(std::iter::once((Instance(0), accepted, node.chosen.as_ref())));
    v
}
