//! Ensemble in the browser: pick a scenario, step through Paxos or ZAB, poke at it.
//!
//! `state` holds the model (a core `Timeline`), `model` reads plain data out of it,
//! and `components` draw that data and send `Action`s back. No view mutates the model.

mod choices;
mod components;
mod export;
mod hooks;
mod i18n;
mod inspect;
mod live;
mod model;
mod paxos;
mod protocols;
mod state;
mod tour;
mod trace_hook;
mod url;
mod zab;

use components::broken::BrokenView;
use components::cluster::Cluster;
use components::controls::Controls;
use components::event_log::{EventLog, Summary};
use components::help::Help;
use components::history::History;
use components::in_flight::InFlightList;
use components::inspector::Inspector;
use components::invariants::Invariants;
use components::node_card::NodeCard;
use components::picker::Picker;
use components::sequence::SequenceDiagram;
use components::tour::Tour;
use ensemble_core::explain::Lang;
use ensemble_core::sim::{HistoryMatrix, Sequence};
use i18n::texts;
use inspect::Changes;
use live::{LivePage, Mode, ModeSwitch};
use model::{latest, narrate, LogLine, Marks, Snapshot};
use state::{Action, AppState};
use std::rc::Rc;
use yew::prelude::*;

#[function_component]
fn App() -> Html {
    let state = use_reducer(AppState::initial);
    let dispatch = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };
    let mode = use_state(|| Mode::Sim);
    // The player's keys act on the simulator only while it shows.
    let in_sim = use_mut_ref(|| true);
    *in_sim.borrow_mut() = *mode == Mode::Sim;
    hooks::use_player(state.playing, state.speed, dispatch.clone());
    hooks::use_follow_hash(dispatch.clone());
    hooks::use_compute_ahead(state.ahead, state.version, dispatch.clone());
    let keys = dispatch.clone();
    hooks::use_shortcuts(Callback::from(move |a: Action| {
        if *in_sim.borrow() {
            keys.emit(a);
        }
    }));
    use_effect_with((), |_| trace_hook::mark_ready());
    use_effect_with(state.lang, |lang| set_document_lang(*lang));
    // The moment shown, left out while playing (the address would change many times a second).
    let moment = (!state.playing).then(|| state.moment());
    let address =
        url::hash(&state.scenario.name, state.seed, &state.fix(), &state.buggy(), &state.tour, moment.as_ref());
    use_effect_with(address.clone(), |hash| url::write(hash));

    let snap = {
        let state = state.clone();
        use_memo(state.version, move |_| Snapshot::of(&state))
    };
    // Its ghosts replay a few past steps: once per change, not once per render.
    let history = {
        let state = state.clone();
        use_memo(state.version, move |_| model::history(&state))
    };
    // The state before the step is rebuilt from a snapshot: once per change.
    let changes = {
        let (state, snap) = (state.clone(), snap.clone());
        use_memo(state.version, move |_| inspect::changes(&state, &snap.views))
    };
    // Once per change: the player's next step redraws it, a re-render alone does not.
    let sequence = {
        let state = state.clone();
        use_memo(state.version, move |_| model::sequence(&state))
    };
    let log = {
        let state = state.clone();
        let key = (state.version, state.lang, state.log_lines, state.hide_beats);
        use_memo(key, move |(_, lang, limit, hide)| narrate(&state, *lang, *limit, *hide))
    };
    // Only when the branch's computed steps change, not on every step of the player.
    let marks = {
        let state = state.clone();
        let run = (state.scenario.name.clone(), state.seed, state.fix(), state.buggy());
        let interventions = state.timeline().branches()[snap.branch].interventions.len();
        use_memo((run, snap.branch, snap.branches, snap.head, interventions), move |_| model::marks(&state))
    };
    let on_export = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| export::download_trace(&state))
    };
    let live_available = live::hooks::use_live_available();
    let on_mode = {
        let (mode, dispatch, playing) = (mode.clone(), dispatch.clone(), state.playing);
        Callback::from(move |m: Mode| {
            if m == Mode::Live && playing {
                dispatch.emit(Action::TogglePlay);
            }
            mode.set(m);
        })
    };
    let lang = state.lang;
    let t = texts(lang);

    html! {
        <div class="app">
            <header class="top">
                <div class="brand">
                    <h1>{ t.title }</h1>
                    <p class="subtitle">{ t.subtitle }</p>
                </div>
                if live_available { <ModeSwitch lang={lang} mode={*mode} on_mode={on_mode} /> }
                if *mode == Mode::Sim {
                    <Picker catalog={state.catalog.clone()} current={state.scenario.name.clone()} seed={state.seed}
                        fix={state.fix()} buggy={state.buggy()} lang={lang} on_action={dispatch.clone()} />
                }
            </header>
            if state.help { <Help lang={lang} on_action={dispatch.clone()} /> }
            if *mode == Mode::Live {
                <LivePage lang={lang} on_lang={dispatch.reform(|_: MouseEvent| Action::ToggleLang)} />
            } else {
                { simulator(&state, &snap, log, Extras { marks, address: address.clone(), on_export, history, changes, sequence }, dispatch) }
            }
        </div>
    }
}

