//! `ensemble node`: one ZAB server of a real ensemble, the core's `ZabNode` driven by
//! tokio over a real disk (`wal`) and real sockets.
//!
//! Where it stands (issue 9): the node recovers from its write-ahead log, runs its
//! protocol task (`driver`), links to its peers (`/peer`), serves clients (`/client`)
//! and `/status`. `/events` and `/metrics` come next.

mod client;
pub mod config;
mod driver;
mod events;
mod metrics;
pub mod net;
mod peer;
pub mod status;
#[cfg(test)]
mod tests;

use crate::wal::{Notice, Wal, WalOptions, Writer};
use config::{Fsync, NodeArgs, NodeConfig};
use driver::{Driver, Input};
use ensemble_core::zab::{ZabConfig, ZabDurable, ZabNode, ZabSettings};
use net::{Links, Shared};
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::mpsc;

/// A running node's handle: what its connections share, and its task.
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
    pub task: tokio::task::JoinHandle<Result<(), String>>,
}

/// Recover node `config.id` from its data directory and start its task.
pub fn start(config: &NodeConfig) -> Result<(Handle, ZabSummary), String> {
    let opts = WalOptions { fsync: config.fsync == Fsync::Always, ..WalOptions::default() };
    let (wal, recovered) = Wal::open(&config.data_dir, opts).map_err(|e| e.to_string())?;
    if let Some(r) = &recovered.repair {
        eprintln!(
            "warning: {}: cut a torn last record at byte {} ({}); its bytes are in {}",
            r.segment.display(),
            r.offset,
            r.why,
            r.saved_to.display()
        );
    }
    let records = recovered
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| serde_json::from_slice::<ZabDurable>(r).map_err(|e| format!("record {i} of the log: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let checkpoint_every = config.checkpoint_every(config::start_seed());
    tracing::info!("a checkpoint every {checkpoint_every} records (--snap-count {})", config.snap_count);
    let settings = ZabSettings { observers: config.observers(), checkpoint_every, ..ZabSettings::default() };
    let node = ZabNode::new(config.id, Arc::new(ZabConfig::new(config.size(), &settings)), &records);
    let summary =
        ZabSummary { epoch: node.current_epoch.0, last_zxid: node.last_zxid().to_string(), records: records.len() };
    let (tx, rx) = mpsc::unbounded_channel();
    let peers = config.peers.iter().map(|p| (p.id, p.addr.clone())).collect();
    let shared = Arc::new(Shared::new(config.id, config.cluster_id(), config.secret.clone(), peers, tx.clone()));
    let (notices, measured) = (tx.clone(), shared.clone());
    let writer = Writer::spawn(wal, move |n: Notice| {
        if let Notice::Durable { records, fsync_micros, .. } = &n {
            measured.metrics.durable(*records, *fsync_micros);
        }
        let _ = notices.send(Input::Durable(n));
    });
    let (links, queues) = Links::new(shared.clone());
    for (peer, queue) in queues {
        peer::spawn_link(shared.clone(), peer, queue);
    }
    let driver = Driver::new(config.id, node, writer, tx, Box::new(links));
    Ok((Handle { shared, task: tokio::spawn(driver.run(rx)) }, summary))
}

/// What a node recovered, for its startup line.
pub struct ZabSummary {
    pub epoch: u32,
    pub last_zxid: String,
    pub records: usize,
}

pub fn run(args: NodeArgs) -> ExitCode {
    let config = match NodeConfig::from_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging("info");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

async fn serve(config: NodeConfig) -> Result<(), String> {
    if config.fsync == Fsync::Never {
        eprintln!("warning: --fsync never: writes are not made durable; a crash may lose acknowledged writes (teaching and tests only)");
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await.map_err(|e| format!("{}: {e}", config.listen))?;
    run_node(&config, listener, stop_signal(), |_| {}).await
}

/// Recover node `config` and serve it on `listener` until `stop`, or until its disk
/// fails. `started` gets what its connections share, once it runs.
pub async fn run_node(
    config: &NodeConfig,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
    started: impl FnOnce(Arc<Shared>),
) -> Result<(), String> {
    use axum::serve::ListenerExt;
    let (handle, recovered) = start(config)?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let peers: Vec<String> = config.peers.iter().map(|p| format!("{}={}", p.id, p.addr)).collect();
    println!(
        "node {} listening on {addr}, data in {}, peers [{}], recovered epoch {} and last zxid {} from {} records",
        config.id,
        config.data_dir.display(),
        peers.join(", "),
        recovered.epoch,
        recovered.last_zxid,
        recovered.records
    );
    started(handle.shared.clone());
    // Small frames answer small frames: never wait to fill a packet.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let mut app = routes(handle.shared.clone());
    if let Some(dir) = &config.web {
        use tower_http::services::{ServeDir, ServeFile};
        app = app.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html"))));
    }
    let server = axum::serve(listener, app).with_graceful_shutdown(stop);
    tokio::select! {
        served = server => served.map_err(|e| e.to_string()),
        ended = handle.task => ended.map_err(|e| e.to_string())?.map_err(|e| format!("the disk failed: {e}")),
    }
}

/// Logs to stderr, at `level` unless RUST_LOG says otherwise.
pub fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| level.into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

/// Everything a node serves on its one port.
pub fn routes(shared: Arc<Shared>) -> axum::Router {
    use axum::routing::get;
    axum::Router::new()
        .route("/status", get(status::status))
        .route("/metrics", get(status::metrics))
        .route("/events", get(events::subscribe))
        .route("/peer", get(peer::accept))
        .route("/client", get(client::upgrade))
        .with_state(shared)
}

/// Ctrl-C, or SIGTERM (as systemd and `kill` stop a service).
async fn stop_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { term.as_mut()?.recv().await }, if term.is_some() => {}
    }
}
