//! `ensemble node`'s settings, from flags or a TOML file (`--config`, like `zoo.cfg`;
//! flags win), and the ensemble they describe.

use clap::{Args, ValueEnum};
use ensemble_core::sim::Rng;
use ensemble_core::types::NodeId;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

/// `--snap-count` when none is given (`docs/wal.md` says why this many).
pub const DEFAULT_SNAP_COUNT: u64 = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Fsync {
    /// Every batch of writes is made durable before anything answers for it.
    Always,
    /// Never wait for the disk: for teaching and tests only; a crash may lose writes
    /// the ensemble acknowledged.
    Never,
}

#[derive(Args, Clone, Debug, Default)]
pub struct NodeArgs {
    /// This server's id, 1 to the ensemble's size.
    #[arg(long)]
    pub id: Option<u32>,
    /// Address to serve peers, clients and /status on (default 127.0.0.1:7000 + id).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Another server of the ensemble: ID=HOST:PORT, with `:observer` if it never votes.
    #[arg(long = "peer", value_name = "ID=HOST:PORT[:observer]")]
    pub peers: Vec<String>,
    /// Where this server keeps its write-ahead log.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// This server is an observer: it never votes.
    #[arg(long)]
    pub observer: bool,
    /// A TOML file with the same settings (`docs/deploy.md`); flags override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[arg(long, value_enum)]
    pub fsync: Option<Fsync>,
    /// The ensemble's name: peers of another ensemble are refused (default `ensemble`).
    #[arg(long)]
    pub cluster: Option<String>,
    /// A file holding a secret every server of the ensemble shares: peers that do not
    /// present it are refused.
    #[arg(long, value_name = "FILE")]
    pub cluster_secret: Option<PathBuf>,
    /// Also serve the web app's files (Trunk's output) from this directory.
    #[arg(long, value_name = "DIR")]
    pub web: Option<PathBuf>,
    /// ZooKeeper's snapCount: write a checkpoint (the whole state, after which older log
    /// segments are deleted) every N/2 to N records, drawn at each start so the servers
    /// do not all write one at once (default 10000, at least 2).
    #[arg(long, value_name = "N")]
    pub snap_count: Option<u64>,
}

/// The file form of [`NodeArgs`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    id: Option<u32>,
    listen: Option<SocketAddr>,
    #[serde(default)]
    peers: Vec<String>,
    data_dir: Option<PathBuf>,
    #[serde(default)]
    observer: bool,
    fsync: Option<Fsync>,
    cluster: Option<String>,
    cluster_secret: Option<PathBuf>,
    web: Option<PathBuf>,
    snap_count: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub id: NodeId,
    pub addr: String,
    pub observer: bool,
}

/// Settings checked and complete.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub id: NodeId,
    pub listen: SocketAddr,
    pub peers: Vec<Peer>,
    pub data_dir: PathBuf,
    pub observer: bool,
    pub fsync: Fsync,
    pub cluster: String,
    pub secret: Option<String>,
    pub web: Option<PathBuf>,
    /// Checkpoints come every `snap_count / 2` to `snap_count` records.
    pub snap_count: u64,
}

