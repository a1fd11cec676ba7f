//! Real processes under faults: kill -9 the leader, a follower, or every server while
//! clients write through every server; no acknowledged write is lost and the servers
//! converge. Loopback only; every loop is bounded in count and time.

mod support;

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use support::{Client, Ensemble};

const SERVING: Duration = Duration::from_secs(20);

/// A writer creating its own znodes `/w{t}-{i}`, moving to the next server whenever
/// one fails it; returns the paths whose creation was acknowledged.
fn writer(t: usize, addrs: Vec<String>, stop: Arc<AtomicBool>) -> JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        let (deadline, mut acked) = (Instant::now() + Duration::from_secs(60), Vec::new());
        let mut server = t;
        let mut client: Option<Client> = None;
        for i in 0..100_000 {
            if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
                break;
            }
            let Some(c) = client.as_mut() else {
                server += 1;
                client = session(&addrs[server % addrs.len()]);
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            let path = format!("/w{t}-{i}");
            match c.try_call(json!({"op": "create", "path": path, "data": format!("{i}")})) {
                Ok(r) if r["ok"] == true => acked.push(path),
                // ConnectionLoss, or the connection broke: maybe applied; go elsewhere.
                _ => client = None,
            }
        }
        acked
    })
}

fn session(addr: &str) -> Option<Client> {
    let mut c = Client::try_open(addr)?;
    let r = c.try_call(json!({"op": "connect", "session_timeout_ms": 4000})).ok()?;
    (r["ok"] == true).then_some(c)
}

fn start_writers(e: &Ensemble, n: usize) -> (Arc<AtomicBool>, Vec<JoinHandle<Vec<String>>>) {
    let addrs: Vec<String> = e.servers.iter().map(|s| s.addr.clone()).collect();
    let stop = Arc::new(AtomicBool::new(false));
    (stop.clone(), (0..n).map(|t| writer(t, addrs.clone(), stop.clone())).collect())
}

fn stop_writers(stop: Arc<AtomicBool>, writers: Vec<JoinHandle<Vec<String>>>) -> Vec<String> {
    stop.store(true, Ordering::Relaxed);
    writers.into_iter().flat_map(|w| w.join().expect("a writer")).collect()
}

/// After a sync, the root's children as server `id` has them.
fn children(e: &Ensemble, id: u32) -> BTreeSet<String> {
    let (mut c, _) = Client::connect(&e.server(id).addr, SERVING);
    assert_eq!(c.call(json!({"op": "sync", "path": "/"}))["ok"], true);
    let r = c.call(json!({"op": "children", "path": "/"}));
    r["children"].as_array().expect("children").iter().map(|c| format!("/{}", c.as_str().expect("a name"))).collect()
}

/// Every server holds every acknowledged write, and all have the same tree.
fn check_converged(e: &Ensemble, acked: &[String]) {
    assert!(!acked.is_empty(), "the writers wrote nothing");
    for s in &e.servers {
        let have = children(e, s.id);
        let lost: Vec<&String> = acked.iter().filter(|p| !have.contains(*p)).collect();
        assert!(lost.is_empty(), "server {} lost acknowledged writes {lost:?}", s.id);
    }
    e.wait_for("converged", SERVING, |st: &[Value]| {
        st.len() == e.servers.len() && st.iter().all(|s| s["digest"] == st[0]["digest"])
    });
}

/// Kill `victims` under writers, restart them, and check nothing acknowledged is lost.
fn kill_under_writers(n: u32, victims: impl Fn(u32) -> Vec<u32>) {
    let mut e = Ensemble::start(n);
    let leader = e.wait_serving(SERVING);
    let (stop, writers) = start_writers(&e, 3);
    std::thread::sleep(Duration::from_millis(400));
    let victims = victims(leader);
    for v in &victims {
        e.kill(*v);
    }
    if victims.len() < n as usize / 2 + 1 {
        // The rest is a quorum: it serves again without the victims.
        e.wait_serving(SERVING);
        std::thread::sleep(Duration::from_millis(300));
    }
    for v in &victims {
        e.restart(*v);
    }
    e.wait_serving(SERVING);
    std::thread::sleep(Duration::from_millis(300));
    let acked = stop_writers(stop, writers);
    check_converged(&e, &acked);
}

#[test]
fn killing_the_leader_under_writers_loses_no_acknowledged_write() {
    kill_under_writers(3, |leader| vec![leader]);
}

#[test]
fn killing_a_follower_under_writers_loses_no_acknowledged_write() {
    kill_under_writers(3, |leader| vec![leader % 3 + 1]);
}

#[test]
fn killing_every_server_at_once_loses_no_acknowledged_write() {
    kill_under_writers(3, |_| vec![1, 2, 3]);
}

#[test]
fn five_servers_survive_losing_the_leader_and_a_follower() {
    kill_under_writers(5, |leader| vec![leader, leader % 5 + 1]);
}
