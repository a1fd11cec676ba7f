//! Watches: each kind fires on the right changes, once, in a deterministic order.

use super::tests::{check, create, delete, ephemeral, session, set, Run, S1, S2, S3};
use super::*;

fn ev(session: SessionId, kind: WatchEventType, path: &str) -> WatchEvent {
    WatchEvent { session, kind, path: path.into() }
}
use WatchEventType::{ChildrenChanged, Created, DataChanged, Deleted};

#[test]
fn a_data_watch_fires_once_on_set() {
    let mut r = Run::new();
    r.ok(create("/a", "x"));
    r.tree.get_data("/a", Some(S1)).unwrap();
    assert_eq!(r.tree.watches().watchers(WatchKind::Data, "/a"), [S1]);
    assert_eq!(r.apply(set("/a", "y", None)).1, [ev(S1, DataChanged, "/a")]);
    assert!(r.tree.watches().is_empty());
    assert_eq!(r.apply(set("/a", "z", None)).1, [], "one-shot: a second set fires nothing");
}

#[test]
fn a_data_watch_fires_deleted_on_delete() {
    let mut r = Run::new();
    r.ok(create("/a", "x"));
    r.tree.get_data("/a", Some(S1)).unwrap();
    r.tree.get_data("/a", Some(S1)).unwrap(); // set twice, still one watch
    assert_eq!(r.apply(delete("/a", None)).1, [ev(S1, Deleted, "/a")]);
    assert!(r.tree.watches().is_empty());
}

#[test]
fn an_exists_watch_on_a_missing_node_fires_on_its_creation() {
    let mut r = Run::new();
    assert_eq!(r.tree.exists("/a", Some(S1)), Ok(None));
    assert_eq!(r.apply(create("/a", "")).1, [ev(S1, Created, "/a")]);
    assert_eq!(r.apply(set("/a", "y", None)).1, []);
    assert_eq!(r.apply(delete("/a", None)).1, []);
}

#[test]
fn an_exists_watch_on_a_node_fires_on_set_or_delete() {
    let mut r = Run::new();
    r.ok(create("/a", ""));
    assert!(r.tree.exists("/a", Some(S1)).unwrap().is_some());
    assert_eq!(r.apply(set("/a", "y", None)).1, [ev(S1, DataChanged, "/a")]);
    r.tree.exists("/a", Some(S1)).unwrap();
    assert_eq!(r.apply(delete("/a", None)).1, [ev(S1, Deleted, "/a")]);
    assert_eq!(r.apply(create("/a", "")).1, []);
}

#[test]
fn a_children_watch_fires_on_child_changes_and_on_its_deletion() {
    let mut r = Run::new();
    r.ok(create("/p", ""));
    assert_eq!(r.tree.get_children("/p", Some(S1)).unwrap(), Vec::<String>::new());
    assert_eq!(r.apply(create("/p/c", "")).1, [ev(S1, ChildrenChanged, "/p")]);
    assert_eq!(r.apply(create("/p/d", "")).1, [], "one-shot");
    r.tree.get_children("/p", Some(S1)).unwrap();
    assert_eq!(r.apply(set("/p/c", "data", None)).1, [], "a child's data is not the children list");
    assert_eq!(r.apply(delete("/p/c", None)).1, [ev(S1, ChildrenChanged, "/p")]);
    r.ok(delete("/p/d", None));
    r.tree.get_children("/p", Some(S1)).unwrap();
    assert_eq!(r.apply(delete("/p", None)).1, [ev(S1, Deleted, "/p")]);
}

#[test]
fn one_change_fires_one_event_per_session() {
    let mut r = Run::new();
    r.ok(create("/a", ""));
    r.tree.get_data("/a", Some(S1)).unwrap();
    r.tree.exists("/a", Some(S1)).unwrap();
    r.tree.get_children("/a", Some(S1)).unwrap();
    assert_eq!(r.tree.watches().count(), 3);
    assert_eq!(r.apply(delete("/a", None)).1, [ev(S1, Deleted, "/a")]);
    assert!(r.tree.watches().is_empty());
}

