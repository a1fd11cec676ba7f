//! ZAB's web module: a client of one server sends coordination-service operations
//! (`client_form`), the summary names the leader established in each epoch, and
//! `panels` show a server's election votes and znode tree.

pub mod client_form;
pub mod client_ops;
pub mod i18n;
pub mod panels;
pub mod tree_panel;

use crate::i18n::texts;
use crate::model::Snapshot;
use crate::protocols::WebModule;
use crate::state::{Action, AppState};
use client_form::ClientForm;
use ensemble_core::explain::Lang;
use ensemble_core::types::NodeId;
use i18n::zab_texts;
use yew::prelude::*;

pub struct Zab;

/// `epoch 1: node 3 · epoch 2: node 2`, or "none yet".
fn leaders_text(leaders: &[(u32, NodeId)], lang: Lang) -> String {
    let (t, z) = (texts(lang), zab_texts(lang));
    if leaders.is_empty() {
        return z.none_yet.to_string();
    }
    leaders.iter().map(|(e, n)| format!("{} {e}: {} {n}", z.epoch, t.node)).collect::<Vec<_>>().join(" · ")
}

impl WebModule for Zab {
    fn client_form(&self, lang: Lang, nodes: u32, on_action: Callback<Action>) -> Html {
        html! { <ClientForm lang={lang} nodes={nodes} on_action={on_action} /> }
    }

    fn panels(&self, state: &AppState, lang: Lang, on_action: Callback<Action>) -> Html {
        panels::panels(state, lang, on_action)
    }

    fn progress(&self, snap: &Snapshot, lang: Lang) -> Html {
        html! {
            <span class={classes!("stat", (!snap.leaders.is_empty()).then_some("good"))}>
                { zab_texts(lang).leaders }{ ": " }
                <strong id="leaders" data-testid="leaders">{ leaders_text(&snap.leaders, lang) }</strong>
            </span>
        }
    }
}
