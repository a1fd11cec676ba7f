//! `ensemble sim` and `ensemble scenarios`.

use clap::{Args, ValueEnum};
use ensemble_core::explain::{explain_entry, Lang};
use ensemble_core::protocol::{lookup, ProtocolInfo, REGISTRY};
use ensemble_core::scenarios::{builtin, find_builtin, generated, sweep_names, Run, Scenario, Surface};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        }
    }
}

#[derive(Args)]
pub struct SimArgs {
    /// A built-in scenario name (see `ensemble scenarios`) or a path to a TOML file.
    #[arg(long)]
    scenario: String,
    /// Seed for the network and timers (default: the scenario's own).
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long, value_name = "NAME", help = modes_help("Livelock fix, for protocols that have them", |p| p.fixes()))]
    fix: Option<String>,
    #[arg(long, value_name = "MODE", help = modes_help("Break one rule on purpose, to see the checker catch it", |p| p.buggy_modes()))]
    buggy: Option<String>,
    /// Stop once virtual time passes this (default: the scenario's `run.until_ms`).
    #[arg(long, conflicts_with = "steps")]
    until_ms: Option<u64>,
    /// Stop after this many steps.
    #[arg(long)]
    steps: Option<u64>,
    /// Write the JSON Lines trace to FILE, or to standard output with `-`.
    #[arg(long, value_name = "FILE")]
    trace: Option<String>,
    /// Narrate every event, one sentence each.
    #[arg(long)]
    explain: bool,
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
}

#[derive(Args)]
pub struct ScenariosArgs {
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
}

/// Load a built-in scenario by name, a seed sweep's generated one, or a file by path.
pub fn load_scenario(name_or_path: &str, seed: Option<u64>) -> Result<Scenario, String> {
    if let Some(s) = find_builtin(name_or_path) {
        return Ok(s);
    }
    if let Some(s) = generated(name_or_path, seed.unwrap_or(0)) {
        return Ok(s);
    }
    let path = Path::new(name_or_path);
    if !path.exists() {
        return Err(format!(
            "no built-in scenario or file named `{name_or_path}` (list the built-ins with `ensemble scenarios`)"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name_or_path}: {e}"))?;
    Scenario::parse(name_or_path, &text).map_err(|e| e.to_string())
}

fn configure(args: &SimArgs) -> Result<Scenario, String> {
    let mut s = load_scenario(&args.scenario, args.seed)?;
    let protocol = lookup(s.protocol);
    if let Some(f) = &args.fix {
        protocol.set_fix(&mut s, f).map_err(|e| format!("--fix: {e}"))?;
    }
    if let Some(b) = &args.buggy {
        protocol.set_buggy(&mut s, b).map_err(|e| format!("--buggy: {e}"))?;
    }
    if let Some(t) = args.until_ms {
        s.run.until_ms = t;
        s.run.max_steps = u64::MAX;
    }
    if let Some(n) = args.steps {
        s.run.max_steps = n;
        s.run.until_ms = u64::MAX;
    }
    Ok(s)
}

pub fn run(args: SimArgs) -> ExitCode {
    let scenario = match configure(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match simulate(&scenario, &args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        // A reader that stopped early (`| head`) is not an error worth a message.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Run and report; `Ok(false)` when an invariant was violated.
fn simulate(scenario: &Scenario, args: &SimArgs) -> io::Result<bool> {
    let seed = args.seed.unwrap_or(scenario.seed);
    let mut run = Run::new(scenario, seed);
    let tracing = args.trace.is_some() || args.explain;
    run.sim.set_tracing(tracing);
    let mut trace: Option<Box<dyn Write>> = match args.trace.as_deref() {
        None => None,
        Some("-") => Some(Box::new(io::stdout().lock())),
        Some(path) => Some(Box::new(BufWriter::new(
            File::create(path).map_err(|e| io::Error::new(e.kind(), format!("{path}: {e}")))?,
        ))),
    };
    let lang: Lang = args.lang.into();
    let mut stdout = io::stdout();
    while let Some(entry) = run.next_entry() {
        if let Some(w) = trace.as_mut() {
            w.write_all(entry.to_jsonl().as_bytes())?;
        }
        if args.explain {
            for text in explain_entry(lookup(scenario.protocol), &entry, lang) {
                writeln!(stdout, "[{} {}ms] {}", entry.step, entry.time_ms, text)?;
            }
        }
    }
    if let Some(mut w) = trace.take() {
        w.flush()?;
    }
    let summary = run.summary();
    for v in &summary.violations {
        eprintln!("violation at step {}: {}: {}", v.step, v.invariant, v.detail);
    }
    writeln!(stdout, "{}", serde_json::to_string(&summary).expect("summary serializes"))?;
    Ok(summary.violations.is_empty())
}

/// `what (paxos: a, b; zab: c)`: each registered protocol's modes but `none`.
fn modes_help(what: &str, modes: fn(&dyn ProtocolInfo) -> &'static [&'static str]) -> String {
    let per: Vec<String> = REGISTRY
        .iter()
        .filter(|p| modes(**p).len() > 1)
        .map(|p| format!("{}: {}", p.name(), modes(*p)[1..].join(", ")))
        .collect();
    format!("{what} ({})", per.join("; "))
}

pub fn list(args: ScenariosArgs) -> ExitCode {
    let zh = matches!(args.lang, LangArg::Zh);
    let all = builtin();
    let width = all.iter().map(|s| s.name.len()).max().unwrap_or(0);
    for s in all {
        let text = s.describe(if zh { Lang::Zh } else { Lang::En }, Surface::Cli);
        println!("{:width$}  {}", s.name, text);
    }
    for name in sweep_names() {
        let text = if zh {
            "随机故障（种子决定故障计划），用于种子扫描"
        } else {
            "random faults chosen by --seed, as in the seed sweeps"
        };
        println!("{name:width$}  {text}");
    }
    println!();
    for p in REGISTRY {
        let fixes = if p.fixes().is_empty() { "-".to_string() } else { p.fixes().join(", ") };
        let buggy = if p.buggy_modes().is_empty() { "-".to_string() } else { p.buggy_modes().join(", ") };
        println!("{:width$}  --fix: {fixes}; --buggy: {buggy}", p.name());
    }
    ExitCode::SUCCESS
}
