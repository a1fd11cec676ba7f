//! Golden traces, in the spirit of etcd raft's datadriven files: every built-in
//! scenario's run, narrated one line per event (the first lines of it), with the
//! fingerprint of its whole JSON Lines trace and its summary, checked in under
//! `tests/golden/`. A change of behaviour shows as a readable diff of those files; to
//! accept one deliberately, run
//! `ENSEMBLE_UPDATE_GOLDEN=1 cargo test -p ensemble-tests --test golden` and review
//! `git diff tests/golden`.

use ensemble_core::explain::{explain_entry, Lang};
use ensemble_core::scenarios::{builtin, Run, Scenario};
use ensemble_core::sim::fingerprint;
use std::fmt::Write;
use std::path::PathBuf;

/// Narrated lines kept per scenario: enough to read the story, small enough to review.
const NARRATED_LINES: usize = 400;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden")
}

/// The golden text of one scenario's run with its own seed.
fn render(s: &Scenario) -> String {
    let mut run = Run::new(s, s.seed);
    run.sim.set_tracing(true);
    let (mut jsonl, mut narrated, mut total) = (String::new(), Vec::new(), 0usize);
    while let Some(entry) = run.next_entry() {
        jsonl.push_str(&entry.to_jsonl());
        for text in explain_entry(ensemble_core::protocol::lookup(s.protocol), &entry, Lang::En) {
            total += 1;
            if narrated.len() < NARRATED_LINES {
                narrated.push(format!("[{} {}ms] {text}", entry.step, entry.time_ms));
            }
        }
    }
    let summary = serde_json::to_string(&run.summary()).expect("summary serializes");
    let mut out = String::new();
    writeln!(out, "# {} (seed {})", s.name, s.seed).unwrap();
    writeln!(out, "# trace: {} bytes, fnv {}", jsonl.len(), fingerprint(&jsonl)).unwrap();
    writeln!(out, "# narration: {total} lines, the first {} below", narrated.len()).unwrap();
    writeln!(out, "# summary: {summary}").unwrap();
    for line in narrated {
        writeln!(out, "{line}").unwrap();
    }
    out
}

/// The first line where `want` and `got` differ, both sides shown.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let i = (0..w.len().max(g.len())).find(|i| w.get(*i) != g.get(*i)).unwrap_or(0);
    format!("line {}:\n  golden: {}\n  now:    {}", i + 1, w.get(i).unwrap_or(&"<end>"), g.get(i).unwrap_or(&"<end>"))
}

#[test]
fn every_builtin_scenario_matches_its_golden_trace() {
    let update = std::env::var_os("ENSEMBLE_UPDATE_GOLDEN").is_some();
    let dir = golden_dir();
    let mut failures = Vec::new();
    for s in builtin() {
        let path = dir.join(format!("{}.txt", s.name));
        let got = render(&s);
        if update {
            std::fs::create_dir_all(&dir).expect("golden dir");
            std::fs::write(&path, &got).expect("golden file written");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(want) if want == got => {}
            Ok(want) => failures.push(format!("{}: {}", s.name, first_difference(&want, &got))),
            Err(e) => failures.push(format!("{}: {}: {e}", s.name, path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} scenario(s) differ from their golden trace:\n{}\nIf the change is intended, run\n  \
         ENSEMBLE_UPDATE_GOLDEN=1 cargo test -p ensemble-tests --test golden\nand review `git diff tests/golden`.",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_same_scenario_renders_the_same_golden_text() {
    let s = builtin().into_iter().find(|s| s.name == "zab-leader-crash").expect("built-in");
    assert_eq!(render(&s), render(&s));
}