/// The simulator's page below the header: player, summary, cluster, cards and logs.
/// What the simulator's page draws beyond the state and the snapshot, each made once per
/// change by its own memo.
struct Extras {
    marks: Rc<Marks>,
    /// The address (`#...`) of the moment shown.
    address: String,
    on_export: Callback<MouseEvent>,
    history: Rc<HistoryMatrix>,
    changes: Rc<Changes>,
    sequence: Rc<Sequence>,
}

fn simulator(
    state: &AppState,
    snap: &Snapshot,
    log: Rc<Vec<LogLine>>,
    extras: Extras,
    dispatch: Callback<Action>,
) -> Html {
    let lang = state.lang;
    let t = texts(lang);
    let web = protocols::module(state.scenario.protocol);
    let Extras { marks, address, on_export, history, changes, sequence } = extras;
    html! {
        <>
            <Controls lang={lang} playing={state.playing} speed={state.speed} step={snap.step} head={snap.head}
                branches={snap.branches} branch={snap.branch} at_end={snap.at_end} now={latest(&log)} marks={marks} on_action={dispatch.clone()} />
            <Summary lang={lang} step={snap.step} now_ms={snap.now_ms} progress={web.progress(snap, lang)}
                violations={snap.violations} violation_links={snap.violation_links.clone()} at_end={snap.at_end} error={state.error.clone()}
                on_action={dispatch.clone()} />
            if let Some((broken, _)) = &state.broken {
                <BrokenView lang={lang} broken={broken.clone()} on_action={dispatch.clone()} />
            }
            <main class="layout">
                <div class="col-cluster">
                    <Cluster lang={lang} views={snap.views.clone()} in_flight={snap.in_flight.clone()} now_ms={snap.now_ms}
                        partition={snap.partition.clone()} protocol={state.scenario.protocol} violating={snap.violating.clone()}
                        selected={state.selected} message={state.message} on_action={dispatch.clone()} />
                    { web.client_form(lang, snap.views.len() as u32, dispatch.clone()) }
                    <SequenceDiagram lang={lang} protocol={state.scenario.protocol} sequence={sequence}
                        hide_beats={(state.hide_beats, dispatch.reform(Action::HideHeartbeats))} on_action={dispatch.clone()} />
                    <section class="panel nodes" aria-labelledby="nodes-title">
                        <h2 id="nodes-title">{ t.nodes }</h2>
                        { for snap.views.iter().map(|v| html! {
                            <NodeCard key={v.id.0} lang={lang} view={v.clone()} selected={state.selected == Some(v.id)} on_action={dispatch.clone()}
                                changed={changes.facts.get(&v.id).cloned().unwrap_or_default()} />
                        }) }
                    </section>
                    { web.panels(state, lang, dispatch.clone()) }
                    if let Some(inspected) = &changes.inspected { <Inspector lang={lang} inspected={inspected.clone()} /> }
                </div>
                <div class="col-side">
                    <Invariants lang={lang} protocol={state.scenario.protocol} violated={snap.violated.clone()} on_action={dispatch.clone()} />
                    <Tour lang={lang} stops={state.tour.clone()} at={state.tour_at} link={address.to_string()} on_action={dispatch.clone()} />
                    // Read out when paused or stepping, not many times a second while playing.
                    <EventLog lang={lang} lines={log.clone()} announce={if state.playing { String::new() } else { latest(&log) }}
                        more={(log.len() >= state.log_lines).then(|| dispatch.reform(|_: MouseEvent| Action::MoreLog))}
                        hide_beats={Some((state.hide_beats, dispatch.reform(Action::HideHeartbeats)))}
                        on_break={dispatch.reform(|(step, mode)| Action::BreakHere(step, mode))}
                        on_export={on_export} />
                    <InFlightList lang={lang} messages={snap.in_flight.clone()} shown={state.message} on_action={dispatch} />
                </div>
            </main>
            // A protocol that keeps no log (single-decree Paxos) has no matrix to show.
            if history.group_name.is_some() { <History lang={lang} matrix={history} /> }
        </>
    }
}

fn set_document_lang(lang: Lang) {
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element());
    if let Some(root) = root {
        let _ = root.set_attribute("lang", if lang == Lang::Zh { "zh-CN" } else { "en" });
    }
}

/// The page's "loading" note (`www/index.html`) goes once the app runs.
fn remove_boot_note() {
    let boot = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot"));
    if let Some(boot) = boot {
        boot.remove();
    }
}

fn main() {
    remove_boot_note();
    trace_hook::install();
    yew::Renderer::<App>::new().render();
}
