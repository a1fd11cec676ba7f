//! A digest of the replicated state, to check cheaply that two servers agree.
//!
//! ZooKeeper (3.6+) keeps a digest of its tree and logs a mismatch between servers; we use
//! one the same way, in tests and in the checker. It is FNV-1a 64 (simple, no dependency,
//! the same in native and wasm) over a canonical byte stream of the nodes in path order
//! (path, data, every stat field) and the sessions in id order. Strings are
//! length-prefixed so that different trees cannot produce the same stream.
//!
//! Left out on purpose: watches (each server has its own), `last_zxid` (a failed txn
//! advances it without changing the tree), and the children sets and ephemeral index
//! (both follow from the paths and stats).

use super::{DataTree, Stat};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a, 64 bits, fed field by field.
struct Fnv(u64);

impl Fnv {
    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
    fn stat(&mut self, s: &Stat) {
        for v in [s.czxid.0, s.mzxid.0, s.pzxid.0, s.ctime_ms, s.mtime_ms] {
            self.u64(v);
        }
        self.bytes(&s.version.to_le_bytes());
        self.bytes(&s.cversion.to_le_bytes());
        match s.ephemeral_owner {
            None => self.bytes(&[0]),
            Some(owner) => {
                self.bytes(&[1]);
                self.u64(owner.0);
            }
        }
        self.bytes(&s.data_length.to_le_bytes());
        self.bytes(&s.num_children.to_le_bytes());
    }
}

pub(super) fn digest(tree: &DataTree) -> String {
    let mut h = Fnv(FNV_OFFSET);
    h.u64(tree.nodes.len() as u64);
    for (path, node) in &tree.nodes {
        h.str(path);
        h.str(&node.data);
        h.stat(&node.stat);
    }
    h.u64(tree.sessions.len() as u64);
    for (session, info) in &tree.sessions {
        h.u64(session.0);
        h.u64(info.timeout_ms);
    }
    format!("{:016x}", h.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        // From the FNV reference test suite: "" and "a".
        let mut h = Fnv(FNV_OFFSET);
        assert_eq!(h.0, 0xcbf29ce484222325);
        h.bytes(b"a");
        assert_eq!(h.0, 0xaf63dc4c8601ec8c);
    }
}
