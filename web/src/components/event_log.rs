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
    pub violation_text: String,
    pub at_end: bool,
    pub error: Option<String>,
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
                if props.violations > 0 { <span class="detail">{ format!(" · {}", props.violation_text) }</span> }
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
}

#[function_component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let t = texts(props.lang);
    let lang = if props.lang == Lang::Zh { "zh-CN" } else { "en" };
    let mut last_step = None;
    let rows = props.lines.iter().map(|l| {
        let first = last_step != Some(l.step);
        last_step = Some(l.step);
        let class = classes!("log-line", l.violation.then_some("violation"), first.then_some("step-start"));
        html! {
            <li class={class} data-kind={l.kind} data-node={l.node.map(|n| n.to_string())}>
                <span class="when">{ format!("{} · {}ms", l.step, l.time_ms) }</span>
                <span class="what">{ &l.text }</span>
            </li>
        }
    });
    html! {
        <section class="panel log-panel" aria-labelledby="log-title" lang={lang}>
            <h2 id="log-title">{ t.event_log }</h2>
            <div class="visually-hidden" aria-live="polite" aria-atomic="true" id="announcer">{ &props.announce }</div>
            if props.lines.is_empty() {
                <p class="muted">{ t.no_events }</p>
            }
            <ol id="event-log" data-testid="event-log" class="event-log">{ for rows }</ol>
        </section>
    }
}
