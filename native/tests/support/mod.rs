//! Real `ensemble node` processes for the multi-process tests: free loopback ports,
//! a data directory each, kill -9 and restart, `/status` polling and a small blocking
//! `/client` client. Every wait is bounded; dropping an [`Ensemble`] kills its nodes.

#![allow(dead_code)] // each test file uses its own part

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::{self, stream::MaybeTlsStream, Message};

pub struct Server {
    pub id: u32,
    pub addr: String,
    data_dir: PathBuf,
    child: Option<Child>,
}

pub struct Ensemble {
    pub servers: Vec<Server>,
    peers: Vec<String>,
    _dir: tempfile::TempDir,
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("binds").local_addr().expect("has an address").port()
}

impl Ensemble {
    /// `n` servers on free loopback ports, all started.
    pub fn start(n: u32) -> Ensemble {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let addrs: Vec<String> = (1..=n).map(|_| format!("127.0.0.1:{}", free_port())).collect();
        let peers = addrs.iter().enumerate().map(|(i, a)| format!("{}={a}", i + 1)).collect();
        let servers = (1..=n)
            .map(|id| Server {
                id,
                addr: addrs[id as usize - 1].clone(),
                data_dir: dir.path().join(format!("node{id}")),
                child: None,
            })
            .collect();
        let mut e = Ensemble { servers, peers, _dir: dir };
        for id in 1..=n {
            e.restart(id);
        }
        e
    }

    pub fn server(&self, id: u32) -> &Server {
        &self.servers[id as usize - 1]
    }

    /// Start server `id` (again), with its data directory as it is.
    pub fn restart(&mut self, id: u32) {
        let peers: Vec<&String> = self.peers.iter().filter(|p| !p.starts_with(&format!("{id}="))).collect();
        let s = &mut self.servers[id as usize - 1];
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ensemble"));
        cmd.args(["node", "--id", &id.to_string(), "--listen", &s.addr, "--data-dir"]).arg(&s.data_dir);
        for p in peers {
            cmd.args(["--peer", p]);
        }
        s.child = Some(spawn_node(cmd));
    }

    /// kill -9 server `id`.
    pub fn kill(&mut self, id: u32) {
        if let Some(mut c) = self.servers[id as usize - 1].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn status(&self, id: u32) -> Option<Value> {
        self.server(id).child.as_ref()?;
        serde_json::from_str(&http_get(&self.server(id).addr, "/status")?).ok()
    }

    /// Wait (at most `limit`) until `ok` holds of the running servers' statuses.
    pub fn wait_for(&self, what: &str, limit: Duration, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + limit;
        loop {
            let statuses: Vec<Value> = self.servers.iter().filter_map(|s| self.status(s.id)).collect();
            if ok(&statuses) {
                return statuses;
            }
            assert!(Instant::now() < deadline, "not {what} within {limit:?}: {statuses:#?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait until the running servers serve: one leads and every other follows it, all
    /// in broadcast. Returns the leader's id.
    pub fn wait_serving(&self, limit: Duration) -> u32 {
        let running = self.servers.iter().filter(|s| s.child.is_some()).count();
        let statuses = self.wait_for("serving", limit, |st| {
            let leader = st.iter().find(|s| s["state"] == "LEADING").map(|s| s["id"].clone());
            st.len() == running
                && leader.is_some()
                && st.iter().all(|s| s["phase"] == "BROADCAST" && (s["leader"] == *leader.as_ref().unwrap()))
        });
        statuses.iter().find(|s| s["state"] == "LEADING").and_then(|s| s["id"].as_u64()).expect("a leader") as u32
    }
}

impl Drop for Ensemble {
    fn drop(&mut self) {
        for id in 1..=self.servers.len() as u32 {
            self.kill(id);
        }
    }
}

/// Start a node and wait for its startup line; keep draining its stdout after.
pub fn spawn_node(mut cmd: Command) -> Child {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("ensemble starts");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("a startup line");
    assert!(line.contains("listening on"), "startup line: {line}");
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    child
}

/// GET `path` on `addr`: the body, if it answered.
pub fn http_get(addr: &str, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    text.split_once("\r\n\r\n").map(|(_, body)| body.to_string())
}

/// A blocking `/client` client for tests: one request at a time, watches kept aside.
pub struct Client {
    ws: tungstenite::WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    pub watches: Vec<Value>,
}

impl Client {
    /// Open a connection (no session yet).
    pub fn open(addr: &str) -> Client {
        let (ws, _) = tungstenite::connect(format!("ws://{addr}/client")).expect("connects");
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout set");
        }
        Client { ws, next_id: 1, watches: Vec::new() }
    }

    /// Open a connection and a session, retrying ConnectionLoss for at most `limit`.
    pub fn connect(addr: &str, limit: Duration) -> (Client, u64) {
        let deadline = Instant::now() + limit;
        let mut c = Client::open(addr);
        loop {
            let r = c.call(json!({"op": "connect", "session_timeout_ms": 4000}));
            if r["ok"] == true {
                return (c, r["session_id"].as_u64().expect("a session id"));
            }
            assert!(Instant::now() < deadline, "no session within {limit:?}: {r}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Send one raw text frame.
    pub fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).expect("sends");
    }

    /// The next frame that is not a watch.
    pub fn read_reply(&mut self) -> Value {
        loop {
            let frame = self.ws.read().expect("a frame");
            let Message::Text(text) = frame else { continue };
            let v: Value = serde_json::from_str(&text).expect("JSON");
            if v.get("watch").is_some() {
                self.watches.push(v);
            } else {
                return v;
            }
        }
    }

    /// Send `req` with a fresh id and return its reply.
    pub fn call(&mut self, mut req: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        req["id"] = id.into();
        self.send_text(&req.to_string());
        let reply = self.read_reply();
        assert_eq!(reply["id"], id, "replies in order: {reply}");
        reply
    }

    /// The next watch event, waiting for at most the read timeout.
    pub fn next_watch(&mut self) -> Value {
        if !self.watches.is_empty() {
            return self.watches.remove(0);
        }
        let frame = self.ws.read().expect("a watch frame");
        let Message::Text(text) = frame else { panic!("not text: {frame:?}") };
        serde_json::from_str(&text).expect("JSON")
    }
}

pub fn data_dir_of(e: &Ensemble, id: u32) -> &Path {
    &e.server(id).data_dir
}
