//! The invariants panel: each safety property of the protocol, green while it holds, red
//! with a link to the step that broke it (`ProtocolInfo::invariants`, the checker's names).

use crate::i18n::texts;
use crate::state::Action;
use ensemble_core::explain::Lang;
use ensemble_core::scenarios::Protocol;
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct InvariantsProps {
    pub lang: Lang,
    pub protocol: Protocol,
    /// `(invariant, step)` of each violation so far.
    pub violated: Vec<(String, u64)>,
    pub on_action: Callback<Action>,
}

fn broken_at(lang: Lang, step: u64) -> String {
    match lang {
        Lang::En => format!("broken at step {step}"),
        Lang::Zh => format!("在第 {step} 步被违反"),
    }
}

#[function_component]
pub fn Invariants(props: &InvariantsProps) -> Html {
    let t = texts(props.lang);
    let listed = ensemble_core::protocol::lookup(props.protocol).invariants();
    let row = |name: &'static str, meaning: &str| {
        let broken = props.violated.iter().find(|(inv, _)| inv == name).map(|(_, s)| *s);
        let status = match broken {
            Some(step) => {
                let onclick = props.on_action.reform(move |_: MouseEvent| Action::Seek(step));
                html! { <button type="button" class="link" {onclick}>{ broken_at(props.lang, step) }</button> }
            }
            None => html! { <span>{ t.holds }</span> },
        };
        html! {
            <li class={if broken.is_some() { "bad" } else { "good" }} data-testid="invariant" data-name={name}>
                <span class="mark-icon" aria-hidden="true">{ if broken.is_some() { "✗" } else { "✓" } }</span>
                <code>{ name }</code>{ " " }{ status }
                <span class="meaning">{ meaning }</span>
            </li>
        }
    };
    html! {
        <section class="panel invariants" aria-labelledby="invariants-title">
            <h2 id="invariants-title">{ t.invariants }</h2>
            <ul>
                { for listed.iter().map(|i| row(i.name, i.meaning.get(props.lang))) }
                { row("stuck", t.stuck_meaning) }
            </ul>
        </section>
    }
}
