//! The app's model: a core `Timeline` plus the user's choices, driven by `Action`s.
//!
//! The timeline lives in a `RefCell` so a step does not copy the simulation; every
//! reduction returns a new `AppState` with a bumped `version`, which is what the views
//! (and their memos) compare.

use crate::choices::{buggy_of, fix_of, set_buggy, set_fix};
use crate::i18n::texts;
use crate::tour::Stop;
use crate::url::{Moment, Wanted};
use ensemble_core::explain::{milestones, Lang};
use ensemble_core::protocol::lookup;
use ensemble_core::scenarios::{build_with, builtin, Scenario};
use ensemble_core::sim::{break_here, Broken, DynSim, Intervention, Timeline};
use ensemble_core::types::NodeId;
use std::cell::{Ref, RefCell};
use std::rc::Rc;
use yew::Reducible;

/// Steps per second the player offers.
pub const SPEEDS: [u32; 6] = [1, 2, 5, 10, 25, 50];
/// Runs in the browser are open-ended: the player pauses at a horizon, at least this
/// far (virtual time) past the last intervention, so what a late crash sets off plays
/// out (a new leader, a re-sync) instead of being cut off by the scenario's end.
pub const SETTLE_MS: u64 = 2_000;
/// Steps computed ahead per turn of the browser's event loop: small enough to keep the
/// page responsive, large enough that a run of thousands of steps is ready in moments.
const AHEAD_CHUNK: u64 = 400;
pub const DEFAULT_SCENARIO: &str = "paxos-basic";
/// A branch's interventions: `(step, intervention)`.
pub type Interventions = Vec<(u64, Intervention)>;
/// How far "break it here" runs the broken run looking for a violation.
const BREAK_STEPS: u64 = 20_000;

pub enum Action {
    /// Load a scenario; `fix` and `buggy` are modes' names (`choices`), empty for the
    /// scenario's own.
    Load {
        name: String,
        seed: u64,
        fix: String,
        buggy: String,
    },
    Reset,
    Step,
    Back,
    Seek(u64),
    TogglePlay,
    /// One beat of the player: a step, or a pause at the end of the run.
    Tick,
    SetSpeed(u32),
    ToggleLang,
    Intervene(Intervention),
    SwitchBranch(usize),
    /// Show or hide the keyboard help.
    Help(bool),
    /// Close the help if it is open, else unselect the node.
    Escape,
    /// Compute a little more of the run ahead, so the timeline can be scrubbed to it.
    ComputeAhead,
    /// Show earlier lines of the narrated log.
    MoreLog,
    /// The address changed (a link followed in this tab): load what it names, if that
    /// is not what runs already.
    Follow(Wanted),
    /// Jump to the next milestone (`true`) or back to the previous one.
    Milestone(bool),
    /// Select a node (click, or its number key), or none.
    Select(Option<NodeId>),
    /// Crash (`true`) or restart the selected node.
    Fault(bool),
    /// Show a message's details (a tap on it), or close them.
    ShowMessage(Option<u64>),
    /// Hide heartbeats from the narrated log, or show them.
    HideHeartbeats(bool),
    /// Pin the moment shown (step and branch) to the tour, with a caption.
    Pin(String),
    /// Take stop `i` out of the tour.
    Unpin(usize),
    /// Go to the tour's stop `i`.
    GoStop(usize),
    /// Run the branch up to step `.0` with the buggy mode `.1` beside it as written.
    BreakHere(u64, &'static str),
    CloseBroken,
    /// Load the broken run, at its violation.
    OpenBroken,
}

pub struct AppState {
    /// Every built-in scenario, for the picker.
    pub catalog: Rc<Vec<Scenario>>,
    /// The scenario running now, with the chosen fix applied.
    pub scenario: Rc<Scenario>,
    pub seed: u64,
    pub lang: Lang,
    pub playing: bool,
    pub speed: u32,
    /// Why the last intervention was refused, shown until the next action.
    pub error: Option<String>,
    /// Bumped on every change of the timeline.
    pub version: u64,
    /// Where the player pauses by itself (virtual ms): the scenario's end, moved on by
    /// interventions and by playing on from there.
    pub horizon_ms: u64,
    /// The keyboard help overlay is open.
    pub help: bool,
    /// More of the run may be computed ahead (up to the horizon).
    pub ahead: bool,
    /// How many narrated lines the log shows.
    pub log_lines: usize,
    /// The node that keys `c` and `r` act on.
    pub selected: Option<NodeId>,
    /// The in-flight message whose details show.
    pub message: Option<u64>,
    /// The log leaves out heartbeats (`explain::is_heartbeat`).
    pub hide_beats: bool,
    /// The captioned tour pinned on this run (in the address too).
    pub tour: Rc<Vec<Stop>>,
    /// The tour's stop last gone to or pinned.
    pub tour_at: Option<usize>,
    /// "Break it here": both runs, and the interventions they were run with.
    pub broken: Option<(Rc<Broken>, Rc<Interventions>)>,
    timeline: Rc<RefCell<Timeline>>,
}

impl AppState {
    /// The default scenario, or the one the address asks for (`url::read`).
    pub fn initial() -> AppState {
        AppState::wanting(crate::url::read())
    }

