//! Clients of a real ensemble: sessions that move between servers or expire, watches
//! firing on other servers, and bad input that leaves every server serving.
//! Loopback only; every wait is bounded.

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{Client, Ensemble};

const SERVING: Duration = Duration::from_secs(20);

fn ok(r: &Value) -> bool {
    r["ok"] == true
}

#[test]
fn a_client_moving_to_another_server_keeps_its_session_and_its_ephemeral_node() {
    let e = Ensemble::start(3);
    e.wait_serving(SERVING);
    let (mut a, session) = Client::connect(&e.server(1).addr, SERVING);
    assert!(ok(&a.call(json!({"op": "create", "path": "/lock", "data": "me", "ephemeral": true}))));
    drop(a);
    let mut b = Client::open(&e.server(2).addr);
    let r = b.call(json!({"op": "connect", "session_id": session, "session_timeout_ms": 4000}));
    assert_eq!((r["ok"].clone(), r["session_id"].clone()), (json!(true), json!(session)), "{r}");
    let set = b.call(json!({"op": "set", "path": "/lock", "data": "still me", "version": 0}));
    assert!(ok(&set), "{set}");
    let got = b.call(json!({"op": "get", "path": "/lock"}));
    assert_eq!(got["stat"]["ephemeral_owner"], json!(session));
    let unknown = b.call(json!({"op": "connect", "session_id": 1}));
    assert_eq!(unknown["ok"], true, "this connection has a session already: {unknown}");
    let mut c = Client::open(&e.server(3).addr);
    let gone = c.call(json!({"op": "connect", "session_id": 1}));
    assert_eq!(gone["error"]["code"], "SessionExpired", "{gone}");
}

#[test]
fn an_expired_sessions_ephemeral_node_goes_and_a_watch_on_another_server_fires() {
    let e = Ensemble::start(3);
    e.wait_serving(SERVING);
    let mut owner = Client::open(&e.server(1).addr);
    let r = owner.call(json!({"op": "connect", "session_timeout_ms": 500}));
    assert!(ok(&r), "{r}");
    assert!(ok(&owner.call(json!({"op": "create", "path": "/member", "ephemeral": true}))));
    let (mut watcher, _) = Client::connect(&e.server(2).addr, SERVING);
    assert!(ok(&watcher.call(json!({"op": "sync", "path": "/member"}))));
    let seen = watcher.call(json!({"op": "exists", "path": "/member", "watch": true}));
    assert!(seen["stat"].is_object(), "{seen}");
    // The owner goes away without closing: the leader expires its session.
    drop(owner);
    let started = Instant::now();
    let event = watcher.next_watch();
    assert_eq!(event, json!({"watch": {"type": "deleted", "path": "/member"}}));
    assert!(started.elapsed() < Duration::from_secs(10), "expired after {:?}", started.elapsed());
    let gone = watcher.call(json!({"op": "exists", "path": "/member"}));
    assert_eq!(gone["stat"], Value::Null);
}

/// Frames a careless or hostile client might send.
fn bad_frame(i: u64) -> String {
    match i % 10 {
        0 => "not json".into(),
        1 => format!("[{i}]"),
        2 => json!({"op": "get", "path": "/"}).to_string(),
        3 => json!({"id": i, "op": "explode"}).to_string(),
        4 => json!({"id": i, "op": "get", "path": 12}).to_string(),
        5 => json!({"id": i, "op": "create", "path": "no-slash"}).to_string(),
        6 => json!({"id": i, "op": "multi", "ops": [{"op": "get", "path": "/"}]}).to_string(),
        7 => json!({"id": i, "op": "set", "path": "/", "version": "x"}).to_string(),
        8 => format!("{{\"id\":{i},\"op\":\"create\",\"path\":\"/r{}\",\"data\":\"\\u0000{}\"}}", i % 97, i),
        _ => json!({"id": i, "op": "delete", "path": format!("/r{}", i % 97)}).to_string(),
    }
}

