//! A protocol-independent handle on a running simulation, for the CLI and the web app.

use super::{Intervention, InterventionError, Invariants, Pending, Sim, TraceEntry, Violation};
use crate::node::Node;
use crate::types::{Instance, NodeId, Time, Value};
use crate::view::{HistoryView, NodeView};
use crate::wire::Wire;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A message on the wire, as a UI draws it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    pub msg_id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at_ms: u64,
    pub deliver_at_ms: u64,
    pub msg: Wire,
    /// The network will lose it (decided when it was sent).
    pub lost: bool,
    /// It crosses a partition and will be dropped.
    pub cut: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimerView {
    pub node: NodeId,
    pub timer: Wire,
    pub at_ms: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub steps: u64,
    pub sent: u64,
    pub delivered: u64,
    pub dropped: u64,
    pub duplicated: u64,
}

/// Object-safe view of `Sim<N>` for any protocol `N`.
pub trait DynSim {
    fn step(&mut self) -> Option<TraceEntry>;
    fn intervene(&mut self, iv: &Intervention) -> Result<TraceEntry, InterventionError>;
    fn steps(&self) -> u64;
    fn now(&self) -> Time;
    fn next_time(&self) -> Option<Time>;
    fn views(&self) -> Vec<NodeView>;
    /// Every field of node `id`, as JSON, for an inspector panel: made on demand, not
    /// with every view. `None` for a node that does not exist.
    fn inspect(&self, id: NodeId) -> Option<serde_json::Value>;
    /// Node `id`'s whole history (`Node::history`), on demand. `None` for no such node.
    fn history(&self, id: NodeId) -> Option<HistoryView>;
    /// Whether the step recorded in `entry` may have cut its node's history from the top
    /// (`Node::cuts_history`).
    fn cuts_history(&self, entry: &TraceEntry) -> bool;
    fn in_flight(&self) -> Vec<InFlight>;
    fn timers(&self) -> Vec<TimerView>;
    fn chosen(&self) -> BTreeMap<Instance, Value>;
    fn violations(&self) -> Vec<Violation>;
    /// The leader established in each epoch so far (protocols with epochs).
    fn leaders(&self) -> BTreeMap<crate::types::Epoch, NodeId>;
    fn stats(&self) -> Stats;
    /// The current partition's groups, the nodes in no listed group as one more
    /// ([`Partition::full_groups`](super::Partition::full_groups)); empty if none.
    fn partition(&self) -> Vec<Vec<NodeId>>;
    fn set_tracing(&mut self, on: bool);
    /// The concrete `Sim<N>`, for a protocol's own panels (`zab::panels::servers`) that
    /// need its typed nodes: the one way past this trait, kept to a protocol's module
    /// (which knows its `N`) so generic code stays protocol-neutral, and typed where
    /// `inspect`'s JSON is not.
    fn as_any(&self) -> &dyn std::any::Any;
    fn box_clone(&self) -> Box<dyn DynSim>;
}

impl Clone for Box<dyn DynSim> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}

impl<N: Node + 'static> DynSim for Sim<N> {
    fn step(&mut self) -> Option<TraceEntry> {
        Sim::step(self)
    }
    fn intervene(&mut self, iv: &Intervention) -> Result<TraceEntry, InterventionError> {
        Sim::intervene(self, iv)
    }
    fn steps(&self) -> u64 {
        self.steps
    }
    fn now(&self) -> Time {
        self.now
    }
    fn next_time(&self) -> Option<Time> {
        Sim::next_time(self)
    }
    fn views(&self) -> Vec<NodeView> {
        self.nodes
            .iter()
            .map(|s| {
                let mut v = s.node.view();
                v.up = s.up;
                v.is_leader = s.up && s.node.is_leader();
                v
            })
            .collect()
    }
    fn inspect(&self, id: NodeId) -> Option<serde_json::Value> {
        let slot = self.nodes.get((id.0 as usize).checked_sub(1)?)?;
        // Our node types are plain data: serializing them cannot fail.
        Some(serde_json::to_value(&slot.node).expect("nodes serialize"))
    }
    fn history(&self, id: NodeId) -> Option<HistoryView> {
        Some(self.nodes.get((id.0 as usize).checked_sub(1)?)?.node.history())
    }
    fn cuts_history(&self, entry: &TraceEntry) -> bool {
        entry.events.iter().any(N::cuts_history)
    }
    fn in_flight(&self) -> Vec<InFlight> {
        self.queue
            .iter()
            .filter_map(|((at, _), p)| match p {
                Pending::Msg(m) => Some(InFlight {
                    msg_id: m.id,
                    from: m.from,
                    to: m.to,
                    sent_at_ms: m.sent_at.ms(),
                    deliver_at_ms: at.ms(),
                    msg: super::wire(&m.msg),
                    lost: m.lost,
                    cut: m.cut || !self.partition.connected(m.from, m.to),
                }),
                _ => None,
            })
            .collect()
    }
    fn timers(&self) -> Vec<TimerView> {
        self.queue
            .iter()
            .filter_map(|((at, _), p)| match p {
                Pending::Timer { node, timer } => {
                    Some(TimerView { node: *node, timer: Wire::new(*timer), at_ms: at.ms() })
                }
                _ => None,
            })
            .collect()
    }
    fn chosen(&self) -> BTreeMap<Instance, Value> {
        self.checker.invariants().chosen()
    }
    fn violations(&self) -> Vec<Violation> {
        self.checker.violations().to_vec()
    }
    fn leaders(&self) -> BTreeMap<crate::types::Epoch, NodeId> {
        self.checker.invariants().leaders()
    }
    fn stats(&self) -> super::Stats {
        self.stats
    }
    fn partition(&self) -> Vec<Vec<NodeId>> {
        self.partition.full_groups((1..=self.node_count()).map(NodeId))
    }
    fn set_tracing(&mut self, on: bool) {
        Sim::set_tracing(self, on)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn box_clone(&self) -> Box<dyn DynSim> {
        Box::new(self.clone())
    }
}