    /// The default scenario, or the one `wanted` names.
    fn wanting(wanted: Option<Wanted>) -> AppState {
        let catalog = Rc::new(builtin());
        let mut state = AppState {
            timeline: Rc::new(RefCell::new(new_timeline(&catalog[0], catalog[0].seed))),
            scenario: Rc::new(catalog[0].clone()),
            seed: catalog[0].seed,
            catalog,
            lang: Lang::En,
            playing: false,
            speed: 5,
            error: None,
            version: 0,
            horizon_ms: 0,
            help: false,
            ahead: true,
            log_lines: crate::model::LOG_LINES,
            selected: None,
            message: None,
            hide_beats: false,
            tour: Rc::default(),
            tour_at: None,
            broken: None,
        };
        let wanted = wanted.filter(|w| state.catalog.iter().any(|s| s.name == w.name));
        let wanted = wanted.unwrap_or_else(|| Wanted { name: DEFAULT_SCENARIO.to_string(), ..Wanted::default() });
        let scenario = state.catalog.iter().find(|s| s.name == wanted.name).unwrap_or(&state.catalog[0]).clone();
        let seed = wanted.seed.unwrap_or(scenario.seed);
        state.load(&scenario.name, seed, &wanted.fix.unwrap_or_default(), &wanted.buggy.unwrap_or_default());
        state.start_tour(wanted.tour.unwrap_or_default());
        if let (true, Some(m)) = (state.tour.is_empty(), &wanted.moment) {
            state.go_moment(m);
        }
        state
    }

    pub fn timeline(&self) -> Ref<'_, Timeline> {
        self.timeline.borrow()
    }

    /// The livelock fix's name (`none` when none is applied; empty when the protocol has
    /// no fixes).
    pub fn fix(&self) -> String {
        fix_of(&self.scenario)
    }

    /// The buggy mode's name (`none` when no rule is broken; empty for Multi-Paxos).
    pub fn buggy(&self) -> String {
        buggy_of(&self.scenario)
    }

    /// The run has reached its horizon (time or steps) or has nothing left to do.
    pub fn at_end(&self) -> bool {
        let tl = self.timeline();
        let sim = tl.sim();
        let run = ensemble_core::scenarios::RunSpec { until_ms: self.horizon_ms, ..self.scenario.run.clone() };
        tl.is_finished() || !run.allows(sim.steps(), sim.next_time().map(|t| t.ms()))
    }

    /// Whether the run loaded now is the one `w` names (what it leaves out is as loaded).
    fn runs(&self, w: &Wanted) -> bool {
        w.name == self.scenario.name
            && w.seed.is_none_or(|s| s == self.seed)
            && w.fix.as_ref().is_none_or(|f| *f == self.fix())
            && w.buggy.as_ref().is_none_or(|b| *b == self.buggy())
            && w.tour.as_ref().is_none_or(|t| *t == *self.tour)
    }

