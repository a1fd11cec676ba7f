//! Effects that talk to the browser: the play clock and keyboard shortcuts.

use crate::state::Action;
use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Interval;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// While `playing`, dispatch `Tick` `speed` times a second.
#[hook]
pub fn use_player(playing: bool, speed: u32, dispatch: Callback<Action>) {
    use_effect_with((playing, speed), move |&(playing, speed)| {
        let interval = playing.then(|| {
            let period_ms = 1000 / speed.max(1);
            Interval::new(period_ms, move || dispatch.emit(Action::Tick))
        });
        move || drop(interval)
    });
}

/// While more of the run can be computed ahead, ask for it a chunk at a time, each
/// on its own turn of the event loop, so the page stays responsive.
#[hook]
pub fn use_compute_ahead(ahead: bool, version: u64, dispatch: Callback<Action>) {
    use_effect_with((ahead, version), move |&(ahead, _)| {
        let timeout =
            ahead.then(|| gloo_timers::callback::Timeout::new(0, move || dispatch.emit(Action::ComputeAhead)));
        move || drop(timeout)
    });
}

/// Follow the address when it changes in this tab (a link to another run, or the hash
/// edited by hand); our own writes (`url::write`) replace it without an event.
#[hook]
pub fn use_follow_hash(dispatch: Callback<Action>) {
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|w| {
            EventListener::new(&w, "hashchange", move |_| {
                if let Some(wanted) = crate::url::read() {
                    dispatch.emit(Action::Follow(wanted));
                }
            })
        });
        move || drop(listener)
    });
}

/// Space: play/pause, wherever the focus is; →: step; ←: back; n/p: next/previous
/// milestone; 1–9: select a node; c/r: crash/restart it; ?: the keys' help; Escape:
/// close it, or unselect the node. Ignored while typing in a text field.
#[hook]
pub fn use_shortcuts(dispatch: Callback<Action>) {
    use_effect_with((), move |_| {
        let document = web_sys::window().and_then(|w| w.document());
        let listener = document.map(|doc| {
            // Not passive: the handler calls `prevent_default` so Space does not scroll.
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&doc, "keydown", options, move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else { return };
                if e.alt_key() || e.ctrl_key() || e.meta_key() || typing(e) {
                    return;
                }
                let action = match e.key().as_str() {
                    // Also on a focused button: the hint promises Space plays anywhere.
                    // Its default (pressing the button) is cancelled here and on keyup.
                    " " | "Spacebar" => Action::TogglePlay,
                    "ArrowRight" => Action::Step,
                    "ArrowLeft" => Action::Back,
                    "?" => Action::Help(true),
                    "Escape" => Action::Escape,
                    "n" | "N" => Action::Milestone(true),
                    "p" | "P" => Action::Milestone(false),
                    "c" | "C" => Action::Fault(true),
                    "r" | "R" => Action::Fault(false),
                    key => match key.parse::<u32>() {
                        Ok(n @ 1..=9) => Action::Select(Some(ensemble_core::types::NodeId(n))),
                        _ => return,
                    },
                };
                e.prevent_default();
                dispatch.emit(action);
            })
        });
        let keyup = web_sys::window().and_then(|w| w.document()).map(|doc| {
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&doc, "keyup", options, move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else { return };
                if e.key() == " " && !typing(e) {
                    e.prevent_default();
                }
            })
        });
        move || drop((listener, keyup))
    });
}

/// Whether the key went to a field that takes text (where Space and arrows are the
/// field's own). A slider or a checkbox takes no text.
fn typing(e: &KeyboardEvent) -> bool {
    let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return false };
    match el.tag_name().as_str() {
        "SELECT" | "TEXTAREA" => true,
        "INPUT" => !matches!(
            el.get_attribute("type").unwrap_or_default().as_str(),
            "range" | "checkbox" | "radio" | "button" | "submit" | "reset"
        ),
        _ => el.get_attribute("contenteditable").is_some_and(|v| v != "false"),
    }
}
