//! `ensemble bench`'s report: every figure as one JSON object (`--json`), or as tables
//! for a person. Figures a server does not give (an older server's `/status`) are
//! `null` in JSON and `n/a` in the tables.

use super::failover::FailoverResult;
use super::load::PhaseResult;
use super::probe::{FsyncStats, NodeFigures, NodeFsync, StartReport};
use super::BenchArgs;
use clap::ValueEnum;
use serde::Serialize;
use std::fmt::Write;

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub settings: Settings,
    /// The local ensemble's start; `null` with `--servers`.
    pub start: Option<StartReport>,
    pub phases: Vec<PhaseResult>,
    /// `/events` subscribers during the phases; `null` without `--subscribers`.
    pub watched: Option<super::watchers::WatchReport>,
    /// `null` without `--failover`.
    pub failover: Option<FailoverResult>,
    pub nodes: Vec<NodeReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    pub servers: Vec<String>,
    /// Whether the benchmark started the servers itself.
    pub local: bool,
    /// The local nodes' `--fsync`; `null` with `--servers` (unknown).
    pub fsync: Option<String>,
    pub clients: u32,
    pub pipeline: u32,
    pub operations: u64,
    pub sequential_operations: u64,
    pub value_size: usize,
    pub read_ratio: f64,
    pub failover: u32,
}

