//! `window.ensembleTrace(scenario, seed, steps)`: the JSON Lines trace of a headless
//! run, for the browser determinism test. It must equal
//! `ensemble sim --scenario NAME --seed SEED --steps N --trace -` byte for byte.

use ensemble_core::scenarios::{build_with, find_builtin, Run};
use wasm_bindgen::prelude::*;

/// Run built-in `scenario` with `seed` for at most `steps` steps, tracing on; with
/// `steps` 0, its whole run within the scenario's own limits, as the golden traces
/// (`tests/golden/`) record it. Returns an empty string for an unknown scenario.
#[wasm_bindgen(js_name = ensembleTrace)]
pub fn ensemble_trace(scenario: &str, seed: f64, steps: u32) -> String {
    let Some(s) = find_builtin(scenario) else { return String::new() };
    let mut out = String::new();
    if steps == 0 {
        let mut run = Run::new(&s, seed as u64);
        run.sim.set_tracing(true);
        while let Some(entry) = run.next_entry() {
            out.push_str(&entry.to_jsonl());
        }
        return out;
    }
    let mut sim = build_with(&s, seed as u64);
    sim.set_tracing(true);
    for _ in 0..steps {
        let Some(entry) = sim.step() else { break };
        out.push_str(&entry.to_jsonl());
    }
    out
}

/// Make `ensembleTrace` a property of `window`, whatever the loader does with exports.
pub fn install() {
    let Some(window) = web_sys::window() else { return };
    let f = Closure::<dyn Fn(String, f64, u32) -> String>::new(|name: String, seed: f64, steps: u32| {
        ensemble_trace(&name, seed, steps)
    });
    let _ = js_sys::Reflect::set(&window, &JsValue::from_str("ensembleTrace"), f.as_ref());
    // The page keeps the function for its whole life.
    f.forget();
}

/// Tell tests the app is mounted.
pub fn mark_ready() {
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &JsValue::from_str("ensembleReady"), &JsValue::TRUE);
    }
}
