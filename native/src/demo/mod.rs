//! `ensemble demo`: a real local ensemble (`ensemble.rs`) and the web app that watches
//! it, on loopback. The page learns the nodes from `GET /live` (their addresses and
//! statuses), subscribes to each node's `/events`, sends client requests to their
//! `/client`, and crashes and restarts them through `POST /live/nodes/{id}/crash` and
//! `/restart`, which answer only loopback callers.

mod ensemble;

use crate::node::config::Fsync;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Args;
use ensemble::LocalEnsemble;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};

#[derive(Args)]
pub struct DemoArgs {
    /// Port for the web app.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to bind; loopback unless told otherwise.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Directory of the built web app (Trunk's output).
    #[arg(long, value_name = "DIR")]
    dist: Option<PathBuf>,
    /// Voting servers of the local ensemble (0: only the simulator).
    #[arg(long, default_value_t = 3)]
    nodes: u32,
    /// Observers besides them.
    #[arg(long, default_value_t = 0)]
    observers: u32,
    /// `never` makes writes faster and loses them on a crash: for teaching.
    #[arg(long, value_enum, default_value = "always")]
    fsync: Fsync,
}

/// `www/dist` next to the current directory, else the one in the source tree.
fn default_dist() -> PathBuf {
    let here = PathBuf::from("www/dist");
    if here.join("index.html").exists() {
        return here;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../www/dist"))
}

pub fn run(args: DemoArgs) -> ExitCode {
    let dist = args.dist.clone().unwrap_or_else(default_dist);
    if !dist.join("index.html").exists() {
        eprintln!("error: no web app in {} (build it with `make web`, or run `make demo`)", dist.display());
        return ExitCode::from(2);
    }
    // The nodes' own logs, quieter than `ensemble node`'s: the page shows what they do.
    crate::node::init_logging("warn");
    let ensemble = match args.nodes {
        0 => None,
        n => match LocalEnsemble::start(n, args.observers, args.fsync) {
            Ok(e) => Some(Arc::new(e)),
            Err(e) => {
                eprintln!("error: cannot start the local ensemble: {e}");
                return ExitCode::from(1);
            }
        },
    };
    let addr = SocketAddr::new(args.bind, args.port);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let served = runtime.block_on(serve(addr, dist, ensemble.clone()));
    drop(ensemble);
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot serve on {addr}: {e}");
            ExitCode::from(1)
        }
    }
}

async fn serve(addr: SocketAddr, dist: PathBuf, ensemble: Option<Arc<LocalEnsemble>>) -> std::io::Result<()> {
    let index = dist.join("index.html");
    let mut app = Router::new().fallback_service(ServeDir::new(&dist).fallback(ServeFile::new(index)));
    if let Some(e) = &ensemble {
        app = app.merge(live_routes(e.clone()));
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("Ensemble is running: open http://{addr} in your browser (Ctrl-C to stop)");
    println!("serving {}", dist.display());
    if let Some(e) = &ensemble {
        println!("a real local ensemble runs too: its data is in {}", e.data_dir().display());
    }
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

fn live_routes(ensemble: Arc<LocalEnsemble>) -> Router {
    Router::new().route("/live", get(live)).route("/live/nodes/{id}/{action}", post(admin)).with_state(ensemble)
}

async fn live(State(e): State<Arc<LocalEnsemble>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "nodes": e.describe().await }))
}

/// Crash or restart a node: a demo's own controls, for loopback callers only.
async fn admin(
    State(e): State<Arc<LocalEnsemble>>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    Path((id, action)): Path<(u32, String)>,
) -> (StatusCode, Json<serde_json::Value>) {
    if !from.ip().is_loopback() {
        return (StatusCode::FORBIDDEN, Json(serde_json::json!({"ok": false, "error": "loopback callers only"})));
    }
    let done = match action.as_str() {
        "crash" => tokio::task::spawn_blocking(move || e.crash(id)).await.unwrap_or_else(|e| Err(e.to_string())),
        "restart" => e.restart(id),
        other => Err(format!("unknown action `{other}`: crash or restart")),
    };
    match done {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"ok": true}))),
        Err(why) => (StatusCode::BAD_REQUEST, Json(serde_json::json!({"ok": false, "error": why}))),
    }
}
