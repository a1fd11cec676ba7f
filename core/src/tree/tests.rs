//! The tree's operations, errors, stats, multi, digest, snapshot and JSON.

use super::*;
use crate::types::Epoch;

/// A tree fed with zxids 0x100000001, 0x100000002, ... and times 1001, 1002, ... ms.
pub(super) struct Run {
    pub tree: DataTree,
    pub counter: u32,
}

impl Run {
    pub fn new() -> Run {
        Run { tree: DataTree::new(), counter: 0 }
    }
    pub fn apply(&mut self, txn: Txn) -> (TxnResult, Vec<WatchEvent>) {
        self.counter += 1;
        self.tree.apply(zxid(self.counter), 1000 + u64::from(self.counter), &txn)
    }
    /// Apply and return only the result.
    pub fn ok(&mut self, txn: Txn) -> TxnResult {
        self.apply(txn).0
    }
    pub fn err(&mut self, txn: Txn) -> Option<ZkError> {
        self.apply(txn).0.error()
    }
}

pub(super) const S1: SessionId = SessionId(1);
pub(super) const S2: SessionId = SessionId(2);
pub(super) const S3: SessionId = SessionId(3);

pub(super) fn zxid(counter: u32) -> Zxid {
    Zxid::new(Epoch(1), counter)
}
pub(super) fn create(path: &str, data: &str) -> Txn {
    Txn::create(path, data, S1)
}
pub(super) fn ephemeral(path: &str, session: SessionId) -> Txn {
    Txn::Create { path: path.into(), data: String::new(), ephemeral: true, sequential: false, session }
}
pub(super) fn sequential(path: &str) -> Txn {
    Txn::Create { path: path.into(), data: String::new(), ephemeral: false, sequential: true, session: S1 }
}
pub(super) fn delete(path: &str, version: Option<i32>) -> Txn {
    Txn::Delete { path: path.into(), version }
}
pub(super) fn set(path: &str, data: &str, version: Option<i32>) -> Txn {
    Txn::SetData { path: path.into(), data: data.into(), version }
}
pub(super) fn check(path: &str, version: Option<i32>) -> Txn {
    Txn::Check { path: path.into(), version }
}
pub(super) fn session(session: SessionId) -> Txn {
    Txn::CreateSession { session, timeout_ms: 6000 }
}
fn created(path: &str) -> TxnResult {
    TxnResult::Created { path: path.into() }
}

#[test]
fn a_new_tree_holds_only_the_root() {
    let t = DataTree::new();
    assert_eq!(t.node_count(), 1);
    assert_eq!(t.stat("/"), Some(Stat::default()));
    assert_eq!(t.last_zxid(), Zxid::ZERO);
    assert_eq!(t.sessions().count(), 0);
    assert_eq!(t.digest().len(), 16);
    assert_eq!(t, DataTree::default());
}

#[test]
fn create_get_set_delete_with_versions() {
    let mut r = Run::new();
    assert_eq!(r.ok(create("/a", "x")), created("/a"));
    let mut t = r.tree.clone();
    let (data, stat) = t.get_data("/a", None).unwrap();
    assert_eq!((data.as_str(), stat.version), ("x", 0));

    let TxnResult::Stat(stat) = r.ok(set("/a", "yy", Some(0))) else { panic!("set failed") };
    assert_eq!((stat.version, stat.data_length, stat.mzxid, stat.mtime_ms), (1, 2, zxid(2), 1002));
    assert_eq!(r.err(set("/a", "z", Some(0))), Some(ZkError::BadVersion));
    assert_eq!(r.ok(set("/a", "z", None)), TxnResult::Stat(r.tree.stat("/a").unwrap()));
    assert_eq!(r.tree.stat("/a").unwrap().version, 2);
    // -1 is ZooKeeper's "any version" and is accepted as such.
    assert!(r.ok(set("/a", "w", Some(-1))).is_ok());
    assert_eq!(r.tree.stat("/a").unwrap().version, 3);

    assert_eq!(r.ok(check("/a", Some(3))), TxnResult::Checked);
    assert_eq!(r.err(check("/a", Some(2))), Some(ZkError::BadVersion));
    assert_eq!(r.err(delete("/a", Some(2))), Some(ZkError::BadVersion));
    assert_eq!(r.ok(delete("/a", Some(3))), TxnResult::Deleted);
    assert_eq!(r.tree.stat("/a"), None);
    assert_eq!(r.tree.node_count(), 1);
}

