//! What `ensemble demo` says of its real ensemble (`GET /live`), and the requests the
//! page makes of it: plain types and browser fetches, no view.

use ensemble_core::zab::{ServerState, ZabPhase};
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

/// One node as `GET /live` lists it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct LiveNode {
    pub id: u32,
    /// `127.0.0.1:PORT`: its `/events` and `/client` are there.
    pub addr: String,
    pub observer: bool,
    pub running: bool,
    /// `null` while it is down (or not yet serving).
    pub status: Option<Status>,
}

/// The part of a node's `/status` the page shows (`native/src/node/status.rs`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Status {
    pub state: ServerState,
    pub phase: ZabPhase,
    pub epoch: u64,
    pub accepted_epoch: u64,
    pub last_zxid: String,
    pub delivered: String,
    pub leader: Option<u32>,
    pub znodes: u64,
    pub digest: String,
    pub sessions: u64,
    pub clients: u64,
    pub fsync_micros: Percentiles,
}

/// fdatasync times of the node's log since it started, in µs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Percentiles {
    pub count: u64,
    pub p50: u64,
    pub p99: u64,
}

#[derive(Deserialize)]
struct Listing {
    nodes: Vec<LiveNode>,
}

/// `GET live` (relative to the page, as every address of the app is, so it also works
/// under a sub-path): the nodes, or why not (a demo without an ensemble, or a static
/// host, answers 404).
pub async fn nodes() -> Result<Vec<LiveNode>, String> {
    let text = request("GET", "live").await?;
    parse_nodes(&text)
}

pub fn parse_nodes(text: &str) -> Result<Vec<LiveNode>, String> {
    serde_json::from_str::<Listing>(text).map(|l| l.nodes).map_err(|e| e.to_string())
}

/// `POST /live/nodes/{id}/{action}`: `crash` or `restart` node `id`.
pub async fn admin(id: u32, action: &str) -> Result<(), String> {
    request("POST", &format!("live/nodes/{id}/{action}")).await.map(|_| ())
}

async fn request(method: &str, url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = RequestInit::new();
    init.set_method(method);
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.map_err(js_error)?;
    let response: Response = response.dyn_into().map_err(js_error)?;
    let text = JsFuture::from(response.text().map_err(js_error)?).await.map_err(js_error)?;
    let text = text.as_string().unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err(error_of(response.status(), &text))
    }
}

/// The `error` of a refusal (`{"ok": false, "error": "node 2 is down already"}`), else
/// its HTTP status.
fn error_of(status: u16, body: &str) -> String {
    let error =
        serde_json::from_str::<serde_json::Value>(body).ok().and_then(|v| v["error"].as_str().map(String::from));
    error.unwrap_or_else(|| format!("HTTP {status}"))
}

/// What a browser call failed with, in words.
pub fn js_error(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string()).unwrap_or_default()
}

/// The browser's clock, in Unix ms.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// `ws://ADDR/PATH` (`wss` when the page itself came over https).
pub fn ws_url(addr: &str, path: &str) -> String {
    let secure = web_sys::window().and_then(|w| w.location().protocol().ok()).is_some_and(|p| p == "https:");
    format!("{}://{addr}{path}", if secure { "wss" } else { "ws" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_reads_with_its_statuses() {
        let text = r#"{"nodes":[
            {"id":1,"addr":"127.0.0.1:4001","observer":false,"running":true,"status":{"id":1,"state":"LEADING",
             "phase":"BROADCAST","epoch":1,"accepted_epoch":1,"last_zxid":"0x100000002","delivered":"0x100000002",
             "leader":1,"observer":false,"znodes":2,"digest":"abcdef0123","sessions":1,"clients":0,
             "fsync_micros":{"count":3,"p50":800,"p90":900,"p99":1200,"max":1300},"elections":1}},
            {"id":2,"addr":"127.0.0.1:4002","observer":false,"running":false,"status":null}]}"#;
        let nodes = parse_nodes(text).unwrap();
        let s = nodes[0].status.as_ref().unwrap();
        assert_eq!((s.state, s.phase, s.leader), (ServerState::Leading, ZabPhase::Broadcast, Some(1)));
        assert_eq!((s.fsync_micros.p50, s.fsync_micros.p99), (800, 1200));
        assert!(!nodes[1].running && nodes[1].status.is_none());
        assert_eq!(error_of(400, r#"{"ok":false,"error":"node 2 is down already"}"#), "node 2 is down already");
        assert_eq!(error_of(404, ""), "HTTP 404");
    }
}
