//! The network model: latency, loss, duplication, reordering and partitions.

use crate::types::NodeId;
use serde::{Deserialize, Serialize};

/// Per-link behaviour, the same for every link of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetConfig {
    /// One-way delay, drawn uniformly from `[lo, hi]` for each message.
    pub latency_ms: [u64; 2],
    /// Probability that a message is lost.
    pub drop: f64,
    /// Probability that a message is delivered twice.
    pub duplicate: f64,
    /// Probability that a message is held back by up to `reorder_ms` extra, so that it
    /// overtakes or is overtaken by others.
    pub reorder: f64,
    pub reorder_ms: u64,
    /// Deliver each link's messages in the order they were sent, as TCP does (ZAB
    /// assumes FIFO channels). A lost message still leaves a gap the receiver sees.
    pub fifo: bool,
    /// 0: a duplicate arrives right after the original, in the link's order. Otherwise
    /// it arrives up to this much later than the original, even after messages sent
    /// later (also on FIFO links): a late retransmission.
    #[serde(skip_serializing_if = "is_zero")]
    pub duplicate_late_ms: u64,
    /// How long a write takes to become durable (an fsync), drawn uniformly from
    /// `[lo, hi]` per batch of writes; a node's writes complete in order. `[0, 0]`:
    /// durable at once, and nothing waits.
    #[serde(skip_serializing_if = "is_instant")]
    pub disk_ms: [u64; 2],
}

fn is_instant(v: &[u64; 2]) -> bool {
    *v == [0, 0]
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            latency_ms: [5, 15],
            drop: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_ms: 50,
            fifo: false,
            duplicate_late_ms: 0,
            disk_ms: [0, 0],
        }
    }
}

/// Which nodes can talk to each other. `None` means fully connected.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    groups: Option<Vec<Vec<NodeId>>>,
}

impl Partition {
    pub fn split(&mut self, groups: Vec<Vec<NodeId>>) {
        self.groups = Some(groups);
    }
    pub fn heal(&mut self) {
        self.groups = None;
    }
    pub fn groups(&self) -> Option<&Vec<Vec<NodeId>>> {
        self.groups.as_ref()
    }
    /// Nodes left out of every listed group form one more group of their own.
    fn group_of(&self, n: NodeId) -> Option<usize> {
        self.groups.as_ref().and_then(|gs| gs.iter().position(|g| g.contains(&n)))
    }
    pub fn connected(&self, a: NodeId, b: NodeId) -> bool {
        a == b || self.groups.is_none() || self.group_of(a) == self.group_of(b)
    }
    /// The groups as the network treats them: the listed ones, then those of `nodes`
    /// in none of them as one more; empty when the network is whole. Displays take
    /// this instead of deriving the rule again, so they cannot drift from `connected`.
    pub fn full_groups(&self, nodes: impl IntoIterator<Item = NodeId>) -> Vec<Vec<NodeId>> {
        let Some(groups) = &self.groups else { return Vec::new() };
        let rest: Vec<NodeId> = nodes.into_iter().filter(|n| self.group_of(*n).is_none()).collect();
        let mut all = groups.clone();
        if !rest.is_empty() {
            all.push(rest);
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_groups() {
        let mut p = Partition::default();
        assert!(p.connected(NodeId(1), NodeId(3)));
        p.split(vec![vec![NodeId(1), NodeId(2)], vec![NodeId(3)]]);
        assert!(p.connected(NodeId(1), NodeId(2)));
        assert!(!p.connected(NodeId(1), NodeId(3)));
        assert!(p.connected(NodeId(3), NodeId(3)));
        // 4 and 5 are in no group: together, apart from the others.
        assert!(p.connected(NodeId(4), NodeId(5)));
        assert!(!p.connected(NodeId(4), NodeId(1)));
        p.heal();
        assert!(p.connected(NodeId(1), NodeId(3)));
    }

    #[test]
    fn full_groups_add_the_nodes_in_no_group_as_the_network_connects_them() {
        let mut p = Partition::default();
        let all = || (1..=5).map(NodeId);
        assert!(p.full_groups(all()).is_empty(), "a whole network has no groups");
        let ids = |g: &[u32]| g.iter().copied().map(NodeId).collect::<Vec<_>>();
        p.split(vec![ids(&[1, 2]), ids(&[3])]);
        let groups = p.full_groups(all());
        assert_eq!(groups, vec![ids(&[1, 2]), ids(&[3]), ids(&[4, 5])]);
        for (a, b) in all().flat_map(|a| all().map(move |b| (a, b))) {
            let same = groups.iter().any(|g| g.contains(&a) && g.contains(&b));
            assert_eq!(same, p.connected(a, b), "{a} and {b}");
        }
        // Every node listed: no group is added.
        p.split(vec![ids(&[1, 2, 3]), ids(&[4, 5])]);
        assert_eq!(p.full_groups(all()).len(), 2);
    }
}
