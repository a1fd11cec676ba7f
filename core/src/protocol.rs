//! The protocol registry: the one seam between a protocol's folder and everything else.
//!
//! Each protocol implements [`ProtocolInfo`] once, in its own folder, and is listed in
//! [`REGISTRY`]. Scenario building, the seed sweeps, the CLI's `--fix` and `--buggy`,
//! the narration and the web app's pickers and legend ask the registry; none of them
//! matches on which protocol runs. `docs/adding-a-protocol.md` walks through adding one.

use crate::event::{Event, ProtocolEvent};
use crate::scenarios::{Protocol, Scenario};
use crate::sim::{DynSim, Rng};
use crate::view::{Term, Text};

/// A sentence in English and in Simplified Chinese.
pub type Pair = (String, String);

/// One kind of message, for legends and help: its paper name, its colour, the phase it
/// belongs to, and what it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageKind {
    pub name: &'static str,
    /// One or two letters drawn on the message, so kinds are told apart without colour
    /// (the paper's phase names where it has them: `1a`, `2b`); distinct within a protocol.
    pub glyph: &'static str,
    /// Kinds with the same colour are drawn alike (a CSS class `msg-{colour}`).
    pub colour: &'static str,
    /// The phase it belongs to (English, Chinese).
    pub group: (&'static str, &'static str),
    pub en: &'static str,
    pub zh: &'static str,
}

/// What the seed sweeps need to know to generate a protocol's random runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepShape {
    /// Links deliver in order (ZAB assumes TCP).
    pub fifo: bool,
    /// Chance (percent) that a run adds an observer.
    pub observer_percent: u64,
    /// Clients with sessions write and read (a coordination service), rather than
    /// proposing values.
    pub sessions: bool,
}

/// A generated scenario of a protocol's own: its name, and the scenario for a seed.
pub type ExtraSweep = (&'static str, fn(u64) -> Scenario);

/// How `ensemble bench-sim` runs a protocol in steady state.
#[derive(Clone, Copy)]
pub struct Bench {
    /// The built-in scenario it starts from (its schedule is dropped).
    pub scenario: &'static str,
    /// How many client commands node 1 has applied.
    pub committed: fn(&dyn DynSim) -> u64,
}

/// Who a protocol is.
#[derive(Clone, Copy, Debug)]
pub struct About {
    /// The scenario files' `protocol` value.
    pub tag: Protocol,
    /// Its name in scenario files and on the command line: `"zab"`.
    pub name: &'static str,
    pub title: &'static str,
}

/// A protocol as everything outside its folder sees it.
pub trait ProtocolInfo: Sync {
    fn about(&self) -> &'static About;
    fn tag(&self) -> Protocol {
        self.about().tag
    }
    fn name(&self) -> &'static str {
        self.about().name
    }
    fn title(&self) -> &'static str {
        self.about().title
    }
    /// Livelock fixes, `"none"` first; empty if the protocol has none.
    fn fixes(&self) -> &'static [&'static str] {
        &[]
    }
    fn fix(&self, _s: &Scenario) -> &'static str {
        "none"
    }
    fn set_fix(&self, _s: &mut Scenario, name: &str) -> Result<(), String> {
        Err(format!("{} has no livelock fix `{name}`", self.title()))
    }
    /// What a fix is called in a picker; `None` shows its name.
    fn fix_label(&self, _name: &str) -> Option<Text> {
        None
    }
    /// Rules that can be broken on purpose, `"none"` first; empty if none.
    fn buggy_modes(&self) -> &'static [&'static str] {
        &[]
    }
    fn buggy(&self, _s: &Scenario) -> &'static str {
        "none"
    }
    fn set_buggy(&self, _s: &mut Scenario, name: &str) -> Result<(), String> {
        Err(format!("{} has no buggy mode `{name}`", self.title()))
    }
    /// The scenario's simulation with `seed`, its schedule queued.
    fn build(&self, s: &Scenario, seed: u64) -> Box<dyn DynSim>;
    fn sweep(&self) -> SweepShape;
    /// Every message kind, in the order a legend lists them.
    fn messages(&self) -> &'static [MessageKind];
    /// The kinds a legend shows for an ensemble with or without `observers`: kinds only
    /// observers take part in are not mentioned where there are none.
    fn legend(&self, _observers: bool) -> Vec<&'static MessageKind> {
        self.messages().iter().collect()
    }
    /// The narration of this protocol's own events (roles, phases, votes, ...), and of
    /// the runtime's where it has more to say (replies); `explain` narrates the rest.
    fn narrate(&self, _n: u32, _event: &Event) -> Option<Pair> {
        None
    }
    /// The milestone one of its events is (`explain::Milestone`): a leader elected, an
    /// epoch begun, a synchronization, a commit. `None` for the rest.
    fn milestone(&self, _event: &Event) -> Option<crate::explain::Milestone> {
        None
    }
    /// Its safety invariants as the checker names them (`violation.invariant`), with what
    /// each means, for a UI's invariants panel; `stuck` (liveness) is every protocol's.
    fn invariants(&self) -> &'static [Term] {
        &[]
    }
    /// The buggy mode (`buggy_modes`) that breaks the rule `event` applied (a TRUNC, the
    /// P2c adoption, a quorum of ACKs), for a UI's "break it here"; `None` for the rest.
    fn breaks(&self, _event: &Event) -> Option<&'static str> {
        None
    }
    /// Its heartbeat messages' and timers' names (`Wire::name`): steps a reader of the
    /// log may hide.
    fn heartbeats(&self) -> &'static [&'static str] {
        &[]
    }
    /// One of its events read back from a trace (`ProtocolEvent::parse`).
    fn parse_event(&self, _json: &serde_json::Value) -> Option<ProtocolEvent> {
        None
    }
    /// What its table of a scenario must satisfy beyond its types: the offending field's
    /// path and what is wrong. Every protocol checks every scenario (its table is there,
    /// defaulted, whichever protocol runs).
    fn validate(&self, _s: &Scenario) -> Result<(), (String, String)> {
        Ok(())
    }
    /// Its own random settings of a seed sweep's scenario (`sweep-NAME`), drawn from
    /// `rng`; `observer` is the node made an observer, if the sweep added one.
    fn sweep_settings(&self, _s: &mut Scenario, _observer: Option<u32>, _rng: &mut Rng) {}
    /// Generated scenarios beyond `sweep-NAME` (ZAB's chaos profile): name and maker.
    fn extra_sweeps(&self) -> &'static [ExtraSweep] {
        &[]
    }
    /// Its steady-state benchmark; `None` for a protocol that decides once and stops.
    fn bench(&self) -> Option<Bench> {
        None
    }
    /// What node `n` rebuilds when it restarts.
    fn restarted(&self, n: u32) -> Pair;
}