impl NodeConfig {
    /// The settings of `args` over those of its `--config` file, or what is wrong.
    pub fn from_args(args: &NodeArgs) -> Result<NodeConfig, String> {
        let file = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
                toml::from_str::<FileConfig>(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))?
            }
            None => FileConfig::default(),
        };
        let id = args.id.or(file.id).ok_or("--id is missing (or `id` in the config file)")?;
        if id == 0 {
            return Err("--id must be 1 or more".into());
        }
        let specs = if args.peers.is_empty() { file.peers } else { args.peers.clone() };
        let peers = specs.iter().map(|s| parse_peer(s)).collect::<Result<Vec<_>, _>>()?;
        let data_dir = args.data_dir.clone().or(file.data_dir).ok_or("--data-dir is missing (or `data_dir`)")?;
        let listen =
            args.listen.or(file.listen).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 7000 + id as u16)));
        let (observer, fsync) = (args.observer || file.observer, args.fsync.or(file.fsync).unwrap_or(Fsync::Always));
        let cluster = args.cluster.clone().or(file.cluster).unwrap_or_else(|| "ensemble".into());
        let secret = match args.cluster_secret.as_ref().or(file.cluster_secret.as_ref()) {
            Some(path) => Some(read_secret(path)?),
            None => None,
        };
        let snap_count = args.snap_count.or(file.snap_count).unwrap_or(DEFAULT_SNAP_COUNT);
        if snap_count < 2 {
            return Err("--snap-count must be 2 or more: checkpoints come every N/2 to N records".into());
        }
        let web = args.web.clone().or(file.web);
        let config =
            NodeConfig { id: NodeId(id), listen, peers, data_dir, observer, fsync, cluster, secret, web, snap_count };
        config.check_members()?;
        Ok(config)
    }

    /// Servers are numbered 1 to the ensemble's size, each once, and one at least votes.
    fn check_members(&self) -> Result<(), String> {
        let mut ids: Vec<u32> = self.peers.iter().map(|p| p.id.0).chain([self.id.0]).collect();
        ids.sort();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(format!("server ids must be distinct: {ids:?}"));
        }
        if ids != (1..=ids.len() as u32).collect::<Vec<_>>() {
            return Err(format!("server ids must be 1 to {} (the ensemble's size): {ids:?}", ids.len()));
        }
        if self.observers().len() == ids.len() {
            return Err("every server is an observer: at least one must vote".into());
        }
        Ok(())
    }

    /// What a peer presents and must match: the ensemble's name and its voters, so a
    /// server configured for another ensemble, or with another quorum, is refused.
    /// Observers are left out: adding one changes no quorum, and the voters can learn of
    /// it by a rolling restart while the ensemble keeps serving.
    pub fn cluster_id(&self) -> String {
        let observers = self.observers();
        let voters: Vec<String> =
            (1..=self.size()).filter(|id| !observers.contains(id)).map(|id| id.to_string()).collect();
        format!("{}/{}", self.cluster, voters.join(","))
    }

    /// Records between two checkpoints for one run of this node: uniform in
    /// `[snap_count / 2, snap_count]`, as ZooKeeper draws its snapshot point, so the
    /// servers of an ensemble started together do not all checkpoint at once.
    pub fn checkpoint_every(&self, seed: u64) -> u64 {
        Rng::new(seed).range(self.snap_count / 2, self.snap_count)
    }

    pub fn size(&self) -> u32 {
        self.peers.len() as u32 + 1
    }

    pub fn observers(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.peers.iter().filter(|p| p.observer).map(|p| p.id.0).collect();
        ids.extend(self.observer.then_some(self.id.0));
        ids.sort();
        ids
    }
}

/// A seed that differs between processes and between starts: the pid and the clock.
/// (The core's nodes own no randomness; this is the native runtime's.)
pub fn start_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    u64::from(std::process::id()).rotate_left(32) ^ nanos
}

fn read_secret(path: &std::path::Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("--cluster-secret {}: {e}", path.display()))?;
    let secret = text.trim().to_string();
    if secret.is_empty() {
        return Err(format!("--cluster-secret {}: the file is empty", path.display()));
    }
    Ok(secret)
}

