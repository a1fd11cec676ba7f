//! `ensemble demo` runs a real local ensemble beside the web app: `/live` describes its
//! nodes, and a node crashed through the demo's controls is replaced as leader and
//! comes back from its log. Loopback only; every wait is bounded.

mod support;

use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{free_port, raw_http};

struct Demo(Child, String);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(dist: &std::path::Path) -> Demo {
    let addr = format!("127.0.0.1:{}", free_port());
    let port = addr.rsplit(':').next().expect("a port").to_string();
    let child = Command::new(env!("CARGO_BIN_EXE_ensemble"))
        .args(["demo", "--port", &port, "--dist"])
        .arg(dist)
        .stdout(Stdio::null())
        .spawn()
        .expect("starts");
    Demo(child, addr)
}

fn live(addr: &str) -> Option<Value> {
    serde_json::from_str(&support::http_get(addr, "/live")?).ok()
}

fn post(addr: &str, path: &str) -> String {
    let request = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    raw_http(addr, &request).expect("an answer")
}

/// The live view once `ok` holds of its nodes, polling for at most 20 s.
fn wait_live(addr: &str, what: &str, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let nodes = live(addr).and_then(|l| l["nodes"].as_array().cloned()).unwrap_or_default();
        if !nodes.is_empty() && ok(&nodes) {
            return nodes;
        }
        assert!(Instant::now() < deadline, "not {what}: {nodes:#?}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn leader(nodes: &[Value]) -> Option<u64> {
    nodes.iter().find(|n| n["status"]["state"] == "LEADING" && n["status"]["phase"] == "BROADCAST")?["id"].as_u64()
}

#[test]
fn the_demo_runs_a_real_ensemble_whose_nodes_crash_and_restart_from_the_page() {
    let dist = tempfile::TempDir::new().expect("temp dir");
    std::fs::write(dist.path().join("index.html"), "<html></html>").expect("writes");
    let demo = start(dist.path());
    let addr = demo.1.clone();
    let nodes = wait_live(&addr, "serving", |n| leader(n).is_some() && n.len() == 3);
    let old = leader(&nodes).expect("a leader");
    assert!(nodes.iter().all(|n| n["addr"].as_str().is_some_and(|a| a.starts_with("127.0.0.1:"))));
    assert!(post(&addr, &format!("/live/nodes/{old}/crash")).starts_with("HTTP/1.1 200"));
    let nodes = wait_live(&addr, "a new leader", |n| leader(n).is_some_and(|l| l != old));
    assert_eq!(nodes[old as usize - 1]["running"], false);
    assert!(post(&addr, "/live/nodes/9/crash").starts_with("HTTP/1.1 400"));
    assert!(post(&addr, &format!("/live/nodes/{old}/restart")).starts_with("HTTP/1.1 200"));
    wait_live(&addr, "all back", |n| n.iter().all(|n| n["status"]["phase"] == "BROADCAST"));
}
