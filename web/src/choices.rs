//! The run options a learner picks beside the scenario: Basic Paxos's livelock fix, and
//! the rule a Paxos or ZAB scenario breaks on purpose (`buggy`). Names are the scenario
//! files' own (kebab-case), so the address bar, the CLI and the files agree.

use ensemble_core::paxos::Fix;
use ensemble_core::protocol::{self, lookup, ProtocolInfo};
use ensemble_core::scenarios::{Protocol, Scenario};

/// Basic Paxos's livelock fixes as scenario files name them (`paxos.fix`), `none`
/// first: the registry's list.
pub fn fix_names() -> &'static [&'static str] {
    ensemble_core::paxos::PROTOCOL.fixes()
}

pub fn fix_name(fix: Fix) -> &'static str {
    protocol::name_of(fix_names(), &fix)
}

/// The fix called `name`; an unknown name is no fix.
pub fn fix_from_name(name: &str) -> Fix {
    fix_names().contains(&name).then(|| protocol::parse(name)).flatten().unwrap_or_default()
}

/// The buggy modes `protocol` offers, `none` first; empty when it has none.
pub fn buggy_names(protocol: Protocol) -> Vec<String> {
    lookup(protocol).buggy_modes().iter().map(|n| n.to_string()).collect()
}

/// The buggy mode `s` runs with, e.g. `none` or `forgetful-acceptor`; empty when its
/// protocol has none.
pub fn buggy_of(s: &Scenario) -> String {
    let p = lookup(s.protocol);
    if p.buggy_modes().is_empty() {
        String::new()
    } else {
        p.buggy(s).to_string()
    }
}

/// Run `s` with the buggy mode called `name`; an unknown name changes nothing.
pub fn set_buggy(s: &mut Scenario, name: &str) {
    let _ = lookup(s.protocol).set_buggy(s, name);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ensemble_core::paxos::Buggy;
    use ensemble_core::scenarios::find_builtin;
    use ensemble_core::zab::ZabBuggy;

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
