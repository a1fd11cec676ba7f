//! A client of `ensemble node`'s `/client` WebSocket (`docs/client-protocol.md`), for
//! `ensemble cli`, the multi-process tests and the benchmark.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ensemble_native::client::ClientError> {
//! use ensemble_native::client::{Client, CreateMode};
//! let client = Client::connect("127.0.0.1:2181", 4000, None).await?;
//! client.create("/app", "config", CreateMode::Persistent).await?;
//! let (data, stat) = client.get("/app", false).await?;
//! # Ok(()) }
//! ```
//!
//! Requests may be issued concurrently from many tasks through `&Client` (it is `Sync`):
//! each is numbered, sent at once (pipelined) and matched to its reply by `id`. A
//! background task keeps the session alive with a `ping` every third of its timeout.
//! Every wait is bounded by [`ClientOptions::request_timeout`]; a wait that runs out is
//! a `ConnectionLoss`, as ZooKeeper's clients report it. Dropping a `Client` drops the
//! connection without `close`: the session lives on until its timeout.

mod conn;
#[cfg(test)]
mod tests;
mod types;

pub use conn::WATCH_QUEUE;
pub use types::{
    code_name, op_json, ClientError, ErrorCode, Op, Reply, SessionId, Stat, TxnResult, WatchEvent, WatchEventType, Zxid,
};

use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

/// How long a client waits for a connection or a reply unless told otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Settings of a connection.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The session timeout asked for (the server may grant another).
    pub session_timeout_ms: u64,
    /// Resume this session (moving to another server) instead of starting one.
    pub session_id: Option<u64>,
    /// The longest wait for the connection to open or for any reply.
    pub request_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions { session_timeout_ms: 4000, session_id: None, request_timeout: DEFAULT_REQUEST_TIMEOUT }
    }
}

/// ZooKeeper's kinds of znode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CreateMode {
    #[default]
    Persistent,
    Ephemeral,
    PersistentSequential,
    EphemeralSequential,
}

impl CreateMode {
    pub fn new(ephemeral: bool, sequential: bool) -> CreateMode {
        match (ephemeral, sequential) {
            (false, false) => CreateMode::Persistent,
            (true, false) => CreateMode::Ephemeral,
            (false, true) => CreateMode::PersistentSequential,
            (true, true) => CreateMode::EphemeralSequential,
        }
    }

    pub fn is_ephemeral(self) -> bool {
        matches!(self, CreateMode::Ephemeral | CreateMode::EphemeralSequential)
    }

    pub fn is_sequential(self) -> bool {
        matches!(self, CreateMode::PersistentSequential | CreateMode::EphemeralSequential)
    }
}

/// A connected session.
pub struct Client {
    shared: Arc<conn::Shared>,
    session_id: u64,
    timeout_ms: u64,
    watches: Mutex<Option<mpsc::Receiver<WatchEvent>>>,
    tasks: Vec<AbortHandle>,
}

impl Drop for Client {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// `HOST:PORT` from `HOST:PORT`, `ws://HOST:PORT[/...]` or `http://HOST:PORT[/...]`.
pub fn host_port(server: &str) -> Result<String, ClientError> {
    let s = server.trim();
    let lower = s.to_ascii_lowercase();
    let rest = ["ws://", "http://"].iter().find(|p| lower.starts_with(*p)).map_or(s, |p| &s[p.len()..]);
    if rest.contains("://") {
        return Err(ClientError::protocol(format!("{server}: only ws:// and http:// are spoken (no TLS)")));
    }
    let hp = rest.split('/').next().unwrap_or_default();
    let port_ok = hp.rsplit_once(':').is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
    if !port_ok {
        return Err(ClientError::protocol(format!("{server}: expected HOST:PORT")));
    }
    Ok(hp.to_string())
}

impl Client {
    /// Connect to `server` (`HOST:PORT`, `ws://HOST:PORT` or `http://HOST:PORT`), and
    /// start a session (or resume `session_id`) asking for `session_timeout_ms`.
    pub async fn connect(
        server: &str,
        session_timeout_ms: u64,
        session_id: Option<u64>,
    ) -> Result<Client, ClientError> {
        Client::connect_with(server, ClientOptions { session_timeout_ms, session_id, ..ClientOptions::default() }).await
    }

