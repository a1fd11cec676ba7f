//! ZooKeeper's atomic broadcast (ZAB) and the znode tree it replicates.

pub mod tree;
