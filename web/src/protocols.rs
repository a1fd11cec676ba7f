//! One web module per protocol, for what only that protocol has: the form its clients
//! use, the summary's figure of progress and its own panels. Everything else (cluster, node cards,
//! legend, narration) is drawn from the core's registry and node views, alike for all.

use crate::model::Snapshot;
use crate::state::{Action, AppState};
use ensemble_core::explain::Lang;
use ensemble_core::protocol::lookup;
use ensemble_core::scenarios::Protocol;
use yew::prelude::*;

pub trait WebModule: Sync {
    /// The form with which a client sends a request to one of nodes `1..=nodes`.
    fn client_form(&self, lang: Lang, nodes: u32, on_action: Callback<Action>) -> Html;
    /// The summary's figure of what the run has achieved so far.
    fn progress(&self, snap: &Snapshot, lang: Lang) -> Html;
    /// Panels only this protocol has, below the node cards (ZAB: the selected server's
    /// votes and znode tree). They read the timeline's simulation through the protocol's
    /// own typed views in the core. None by default.
    fn panels(&self, _state: &AppState, _lang: Lang, _on_action: Callback<Action>) -> Html {
        Html::default()
    }
}

/// Each protocol's web module, by its registry name: one line per protocol.
const MODULES: [(&str, &dyn WebModule); 3] =
    [("paxos", &crate::paxos::Values), ("multipaxos", &crate::paxos::Values), ("zab", &crate::zab::Zab)];

/// The web module of `protocol`.
pub fn module(protocol: Protocol) -> &'static dyn WebModule {
    let name = lookup(protocol).name();
    MODULES.iter().find(|(n, _)| *n == name).map(|(_, m)| *m).expect("every protocol has a web module")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ensemble_core::protocol::REGISTRY;

    #[test]
    fn every_registered_protocol_has_a_web_module() {
        for p in REGISTRY {
            assert!(MODULES.iter().any(|(n, _)| *n == p.name()), "{} has no web module", p.name());
        }
    }
}