    pub async fn connect_with(server: &str, opts: ClientOptions) -> Result<Client, ClientError> {
        let url = format!("ws://{}/client", host_port(server)?);
        let opened = tokio::time::timeout(
            opts.request_timeout,
            // No Nagle: pipelined small frames must not wait for each other's ACKs.
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(crate::ws::config()), true),
        )
        .await;
        let socket = match opened {
            Ok(Ok((socket, _))) => socket,
            Ok(Err(e)) => return Err(ClientError::ConnectionLoss(format!("{url}: {e}"))),
            Err(_) => {
                return Err(ClientError::ConnectionLoss(format!("{url}: no answer within {:?}", opts.request_timeout)))
            }
        };
        let (shared, watches, tasks) = conn::start(socket, opts.request_timeout);
        let mut client = Client { shared, session_id: 0, timeout_ms: 0, watches: Mutex::new(Some(watches)), tasks };
        let connect =
            Op::Connect { session_timeout_ms: opts.session_timeout_ms, session_id: opts.session_id.map(SessionId) };
        let reply = client.request(&connect).await?;
        client.session_id = reply.field("session_id")?;
        client.timeout_ms = reply.field("timeout_ms")?;
        let period = Duration::from_millis(client.timeout_ms / 3).max(Duration::from_millis(10));
        client.tasks.push(conn::keep_alive(&client.shared, period));
        Ok(client)
    }

    /// The session's id (give it to `connect` elsewhere to move the session there).
    pub fn session_id(&self) -> u64 {
        self.session_id
    }

    /// The session timeout the server granted.
    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms
    }

    /// The watch events pushed to this session, in the order they came. The first
    /// call takes the receiver; later calls get `None`. It ends when the connection does.
    /// Events are queued (up to `WATCH_QUEUE`) until it is taken.
    pub fn watches(&self) -> Option<mpsc::Receiver<WatchEvent>> {
        self.watches.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Send one request and wait for its reply.
    pub async fn request(&self, op: &Op) -> Result<Reply, ClientError> {
        self.shared.call(op).await
    }

    /// Send a request written as JSON (an object with `op`; the `id` is added).
    pub async fn request_json(&self, op: Value) -> Result<Reply, ClientError> {
        self.shared.call(&op).await
    }

    /// Create `path`; the path as created (with its sequence number if sequential).
    pub async fn create(&self, path: &str, data: &str, mode: CreateMode) -> Result<String, ClientError> {
        let op = Op::Create {
            path: path.into(),
            data: data.into(),
            ephemeral: mode.is_ephemeral(),
            sequential: mode.is_sequential(),
        };
        self.request(&op).await?.field("path")
    }

    /// `path`'s data and stat; with `watch`, a one-shot data watch.
    pub async fn get(&self, path: &str, watch: bool) -> Result<(String, Stat), ClientError> {
        let reply = self.request(&Op::Get { path: path.into(), watch }).await?;
        Ok((reply.field("data")?, reply.field("stat")?))
    }

    /// Set `path`'s data if its version is `version` (any version if `None`).
    pub async fn set(&self, path: &str, data: &str, version: Option<i32>) -> Result<Stat, ClientError> {
        self.request(&Op::Set { path: path.into(), data: data.into(), version }).await?.field("stat")
    }

    pub async fn delete(&self, path: &str, version: Option<i32>) -> Result<Zxid, ClientError> {
        self.request(&Op::Delete { path: path.into(), version }).await?.field("zxid")
    }

    /// `path`'s stat, `None` if there is no such node; with `watch`, a one-shot watch
    /// that fires when it is created, changed or deleted.
    pub async fn exists(&self, path: &str, watch: bool) -> Result<Option<Stat>, ClientError> {
        self.request(&Op::Exists { path: path.into(), watch }).await?.field("stat")
    }

    /// The names of `path`'s children, in name order.
    pub async fn children(&self, path: &str, watch: bool) -> Result<Vec<String>, ClientError> {
        self.request(&Op::Children { path: path.into(), watch }).await?.field("children")
    }

    /// Wait until this server has applied everything committed before now.
    pub async fn sync(&self, path: &str) -> Result<Zxid, ClientError> {
        self.request(&Op::Sync { path: path.into() }).await?.field("zxid")
    }

    pub async fn check(&self, path: &str, version: Option<i32>) -> Result<Zxid, ClientError> {
        self.request(&Op::Check { path: path.into(), version }).await?.field("zxid")
    }

    /// Run `ops` (create/set/delete/check) all or none; one result per op.
    pub async fn multi(&self, ops: Vec<Op>) -> Result<Vec<TxnResult>, ClientError> {
        match self.request(&Op::Multi { ops }).await?.field("result")? {
            TxnResult::Multi(results) => Ok(results),
            other => Err(ClientError::protocol(format!("a multi reply with result {other:?}"))),
        }
    }

    pub async fn ping(&self) -> Result<(), ClientError> {
        self.request(&Op::Ping {}).await.map(|_| ())
    }

    /// End the session (its ephemeral nodes go) and close the connection; later
    /// requests fail with `ConnectionLoss`.
    pub async fn close(&self) -> Result<(), ClientError> {
        let closed = self.request(&Op::Close {}).await.map(|_| ());
        self.shared.fail_all("the session was closed");
        self.shared.close_socket();
        closed
    }
}
