//! Messages on the wire, each with Deliver / Drop / Duplicate, and the details of the one
//! tapped (on the cluster or here).

use crate::i18n::texts;
use crate::model::Message;
use crate::state::Action;
use ensemble_core::explain::Lang;
use ensemble_core::sim::Intervention;
use yew::prelude::*;

/// The list shows at most this many messages (the earliest due first).
const SHOWN: usize = 60;

#[derive(PartialEq, Properties)]
pub struct InFlightProps {
    pub lang: Lang,
    pub messages: Vec<Message>,
    /// The message whose details show.
    #[prop_or_default]
    pub shown: Option<u64>,
    pub on_action: Callback<Action>,
}

/// A message's details: its kind and what it says, its route, its times and fate.
fn details(m: &Message, lang: Lang, on_action: &Callback<Action>) -> Html {
    let t = texts(lang);
    let close = on_action.reform(|_: MouseEvent| Action::ShowMessage(None));
    let (meaning, phase) = match m.about {
        Some(k) => (if lang == Lang::Zh { k.zh } else { k.en }, if lang == Lang::Zh { k.group.1 } else { k.group.0 }),
        None => ("", ""),
    };
    let fate =
        [(m.msg.lost, t.lost), (m.msg.cut, t.cut)].iter().filter(|(on, _)| *on).map(|(_, s)| *s).collect::<Vec<_>>();
    html! {
        <div class="msg-details" data-testid="msg-details" role="region" aria-label={format!("{} #{}", t.message, m.msg.msg_id)}>
            <p><strong>{ format!("{} #{} · {}", t.message, m.msg.msg_id, m.kind) }</strong>
                if !phase.is_empty() { { format!(" ({phase})") } }</p>
            if !meaning.is_empty() { <p class="muted">{ meaning }</p> }
            <p><code>{ &m.text }</code></p>
            <p>{ format!("{} {} → {} {}: {} {}ms · {} {}ms", t.node, m.msg.from, t.node, m.msg.to, t.sent_at, m.msg.sent_at_ms, t.arrives_at, m.msg.deliver_at_ms) }</p>
            if !fate.is_empty() { <p class="note">{ fate.join(", ") }</p> }
            <button class="small" data-testid="msg-details-close" onclick={close}>{ t.close }</button>
        </div>
    }
}

fn message_row(m: &Message, lang: Lang, shown: bool, on_action: &Callback<Action>) -> Html {
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
        // Keyed by message: after a Drop, focus stays with the row it was on, not with
        // the next message's button that moved into its place.
        <li key={id} class={classes!("msg-row", (!notes.is_empty()).then_some("doomed"))} data-testid="in-flight-msg">
            <span class={classes!("swatch", "msg", format!("msg-{}", m.kind.to_lowercase()))} aria-hidden="true">{ m.glyph }</span>
            // A tap (or Enter) on the text shows the message's details.
            <button type="button" class="msg-text link" data-testid={format!("show-{id}")} aria-expanded={shown.to_string()}
                onclick={on_action.reform(move |_: MouseEvent| Action::ShowMessage((!shown).then_some(id)))}>
                <span class="route">{ format!("#{id} {} → {}", m.msg.from, m.msg.to) }</span>
                { " " }<code>{ &m.text }</code>
                <span class="due">{ format!(" @{}ms", m.msg.deliver_at_ms) }</span>
                if !notes.is_empty() { <em class="note">{ format!(" ({})", notes.join(", ")) }</em> }
            </button>
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
            if let Some(m) = props.shown.and_then(|id| messages.iter().find(|m| m.msg.msg_id == id)) {
                { details(m, props.lang, &props.on_action) }
            }
            if messages.is_empty() {
                <p class="muted">{ t.no_messages }</p>
            } else {
                <ul id="in-flight" class="msg-list">
                    { for messages.iter().take(SHOWN).map(|m| message_row(m, props.lang, props.shown == Some(m.msg.msg_id), &props.on_action)) }
                </ul>
                if hidden > 0 { <p class="muted">{ format!("+{hidden}") }</p> }
            }
        </section>
    }
}
