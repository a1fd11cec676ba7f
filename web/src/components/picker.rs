//! Choosing what to run: scenario, seed, and the modes its protocol offers (a livelock
//! fix, a buggy mode).

use crate::choices::{buggy_names, buggy_of, fix_choices, fix_of};
use crate::i18n::texts;
use crate::state::Action;
use ensemble_core::explain::Lang;
use ensemble_core::scenarios::{Scenario, Surface};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct PickerProps {
    pub catalog: Rc<Vec<Scenario>>,
    /// The scenario, seed and fix loaded now.
    pub current: String,
    pub seed: u64,
    pub fix: String,
    /// The buggy mode loaded now (`choices`), empty if the protocol has none.
    pub buggy: String,
    pub lang: Lang,
    pub on_action: Callback<Action>,
}

/// The browser's words for a scenario: its description and its hint for the page.
fn description(s: &Scenario, lang: Lang) -> String {
    s.describe(lang, Surface::Web)
}

/// The livelock fix; `choices` are the protocol's, `none` first, with their labels.
/// Choosing one runs it.
fn fix_field(choices: Vec<(&'static str, &'static str)>, fix: &str, load: Callback<Change>, lang: Lang) -> Html {
    let on_fix = load.reform(|e: Event| Change::Fix(e.target_unchecked_into::<HtmlSelectElement>().value()));
    html! {
        <label class="field">
            <span>{ texts(lang).fix }</span>
            <select id="fix-select" data-testid="fix-select" onchange={on_fix}>
                { for choices.into_iter().map(|(n, label)| html! {
                    <option value={n} selected={n == fix}>{ label }</option>
                }) }
            </select>
        </label>
    }
}

/// The rule broken on purpose; `names` are the protocol's modes, `none` first.
/// Choosing one runs it.
fn buggy_field(names: Vec<String>, buggy: &str, load: Callback<Change>, lang: Lang) -> Html {
    let none = texts(lang).none;
    let on_buggy = load.reform(|e: Event| Change::Buggy(e.target_unchecked_into::<HtmlSelectElement>().value()));
    html! {
        <label class="field">
            <span>{ texts(lang).buggy }</span>
            <select id="buggy-select" data-testid="buggy-select" onchange={on_buggy}>
                { for names.iter().map(|n| html! {
                    <option value={n.clone()} selected={n == buggy}>{ if n == "none" { none } else { n.as_str() } }</option>
                }) }
            </select>
        </label>
    }
}

/// A choice in the picker; each one loads the run it names at once.
pub enum Change {
    Scenario(String),
    Fix(String),
    Buggy(String),
    /// Load with the seed typed in the field (the form's submit).
    Seed,
}

#[function_component]
pub fn Picker(props: &PickerProps) -> Html {
    let t = texts(props.lang);
    // Only the seed is edited before it is loaded; the rest is what runs now.
    let seed = use_state(|| props.seed.to_string());
    {
        let seed = seed.clone();
        use_effect_with(props.seed, move |s| seed.set(s.to_string()));
    }
    let selected = props.catalog.iter().find(|s| s.name == props.current).cloned();

    let load = {
        let (seed, cb, catalog) = (seed.clone(), props.on_action.clone(), props.catalog.clone());
        let (name, fix, buggy) = (props.current.clone(), props.fix.clone(), props.buggy.clone());
        let typed = move || seed.trim().parse().unwrap_or(0);
        Callback::from(move |change: Change| {
            let action = match change {
                Change::Scenario(name) => match catalog.iter().find(|s| s.name == name) {
                    Some(s) => Action::Load { name, seed: s.seed, fix: fix_of(s), buggy: buggy_of(s) },
                    None => return,
                },
                Change::Fix(f) => Action::Load { name: name.clone(), seed: typed(), fix: f, buggy: buggy.clone() },
                Change::Buggy(b) => Action::Load { name: name.clone(), seed: typed(), fix: fix.clone(), buggy: b },
                Change::Seed => {
                    Action::Load { name: name.clone(), seed: typed(), fix: fix.clone(), buggy: buggy.clone() }
                }
            };
            cb.emit(action);
        })
    };
    let on_scenario = load.reform(|e: Event| Change::Scenario(e.target_unchecked_into::<HtmlSelectElement>().value()));
    let on_seed = {
        let seed = seed.clone();
        Callback::from(move |e: InputEvent| seed.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_load = load.reform(|e: SubmitEvent| {
        e.prevent_default();
        Change::Seed
    });
    let on_reset = props.on_action.reform(|_: MouseEvent| Action::Reset);
    let fixes = selected.as_ref().map(|s| fix_choices(s.protocol, props.lang)).unwrap_or_default();
    let buggy_modes = selected.as_ref().map(|s| buggy_names(s.protocol)).unwrap_or_default();

    html! {
        <form class="picker" onsubmit={on_load} aria-label={t.scenario}>
            <label class="field field-wide">
                <span>{ t.scenario }</span>
                <select id="scenario-select" data-testid="scenario-select" onchange={on_scenario}>
                    { for props.catalog.iter().map(|s| html! {
                        <option value={s.name.clone()} selected={s.name == props.current} title={description(s, props.lang)}>{ &s.name }</option>
                    }) }
                </select>
            </label>
            <label class="field">
                <span>{ t.seed }</span>
                <input id="seed-input" data-testid="seed-input" type="number" min="0" step="1"
                    inputmode="numeric" value={(*seed).clone()} oninput={on_seed} />
            </label>
            if !fixes.is_empty() { { fix_field(fixes, &props.fix, load.clone(), props.lang) } }
            if !buggy_modes.is_empty() { { buggy_field(buggy_modes, &props.buggy, load.clone(), props.lang) } }
            <div class="field-buttons">
                <button id="load-btn" data-testid="load-btn" type="submit" class="primary">{ t.load }</button>
                <button id="reset-btn" data-testid="reset-btn" type="button" onclick={on_reset}
                    title={format!("{} ({} {}, {} {})", t.reset, props.current, props.seed, props.fix, props.buggy)}>
                    { t.reset }
                </button>
            </div>
            if let Some(s) = selected {
                <p class="description">{ description(&s, props.lang) }</p>
            }
        </form>
    }
}
