//! Typed views for the web app's ZAB panels: a server's Fast Leader Election vote table
//! and its znode tree, with what differs from the other servers' trees. The web app
//! draws these as they are, so it never reads a node's fields out of JSON.

use super::msg::ServerState;
pub use super::narrate_vote::{deciding_field, VoteField};
use super::{VoteView, ZabNode};
use crate::sim::{DynSim, Sim};
use crate::tree::{Stat, WatchKind};
use crate::types::{NodeId, SessionId, Zxid};
use std::collections::BTreeSet;

/// The ZAB servers behind a simulation, in id order; `None` if it runs another protocol.
pub fn servers(sim: &dyn DynSim) -> Option<Vec<&ZabNode>> {
    let sim = sim.as_any().downcast_ref::<Sim<ZabNode>>()?;
    Some((1..=sim.node_count()).map(|i| sim.node(NodeId(i))).collect())
}

/// How a received vote compares with the vote the server holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Versus {
    /// The first field, in the order compared, in which the two votes differ.
    pub field: VoteField,
    /// The received vote beats the held one (it would have been adopted).
    pub higher: bool,
}

/// One vote a server has counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteRow {
    pub from: NodeId,
    pub vote: VoteView,
    /// From a server already FOLLOWING or LEADING (`outofelection`), not this round's.
    pub out_of_election: bool,
    /// The sender told this server it leads (`checkLeader`).
    pub leading: bool,
    /// Against the held vote; `None` if the server holds none.
    pub versus: Option<Versus>,
}

/// A server's election as FLE counts it: its round, the vote it holds, and the votes it
/// received (this round's `recvset`, then `outofelection`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteTable {
    pub node: NodeId,
    pub state: ServerState,
    pub round: u64,
    pub own: Option<VoteView>,
    pub rows: Vec<VoteRow>,
    /// This round's voters whose vote equals the held one, and how many make a quorum.
    pub agreeing: usize,
    pub quorum: usize,
}

/// `node`'s vote table.
pub fn vote_table(node: &ZabNode) -> VoteTable {
    let e = &node.election;
    let own: Option<VoteView> = e.vote.map(Into::into);
    let row = |(from, v): (&NodeId, &super::Vote), out_of_election: bool| {
        let vote: VoteView = (*v).into();
        let versus = e.vote.map(|held| Versus { field: deciding_field(&vote, &held.into()), higher: v.beats(&held) });
        VoteRow { from: *from, vote, out_of_election, leading: e.leading.contains(from), versus }
    };
    let mut rows: Vec<VoteRow> = e.received.iter().map(|r| row(r, false)).collect();
    rows.extend(e.out_of_election.iter().map(|r| row(r, true)));
    let voters = &node.config.voters;
    let agreeing = e.received.iter().filter(|(n, v)| voters.contains(n) && Some(**v) == e.vote).count();
    VoteTable { node: node.id, state: node.state, round: e.round, own, rows, agreeing, quorum: node.quorum() }
}

/// A znode as one server holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZnodeFacts {
    pub data: String,
    pub stat: Stat,
    /// The sessions watching it, by the kind of read that left the watch (this server's
    /// watches only: they are not replicated).
    pub watches: Vec<(WatchKind, Vec<SessionId>)>,
}

/// How another server's copy of a path differs from this server's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Difference {
    /// The other server has the path; this one does not.
    Missing,
    /// This server has the path; the other does not.
    Extra,
    /// Both have it with different data.
    Data,
    /// Same data, different `Stat` (version, mzxid...).
    Stat,
}

/// One path of the union of every server's tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZnodeRow {
    pub path: String,
    /// `None`: this server lacks the path (another server has it).
    pub here: Option<ZnodeFacts>,
    /// The servers whose copy differs, and how; empty if all agree.
    pub differs: Vec<(NodeId, Difference)>,
}

/// One server's tree beside the others'.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeView {
    pub node: NodeId,
    /// The last transaction the tree applied.
    pub last_zxid: Zxid,
    pub rows: Vec<ZnodeRow>,
}

const KINDS: [WatchKind; 3] = [WatchKind::Data, WatchKind::Exists, WatchKind::Children];

fn facts(node: &ZabNode, path: &str) -> Option<ZnodeFacts> {
    let z = node.tree.node(path)?;
    let w = node.tree.watches();
    let watches = KINDS.iter().map(|k| (*k, w.watchers(*k, path))).filter(|(_, s)| !s.is_empty()).collect();
    Some(ZnodeFacts { data: z.data.clone(), stat: z.stat, watches })
}

fn difference(here: Option<&ZnodeFacts>, there: Option<&ZnodeFacts>) -> Option<Difference> {
    match (here, there) {
        (None, None) => None,
        (None, Some(_)) => Some(Difference::Missing),
        (Some(_), None) => Some(Difference::Extra),
        (Some(a), Some(b)) if a.data != b.data => Some(Difference::Data),
        (Some(a), Some(b)) if a.stat != b.stat => Some(Difference::Stat),
        _ => None,
    }
}

/// Server `id`'s tree, every path any of `servers` holds, each marked with the servers
/// whose copy differs. A crashed server is compared with the tree it held when it
/// crashed: what it would come back with.
pub fn tree_view(servers: &[&ZabNode], id: NodeId) -> Option<TreeView> {
    let me = servers.iter().find(|n| n.id == id)?;
    let paths: BTreeSet<&str> = servers.iter().flat_map(|n| n.tree.nodes().map(|(p, _)| p)).collect();
    let rows = paths.into_iter().map(|path| {
        let here = facts(me, path);
        let differs = (servers.iter().filter(|n| n.id != id))
            .filter_map(|n| Some((n.id, difference(here.as_ref(), facts(n, path).as_ref())?)))
            .collect();
        ZnodeRow { path: path.to_string(), here, differs }
    });
    Some(TreeView { node: id, last_zxid: me.tree.last_zxid(), rows: rows.collect() })
}
