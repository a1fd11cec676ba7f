//! The web module of the value-choosing protocols (Basic Paxos, Multi-Paxos): a client
//! asks a node to get a value chosen, and the summary lists the chosen values.

use crate::i18n::texts;
use crate::model::Snapshot;
use crate::protocols::WebModule;
use crate::state::Action;
use ensemble_core::explain::Lang;
use ensemble_core::sim::Intervention;
use ensemble_core::types::NodeId;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

pub struct Values;

impl WebModule for Values {
    fn client_form(&self, lang: Lang, nodes: u32, on_action: Callback<Action>) -> Html {
        html! { <RequestForm lang={lang} nodes={nodes} on_action={on_action} /> }
    }

    fn progress(&self, snap: &Snapshot, lang: Lang) -> Html {
        let t = texts(lang);
        let chosen = snap.chosen_text();
        html! {
            <span class={classes!("stat", (!chosen.is_empty()).then_some("good"))}>
                { t.chosen }{ ": " }<strong id="chosen" data-testid="chosen">
                    { if chosen.is_empty() { t.nothing_chosen.to_string() } else { chosen } }
                </strong>
            </span>
        }
    }
}

#[derive(PartialEq, Properties)]
pub struct RequestProps {
    pub lang: Lang,
    pub nodes: u32,
    pub on_action: Callback<Action>,
}

/// A client asks one node to get a value chosen.
#[function_component]
pub fn RequestForm(props: &RequestProps) -> Html {
    let t = texts(props.lang);
    let node = use_state(|| 1u32);
    let value = use_state(String::new);
    let on_node = {
        let node = node.clone();
        Callback::from(move |e: Event| {
            node.set(e.target_unchecked_into::<HtmlSelectElement>().value().parse().unwrap_or(1))
        })
    };
    let on_value = {
        let value = value.clone();
        Callback::from(move |e: InputEvent| value.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_submit = {
        let (node, value, cb) = (node.clone(), value.clone(), props.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let v = value.trim().to_string();
            if !v.is_empty() {
                cb.emit(Action::Intervene(Intervention::Request { node: NodeId(*node), value: v }));
                value.set(String::new());
            }
        })
    };
    html! {
        <form class="request" onsubmit={on_submit} aria-label={t.request}>
            <span class="label">{ t.request }</span>
            <label class="inline">
                <span class="visually-hidden">{ t.node }</span>
                <select id="request-node" data-testid="request-node" onchange={on_node} aria-label={t.node}>
                    { for (1..=props.nodes).map(|i| html! {
                        <option value={i.to_string()} selected={i == *node}>{ format!("{} {i}", t.node) }</option>
                    }) }
                </select>
            </label>
            <input id="request-value" data-testid="request-value" type="text" placeholder={t.request_value}
                aria-label={t.request_value} value={(*value).clone()} oninput={on_value} maxlength="40" />
            <button type="submit" id="request-btn" data-testid="request-btn">{ t.send }</button>
        </form>
    }
}
