//! The client against the mock `/client` server (`tests/support/mock_server.rs`):
//! sessions, pipelined requests matched by id, watches, errors, lost connections and
//! timeouts. Loopback only; every wait is bounded.

use super::*;
use crate::mock_server;
use futures_util::StreamExt;
use std::sync::atomic::Ordering;
use std::time::Instant;

fn opts(request_timeout_ms: u64) -> ClientOptions {
    ClientOptions { request_timeout: Duration::from_millis(request_timeout_ms), ..ClientOptions::default() }
}

async fn connected() -> (mock_server::MockServer, Client) {
    let mock = mock_server::start().await;
    let client = Client::connect(&mock.addr.to_string(), 4000, None).await.expect("connects");
    (mock, client)
}

#[test]
fn server_addresses_are_read_in_three_spellings() {
    for s in ["127.0.0.1:2181", "ws://127.0.0.1:2181", "http://127.0.0.1:2181/", "WS://127.0.0.1:2181/client"] {
        assert_eq!(host_port(s).unwrap(), "127.0.0.1:2181", "{s}");
    }
    for bad in ["127.0.0.1", "https://h:1", "h:port", ":80"] {
        assert!(matches!(host_port(bad), Err(ClientError::Protocol(_))), "{bad}");
    }
}

#[tokio::test]
async fn connect_starts_a_session_and_resumes_one() {
    let mock = mock_server::start().await;
    let a = Client::connect(&format!("ws://{}", mock.addr), 3000, None).await.unwrap();
    assert_eq!(a.timeout_ms(), 3000);
    assert_eq!(a.session_id() >> 32, 1);
    let b = Client::connect(&format!("http://{}", mock.addr), 3000, Some(a.session_id())).await.unwrap();
    assert_eq!(b.session_id(), a.session_id());
}

#[tokio::test]
async fn create_get_set_children_and_delete_round_trip() {
    let (_mock, c) = connected().await;
    assert_eq!(c.create("/app", "v1", CreateMode::Persistent).await.unwrap(), "/app");
    let seq = c.create("/app/lock-", "me", CreateMode::EphemeralSequential).await.unwrap();
    assert!(seq.starts_with("/app/lock-") && seq.len() == "/app/lock-".len() + 10, "{seq}");
    let (data, stat) = c.get("/app", false).await.unwrap();
    assert_eq!((data.as_str(), stat.version, stat.num_children), ("v1", 0, 1));
    assert_eq!(c.set("/app", "v2", Some(0)).await.unwrap().version, 1);
    assert_eq!(c.children("/app", false).await.unwrap(), vec![seq[5..].to_string()]);
    c.delete(&seq, None).await.unwrap();
    assert_eq!(c.exists(&seq, false).await.unwrap(), None);
    assert!(c.sync("/").await.unwrap().counter() >= 4);
}

#[tokio::test]
async fn pipelined_replies_are_matched_by_id_even_out_of_order() {
    let (mock, c) = connected().await;
    // The mock answers each after its delay: the replies come back reversed, and
    // each still reaches the request that asked (its data is its delay).
    let c = &c;
    let mut pending: futures_util::stream::FuturesUnordered<_> = ["/delay/300", "/delay/150", "/delay/0"]
        .into_iter()
        .map(|p| async move { (p, c.get(p, false).await) })
        .collect();
    let mut finished = Vec::new();
    while let Some((path, reply)) = pending.next().await {
        assert_eq!(reply.unwrap().0, path["/delay/".len()..]);
        finished.push(path);
    }
    assert_eq!(finished, ["/delay/0", "/delay/150", "/delay/300"], "none waited for an earlier one");

    // Many in flight at once, each gets its own answer.
    let creates =
        (0..200).map(|i| async move { c.create(&format!("/n{i}"), &i.to_string(), CreateMode::Persistent).await });
    let created = futures_util::future::join_all(creates).await;
    for (i, path) in created.into_iter().enumerate() {
        assert_eq!(path.unwrap(), format!("/n{i}"));
    }
    assert!(mock.shared.requests.load(Ordering::Relaxed) >= 204);
}

#[tokio::test]
async fn watch_pushes_arrive_on_the_watch_channel() {
    let (_mock, c) = connected().await;
    let mut watches = c.watches().expect("the first call takes the receiver");
    assert!(c.watches().is_none());
    c.create("/w", "a", CreateMode::Persistent).await.unwrap();
    c.get("/w", true).await.unwrap();
    c.children("/w", true).await.unwrap();
    assert_eq!(c.exists("/w/new", true).await.unwrap(), None);
    c.set("/w", "b", None).await.unwrap();
    c.create("/w/new", "", CreateMode::Persistent).await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let ev =
            tokio::time::timeout(Duration::from_secs(5), watches.recv()).await.expect("in time").expect("an event");
        seen.push((ev.kind, ev.path));
    }
    seen.sort_by_key(|(k, p)| (p.clone(), k.name()));
    let want = [
        (WatchEventType::ChildrenChanged, "/w"),
        (WatchEventType::DataChanged, "/w"),
        (WatchEventType::Created, "/w/new"),
    ];
    assert_eq!(seen, want.map(|(k, p)| (k, p.to_string())));
}

