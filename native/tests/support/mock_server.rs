//! A stand-in for `ensemble node`'s `/client` (`docs/client-protocol.md`), enough to test
//! the client and `ensemble cli` without a real ensemble: sessions, an in-memory tree
//! (create/get/set/delete/exists/children/sync/close), one-shot watches, error replies,
//! and a fixed `/status`.
//!
//! Paths with test meanings: `get /delay/N` answers after N ms, out of order with later
//! requests; `get /slow` never answers; `get /drop` closes the connection.
//! Included by the unit tests (`lib.rs`) and by `tests/cli_client.rs`.

#![allow(dead_code)] // each includer uses a different part

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

type Out = mpsc::UnboundedSender<Message>;

#[derive(Default)]
struct Tree {
    nodes: BTreeMap<String, (String, u64, u32)>, // data, version, czxid counter
    zxid: u32,
    next_session: u64,
    /// One-shot watches: (path, is a children watch, the connection to tell).
    watches: Vec<(String, bool, Out)>,
}

/// The mock's state, shared by its connections and readable by tests.
#[derive(Default)]
pub struct Shared {
    tree: Mutex<Tree>,
    pub pings: AtomicU64,
    pub requests: AtomicU64,
}

/// A running mock: its address; it stops when dropped.
pub struct MockServer {
    pub addr: SocketAddr,
    pub shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Start a mock on a free loopback port.
pub async fn start() -> MockServer {
    let shared = Arc::new(Shared::default());
    shared.tree.lock().unwrap().nodes.insert("/".into(), (String::new(), 0, 0));
    let app = Router::new()
        .route("/client", get(upgrade))
        .route("/status", get(|| async { axum::Json(status()) }))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    MockServer { addr, shared, task }
}

/// What the mock's `/status` says: a one-server ensemble's leader.
pub fn status() -> Value {
    json!({"id": 1, "state": "LEADING", "phase": "BROADCAST", "epoch": 3, "accepted_epoch": 3,
           "last_zxid": "0x300000004", "delivered": "0x300000004", "leader": 1, "observer": false,
           "znodes": 5, "digest": "ab"})
}

async fn upgrade(ws: WebSocketUpgrade, State(shared): State<Arc<Shared>>) -> axum::response::Response {
    ws.on_upgrade(move |socket| serve(socket, shared))
}

async fn serve(socket: WebSocket, shared: Arc<Shared>) {
    let (mut sink, mut stream) = socket.split();
    let (out, mut queue) = mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(m) = queue.recv().await {
            let close = matches!(m, Message::Close(_));
            if sink.send(m).await.is_err() || close {
                return;
            }
        }
    });
    let mut session = None;
    while let Some(Ok(Message::Text(text))) = stream.next().await {
        let req: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
        shared.requests.fetch_add(1, Ordering::Relaxed);
        if !answer(&shared, &req, &mut session, &out) {
            break;
        }
    }
    let _ = out.send(Message::Close(None));
    let _ = writer.await;
}

fn send(out: &Out, v: Value) {
    let _ = out.send(Message::Text(v.to_string().into()));
}

fn error(id: &Value, code: &str, message: String) -> Value {
    json!({"id": id, "ok": false, "error": {"code": code, "message": message}})
}

/// Answer one request; false to close the connection.
fn answer(shared: &Shared, req: &Value, session: &mut Option<u64>, out: &Out) -> bool {
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let op = req.get("op").and_then(Value::as_str).unwrap_or("");
    let path = req.get("path").and_then(Value::as_str).unwrap_or("/").to_string();
    if id.is_null() {
        send(out, error(&id, "Malformed", "no id".into()));
        return true;
    }
    match (op, path.as_str()) {
        ("connect", _) => {
            let mut tree = shared.tree.lock().unwrap();
            tree.next_session += 1;
            let sid = req.get("session_id").and_then(Value::as_u64).unwrap_or((1 << 32) | tree.next_session);
            *session = Some(sid);
            let timeout = req.get("session_timeout_ms").and_then(Value::as_u64).unwrap_or(4000);
            send(out, json!({"id": id, "ok": true, "session_id": sid, "timeout_ms": timeout}));
        }
        _ if session.is_none() => send(out, error(&id, "SessionExpired", "connect first".into())),
        ("ping", _) => {
            shared.pings.fetch_add(1, Ordering::Relaxed);
            send(out, json!({"id": id, "ok": true, "session_id": session}));
        }
        ("get", "/slow") => {}
        ("get", "/drop") => return false,
        ("get", p) if p.starts_with("/delay/") => {
            let ms = p["/delay/".len()..].parse().unwrap_or(0);
            let out = out.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                send(&out, json!({"id": id, "ok": true, "data": ms.to_string(), "stat": stat(0, 0, 0)}));
            });
        }
        ("close", _) => {
            send(out, json!({"id": id, "ok": true, "zxid": zxid(0), "result": {"session_closed": {"deleted": []}}}));
            return false;
        }
        _ => {
            let mut tree = shared.tree.lock().unwrap();
            let mut reply = tree.apply(op, &path, req, out).unwrap_or_else(|(code, what)| error(&id, code, what));
            reply["id"] = id;
            send(out, reply);
        }
    }
    true
}

