//! The app's model: a core `Timeline` plus the user's choices, driven by `Action`s.
//!
//! The timeline lives in a `RefCell` so a step does not copy the simulation; every
//! reduction returns a new `AppState` with a bumped `version`, which is what the views
//! (and their memos) compare.

use crate::choices::{buggy_of, fix_of, set_buggy, set_fix};
use crate::url::Wanted;
use ensemble_core::explain::Lang;
use ensemble_core::scenarios::{build_with, builtin, Scenario};
use ensemble_core::sim::{DynSim, Intervention, Timeline};
use std::cell::{Ref, RefCell};
use std::rc::Rc;
use yew::Reducible;

/// Steps per second the player offers.
pub const SPEEDS: [u32; 6] = [1, 2, 5, 10, 25, 50];
pub const DEFAULT_SCENARIO: &str = "paxos-basic";

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
    timeline: Rc<RefCell<Timeline>>,
}

impl AppState {
    /// The default scenario, or the one the address asks for (`url::read`).
    pub fn initial() -> AppState {
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
        };
        let wanted = crate::url::read().filter(|w| state.catalog.iter().any(|s| s.name == w.name));
        let wanted = wanted.unwrap_or_else(|| Wanted { name: DEFAULT_SCENARIO.to_string(), ..Wanted::default() });
        let scenario = state.catalog.iter().find(|s| s.name == wanted.name).unwrap_or(&state.catalog[0]).clone();
        let seed = wanted.seed.unwrap_or(scenario.seed);
        state.load(&scenario.name, seed, &wanted.fix.unwrap_or_default(), &wanted.buggy.unwrap_or_default());
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

    /// The run has reached its scenario's limits (time or steps) or has nothing left to do.
    pub fn at_end(&self) -> bool {
        let tl = self.timeline();
        let sim = tl.sim();
        tl.is_finished() || !self.scenario.run.allows(sim.steps(), sim.next_time().map(|t| t.ms()))
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
        self.scenario = Rc::new(scenario);
        self.seed = seed;
        self.playing = false;
    }

    fn intervene(&mut self, iv: Intervention) {
        let result = self.timeline.borrow_mut().intervene(iv).map(|_| ());
        if let Err(e) = result {
            self.error = Some(e.to_string());
        }
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
            }),
            Action::Back => self.with(|s| {
                s.playing = false;
                s.timeline.borrow_mut().step_back();
            }),
            Action::Seek(n) => self.with(|s| {
                s.playing = false;
                s.timeline.borrow_mut().seek(n);
            }),
            Action::TogglePlay => self.with(|s| s.playing = !s.playing),
            Action::Tick if !self.playing => self,
            Action::Tick if self.at_end() => self.with(|s| s.playing = false),
            Action::Tick => self.with(|s| {
                s.timeline.borrow_mut().step_forward();
            }),
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
                s.timeline.borrow_mut().switch_branch(b);
            }),
        }
    }
}
