//! Real processes under faults: kill -9 the leader, a follower, or every server while
//! clients write through every server; no acknowledged write is lost and the servers
//! converge. Loopback only; every loop is bounded in count and time.

mod support;

use ensemble_core::{SessionId, Zxid};
use ensemble_native::history::znode::{check_paths, Action, ZInput, ZOutput, ZnodeOp, DEFAULT_BUDGET};
use ensemble_native::history::{check_reads, Event as ReadEvent, SessionEvent, NO_RETURN};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use support::{Client, Ensemble};

const SERVING: Duration = Duration::from_secs(20);

/// Registers every writer overwrites, for the linearizability check.
const REGISTERS: [&str; 2] = ["/r0", "/r1"];

/// What the writers saw: acknowledged creations, every overwrite of a register, and
/// each session's writes and reads of the registers.
#[derive(Default)]
struct Seen {
    acked: Vec<String>,
    ops: Vec<ZnodeOp>,
    sessions: Vec<SessionEvent>,
}

/// The outcome of a set as the history checker reads it.
fn set_output(reply: &Result<Value, String>) -> ZOutput {
    match reply {
        Ok(r) if r["ok"] == true => {
            ZOutput::Ok { version: r["stat"]["version"].as_i64().map(|v| v as i32), data: None }
        }
        Ok(r) if r["error"]["code"] == "SessionExpired" => ZOutput::Err(ensemble_core::tree::ZkError::SessionExpired),
        _ => ZOutput::Unknown,
    }
}

fn zxid(v: &Value) -> Zxid {
    serde_json::from_value(v.clone()).expect("a zxid")
}

/// One writer thread: creates its own znodes `/w{t}-{i}`, overwrites and reads the
/// registers in turn, and moves to the next server whenever one fails it.
struct Writer {
    t: usize,
    epoch: Instant,
    seen: Seen,
    client: Option<(Client, SessionId)>,
}

impl Writer {
    fn micros(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }

    fn note(&mut self, event: ReadEvent) {
        let session = self.client.as_ref().expect("connected").1;
        self.seen.sessions.push(SessionEvent { session, event });
    }

    fn set(&mut self, i: usize) {
        let (path, data) = (REGISTERS[(i / 4) % REGISTERS.len()], format!("{}-{i}", self.t));
        let call = self.micros();
        let c = &mut self.client.as_mut().expect("connected").0;
        let reply = c.try_call(json!({"op": "set", "path": path, "data": data}));
        let output = set_output(&reply);
        let unknown = output == ZOutput::Unknown;
        let ret = if unknown { NO_RETURN } else { self.micros() };
        let input = ZInput::Set { data: data.clone(), version: None };
        let action = Action::Single { path: path.into(), input, output };
        self.seen.ops.push(ZnodeOp { client: self.t as u64, call, ret, action });
        match reply {
            Ok(r) if r["ok"] == true => {
                self.note(ReadEvent::Wrote { path: path.into(), zxid: zxid(&r["zxid"]), data: Some(data) })
            }
            _ if unknown => {
                self.note(ReadEvent::MaybeWrote { path: path.into(), data: Some(data) });
                self.client = None;
            }
            _ => {}
        }
    }

    fn get(&mut self, i: usize) {
        let path = REGISTERS[(i / 4) % REGISTERS.len()];
        let c = &mut self.client.as_mut().expect("connected").0;
        match c.try_call(json!({"op": "get", "path": path})) {
            Ok(r) if r["ok"] == true => {
                let found = Some((r["data"].as_str().expect("data").to_string(), zxid(&r["stat"]["mzxid"])));
                self.note(ReadEvent::Read { path: path.into(), found });
            }
            _ => self.client = None,
        }
    }

    fn create(&mut self, i: usize) {
        let path = format!("/w{}-{i}", self.t);
        let c = &mut self.client.as_mut().expect("connected").0;
        match c.try_call(json!({"op": "create", "path": path, "data": format!("{i}")})) {
            Ok(r) if r["ok"] == true => self.seen.acked.push(path),
            // ConnectionLoss, or the connection broke: maybe applied; go elsewhere.
            _ => self.client = None,
        }
    }
}

