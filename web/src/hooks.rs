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

/// Space: play/pause; →: step; ←: back. Ignored while typing in a form field.
#[hook]
pub fn use_shortcuts(dispatch: Callback<Action>) {
    use_effect_with((), move |_| {
        let document = web_sys::window().and_then(|w| w.document());
        let listener = document.map(|doc| {
            // Not passive: the handler calls `prevent_default` so Space does not scroll.
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&doc, "keydown", options, move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else { return };
                let target = target_tag(e);
                let typing = matches!(target.as_str(), "INPUT" | "SELECT" | "TEXTAREA");
                if e.alt_key() || e.ctrl_key() || e.meta_key() || typing {
                    return;
                }
                // On a focused button, Space presses that button, as it should.
                let on_button = matches!(target.as_str(), "BUTTON" | "SUMMARY" | "A");
                let action = match e.key().as_str() {
                    " " | "Spacebar" if !on_button => Action::TogglePlay,
                    "ArrowRight" => Action::Step,
                    "ArrowLeft" => Action::Back,
                    _ => return,
                };
                e.prevent_default();
                dispatch.emit(action);
            })
        });
        move || drop(listener)
    });
}

/// The tag name of the element the key went to, e.g. `INPUT`.
fn target_tag(e: &KeyboardEvent) -> String {
    e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).map(|el| el.tag_name()).unwrap_or_default()
}