/// Every protocol, in the order pickers list them: one line per protocol.
pub const REGISTRY: [&dyn ProtocolInfo; 3] =
    [&crate::paxos::PROTOCOL, &crate::multipaxos::PROTOCOL, &crate::zab::PROTOCOL];

/// A protocol event read back from a trace, typed by the first protocol that knows it.
pub fn parse_event(json: &serde_json::Value) -> Option<ProtocolEvent> {
    REGISTRY.into_iter().find_map(|p| p.parse_event(json))
}

/// The protocol a scenario names.
pub fn lookup(tag: Protocol) -> &'static dyn ProtocolInfo {
    REGISTRY.into_iter().find(|p| p.tag() == tag).expect("every protocol is registered")
}

/// The protocol called `name`, with the known names in the error.
pub fn by_name(name: &str) -> Result<&'static dyn ProtocolInfo, String> {
    REGISTRY.into_iter().find(|p| p.name() == name).ok_or_else(|| {
        let known: Vec<&str> = REGISTRY.iter().map(|p| p.name()).collect();
        format!("no protocol `{name}` (known: {})", known.join(", "))
    })
}

/// `name` among `names`, or an error listing them.
pub fn check_name(what: &str, name: &str, names: &[&str]) -> Result<(), String> {
    if names.contains(&name) {
        Ok(())
    } else if names.is_empty() {
        Err(format!("this protocol has no {what}"))
    } else {
        Err(format!("no {what} `{name}` (known: {})", names.join(", ")))
    }
}

/// A unit variant's name as scenario files write it (`"skip-trunc"`), among `names`.
pub fn name_of<T: serde::de::DeserializeOwned + PartialEq>(names: &'static [&'static str], value: &T) -> &'static str {
    names.iter().copied().find(|n| parse::<T>(n).as_ref() == Some(value)).unwrap_or("none")
}

/// The variant a scenario file's name stands for.
pub fn parse<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// `kind` for a checked `name` among `names`, parsed.
pub fn parse_checked<T: serde::de::DeserializeOwned>(what: &str, name: &str, names: &[&str]) -> Result<T, String> {
    check_name(what, name, names)?;
    parse(name).ok_or_else(|| format!("{what} `{name}` is listed but not known"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_protocol_is_found_by_tag_and_name_and_its_mode_names_parse() {
        for p in REGISTRY {
            assert_eq!(lookup(p.tag()).name(), p.name());
            assert_eq!(by_name(p.name()).unwrap().title(), p.title());
            let mut s = crate::scenarios::find_builtin("paxos-basic").expect("built-in");
            s.protocol = p.tag();
            for f in p.fixes() {
                p.set_fix(&mut s, f).unwrap_or_else(|e| panic!("{}: fix {f}: {e}", p.name()));
                assert_eq!(p.fix(&s), *f);
                assert!(
                    p.fix_label("none").is_none() || p.fix_label(f).is_some(),
                    "{}: fix {f} has no label",
                    p.name()
                );
            }
            for b in p.buggy_modes() {
                p.set_buggy(&mut s, b).unwrap_or_else(|e| panic!("{}: buggy {b}: {e}", p.name()));
                assert_eq!(p.buggy(&s), *b);
            }
            assert!(p.set_buggy(&mut s, "no-such-mode").is_err());
        }
        assert!(by_name("raft").err().is_some_and(|e| e.contains("known: paxos, multipaxos, zab")));
    }

    /// Colour alone does not tell kinds apart (deuteranopia): each has its own letters.
    #[test]
    fn every_message_kind_has_a_short_glyph_of_its_own() {
        for p in REGISTRY {
            let mut seen = std::collections::BTreeSet::new();
            for m in p.messages() {
                assert!((1..=2).contains(&m.glyph.chars().count()), "{}: {} glyph {:?}", p.name(), m.name, m.glyph);
                assert!(seen.insert(m.glyph), "{}: glyph {:?} used twice", p.name(), m.glyph);
            }
        }
    }

    #[test]
    fn every_message_a_protocol_sends_is_in_its_legend() {
        for p in REGISTRY {
            let names: Vec<&str> = p.messages().iter().map(|m| m.name).collect();
            let mut s = crate::scenarios::builtin().into_iter().find(|s| s.protocol == p.tag()).expect("a scenario");
            s.run.until_ms = 3_000;
            let mut sim = p.build(&s, 1);
            while sim.now().ms() < 3_000 && sim.step().is_some() {
                for m in sim.in_flight() {
                    assert!(names.contains(&m.msg.name().as_ref()), "{}: {} not in its legend", p.name(), m.msg.name());
                }
            }
        }
    }
}