    /// How far past a moment the player goes on by itself.
    fn settle_ms(&self) -> u64 {
        self.scenario.run.until_ms.clamp(SETTLE_MS, 10 * SETTLE_MS)
    }

    /// Move the horizon to at least `settle_ms` past now.
    fn extend_horizon(&mut self) {
        let now = self.timeline().sim().now().ms();
        self.horizon_ms = self.horizon_ms.max(now + self.settle_ms());
        self.ahead = true;
    }

    /// Play, or pause. Play at the horizon plays on past it: the run is open-ended, and
    /// Play and Step both go on where the scenario ended.
    fn toggle_play(&mut self) {
        self.playing = !self.playing;
        if self.playing && self.at_end() && !self.timeline().is_finished() {
            self.extend_horizon();
        }
    }

    /// One step of the player. It pauses at a step that broke an invariant, so the
    /// learner sees the violation where it happens.
    fn tick(&mut self) {
        let before = self.timeline().sim().violations().len();
        self.timeline.borrow_mut().step_forward();
        if self.timeline().sim().violations().len() > before {
            self.playing = false;
        }
    }

    /// Like `with`, for what happens behind the user's back (the player's beat, the run
    /// computed ahead): a message that answers what the user did stays up.
    fn behind(&self, f: impl FnOnce(&mut AppState)) -> Rc<AppState> {
        let error = self.error.clone();
        self.with(|s| {
            s.error = error;
            f(s);
        })
    }

    fn with(&self, f: impl FnOnce(&mut AppState)) -> Rc<AppState> {
        let mut next = AppState {
            catalog: self.catalog.clone(),
            scenario: self.scenario.clone(),
            seed: self.seed,
            lang: self.lang,
            playing: self.playing,
            speed: self.speed,
            error: None,
            version: self.version + 1,
            horizon_ms: self.horizon_ms,
            help: self.help,
            ahead: self.ahead,
            log_lines: self.log_lines,
            selected: self.selected,
            message: self.message,
            hide_beats: self.hide_beats,
            tour: self.tour.clone(),
            tour_at: self.tour_at,
            broken: self.broken.clone(),
            timeline: self.timeline.clone(),
        };
        f(&mut next);
        Rc::new(next)
    }

    fn load(&mut self, name: &str, seed: u64, fix: &str, buggy: &str) {
        let Some(mut scenario) = self.catalog.iter().find(|s| s.name == name).cloned() else {
            self.error = Some(format!("no scenario named {name}"));
            return;
        };
        set_fix(&mut scenario, fix);
        set_buggy(&mut scenario, buggy);
        self.timeline = Rc::new(RefCell::new(new_timeline(&scenario, seed)));
        self.horizon_ms = scenario.run.until_ms;
        self.ahead = true;
        self.scenario = Rc::new(scenario);
        self.seed = seed;
        self.playing = false;
        self.selected = None;
        self.message = None;
        self.tour = Rc::default();
        self.tour_at = None;
        self.broken = None;
    }

    fn intervene(&mut self, iv: Intervention) {
        let result = self.timeline.borrow_mut().intervene(iv).map(|_| ());
        match result {
            Ok(()) => self.extend_horizon(), // (and computes the new future ahead)
            Err(e) => self.error = Some(e.to_string()),
        }
    }
}

impl AppState {
    /// Seek to the next milestone (`forward`) or the previous one. Going forward past
    /// what is computed, more of the run is computed (up to the horizon) to find one.
    fn jump(&mut self, forward: bool) {
        let protocol = lookup(self.scenario.protocol);
        let pos = self.timeline().position();
        let target = loop {
            let found = {
                let tl = self.timeline();
                let marks = milestones(protocol, tl.computed());
                let mut steps = marks.iter().map(|m| m.step);
                if forward {
                    steps.find(|s| *s > pos)
                } else {
                    steps.rev().find(|s| *s < pos)
                }
            };
            if found.is_some() || !forward || !self.ahead {
                break found;
            }
            let horizon = self.horizon_ms;
            self.ahead = self.timeline.borrow_mut().compute_ahead(AHEAD_CHUNK, horizon);
        };
        self.playing = false;
        match target {
            Some(step) => self.timeline.borrow_mut().seek(step),
            None => self.error = Some(texts(self.lang).no_milestone.to_string()),
        }
    }

