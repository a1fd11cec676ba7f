//! `ensemble status`: GET each server's `/status` and print it as JSON, or as a table
//! with one line per server. A plain HTTP/1.1 GET over a TCP stream is all it takes,
//! so no HTTP client library is pulled in.

use crate::client::host_port;
use serde_json::Value;
use std::process::ExitCode;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The largest `/status` body read: far above a real one, and a bound on a bad server.
const MAX_RESPONSE: u64 = 1 << 20;

/// The table's columns after `server`, as `/status` names the fields.
pub const COLUMNS: [&str; 6] = ["id", "state", "epoch", "last_zxid", "leader", "znodes"];

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// A server: HOST:PORT or http://HOST:PORT; several separated by commas or repeated
    #[arg(long, required = true, value_delimiter = ',')]
    pub server: Vec<String>,
    /// One line per server: server, id, state, epoch, last_zxid, leader, znodes
    #[arg(long)]
    pub table: bool,
    /// The longest wait for each server, in milliseconds
    #[arg(long, default_value_t = 5000)]
    pub timeout_ms: u64,
}

pub fn run(args: StatusArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let limit = Duration::from_millis(args.timeout_ms);
    let asked = args.server.iter().map(|s| fetch_status(s, limit));
    let answers = rt.block_on(futures_util::future::join_all(asked));
    let results: Vec<(&str, Result<Value, String>)> = args.server.iter().map(String::as_str).zip(answers).collect();
    let text = if args.table {
        table(&results)
    } else if let [(_, Ok(one))] = results.as_slice() {
        serde_json::to_string_pretty(one).unwrap_or_default()
    } else {
        let all = results.iter().map(|(s, r)| (s.to_string(), r.clone().unwrap_or_else(|e| unreachable_json(&e))));
        serde_json::to_string_pretty(&all.collect::<serde_json::Map<_, _>>()).unwrap_or_default()
    };
    if !text.is_empty() {
        println!("{text}");
    }
    let mut failed = false;
    for (server, r) in &results {
        if let Err(e) = r {
            eprintln!("error: unreachable: {server}: {e}");
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn unreachable_json(why: &str) -> Value {
    serde_json::json!({"state": "unreachable", "error": why})
}

/// `server`'s `/status` as JSON, or why not, within `limit`.
pub async fn fetch_status(server: &str, limit: Duration) -> Result<Value, String> {
    let hp = host_port(server).map_err(|e| e.message())?;
    let body = tokio::time::timeout(limit, http_get(&hp, "/status"))
        .await
        .map_err(|_| format!("no answer within {limit:?}"))??;
    serde_json::from_slice(&body).map_err(|e| format!("/status is not JSON: {e}"))
}

/// GET `path` from `host_port` over HTTP/1.1; the body of a 200 response.
pub async fn http_get(host_port: &str, path: &str) -> Result<Vec<u8>, String> {
    let mut stream = tokio::net::TcpStream::connect(host_port).await.map_err(|e| e.to_string())?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {host_port}\r\nAccept: application/json\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream.take(MAX_RESPONSE).read_to_end(&mut response).await.map_err(|e| e.to_string())?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no HTTP response")?;
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let body = &response[split + 4..];
    let code = head.split_whitespace().nth(1).unwrap_or("");
    if code != "200" {
        let line = head.lines().next().unwrap_or("");
        return Err(format!("{line}: {}", String::from_utf8_lossy(body).trim()));
    }
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if chunked {
        dechunk(body)
    } else {
        Ok(body.to_vec())
    }
}

/// The body of a `Transfer-Encoding: chunked` response.
fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let eol = rest.windows(2).position(|w| w == b"\r\n").ok_or("a chunk size line")?;
        let size_text = String::from_utf8_lossy(&rest[..eol]);
        let size_hex = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| format!("chunk size {size_hex:?}"))?;
        rest = &rest[eol + 2..];
        if size == 0 {
            return Ok(body);
        }
        let chunk = rest.get(..size).ok_or("a chunk cut short")?;
        body.extend_from_slice(chunk);
        rest = rest.get(size + 2..).ok_or("a chunk cut short")?;
    }
}

/// One line per server, columns aligned; an unreachable server's state is `unreachable`.
pub fn table(results: &[(&str, Result<Value, String>)]) -> String {
    let mut rows = vec![std::iter::once("server").chain(COLUMNS).map(String::from).collect::<Vec<_>>()];
    for (server, r) in results {
        let cells = COLUMNS.iter().map(|c| match r {
            Ok(s) => cell(s.get(*c)),
            Err(_) if *c == "state" => "unreachable".into(),
            Err(_) => "-".into(),
        });
        rows.push(std::iter::once(server.to_string()).chain(cells).collect());
    }
    let widths: Vec<usize> = (0..rows[0].len()).map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0)).collect();
    let lines = rows.iter().map(|r| {
        let padded: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_string()
    });
    lines.collect::<Vec<_>>().join("\n")
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "-".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}