#[test]
fn events_are_grouped_by_session_in_change_order() {
    let mut r = Run::new();
    r.ok(create("/p", ""));
    r.ok(create("/p/c", ""));
    r.tree.get_children("/p", Some(S3)).unwrap();
    r.tree.get_data("/p/c", Some(S3)).unwrap();
    r.tree.get_children("/p", Some(S1)).unwrap();
    r.tree.exists("/p/c", Some(S2)).unwrap();
    let (_, events) = r.apply(delete("/p/c", None));
    assert_eq!(
        events,
        [
            ev(S1, ChildrenChanged, "/p"),
            ev(S2, Deleted, "/p/c"),
            ev(S3, Deleted, "/p/c"),
            ev(S3, ChildrenChanged, "/p"),
        ]
    );
}

#[test]
fn closing_a_session_fires_the_watches_on_its_ephemerals() {
    let mut r = Run::new();
    r.ok(session(S1));
    r.ok(create("/g", ""));
    r.ok(ephemeral("/g/m", S1));
    r.tree.exists("/g/m", Some(S2)).unwrap();
    r.tree.get_children("/g", Some(S2)).unwrap();
    // The closing session's own watches go with it, unfired.
    r.tree.get_children("/g", Some(S1)).unwrap();
    r.tree.exists("/elsewhere", Some(S1)).unwrap();
    let (result, events) = r.apply(Txn::CloseSession { session: S1 });
    assert_eq!(result, TxnResult::SessionClosed { deleted: vec!["/g/m".into()] });
    assert_eq!(events, [ev(S2, Deleted, "/g/m"), ev(S2, ChildrenChanged, "/g")]);
    assert!(r.tree.watches().is_empty());
}

#[test]
fn failed_txns_fire_nothing_and_keep_the_watches() {
    let mut r = Run::new();
    r.ok(create("/a", ""));
    r.tree.get_data("/a", Some(S1)).unwrap();
    r.tree.exists("/b", Some(S1)).unwrap();
    assert_eq!(r.apply(set("/a", "y", Some(9))).1, []);
    let multi = Txn::Multi { ops: vec![create("/b", ""), set("/a", "y", None), check("/zzz", None)] };
    let (result, events) = r.apply(multi);
    assert_eq!(result.error(), Some(ZkError::NoNode));
    assert_eq!(events, []);
    assert_eq!(r.tree.watches().count(), 2);
}

#[test]
fn a_multi_fires_its_watches_in_op_order() {
    let mut r = Run::new();
    r.ok(create("/a", ""));
    r.tree.exists("/b", Some(S1)).unwrap();
    r.tree.get_data("/a", Some(S1)).unwrap();
    r.tree.get_children("/", Some(S2)).unwrap();
    let multi = Txn::Multi { ops: vec![create("/b", ""), delete("/b", None), set("/a", "y", None)] };
    let (result, events) = r.apply(multi);
    assert!(result.is_ok());
    // /b's exists watch fired on its creation, so its deletion in the same multi finds
    // no watch left: one-shot holds inside a multi too.
    assert_eq!(events, [ev(S1, Created, "/b"), ev(S1, DataChanged, "/a"), ev(S2, ChildrenChanged, "/")]);
}

#[test]
fn removed_and_refused_reads_leave_no_watch() {
    let mut r = Run::new();
    r.ok(create("/a", ""));
    assert_eq!(r.tree.get_data("/missing", Some(S1)), Err(ZkError::NoNode));
    assert_eq!(r.tree.get_children("/missing", Some(S1)), Err(ZkError::NoNode));
    assert_eq!(r.tree.get_data("bad", Some(S1)), Err(ZkError::BadArguments));
    assert!(r.tree.watches().is_empty());
    r.tree.get_data("/a", Some(S1)).unwrap();
    r.tree.get_data("/a", Some(S2)).unwrap();
    r.tree.remove_watches(S1);
    assert_eq!(r.tree.watches().watchers(WatchKind::Data, "/a"), [S2]);
    assert_eq!(r.apply(set("/a", "y", None)).1, [ev(S2, DataChanged, "/a")]);
}

