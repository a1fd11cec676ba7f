//! Live mode: the page watches the real ensemble `ensemble demo` runs beside it.
//!
//! `api` asks the demo server for the nodes (`GET /live`) and crashes or restarts them;
//! `socket` subscribes to each running node's `/events`; `state` folds polls and events
//! into a model; `model` reads out of it the plain data the simulator's own components
//! draw (cluster, node cards, event log); `client` sends requests to a node's `/client`.

pub mod api;
pub mod client;
pub mod hooks;
pub mod i18n;
pub mod model;
pub mod socket;
pub mod state;

use crate::components::cluster::Cluster;
use crate::components::controls::lang_button;
use crate::components::event_log::EventLog;
use crate::components::node_card::NodeCard;
use crate::i18n::texts;
use crate::zab::i18n::zab_texts;
use client::LiveClient;
use ensemble_core::explain::Lang;
use ensemble_core::scenarios::Protocol;
use ensemble_core::view::NodeView;
use i18n::live_texts;
use socket::Inbox;
use state::{LiveAction, LiveState};
use std::rc::Rc;
use yew::platform::spawn_local;
use yew::prelude::*;

/// Which the page shows: the simulator or the real ensemble.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Sim,
    Live,
}

#[derive(PartialEq, Properties)]
pub struct ModeSwitchProps {
    pub lang: Lang,
    pub mode: Mode,
    pub on_mode: Callback<Mode>,
}

/// Simulator | Live, two buttons of which one is pressed.
#[function_component]
pub fn ModeSwitch(props: &ModeSwitchProps) -> Html {
    let l = live_texts(props.lang);
    let button = |mode: Mode, id: &'static str, label: &'static str| {
        let pressed = props.mode == mode;
        html! {
            <button {id} type="button" class={classes!(pressed.then_some("primary"))} aria-pressed={pressed.to_string()}
                onclick={props.on_mode.reform(move |_: MouseEvent| mode)}>{ label }</button>
        }
    };
    html! {
        <div class="mode-switch" role="group" aria-label={l.mode}>
            { button(Mode::Sim, "mode-sim", l.simulator) }
            { button(Mode::Live, "mode-live", l.live) }
        </div>
    }
}

/// A node card's Crash and Restart buttons, which ask the demo server.
fn card_actions(id: u32, up: bool, lang: Lang, on_admin: &Callback<(u32, &'static str)>) -> Html {
    let t = texts(lang);
    let crash = on_admin.reform(move |_: MouseEvent| (id, "crash"));
    let restart = on_admin.reform(move |_: MouseEvent| (id, "restart"));
    html! {
        <div class="live-actions">
            <button id={format!("live-crash-{id}")} class="danger" disabled={!up} onclick={crash}
                aria-label={format!("{} {} {id}", t.crash, t.node)}>{ t.crash }</button>
            <button id={format!("live-restart-{id}")} disabled={up} onclick={restart}
                aria-label={format!("{} {} {id}", t.restart, t.node)}>{ t.restart }</button>
        </div>
    }
}

/// The line above the cluster: the leader, the heartbeat switch, the language.
fn live_summary(state: &LiveState, lang: Lang, dispatch: &Callback<LiveAction>, on_lang: Callback<MouseEvent>) -> Html {
    let (l, z) = (live_texts(lang), zab_texts(lang));
    let leader = model::leader(state);
    let leader_text = leader.map(|n| format!("{} {n}", texts(lang).node)).unwrap_or_else(|| l.no_leader.into());
    let on_heartbeats = dispatch.reform(|_: Event| LiveAction::ToggleHeartbeats);
    let error =
        state.admin_error.clone().or_else(|| state.poll_error.as_ref().map(|e| format!("{}: {e}", l.poll_failed)));
    let epoch = state.nodes.iter().filter_map(|n| n.status.as_ref()).map(|s| s.epoch).max();
    html! {
        <div class="summary live-summary" id="live-summary">
            <span class={classes!("stat", leader.is_some().then_some("good"))}>
                { l.leader }{ ": " }<strong id="live-leader">{ leader_text }</strong>
                if let Some(e) = epoch { { format!(" · {} {e}", z.epoch) } }
            </span>
            <label class="stat check">
                <input type="checkbox" id="live-heartbeats" checked={state.heartbeats} onchange={on_heartbeats} />
                { l.heartbeats }
            </label>
            { lang_button(lang, on_lang) }
            if let Some(e) = error { <span class="stat bad" role="alert">{ e }</span> }
        </div>
    }
}

#[derive(PartialEq, Properties)]
struct LiveCardsProps {
    lang: Lang,
    views: Rc<Vec<NodeView>>,
    on_admin: Callback<(u32, &'static str)>,
}

/// A card per node, as the simulator draws it, with Crash and Restart; drawn again only
/// when a poll changes a node (not as messages move).
#[function_component]
fn LiveCards(props: &LiveCardsProps) -> Html {
    let lang = props.lang;
    html! {
        <section class="panel nodes" aria-label={texts(lang).nodes}>
            { for props.views.iter().map(|v| html! {
                <NodeCard key={v.id.0} lang={lang} view={v.clone()} on_action={Callback::noop()}
                    id={format!("live-card-{}", v.id)} actions={card_actions(v.id.0, v.up, lang, &props.on_admin)} />
            }) }
        </section>
    }
}

#[derive(PartialEq, Properties)]
pub struct LivePageProps {
    pub lang: Lang,
    pub on_lang: Callback<MouseEvent>,
}

/// The real ensemble, drawn with the simulator's components.
#[function_component]
pub fn LivePage(props: &LivePageProps) -> Html {
    let lang = props.lang;
    let l = live_texts(lang);
    let state = use_reducer(LiveState::default);
    let dispatch = {
        let state = state.clone();
        Callback::from(move |a: LiveAction| state.dispatch(a))
    };
    let inbox: Inbox = use_mut_ref(Vec::new);
    hooks::use_poll(dispatch.clone());
    hooks::use_ticker(inbox.clone(), dispatch.clone());
    hooks::use_feeds(state.nodes.clone(), state.polls, state.asked_at, inbox);
    let views = use_memo(state.polls, |_| model::views(&state));
    let log = use_memo((state.log_version, lang), |(_, lang)| model::narrate(&state, *lang));
    let on_admin = use_callback(state.dispatcher(), |(id, action): (u32, &'static str), dispatcher| {
        let dispatcher = dispatcher.clone();
        spawn_local(async move { dispatcher.dispatch(LiveAction::Admin(api::admin(id, action).await)) });
    });
    let nodes: Vec<(u32, String, bool)> = state.nodes.iter().map(|n| (n.id, n.addr.clone(), n.running)).collect();
    html! {
        <>
            <section class="live-intro" aria-labelledby="live-title">
                <h2 id="live-title">{ l.live_title }</h2>
                <p class="muted">{ if nodes.is_empty() { l.waiting } else { l.intro } }</p>
            </section>
            { live_summary(&state, lang, &dispatch, props.on_lang.clone()) }
            <main class="layout live">
                <div class="col-cluster">
                    <Cluster lang={lang} views={(*views).clone()} in_flight={model::in_flight(&state)} now_ms={state.now_ms}
                        partition={Vec::new()} protocol={Protocol::Zab} />
                    <LiveClient lang={lang} nodes={nodes} />
                    <LiveCards lang={lang} views={views.clone()} on_admin={on_admin} />
                </div>
                <div class="col-side">
                    <EventLog lang={lang} lines={log.clone()} announce={model::announce(&log)} live={true} />
                </div>
            </main>
        </>
    }
}
