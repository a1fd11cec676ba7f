//! A real ensemble: `ensemble node` processes linked over `/peer`, serving `/client`.
//! Loopback only; every wait is bounded.

mod support;

use serde_json::json;
use std::time::Duration;
use support::{Client, Ensemble};

const SERVING: Duration = Duration::from_secs(15);

#[test]
fn three_servers_elect_one_leader_and_a_write_through_any_server_is_seen_by_all_after_sync() {
    let e = Ensemble::start(3);
    let leader = e.wait_serving(SERVING);
    let follower = (1..=3).find(|id| *id != leader).expect("a follower");
    let (mut writer, _) = Client::connect(&e.server(follower).addr, SERVING);
    let created = writer.call(json!({"op": "create", "path": "/a", "data": "x"}));
    assert_eq!(created["ok"], true, "{created}");
    assert_eq!(created["path"], "/a");
    for id in 1..=3 {
        let (mut c, _) = Client::connect(&e.server(id).addr, SERVING);
        assert_eq!(c.call(json!({"op": "sync", "path": "/a"}))["ok"], true);
        let got = c.call(json!({"op": "get", "path": "/a"}));
        assert_eq!((got["ok"].clone(), got["data"].clone()), (json!(true), json!("x")), "server {id}: {got}");
    }
}
