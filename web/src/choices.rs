//! The run options a learner picks beside the scenario: Basic Paxos's livelock fix, and
//! the rule a Paxos or ZAB scenario breaks on purpose (`buggy`). Names are the scenario
//! files' own (kebab-case), so the address bar, the CLI and the files agree.

use ensemble_core::paxos::{Buggy, Fix};
use ensemble_core::scenarios::{Protocol, Scenario};
use ensemble_core::zab::ZabBuggy;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The livelock fixes and their names in scenario files (`paxos.fix`).
pub const FIXES: [(Fix, &str); 3] = [
    (Fix::None, "none"),
    (Fix::DistinguishedProposer, "distinguished-proposer"),
    (Fix::RandomizedBackoff, "randomized-backoff"),
];

const PAXOS_BUGGY: [Buggy; 3] = [Buggy::None, Buggy::ForgetfulAcceptor, Buggy::NoValueAdoption];
const ZAB_BUGGY: [ZabBuggy; 4] =
    [ZabBuggy::None, ZabBuggy::SkipTrunc, ZabBuggy::NoEpochCheck, ZabBuggy::CommitWithoutQuorum];

pub fn fix_name(fix: Fix) -> &'static str {
    FIXES.iter().find(|(f, _)| *f == fix).map(|(_, n)| *n).unwrap_or("none")
}

pub fn fix_from_name(name: &str) -> Fix {
    FIXES.iter().find(|(_, n)| *n == name).map(|(f, _)| *f).unwrap_or_default()
}

/// A unit variant's name as the scenario files write it, e.g. `skip-trunc`.
fn name_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|j| j.as_str().map(str::to_string)).unwrap_or_default()
}

fn parse<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// The buggy modes `protocol` offers, `none` first; empty when it has none.
pub fn buggy_names(protocol: Protocol) -> Vec<String> {
    match protocol {
        Protocol::Paxos => PAXOS_BUGGY.iter().map(name_of).collect(),
        Protocol::Zab => ZAB_BUGGY.iter().map(name_of).collect(),
        Protocol::Multipaxos => Vec::new(),
    }
}

/// The buggy mode `s` runs with, e.g. `none` or `forgetful-acceptor`.
pub fn buggy_of(s: &Scenario) -> String {
    match s.protocol {
        Protocol::Paxos => name_of(&s.paxos.buggy),
        Protocol::Zab => name_of(&s.zab.buggy),
        Protocol::Multipaxos => String::new(),
    }
}

/// Run `s` with the buggy mode called `name`; an unknown name changes nothing.
pub fn set_buggy(s: &mut Scenario, name: &str) {
    match s.protocol {
        Protocol::Paxos => s.paxos.buggy = parse(name).unwrap_or(s.paxos.buggy),
        Protocol::Zab => s.zab.buggy = parse(name).unwrap_or(s.zab.buggy),
        Protocol::Multipaxos => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ensemble_core::scenarios::find_builtin;

    #[test]
    fn buggy_names_round_trip_through_the_scenario() {
        let mut s = find_builtin("zab-leader-crash").expect("built-in");
        assert_eq!(buggy_names(Protocol::Zab), ["none", "skip-trunc", "no-epoch-check", "commit-without-quorum"]);
        set_buggy(&mut s, "no-epoch-check");
        assert_eq!(s.zab.buggy, ZabBuggy::NoEpochCheck);
        set_buggy(&mut s, "no-such-mode");
        assert_eq!(buggy_of(&s), "no-epoch-check");
        let mut p = find_builtin("paxos-basic").expect("built-in");
        set_buggy(&mut p, "forgetful-acceptor");
        assert_eq!(p.paxos.buggy, Buggy::ForgetfulAcceptor);
    }
}