#[test]
fn every_error_code() {
    let mut r = Run::new();
    r.ok(session(S1));
    r.ok(create("/a", ""));
    r.ok(create("/a/b", ""));
    r.ok(ephemeral("/e", S1));
    let cases = [
        (create("/x/y", ""), ZkError::NoNode),
        (delete("/x", None), ZkError::NoNode),
        (set("/x", "", None), ZkError::NoNode),
        (check("/x", None), ZkError::NoNode),
        (create("/a", ""), ZkError::NodeExists),
        (create("/", ""), ZkError::NodeExists),
        (set("/a", "", Some(7)), ZkError::BadVersion),
        (delete("/a", None), ZkError::NotEmpty),
        (create("/e/child", ""), ZkError::NoChildrenForEphemerals),
        (sequential("/e/n-"), ZkError::NoChildrenForEphemerals),
        (create("a", ""), ZkError::BadArguments),
        (create("/a/", ""), ZkError::BadArguments),
        (create("/a/../b", ""), ZkError::BadArguments),
        (delete("/", None), ZkError::BadArguments),
        (set("/a//b", "", None), ZkError::BadArguments),
        (ephemeral("/f", S2), ZkError::SessionExpired),
        (Txn::CloseSession { session: S2 }, ZkError::SessionExpired),
    ];
    for (txn, expected) in cases {
        let before = r.tree.digest();
        assert_eq!(r.err(txn.clone()), Some(expected), "{txn:?}");
        assert_eq!(r.tree.digest(), before, "a failed {txn:?} changed the tree");
    }
    let mut t = r.tree.clone();
    assert_eq!(t.get_data("/x", None), Err(ZkError::NoNode));
    assert_eq!(t.get_children("/x", None), Err(ZkError::NoNode));
    assert_eq!(t.exists("/x", None), Ok(None));
    assert_eq!(t.exists("x", None), Err(ZkError::BadArguments));
    assert_eq!(ZkError::NoChildrenForEphemerals.to_string(), "ephemeral nodes cannot have children");
    assert_eq!(ZkError::NoNode.code(), "NoNode");
}

#[test]
fn a_failed_txn_advances_only_last_zxid() {
    let mut r = Run::new();
    r.ok(create("/a", ""));
    let before = r.tree.clone();
    assert_eq!(r.err(create("/a", "")), Some(ZkError::NodeExists));
    assert_eq!(r.tree.last_zxid(), zxid(2));
    assert_eq!(r.tree.digest(), before.digest());
    assert_eq!(r.tree.snapshot().nodes().count(), before.nodes().count());
}

#[test]
fn sequential_names_count_the_parents_creates() {
    let mut r = Run::new();
    r.ok(create("/lock", ""));
    assert_eq!(r.ok(sequential("/lock/n-")), created("/lock/n-0000000000"));
    assert_eq!(r.ok(sequential("/lock/n-")), created("/lock/n-0000000001"));
    r.ok(delete("/lock/n-0000000000", None));
    // The delete bumps cversion (3 = 2 creates + 1 delete), but, as in ZooKeeper, the
    // counter counts creates only, so no number is skipped.
    let lock = r.tree.stat("/lock").unwrap();
    assert_eq!((lock.cversion, lock.num_children, lock.child_creations()), (3, 1, 2));
    assert_eq!(r.ok(sequential("/lock/n-")), created("/lock/n-0000000002"));
    // A trailing slash names the child by the counter alone.
    assert_eq!(r.ok(sequential("/lock/")), created("/lock/0000000003"));
    assert_eq!(r.tree.stat("/lock").unwrap().cversion, 5);
    assert_eq!(r.ok(sequential("/")), created("/0000000001"));
    let mut t = r.tree.clone();
    let children = t.get_children("/lock", None).unwrap();
    assert_eq!(children, ["0000000003", "n-0000000001", "n-0000000002"]);
}