    /// Crash or restart the selected node.
    fn fault(&mut self, crash: bool) {
        let Some(node) = self.selected else {
            self.error = Some(texts(self.lang).select_first.to_string());
            return;
        };
        self.intervene(if crash { Intervention::Crash { node } } else { Intervention::Restart { node } });
    }

    /// The moment shown: the step, and the interventions of the branch up to it.
    pub fn moment(&self) -> Moment {
        let tl = self.timeline();
        let step = tl.position();
        let ivs = &tl.branches()[tl.current_branch()].interventions;
        Moment { step, branch: ivs.iter().filter(|(s, _)| *s <= step).cloned().collect() }
    }

    /// Go to a link's moment: its branch (made again if need be), at its step.
    fn go_moment(&mut self, m: &Moment) {
        self.playing = false;
        if let Err(e) = self.timeline.borrow_mut().follow(&m.branch) {
            self.error = Some(e.to_string());
            return;
        }
        self.timeline.borrow_mut().seek(m.step);
        self.extend_horizon();
    }

    /// Take up the tour `stops` (a link's), at its first stop.
    fn start_tour(&mut self, stops: Vec<Stop>) {
        if !stops.is_empty() {
            self.tour = Rc::new(stops);
            self.go_stop(0);
        }
    }

    /// Go to stop `i`: its branch (made again if need be), at its step.
    fn go_stop(&mut self, i: usize) {
        let Some(stop) = self.tour.get(i).cloned() else { return };
        self.playing = false;
        if let Err(e) = self.timeline.borrow_mut().follow(&stop.interventions) {
            self.error = Some(e.to_string());
            return;
        }
        self.timeline.borrow_mut().seek(stop.step);
        self.tour_at = Some(i);
        self.extend_horizon();
    }

    /// Pin the moment shown: its step, and the interventions of its branch up to it.
    fn pin(&mut self, caption: &str) {
        let stop = {
            let tl = self.timeline();
            let pos = tl.position();
            let ivs = &tl.branches()[tl.current_branch()].interventions;
            Stop::new(pos, caption, ivs.iter().filter(|(s, _)| *s <= pos).cloned().collect())
        };
        let mut stops = (*self.tour).clone();
        stops.push(stop);
        self.tour_at = Some(stops.len() - 1);
        self.tour = Rc::new(stops);
    }

    fn unpin(&mut self, i: usize) {
        let mut stops = (*self.tour).clone();
        if i < stops.len() {
            stops.remove(i);
        }
        self.tour_at = None;
        self.tour = Rc::new(stops);
    }

    /// Run this branch with the rule of step `step` broken (`buggy`), beside it as written.
    fn break_here(&mut self, step: u64, buggy: &str) {
        self.playing = false;
        let ivs = {
            let tl = self.timeline();
            tl.branches()[tl.current_branch()].interventions.clone()
        };
        let from = step.saturating_sub(1);
        match break_here(&self.scenario, self.seed, &ivs, buggy, from, BREAK_STEPS) {
            Ok(b) => self.broken = Some((Rc::new(b), Rc::new(ivs))),
            Err(e) => self.error = Some(e),
        }
    }

    /// Load the broken run of `break_here`, at its violation.
    fn open_broken(&mut self) {
        let Some((b, ivs)) = self.broken.take() else { return };
        let (name, seed, fix) = (self.scenario.name.clone(), self.seed, self.fix());
        self.load(&name, seed, &fix, &b.buggy);
        // The broken run may part before an intervention's message exists.
        let _ = self.timeline.borrow_mut().follow(&ivs);
        self.timeline.borrow_mut().seek(b.step);
        self.extend_horizon();
    }

