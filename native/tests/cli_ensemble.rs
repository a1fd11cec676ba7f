//! The client library, `ensemble cli` and `ensemble status` against real `ensemble node`
//! processes: a three-server ensemble on loopback. Every wait is bounded.

#[path = "support/run_cli.rs"]
mod run_cli;
mod support;

use ensemble_native::client::{Client, ClientError, ClientOptions, CreateMode, ErrorCode, Op, WatchEventType};
use run_cli::{ensemble, text};
use std::time::{Duration, Instant};
use support::Ensemble;

const LIMIT: Duration = Duration::from_secs(20);

/// A session on `addr`, retrying while the server answers ConnectionLoss (catching up).
async fn connect(addr: &str, session_id: Option<u64>) -> Client {
    let deadline = Instant::now() + LIMIT;
    loop {
        let opts = ClientOptions { session_timeout_ms: 6000, session_id, ..ClientOptions::default() };
        match Client::connect_with(addr, opts).await {
            Ok(c) => return c,
            Err(e) if e.code() == ErrorCode::ConnectionLoss && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("no session on {addr}: {e}"),
        }
    }
}

#[test]
fn the_cli_and_the_library_work_against_a_real_ensemble() {
    let e = Ensemble::start(3);
    e.wait_serving(LIMIT);
    let addrs: Vec<String> = e.servers.iter().map(|s| s.addr.clone()).collect();
    cli_script(&addrs[0], &addrs[1]);
    status_table(&addrs);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(library(&addrs));
}

fn cli_script(first: &str, second: &str) {
    let script = "create /app x\ncreate -s /app/job- a\nset -v 0 /app y\nget /app\nls /app\nexists /nope\nget /nope\nset -v 7 /app z\n";
    let o = ensemble(&["cli", "--server", first], script);
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[..2], ["/app", "/app/job-0000000000"], "{out}\n{}", text(&o.stderr));
    assert_eq!(lines[2..], ["y", "job-0000000000", "false"], "{out}");
    assert_eq!(text(&o.stderr), "error: NoNode: get /nope\nerror: BadVersion: set /app\n");
    assert_eq!(o.status.code(), Some(1));
    // Another server serves the same tree after a sync.
    let o = ensemble(&["cli", "--server", &format!("http://{second}")], "sync /\nget -s /app\n");
    let out = text(&o.stdout);
    assert!(out.starts_with("0x") && out.contains("\ny\ncZxid = 0x") && out.contains("dataVersion = 1\n"), "{out}");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

fn status_table(addrs: &[String]) {
    let gone = format!("127.0.0.1:{}", support::free_port());
    let all = format!("{},{gone}", addrs.join(","));
    let o = ensemble(&["status", "--table", "--server", &all], "");
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), 5, "{out}");
    assert_eq!(out.matches("LEADING").count(), 1, "{out}");
    assert_eq!(out.matches("FOLLOWING").count(), 2, "{out}");
    assert!(out.lines().last().unwrap().contains("unreachable"), "{out}");
    assert_eq!(o.status.code(), Some(1));
    let o = ensemble(&["status", "--server", &addrs[0]], "");
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(json["znodes"].as_u64().is_some() && json["last_zxid"].is_string(), "{json}");
}

async fn library(addrs: &[String]) {
    let c = connect(&addrs[1], None).await;
    let mut watches = c.watches().unwrap();
    c.create("/lib", "", CreateMode::Persistent).await.unwrap();
    // Pipelined: many writes in flight at once, each answered by its own id.
    let creates = (0..100).map(|i| {
        let c = &c;
        async move { c.create(&format!("/lib/n{i:03}"), &i.to_string(), CreateMode::Persistent).await }
    });
    for (i, r) in futures_util::future::join_all(creates).await.into_iter().enumerate() {
        assert_eq!(r.unwrap(), format!("/lib/n{i:03}"));
    }
    assert_eq!(c.children("/lib", true).await.unwrap().len(), 100);
    let (data, stat) = c.get("/lib/n007", true).await.unwrap();
    assert_eq!((data.as_str(), stat.version), ("7", 0));
    // A write through another server fires this one's watches.
    let other = connect(&addrs[2], None).await;
    other.set("/lib/n007", "seven", Some(0)).await.unwrap();
    other.delete("/lib/n000", None).await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let ev = tokio::time::timeout(LIMIT, watches.recv()).await.expect("a watch in time").expect("open");
        seen.push((ev.kind, ev.path));
    }
    assert!(seen.contains(&(WatchEventType::DataChanged, "/lib/n007".into())), "{seen:?}");
    assert!(seen.contains(&(WatchEventType::ChildrenChanged, "/lib".into())), "{seen:?}");
    let err = c.delete("/lib", None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotEmpty, "{err}");
    multi_and_moving(c, addrs).await;
}

/// `multi` is all or none; a session moves to another server with its ephemeral node.
async fn multi_and_moving(c: Client, addrs: &[String]) {
    let ok = Op::Check { path: "/lib".into(), version: Some(0) };
    let bad = Op::Delete { path: "/lib/n001".into(), version: Some(5) };
    let err = c.multi(vec![ok.clone(), bad]).await.unwrap_err();
    assert!(matches!(&err, ClientError::Server { code: ErrorCode::BadVersion, .. }), "{err:?}");
    assert_eq!(c.multi(vec![ok]).await.unwrap().len(), 1);
    c.create("/lib/mine", "", CreateMode::Ephemeral).await.unwrap();
    let moved = connect(&addrs[0], Some(c.session_id())).await;
    assert_eq!(moved.session_id(), c.session_id());
    drop(c);
    moved.sync("/").await.unwrap();
    assert!(moved.exists("/lib/mine", false).await.unwrap().is_some());
    moved.close().await.unwrap();
    let watcher = connect(&addrs[2], None).await;
    watcher.sync("/").await.unwrap();
    assert_eq!(watcher.exists("/lib/mine", false).await.unwrap(), None, "closing deleted the ephemeral node");
}
