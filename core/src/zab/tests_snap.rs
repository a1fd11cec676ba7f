//! SNAP and watches: a server that takes the leader's tree keeps its clients' watches
//! and fires those whose node the snapshot changed, as ZooKeeper's clients get the
//! missed events when they re-register with SetWatches.

use super::*;
use crate::event::Event;
use crate::node::Action;
use crate::types::ClientId;

const S: SessionId = SessionId(0x1_0000_0001);
const CLIENT: ClientId = ClientId(7);

fn z(c: u32) -> Zxid {
    Zxid::new(Epoch(1), c)
}

fn apply(tree: &mut DataTree, counter: u32, txn: Txn) {
    assert!(tree.apply(z(counter), 0, &txn).0.is_ok(), "{txn:?}");
}

/// The leader's tree at 0x100000003: the session, `/a` and `/b`.
fn leader_tree() -> DataTree {
    let mut t = DataTree::new();
    apply(&mut t, 1, Txn::CreateSession { session: S, timeout_ms: 6000 });
    apply(&mut t, 2, Txn::create("/a", "x", S));
    apply(&mut t, 3, Txn::create("/b", "y", S));
    t
}

/// Server 1, synchronizing with leader 3, whose client 7 watches `/a` and `/b` (data)
/// and `/` (children) on a tree at 0x100000003.
fn syncing_server() -> ZabNode {
    let cfg = Arc::new(ZabConfig::new(3, &ZabSettings::default()));
    let mut n = ZabNode::new(NodeId(1), cfg, &[]);
    n.tree = leader_tree().snapshot();
    n.snap_zxid = z(3);
    n.delivered = z(3);
    n.clients.sessions.insert(CLIENT, S);
    for path in ["/a", "/b"] {
        n.tree.get_data(path, Some(S)).unwrap();
    }
    n.tree.get_children("/", Some(S)).unwrap();
    n.follow(NodeId(3), Time(0), &mut Out::new());
    n.on_message(Time(10), NodeId(3), ZabMsg::LeaderInfo { new_epoch: Epoch(2) }, &mut Out::new());
    assert_eq!(n.phase, ZabPhase::Synchronization);
    n
}

fn watch_events(acts: &[crate::node::ActionOf<ZabNode>]) -> Vec<Event> {
    acts.iter()
        .filter_map(|a| match a {
            Action::EmitAhead(e) if matches!(e.get(), Some(ZabEvent::Watch { .. })) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

fn watch(kind: &str, path: &str) -> Event {
    let kind = crate::protocol::parse(kind).expect("a watch event type");
    ZabEvent::Watch { client: CLIENT, kind, path: path.into() }.into()
}

#[test]
fn a_snap_fires_the_watches_on_changed_nodes_and_keeps_the_rest() {
    let mut n = syncing_server();
    let mut tree = leader_tree();
    apply(&mut tree, 4, Txn::SetData { path: "/a".into(), data: "z".into(), version: None });
    let snap = ZabMsg::Snap { zxid: z(4), tree: Box::new(tree.snapshot()) };
    let mut out = Out::new();
    n.on_message(Time(20), NodeId(3), snap, &mut out);
    assert!(out.actions.contains(&Action::Emit(ZabEvent::Snapshot { zxid: z(4) }.into())));
    assert_eq!(watch_events(&out.actions), [watch("data_changed", "/a")]);
    assert_eq!(n.tree.get_data("/a", None).unwrap().0, "z");
    let w = n.tree.watches();
    assert_eq!(w.watchers(tree::WatchKind::Data, "/a"), [], "one-shot: fired, so gone");
    assert_eq!(w.watchers(tree::WatchKind::Data, "/b"), [S], "/b did not change: still set");
    assert_eq!(w.watchers(tree::WatchKind::Children, "/"), [S], "/ kept its children");
}

#[test]
fn a_snap_that_deletes_and_creates_fires_deleted_and_children_changed() {
    let mut n = syncing_server();
    let mut tree = leader_tree();
    apply(&mut tree, 4, Txn::Delete { path: "/b".into(), version: None });
    apply(&mut tree, 5, Txn::create("/c", "", S));
    let mut out = Out::new();
    n.on_message(Time(20), NodeId(3), ZabMsg::Snap { zxid: z(5), tree: Box::new(tree.snapshot()) }, &mut out);
    assert_eq!(watch_events(&out.actions), [watch("deleted", "/b"), watch("children_changed", "/")]);
    assert_eq!(n.tree.watches().watchers(tree::WatchKind::Data, "/a"), [S]);
    assert_eq!(n.tree.watches().count(), 1);
}

/// A SNAP travels between real servers as JSON, and a checkpoint is stored as JSON: a
/// tree with sessions and ephemeral nodes (maps keyed by session id) must read back.
/// Inside an internally tagged enum serde buffers the fields, and a buffered map key
/// is a string, which a session id did not accept.
#[test]
fn a_snapshot_with_sessions_reads_back_from_json_inside_a_message_and_a_checkpoint() {
    let mut tree = leader_tree();
    let create = Txn::Create { path: "/e".into(), data: "x".into(), ephemeral: true, sequential: false, session: S };
    apply(&mut tree, 4, create);
    let snap = ZabMsg::Snap { zxid: z(4), tree: Box::new(tree.snapshot()) };
    let text = serde_json::to_string(&snap).expect("serializes");
    assert_eq!(serde_json::from_str::<ZabMsg>(&text).expect("reads back"), snap);
    let checkpoint = ZabDurable::Checkpoint {
        accepted_epoch: Epoch(1),
        accepted_from: None,
        current_epoch: Epoch(1),
        snap_zxid: z(4),
        log: Vec::new(),
        delivered: z(4),
        tree: Box::new(tree.snapshot()),
    };
    let text = serde_json::to_string(&checkpoint).expect("serializes");
    assert_eq!(serde_json::from_str::<ZabDurable>(&text).expect("reads back"), checkpoint);
}
