//! The `ensemble` command as a user runs it: exit codes, the summary line, traces,
//! narration and errors for bad input.

use std::process::{Command, Output};

fn ensemble(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ensemble")).args(args).output().expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn summary(o: &Output) -> serde_json::Value {
    let out = stdout(o);
    serde_json::from_str(out.lines().last().expect("a summary line")).expect("summary is JSON")
}

#[test]
fn sim_prints_a_json_summary_last_and_exits_0() {
    let o = ensemble(&["sim", "--scenario", "paxos-basic"]);
    assert_eq!(o.status.code(), Some(0));
    let s = summary(&o);
    assert_eq!(s["scenario"], "paxos-basic");
    assert_eq!(s["seed"], 1);
    assert_eq!(s["chosen"]["0"], "A");
    assert_eq!(s["violations"], serde_json::json!([]));
    for key in ["steps", "virtual_ms", "messages"] {
        assert!(s[key].is_u64(), "{key}");
    }
}

#[test]
fn a_violation_exits_1_and_is_reported() {
    let o = ensemble(&["sim", "--scenario", "paxos-no-value-adoption"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(summary(&o)["violations"][0]["invariant"], "agreement");
    assert!(String::from_utf8_lossy(&o.stderr).contains("agreement"));
}

#[test]
fn livelock_fixes_change_the_outcome_on_the_same_seed() {
    let none = summary(&ensemble(&["sim", "--scenario", "paxos-livelock", "--fix", "none"]));
    assert_eq!(none["chosen"], serde_json::json!({}));
    for fix in ["distinguished-proposer", "randomized-backoff"] {
        let s = summary(&ensemble(&["sim", "--scenario", "paxos-livelock", "--fix", fix]));
        assert!(s["chosen"]["0"].is_string(), "{fix}: {s}");
    }
}

#[test]
fn trace_to_stdout_is_json_lines_then_the_summary() {
    let o = ensemble(&["sim", "--scenario", "paxos-basic", "--steps", "10", "--trace", "-"]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() > 10);
    for l in &lines[..lines.len() - 1] {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v["step"].as_u64().unwrap() <= 10);
        assert!(v["event"]["type"].is_string());
    }
    assert_eq!(summary(&o)["steps"], 10);
}

#[test]
fn explain_narrates_in_both_languages() {
    let en = stdout(&ensemble(&["sim", "--scenario", "paxos-basic", "--explain"]));
    assert!(en.contains("promises ballot 1.1"), "{en}");
    let zh = stdout(&ensemble(&["sim", "--scenario", "paxos-basic", "--explain", "--lang", "zh"]));
    assert!(zh.contains("承诺提案编号 1.1"), "{zh}");
}

#[test]
fn scenarios_are_listed_in_english_and_chinese() {
    let en = stdout(&ensemble(&["scenarios"]));
    for name in ["paxos-basic", "paxos-livelock", "multipaxos-leader-crash", "sweep-paxos"] {
        assert!(en.contains(name), "{name}");
    }
    assert!(stdout(&ensemble(&["scenarios", "--lang", "zh"])).contains("活锁"));
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let o = ensemble(&["sim", "--scenario", "no-such-thing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("ensemble scenarios"));

    let dir = std::env::temp_dir().join(format!("ensemble-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.toml");
    std::fs::write(&file, "name = \"b\"\ndescription = \"d\"\nprotocol = \"paxos\"\n[nodes]\ncount = 3\n[[schedule]]\nat_ms = 1\ncrash = 4\n").unwrap();
    let o = ensemble(&["sim", "--scenario", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("broken.toml:8: field `schedule[0].crash`: node 4 does not exist"), "{err}");

    assert_eq!(ensemble(&["sim", "--scenario", "multipaxos-steady", "--fix", "none"]).status.code(), Some(2));
    assert_eq!(ensemble(&["sim"]).status.code(), Some(2));
}

#[test]
fn a_scenario_file_runs_like_a_builtin() {
    let dir = std::env::temp_dir().join(format!("ensemble-cli-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mine.toml");
    std::fs::write(&file, "name = \"mine\"\ndescription = \"d\"\nprotocol = \"paxos\"\n[nodes]\ncount = 5\n[[schedule]]\nat_ms = 0\nrequest = { node = 2, value = \"X\" }\n").unwrap();
    let o = ensemble(&["sim", "--scenario", file.to_str().unwrap(), "--seed", "42"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(summary(&o)["chosen"]["0"], "X");
}

#[test]
fn sweep_seeds_replay_from_the_command_line() {
    let a = stdout(&ensemble(&["sim", "--scenario", "sweep-multipaxos", "--seed", "77"]));
    let b = stdout(&ensemble(&["sim", "--scenario", "sweep-multipaxos", "--seed", "77"]));
    assert_eq!(a, b);
}
