//! `ensemble demo`: serve the web app (built by `make demo`) on loopback.

use axum::Router;
use clap::Args;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
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
    let dist = args.dist.unwrap_or_else(default_dist);
    if !dist.join("index.html").exists() {
        eprintln!("error: no web app in {} (build it with `make web`, or run `make demo`)", dist.display());
        return ExitCode::from(2);
    }
    let addr = SocketAddr::new(args.bind, args.port);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(serve(addr, dist)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot serve on {addr}: {e}");
            ExitCode::from(1)
        }
    }
}

async fn serve(addr: SocketAddr, dist: PathBuf) -> std::io::Result<()> {
    let index = dist.join("index.html");
    let app = Router::new().fallback_service(ServeDir::new(&dist).fallback(ServeFile::new(index)));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("Ensemble is running: open http://{addr} in your browser (Ctrl-C to stop)");
    println!("serving {}", dist.display());
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
