//! The narrated event log (newest step first) and the one-line summary above it.

use crate::i18n::texts;
use crate::model::LogLine;
use ensemble_core::explain::Lang;
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct SummaryProps {
    pub lang: Lang,
    pub step: u64,
    pub now_ms: u64,
    /// What the run achieved so far, as its protocol's web module shows it.
    pub progress: Html,
    pub violations: usize,
    pub violation_links: Vec<(String, String, u64)>,
    pub at_end: bool,
    pub error: Option<String>,
    /// Where a violation's link goes (`Action::Seek`).
    pub on_action: Callback<crate::state::Action>,
}

/// A violation as a link to the step that broke the invariant.
fn violation_link((label, detail, step): &(String, String, u64), on_action: &Callback<crate::state::Action>) -> Html {
    let step = *step;
    let onclick = on_action.reform(move |_: MouseEvent| crate::state::Action::Seek(step));
    html! {
        <>{ " · " }<button type="button" class="link detail" data-testid="violation-link" title={detail.clone()} {onclick}>{ label }</button></>
    }
}

#[function_component]
pub fn Summary(props: &SummaryProps) -> Html {
    let t = texts(props.lang);
    html! {
        <div class="summary" data-testid="summary">
            <span class="stat">{ t.step_label }{ " " }<strong id="step-count" data-testid="step-count">{ props.step }</strong></span>
            <span class="stat">{ t.time_label }{ " " }<strong id="time-ms">{ format!("{} ms", props.now_ms) }</strong></span>
            { props.progress.clone() }
            <span class={classes!("stat", (props.violations > 0).then_some("bad"))}>
                { t.violations }{ ": " }<strong id="violations" data-testid="violations">{ props.violations }</strong>
                { for props.violation_links.iter().map(|v| violation_link(v, &props.on_action)) }
            </span>
            if props.at_end { <span class="stat end">{ t.end_of_run }</span> }
            if let Some(e) = &props.error { <span class="stat bad" role="alert">{ e }</span> }
        </div>
    }
}

#[derive(PartialEq, Properties)]
pub struct EventLogProps {
    pub lang: Lang,
    pub lines: std::rc::Rc<Vec<LogLine>>,
    /// Read out by screen readers after each change.
    pub announce: String,
    /// Lines of real nodes (live mode): each shows its wall-clock time and its node, not
    /// a simulator step.
    #[prop_or_default]
    pub live: bool,
    /// Shows earlier lines, when there are more than the log shows.
    #[prop_or_default]
    pub more: Option<Callback<MouseEvent>>,
    /// Whether heartbeats are hidden, and the switch that hides them (the simulator's).
    #[prop_or_default]
    pub hide_beats: Option<(bool, Callback<bool>)>,
    /// Where a line's "break it here" goes (the simulator's).
    #[prop_or_default]
    pub on_break: Option<Callback<(u64, &'static str)>>,
    /// Downloads the trace (the simulator's).
    #[prop_or_default]
    pub on_export: Option<Callback<MouseEvent>>,
}

/// A line's "break it here" button, if its rule can be broken.
fn break_button(l: &LogLine, lang: Lang, on: Option<&Callback<(u64, &'static str)>>) -> Html {
    let (Some(mode), Some(on)) = (l.breaks, on) else { return html! {} };
    let t = texts(lang);
    let step = l.step;
    html! {
        <button type="button" class="small break" data-testid="break-here" data-mode={mode} title={t.break_hint}
            onclick={on.reform(move |_: MouseEvent| (step, mode))}>{ t.break_it }</button>
    }
}

/// The "hide heartbeats" checkbox (the log's, and the sequence diagram's: one switch).
pub fn beats_switch(lang: Lang, (hidden, on): &(bool, Callback<bool>), testid: &'static str) -> Html {
    let onchange = on.reform(|e: Event| e.target_unchecked_into::<web_sys::HtmlInputElement>().checked());
    html! {
        <label class="inline beats">
            <input type="checkbox" data-testid={testid} checked={*hidden} {onchange} />
            { texts(lang).hide_heartbeats }
        </label>
    }
}

/// `12 · 340ms` (step and virtual time), or live, `14:03:07.250 · n2`.
fn when(l: &LogLine, live: bool) -> String {
    if !live {
        return format!("{} · {}ms", l.step, l.time_ms);
    }
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(l.time_ms as f64));
    let clock =
        format!("{:02}:{:02}:{:02}.{:03}", d.get_hours(), d.get_minutes(), d.get_seconds(), d.get_milliseconds());
    match l.node {
        Some(n) => format!("{clock} · n{n}"),
        None => clock,
    }
}

#[function_component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let t = texts(props.lang);
    let lang = if props.lang == Lang::Zh { "zh-CN" } else { "en" };
    // A step's lines happen at one node: a change of either starts a new group.
    let mut last_step = None;
    let rows = props.lines.iter().map(|l| {
        let first = last_step != Some((l.step, l.node));
        last_step = Some((l.step, l.node));
        let class = classes!("log-line", l.violation.then_some("violation"), first.then_some("step-start"));
        html! {
            <li class={class} data-kind={l.kind} data-node={l.node.map(|n| n.to_string())}>
                <span class="when">{ when(l, props.live) }</span>
                <span class="what">{ &l.text }{ break_button(l, props.lang, props.on_break.as_ref()) }</span>
            </li>
        }
    });
    html! {
        <section class="panel log-panel" aria-labelledby="log-title" lang={lang}>
            <h2 id="log-title">{ t.event_log }</h2>
            <div class="log-tools">
                if let Some(beats) = &props.hide_beats { { beats_switch(props.lang, beats, "hide-heartbeats") } }
                if let Some(export) = &props.on_export {
                    <button type="button" class="small export" data-testid="export-trace" title={t.export_hint} onclick={export.clone()}>{ t.export }</button>
                }
            </div>
            <div class="visually-hidden" aria-live="polite" aria-atomic="true" id="announcer">{ &props.announce }</div>
            if props.lines.is_empty() {
                <p class="muted">{ if props.live { t.no_live_events } else { t.no_events } }</p>
            }
            <ol id="event-log" data-testid="event-log" class="event-log">{ for rows }</ol>
            if let Some(more) = &props.more {
                <button type="button" class="small" data-testid="log-more" onclick={more.clone()}>{ t.earlier_lines }</button>
            }
        </section>
    }
}
