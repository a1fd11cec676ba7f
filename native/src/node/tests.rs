use super::config::{Fsync, NodeConfig};
use super::start;
use super::status::{status_of, Status};
use ensemble_core::types::NodeId;
use std::time::Duration;

fn alone(dir: &std::path::Path) -> NodeConfig {
    NodeConfig {
        id: NodeId(1),
        listen: "127.0.0.1:0".parse().expect("an address"),
        peers: Vec::new(),
        data_dir: dir.to_path_buf(),
        observer: false,
        fsync: Fsync::Always,
        cluster: "test".into(),
        secret: None,
        web: None,
        snap_count: super::config::DEFAULT_SNAP_COUNT,
    }
}

/// Ask for the node's status until `done` holds, for at most five seconds.
async fn wait_for(inbox: &super::Handle, done: impl Fn(&Status) -> bool) -> Status {
    let mut last = None;
    for _ in 0..500 {
        let s = status_of(&inbox.shared.inbox).await.expect("running");
        if done(&s) {
            return s;
        }
        last = Some(s);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the node never got there: {last:?}");
}

#[tokio::test]
async fn a_server_alone_leads_and_its_epoch_survives_a_restart() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let (handle, recovered) = start(&alone(dir.path())).expect("starts");
    assert_eq!((recovered.epoch, recovered.records), (0, 0));
    let s = wait_for(&handle, |s| s.state == "LEADING" && s.phase == "BROADCAST").await;
    assert_eq!((s.epoch, s.leader), (1, Some(1)));
    drop(handle);
    let (handle, recovered) = start(&alone(dir.path())).expect("restarts");
    assert_eq!(recovered.epoch, 1, "the established epoch came back from the log");
    assert!(recovered.records > 0);
    let s = wait_for(&handle, |s| s.state == "LEADING" && s.phase == "BROADCAST").await;
    assert_eq!(s.epoch, 2, "a restarted leader starts a new epoch");
}

/// Stop a node and wait until its log is closed (its writer finished and joined).
async fn stop(handle: super::Handle) {
    handle.task.abort();
    let _ = handle.task.await;
}

/// With `--snap-count 2` a node checkpoints every one or two records, so its log holds
/// segments from before its newest checkpoint, as a crash before their deletion would
/// leave them: replaying every record recovers what replaying from that checkpoint does,
/// and the node restarts on them with its epoch.
#[tokio::test]
async fn a_node_replays_from_its_newest_checkpoint_whatever_older_segments_hold() {
    use crate::wal::{Wal, WalOptions};
    use ensemble_core::node::Node;
    use ensemble_core::zab::{ZabConfig, ZabDurable, ZabNode, ZabSettings};
    let dir = tempfile::TempDir::new().expect("temp dir");
    let config = NodeConfig { snap_count: 2, ..alone(dir.path()) };
    for _ in 0..3 {
        let (handle, _) = start(&config).expect("starts");
        wait_for(&handle, |s| s.state == "LEADING" && s.phase == "BROADCAST").await;
        stop(handle).await;
    }
    let (_, recovered) = Wal::open(dir.path(), WalOptions::default()).expect("opens");
    let records: Vec<ZabDurable> =
        recovered.records.iter().map(|r| serde_json::from_slice(r).expect("a record")).collect();
    let newest = records.iter().rposition(ZabNode::is_checkpoint).expect("checkpoints were written");
    assert!(records[..newest].iter().any(ZabNode::is_checkpoint), "older segments are still there: {records:?}");
    let zab = std::sync::Arc::new(ZabConfig::new(1, &ZabSettings::default()));
    let replay = |records: &[ZabDurable]| serde_json::to_value(ZabNode::new(NodeId(1), zab.clone(), records));
    assert_eq!(replay(&records).expect("json"), replay(&records[newest..]).expect("json"));
    let (handle, recovered) = start(&config).expect("restarts");
    assert_eq!(recovered.epoch, 3);
    stop(handle).await;
}
