//! Random transaction sequences: the tree's invariants hold after every txn, a failed txn
//! leaves the digest unchanged, and the tree survives a JSON round trip.

use super::tests::Run;
use super::*;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// A small alphabet of paths, so that random ops collide (exists, missing parent, ...).
fn any_path() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["/", "/a", "/b", "/a/x", "/a/y", "/b/x", "/a/x/z", "/a/", "bad"]).prop_map(String::from)
}

fn any_op() -> impl Strategy<Value = Txn> {
    let version = prop::option::of(0..3i32);
    let session = (1..4u64).prop_map(SessionId);
    prop_oneof![
        (any_path(), any::<bool>(), any::<bool>(), session).prop_map(|(path, ephemeral, sequential, session)| {
            Txn::Create { path, data: "d".into(), ephemeral, sequential, session }
        }),
        (any_path(), version.clone()).prop_map(|(path, version)| Txn::Delete { path, version }),
        (any_path(), version.clone()).prop_map(|(path, version)| Txn::SetData { path, data: "e".into(), version }),
        (any_path(), version).prop_map(|(path, version)| Txn::Check { path, version }),
    ]
}

fn any_txn() -> impl Strategy<Value = Txn> {
    let session = (1..4u64).prop_map(SessionId);
    prop_oneof![
        4 => any_op(),
        1 => session.clone().prop_map(|session| Txn::CreateSession { session, timeout_ms: 5000 }),
        1 => session.prop_map(|session| Txn::CloseSession { session }),
        2 => prop::collection::vec(any_op(), 0..4).prop_map(|ops| Txn::Multi { ops }),
    ]
}

/// The structural invariants a correct tree keeps, whatever was applied.
fn check_invariants(t: &DataTree) {
    let mut ephemerals: BTreeMap<SessionId, BTreeSet<String>> = BTreeMap::new();
    for (path, node) in &t.nodes {
        let expected: BTreeSet<String> = t
            .nodes
            .keys()
            .filter(|p| p.as_str() != "/" && path::split(p).0 == path)
            .map(|p| path::split(p).1.to_string())
            .collect();
        assert_eq!(node.children, expected, "children of {path}");
        assert_eq!(node.stat.num_children as usize, node.children.len(), "num_children of {path}");
        assert_eq!((node.stat.cversion + node.stat.num_children as i32) % 2, 0, "cversion of {path}");
        if let Some(owner) = node.stat.ephemeral_owner {
            assert!(node.children.is_empty(), "ephemeral {path} has children");
            assert!(t.sessions.contains_key(&owner), "{path} outlived its session");
            ephemerals.entry(owner).or_default().insert(path.clone());
        }
    }
    assert_eq!(t.ephemerals, ephemerals);
}

proptest! {
    #[test]
    fn invariants_hold_and_failures_change_nothing(txns in prop::collection::vec(any_txn(), 1..40)) {
        let mut r = Run::new();
        for txn in txns {
            let before = r.tree.digest();
            let result = r.ok(txn.clone());
            check_invariants(&r.tree);
            if !result.is_ok() {
                prop_assert_eq!(r.tree.digest(), before, "failed {:?} changed the tree", txn);
            }
        }
        let json = serde_json::to_string(&r.tree).unwrap();
        prop_assert_eq!(serde_json::from_str::<DataTree>(&json).unwrap(), r.tree);
    }
}
