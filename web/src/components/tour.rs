//! The captioned tour: pin the moment shown with a caption, page through the stops, and
//! share the whole tour as the page's address (`tour`).

use crate::i18n::texts;
use crate::state::Action;
use crate::tour::{Stop, CAPTION_MAX_CHARS};
use ensemble_core::explain::Lang;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct TourProps {
    pub lang: Lang,
    pub stops: Rc<Vec<Stop>>,
    /// The stop last gone to or pinned.
    pub at: Option<usize>,
    /// The address (`#...`) that opens this run with its tour.
    pub link: AttrValue,
    pub on_action: Callback<Action>,
}

fn stop_of(lang: Lang, i: usize, n: usize) -> String {
    match lang {
        Lang::En => format!("Stop {} of {n}", i + 1),
        Lang::Zh => format!("第 {} 站，共 {n} 站", i + 1),
    }
}

/// The stop gone to, its caption large, with the previous and next stops' buttons.
fn current(props: &TourProps, i: usize) -> Html {
    let (t, n) = (texts(props.lang), props.stops.len());
    let go = |j: usize| props.on_action.reform(move |_: MouseEvent| Action::GoStop(j));
    html! {
        <div class="tour-now">
            <p class="tour-caption" data-testid="tour-caption" aria-live="polite">
                <strong>{ stop_of(props.lang, i, n) }</strong>{ " · " }{ &props.stops[i].caption }
            </p>
            <button data-testid="prev-stop" disabled={i == 0} onclick={go(i.saturating_sub(1))}>{ t.prev_stop }</button>
            <button data-testid="next-stop" disabled={i + 1 >= n} onclick={go((i + 1).min(n - 1))}>{ t.next_stop }</button>
        </div>
    }
}

fn stop_row(props: &TourProps, i: usize, stop: &Stop) -> Html {
    let t = texts(props.lang);
    let go = props.on_action.reform(move |_: MouseEvent| Action::GoStop(i));
    let remove = props.on_action.reform(move |_: MouseEvent| Action::Unpin(i));
    html! {
        <li key={i} class={classes!((props.at == Some(i)).then_some("here"))} data-testid="tour-stop">
            <button type="button" class="link" onclick={go}>{ format!("{} {}: {}", t.step_label, stop.step, stop.caption) }</button>
            <button type="button" class="small" aria-label={format!("{} {}", t.remove_stop, i + 1)} title={t.remove_stop} onclick={remove}>{ "×" }</button>
        </li>
    }
}

#[function_component]
pub fn Tour(props: &TourProps) -> Html {
    let t = texts(props.lang);
    let input = use_node_ref();
    let onsubmit = {
        let (input, on_action) = (input.clone(), props.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(field) = input.cast::<HtmlInputElement>() {
                on_action.emit(Action::Pin(field.value()));
                field.set_value("");
            }
        })
    };
    html! {
        <section class="panel tour" aria-labelledby="tour-title" data-testid="tour">
            <h2 id="tour-title">{ t.tour }</h2>
            if let Some(i) = props.at.filter(|i| *i < props.stops.len()) { { current(props, i) } }
            if !props.stops.is_empty() {
                <ol class="tour-stops">{ for props.stops.iter().enumerate().map(|(i, s)| stop_row(props, i, s)) }</ol>
                <p class="muted">{ t.tour_link_note }{ " " }<a data-testid="tour-link" href={props.link.clone()}>{ t.tour_link }</a></p>
            }
            <form class="pin" {onsubmit}>
                <label class="inline">
                    <span>{ t.caption }</span>
                    <input ref={input} type="text" data-testid="tour-caption-input" maxlength={CAPTION_MAX_CHARS.to_string()} />
                </label>
                <button type="submit" data-testid="pin-btn">{ t.pin }</button>
            </form>
        </section>
    }
}
