//! The player: play/pause, step, step back, speed, the timeline scrubber, branches.

use crate::components::milestones::Milestones;
use crate::i18n::texts;
use crate::model::Marks;
use crate::state::{Action, SPEEDS};
use ensemble_core::explain::Lang;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct ControlsProps {
    pub lang: Lang,
    pub playing: bool,
    pub speed: u32,
    pub step: u64,
    /// Furthest step of the current branch.
    pub head: u64,
    pub branches: usize,
    pub branch: usize,
    pub at_end: bool,
    /// The latest narrated sentence, shown under the player on phones.
    #[prop_or_default]
    pub now: String,
    /// The timeline's milestones (`model::marks`).
    #[prop_or_default]
    pub marks: Rc<Marks>,
    pub on_action: Callback<Action>,
}

/// Player icons as inline SVG, so they draw the same with any installed font.
fn icon(name: &str) -> Html {
    let path = match name {
        "back" => "M4 3h2v10H4zM14 3v10L7 8z",
        "step" => "M10 3h2v10h-2zM2 3v10l7-5z",
        "pause" => "M4 3h3v10H4zM9 3h3v10H9z",
        "prev-mark" => "M14 3v10L8 8zM8 3v10L2 8z",
        "next-mark" => "M2 3v10l6-5zM8 3v10l6-5z",
        _ => "M4 2v12l10-6z",
    };
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            <path d={path} fill="currentColor" />
        </svg>
    }
}

/// The button that switches between English and Chinese.
pub fn lang_button(lang: Lang, onclick: Callback<MouseEvent>) -> Html {
    let t = texts(lang);
    html! {
        <button id="lang-btn" data-testid="lang-btn" class="lang" aria-label={t.lang_label}
            lang={if lang == Lang::En { "zh" } else { "en" }} {onclick}>{ t.lang_button }</button>
    }
}

#[function_component]
pub fn Controls(props: &ControlsProps) -> Html {
    let t = texts(props.lang);
    let act = |a: fn() -> Action| props.on_action.reform(move |_: MouseEvent| a());
    let on_speed = props.on_action.reform(|e: Event| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        Action::SetSpeed(v.parse().unwrap_or(5))
    });
    let on_seek = props.on_action.reform(|e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value();
        Action::Seek(v.parse().unwrap_or(0))
    });
    let on_branch = props.on_action.reform(|e: Event| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        Action::SwitchBranch(v.parse().unwrap_or(0))
    });
    let (play_label, play_icon) = if props.playing { (t.pause, "pause") } else { (t.play, "play") };

    html! {
        <div class="controls" role="toolbar" aria-label={t.player}>
            <div class="buttons">
                <button id="back-btn" data-testid="back-btn" aria-label={t.back} title={t.back}
                    disabled={props.step == 0} onclick={act(|| Action::Back)}>
                    { icon("back") }<span class="btn-text">{ t.back }</span>
                </button>
                <button id="play-btn" data-testid="play-btn" class="primary" aria-label={play_label}
                    aria-pressed={props.playing.to_string()} title={play_label}
                    onclick={act(|| Action::TogglePlay)}>
                    { icon(play_icon) }<span class="btn-text">{ play_label }</span>
                </button>
                <button id="step-btn" data-testid="step-btn" aria-label={t.step} title={t.step}
                    onclick={act(|| Action::Step)}>
                    { icon("step") }<span class="btn-text">{ t.step }</span>
                </button>
                <button data-testid="prev-milestone" aria-label={t.prev_milestone} title={format!("{} (p)", t.prev_milestone)}
                    onclick={act(|| Action::Milestone(false))}>{ icon("prev-mark") }</button>
                <button data-testid="next-milestone" aria-label={t.next_milestone} title={format!("{} (n)", t.next_milestone)}
                    onclick={act(|| Action::Milestone(true))}>{ icon("next-mark") }</button>
                <label class="inline">
                    <span>{ t.speed }</span>
                    <select id="speed-select" data-testid="speed-select" onchange={on_speed}>
                        { for SPEEDS.iter().map(|s| html! {
                            <option value={s.to_string()} selected={*s == props.speed}>
                                { format!("{s} {}", t.per_second) }
                            </option>
                        }) }
                    </select>
                </label>
                if props.branches > 1 {
                    <label class="inline">
                        <span>{ t.branch }</span>
                        <select id="branch-select" data-testid="branch-select" onchange={on_branch}>
                            { for (0..props.branches).map(|b| html! {
                                <option value={b.to_string()} selected={b == props.branch}>{ format!("#{}", b + 1) }</option>
                            }) }
                        </select>
                    </label>
                }
                { lang_button(props.lang, act(|| Action::ToggleLang)) }
                <button id="help-btn" data-testid="help-btn" aria-label={t.help} title={t.help}
                    onclick={props.on_action.reform(|_: MouseEvent| Action::Help(true))}>{ "?" }</button>
            </div>
            <div class="timeline">
            <label class="scrubber">
                <span class="visually-hidden">{ t.timeline }</span>
                <input id="scrubber" data-testid="scrubber" type="range" min="0" max={props.head.to_string()}
                    value={props.step.to_string()} oninput={on_seek} aria-label={t.timeline} />
            </label>
            <Milestones lang={props.lang} head={props.head} marks={props.marks.clone()} on_action={props.on_action.clone()} />
            </div>
            <p class="hint">{ t.keys_hint }</p>
            // The log's live region already reads it out.
            <p class="now-line" data-testid="now-line" aria-hidden="true">{ &props.now }</p>
        </div>
    }
}
