//! `ensemble node` as a real process: it starts, says where it listens, serves
//! `/status`, and after `kill -9` recovers its epoch from its write-ahead log.
//! Loopback only; every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Start a one-server ensemble on a free port; its process (with its stdout kept open)
/// and its address.
fn start(data_dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ensemble"))
        .args(["node", "--id", "1", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("ensemble starts");
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    out.read_line(&mut line).expect("a startup line");
    // Keep reading what it prints, so it never writes to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let addr = line.split("listening on ").nth(1).and_then(|r| r.split(',').next()).expect("an address").to_string();
    (child, addr)
}

/// GET `path` on `addr` and return the body.
fn get(addr: &str, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    text.split_once("\r\n\r\n").map(|(_, body)| body.to_string())
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
