//! One node's state: roles, ballots, leader, and its log (ZAB: `zab_card`); crash or restart it.

use crate::components::cluster::{has_leaders, state_class};
use crate::components::zab_card::zab_facts;
use crate::i18n::{role, texts};
use crate::i18n_zab::gloss;
use crate::state::Action;
use ensemble_core::explain::Lang;
use ensemble_core::sim::Intervention;
use ensemble_core::types::Ballot;
use ensemble_core::view::{LogLine, NodeView};
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct NodeCardProps {
    pub lang: Lang,
    pub view: NodeView,
    pub on_action: Callback<Action>,
}

fn ballot_text(b: Option<Ballot>) -> String {
    b.map(|b| b.to_string()).unwrap_or_else(|| "–".into())
}

fn log_row(line: &LogLine) -> Html {
    let accepted = line.accepted.as_ref().map(|(b, v)| format!("{v} @ {b}")).unwrap_or_else(|| "–".into());
    let chosen = line.chosen.as_ref().map(|v| v.to_string());
    html! {
        <tr class={classes!(chosen.is_some().then_some("is-chosen"))}>
            <th scope="row">{ format!("#{}", line.instance.0) }</th>
            <td>{ accepted }</td>
            <td>
                if let Some(v) = chosen { <strong>{ format!("✔ {v}") }</strong> } else { { "–" } }
            </td>
        </tr>
    }
}

/// A Paxos or Multi-Paxos node's roles, ballots, leader and instances.
fn paxos_facts(v: &NodeView, roles: &str, lang: Lang) -> Html {
    let t = texts(lang);
    let log: Vec<&LogLine> = v.log.iter().filter(|l| l.accepted.is_some() || l.chosen.is_some()).collect();
    html! {
        <>
            <p class="roles">{ roles }</p>
            <dl class="facts">
                <dt>{ t.ballot }</dt><dd>{ ballot_text(v.ballot) }</dd>
                <dt>{ t.promised }</dt><dd>{ ballot_text(v.promised) }</dd>
                if has_leaders(v) {
                    <dt>{ t.leader }</dt><dd>{ v.leader.map(|l| l.to_string()).unwrap_or_else(|| "?".into()) }</dd>
                }
            </dl>
            <details class="node-log" open={log.len() <= 6}>
                <summary>{ format!("{} ({})", t.log, log.len()) }</summary>
                if log.is_empty() {
                    <p class="muted">{ t.empty_log }</p>
                } else {
                    <table>
                        <thead><tr><th>{ "#" }</th><th>{ t.accepted }</th><th>{ t.chosen }</th></tr></thead>
                        <tbody>{ for log.iter().map(|l| log_row(l)) }</tbody>
                    </table>
                }
            </details>
        </>
    }
}

#[function_component]
pub fn NodeCard(props: &NodeCardProps) -> Html {
    let t = texts(props.lang);
    let v = &props.view;
    let id = v.id;
    let (label, iv) = if v.up {
        (t.crash, Intervention::Crash { node: id })
    } else {
        (t.restart, Intervention::Restart { node: id })
    };
    let on_toggle = props.on_action.reform(move |_: MouseEvent| Action::Intervene(iv.clone()));
    let roles = v.roles.iter().map(|r| role(props.lang, r)).collect::<Vec<_>>().join(" · ");
    let state = if v.up { v.state.clone() } else { t.crashed.to_string() };
    let observer = v.roles.iter().any(|r| r == "observer");
    let title = gloss(props.lang, &v.state);
    let body = match &v.zab {
        Some(z) => zab_facts(v, z, props.lang),
        None => paxos_facts(v, &roles, props.lang),
    };
    html! {
        <article class={classes!("node-card", state_class(v), observer.then_some("observer"))} data-testid={format!("node-{id}")}
            aria-label={format!("{} {id}", t.node)}>
            <header>
                <span class="badge" aria-hidden="true">{ id.0 }</span>
                <h3>{ format!("{} {id}", t.node) }</h3>
                <span class="state-tag" data-testid={format!("node-{id}-state")} title={title}>{ state }</span>
            </header>
            { body }
            <button class={if v.up { "danger" } else { "" }} data-testid={format!("toggle-node-{id}")}
                aria-label={format!("{label} {} {id}", t.node)} onclick={on_toggle}>{ label }</button>
        </article>
    }
}
