//! The keyboard help overlay (`?`), a modal dialog listing every key.

use crate::i18n::texts;
use crate::state::Action;
use ensemble_core::explain::Lang;
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct HelpProps {
    pub lang: Lang,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn Help(props: &HelpProps) -> Html {
    let t = texts(props.lang);
    let close = props.on_action.reform(|_: MouseEvent| Action::Help(false));
    let close_ref = use_node_ref();
    // Focus moves into the dialog, so a keyboard user is where the dialog is.
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(button) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    html! {
        <div class="overlay" data-testid="help">
            <div class="dialog panel" role="dialog" aria-modal="true" aria-labelledby="help-title">
                <h2 id="help-title">{ t.help_title }</h2>
                <dl class="keys">
                    { for t.help_keys.iter().map(|(key, what)| html! {
                        <><dt><kbd>{ *key }</kbd></dt><dd>{ *what }</dd></>
                    }) }
                </dl>
                <h3>{ t.milestones }</h3>
                { crate::components::milestones::legend(props.lang) }
                <button ref={close_ref} data-testid="help-close" class="primary" onclick={close}>{ t.close }</button>
            </div>
        </div>
    }
}