#[tokio::test]
async fn server_errors_keep_their_zookeeper_code() {
    let (_mock, c) = connected().await;
    let err = c.get("/nope", false).await.unwrap_err();
    assert_eq!(err, ClientError::Server { code: ErrorCode::NoNode, message: "get /nope".into() });
    assert_eq!(err.to_string(), "NoNode: get /nope");
    c.create("/x", "", CreateMode::Persistent).await.unwrap();
    assert_eq!(c.create("/x", "", CreateMode::Persistent).await.unwrap_err().code(), ErrorCode::NodeExists);
    c.create("/x/y", "", CreateMode::Persistent).await.unwrap();
    assert_eq!(c.delete("/x", None).await.unwrap_err().code(), ErrorCode::NotEmpty);
    let unknown = c.request_json(serde_json::json!({"op": "frobnicate"})).await.unwrap_err();
    assert_eq!(unknown.code(), ErrorCode::Malformed);
    assert_eq!(code_name(ErrorCode::NoChildrenForEphemerals), "NoChildrenForEphemerals");
    // A code this client does not know is the server speaking another version.
    let frame = serde_json::json!({"ok": false, "error": {"code": "SomethingNew", "message": "m"}});
    let unknown = types::verdict(9, frame.as_object().unwrap().clone()).unwrap_err();
    assert!(matches!(&unknown, ClientError::Protocol(m) if m.contains("SomethingNew")), "{unknown:?}");
}

#[tokio::test]
async fn a_closed_connection_fails_waiting_and_later_requests_at_once() {
    let mock = mock_server::start().await;
    let c = Client::connect_with(&mock.addr.to_string(), opts(5000)).await.unwrap();
    let mut watches = c.watches().unwrap();
    let started = Instant::now();
    let (slow, dropped) = tokio::join!(c.get("/slow", false), c.get("/drop", false));
    assert!(matches!(slow, Err(ClientError::ConnectionLoss(_))), "{slow:?}");
    assert!(matches!(dropped, Err(ClientError::ConnectionLoss(_))), "{dropped:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "waited for the timeout instead");
    assert_eq!(c.ping().await.unwrap_err().code(), ErrorCode::ConnectionLoss);
    let ended = tokio::time::timeout(Duration::from_secs(2), watches.recv()).await.expect("in time");
    assert_eq!(ended, None, "the watch channel ends with the connection");
}

#[tokio::test]
async fn a_reply_that_does_not_come_times_out_as_connection_loss() {
    let mock = mock_server::start().await;
    let c = Client::connect_with(&mock.addr.to_string(), opts(200)).await.unwrap();
    let started = Instant::now();
    let err = c.get("/slow", false).await.unwrap_err();
    assert!(matches!(&err, ClientError::ConnectionLoss(m) if m.contains("get")), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(c.get("/", false).await.unwrap().1.version, 0, "the connection is still usable");
}

#[tokio::test]
async fn connecting_where_nobody_answers_is_connection_loss() {
    // A listener that accepts and never speaks: the handshake times out.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = Client::connect_with(&silent.local_addr().unwrap().to_string(), opts(200)).await.err().unwrap();
    assert!(matches!(err, ClientError::ConnectionLoss(_)), "{err:?}");
    // A port nobody listens on (taken, then freed): refused.
    let port = silent.local_addr().unwrap().port();
    drop(silent);
    let err = Client::connect_with(&format!("127.0.0.1:{port}"), opts(1000)).await.err().unwrap();
    assert_eq!(err.code(), ErrorCode::ConnectionLoss);
}

#[tokio::test]
async fn the_session_is_kept_alive_with_pings() {
    let mock = mock_server::start().await;
    let c = Client::connect(&mock.addr.to_string(), 60, None).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while mock.shared.pings.load(Ordering::Relaxed) < 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(mock.shared.pings.load(Ordering::Relaxed) >= 3);
    drop(c);
}

#[tokio::test]
async fn close_ends_the_session_and_the_connection() {
    let (_mock, c) = connected().await;
    c.close().await.unwrap();
    assert_eq!(c.get("/", false).await.unwrap_err().code(), ErrorCode::ConnectionLoss);
}

#[test]
fn requests_serialize_as_the_protocol_spells_them() {
    let create = Op::Create { path: "/a".into(), data: "x".into(), ephemeral: true, sequential: false };
    let json = op_json(&create);
    assert_eq!(
        (json["op"].as_str(), json["path"].as_str(), json["ephemeral"].as_bool()),
        (Some("create"), Some("/a"), Some(true))
    );
    assert_eq!(op_json(&Op::Ping {}), serde_json::json!({"op": "ping"}));
    let connect = Op::Connect { session_timeout_ms: 4000, session_id: Some(SessionId(7)) };
    assert_eq!(op_json(&connect), serde_json::json!({"op": "connect", "session_timeout_ms": 4000, "session_id": 7}));
    let multi = Op::Multi { ops: vec![Op::Check { path: "/a".into(), version: Some(3) }] };
    assert_eq!(
        op_json(&multi),
        serde_json::json!({"op": "multi", "ops": [{"op": "check", "path": "/a", "version": 3}]})
    );
}
