//! The real local ensemble `ensemble demo` runs: each node on its own loopback port with
//! its write-ahead log in a temporary directory, in this process but on its own thread
//! and tokio runtime, so that crashing it (dropping its runtime) closes its sockets and
//! stops its tasks as the death of its process would. Restarting it recovers it from
//! its log, on the same port.

use crate::node::config::{Fsync, NodeConfig, Peer};
use crate::node::net::Shared;
use crate::node::run_node;
use crate::node::status::{full_status, Status};
use ensemble_core::types::NodeId;
use serde::Serialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// A running node: its thread, how to stop it, and what its connections share.
struct Running {
    thread: JoinHandle<()>,
    stop: oneshot::Sender<()>,
    shared: Arc<Mutex<Option<Arc<Shared>>>>,
}

struct DemoNode {
    config: NodeConfig,
    running: Option<Running>,
}

pub struct LocalEnsemble {
    nodes: Mutex<Vec<DemoNode>>,
    _dir: tempfile::TempDir,
}

/// What the page is told of a node (`GET /live`).
#[derive(Serialize)]
pub struct NodeInfo {
    pub id: u32,
    pub addr: String,
    pub observer: bool,
    pub running: bool,
    pub status: Option<Status>,
}

impl LocalEnsemble {
    /// Start `voters` + `observers` nodes on free loopback ports.
    pub fn start(voters: u32, observers: u32, fsync: Fsync) -> Result<LocalEnsemble, String> {
        let dir = tempfile::Builder::new().prefix("ensemble-demo-").tempdir().map_err(|e| e.to_string())?;
        let n = voters + observers;
        let mut listeners = Vec::new();
        for _ in 0..n {
            listeners.push(std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?);
        }
        let addrs: Vec<SocketAddr> = listeners.iter().map(|l| l.local_addr().expect("bound")).collect();
        let peer = |j: u32| Peer { id: NodeId(j), addr: addrs[j as usize - 1].to_string(), observer: j > voters };
        let mut nodes = Vec::new();
        for (i, listener) in (1..=n).zip(listeners) {
            let config = NodeConfig {
                id: NodeId(i),
                listen: addrs[i as usize - 1],
                peers: (1..=n).filter(|j| *j != i).map(peer).collect(),
                data_dir: dir.path().join(format!("node{i}")),
                observer: i > voters,
                fsync,
                cluster: "demo".into(),
                secret: None,
                web: None,
                snap_count: crate::node::config::DEFAULT_SNAP_COUNT,
            };
            let running = Some(launch(config.clone(), listener));
            nodes.push(DemoNode { config, running });
        }
        Ok(LocalEnsemble { nodes: Mutex::new(nodes), _dir: dir })
    }

    /// Every node, with its status if it runs.
    pub async fn describe(&self) -> Vec<NodeInfo> {
        let shared: Vec<(NodeConfig, Option<Arc<Shared>>)> = {
            let nodes = self.nodes.lock().expect("not poisoned");
            let of = |r: &Running| r.shared.lock().expect("not poisoned").clone();
            nodes.iter().map(|n| (n.config.clone(), n.running.as_ref().and_then(of))).collect()
        };
        let mut infos = Vec::new();
        for (config, shared) in shared {
            let status = match &shared {
                Some(s) => full_status(s).await,
                None => None,
            };
            let (id, addr, observer) = (config.id.0, config.listen.to_string(), config.observer);
            infos.push(NodeInfo { id, addr, observer, running: shared.is_some(), status });
        }
        infos
    }

    /// Crash node `id` (as kill -9 would), or say why not.
    pub fn crash(&self, id: u32) -> Result<(), String> {
        let running = {
            let mut nodes = self.nodes.lock().expect("not poisoned");
            let node = nodes.get_mut(id.wrapping_sub(1) as usize).ok_or(format!("no node {id}"))?;
            node.running.take().ok_or(format!("node {id} is down already"))?
        };
        let _ = running.stop.send(());
        running.thread.join().map_err(|_| format!("node {id}'s thread panicked"))
    }

    /// Restart node `id` from its log, on its port.
    pub fn restart(&self, id: u32) -> Result<(), String> {
        let mut nodes = self.nodes.lock().expect("not poisoned");
        let node = nodes.get_mut(id.wrapping_sub(1) as usize).ok_or(format!("no node {id}"))?;
        if node.running.is_some() {
            return Err(format!("node {id} is running"));
        }
        let listener =
            std::net::TcpListener::bind(node.config.listen).map_err(|e| format!("{}: {e}", node.config.listen))?;
        node.running = Some(launch(node.config.clone(), listener));
        Ok(())
    }

    pub fn data_dir(&self) -> PathBuf {
        self._dir.path().to_path_buf()
    }
}

impl Drop for LocalEnsemble {
    fn drop(&mut self) {
        let nodes = std::mem::take(&mut *self.nodes.lock().expect("not poisoned"));
        for running in nodes.into_iter().filter_map(|n| n.running) {
            let _ = running.stop.send(());
            let _ = running.thread.join();
        }
    }
}

/// Run node `config` on its own thread and runtime, serving `listener`.
fn launch(config: NodeConfig, listener: std::net::TcpListener) -> Running {
    let (stop, stopped) = oneshot::channel::<()>();
    let shared = Arc::new(Mutex::new(None));
    let publish = shared.clone();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
        let id = config.id;
        let served = runtime.block_on(async move {
            listener.set_nonblocking(true).map_err(|e| e.to_string())?;
            let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
            let started = move |s: Arc<Shared>| *publish.lock().expect("not poisoned") = Some(s);
            // A crash does not wait for connections to finish, as a graceful stop would.
            tokio::select! {
                served = run_node(&config, listener, std::future::pending(), started) => served,
                _ = stopped => Ok(()),
            }
        });
        if let Err(e) = served {
            eprintln!("node {id} stopped: {e}");
        }
        // Dropping the runtime drops every task of the node and closes its sockets.
    });
    Running { thread, stop, shared }
}
