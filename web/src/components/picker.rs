//! Choosing what to run: scenario, seed, (for Basic Paxos) the livelock fix, and
//! (Paxos, ZAB) a buggy mode.

use crate::choices::{buggy_names, buggy_of, fix_from_name, fix_name, fix_names};
use crate::i18n::texts;
use crate::i18n_zab::zab_texts;
use crate::state::Action;
use ensemble_core::explain::Lang;
use ensemble_core::paxos::Fix;
use ensemble_core::scenarios::{Protocol, Scenario};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct PickerProps {
    pub catalog: Rc<Vec<Scenario>>,
    /// The scenario, seed and fix loaded now.
    pub current: String,
    pub seed: u64,
    pub fix: Fix,
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

fn fix_field(fix: &UseStateHandle<Fix>, lang: Lang) -> Html {
    let t = texts(lang);
    let on_fix = {
        let fix = fix.clone();
        Callback::from(move |e: Event| fix.set(fix_from_name(&e.target_unchecked_into::<HtmlSelectElement>().value())))
    };
    let labels = [t.fix_none, t.fix_distinguished, t.fix_backoff];
    html! {
        <label class="field">
            <span>{ t.fix }</span>
            <select id="fix-select" data-testid="fix-select" onchange={on_fix}>
                { for fix_names().iter().zip(labels).map(|(n, label)| html! {
                    <option value={*n} selected={*n == fix_name(**fix)}>{ label }</option>
                }) }
            </select>
        </label>
    }
}

/// The rule broken on purpose; `names` are the protocol's modes, `none` first.
fn buggy_field(names: Vec<String>, buggy: &UseStateHandle<String>, lang: Lang) -> Html {
    let none = texts(lang).fix_none;
    let on_buggy = {
        let buggy = buggy.clone();
        Callback::from(move |e: Event| buggy.set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    html! {
        <label class="field">
            <span>{ zab_texts(lang).buggy }</span>
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
    let fix = use_state(|| props.fix);
    let buggy = use_state(|| props.buggy.clone());
    let selected = props.catalog.iter().find(|s| s.name == *name).cloned();

    let on_scenario = {
        let (name, seed, fix, buggy) = (name.clone(), seed.clone(), fix.clone(), buggy.clone());
        let catalog = props.catalog.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(s) = catalog.iter().find(|s| s.name == value) {
                seed.set(s.seed.to_string());
                fix.set(s.paxos.fix);
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
            cb.emit(Action::Load { name: (*name).clone(), seed, fix: *fix, buggy: (*buggy).clone() });
        })
    };
    let on_reset = props.on_action.reform(|_: MouseEvent| Action::Reset);
    let is_paxos = selected.as_ref().is_some_and(|s| s.protocol == Protocol::Paxos);
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
            if is_paxos { { fix_field(&fix, props.lang) } }
            if !buggy_modes.is_empty() { { buggy_field(buggy_modes, &buggy, props.lang) } }
            <div class="field-buttons">
                <button id="load-btn" data-testid="load-btn" type="submit" class="primary">{ t.load }</button>
                <button id="reset-btn" data-testid="reset-btn" type="button" onclick={on_reset}
                    title={format!("{} ({} {}, {} {})", t.reset, props.current, props.seed, fix_name(props.fix), props.buggy)}>
                    { t.reset }
                </button>
            </div>
            if let Some(s) = selected {
                <p class="description">{ description(&s, props.lang) }</p>
            }
        </form>
    }
}
