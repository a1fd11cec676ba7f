//! Same scenario, seed and interventions give the same trace, byte for byte; the
//! trace parses back into the lines it came from.

use ensemble_core::scenarios::{builtin, find_builtin, Run};
use ensemble_core::sim::{fingerprint, parse_jsonl, Intervention, Timeline};
use ensemble_core::NodeId;

fn trace(name: &str, seed: u64, steps: usize) -> String {
    let s = find_builtin(name).expect("built-in");
    let mut run = Run::new(&s, seed);
    let mut text = String::new();
    for _ in 0..steps {
        match run.next_entry() {
            Some(e) => text.push_str(&e.to_jsonl()),
            None => break,
        }
    }
    text
}

#[test]
fn same_seed_same_trace_for_every_builtin() {
    for s in builtin() {
        let a = trace(&s.name, s.seed, 3000);
        assert_eq!(a, trace(&s.name, s.seed, 3000), "{} is not deterministic", s.name);
        assert!(!a.is_empty());
    }
}

#[test]
fn another_seed_gives_another_run() {
    let a = trace("multipaxos-leader-crash", 1, 400);
    let b = trace("multipaxos-leader-crash", 2, 400);
    assert_ne!(fingerprint(&a), fingerprint(&b));
}

#[test]
fn trace_lines_round_trip() {
    for s in builtin() {
        let text = trace(&s.name, s.seed, 500);
        let lines = parse_jsonl(&text).unwrap_or_else(|(n, e)| panic!("{} line {n}: {e}", s.name));
        let again: String = lines.iter().map(|l| serde_json::to_string(l).unwrap() + "\n").collect();
        assert_eq!(again, text, "{}", s.name);
    }
}

#[test]
fn trace_line_shape_matches_the_documented_format() {
    let text = trace("paxos-basic", 1, 5);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["step"], 1);
    assert!(first["time_ms"].is_u64());
    assert_eq!(first["event"]["type"], "request");
    let send = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["event"]["type"] == "send")
        .unwrap();
    assert_eq!(send["event"]["msg"]["type"], "Prepare");
    assert_eq!(send["event"]["msg"]["ballot"], serde_json::json!({"round": 1, "node": 1}));
}

/// Interventions recorded on a timeline replay to the same trace.
#[test]
fn interventions_replay_identically() {
    let run = |_: ()| {
        let s = find_builtin("multipaxos-steady").unwrap();
        let mut t = Timeline::new(ensemble_core::scenarios::build(&s));
        for _ in 0..50 {
            t.step_forward();
        }
        t.intervene(Intervention::Crash { node: NodeId(2) }).unwrap();
        for _ in 0..200 {
            t.step_forward();
        }
        t.entries().iter().map(|e| e.to_jsonl()).collect::<String>()
    };
    assert_eq!(run(()), run(()));
}