fn writer(t: usize, addrs: Vec<String>, stop: Arc<AtomicBool>, epoch: Instant) -> JoinHandle<Seen> {
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut w = Writer { t, epoch, seen: Seen::default(), client: None };
        let mut server = t;
        for i in 0..100_000 {
            if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
                break;
            }
            if w.client.is_none() {
                server += 1;
                w.client = session(&addrs[server % addrs.len()]);
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            match i % 4 {
                1 => w.set(i),
                3 => w.get(i),
                _ => w.create(i),
            }
        }
        w.seen
    })
}

fn session(addr: &str) -> Option<(Client, SessionId)> {
    let mut c = Client::try_open(addr)?;
    let r = c.try_call(json!({"op": "connect", "session_timeout_ms": 4000})).ok()?;
    let id = SessionId(r["session_id"].as_u64()?);
    (r["ok"] == true).then_some((c, id))
}

/// Create the registers, then start `n` writers.
fn start_writers(e: &Ensemble, n: usize) -> (Arc<AtomicBool>, Vec<JoinHandle<Seen>>, Seen) {
    let epoch = Instant::now();
    let (mut c, session) = Client::connect(&e.server(1).addr, SERVING);
    let mut setup = Seen::default();
    for path in REGISTERS {
        let call = epoch.elapsed().as_micros() as u64;
        let r = c.call(json!({"op": "create", "path": path, "data": ""}));
        assert_eq!(r["ok"], true);
        let event = ReadEvent::Wrote { path: path.into(), zxid: zxid(&r["zxid"]), data: Some(String::new()) };
        setup.sessions.push(SessionEvent { session: SessionId(session), event });
        let (input, output) = (ZInput::Create { data: String::new() }, ZOutput::Ok { version: Some(0), data: None });
        let ret = epoch.elapsed().as_micros() as u64;
        let action = Action::Single { path: path.into(), input, output };
        setup.ops.push(ZnodeOp { client: 99, call, ret, action });
    }
    let addrs: Vec<String> = e.servers.iter().map(|s| s.addr.clone()).collect();
    let stop = Arc::new(AtomicBool::new(false));
    (stop.clone(), (0..n).map(|t| writer(t, addrs.clone(), stop.clone(), epoch)).collect(), setup)
}

/// Stop the writers; what they acknowledged, after checking that the registers' writes
/// are linearizable and each session's reads never went back in time.
fn stop_writers(stop: Arc<AtomicBool>, writers: Vec<JoinHandle<Seen>>, mut all: Seen) -> Vec<String> {
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        let seen = w.join().expect("a writer");
        all.acked.extend(seen.acked);
        all.ops.extend(seen.ops);
        all.sessions.extend(seen.sessions);
    }
    let report = check_paths(&all.ops, DEFAULT_BUDGET);
    assert!(report.illegal.is_empty(), "not linearizable: {:#?}", report.illegal);
    assert!(report.undecided.is_empty(), "undecided: {:?}", report.undecided);
    let reads = all.sessions.iter().filter(|e| matches!(e.event, ReadEvent::Read { .. })).count();
    assert!(reads > 0, "the writers read nothing");
    let violations = check_reads(&all.sessions);
    assert!(violations.is_empty(), "reads went back in time: {violations:#?}");
    all.acked
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
    let (stop, writers, ops) = start_writers(&e, 3);
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
    let acked = stop_writers(stop, writers, ops);
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

#[test]
fn a_partitioned_leader_cannot_commit_and_the_ensemble_converges_after_heal() {
    let e = Ensemble::start_proxied(3);
    let old = e.wait_serving(SERVING);
    let (stop, writers, ops) = start_writers(&e, 2);
    std::thread::sleep(Duration::from_millis(300));
    let (mut minority, _) = Client::connect(&e.server(old).addr, SERVING);
    e.isolate(old);
    // The majority elects a leader of its own and serves.
    e.wait_for("a new leader", SERVING, |st| {
        st.iter().filter(|s| s["state"] == "LEADING" && s["id"] != old && s["phase"] == "BROADCAST").count() == 1
    });
    let write = minority.try_call(json!({"op": "create", "path": "/minority", "data": "x"}));
    assert!(write.as_ref().map_or(true, |r| r["ok"] != true), "the minority committed: {write:?}");
    std::thread::sleep(Duration::from_millis(300));
    e.heal();
    e.wait_serving(SERVING);
    std::thread::sleep(Duration::from_millis(300));
    let acked = stop_writers(stop, writers, ops);
    check_converged(&e, &acked);
    assert!(!children(&e, old).contains("/minority"), "the minority's write survived");
}
