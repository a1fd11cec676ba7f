//! Messages on the wire, each with Deliver / Drop / Duplicate; and client requests.

use crate::i18n::texts;
use crate::model::Message;
use crate::state::Action;
use ensemble_core::explain::Lang;
use ensemble_core::sim::Intervention;
use ensemble_core::types::NodeId;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The list shows at most this many messages (the earliest due first).
const SHOWN: usize = 60;

#[derive(PartialEq, Properties)]
pub struct InFlightProps {
    pub lang: Lang,
    pub messages: Vec<Message>,
    pub on_action: Callback<Action>,
}

fn message_row(m: &Message, lang: Lang, on_action: &Callback<Action>) -> Html {
    let t = texts(lang);
    let id = m.msg.msg_id;
    let button = |label: &'static str, testid: &str, iv: fn(u64) -> Intervention| {
        let cb = on_action.reform(move |_: MouseEvent| Action::Intervene(iv(id)));
        html! {
            <button class="small" data-testid={format!("{testid}-{id}")} aria-label={format!("{label} #{id}")} onclick={cb}>{ label }</button>
        }
    };
    let mut notes = Vec::new();
    if m.msg.lost {
        notes.push(t.lost);
    }
    if m.msg.cut {
        notes.push(t.cut);
    }
    html! {
        <li class={classes!("msg-row", (!notes.is_empty()).then_some("doomed"))} data-testid="in-flight-msg">
            <span class={classes!("swatch", "msg", format!("msg-{}", m.kind.to_lowercase()))} aria-hidden="true"></span>
            <span class="msg-text">
                <span class="route">{ format!("#{id} {} → {}", m.msg.from, m.msg.to) }</span>
                { " " }<code>{ &m.text }</code>
                <span class="due">{ format!(" @{}ms", m.msg.deliver_at_ms) }</span>
                if !notes.is_empty() { <em class="note">{ format!(" ({})", notes.join(", ")) }</em> }
            </span>
            <span class="msg-actions">
                { button(t.deliver, "deliver", |msg_id| Intervention::Deliver { msg_id }) }
                { button(t.drop, "drop", |msg_id| Intervention::Drop { msg_id }) }
                { button(t.duplicate, "duplicate", |msg_id| Intervention::Duplicate { msg_id }) }
            </span>
        </li>
    }
}

#[function_component]
pub fn InFlightList(props: &InFlightProps) -> Html {
    let t = texts(props.lang);
    let mut messages: Vec<&Message> = props.messages.iter().collect();
    messages.sort_by_key(|m| (m.msg.deliver_at_ms, m.msg.msg_id));
    let hidden = messages.len().saturating_sub(SHOWN);
    html! {
        <section class="panel in-flight" aria-labelledby="in-flight-title">
            <h2 id="in-flight-title">{ format!("{} ({})", t.in_flight, messages.len()) }</h2>
            if messages.is_empty() {
                <p class="muted">{ t.no_messages }</p>
            } else {
                <ul id="in-flight" class="msg-list">
                    { for messages.iter().take(SHOWN).map(|m| message_row(m, props.lang, &props.on_action)) }
                </ul>
                if hidden > 0 { <p class="muted">{ format!("+{hidden}") }</p> }
            }
        </section>
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
