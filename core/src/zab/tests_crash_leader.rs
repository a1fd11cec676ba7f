//! What a person can do in the web app must never "prove" that ZAB loses a write: in
//! `zab-election-epoch`, crashing whoever leads, at any step of the run, and playing
//! on leaves every invariant intact. (Its first seeded history had epoch 2 established
//! on one server of three, which no real ensemble reaches: crashing server 2 once it
//! led let server 1 lead epoch 2 again and deliver 0x100000006 where 0x200000001 was
//! delivered.)

use crate::scenarios::find_builtin;
use crate::sim::{Intervention, Violation};
use crate::types::Time;

/// How long each fork plays on after its crash: an election, discovery and sync take
/// well under a second here.
const PLAY_ON_MS: u64 = 3_000;

#[test]
fn crashing_the_leader_at_any_step_of_the_epoch_lesson_breaks_no_invariant() {
    let s = find_builtin("zab-election-epoch").expect("a built-in scenario");
    let mut run = super::build(&s, s.seed);
    let (mut forks, mut failures) = (0, Vec::new());
    while s.run.allows(run.steps(), run.next_time().map(|t| t.ms())) {
        if let Some(leader) = run.leader() {
            forks += 1;
            let mut fork = run.clone();
            fork.intervene(&Intervention::Crash { node: leader }).expect("the leader is up");
            let end = Time(fork.now().ms() + PLAY_ON_MS);
            while fork.next_time().is_some_and(|t| t <= end) {
                fork.step();
            }
            let found: &[Violation] = fork.checker().violations();
            if !found.is_empty() {
                failures.push(format!("step {}: crash {leader}: {found:?}", run.steps()));
            }
        }
        if run.step().is_none() {
            break;
        }
    }
    assert_eq!(forks, 115, "the steps of the run at which server 2 leads");
    assert!(failures.is_empty(), "{} of {forks} forks broke an invariant:\n{}", failures.len(), failures.join("\n"));
}