#[test]
fn create_delete_create_reuses_no_sequence_number() {
    let mut r = Run::new();
    r.ok(create("/q", ""));
    assert_eq!(r.ok(sequential("/q/item-")), created("/q/item-0000000000"));
    r.ok(delete("/q/item-0000000000", None));
    assert_eq!(r.ok(sequential("/q/item-")), created("/q/item-0000000001"));
    assert_eq!(r.tree.stat("/q").unwrap().cversion, 3);
}

#[test]
fn ephemerals_go_with_their_session() {
    let mut r = Run::new();
    r.ok(session(S1));
    r.ok(session(S2));
    r.ok(create("/g", ""));
    r.ok(ephemeral("/g/m2", S1));
    r.ok(ephemeral("/g/m1", S1));
    r.ok(ephemeral("/g/other", S2));
    assert_eq!(r.tree.stat("/g/m1").unwrap().ephemeral_owner, Some(S1));
    assert_eq!(r.tree.ephemerals(S1), ["/g/m1", "/g/m2"]);
    let closed = r.ok(Txn::CloseSession { session: S1 });
    assert_eq!(closed, TxnResult::SessionClosed { deleted: vec!["/g/m1".into(), "/g/m2".into()] });
    assert_eq!(r.tree.ephemerals(S1), Vec::<String>::new());
    assert!(!r.tree.has_session(S1));
    assert_eq!(r.tree.sessions().collect::<Vec<_>>(), [(S2, 6000)]);
    let mut t = r.tree.clone();
    assert_eq!(t.get_children("/g", None).unwrap(), ["other"]);
    let g = t.stat("/g").unwrap();
    assert_eq!((g.cversion, g.num_children, g.pzxid), (5, 1, zxid(7)));
    assert_eq!(r.err(Txn::CloseSession { session: S1 }), Some(ZkError::SessionExpired));
}

#[test]
fn a_repeated_create_session_takes_the_new_timeout() {
    let mut r = Run::new();
    r.ok(session(S1));
    assert_eq!(r.ok(Txn::CreateSession { session: S1, timeout_ms: 4000 }), TxnResult::SessionCreated);
    assert_eq!(r.tree.sessions().collect::<Vec<_>>(), [(S1, 4000)]);
}

#[test]
fn stat_fields_after_a_sequence() {
    let mut r = Run::new();
    r.ok(create("/app", "v1")); // zxid 1, t 1001
    r.ok(create("/app/a", "")); // zxid 2
    r.ok(create("/app/b", "")); // zxid 3
    r.ok(set("/app", "v2-long", None)); // zxid 4, t 1004
    r.ok(delete("/app/a", None)); // zxid 5
    r.ok(set("/app/b", "日本", None)); // zxid 6: 6 bytes of UTF-8
    let app = r.tree.stat("/app").unwrap();
    let expected = Stat {
        czxid: zxid(1),
        mzxid: zxid(4),
        pzxid: zxid(5),
        ctime_ms: 1001,
        mtime_ms: 1004,
        version: 1,
        cversion: 3,
        ephemeral_owner: None,
        data_length: 7,
        num_children: 1,
    };
    assert_eq!(app, expected);
    let b = r.tree.stat("/app/b").unwrap();
    assert_eq!((b.czxid, b.mzxid, b.pzxid, b.data_length, b.version), (zxid(3), zxid(6), zxid(3), 6, 1));
    let root = r.tree.stat("/").unwrap();
    assert_eq!((root.cversion, root.num_children, root.pzxid, root.mzxid), (1, 1, zxid(1), Zxid::ZERO));
}

