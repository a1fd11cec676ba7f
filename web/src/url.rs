//! The address bar holds what is loaded, so a link reopens the same run:
//! `#scenario=paxos-livelock&seed=3&fix=randomized-backoff`.

use crate::state::{fix_from_name, fix_name};
use ensemble_core::paxos::Fix;

/// What the page's address asks for, if anything.
pub fn read() -> Option<(String, Option<u64>, Option<Fix>)> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let mut name = None;
    let mut seed = None;
    let mut fix = None;
    for pair in hash.trim_start_matches('#').split('&') {
        match pair.split_once('=') {
            Some(("scenario", v)) => name = Some(v.to_string()),
            Some(("seed", v)) => seed = v.parse().ok(),
            Some(("fix", v)) => fix = Some(fix_from_name(v)),
            _ => {}
        }
    }
    Some((name?, seed, fix))
}

/// Put the loaded run into the address, without adding a history entry.
pub fn write(name: &str, seed: u64, fix: Fix) {
    let Some(window) = web_sys::window() else { return };
    let hash = format!("#scenario={name}&seed={seed}&fix={}", fix_name(fix));
    if window.location().hash().ok().as_deref() == Some(hash.as_str()) {
        return;
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash));
    }
}