fn zxid(counter: u32) -> Value {
    json!({"epoch": 1, "counter": counter})
}

fn stat(czxid: u32, version: u64, children: usize) -> Value {
    json!({"czxid": zxid(czxid), "mzxid": zxid(czxid), "pzxid": zxid(czxid), "ctime_ms": 1, "mtime_ms": 2,
           "version": version, "cversion": 0, "ephemeral_owner": null, "data_length": 0, "num_children": children})
}

fn parent(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => path[..i].into(),
    }
}

type Answer = Result<Value, (&'static str, String)>;

impl Tree {
    fn children(&self, path: &str) -> Vec<String> {
        let prefix = if path == "/" { "/".to_string() } else { format!("{path}/") };
        let names = self.nodes.keys().filter_map(|k| k.strip_prefix(&prefix).filter(|n| !n.is_empty()));
        names.filter(|n| !n.contains('/')).map(String::from).collect()
    }

    fn stat_of(&self, path: &str) -> Option<Value> {
        self.nodes.get(path).map(|(_, v, cz)| stat(*cz, *v, self.children(path).len()))
    }

    /// Fire (and forget) the watches an event on `path` triggers.
    fn fire(&mut self, kind: &str, path: &str) {
        let hit = |(p, child, _): &(String, bool, Out)| {
            p == path
                && match kind {
                    "children_changed" => *child,
                    "deleted" => true,
                    _ => !*child,
                }
        };
        let (fired, kept): (Vec<_>, Vec<_>) = self.watches.drain(..).partition(hit);
        self.watches = kept;
        for (_, _, out) in fired {
            send(&out, json!({"watch": {"type": kind, "path": path}}));
        }
    }

    fn apply(&mut self, op: &str, path: &str, req: &Value, out: &Out) -> Answer {
        let no_node = || ("NoNode", format!("{op} {path}"));
        let watch = req.get("watch").and_then(Value::as_bool).unwrap_or(false);
        let data = req.get("data").and_then(Value::as_str).unwrap_or("").to_string();
        match op {
            "get" | "exists" | "children" => {
                let Some(stat) = self.stat_of(path) else {
                    if op == "exists" {
                        if watch {
                            self.watches.push((path.into(), false, out.clone()));
                        }
                        return Ok(json!({"ok": true, "stat": null}));
                    }
                    return Err(no_node());
                };
                if watch {
                    self.watches.push((path.into(), op == "children", out.clone()));
                }
                let data_now = self.nodes[path].0.clone();
                Ok(json!({"ok": true, "stat": stat, "data": data_now, "children": self.children(path)}))
            }
            "create" => self.create(path, data, req),
            "set" => {
                let (d, v, _) = self.nodes.get_mut(path).ok_or_else(no_node)?;
                (*d, *v) = (data, *v + 1);
                self.zxid += 1;
                self.fire("data_changed", path);
                Ok(json!({"ok": true, "stat": self.stat_of(path), "zxid": zxid(self.zxid)}))
            }
            "delete" => {
                self.stat_of(path).ok_or_else(no_node)?;
                if !self.children(path).is_empty() {
                    return Err(("NotEmpty", format!("delete {path}")));
                }
                self.nodes.remove(path);
                self.zxid += 1;
                self.fire("deleted", path);
                self.fire("children_changed", &parent(path));
                Ok(json!({"ok": true, "zxid": zxid(self.zxid), "result": "deleted"}))
            }
            "sync" => Ok(json!({"ok": true, "zxid": zxid(self.zxid)})),
            _ => Err(("Malformed", format!("unknown op {op}"))),
        }
    }

    fn create(&mut self, path: &str, data: String, req: &Value) -> Answer {
        let path = if req.get("sequential").and_then(Value::as_bool).unwrap_or(false) {
            format!("{path}{:010}", self.zxid)
        } else {
            path.to_string()
        };
        if self.nodes.contains_key(&path) {
            return Err(("NodeExists", format!("create {path}")));
        }
        if !self.nodes.contains_key(&parent(&path)) {
            return Err(("NoNode", format!("create {path}")));
        }
        self.zxid += 1;
        self.nodes.insert(path.clone(), (data, 0, self.zxid));
        self.fire("created", &path);
        self.fire("children_changed", &parent(&path));
        Ok(json!({"ok": true, "path": path, "zxid": zxid(self.zxid)}))
    }
}
