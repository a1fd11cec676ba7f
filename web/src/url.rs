//! The address bar holds what is loaded, so a link reopens the same run:
//! `#scenario=paxos-livelock&seed=3&fix=randomized-backoff&buggy=none`, and a tour's
//! stops if one is pinned (`&tour=...`, see `tour`), and the moment shown: its step and
//! the interventions of its branch (`&step=12&branch=...`), so a link reopens exactly it.

use crate::tour::{self, Stop};

/// What the page's address asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Wanted {
    pub name: String,
    pub seed: Option<u64>,
    /// A livelock fix's name (`choices::fix_choices`).
    pub fix: Option<String>,
    /// A buggy mode's name (`choices::buggy_names`).
    pub buggy: Option<String>,
    /// A captioned tour's stops.
    pub tour: Option<Vec<Stop>>,
    /// The moment shown: a step of the branch made by these interventions.
    pub moment: Option<Moment>,
}

/// A step of a branch, the branch given by its interventions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Moment {
    pub step: u64,
    pub branch: Vec<(u64, ensemble_core::sim::Intervention)>,
}

/// What the page's address asks for, if it names a scenario.
pub fn read() -> Option<Wanted> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let mut wanted = Wanted::default();
    for pair in hash.trim_start_matches('#').split('&') {
        match pair.split_once('=') {
            Some(("scenario", v)) => wanted.name = v.to_string(),
            Some(("seed", v)) => wanted.seed = v.parse().ok(),
            Some(("fix", v)) => wanted.fix = Some(v.to_string()),
            Some(("buggy", v)) => wanted.buggy = Some(v.to_string()),
            Some(("tour", v)) => wanted.tour = tour::decode(v),
            Some(("step", v)) => wanted.moment.get_or_insert_with(Moment::default).step = v.parse().unwrap_or(0),
            Some(("branch", v)) => {
                wanted.moment.get_or_insert_with(Moment::default).branch = tour::decode(v).unwrap_or_default()
            }
            _ => {}
        }
    }
    (!wanted.name.is_empty()).then_some(wanted)
}

/// The address's `#...` for a run and its tour. `fix` and `buggy` are left out when
/// empty (a protocol without such modes).
pub fn hash(name: &str, seed: u64, fix: &str, buggy: &str, stops: &[Stop], moment: Option<&Moment>) -> String {
    let mut hash = format!("#scenario={name}&seed={seed}");
    if !fix.is_empty() {
        hash.push_str(&format!("&fix={fix}"));
    }
    if !buggy.is_empty() {
        hash.push_str(&format!("&buggy={buggy}"));
    }
    if !stops.is_empty() {
        hash.push_str(&format!("&tour={}", tour::encode(stops)));
    }
    if let Some(m) = moment.filter(|m| m.step > 0) {
        hash.push_str(&format!("&step={}", m.step));
        if !m.branch.is_empty() {
            hash.push_str(&format!("&branch={}", tour::encode(&m.branch)));
        }
    }
    hash
}

/// Put the loaded run into the address (`hash`), without adding a history entry.
pub fn write(hash: &str) {
    let Some(window) = web_sys::window() else { return };
    if window.location().hash().ok().as_deref() == Some(hash) {
        return;
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash));
    }
}
