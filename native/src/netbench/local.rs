//! The local ensemble `ensemble bench` measures when it is given no `--servers`: real
//! `ensemble node` processes of this same binary, on free loopback ports, each with its
//! write-ahead log in one temp dir and its stderr in a log file there.
//!
//! Dropping a [`LocalEnsemble`] kills (-9) and reaps every node, then removes the
//! directory, so an error, a panic or Ctrl-C leaves no process and no file behind.

use super::probe::{self, StartReport};
use super::BenchError;
use crate::node::config::Fsync;
use clap::ValueEnum;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// The longest wait for a node's startup line (it recovers its log first).
const STARTUP_LINE_LIMIT: Duration = Duration::from_secs(10);

struct LocalNode {
    id: u32,
    addr: String,
    data_dir: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

pub struct LocalEnsemble {
    nodes: Vec<LocalNode>,
    exe: PathBuf,
    fsync: Fsync,
    // Removed when the ensemble drops: after `Drop::drop` killed every node.
    _dir: tempfile::TempDir,
}

/// A node's startup line, once it printed one (or why it did not).
pub type StartupLine = oneshot::Receiver<String>;

impl LocalEnsemble {
    /// Spawn `n` nodes and time them: to each one's startup line, to each one's phase
    /// BROADCAST, and to the first write that succeeds.
    pub async fn start(n: u32, fsync: Fsync) -> Result<(LocalEnsemble, StartReport), BenchError> {
        let exe = std::env::current_exe()?;
        let dir = tempfile::Builder::new().prefix("ensemble-bench-").tempdir()?;
        let mut nodes = Vec::new();
        for id in 1..=n {
            let addr = format!("127.0.0.1:{}", free_port()?);
            let (data_dir, log) = (dir.path().join(format!("node{id}")), dir.path().join(format!("node{id}.log")));
            nodes.push(LocalNode { id, addr, data_dir, log, child: None });
        }
        let mut ensemble = LocalEnsemble { nodes, exe, fsync, _dir: dir };
        let spawned = Instant::now();
        let mut lines = Vec::new();
        for id in 1..=n {
            lines.push(ensemble.spawn(id)?);
        }
        let report = probe::measure_start(&ensemble, spawned, lines).await?;
        Ok((ensemble, report))
    }

    /// Every node's `HOST:PORT`, by id.
    pub fn addrs(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.addr.clone()).collect()
    }

    pub fn addr(&self, id: u32) -> &str {
        &self.node(id).addr
    }

    fn node(&self, id: u32) -> &LocalNode {
        &self.nodes[id as usize - 1]
    }

    /// Every running node's process id, by node id.
    pub fn pids(&self) -> Vec<Option<u32>> {
        self.nodes.iter().map(|n| n.child.as_ref().map(Child::id)).collect()
    }

    /// Every running node's resident memory now, from `/proc/PID/status`, by node id.
    pub fn rss(&self) -> Vec<Option<u64>> {
        self.pids().into_iter().map(|pid| pid.and_then(rss_of)).collect()
    }

    /// Start node `id` (its data directory as it is); its startup line comes on the receiver.
    fn spawn(&mut self, id: u32) -> Result<StartupLine, BenchError> {
        let peers: Vec<String> =
            self.nodes.iter().filter(|n| n.id != id).map(|n| format!("{}={}", n.id, n.addr)).collect();
        let fsync = self.fsync.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default();
        let node = &mut self.nodes[id as usize - 1];
        let failed = |e: std::io::Error| BenchError::Node { id, why: e.to_string() };
        let log = OpenOptions::new().create(true).append(true).open(&node.log).map_err(failed)?;
        let mut cmd = Command::new(&self.exe);
        cmd.args(["node", "--id", &id.to_string(), "--listen", &node.addr, "--fsync", &fsync, "--data-dir"]);
        cmd.arg(&node.data_dir);
        for p in &peers {
            cmd.args(["--peer", p]);
        }
        // Warnings only, into the log file: a failover's lost links must not garble the
        // benchmark's own output.
        cmd.env("RUST_LOG", "warn").stdin(Stdio::null()).stdout(Stdio::piped()).stderr(log);
        let mut child = cmd.spawn().map_err(failed)?;
        let stdout = child.stdout.take();
        node.child = Some(child);
        let (tx, rx) = oneshot::channel();
        // A thread, not a task: the read blocks, and after the startup line it keeps
        // draining stdout so the node never blocks on a full pipe.
        std::thread::spawn(move || {
            let Some(stdout) = stdout else { return };
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        Ok(rx)
    }

    /// Wait for node `id`'s startup line ("node N listening on ADDR, ...").
    pub async fn listening(&self, id: u32, line: StartupLine) -> Result<(), BenchError> {
        let text = match tokio::time::timeout(STARTUP_LINE_LIMIT, line).await {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => String::new(),
            Err(_) => return Err(self.failed(id, &format!("no startup line within {STARTUP_LINE_LIMIT:?}"))),
        };
        if text.contains("listening on") {
            Ok(())
        } else {
            Err(self.failed(id, &format!("it did not start (it printed {:?})", text.trim())))
        }
    }

    /// Why node `id` failed, with the end of its log.
    fn failed(&self, id: u32, why: &str) -> BenchError {
        let log = std::fs::read_to_string(&self.node(id).log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect();
        BenchError::Node { id, why: format!("{why}; its log ends:\n{}", tail.join("\n")) }
    }

    /// kill -9 node `id`, and reap it: when this returns, the process is gone.
    pub fn kill(&mut self, id: u32) {
        if let Some(mut child) = self.nodes[id as usize - 1].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start node `id` again, from its log, and wait for its startup line.
    pub async fn restart(&mut self, id: u32) -> Result<(), BenchError> {
        let line = self.spawn(id)?;
        self.listening(id, line).await
    }
}

impl Drop for LocalEnsemble {
    fn drop(&mut self) {
        for id in 1..=self.nodes.len() as u32 {
            self.kill(id);
        }
    }
}

/// A loopback port nobody listens on now (the node binds it a moment later).
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A process's resident set size, from the `VmRSS` line of `/proc/PID/status`.
pub fn rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vm_rss(&status)
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    #[test]
    fn vm_rss_is_read_in_bytes() {
        let status = "Name:\tensemble\nVmPeak:\t  20000 kB\nVmRSS:\t    6144 kB\nThreads:\t3\n";
        assert_eq!(super::parse_vm_rss(status), Some(6144 * 1024));
        assert_eq!(super::parse_vm_rss("Name:\tx\n"), None);
    }
}
