//! One node as its protocol's view draws it (`ensemble_core::view`): state, phase strip,
//! roles, facts and log, the same card for every protocol; crash or restart it.

use crate::i18n::texts;
use crate::state::Action;
use ensemble_core::explain::Lang;
use ensemble_core::sim::Intervention;
use ensemble_core::types::NodeId;
use ensemble_core::view::{Fact, LogView, NodeView, PhaseStrip};
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct NodeCardProps {
    pub lang: Lang,
    pub view: NodeView,
    pub on_action: Callback<Action>,
    /// Buttons drawn instead of the simulator's crash/restart toggle (live mode's).
    #[prop_or_default]
    pub actions: Option<Html>,
    /// The card's element id, if it needs one.
    #[prop_or_default]
    pub id: Option<AttrValue>,
    /// The node is selected (keys `c` and `r` act on it).
    #[prop_or_default]
    pub selected: bool,
    /// What the last step changed: fact keys, and `state` (`crate::inspect`).
    #[prop_or_default]
    pub changed: Vec<&'static str>,
}

/// The node's state class (`state-leading`), or `state-down` while crashed.
pub fn state_class(v: &NodeView) -> &'static str {
    if v.up {
        v.state.kind.class()
    } else {
        "state-down"
    }
}

/// The phases as segments, the current one filled, the earlier ones ticked; then its name.
fn phase_strip(id: NodeId, strip: &PhaseStrip, lang: Lang) -> Html {
    let segments = strip.phases.iter().enumerate().map(|(i, p)| {
        let class = match i.cmp(&strip.current) {
            std::cmp::Ordering::Less => "seg done",
            std::cmp::Ordering::Equal => "seg current",
            std::cmp::Ordering::Greater => "seg",
        };
        html! { <span class={class} title={format!("{}: {}", p.name, p.meaning.get(lang))}></span> }
    });
    let now = strip.current();
    html! {
        <div class="phase-strip" data-testid={format!("node-{id}-phase")}
            aria-label={format!("{}: {}", texts(lang).phase, now.name)}>
            <span class="segs" aria-hidden="true">{ for segments }</span>
            <span class="phase-name" title={now.meaning.get(lang)}>{ now.name }</span>
        </div>
    }
}

fn fact(id: NodeId, f: &Fact, lang: Lang, changed: bool) -> Html {
    let testid = format!("node-{id}-{}", f.key);
    let title = f.full.clone().or_else(|| f.hint.map(|h| h.get(lang).to_string()));
    let class = classes!(changed.then_some("changed"));
    html! {
        <>
            <dt class={class.clone()}>{ f.label.get(lang) }</dt>
            <dd class={class} title={title}>
                if f.code { <code data-testid={testid}>{ &f.value }</code> } else { <span data-testid={testid}>{ &f.value }</span> }
            </dd>
        </>
    }
}

fn log_table(log: &LogView, lang: Lang) -> Html {
    let t = texts(lang);
    let earlier = log.total.saturating_sub(log.rows.len());
    let rows = log.rows.iter().map(|r| {
        html! {
            <tr class={classes!(r.done.then_some("is-chosen"))}>
                <th scope="row">
                    <code>{ r.cells.first().cloned().unwrap_or_default() }</code>
                    // The mark is a colour on screen; a screen reader says it.
                    <span class="visually-hidden">{ if r.done { t.mark_done } else { t.mark_pending } }</span>
                </th>
                { for r.cells.iter().skip(1).map(|c| html! { <td>{ c }</td> }) }
            </tr>
        }
    });
    html! {
        <details class="node-log" open={!log.rows.is_empty() && log.rows.len() <= 8}>
            <summary>{ format!("{} ({})", t.log, log.total) }</summary>
            if log.rows.is_empty() {
                <p class="muted">{ t.empty_log }</p>
            } else {
                <table>
                    <thead><tr>{ for log.columns.iter().map(|c| html! { <th>{ c.get(lang) }</th> }) }</tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
                if earlier > 0 { <p class="muted">{ format!("+{earlier}") }</p> }
            }
        </details>
    }
}

#[function_component]
pub fn NodeCard(props: &NodeCardProps) -> Html {
    let (t, lang) = (texts(props.lang), props.lang);
    let v = &props.view;
    let id = v.id;
    let (label, iv) = if v.up {
        (t.crash, Intervention::Crash { node: id })
    } else {
        (t.restart, Intervention::Restart { node: id })
    };
    let on_toggle = props.on_action.reform(move |_: MouseEvent| Action::Intervene(iv.clone()));
    let roles = v.roles.iter().map(|r| r.get(lang)).collect::<Vec<_>>().join(" · ");
    let state = if v.up { v.state.name() } else { t.crashed };
    let toggle = html! {
        <button class={if v.up { "danger" } else { "" }} data-testid={format!("toggle-node-{id}")}
            aria-label={format!("{label} {} {id}", t.node)} onclick={on_toggle}>{ label }</button>
    };
    html! {
        <article id={props.id.clone()} class={classes!("node-card", state_class(v), (!v.voter).then_some("observer"), props.selected.then_some("selected"))}
            data-testid={format!("node-{id}")} aria-label={format!("{} {id}", t.node)}>
            <header>
                <span class="badge" aria-hidden="true">{ id.0 }</span>
                <h3>{ format!("{} {id}", t.node) }</h3>
                <span class={classes!("state-tag", props.changed.contains(&"state").then_some("changed"))} data-testid={format!("node-{id}-state")} title={v.state.term.meaning.get(lang)}>{ state }</span>
            </header>
            if let Some(strip) = &v.phases { { phase_strip(id, strip, lang) } }
            <p class="roles" data-testid={format!("node-{id}-role")}>{ roles }</p>
            <dl class="facts">{ for v.facts.iter().map(|f| fact(id, f, lang, props.changed.contains(&f.key))) }</dl>
            if !v.log.columns.is_empty() { { log_table(&v.log, lang) } }
            { props.actions.clone().unwrap_or(toggle) }
        </article>
    }
}
