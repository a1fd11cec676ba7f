//! Basic Paxos: agreeing on one value despite crashes and lost messages.
//!
//! Three roles, and one process may hold several (the course notes' 提案者, 表决者,
//! 同步者): proposers, acceptors, learners.
//!
//! 1. **Prepare (准备阶段).** A proposer picks a ballot `n` and sends `Prepare(n)`.
//!    An acceptor that has promised nothing higher promises `n` and reports the value
//!    it accepted at its highest ballot.
//! 2. **Accept (接受阶段).** With promises from a majority, the proposer sends
//!    `Accept(n, v)`, where `v` is the value reported with the highest ballot, or its
//!    own value if none was reported. An acceptor accepts unless it promised higher.
//! 3. A value accepted by a majority at one ballot is **chosen**; learners find out by
//!    counting `Accepted` messages.
//!
//! Any two majorities share an acceptor, so a later ballot always hears of a value
//! that may have been chosen and carries it forward: that is why at most one value is
//! chosen. Two proposers can still pre-empt each other forever (livelock); the `fix`
//! setting shows two cures. The `buggy` setting removes one rule to show why it exists.

mod acceptor;
mod check;
mod describe;
mod durable;
mod event;
mod learner;
mod msg;
pub(crate) mod narrate;
mod proposer;
pub(crate) mod protocol;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_durable;
pub mod view;

pub use acceptor::Acceptor;
pub use check::PaxosChecker;
pub use durable::{Journal, Saved};
pub use event::{Ignored, PaxosEvent, Phase};
pub use learner::Learner;
pub use msg::{AcceptedValue, PaxosDurable, PaxosMsg, PaxosTimer};
pub use proposer::{Proposer, ProposerPhase};
pub use protocol::PROTOCOL;

use crate::client::{ClientReply, ClientRequest, ErrorCode, ReplyBody};
use crate::node::{Node, Out};
use crate::types::{Instance, NodeId, Time, Value};
use crate::view::NodeView;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How the livelock lab ends a duel of proposers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fix {
    /// Pre-empted proposers retry after a fixed delay: duels can go on forever.
    #[default]
    None,
    /// Only one proposer proposes; the others forward their values to it.
    DistinguishedProposer,
    /// Pre-empted proposers wait a random, growing time before retrying.
    RandomizedBackoff,
}

/// A rule deliberately broken, so the checker can show why it exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Buggy {
    #[default]
    None,
    /// Promises are not persisted: after a restart the acceptor accepts lower ballots.
    ForgetfulAcceptor,
    /// The proposer ignores values reported in promises (breaks rule P2c).
    NoValueAdoption,
}

/// The tunable part of Basic Paxos: the `[paxos]` table of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaxosSettings {
    /// How duels end (the livelock lab).
    pub fix: Fix,
    /// A rule broken on purpose, for the checker to catch.
    pub buggy: Buggy,
    /// Wait before a pre-empted proposer tries again.
    pub retry_ms: [u64; 2],
    /// Randomized back-off: the wait is drawn from `[retry_ms[0], backoff_ms * 2^streak]`,
    /// capped at `backoff_max_ms`.
    pub backoff_ms: u64,
    pub backoff_max_ms: u64,
    /// A phase that makes no progress this long is restarted (lost messages).
    pub progress_ms: [u64; 2],
    /// The distinguished proposer; default: the lowest-numbered proposer.
    pub distinguished: Option<u32>,
    /// A node writes a checkpoint (its whole durable state as one record) after this
    /// many records, so its disk holds a bounded number of them.
    pub checkpoint_every: u64,
}

