//! Real `ensemble node` processes for the multi-process tests: free loopback ports,
//! a data directory each, kill -9 and restart, `/status` polling and a small blocking
//! `/client` client. Every wait is bounded; dropping an [`Ensemble`] kills its nodes.

#![allow(dead_code)] // each test file uses its own part

pub mod proxy;

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
    /// Each server's `--peer` flags.
    peers: Vec<Vec<String>>,
    /// With [`Ensemble::start_proxied`], the proxy server `i` dials server `j` through,
    /// by `(i, j)`.
    pub proxies: std::collections::BTreeMap<(u32, u32), proxy::Proxy>,
    _dir: tempfile::TempDir,
}

/// A loopback port nobody listens on now, for a node to bind itself.
///
/// Taken below the kernel's ephemeral range (32768 and up), from which `bind(0)` (the
/// tests' proxies) and outgoing connections draw their ports: otherwise one of those
/// could take the port between now and the node's own bind, and the node would not start.
/// Each test process starts at its own place and goes on from there.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const LOW: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id().wrapping_mul(97) % SPAN;
    for _ in 0..SPAN {
        let port = (LOW + (start + NEXT.fetch_add(1, Ordering::Relaxed)) % SPAN) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port from {LOW} to {}", LOW + SPAN);
}

impl Ensemble {
    /// `n` servers on free loopback ports, all started.
    pub fn start(n: u32) -> Ensemble {
        Ensemble::launch(n, 0, false)
    }

    /// The same, each server reaching each other one through its own [`proxy::Proxy`].
    pub fn start_proxied(n: u32) -> Ensemble {
        Ensemble::launch(n, 0, true)
    }

    /// `voters` servers and then `observers` more that never vote.
    pub fn start_with_observers(voters: u32, observers: u32) -> Ensemble {
        Ensemble::launch(voters, observers, false)
    }

    fn launch(voters: u32, observers: u32, proxied: bool) -> Ensemble {
        let n = voters + observers;
        let dir = tempfile::TempDir::new().expect("temp dir");
        let addrs: Vec<String> = (1..=n).map(|_| format!("127.0.0.1:{}", free_port())).collect();
        let mut proxies = std::collections::BTreeMap::new();
        let mut peers = Vec::new();
        for i in 1..=n {
            let mut flags = Vec::new();
            for j in (1..=n).filter(|j| *j != i) {
                let mut addr = addrs[j as usize - 1].clone();
                if proxied {
                    let p = proxy::Proxy::start(addr);
                    addr = p.addr.clone();
                    proxies.insert((i, j), p);
                }
                flags.push(format!("{j}={addr}{}", if j > voters { ":observer" } else { "" }));
            }
            if i > voters {
                flags.push("--observer".into());
            }
            peers.push(flags);
        }
        let servers = (1..=n)
            .map(|id| Server {
                id,
                addr: addrs[id as usize - 1].clone(),
                data_dir: dir.path().join(format!("node{id}")),
                child: None,
            })
            .collect();
        let mut e = Ensemble { servers, peers, proxies, _dir: dir };
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
        let peers = self.peers[id as usize - 1].clone();
        let s = &mut self.servers[id as usize - 1];
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ensemble"));
        cmd.args(["node", "--id", &id.to_string(), "--listen", &s.addr, "--data-dir"]).arg(&s.data_dir);
        for p in peers {
            match p.as_str() {
                "--observer" => cmd.arg(p),
                _ => cmd.args(["--peer", p.as_str()]),
            };
        }
        if std::env::var_os("RUST_LOG").is_none() {
            cmd.env("RUST_LOG", "warn");
        }
        s.child = Some(spawn_node(cmd));
    }

    /// Cut every link to and from server `id` (a proxied ensemble).
    pub fn isolate(&self, id: u32) {
        self.proxies.iter().filter(|((i, j), _)| *i == id || *j == id).for_each(|(_, p)| p.cut());
    }

    pub fn heal(&self) {
        self.proxies.values().for_each(|p| p.heal());
    }

    /// kill -9 server `id`.
    pub fn kill(&mut self, id: u32) {
        if let Some(mut c) = self.servers[id as usize - 1].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn is_running(&self, id: u32) -> bool {
        self.server(id).child.is_some()
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
            if Instant::now() >= deadline {
                let raw: Vec<Option<String>> = self.servers.iter().map(|s| http_get(&s.addr, "/status")).collect();
                panic!("not {what} within {limit:?}: {statuses:#?}; raw: {raw:?}");
            }
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
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let text = raw_http(addr, &request)?;
    text.split_once("\r\n\r\n").map(|(_, body)| body.to_string())
}

/// Send `request` as it is and return the whole answer (read until close or 2 s).
pub fn raw_http(addr: &str, request: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    s.write_all(request.as_bytes()).ok()?;
    let mut bytes = Vec::new();
    let _ = s.read_to_end(&mut bytes);
    (!bytes.is_empty()).then(|| String::from_utf8_lossy(&bytes).into_owned())
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
        Client::try_open(addr).expect("connects")
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
    pub fn call(&mut self, req: Value) -> Value {
        self.try_call(req).expect("a reply")
    }

    /// The same, or why the connection failed.
    pub fn try_call(&mut self, mut req: Value) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        req["id"] = id.into();
        self.ws.send(Message::text(req.to_string())).map_err(|e| e.to_string())?;
        loop {
            let frame = self.ws.read().map_err(|e| e.to_string())?;
            let Message::Text(text) = frame else { continue };
            let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            if v.get("watch").is_some() {
                self.watches.push(v);
                continue;
            }
            assert!(v["id"] == id || v["id"].is_null(), "replies in order: {v}");
            return Ok(v);
        }
    }

    /// Try to open a connection.
    pub fn try_open(addr: &str) -> Option<Client> {
        let (ws, _) = tungstenite::connect(format!("ws://{addr}/client")).ok()?;
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        }
        Some(Client { ws, next_id: 1, watches: Vec::new() })
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
