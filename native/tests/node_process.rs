//! `ensemble node` as a real process: it starts, says where it listens, serves
//! `/status`, and after `kill -9` recovers its epoch from its write-ahead log.
//! Loopback only; every wait is bounded.

mod support;

use std::process::{Child, Command};
use std::time::{Duration, Instant};
use support::{http_get as get, spawn_node};

/// Start a one-server ensemble on a free port; its process and its address.
fn start(data_dir: &std::path::Path) -> (Child, String) {
    let addr = format!("127.0.0.1:{}", support::free_port());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ensemble"));
    cmd.args(["node", "--id", "1", "--listen", &addr, "--data-dir"]).arg(data_dir);
    (spawn_node(cmd), addr)
}

/// The status once it shows `want`, polling for at most five seconds.
fn status_with(addr: &str, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last = String::new();
    while Instant::now() < deadline {
        last = get(addr, "/status").unwrap_or_default();
        if last.contains(want) {
            return last;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no status with {want} within 5 s; last: {last}");
}

#[test]
fn a_node_serves_its_status_and_recovers_its_epoch_after_kill_9() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let (mut node, addr) = start(dir.path());
    let status = status_with(&addr, "\"state\":\"LEADING\"");
    assert!(status.contains("\"epoch\":1"), "{status}");
    node.kill().expect("kill -9");
    node.wait().expect("reaped");
    let (mut node, addr) = start(dir.path());
    let status = status_with(&addr, "\"state\":\"LEADING\"");
    assert!(status.contains("\"epoch\":2"), "the epoch came back from the log: {status}");
    node.kill().expect("kill -9");
    node.wait().expect("reaped");
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let out = Command::new(env!("CARGO_BIN_EXE_ensemble"))
        .args(["node", "--id", "1", "--data-dir", "/nonexistent-never", "--peer", "3=127.0.0.1:1"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("server ids must be 1 to 2"), "{err}");
}

#[test]
fn sigterm_stops_a_node_cleanly() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let (mut node, addr) = start(dir.path());
    status_with(&addr, "\"state\"");
    let killed = Command::new("kill").args(["-TERM", &node.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = node.try_wait().expect("waits") {
            assert!(status.success(), "exited with {status}");
            return;
        }
        assert!(Instant::now() < deadline, "still running 5 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_node_serves_the_web_app_with_web() {
    let (data, web) = (tempfile::TempDir::new().expect("temp dir"), tempfile::TempDir::new().expect("temp dir"));
    std::fs::write(web.path().join("index.html"), "<title>Ensemble</title>").expect("writes");
    let addr = format!("127.0.0.1:{}", support::free_port());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ensemble"));
    cmd.args(["node", "--id", "1", "--listen", &addr, "--web"]).arg(web.path()).arg("--data-dir").arg(data.path());
    let mut node = spawn_node(cmd);
    assert!(get(&addr, "/").is_some_and(|b| b.contains("<title>Ensemble</title>")));
    assert!(status_with(&addr, "\"state\"").contains("\"id\":1"));
    node.kill().expect("kill -9");
    node.wait().expect("reaped");
}
