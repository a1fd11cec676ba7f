//! The run options a learner picks beside the scenario, as its protocol offers them (the
//! core's registry): a livelock fix, and a rule broken on purpose (`buggy`). Names are the scenario
//! files' own (kebab-case), so the address bar, the CLI and the files agree.

use ensemble_core::explain::Lang;
use ensemble_core::protocol::lookup;
use ensemble_core::scenarios::{Protocol, Scenario};

/// The livelock fixes `protocol` offers, `none` first, each with its label in `lang`;
/// empty when it has none.
pub fn fix_choices(protocol: Protocol, lang: Lang) -> Vec<(&'static str, &'static str)> {
    let p = lookup(protocol);
    p.fixes().iter().map(|n| (*n, p.fix_label(n).map(|l| l.get(lang)).unwrap_or(n))).collect()
}

/// The fix `s` runs with, e.g. `randomized-backoff`; empty when its protocol has none.
pub fn fix_of(s: &Scenario) -> String {
    let p = lookup(s.protocol);
    offered(p.fixes(), p.fix(s))
}

/// `current` if the protocol offers any `modes`, else empty.
fn offered(modes: &[&str], current: &str) -> String {
    if modes.is_empty() {
        String::new()
    } else {
        current.to_string()
    }
}

/// Run `s` with the fix called `name`; an unknown name (or a protocol without fixes)
/// changes nothing.
pub fn set_fix(s: &mut Scenario, name: &str) {
    let _ = lookup(s.protocol).set_fix(s, name);
}

/// The buggy modes `protocol` offers, `none` first; empty when it has none.
pub fn buggy_names(protocol: Protocol) -> Vec<String> {
    lookup(protocol).buggy_modes().iter().map(|n| n.to_string()).collect()
}

/// The buggy mode `s` runs with, e.g. `none` or `forgetful-acceptor`; empty when its
/// protocol has none.
pub fn buggy_of(s: &Scenario) -> String {
    let p = lookup(s.protocol);
    offered(p.buggy_modes(), p.buggy(s))
}

/// Run `s` with the buggy mode called `name`; an unknown name changes nothing.
pub fn set_buggy(s: &mut Scenario, name: &str) {
    let _ = lookup(s.protocol).set_buggy(s, name);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ensemble_core::protocol::REGISTRY;
    use ensemble_core::scenarios::builtin;

    #[test]
    fn every_protocols_modes_round_trip_through_its_scenarios() {
        for p in REGISTRY {
            let mut s = builtin().into_iter().find(|s| s.protocol == p.tag()).expect("a scenario");
            for name in buggy_names(p.tag()) {
                set_buggy(&mut s, &name);
                assert_eq!(buggy_of(&s), name);
            }
            set_buggy(&mut s, "no-such-mode");
            assert_eq!(buggy_of(&s), p.buggy_modes().last().copied().unwrap_or(""), "an unknown name changes nothing");
            for (name, label) in fix_choices(p.tag(), Lang::Zh) {
                set_fix(&mut s, name);
                assert_eq!(fix_of(&s), name);
                assert!(!label.is_empty());
            }
            assert_eq!(fix_of(&s).is_empty(), p.fixes().is_empty());
        }
    }
}
