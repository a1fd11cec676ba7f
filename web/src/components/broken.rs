//! "Break it here": the run as written beside the same run with the rule of a narrated
//! decision broken (`ensemble_core::sim::break_here`), at the broken run's first
//! violation, with the facts that differ marked.

use crate::i18n::texts;
use crate::state::Action;
use ensemble_core::explain::Lang;
use ensemble_core::sim::Broken;
use ensemble_core::view::NodeView;
use std::rc::Rc;
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct BrokenProps {
    pub lang: Lang,
    pub broken: Rc<Broken>,
    pub on_action: Callback<Action>,
}

/// One side: every node's state and facts, those unlike the other side's marked.
fn side(title: &str, views: &[NodeView], other: &[NodeView], lang: Lang, testid: &str) -> Html {
    let t = texts(lang);
    let node = |v: &NodeView| {
        let twin = other.iter().find(|o| o.id == v.id);
        let state = if v.up { v.state.name() } else { t.crashed };
        let facts = v.facts.iter().map(|f| {
            let differs = twin.is_some_and(|o| o.facts.iter().any(|g| g.key == f.key && g.value != f.value));
            html! {
                <li class={classes!(differs.then_some("differs"))} data-key={f.key}>
                    { f.label.get(lang) }{ " " }<code>{ &f.value }</code>
                    if differs { <span class="visually-hidden">{ t.differs }</span> }
                </li>
            }
        });
        html! {
            <div class="side-node">
                <strong>{ format!("{} {} · {state}", t.node, v.id) }</strong>
                <ul>{ for facts }</ul>
            </div>
        }
    };
    html! {
        <div class="side" data-testid={testid.to_string()}>
            <h3>{ title }</h3>
            { for views.iter().map(node) }
        </div>
    }
}

fn summary(b: &Broken, lang: Lang) -> String {
    let parted = b.diverged_at.map(|s| s.to_string()).unwrap_or_else(|| "—".into());
    match (&b.violation, lang) {
        (Some(v), Lang::En) => format!(
            "With the rule broken (buggy mode {}), the runs part at step {parted}, and at step {} the checker finds {}: {}",
            b.buggy, v.step, v.invariant, v.detail
        ),
        (Some(v), Lang::Zh) => format!(
            "破坏这条规则后（缺陷模式 {}），两次运行在第 {parted} 步分道扬镳，第 {} 步检查器发现违反 {}：{}",
            b.buggy, v.step, v.invariant, v.detail
        ),
        (None, Lang::En) => format!(
            "With the rule broken (buggy mode {}), the runs part at step {parted}, but by step {} no invariant broke: here the rule did not matter.",
            b.buggy, b.step
        ),
        (None, Lang::Zh) => format!(
            "破坏这条规则后（缺陷模式 {}），两次运行在第 {parted} 步分道扬镳，但到第 {} 步为止没有违反任何不变式：在这里这条规则没有起作用。",
            b.buggy, b.step
        ),
    }
}

#[function_component]
pub fn BrokenView(props: &BrokenProps) -> Html {
    let t = texts(props.lang);
    let b = &props.broken;
    let close = props.on_action.reform(|_: MouseEvent| Action::CloseBroken);
    let open = props.on_action.reform(|_: MouseEvent| Action::OpenBroken);
    html! {
        <section class="panel broken" aria-labelledby="broken-title" data-testid="broken">
            <h2 id="broken-title">{ format!("{}: {}", t.break_it, b.buggy) }</h2>
            <p data-testid="broken-summary">{ summary(b, props.lang) }</p>
            <div class="sides">
                { side(t.as_written, &b.written, &b.broken, props.lang, "side-written") }
                { side(t.rule_broken, &b.broken, &b.written, props.lang, "side-broken") }
            </div>
            <button data-testid="open-broken" onclick={open}>{ t.open_broken }</button>
            <button data-testid="close-broken" onclick={close}>{ t.close }</button>
        </section>
    }
}
