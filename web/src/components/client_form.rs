//! A client of one ZAB server sends a coordination-service operation (connect, create,
//! get, ...). The form only gathers fields; the core's `ClientOp` fills the defaults.

use crate::i18n::texts;
use crate::i18n_zab::zab_texts;
use crate::state::Action;
use ensemble_core::client::ClientOp;
use ensemble_core::explain::Lang;
use ensemble_core::sim::Intervention;
use ensemble_core::types::{ClientId, NodeId};
use serde_json::{Map, Value};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

const OPS: [&str; 9] = ["connect", "create", "get", "set", "delete", "exists", "children", "sync", "close"];

#[derive(Clone, Debug, PartialEq)]
struct Draft {
    node: u32,
    /// The client's number as typed; empty means the node's id.
    client: String,
    op: String,
    path: String,
    data: String,
    ephemeral: bool,
    sequential: bool,
    watch: bool,
}

impl Default for Draft {
    fn default() -> Self {
        let op = "connect".to_string();
        Draft {
            node: 1,
            client: String::new(),
            op,
            path: "/".into(),
            data: String::new(),
            ephemeral: false,
            sequential: false,
            watch: false,
        }
    }
}

fn takes_path(op: &str) -> bool {
    !matches!(op, "connect" | "close")
}
fn takes_data(op: &str) -> bool {
    matches!(op, "create" | "set")
}
fn takes_watch(op: &str) -> bool {
    matches!(op, "get" | "exists" | "children")
}

impl Draft {
    /// The operation as the core reads it from a scenario file; fields left out get
    /// the core's defaults (session timeout, any version, `/` for sync).
    fn op(&self) -> Option<ClientOp> {
        let mut o = Map::new();
        o.insert("op".into(), Value::from(self.op.as_str()));
        if takes_path(&self.op) {
            let path = self.path.trim();
            o.insert("path".into(), Value::from(if path.is_empty() { "/" } else { path }));
        }
        if takes_data(&self.op) {
            o.insert("data".into(), Value::from(self.data.as_str()));
        }
        if self.op == "create" {
            o.insert("ephemeral".into(), Value::from(self.ephemeral));
            o.insert("sequential".into(), Value::from(self.sequential));
        }
        if takes_watch(&self.op) {
            o.insert("watch".into(), Value::from(self.watch));
        }
        serde_json::from_value(Value::Object(o)).ok()
    }

    fn intervention(&self) -> Option<Intervention> {
        let client = ClientId(self.client.trim().parse().unwrap_or(self.node));
        Some(Intervention::Client { node: NodeId(self.node), client, op: self.op()? })
    }
}

type Setter<T> = fn(&mut Draft, T);

fn update<T>(draft: &UseStateHandle<Draft>, set: Setter<T>, v: T) {
    let mut d = (**draft).clone();
    set(&mut d, v);
    draft.set(d);
}

fn on_text(draft: &UseStateHandle<Draft>, set: Setter<String>) -> Callback<InputEvent> {
    let draft = draft.clone();
    Callback::from(move |e: InputEvent| update(&draft, set, e.target_unchecked_into::<HtmlInputElement>().value()))
}

fn on_pick(draft: &UseStateHandle<Draft>, set: Setter<String>) -> Callback<Event> {
    let draft = draft.clone();
    Callback::from(move |e: Event| update(&draft, set, e.target_unchecked_into::<HtmlSelectElement>().value()))
}

fn checkbox(draft: &UseStateHandle<Draft>, id: &str, label: &str, on: bool, set: Setter<bool>) -> Html {
    let d = draft.clone();
    let cb = Callback::from(move |e: Event| update(&d, set, e.target_unchecked_into::<HtmlInputElement>().checked()));
    html! {
        <label class="check"><input type="checkbox" id={id.to_string()} data-testid={id.to_string()} checked={on} onchange={cb} />{ label }</label>
    }
}

#[derive(PartialEq, Properties)]
pub struct ClientFormProps {
    pub lang: Lang,
    pub nodes: u32,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn ClientForm(props: &ClientFormProps) -> Html {
    let (t, z) = (texts(props.lang), zab_texts(props.lang));
    let draft = use_state(Draft::default);
    let d = (*draft).clone();
    let on_submit = {
        let (d, cb) = (d.clone(), props.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(iv) = d.intervention() {
                cb.emit(Action::Intervene(iv));
            }
        })
    };
    html! {
        <form class="request client-form" onsubmit={on_submit} aria-label={t.request}>
            <span class="label">{ t.request }</span>
            <select id="client-node" data-testid="client-node" aria-label={t.node}
                onchange={on_pick(&draft, |d, v| d.node = v.parse().unwrap_or(1))}>
                { for (1..=props.nodes).map(|i| html! {
                    <option value={i.to_string()} selected={i == d.node}>{ format!("{} {i}", t.node) }</option>
                }) }
            </select>
            <input id="client-id" data-testid="client-id" class="narrow" type="number" min="0" inputmode="numeric"
                aria-label={z.client} title={z.client} placeholder={format!("{} {}", z.client, d.node)}
                value={d.client.clone()} oninput={on_text(&draft, |d, v| d.client = v)} />
            <select id="client-op" data-testid="client-op" aria-label={z.op} onchange={on_pick(&draft, |d, v| d.op = v)}>
                { for OPS.iter().map(|o| html! { <option value={*o} selected={*o == d.op}>{ *o }</option> }) }
            </select>
            if takes_path(&d.op) {
                <input id="client-path" data-testid="client-path" type="text" aria-label={z.path} placeholder={z.path}
                    value={d.path.clone()} oninput={on_text(&draft, |d, v| d.path = v)} maxlength="60" />
            }
            if takes_data(&d.op) {
                <input id="client-data" data-testid="client-data" type="text" aria-label={z.data} placeholder={z.data}
                    value={d.data.clone()} oninput={on_text(&draft, |d, v| d.data = v)} maxlength="60" />
            }
            if d.op == "create" {
                { checkbox(&draft, "client-ephemeral", z.ephemeral, d.ephemeral, |d, v| d.ephemeral = v) }
                { checkbox(&draft, "client-sequential", z.sequential, d.sequential, |d, v| d.sequential = v) }
            }
            if takes_watch(&d.op) {
                { checkbox(&draft, "client-watch", z.watch, d.watch, |d, v| d.watch = v) }
            }
            <button type="submit" id="client-send" data-testid="client-send">{ t.send }</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_fills_only_the_fields_of_its_operation() {
        let d = Draft { op: "create".into(), path: "/x".into(), data: "v".into(), ephemeral: true, ..Draft::default() };
        let create = ClientOp::Create { path: "/x".into(), data: "v".into(), ephemeral: true, sequential: false };
        assert_eq!(d.op(), Some(create));
        let d = Draft { node: 2, op: "sync".into(), path: " ".into(), data: "ignored".into(), ..Draft::default() };
        assert_eq!(d.op(), Some(ClientOp::Sync { path: "/".into() }));
        let Some(Intervention::Client { client, .. }) = d.intervention() else { panic!("a client request") };
        assert_eq!(client, ClientId(2));
    }
}