impl Default for PaxosSettings {
    fn default() -> Self {
        PaxosSettings {
            fix: Fix::None,
            buggy: Buggy::None,
            retry_ms: [0, 0],
            backoff_ms: 20,
            backoff_max_ms: 640,
            progress_ms: [150, 250],
            distinguished: None,
            checkpoint_every: 1_000,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaxosConfig {
    pub proposers: Vec<NodeId>,
    pub acceptors: Vec<NodeId>,
    pub learners: Vec<NodeId>,
    /// The only proposer under `Fix::DistinguishedProposer`.
    pub distinguished: NodeId,
    pub settings: PaxosSettings,
}

impl PaxosConfig {
    /// Every node holds every role; node 1 is the distinguished proposer.
    pub fn all_roles(n: u32) -> PaxosConfig {
        let all: Vec<NodeId> = (1..=n).map(NodeId).collect();
        PaxosConfig {
            proposers: all.clone(),
            acceptors: all.clone(),
            learners: all,
            distinguished: NodeId(1),
            settings: PaxosSettings::default(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct PaxosNode {
    pub id: NodeId,
    #[serde(skip)]
    pub config: Arc<PaxosConfig>,
    pub proposer: Option<Proposer>,
    pub acceptor: Option<Acceptor>,
    pub learner: Option<Learner>,
    /// The chosen value, once this node knows it (as learner or proposer).
    pub chosen: Option<Value>,
    /// Client requests waiting for the outcome.
    pub pending: Vec<ClientRequest>,
    /// A value handed to the distinguished proposer, re-sent until chosen.
    pub forwarded: Option<Value>,
    /// What this node wrote, for its checkpoints.
    pub journal: Journal,
    /// Stale or unexpected messages ignored.
    pub stale: u64,
}

impl PaxosNode {
    /// A node as configured, rebuilt from `records` (empty at first start).
    pub fn new(id: NodeId, config: Arc<PaxosConfig>, records: &[PaxosDurable]) -> PaxosNode {
        let journal = Journal::recover(records);
        PaxosNode {
            id,
            proposer: config.proposers.contains(&id).then(|| Proposer::restored(&journal.saved)),
            acceptor: config.acceptors.contains(&id).then(|| Acceptor::restored(&journal.saved)),
            journal,
            learner: config.learners.contains(&id).then(Learner::default),
            config,
            chosen: None,
            pending: Vec::new(),
            forwarded: None,
            stale: 0,
        }
    }

    fn count_stale(&mut self) {
        self.stale += 1;
    }

    /// Whether this node should run phase 1 itself for a new value.
    fn proposes_itself(&self) -> bool {
        self.proposer.is_some()
            && (self.config.settings.fix != Fix::DistinguishedProposer || self.id == self.config.distinguished)
    }

    fn forward(&mut self, value: Value, out: &mut Out<Self>) {
        let to = self.config.distinguished;
        let progress_ms = self.config.settings.progress_ms;
        self.forwarded = Some(value.clone());
        out.emit(PaxosEvent::Forwarded { value: value.clone(), to });
        out.send(to, PaxosMsg::Forward { value });
        out.set_timer(PaxosTimer::Progress, progress_ms[0]..=progress_ms[1]);
    }

    fn know_chosen(&mut self, value: Value, out: &mut Out<Self>) {
        if self.chosen.is_some() {
            return;
        }
        self.chosen = Some(value.clone());
        self.forwarded = None;
        if let Some(p) = self.proposer.as_mut() {
            p.phase = ProposerPhase::Done;
        }
        out.cancel_timer(PaxosTimer::Progress);
        out.cancel_timer(PaxosTimer::Retry);
        for req in std::mem::take(&mut self.pending) {
            out.reply(ClientReply::ok(&req, ReplyBody::Chosen { instance: Instance(0), value: value.clone() }));
        }
    }

    fn dispatch(&mut self, from: NodeId, msg: PaxosMsg, out: &mut Out<Self>) {
        match msg {
            PaxosMsg::Prepare { ballot } => self.on_prepare(from, ballot, out),
            PaxosMsg::Promise { ballot, accepted } => self.on_promise(from, ballot, accepted, out),
            PaxosMsg::Accept { ballot, value } => self.on_accept(from, ballot, value, out),
            PaxosMsg::Accepted { ballot, value } => self.on_accepted(from, ballot, value, out),
            PaxosMsg::Nack { ballot, promised } => self.on_nack(ballot, promised, out),
            PaxosMsg::Forward { value } if self.proposes_itself() => self.propose(value, out),
            PaxosMsg::Forward { .. } => self.count_stale(),
        }
    }

    fn client_request(&mut self, req: ClientRequest, out: &mut Out<Self>) {
        let Some(value) = req.op.proposed_value().map(str::to_string) else {
            out.reply(ClientReply::error(&req, ErrorCode::BadArguments, "Paxos serves `propose` only"));
            return;
        };
        if let Some(chosen) = self.chosen.clone() {
            out.reply(ClientReply::ok(&req, ReplyBody::Chosen { instance: Instance(0), value: chosen }));
            return;
        }
        self.pending.push(req);
        let value = Value::data(value);
        if self.proposes_itself() {
            self.propose(value, out);
        } else if self.forwarded.is_none() {
            self.forward(value, out);
        }
    }

    /// After a handler's writes, so the checkpoint reflects them.
    fn maybe_checkpoint(&mut self, out: &mut Out<Self>) {
        self.journal.maybe_checkpoint(self.config.settings.checkpoint_every, out);
    }
}

impl Node for PaxosNode {
    type Msg = PaxosMsg;
    type Timer = PaxosTimer;
    type Durable = PaxosDurable;
    type Checker = PaxosChecker;

    fn on_start(&mut self, _now: Time, _out: &mut Out<Self>) {}

    fn on_message(&mut self, _now: Time, from: NodeId, msg: PaxosMsg, out: &mut Out<Self>) {
        self.dispatch(from, msg, out);
        self.maybe_checkpoint(out);
    }

    fn on_timer(&mut self, _now: Time, timer: PaxosTimer, out: &mut Out<Self>) {
        if self.chosen.is_none() {
            match timer {
                PaxosTimer::Retry => self.start_prepare(out),
                PaxosTimer::Progress => match self.forwarded.clone() {
                    Some(v) => self.forward(v, out),
                    None => self.start_prepare(out),
                },
            }
        }
        self.maybe_checkpoint(out);
    }

    fn on_request(&mut self, _now: Time, req: ClientRequest, out: &mut Out<Self>) {
        self.client_request(req, out);
        self.maybe_checkpoint(out);
    }

    fn is_checkpoint(record: &PaxosDurable) -> bool {
        matches!(record, PaxosDurable::Checkpoint { .. })
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }
}