    /// Select `node`, if the cluster has it.
    fn select(&mut self, node: Option<NodeId>) {
        let size = self.timeline().sim().views().len() as u32;
        self.selected = node.filter(|n| (1..=size).contains(&n.0));
    }
}

fn new_timeline(scenario: &Scenario, seed: u64) -> Timeline {
    let mut sim: Box<dyn DynSim> = build_with(scenario, seed);
    sim.set_tracing(true);
    Timeline::new(sim)
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Load { name, seed, fix, buggy } => self.with(|s| s.load(&name, seed, &fix, &buggy)),
            Action::Reset => {
                let (name, seed, fix, buggy) = (self.scenario.name.clone(), self.seed, self.fix(), self.buggy());
                self.with(|s| s.load(&name, seed, &fix, &buggy))
            }
            Action::Step => self.with(|s| {
                s.timeline.borrow_mut().step_forward();
                if s.at_end() && !s.timeline().is_finished() {
                    s.extend_horizon();
                }
            }),
            Action::Back => self.with(|s| {
                s.playing = false;
                s.timeline.borrow_mut().step_back();
            }),
            Action::Seek(n) => self.with(|s| {
                s.playing = false;
                s.timeline.borrow_mut().seek(n);
            }),
            Action::TogglePlay => self.with(AppState::toggle_play),
            Action::Tick if !self.playing => self,
            Action::Tick if self.at_end() => self.behind(|s| s.playing = false),
            Action::Tick => self.behind(AppState::tick),
            Action::SetSpeed(v) => self.with(|s| s.speed = v),
            Action::ToggleLang => self.with(|s| {
                s.lang = match s.lang {
                    Lang::En => Lang::Zh,
                    Lang::Zh => Lang::En,
                }
            }),
            Action::Intervene(iv) => self.with(|s| s.intervene(iv)),
            Action::SwitchBranch(b) => self.with(|s| {
                s.playing = false;
                s.ahead = true;
                s.timeline.borrow_mut().switch_branch(b);
            }),
            Action::Help(open) => self.with(|s| s.help = open),
            Action::Escape if self.help => self.with(|s| s.help = false),
            Action::Escape => self.with(|s| s.selected = None),
            Action::ComputeAhead if !self.ahead => self,
            Action::ComputeAhead => self.behind(|s| {
                let horizon = s.horizon_ms;
                s.ahead = s.timeline.borrow_mut().compute_ahead(AHEAD_CHUNK, horizon);
            }),
            Action::MoreLog => self.with(|s| s.log_lines += crate::model::LOG_LINES),
            Action::Milestone(forward) => self.with(|s| s.jump(forward)),
            Action::Select(node) => self.with(|s| s.select(node)),
            Action::Fault(crash) => self.with(|s| s.fault(crash)),
            Action::ShowMessage(id) => self.with(|s| s.message = id),
            Action::HideHeartbeats(hide) => self.with(|s| s.hide_beats = hide),
            Action::Pin(caption) => self.with(|s| s.pin(&caption)),
            Action::Unpin(i) => self.with(|s| s.unpin(i)),
            Action::GoStop(i) => self.with(|s| s.go_stop(i)),
            Action::BreakHere(step, buggy) => self.with(|s| s.break_here(step, buggy)),
            Action::CloseBroken => self.with(|s| s.broken = None),
            Action::OpenBroken => self.with(AppState::open_broken),
            Action::Follow(w) if self.runs(&w) => match w.moment {
                Some(m) if m != self.moment() => self.with(|s| s.go_moment(&m)),
                _ => self,
            },
            Action::Follow(w) => {
                let default_seed = self.catalog.iter().find(|s| s.name == w.name).map_or(0, |s| s.seed);
                let seed = w.seed.unwrap_or(default_seed);
                let (fix, buggy) = (w.fix.unwrap_or_default(), w.buggy.unwrap_or_default());
                self.with(|s| {
                    s.load(&w.name, seed, &fix, &buggy);
                    s.start_tour(w.tour.unwrap_or_default());
                    if let (true, Some(m)) = (s.tour.is_empty(), &w.moment) {
                        s.go_moment(m);
                    }
                })
            }
        }
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
