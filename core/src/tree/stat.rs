//! A znode and its `Stat`: the bookkeeping ZooKeeper keeps beside every node's data.
//!
//! Every field of `Stat` answers a question a client may ask without reading the data:
//!
//! | field | meaning | changed by |
//! |---|---|---|
//! | `czxid` | zxid of the create | never again |
//! | `mzxid` | zxid of the last change of the data | create, set |
//! | `pzxid` | zxid of the last change of the children list | create, a child's create or delete |
//! | `ctime_ms`, `mtime_ms` | leader's time of the create / last set | create, set |
//! | `version` | number of sets of the data | set (+1) |
//! | `cversion` | number of changes to the children list | a child's create or delete (+1) |
//! | `ephemeral_owner` | the session that owns an ephemeral node | never again |
//! | `data_length`, `num_children` | sizes, in bytes and in children | set; child create, delete |
//!
//! Versions make optimistic concurrency: "set this data only if the version is still 4"
//! fails with `BadVersion` if someone else wrote in between. The zxids order changes
//! across the whole tree: a node with a larger `mzxid` was written later.
//!
//! The times come from the transaction (the leader's clock when it proposed it), never
//! from the server applying it, so every server stores the same `ctime` and `mtime`.

use crate::types::{SessionId, Zxid};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The metadata of a znode, as a client sees it (ZooKeeper's `Stat`; `aversion` is left
/// out because Ensemble has no ACLs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stat {
    pub czxid: Zxid,
    pub mzxid: Zxid,
    pub pzxid: Zxid,
    pub ctime_ms: u64,
    pub mtime_ms: u64,
    pub version: i32,
    pub cversion: i32,
    pub ephemeral_owner: Option<SessionId>,
    pub data_length: u32,
    pub num_children: u32,
}

impl Stat {
    /// How many children were ever created under this node: the counter a sequential
    /// child is numbered with.
    ///
    /// ZooKeeper stores this count as its internal `cversion` and shows clients
    /// `2 * creates - num_children` (`DataNode.copyStat`), which is creates plus deletes.
    /// We store the shown value, so the count is `(cversion + num_children) / 2`. That is
    /// why, after `n-0000000000` and `n-0000000001` and a delete, the next sequential
    /// child is `n-0000000002`: deletes never make ZooKeeper skip a number.
    pub fn child_creations(&self) -> i32 {
        let creates_and_deletes = i64::from(self.cversion);
        let creates_minus_deletes = i64::from(self.num_children);
        // Wraps like ZooKeeper's `int` after 2^31 creates, instead of panicking.
        ((creates_and_deletes + creates_minus_deletes) / 2) as i32
    }

    /// True for an ephemeral node, which lives only as long as its session.
    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral_owner.is_some()
    }
}

/// A node of the tree: its data, its `Stat` and the names of its children.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Znode {
    pub data: String,
    pub stat: Stat,
    /// Child names (not paths), kept sorted so `get_children` is deterministic. The
    /// tree keeps it in step with `stat.num_children`; hence not `pub`.
    pub(super) children: BTreeSet<String>,
}

impl Znode {
    /// A fresh node created by the transaction `zxid` at `time_ms`.
    pub(super) fn new(data: String, zxid: Zxid, time_ms: u64, ephemeral_owner: Option<SessionId>) -> Znode {
        let stat = Stat {
            czxid: zxid,
            mzxid: zxid,
            pzxid: zxid,
            ctime_ms: time_ms,
            mtime_ms: time_ms,
            version: 0,
            cversion: 0,
            ephemeral_owner,
            data_length: data_len(&data),
            num_children: 0,
        };
        Znode { data, stat, children: BTreeSet::new() }
    }

    /// The root `/`: it exists before any transaction, so all its zxids are zero.
    pub(super) fn root() -> Znode {
        Znode { data: String::new(), stat: Stat::default(), children: BTreeSet::new() }
    }

    /// The names of the children, sorted.
    pub fn children(&self) -> &BTreeSet<String> {
        &self.children
    }

    /// Record a change of the children list made by transaction `zxid`.
    pub(super) fn children_changed(&mut self, zxid: Zxid) {
        self.stat.cversion = self.stat.cversion.wrapping_add(1);
        self.stat.pzxid = zxid;
        self.stat.num_children = u32::try_from(self.children.len()).unwrap_or(u32::MAX);
    }
}

/// The length of the data in bytes (UTF-8), as ZooKeeper's `dataLength` counts bytes.
pub(super) fn data_len(data: &str) -> u32 {
    u32::try_from(data.len()).unwrap_or(u32::MAX)
}