impl Settings {
    pub fn of(args: &BenchArgs, servers: &[String]) -> Settings {
        let local = args.servers.is_empty();
        let fsync = args.fsync.to_possible_value().map(|v| v.get_name().to_string());
        Settings {
            servers: servers.to_vec(),
            local,
            fsync: fsync.filter(|_| local),
            clients: args.clients,
            pipeline: args.pipeline,
            operations: args.operations,
            sequential_operations: args.sequential_operations,
            value_size: args.value_size,
            read_ratio: args.read_ratio,
            failover: args.failover,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct NodeReport {
    pub id: Option<u32>,
    pub addr: String,
    /// The process, if the benchmark started it.
    pub pid: Option<u32>,
    /// Resident memory from `/proc/PID/status` once serving, before any load.
    pub rss_idle_bytes: Option<u64>,
    /// The same after the load phases (before any failover).
    pub rss_after_load_bytes: Option<u64>,
    /// `rss_bytes` of its `/status` at the end of the run.
    pub status_rss_bytes: Option<u64>,
    /// `fsync_micros` of its `/status` after the load phases (cumulative since it
    /// started; after a failover it may have been restarted since).
    pub fsync_micros: Option<FsyncStats>,
}

/// One row per server: ids and memory from the end of the run, memory of the local
/// processes as sampled, fsync from after the last phase (`last_phase`).
pub fn nodes(
    servers: &[String],
    end: &[NodeFigures],
    last_phase: Option<&[NodeFsync]>,
    pids: Option<Vec<Option<u32>>>,
    rss_idle: Option<Vec<Option<u64>>>,
    rss_after: Option<Vec<Option<u64>>>,
) -> Vec<NodeReport> {
    let at = |v: &Option<Vec<Option<u64>>>, i: usize| v.as_ref().and_then(|v| v.get(i).copied().flatten());
    let rows = servers.iter().enumerate().map(|(i, addr)| {
        let fig = end.get(i).cloned().unwrap_or_default();
        let fsync = last_phase.and_then(|f| f.get(i)).and_then(|f| f.fsync_micros).or(fig.fsync_micros);
        NodeReport {
            id: fig.id.or(Some(i as u32 + 1).filter(|_| pids.is_some())),
            addr: addr.clone(),
            pid: pids.as_ref().and_then(|p| p.get(i).copied().flatten()),
            rss_idle_bytes: at(&rss_idle, i),
            rss_after_load_bytes: at(&rss_after, i),
            status_rss_bytes: fig.rss_bytes,
            fsync_micros: fsync,
        }
    });
    rows.collect()
}

/// The report as tables.
pub fn human(r: &Report) -> String {
    let mut out = String::new();
    let s = &r.settings;
    let fsync = s.fsync.as_deref().map_or(String::new(), |f| format!(", fsync {f}"));
    let whose = if s.local { "local, started here" } else { "given" };
    let _ = writeln!(out, "ensemble bench: {} servers ({whose}){fsync}, {}-byte values", s.servers.len(), s.value_size);
    if let Some(start) = &r.start {
        start_table(&mut out, start);
    }
    if !r.phases.is_empty() {
        phase_table(&mut out, &r.phases);
    }
    node_table(&mut out, &r.nodes);
    if let Some(w) = &r.watched {
        let _ = writeln!(
            out,
            "\n/events: {} subscribers during the phases received {} lines; {} dropped for lagging",
            w.subscribers, w.lines, w.lagged
        );
    }
    if let Some(f) = &r.failover {
        failover_table(&mut out, f);
    }
    out
}

fn start_table(out: &mut String, start: &StartReport) {
    let (write, all) = (start.first_write_ms, start.all_broadcast_ms);
    let _ = writeln!(
        out,
        "\nstart (ms from spawning the processes): a write succeeded at {write:.0}, all in BROADCAST at {all:.0}"
    );
    let mut rows = vec![row(["node", "listening ms", "BROADCAST ms"])];
    for n in &start.nodes {
        rows.push(vec![n.id.to_string(), format!("{:.0}", n.listening_ms), format!("{:.0}", n.broadcast_ms)]);
    }
    table(out, &rows);
}

fn phase_table(out: &mut String, phases: &[PhaseResult]) {
    let _ = writeln!(out, "\nphases (latency in ms, from sending a request to its reply)");
    let head = ["phase", "clients", "pipeline", "ops", "errors", "seconds", "ops/s", "p50", "p90", "p99", "max"];
    let mut rows = vec![row(head)];
    for p in phases {
        let l = &p.latency_ms;
        rows.push(vec![
            p.name.to_string(),
            p.clients.to_string(),
            p.pipeline.to_string(),
            p.operations.to_string(),
            p.errors.to_string(),
            format!("{:.2}", p.seconds),
            format!("{:.0}", p.ops_per_sec),
            format!("{:.3}", l.p50),
            format!("{:.3}", l.p90),
            format!("{:.3}", l.p99),
            format!("{:.3}", l.max),
        ]);
    }
    table(out, &rows);
    if phases.iter().flat_map(|p| &p.fsync_after).all(|f| f.fsync_micros.is_none()) {
        let _ = writeln!(out, "\nfsync by the nodes: n/a (their /status has no fsync_micros)");
        return;
    }
    let _ = writeln!(out, "\nfsync by the nodes after each phase (ms, cumulative since each node started)");
    let mut rows = vec![row(["after", "node", "fsyncs", "p50", "p90", "p99", "max"])];
    for p in phases {
        for f in &p.fsync_after {
            rows.push([vec![p.name.to_string(), opt(f.id)], fsync_cells(f.fsync_micros.as_ref())].concat());
        }
    }
    table(out, &rows);
}

fn fsync_cells(f: Option<&FsyncStats>) -> Vec<String> {
    let Some(f) = f else { return vec!["n/a".into(); 5] };
    let ms = |us: u64| format!("{:.3}", us as f64 / 1000.0);
    vec![f.count.to_string(), ms(f.p50), ms(f.p90), ms(f.p99), ms(f.max)]
}

fn node_table(out: &mut String, nodes: &[NodeReport]) {
    let _ = writeln!(
        out,
        "\nnodes (memory in MiB: resident, from /proc once serving and after the load; and /status at the end)"
    );
    let mut rows = vec![row(["node", "address", "pid", "idle", "after load", "/status"])];
    let mib = |b: Option<u64>| b.map_or("n/a".into(), |b| format!("{:.1}", b as f64 / (1 << 20) as f64));
    for n in nodes {
        rows.push(vec![
            opt(n.id),
            n.addr.clone(),
            opt(n.pid),
            mib(n.rss_idle_bytes),
            mib(n.rss_after_load_bytes),
            mib(n.status_rss_bytes),
        ]);
    }
    table(out, &rows);
}

fn failover_table(out: &mut String, f: &FailoverResult) {
    let _ =
        writeln!(out, "\nfailover (kill -9 the leader under writes; time until a write sent after the kill succeeds)");
    let mut rows = vec![row(["round", "killed", "new leader", "write ms", "rejoin ms", "writes", "errors"])];
    for r in &f.rounds {
        rows.push(vec![
            r.round.to_string(),
            r.killed.to_string(),
            r.new_leader.to_string(),
            format!("{:.1}", r.write_ms),
            format!("{:.0}", r.rejoin_ms),
            r.writes.to_string(),
            r.errors.to_string(),
        ]);
    }
    table(out, &rows);
    let _ = writeln!(out, "median {:.1} ms, max {:.1} ms", f.median_ms, f.max_ms);
}

fn row<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

fn opt(v: Option<u32>) -> String {
    v.map_or("n/a".into(), |v| v.to_string())
}

/// Rows as aligned columns: the first left-aligned, the others right-aligned.
fn table(out: &mut String, rows: &[Vec<String>]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|i| rows.iter().filter_map(|r| r.get(i)).map(String::len).max().unwrap_or(0)).collect();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| if i == 0 { format!("{c:<w$}") } else { format!("{c:>w$}") })
            .collect();
        let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_and_missing_figures_read_n_a() {
        let mut out = String::new();
        table(&mut out, &[row(["node", "p50"]), row(["1", "0.125"]), row(["12", "n/a"])]);
        assert_eq!(out, "  node    p50\n  1     0.125\n  12      n/a\n");
        assert_eq!(fsync_cells(None), vec!["n/a"; 5]);
        let f = FsyncStats { count: 3, p50: 100, p90: 250, p99: 4000, max: 4100 };
        assert_eq!(fsync_cells(Some(&f)), vec!["3", "0.100", "0.250", "4.000", "4.100"]);
    }

    #[test]
    fn the_tables_of_a_run_against_given_servers() {
        let settings = Settings {
            servers: vec!["h:1".into()],
            local: false,
            fsync: None,
            clients: 1,
            pipeline: 1,
            operations: 10,
            sequential_operations: 10,
            value_size: 100,
            read_ratio: 0.8,
            failover: 0,
        };
        let phase = PhaseResult {
            name: "reads",
            clients: 1,
            pipeline: 1,
            servers: vec!["h:1".into()],
            operations: 10,
            reads: 10,
            writes: 0,
            errors: 0,
            error_codes: Default::default(),
            seconds: 0.5,
            ops_per_sec: 20.0,
            latency_ms: Default::default(),
            fsync_after: vec![NodeFsync { id: Some(1), fsync_micros: None }],
        };
        let nodes = nodes(&settings.servers, &[], None, None, None, None);
        let text = human(&Report { settings, start: None, phases: vec![phase], watched: None, failover: None, nodes });
        assert!(text.starts_with("ensemble bench: 1 servers (given), 100-byte values\n"), "{text}");
        assert!(text.contains("\n  reads        1         1   10       0     0.50     20  0.000"), "{text}");
        assert!(text.contains("fsync by the nodes: n/a"), "{text}");
        assert!(text.contains("\n  n/a       h:1  n/a   n/a         n/a      n/a\n"), "{text}");
        assert!(!text.contains("start") && !text.contains("failover"), "{text}");
    }
}