#[test]
fn a_failing_multi_changes_nothing() {
    let mut r = Run::new();
    r.ok(session(S1));
    r.ok(create("/a", "0"));
    r.ok(ephemeral("/e", S1));
    let before = r.tree.clone();
    let ops = vec![
        create("/a/new", ""),
        ephemeral("/a/eph", S1),
        set("/a", "changed", Some(0)),
        delete("/e", None),
        sequential("/a/s-"),
        check("/a", Some(0)), // /a is at version 1 by now
    ];
    let (result, events) = r.apply(Txn::Multi { ops });
    assert_eq!(result, TxnResult::MultiError { index: 5, error: ZkError::BadVersion });
    assert!(events.is_empty());
    assert_eq!(r.tree.digest(), before.digest());
    assert_eq!(r.tree.snapshot(), DataTree { last_zxid: zxid(4), ..before.snapshot() });
    assert_eq!(r.tree.ephemerals(S1), ["/e"]);
    // Nested multis and session ops cannot go inside a multi.
    let nested = Txn::Multi { ops: vec![check("/a", None), Txn::Multi { ops: vec![] }] };
    assert_eq!(r.ok(nested), TxnResult::MultiError { index: 1, error: ZkError::BadArguments });
    assert_eq!(r.ok(Txn::Multi { ops: vec![session(S2)] }).error(), Some(ZkError::BadArguments));
}

#[test]
fn a_multi_sees_its_own_earlier_ops() {
    let mut r = Run::new();
    r.ok(create("/a", ""));
    let ops = vec![
        create("/a/b", "1"),
        create("/a/b/c", ""),
        set("/a/b", "2", Some(0)),
        check("/a/b", Some(1)),
        delete("/a/b/c", None),
        sequential("/a/s-"),
    ];
    let TxnResult::Multi(results) = r.ok(Txn::Multi { ops }) else { panic!("multi failed") };
    let stat_b = r.tree.stat("/a/b").unwrap();
    // The set's result is /a/b's stat at that point of the multi: c not yet deleted.
    let at_set = Stat { cversion: 1, num_children: 1, ..stat_b };
    assert_eq!(
        results,
        [
            created("/a/b"),
            created("/a/b/c"),
            TxnResult::Stat(at_set),
            TxnResult::Checked,
            TxnResult::Deleted,
            created("/a/s-0000000001"),
        ]
    );
    // Every op of a multi carries the multi's zxid.
    assert_eq!((stat_b.czxid, stat_b.mzxid, stat_b.pzxid, stat_b.cversion), (zxid(2), zxid(2), zxid(2), 2));
    assert_eq!(r.ok(Txn::Multi { ops: vec![] }), TxnResult::Multi(vec![]));
}