/// `ID=HOST:PORT[:observer]`.
pub fn parse_peer(spec: &str) -> Result<Peer, String> {
    let bad = || format!("peer `{spec}`: expected ID=HOST:PORT or ID=HOST:PORT:observer");
    let (id, rest) = spec.split_once('=').ok_or_else(bad)?;
    let id: u32 = id.trim().parse().map_err(|_| bad())?;
    let (addr, observer) = match rest.strip_suffix(":observer") {
        Some(addr) => (addr, true),
        None => (rest, false),
    };
    let port = addr.rsplit_once(':').map(|(_, p)| p).ok_or_else(bad)?;
    if id == 0 || port.parse::<u16>().is_err() {
        return Err(bad());
    }
    Ok(Peer { id: NodeId(id), addr: addr.to_string(), observer })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(id: u32, peers: &[&str]) -> NodeArgs {
        let peers = peers.iter().map(|p| p.to_string()).collect();
        NodeArgs { id: Some(id), peers, data_dir: Some("/tmp/x".into()), ..NodeArgs::default() }
    }

    #[test]
    fn peers_parse_with_and_without_observer() {
        let p = parse_peer("3=10.0.0.3:7003:observer").expect("parses");
        assert_eq!(p, Peer { id: NodeId(3), addr: "10.0.0.3:7003".into(), observer: true });
        assert!(parse_peer("3=host").is_err());
        assert!(parse_peer("x=host:1").is_err());
        assert!(parse_peer("0=host:1").is_err());
    }

    #[test]
    fn an_ensemble_is_numbered_from_one_without_gaps() {
        let c = NodeConfig::from_args(&args(1, &["2=127.0.0.1:7002", "3=127.0.0.1:7003:observer"])).expect("valid");
        assert_eq!((c.size(), c.observers()), (3, vec![3]));
        assert_eq!(c.listen.to_string(), "127.0.0.1:7001");
        assert_eq!(c.cluster_id(), "ensemble/1,2", "observer 3 is no part of it");
        let gap = NodeConfig::from_args(&args(1, &["3=127.0.0.1:7003"])).expect_err("refused");
        assert!(gap.contains("1 to 2"), "{gap}");
        let twice = NodeConfig::from_args(&args(2, &["2=127.0.0.1:7002"])).expect_err("refused");
        assert!(twice.contains("distinct"), "{twice}");
    }

    #[test]
    fn a_config_file_holds_the_same_settings_and_flags_win() {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let path = dir.path().join("node.toml");
        let text = "id = 2\nlisten = \"127.0.0.1:9002\"\npeers = [\"1=127.0.0.1:9001\"]\ndata_dir = \"/var/x\"\nfsync = \"never\"\n";
        std::fs::write(&path, text).expect("writes");
        let from_file = NodeArgs { config: Some(path.clone()), ..NodeArgs::default() };
        let c = NodeConfig::from_args(&from_file).expect("valid");
        assert_eq!((c.id, c.listen.port(), c.fsync), (NodeId(2), 9002, Fsync::Never));
        let flags = NodeArgs { config: Some(path), fsync: Some(Fsync::Always), ..NodeArgs::default() };
        assert_eq!(NodeConfig::from_args(&flags).expect("valid").fsync, Fsync::Always);
        std::fs::write(dir.path().join("bad.toml"), "idd = 1\n").expect("writes");
        let bad = NodeArgs { config: Some(dir.path().join("bad.toml")), ..NodeArgs::default() };
        assert!(NodeConfig::from_args(&bad).expect_err("refused").contains("idd"));
    }

    #[test]
    fn the_snap_count_comes_from_a_flag_or_the_file_and_is_at_least_two() {
        assert_eq!(NodeConfig::from_args(&args(1, &[])).expect("valid").snap_count, DEFAULT_SNAP_COUNT);
        let dir = tempfile::TempDir::new().expect("temp dir");
        let path = dir.path().join("node.toml");
        std::fs::write(&path, "id = 1\ndata_dir = \"/var/x\"\nsnap_count = 500\n").expect("writes");
        let from_file = NodeArgs { config: Some(path), ..NodeArgs::default() };
        assert_eq!(NodeConfig::from_args(&from_file).expect("valid").snap_count, 500);
        let flag = NodeArgs { snap_count: Some(40), ..from_file };
        assert_eq!(NodeConfig::from_args(&flag).expect("valid").snap_count, 40);
        for n in [0, 1] {
            let low = NodeArgs { snap_count: Some(n), ..args(1, &[]) };
            assert!(NodeConfig::from_args(&low).expect_err("refused").contains("--snap-count"), "{n}");
        }
    }

    #[test]
    fn the_checkpoint_period_is_drawn_from_half_the_snap_count_to_all_of_it() {
        let mut config = NodeConfig::from_args(&args(1, &[])).expect("valid");
        for (n, lo) in [(2, 1), (3, 1), (10, 5)] {
            config.snap_count = n;
            let drawn: std::collections::BTreeSet<u64> = (0..1_000).map(|seed| config.checkpoint_every(seed)).collect();
            assert_eq!(drawn, (lo..=n).collect(), "snap count {n}: every period from N/2 to N, none outside");
        }
        config.snap_count = 10_000;
        let drawn: Vec<u64> = (0..1_000).map(|seed| config.checkpoint_every(seed)).collect();
        let (min, max) = (drawn.iter().min().expect("drawn"), drawn.iter().max().expect("drawn"));
        assert!(*min >= 5_000 && *max <= 10_000 && max - min > 4_000, "spread over [5000, 10000]: {min}..{max}");
    }
}
