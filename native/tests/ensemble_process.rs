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

/// Read text frames of `/events` for at most `limit`, until `enough` holds of them.
fn events_until(
    ws: &mut tokio_tungstenite::tungstenite::WebSocket<
        tokio_tungstenite::tungstenite::stream::MaybeTlsStream<std::net::TcpStream>,
    >,
    limit: Duration,
    enough: impl Fn(&[serde_json::Value]) -> bool,
) -> Vec<serde_json::Value> {
    let deadline = std::time::Instant::now() + limit;
    let mut lines = Vec::new();
    while std::time::Instant::now() < deadline && !enough(&lines) {
        match ws.read() {
            Ok(tokio_tungstenite::tungstenite::Message::Text(t)) => {
                lines.extend(t.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON")))
            }
            Ok(_) => {}
            // The read timeout: nothing came for a while (a loaded machine may pause the
            // server that long), which is not the end of the stream; try again until the
            // deadline.
            Err(tokio_tungstenite::tungstenite::Error::Io(e))
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    lines
}

fn subscribe(
    addr: &str,
) -> tokio_tungstenite::tungstenite::WebSocket<
    tokio_tungstenite::tungstenite::stream::MaybeTlsStream<std::net::TcpStream>,
> {
    let (ws, _) = tokio_tungstenite::tungstenite::connect(format!("ws://{addr}/events")).expect("subscribes");
    if let tokio_tungstenite::tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout set");
    }
    ws
}

#[test]
fn events_stream_the_trace_and_a_send_pairs_with_its_delivery_on_the_other_server() {
    let e = Ensemble::start(3);
    let leader = e.wait_serving(SERVING);
    let follower = (1..=3).find(|id| *id != leader).expect("a follower");
    let (mut on_leader, mut on_follower) = (subscribe(&e.server(leader).addr), subscribe(&e.server(follower).addr));
    let (mut c, _) = Client::connect(&e.server(follower).addr, SERVING);
    assert_eq!(c.call(json!({"op": "create", "path": "/seen", "data": "x"}))["ok"], true);
    let replied =
        |l: &[serde_json::Value]| l.iter().any(|l| l["event"]["type"] == "reply" && l["event"]["op"] == "create");
    let follower_lines = events_until(&mut on_follower, SERVING, replied);
    assert!(replied(&follower_lines), "{follower_lines:#?}");
    let request = follower_lines
        .iter()
        .find(|l| l["event"]["type"] == "send" && l["event"]["msg"]["type"] == "REQUEST")
        .expect("the follower forwards the create");
    let id = request["event"]["msg_id"].clone();
    assert_eq!(request["node"], follower);
    let delivered =
        |l: &[serde_json::Value]| l.iter().any(|l| l["event"]["type"] == "deliver" && l["event"]["msg_id"] == id);
    let applied = |l: &[serde_json::Value]| delivered(l) && l.iter().any(|l| l["event"]["type"] == "delivered");
    let leader_lines = events_until(&mut on_leader, SERVING, applied);
    assert!(delivered(&leader_lines), "no delivery of {id} in {leader_lines:#?}");
    for kind in ["proposed", "committed", "delivered"] {
        assert!(leader_lines.iter().any(|l| l["event"]["type"] == kind), "no {kind}");
    }
}

#[test]
fn status_and_metrics_report_fsyncs_elections_and_sessions() {
    let e = Ensemble::start(3);
    let leader = e.wait_serving(SERVING);
    let (mut c, _) = Client::connect(&e.server(leader).addr, SERVING);
    assert_eq!(c.call(json!({"op": "create", "path": "/m", "data": "x"}))["ok"], true);
    let status = e.status(leader).expect("status");
    assert!(status["fsync_micros"]["count"].as_u64().unwrap_or(0) >= 1, "{status}");
    assert!(status["serving_after_ms"].as_u64().is_some(), "{status}");
    assert!(status["rss_bytes"].as_u64().unwrap_or(0) > 0, "{status}");
    assert_eq!((status["followers_synced"].clone(), status["sessions"].clone()), (json!(2), json!(1)), "{status}");
    let text = support::http_get(&e.server(leader).addr, "/metrics").expect("metrics");
    for name in [
        "ensemble_fsynctime_ms_bucket",
        "ensemble_wal_batch_records_count",
        "ensemble_updatelatency_ms_count",
        "ensemble_commit_latency_ms_count{node=",
        "ensemble_elections_total",
        "ensemble_global_sessions{node=",
        "ensemble_synced_followers",
        "ensemble_num_alive_connections",
        "ensemble_event_subscribers",
    ] {
        assert!(text.contains(name), "no {name} in\n{text}");
    }
    let commits =
        text.lines().find(|l| l.starts_with("ensemble_commit_latency_ms_count")).and_then(|l| l.split(' ').nth(1));
    assert!(
        commits.and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n >= 2),
        "the leader timed its commits: {commits:?}"
    );
}

/// A subscriber with a small receive buffer, so that not reading soon shows.
fn subscribe_small(
    addr: &str,
) -> tokio_tungstenite::tungstenite::WebSocket<
    tokio_tungstenite::tungstenite::stream::MaybeTlsStream<std::net::TcpStream>,
> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
        socket.set_recv_buffer_size(4096).expect("a small buffer");
        socket.connect(addr.parse().expect("an address")).await.expect("connects").into_std().expect("a std stream")
    });
    stream.set_nonblocking(false).expect("blocking");
    stream.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout set");
    let stream = tokio_tungstenite::tungstenite::stream::MaybeTlsStream::Plain(stream);
    let (ws, _) = tokio_tungstenite::tungstenite::client(format!("ws://{addr}/events"), stream).expect("subscribes");
    ws
}

