//! Milestones on the timeline: a mark under the scrubber where a leader was elected, an
//! epoch began, a node crashed, a partition came or went, a learner was synchronized,
//! something was committed or an invariant broke. A mark seeks there on click; `n` and
//! `p` (and the player's buttons) walk them by keyboard.

use crate::i18n::texts;
use crate::model::Marks;
use crate::state::Action;
use ensemble_core::explain::{Lang, Milestone};
use std::rc::Rc;
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct MilestonesProps {
    pub lang: Lang,
    /// The scrubber's last step: marks sit at `step / head` of its width.
    pub head: u64,
    /// `(step, kinds)`, from `model::marks`.
    pub marks: Rc<Marks>,
    pub on_action: Callback<Action>,
}

fn names(kinds: &[Milestone], lang: Lang) -> String {
    kinds.iter().map(|k| k.label().get(lang)).collect::<Vec<_>>().join(", ")
}

#[function_component]
pub fn Milestones(props: &MilestonesProps) -> Html {
    let t = texts(props.lang);
    let head = props.head.max(1) as f64;
    let marks = props.marks.iter().filter(|(step, _)| *step <= props.head).map(|(step, kinds)| {
        let step = *step;
        // The most telling kind gives the colour (a violation over a commit).
        let top = kinds.last().map_or("commit", |k| k.key());
        let title = format!("{} {step}: {}", texts(props.lang).step_label, names(kinds, props.lang));
        let onclick = props.on_action.reform(move |_: MouseEvent| Action::Seek(step));
        html! {
            // Out of the tab order: hundreds of stops would bury the page; `n`/`p` and the
            // player's buttons reach every mark by keyboard.
            <button type="button" tabindex="-1" class={classes!("mark", format!("mark-{top}"))}
                data-testid="milestone" data-step={step.to_string()} data-kinds={kinds.iter().map(|k| k.key()).collect::<Vec<_>>().join(" ")}
                style={format!("left: {:.2}%", step as f64 / head * 100.0)} title={title.clone()} aria-label={title} {onclick}>
            </button>
        }
    });
    html! {
        <div class="milestones" role="group" aria-label={t.milestones} data-testid="milestones">
            { for marks }
        </div>
    }
}

/// The kinds with their colours, for the help overlay.
pub fn legend(lang: Lang) -> Html {
    html! {
        <ul class="mark-legend">
            { for Milestone::ALL.iter().map(|k| html! {
                <li><span class={classes!("mark-swatch", format!("mark-{}", k.key()))} aria-hidden="true"></span>{ k.label().get(lang) }</li>
            }) }
        </ul>
    }
}
