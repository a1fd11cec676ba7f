//! `/metrics`: the node's measurements in Prometheus's text format (prometheus-client),
//! one registry per node, since `ensemble demo` runs several nodes in one process.
//!
//! Names follow ZooKeeper's metrics where one exists (`fsynctime`, `election_time`,
//! `updatelatency`, `readlatency`, `num_alive_connections`, `global_sessions`,
//! `synced_followers`, `znode_count`), prefixed `ensemble_` and with units last.

use super::status::Status;
use hdrhistogram::Histogram as Hdr;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use serde::Serialize;
use std::sync::Mutex;

pub struct Metrics {
    registry: Registry,
    pub fsync_time_ms: Histogram,
    pub wal_batch_records: Histogram,
    pub update_latency_ms: Histogram,
    pub read_latency_ms: Histogram,
    pub commit_latency_ms: Histogram,
    pub election_time_ms: Histogram,
    pub elections: Counter,
    pub rejected_frames: Counter,
    pub rejected_peers: Counter,
    pub dropped_messages: Counter,
    pub event_subscribers: Gauge,
    pub event_subscribers_lagged: Counter,
    connections: Gauge,
    peers_connected: Gauge,
    global_sessions: Gauge,
    synced_followers: Gauge,
    znode_count: Gauge,
    /// The same fsyncs in microseconds, exactly, for `/status`'s percentiles.
    fsync_micros: Mutex<Hdr<u64>>,
}

/// Percentiles of the fsyncs since the node started, in microseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Percentiles {
    pub count: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
}

fn millis() -> Histogram {
    // 0.05 ms to about 3.3 s.
    Histogram::new(exponential_buckets(0.05, 2.0, 17))
}

impl Metrics {
    pub fn new(node: u32) -> Metrics {
        let labels = [("node".into(), node.to_string().into())].into_iter();
        let mut m = Metrics {
            fsync_time_ms: millis(),
            wal_batch_records: Histogram::new(exponential_buckets(1.0, 2.0, 14)),
            update_latency_ms: millis(),
            read_latency_ms: millis(),
            commit_latency_ms: millis(),
            election_time_ms: millis(),
            elections: Counter::default(),
            rejected_frames: Counter::default(),
            rejected_peers: Counter::default(),
            dropped_messages: Counter::default(),
            event_subscribers: Gauge::default(),
            event_subscribers_lagged: Counter::default(),
            connections: Gauge::default(),
            peers_connected: Gauge::default(),
            global_sessions: Gauge::default(),
            synced_followers: Gauge::default(),
            znode_count: Gauge::default(),
            fsync_micros: Mutex::new(Hdr::new_with_bounds(1, 60_000_000, 3).expect("valid bounds")),
            registry: Registry::with_prefix_and_labels("ensemble", labels),
        };
        let mut registry = std::mem::take(&mut m.registry);
        m.register(&mut registry);
        m.registry = registry;
        m
    }

    fn register(&self, r: &mut Registry) {
        r.register("fsynctime_ms", "Time of one fdatasync of the write-ahead log", self.fsync_time_ms.clone());
        r.register("wal_batch_records", "Records written by one group commit", self.wal_batch_records.clone());
        r.register("updatelatency_ms", "A client's write, received to answered", self.update_latency_ms.clone());
        r.register("readlatency_ms", "A client's read, received to answered", self.read_latency_ms.clone());
        r.register("commit_latency_ms", "A leader's proposal to its commit", self.commit_latency_ms.clone());
        r.register("election_time_ms", "From LOOKING to serving (BROADCAST)", self.election_time_ms.clone());
        r.register("elections", "Times this server started looking for a leader", self.elections.clone());
        r.register("rejected_frames", "Client frames refused (Malformed, TooLarge)", self.rejected_frames.clone());
        r.register("rejected_peers", "Peer connections or frames refused", self.rejected_peers.clone());
        r.register("dropped_messages", "Messages to unreachable peers, dropped", self.dropped_messages.clone());
        r.register("event_subscribers", "Connections watching /events", self.event_subscribers.clone());
        r.register(
            "event_subscribers_lagged",
            "Subscribers dropped for lagging",
            self.event_subscribers_lagged.clone(),
        );
        r.register("num_alive_connections", "Client connections", self.connections.clone());
        r.register("peers_connected", "Peers connected to this server", self.peers_connected.clone());
        r.register("global_sessions", "Live sessions of the ensemble", self.global_sessions.clone());
        r.register("synced_followers", "Learners in sync, if leading", self.synced_followers.clone());
        r.register("znode_count", "Znodes in the tree", self.znode_count.clone());
    }

    /// One group commit: `records` durable after an fsync of `fsync_micros` (0 when
    /// `--fsync never` skipped it).
    pub fn durable(&self, records: u64, fsync_micros: u64) {
        self.wal_batch_records.observe(records as f64);
        if let Some(us) = Some(fsync_micros).filter(|us| *us > 0) {
            self.fsync_time_ms.observe(us as f64 / 1_000.0);
            let _ = self.fsync_micros.lock().expect("not poisoned").record(us.max(1));
        }
    }

    pub fn fsync_percentiles(&self) -> Percentiles {
        let h = self.fsync_micros.lock().expect("not poisoned");
        let at = |q: f64| h.value_at_quantile(q);
        Percentiles { count: h.len(), p50: at(0.5), p90: at(0.9), p99: at(0.99), max: h.max() }
    }

    /// The text a scrape gets, with the gauges read from `status` first.
    pub fn encode(&self, status: &Status) -> String {
        self.connections.set(status.clients as i64);
        self.peers_connected.set(status.peers_connected as i64);
        self.global_sessions.set(status.sessions as i64);
        self.synced_followers.set(status.followers_synced.unwrap_or(0) as i64);
        self.znode_count.set(status.znodes as i64);
        let mut text = String::new();
        // Writing into a String cannot fail.
        encode(&mut text, &self.registry).expect("metrics encode");
        text
    }
}
