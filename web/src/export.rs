//! Export the run shown as a JSON Lines trace (`docs/trace.md`): the file `ensemble sim`
//! writes for the same scenario, seed and interventions, up to the step shown.

use crate::state::AppState;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// The trace's file name: `paxos-livelock-seed3-step120.jsonl`.
fn file_name(state: &AppState) -> String {
    format!("{}-seed{}-step{}.jsonl", state.scenario.name, state.seed, state.timeline().position())
}

/// Offer the trace up to the step shown as a download.
pub fn download_trace(state: &AppState) {
    let text: String = state.timeline().entries().iter().map(|e| e.to_jsonl()).collect();
    // Only fails without a document (not in a browser page): nothing to offer then.
    let _ = download(&file_name(state), &text);
}

fn download(name: &str, text: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type("application/x-ndjson");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = Url::create_object_url_with_blob(&blob).ok()?;
    let document = web_sys::window()?.document()?;
    let a: HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    Url::revoke_object_url(&url).ok()
}