#[test]
fn ten_thousand_malformed_and_random_frames_leave_every_server_serving() {
    let e = Ensemble::start(3);
    e.wait_serving(SERVING);
    let addrs: Vec<String> = e.servers.iter().map(|s| s.addr.clone()).collect();
    let floods: Vec<_> = addrs
        .into_iter()
        .map(|addr| {
            std::thread::spawn(move || {
                let (mut c, _) = Client::connect(&addr, SERVING);
                let mut codes = std::collections::BTreeSet::new();
                for i in 0..3_334 {
                    c.send_text(&bad_frame(i));
                    let reply = c.read_reply();
                    if let Some(code) = reply["error"]["code"].as_str() {
                        codes.insert(code.to_string());
                    }
                }
                codes
            })
        })
        .collect();
    let codes: std::collections::BTreeSet<String> = floods.into_iter().flat_map(|f| f.join().expect("flood")).collect();
    for want in ["Malformed", "BadArguments"] {
        assert!(codes.contains(want), "{want} in {codes:?}");
    }
    e.wait_serving(SERVING);
    let (mut c, _) = Client::connect(&e.server(1).addr, SERVING);
    assert!(ok(&c.call(json!({"op": "create", "path": "/after", "data": "fine"}))));
    let status = e.status(1).expect("status");
    assert!(status["rejected_frames"].as_u64().unwrap_or(0) >= 1_000, "{status}");
}

#[test]
fn a_frame_over_the_limit_is_refused_and_closes_only_its_connection() {
    let e = Ensemble::start(1);
    e.wait_serving(SERVING);
    let (mut c, _) = Client::connect(&e.server(1).addr, SERVING);
    let huge = json!({"op": "create", "path": "/big", "data": "x".repeat(2 << 20)});
    // The server answers TooLarge and closes at once; a client still sending may see the
    // connection reset before it reads that answer.
    match c.try_call(huge) {
        Ok(reply) => assert_eq!(reply["error"]["code"], "TooLarge", "{reply}"),
        Err(e) => assert!(e.contains("reset") || e.contains("closed") || e.contains("Broken pipe"), "{e}"),
    }
    let (mut d, _) = Client::connect(&e.server(1).addr, SERVING);
    assert!(ok(&d.call(json!({"op": "get", "path": "/"}))));
    assert_eq!(e.status(1).expect("status")["rejected_frames"], 1);
}

/// The upgrade request a peer `id` of `cluster` makes, with `secret` if given.
fn peer_upgrade(addr: &str, id: &str, cluster: &str, secret: Option<&str>) -> String {
    let secret = secret.map_or(String::new(), |s| format!("ensemble-cluster-secret: {s}\r\n"));
    format!(
        "GET /peer HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         ensemble-peer-version: 1\r\nensemble-peer-id: {id}\r\nensemble-cluster: {cluster}\r\n{secret}\r\n"
    )
}

/// Send `request` and read the answer's status line only (the connection may stay open).
fn status_line(addr: &str, request: &str) -> String {
    use std::io::{BufRead, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout set");
    s.write_all(request.as_bytes()).expect("sends");
    let mut line = String::new();
    std::io::BufReader::new(s).read_line(&mut line).expect("a status line");
    line
}

#[test]
fn a_peer_that_is_not_one_of_ours_or_lacks_the_secret_is_refused_and_counted() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join("secret"), "s3cret\n").expect("writes");
    let addr = format!("127.0.0.1:{}", support::free_port());
    let absent = format!("2=127.0.0.1:{}", support::free_port());
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ensemble"));
    cmd.args(["node", "--id", "1", "--listen", &addr, "--peer", &absent, "--cluster-secret"]);
    cmd.arg(dir.path().join("secret")).arg("--data-dir").arg(dir.path().join("data")).env("RUST_LOG", "error");
    let mut node = support::spawn_node(cmd);
    let refused = [
        ("9", "ensemble/1,2", Some("s3cret")),
        ("2", "other/1,2", Some("s3cret")),
        ("2", "ensemble/1,2", None),
        ("2", "ensemble/1,2", Some("guess")),
    ];
    for (id, cluster, secret) in refused {
        let answer = status_line(&addr, &peer_upgrade(&addr, id, cluster, secret));
        assert!(answer.starts_with("HTTP/1.1 403"), "{id} {cluster} {secret:?}: {answer}");
    }
    let welcome = peer_upgrade(&addr, "2", "ensemble/1,2", Some("s3cret"));
    let answer = status_line(&addr, &welcome);
    assert!(answer.starts_with("HTTP/1.1 101"), "{answer}");
    let status: Value = serde_json::from_str(&support::http_get(&addr, "/status").expect("status")).expect("JSON");
    assert_eq!(status["rejected_peers"], 4, "{status}");
    node.kill().expect("kill -9");
    node.wait().expect("reaped");
}
