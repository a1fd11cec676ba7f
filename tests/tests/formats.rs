//! Scenario files and traces: errors that point at the right place, and property
//! tests that the parser never panics and that formats round-trip.

use ensemble_core::scenarios::{builtin, builtin_text, random_scenario, Protocol, Run, Scenario};
use ensemble_core::sim::parse_jsonl;
use ensemble_core::zab::chaos::chaos_scenario;
use proptest::prelude::*;

fn error(text: &str) -> (usize, String, String) {
    let e = Scenario::parse("bad.toml", text).expect_err("must be rejected");
    assert_eq!(e.file, "bad.toml");
    (e.line, e.field, e.message)
}

const HEAD: &str = "name = \"x\"\ndescription = \"d\"\nprotocol = \"paxos\"\n[nodes]\ncount = 3\n";

#[test]
fn a_node_that_does_not_exist_is_named_with_its_line() {
    let text = format!(
        "{HEAD}[[schedule]]\nat_ms = 0\nrequest = {{ node = 1, value = \"A\" }}\n[[schedule]]\nat_ms = 5\ncrash = 7\n"
    );
    let (line, field, message) = error(&text);
    assert_eq!((line, field.as_str()), (11, "schedule[1].crash"));
    assert!(message.contains("node 7 does not exist"), "{message}");
}

#[test]
fn a_bad_probability_is_named() {
    let (line, field, _) = error(&format!("{HEAD}[network]\ndrop = 1.5\n"));
    assert_eq!((line, field.as_str()), (7, "network.drop"));
}

#[test]
fn unknown_fields_and_wrong_types_give_the_line() {
    let (line, _, message) = error(&format!("{HEAD}[network]\nlatency = [1, 2]\n"));
    assert_eq!(line, 7);
    assert!(message.contains("unknown field `latency`"), "{message}");
    let (line, _, message) =
        error("name = \"x\"\ndescription = \"d\"\nprotocol = \"paxos\"\n[nodes]\ncount = \"three\"\n");
    assert_eq!(line, 5, "{message}");
    let (_, _, message) = error("name = \"x\"\ndescription = \"d\"\nprotocol = \"raft\"\n[nodes]\ncount = 3\n");
    assert!(message.contains("unknown variant `raft`"), "{message}");
}

#[test]
fn a_schedule_entry_needs_exactly_one_action() {
    let (_, field, message) = error(&format!("{HEAD}[[schedule]]\nat_ms = 0\ncrash = 1\nheal = true\n"));
    assert_eq!(field, "schedule[0].heal");
    assert!(message.contains("more than one action"), "{message}");
    let (_, field, _) = error(&format!("{HEAD}[[schedule]]\nat_ms = 0\n"));
    assert_eq!(field, "schedule[0].at_ms");
}

#[test]
fn the_error_display_names_file_line_and_field() {
    let e = Scenario::parse("my.toml", &format!("{HEAD}[network]\nlatency_ms = [9, 1]\n")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "my.toml:7: field `network.latency_ms`: [9, 1]: the first bound must not exceed the second"
    );
}

#[test]
fn builtins_round_trip_through_toml() {
    for s in builtin() {
        let again = Scenario::parse("again", &s.to_toml().unwrap()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, s);
        assert!(builtin_text(&s.name).is_some());
    }
}

/// A sweep's scenario: Paxos, Multi-Paxos, ZAB or ZAB's chaos profile.
fn generated_scenario(kind: u8, seed: u64) -> Scenario {
    match kind {
        0 => random_scenario(Protocol::Paxos, seed),
        1 => random_scenario(Protocol::Multipaxos, seed),
        2 => random_scenario(Protocol::Zab, seed),
        _ => chaos_scenario(seed),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_parser_never_panics_on_any_text(text in "\\PC{0,400}") {
        if let Err(e) = Scenario::parse("fuzz.toml", &text) {
            prop_assert!(e.line >= 1);
        }
    }

    #[test]
    fn the_parser_never_panics_on_mangled_scenarios(idx in any::<prop::sample::Index>(), cut in 0usize..2000, junk in "[\\[\\]=\"a-z0-9 ,.\n-]{0,20}") {
        let all = builtin();
        let s = &all[idx.index(all.len())];
        let text = builtin_text(&s.name).unwrap();
        let at = text.char_indices().map(|(i, _)| i).nth(cut % text.chars().count()).unwrap_or(0);
        let mangled = format!("{}{}{}", &text[..at], junk, &text[at..]);
        let _ = Scenario::parse("mangled.toml", &mangled);
    }

    #[test]
    // TOML integers are signed 64-bit: seeds in files stay below 2^63.
    fn generated_scenarios_round_trip(seed in 0..=i64::MAX as u64, kind in 0u8..4) {
        let s = generated_scenario(kind, seed);
        let again = Scenario::parse("gen.toml", &s.to_toml().unwrap());
        prop_assert_eq!(again, Ok(s));
    }

    #[test]
    fn traces_round_trip(seed in 0..=i64::MAX as u64, kind in 0u8..4) {
        let s = generated_scenario(kind, seed);
        let mut run = Run::new(&s, seed);
        let mut text = String::new();
        for _ in 0..300 {
            let Some(e) = run.next_entry() else { break };
            text.push_str(&e.to_jsonl());
        }
        let lines = parse_jsonl(&text).map_err(|(n, e)| TestCaseError::fail(format!("line {n}: {e}")))?;
        let again: String = lines.iter().map(|l| serde_json::to_string(l).unwrap() + "\n").collect();
        prop_assert_eq!(again, text);
    }
}
