//! Captioned tours: a teacher pins moments of a run (a step on a branch, with a one-line
//! caption); the tour rides in the page's address, so the whole tour is one link, and a
//! student pages through exactly those moments.
//!
//! A stop carries its branch as the list of interventions that make it
//! (`Timeline::follow` rebuilds it), so a link needs nothing but the scenario and seed.

use ensemble_core::sim::Intervention;
use serde::{Deserialize, Serialize};

/// One pinned moment. Short field names: the tour is written into the address.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stop {
    /// The state after this many steps of the branch.
    #[serde(rename = "s")]
    pub step: u64,
    #[serde(rename = "c")]
    pub caption: String,
    /// The branch: `(step, intervention)` pairs, as `Branch::interventions`.
    #[serde(rename = "i", default, skip_serializing_if = "Vec::is_empty")]
    pub interventions: Vec<(u64, Intervention)>,
}

/// Captions are one line; longer ones are cut (the address has to stay a link).
pub const CAPTION_MAX_CHARS: usize = 200;

impl Stop {
    pub fn new(step: u64, caption: &str, interventions: Vec<(u64, Intervention)>) -> Stop {
        let caption = caption.split_whitespace().collect::<Vec<_>>().join(" ");
        Stop { step, caption: caption.chars().take(CAPTION_MAX_CHARS).collect(), interventions }
    }
}

/// A tour (or a branch) as the address writes it: JSON, percent-encoded.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> String {
    let json = serde_json::to_string(value).unwrap_or_default();
    String::from(js_sys::encode_uri_component(&json))
}

/// A tour (or a branch) read back from the address; `None` if it is not one.
pub fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    let json = String::from(js_sys::decode_uri_component(text).ok()?);
    serde_json::from_str(&json).ok()
}