#[test]
fn watch_events_serialize_in_snake_case() {
    let json = serde_json::to_string(&ev(S1, ChildrenChanged, "/p")).unwrap();
    assert_eq!(json, r#"{"session":1,"kind":"children_changed","path":"/p"}"#);
    assert_eq!(serde_json::to_string(&WatchKind::Exists).unwrap(), r#""exists""#);
    for kind in [Created, Deleted, DataChanged, ChildrenChanged] {
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.name(), "the trace names a kind as serde does");
    }
}

/// A server's tree with sessions S1..S3, `/a`, `/b`, `/p` and `/p/c`, and the leader's
/// copy of it, to which the caller applies what the server missed before its SNAP.
fn behind_and_leader() -> (Run, Run) {
    let mut r = Run::new();
    for s in [S1, S2, S3] {
        r.ok(session(s));
    }
    for path in ["/a", "/b", "/p", "/p/c"] {
        r.ok(create(path, "x"));
    }
    let leader = Run { tree: r.tree.snapshot(), counter: r.counter };
    (r, leader)
}

#[test]
fn install_fires_each_kind_of_watch_on_what_the_snapshot_changed() {
    let (mut r, mut leader) = behind_and_leader();
    leader.ok(set("/a", "y", None));
    leader.ok(delete("/b", None));
    leader.ok(create("/d", ""));
    leader.ok(create("/p/e", ""));
    r.tree.get_data("/a", Some(S1)).unwrap();
    r.tree.get_data("/b", Some(S1)).unwrap();
    r.tree.get_children("/", Some(S1)).unwrap();
    r.tree.exists("/b", Some(S2)).unwrap();
    r.tree.exists("/d", Some(S2)).unwrap();
    r.tree.exists("/missing", Some(S2)).unwrap();
    r.tree.exists("/a", Some(S3)).unwrap();
    r.tree.get_children("/p", Some(S3)).unwrap();
    r.tree.get_data("/p/c", Some(S3)).unwrap();
    let events = r.tree.install(leader.tree.snapshot());
    // By session; within one, node events in path order, then children events.
    let expected = [
        ev(S1, DataChanged, "/a"),
        ev(S1, Deleted, "/b"),
        ev(S1, ChildrenChanged, "/"),
        ev(S2, Deleted, "/b"),
        ev(S2, Created, "/d"),
        ev(S3, DataChanged, "/a"),
        ev(S3, ChildrenChanged, "/p"),
    ];
    assert_eq!(events, expected);
    assert_eq!(r.tree.snapshot(), leader.tree.snapshot(), "the tree is now the leader's");
    // What did not change keeps its watch, as if nothing happened.
    assert_eq!(r.tree.watches().count(), 2);
    assert_eq!(r.tree.watches().watchers(WatchKind::Exists, "/missing"), [S2]);
    assert_eq!(r.tree.watches().watchers(WatchKind::Data, "/p/c"), [S3]);
}

#[test]
fn install_of_the_same_tree_fires_nothing_and_keeps_every_watch() {
    let (mut r, leader) = behind_and_leader();
    r.tree.get_data("/a", Some(S1)).unwrap();
    r.tree.exists("/z", Some(S2)).unwrap();
    r.tree.get_children("/p", Some(S3)).unwrap();
    let before = r.tree.clone();
    assert_eq!(r.tree.install(leader.tree.snapshot()), []);
    assert_eq!(r.tree, before);
}

#[test]
fn install_sees_a_node_deleted_and_created_again_as_changed() {
    let (mut r, mut leader) = behind_and_leader();
    leader.ok(delete("/p/c", None));
    leader.ok(create("/p/c", "x")); // same name and data, but a new node
    r.tree.get_data("/p/c", Some(S1)).unwrap();
    r.tree.get_children("/p", Some(S2)).unwrap();
    let events = r.tree.install(leader.tree.snapshot());
    assert_eq!(events, [ev(S1, DataChanged, "/p/c"), ev(S2, ChildrenChanged, "/p")]);
    assert!(r.tree.watches().is_empty());
}

#[test]
fn install_drops_the_watches_of_sessions_the_snapshot_closed() {
    let (mut r, mut leader) = behind_and_leader();
    leader.ok(ephemeral("/e", S2));
    leader.ok(Txn::CloseSession { session: S2 });
    r.tree.get_data("/a", Some(S2)).unwrap();
    r.tree.get_data("/b", Some(S2)).unwrap();
    r.tree.exists("/e", Some(S1)).unwrap();
    // S2 ended while this server was behind: its watches go unfired, as when a
    // CloseSession is applied; /e was created and deleted again, so nothing fires.
    assert_eq!(r.tree.install(leader.tree.snapshot()), []);
    assert_eq!(r.tree.watches().watchers(WatchKind::Exists, "/e"), [S1]);
    assert_eq!(r.tree.watches().count(), 1);
}
