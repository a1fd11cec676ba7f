//! Choosing what to run: scenario, seed, and the modes its protocol offers (a livelock
//! fix, a buggy mode).

use crate::choices::{buggy_names, buggy_of, fix_choices, fix_of};
use crate::i18n::texts;
use crate::state::Action;
use ensemble_core::explain::Lang;
use ensemble_core::scenarios::Scenario;
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

fn description(s: &Scenario, lang: Lang) -> &str {
    match lang {
        Lang::Zh if !s.description_zh.is_empty() => &s.description_zh,
        _ => &s.description,
    }
}

/// The livelock fix; `choices` are the protocol's, `none` first, with their labels.
fn fix_field(choices: Vec<(&'static str, &'static str)>, fix: &UseStateHandle<String>, lang: Lang) -> Html {
    let on_fix = {
        let fix = fix.clone();
        Callback::from(move |e: Event| fix.set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    html! {
        <label class="field">
            <span>{ texts(lang).fix }</span>
            <select id="fix-select" data-testid="fix-select" onchange={on_fix}>
                { for choices.into_iter().map(|(n, label)| html! {
                    <option value={n} selected={n == **fix}>{ label }</option>
                }) }
            </select>
        </label>
    }
}

/// The rule broken on purpose; `names` are the protocol's modes, `none` first.
fn buggy_field(names: Vec<String>, buggy: &UseStateHandle<String>, lang: Lang) -> Html {
    let none = texts(lang).none;
    let on_buggy = {
        let buggy = buggy.clone();
        Callback::from(move |e: Event| buggy.set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    html! {
        <label class="field">
            <span>{ texts(lang).buggy }</span>
            <select id="buggy-select" data-testid="buggy-select" onchange={on_buggy}>
                { for names.iter().map(|n| html! {
                    <option value={n.clone()} selected={*n == **buggy}>{ if n == "none" { none } else { n.as_str() } }</option>
                }) }
            </select>
        </label>
    }
}

#[function_component]
pub fn Picker(props: &PickerProps) -> Html {
    let t = texts(props.lang);
    let name = use_state(|| props.current.clone());
    let seed = use_state(|| props.seed.to_string());
    let fix = use_state(|| props.fix.clone());
    let buggy = use_state(|| props.buggy.clone());
    let selected = props.catalog.iter().find(|s| s.name == *name).cloned();

    let on_scenario = {
        let (name, seed, fix, buggy) = (name.clone(), seed.clone(), fix.clone(), buggy.clone());
        let catalog = props.catalog.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(s) = catalog.iter().find(|s| s.name == value) {
                seed.set(s.seed.to_string());
                fix.set(fix_of(s));
                buggy.set(buggy_of(s));
            }
            name.set(value);
        })
    };
    let on_seed = {
        let seed = seed.clone();
        Callback::from(move |e: InputEvent| seed.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_load = {
        let (name, seed, fix, buggy, cb) =
            (name.clone(), seed.clone(), fix.clone(), buggy.clone(), props.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let seed = seed.trim().parse().unwrap_or(0);
            cb.emit(Action::Load { name: (*name).clone(), seed, fix: (*fix).clone(), buggy: (*buggy).clone() });
        })
    };
    let on_reset = props.on_action.reform(|_: MouseEvent| Action::Reset);
    let fixes = selected.as_ref().map(|s| fix_choices(s.protocol, props.lang)).unwrap_or_default();
    let buggy_modes = selected.as_ref().map(|s| buggy_names(s.protocol)).unwrap_or_default();

    html! {
        <form class="picker" onsubmit={on_load} aria-label={t.scenario}>
            <label class="field field-wide">
                <span>{ t.scenario }</span>
                <select id="scenario-select" data-testid="scenario-select" onchange={on_scenario}>
                    { for props.catalog.iter().map(|s| html! {
                        <option value={s.name.clone()} selected={s.name == *name} title={description(s, props.lang).to_string()}>{ &s.name }</option>
                    }) }
                </select>
            </label>
            <label class="field">
                <span>{ t.seed }</span>
                <input id="seed-input" data-testid="seed-input" type="number" min="0" step="1"
                    inputmode="numeric" value={(*seed).clone()} oninput={on_seed} />
            </label>
            if !fixes.is_empty() { { fix_field(fixes, &fix, props.lang) } }
            if !buggy_modes.is_empty() { { buggy_field(buggy_modes, &buggy, props.lang) } }
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
