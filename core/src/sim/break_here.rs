//! "Break it here": the same run with one of the protocol's rules broken on purpose (a
//! buggy mode), side by side with the run as written, up to the first invariant the
//! broken rule violates.
//!
//! Both runs start from the same scenario, seed and interventions, so they agree step for
//! step until the broken rule first changes a decision; [`Broken::diverged_at`] is that
//! step, and the views at the violation show what the rule was protecting.

use super::{Intervention, Timeline, Violation};
use crate::protocol::lookup;
use crate::scenarios::{build_with, Scenario};
use crate::view::NodeView;

/// The two runs at the first violation of the broken one (or where the search stopped).
#[derive(Clone, Debug, PartialEq)]
pub struct Broken {
    /// The buggy mode's name (`ProtocolInfo::buggy_modes`).
    pub buggy: String,
    /// The first step whose events differ between the two runs.
    pub diverged_at: Option<u64>,
    /// The broken run's first violation, if one came within the search.
    pub violation: Option<Violation>,
    /// The step both runs are shown at: the violation's, or the last one searched.
    pub step: u64,
    /// Nodes of the run as written, and of the broken one, at `step`.
    pub written: Vec<NodeView>,
    pub broken: Vec<NodeView>,
}

fn timeline(s: &Scenario, seed: u64, interventions: &[(u64, Intervention)]) -> Result<Timeline, String> {
    let mut t = Timeline::new(build_with(s, seed));
    t.follow(interventions).map_err(|e| e.to_string())?;
    Ok(t)
}

/// Run `s` (seed, interventions) as written and with `buggy`, from step `from` up to at
/// most `max_steps` further, until the broken run violates an invariant.
pub fn break_here(
    s: &Scenario,
    seed: u64,
    interventions: &[(u64, Intervention)],
    buggy: &str,
    from: u64,
    max_steps: u64,
) -> Result<Broken, String> {
    let mut bad_scenario = s.clone();
    lookup(s.protocol).set_buggy(&mut bad_scenario, buggy)?;
    let mut written = timeline(s, seed, interventions)?;
    // The broken run may part before an intervention's message exists: it then goes on
    // without the rest of them.
    let mut broken = Timeline::new(build_with(&bad_scenario, seed));
    let _ = broken.follow(interventions);
    broken.seek(from);
    while broken.sim().violations().is_empty() && broken.position() < from + max_steps {
        if broken.step_forward().is_none() {
            break;
        }
    }
    let step = broken.position();
    written.seek(step);
    let diverged_at = written.entries().iter().zip(broken.entries()).find(|(a, b)| a != b).map(|(a, _)| a.step);
    Ok(Broken {
        buggy: buggy.to_string(),
        diverged_at,
        violation: broken.sim().violations().first().cloned(),
        step,
        written: written.sim().views(),
        broken: broken.sim().views(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::find_builtin;

    /// Skipping TRUNC in the TRUNC scenario: the runs part at the TRUNC and the broken
    /// one loses agreement; the run as written breaks nothing.
    #[test]
    fn skipping_trunc_breaks_agreement() {
        let trunc = find_builtin("zab-buggy-skip-trunc").unwrap();
        let mut clean = trunc.clone();
        lookup(clean.protocol).set_buggy(&mut clean, "none").unwrap();
        let b = break_here(&clean, clean.seed, &[], "skip-trunc", 0, 20_000).unwrap();
        let v = b.violation.expect("the broken run violates an invariant");
        assert_eq!(v.step, b.step);
        let diverged = b.diverged_at.expect("the runs part");
        assert!(diverged <= b.step);
        let mut w = Timeline::new(build_with(&clean, clean.seed));
        w.seek(b.step);
        assert!(w.sim().violations().is_empty(), "the run as written breaks nothing");
        assert_eq!(b.written, w.sim().views());
    }

    /// Every rule a protocol says an event applied is one of its buggy modes.
    #[test]
    fn what_breaks_a_rule_is_a_buggy_mode() {
        for s in crate::scenarios::builtin() {
            let protocol = lookup(s.protocol);
            let mut t = Timeline::new(build_with(&s, s.seed));
            t.seek(400);
            for e in t.entries().iter().flat_map(|e| e.events.iter()) {
                if let Some(mode) = protocol.breaks(e) {
                    assert!(protocol.buggy_modes().contains(&mode), "{}: {mode}", s.name);
                }
            }
        }
    }

    /// Every invariant a buggy built-in breaks is one its protocol lists (or `stuck`).
    #[test]
    fn every_broken_invariant_is_listed() {
        let mut seen = 0;
        for s in crate::scenarios::builtin() {
            let protocol = lookup(s.protocol);
            let mut t = Timeline::new(build_with(&s, s.seed));
            t.seek(3_000);
            for v in t.sim().violations() {
                let listed = protocol.invariants().iter().any(|i| i.name == v.invariant);
                assert!(listed || v.invariant == "stuck", "{}: {} is not listed", s.name, v.invariant);
                seen += 1;
            }
        }
        assert!(seen >= 4, "the buggy built-ins break invariants ({seen})");
    }

    /// Paxos without value adoption: the second proposer's own value is chosen too.
    #[test]
    fn no_value_adoption_breaks_agreement() {
        let s = find_builtin("paxos-competing-proposers").unwrap();
        let b = break_here(&s, s.seed, &[], "no-value-adoption", 0, 20_000).unwrap();
        assert!(b.violation.is_some(), "{b:?}");
        assert!(b.diverged_at.is_some());
    }
}