#[test]
fn digests_agree_on_equal_trees_and_differ_after_a_change() {
    let txns = [session(S1), create("/a", "x"), ephemeral("/a/e", S1), set("/a", "y", None), sequential("/a/n")];
    let (mut r1, mut r2) = (Run::new(), Run::new());
    for t in &txns {
        r1.ok(t.clone());
        r2.ok(t.clone());
    }
    assert_eq!(r1.tree.digest(), r2.tree.digest());
    // Watches are server-local: they do not change the digest.
    r2.tree.exists("/a", Some(S1)).unwrap();
    assert_eq!(r1.tree.digest(), r2.tree.digest());
    let d = r1.tree.digest();
    r1.ok(set("/a", "z", None));
    assert_ne!(r1.tree.digest(), d);
    r2.ok(session(S2));
    assert_ne!(r2.tree.digest(), d, "sessions are part of the digest");
    assert!(r1.tree.digest().chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn a_snapshot_has_no_watches_and_the_same_digest() {
    let mut r = Run::new();
    r.ok(session(S1));
    r.ok(create("/a", "x"));
    r.tree.get_data("/a", Some(S1)).unwrap();
    r.tree.get_children("/", Some(S2)).unwrap();
    assert_eq!(r.tree.watches().count(), 2);
    let snap = r.tree.snapshot();
    assert!(snap.watches().is_empty());
    assert_eq!(snap.digest(), r.tree.digest());
    assert_eq!(snap.last_zxid(), r.tree.last_zxid());
    let mut without = r.tree.clone();
    without.remove_watches(S1);
    without.remove_watches(S2);
    assert_eq!(snap, without);
}

#[test]
fn json_round_trips() {
    let mut r = Run::new();
    r.ok(session(S1));
    r.ok(create("/a", "x"));
    r.ok(ephemeral("/a/e", S1));
    r.tree.exists("/missing", Some(S1)).unwrap();
    let json = serde_json::to_string(&r.tree).unwrap();
    assert_eq!(serde_json::from_str::<DataTree>(&json).unwrap(), r.tree);

    let txn = Txn::Create { path: "/a".into(), data: "x".into(), ephemeral: true, sequential: false, session: S1 };
    let text = r#"{"type":"create","path":"/a","data":"x","ephemeral":true,"sequential":false,"session":1}"#;
    assert_eq!(serde_json::to_string(&txn).unwrap(), text);
    assert_eq!(serde_json::from_str::<Txn>(text).unwrap(), txn);
    // Flags, data and versions may be left out.
    let short: Txn = serde_json::from_str(r#"{"type":"create","path":"/a","session":1}"#).unwrap();
    assert_eq!(short, Txn::create("/a", "", S1));
    let multi = Txn::Multi { ops: vec![check("/a", Some(2)), delete("/a", None)] };
    let text = r#"{"type":"multi","ops":[{"type":"check","path":"/a","version":2},{"type":"delete","path":"/a","version":null}]}"#;
    assert_eq!(serde_json::to_string(&multi).unwrap(), text);
    assert_eq!(serde_json::from_str::<Txn>(text).unwrap(), multi);
    assert_eq!(
        serde_json::from_str::<Txn>(r#"{"type":"set_data","path":"/a","data":"y"}"#).unwrap(),
        set("/a", "y", None)
    );
}

#[test]
fn json_of_results_errors_and_stats() {
    let error = TxnResult::MultiError { index: 1, error: ZkError::NoNode };
    assert_eq!(serde_json::to_string(&error).unwrap(), r#"{"multi_error":{"index":1,"error":"NoNode"}}"#);
    assert_eq!(serde_json::to_string(&TxnResult::Deleted).unwrap(), r#""deleted""#);
    assert_eq!(serde_json::to_string(&TxnResult::Error(ZkError::NotEmpty)).unwrap(), r#"{"error":"NotEmpty"}"#);
    let stat = Stat { czxid: zxid(1), ephemeral_owner: Some(S2), ..Stat::default() };
    let json = serde_json::to_value(stat).unwrap();
    assert_eq!(json["czxid"], serde_json::json!({"epoch": 1, "counter": 1}));
    assert_eq!(json["ephemeral_owner"], 2);
    for field in ["mzxid", "pzxid", "ctime_ms", "mtime_ms", "version", "cversion", "data_length", "num_children"] {
        assert!(json.get(field).is_some(), "{field}");
    }
    let result = TxnResult::Multi(vec![TxnResult::Stat(stat), TxnResult::Checked]);
    let text = serde_json::to_string(&result).unwrap();
    assert_eq!(serde_json::from_str::<TxnResult>(&text).unwrap(), result);
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "zxid order broken")]
fn zxids_must_increase() {
    let mut t = DataTree::new();
    t.apply(zxid(2), 0, &create("/a", ""));
    t.apply(zxid(1), 0, &create("/b", ""));
}
