//! `ensemble bench` as a user runs it, with tiny settings: it starts its own local
//! ensemble, reports every figure in its JSON, and leaves no process or file behind,
//! also when interrupted. Every wait is bounded.

use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

/// `ensemble bench ARGS` with its temp dirs under `tmp`.
fn bench(tmp: &Path, args: &[&str]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ensemble"));
    cmd.arg("bench").args(args).env("TMPDIR", tmp).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.spawn().expect("ensemble bench starts")
}

/// Wait for `child` at most `limit`; kill it if it runs longer.
fn wait_bounded(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("waits") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("ensemble bench did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// No process still runs with `tmp` on its command line (the nodes' `--data-dir`).
fn no_process_under(tmp: &Path) -> bool {
    let needle = tmp.to_string_lossy().to_string();
    let procs = std::fs::read_dir("/proc").expect("/proc");
    !procs.flatten().any(|p| {
        let cmdline = std::fs::read(p.path().join("cmdline")).unwrap_or_default();
        String::from_utf8_lossy(&cmdline).contains(&needle)
    })
}

fn ordered(l: &Value) -> bool {
    let at = |q: &str| l[q].as_f64().unwrap_or(-1.0);
    at("p50") > 0.0 && at("p50") <= at("p90") && at("p90") <= at("p99") && at("p99") <= at("max")
}

/// `fsync_micros` is there, `null` (a server without it) or a sane distribution.
fn fsync_ok(f: &Value) -> bool {
    f.is_null()
        || (f["count"].as_u64() > Some(0)
            && f["p50"].as_u64() <= f["p99"].as_u64()
            && f["p99"].as_u64() <= f["max"].as_u64())
}

fn check_phases(r: &Value) {
    let names: Vec<&str> = r["phases"].as_array().expect("phases").iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["sequential", "pipelined", "reads", "mixed"]);
    for p in r["phases"].as_array().expect("phases") {
        let ops = if p["name"] == "sequential" { 50 } else { 200 };
        assert_eq!((p["operations"].as_u64(), p["errors"].as_u64()), (Some(ops), Some(0)), "{p}");
        assert!(p["ops_per_sec"].as_f64() > Some(0.0) && p["seconds"].as_f64() > Some(0.0), "{p}");
        assert!(ordered(&p["latency_ms"]), "{p}");
        let fsync = p["fsync_after"].as_array().expect("fsync_after");
        assert!(fsync.len() == 3 && fsync.iter().all(|f| f.get("fsync_micros").is_some_and(fsync_ok)), "{p}");
    }
    let phase = |name: &str| r["phases"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap().clone();
    assert_eq!((phase("sequential")["clients"].as_u64(), phase("sequential")["pipeline"].as_u64()), (Some(1), Some(1)));
    assert_eq!(phase("reads")["reads"].as_u64(), Some(200));
    assert_eq!(phase("pipelined")["writes"].as_u64(), Some(200));
}

fn check_start_and_nodes(r: &Value) {
    let start = &r["start"];
    let first = start["first_write_ms"].as_f64().expect("first_write_ms");
    assert!(first > 0.0 && first < 20_000.0, "{start}");
    assert!(start["all_broadcast_ms"].as_f64() > Some(0.0), "{start}");
    for n in start["nodes"].as_array().expect("start nodes") {
        assert!(
            n["listening_ms"].as_f64() > Some(0.0) && n["listening_ms"].as_f64() <= n["broadcast_ms"].as_f64(),
            "{n}"
        );
    }
    let nodes = r["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 3);
    for n in nodes {
        for key in ["rss_idle_bytes", "rss_after_load_bytes"] {
            let rss = n[key].as_u64().unwrap_or(0);
            assert!(rss > 1 << 20 && rss < 1 << 30, "{key}: {n}");
        }
        assert!(
            n["pid"].is_u64() && n.get("status_rss_bytes").is_some() && n.get("fsync_micros").is_some_and(fsync_ok),
            "{n}"
        );
    }
}

#[test]
fn a_tiny_run_reports_every_figure_and_cleans_up() {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let args = ["--operations", "200", "--sequential-operations", "50", "--failover", "1", "--json"];
    let mut child = bench(tmp.path(), &args);
    let status = wait_bounded(&mut child, LIMIT);
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(status.success(), "{status}: {stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!((r["settings"]["local"].as_bool(), r["settings"]["fsync"].as_str()), (Some(true), Some("always")));
    check_start_and_nodes(&r);
    check_phases(&r);
    let f = &r["failover"];
    let rounds = f["rounds"].as_array().expect("rounds");
    assert_eq!(rounds.len(), 1);
    let write_ms = rounds[0]["write_ms"].as_f64().expect("write_ms");
    assert!(write_ms > 0.0 && write_ms < 15_000.0 && f["median_ms"].as_f64() == Some(write_ms), "{f}");
    assert_ne!(rounds[0]["killed"], rounds[0]["new_leader"], "{f}");
    assert!(rounds[0]["rejoin_ms"].as_f64() > Some(0.0), "{f}");
    assert!(no_process_under(tmp.path()), "a node outlived the benchmark");
    assert_eq!(std::fs::read_dir(tmp.path()).expect("reads").count(), 0, "the nodes' directory is left");
}

#[test]
fn an_interrupted_run_kills_its_nodes_and_removes_their_directory() {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let mut child = bench(tmp.path(), &["--operations", "100000000", "--phases", "reads"]);
    // Interrupt once the nodes have data directories (they are up or nearly).
    let deadline = Instant::now() + LIMIT;
    let started = || {
        let dirs = std::fs::read_dir(tmp.path()).map(|d| d.flatten().collect::<Vec<_>>()).unwrap_or_default();
        dirs.iter().any(|d| d.path().join("node3").exists())
    };
    while !started() {
        assert!(Instant::now() < deadline, "no node started within {LIMIT:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
    assert!(sent.success());
    let status = wait_bounded(&mut child, Duration::from_secs(10));
    let stderr = child.wait_with_output().map(|o| String::from_utf8_lossy(&o.stderr).into_owned()).unwrap_or_default();
    assert!(!status.success() && stderr.contains("interrupted"), "{status}: {stderr}");
    assert!(no_process_under(tmp.path()), "a node outlived the benchmark");
    assert_eq!(std::fs::read_dir(tmp.path()).expect("reads").count(), 0, "the nodes' directory is left");
}
