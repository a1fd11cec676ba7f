//! A client of one ZAB server sends a coordination-service operation (connect, create,
//! get, ..., multi). The form only draws the fields of its operation: `client_ops` turns
//! them into the operation, or says what is wrong.

use super::client_ops::{takes_data, takes_path, takes_version, takes_watch, Draft, MULTI_SYNTAX, OPS};
use super::i18n::{op_error, zab_texts};
use crate::i18n::texts;
use crate::state::Action;
use ensemble_core::explain::Lang;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

pub(crate) type Setter<T> = fn(&mut Draft, T);

/// Any edit clears the error the last send found: it may be fixed now.
fn update<T>(draft: &UseStateHandle<Draft>, set: Setter<T>, v: T) {
    let mut d = (**draft).clone();
    d.error = None;
    set(&mut d, v);
    draft.set(d);
}

pub(crate) fn on_text(draft: &UseStateHandle<Draft>, set: Setter<String>) -> Callback<InputEvent> {
    let draft = draft.clone();
    Callback::from(move |e: InputEvent| update(&draft, set, e.target_unchecked_into::<HtmlInputElement>().value()))
}

fn on_lines(draft: &UseStateHandle<Draft>, set: Setter<String>) -> Callback<InputEvent> {
    let draft = draft.clone();
    Callback::from(move |e: InputEvent| update(&draft, set, e.target_unchecked_into::<HtmlTextAreaElement>().value()))
}

pub(crate) fn on_pick(draft: &UseStateHandle<Draft>, set: Setter<String>) -> Callback<Event> {
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
        let (draft, cb) = (draft.clone(), props.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match draft.intervention() {
                Ok(iv) => cb.emit(Action::Intervene(iv)),
                Err(error) => draft.set(Draft { error: Some(error), ..(*draft).clone() }),
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
            if takes_version(&d.op) {
                <input id="client-version" data-testid="client-version" class="narrow" type="number"
                    inputmode="numeric" aria-label={z.version_any} title={z.version_any} placeholder={z.version}
                    value={d.version.clone()} oninput={on_text(&draft, |d, v| d.version = v)} />
            }
            if d.op == "multi" {
                <textarea id="client-multi" data-testid="client-multi" rows="4" spellcheck="false"
                    aria-label={z.multi_help} title={z.multi_help} placeholder={MULTI_SYNTAX}
                    value={d.multi.clone()} oninput={on_lines(&draft, |d, v| d.multi = v)} />
            }
            if d.op == "create" {
                { checkbox(&draft, "client-ephemeral", z.ephemeral, d.ephemeral, |d, v| d.ephemeral = v) }
                { checkbox(&draft, "client-sequential", z.sequential, d.sequential, |d, v| d.sequential = v) }
            }
            if takes_watch(&d.op) {
                { checkbox(&draft, "client-watch", z.watch, d.watch, |d, v| d.watch = v) }
            }
            <button type="submit" id="client-send" data-testid="client-send">{ t.send }</button>
            if let Some(e) = &d.error {
                <span class="form-error" role="alert" data-testid="client-error">{ op_error(props.lang, e) }</span>
            }
        </form>
    }
}