#[test]
fn a_subscriber_that_does_not_read_is_told_it_lagged_and_dropped_and_writes_go_on() {
    let e = Ensemble::start(1);
    e.wait_serving(SERVING);
    let addr = &e.server(1).addr;
    let mut idle = subscribe_small(addr);
    let (mut c, _) = Client::connect(addr, SERVING);
    let data = "x".repeat(2_000);
    // Write until the server has dropped the subscriber (its socket's buffers full, then
    // 64 frames of 50 ms behind), for at most 30 s.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut written = 0;
    while std::time::Instant::now() < deadline {
        let r = c.call(json!({"op": "create", "path": format!("/l{written}"), "data": data}));
        assert_eq!(r["ok"], true, "{r}");
        written += 1;
        let dropped = |m: String| m.contains("ensemble_event_subscribers_lagged_total{node=\"1\"} 1");
        if written % 100 == 0 && support::http_get(addr, "/metrics").is_some_and(dropped) {
            break;
        }
    }
    let lagged = |l: &[serde_json::Value]| l.iter().any(|l| l.get("lagged").is_some());
    let lines = events_until(&mut idle, Duration::from_secs(20), lagged);
    assert!(lagged(&lines), "never told it lagged ({} lines)", lines.len());
    let status = e.status(1).expect("status");
    assert_eq!(status["znodes"], written + 1, "{status}");
    let metrics = support::http_get(addr, "/metrics").expect("metrics");
    assert!(metrics.contains("ensemble_event_subscribers_lagged_total{node=\"1\"} 1"), "{metrics}");
}

#[test]
fn an_observer_follows_the_broadcast_without_voting_and_serves_reads() {
    let e = Ensemble::start_with_observers(3, 1);
    let leader = e.wait_serving(SERVING);
    let observer = e.status(4).expect("status");
    assert_eq!((observer["state"].clone(), observer["observer"].clone()), (json!("OBSERVING"), json!(true)));
    let (mut w, _) = Client::connect(&e.server(leader).addr, SERVING);
    assert_eq!(w.call(json!({"op": "create", "path": "/o", "data": "seen"}))["ok"], true);
    let (mut r, _) = Client::connect(&e.server(4).addr, SERVING);
    assert_eq!(r.call(json!({"op": "sync", "path": "/o"}))["ok"], true);
    assert_eq!(r.call(json!({"op": "get", "path": "/o"}))["data"], "seen");
    let status = e.status(leader).expect("status");
    assert_eq!(status["followers_synced"], 3, "two followers and the observer: {status}");
}
