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
