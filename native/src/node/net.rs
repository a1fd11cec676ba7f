//! What a node's connections share: who the node is, its inbox, its peers' links and
//! its clients' reply queues, and the counts `/status` and `/metrics` show.
//!
//! [`Links`] is the node task's [`Network`]: it hands a message to its peer's link task
//! (which serializes it) and a reply or a watch to its client's connection task, never
//! waiting on a socket itself.

use super::driver::{Input, Network};
use super::metrics::Metrics;
use axum::extract::ws::Utf8Bytes;
use ensemble_core::client::{ClientReply, ClientRequest};
use ensemble_core::event::Event;
use ensemble_core::sim::TraceEntry;
use ensemble_core::types::{ClientId, NodeId, Zxid};
use ensemble_core::wire::Wire;
use ensemble_core::zab::{ServerState, ZabEvent, ZabMsg, ZabNode, ZabPhase};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::{broadcast, mpsc, Notify};
use tokio::task::AbortHandle;

/// Messages waiting for one peer's link; more are dropped, as a lost message is.
const LINK_QUEUE: usize = 8_192;

/// What a client connection is sent by the node task.
#[derive(Debug)]
pub enum ToClient {
    Reply(ClientReply),
    Watch { kind: &'static str, path: String },
}

/// `/events` frames kept for each subscriber; one further behind is dropped.
pub const EVENTS_BUFFER: usize = 64;
/// How much of the trace one `/events` frame gathers: a classroom of subscribers then
/// costs the server one write per subscriber per frame, not one per line, and every
/// subscriber is sent the same frame, made once.
pub const FRAME_MS: u64 = 50;

/// A message to a peer, with this node's number for it (for the trace).
pub type Outgoing = (u64, ZabMsg);

pub struct Shared {
    pub id: NodeId,
    pub cluster_id: String,
    pub secret: Option<String>,
    /// Every other server, and the address its `/peer` is at.
    pub peers: BTreeMap<NodeId, String>,
    pub inbox: mpsc::UnboundedSender<Input<ZabNode>>,
    pub metrics: Metrics,
    /// The node's trace as JSON Lines, gathered into frames, for `/events`.
    pub events: broadcast::Sender<Utf8Bytes>,
    pub started: Instant,
    /// When the node first served (entered BROADCAST), since it started.
    pub serving_after_ms: Mutex<Option<u64>>,
    pub last_election_ms: Mutex<Option<u64>>,
    /// The current incoming connection of each peer (its number, to stop it).
    incoming: Mutex<HashMap<NodeId, (u64, AbortHandle)>>,
    connections: AtomicU64,
    /// Wakes a peer's link from its back-off: that peer just connected to us, so it is up.
    pokes: BTreeMap<NodeId, Notify>,
    clients: Mutex<HashMap<ClientId, mpsc::UnboundedSender<ToClient>>>,
    next_client: AtomicU32,
    /// Request numbers for the core (`ClientRequest::seq`), one sequence for the whole
    /// process and starting at the wall clock's microseconds: a leader proposes a
    /// client's request at most once by (server, client, seq), so numbers must keep
    /// growing across a restart of this server, whose client ids start over.
    next_seq: AtomicU64,
}

impl Shared {
    pub fn new(
        id: NodeId,
        cluster_id: String,
        secret: Option<String>,
        peers: BTreeMap<NodeId, String>,
        inbox: mpsc::UnboundedSender<Input<ZabNode>>,
    ) -> Shared {
        let pokes = peers.keys().map(|p| (*p, Notify::new())).collect();
        let micros = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_micros());
        Shared {
            id,
            cluster_id,
            secret,
            peers,
            inbox,
            metrics: Metrics::new(id.0),
            events: broadcast::channel(EVENTS_BUFFER).0,
            started: Instant::now(),
            serving_after_ms: Mutex::new(None),
            last_election_ms: Mutex::new(None),
            incoming: Mutex::new(HashMap::new()),
            connections: AtomicU64::new(0),
            pokes,
            clients: Mutex::new(HashMap::new()),
            next_client: AtomicU32::new(1),
            next_seq: AtomicU64::new(micros as u64),
        }
    }

    pub fn poke(&self, peer: NodeId) -> Option<&Notify> {
        self.pokes.get(&peer)
    }

    /// The node lost its connection to `peer`.
    pub fn lost(&self, peer: NodeId) {
        let _ = self.inbox.send(Input::Disconnected(peer));
    }

    /// `peer` connected to us: its connection replaces any earlier one (whose loss the
    /// node hears of first). Returns the connection's number.
    pub fn incoming_opened(&self, peer: NodeId, task: AbortHandle) -> u64 {
        let n = self.connections.fetch_add(1, Ordering::Relaxed);
        let old = self.incoming.lock().expect("not poisoned").insert(peer, (n, task));
        if let Some((_, old)) = old {
            old.abort();
            self.lost(peer);
        }
        if let Some(p) = self.poke(peer) {
            p.notify_one();
        }
        n
    }

    /// Connection `n` of `peer` closed: the node hears of it unless a newer one took over.
    pub fn incoming_closed(&self, peer: NodeId, n: u64) {
        let mut incoming = self.incoming.lock().expect("not poisoned");
        if incoming.get(&peer).is_some_and(|(current, _)| *current == n) {
            incoming.remove(&peer);
            drop(incoming);
            self.lost(peer);
        }
    }

    pub fn peers_connected(&self) -> usize {
        self.incoming.lock().expect("not poisoned").len()
    }

    /// A new client connection: its id, and where the node task's answers arrive.
    pub fn client_opened(&self) -> (ClientId, mpsc::UnboundedReceiver<ToClient>) {
        let id = ClientId(self.next_client.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = mpsc::unbounded_channel();
        self.clients.lock().expect("not poisoned").insert(id, tx);
        (id, rx)
    }

    /// The client's connection closed: the node detaches it (its session lives on).
    pub fn client_closed(&self, client: ClientId) {
        self.clients.lock().expect("not poisoned").remove(&client);
        let op = ensemble_core::client::ClientOp::Disconnect {};
        let _ = self.inbox.send(Input::Request(ClientRequest { client, seq: self.next_seq(), op }));
    }

    pub fn clients_connected(&self) -> usize {
        self.clients.lock().expect("not poisoned").len()
    }

    pub fn next_seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    fn to_client(&self, client: ClientId, what: ToClient) {
        if let Some(tx) = self.clients.lock().expect("not poisoned").get(&client) {
            let _ = tx.send(what);
        }
    }
}

/// Gather the trace of up to [`FRAME_MS`] into one frame, made once for every
/// `/events` subscriber. The entries are written as JSON here, not on the node's task:
/// a watched node's writes wait for no serializing.
async fn gather(mut entries: mpsc::UnboundedReceiver<TraceEntry>, frames: broadcast::Sender<Utf8Bytes>) {
    while let Some(first) = entries.recv().await {
        tokio::time::sleep(std::time::Duration::from_millis(FRAME_MS)).await;
        let mut frame = Vec::new();
        for entry in std::iter::once(first).chain(std::iter::from_fn(|| entries.try_recv().ok())) {
            // Into memory, from our own plain types: it cannot fail.
            entry.write_jsonl(&mut frame).expect("trace lines serialize");
        }
        frame.pop(); // lines are joined by newlines, with none at the end
        let _ = frames.send(String::from_utf8(frame).expect("JSON is UTF-8").into());
    }
}

/// The node task's network: peers' link queues, clients' reply queues, and the trace.
pub struct Links {
    pub shared: Arc<Shared>,
    pub links: BTreeMap<NodeId, mpsc::Sender<Outgoing>>,
    /// Trace entries on their way to the task that gathers them into `/events` frames.
    lines: mpsc::UnboundedSender<TraceEntry>,
    /// Messages sent so far: with the node's id, each one's number in the trace.
    sent: u64,
    step: u64,
    /// When the node last started looking for a leader.
    looking_since: Option<Instant>,
    /// When each of the proposals this node leads and has not yet committed was made,
    /// in zxid order (for the commit latency).
    proposed: VecDeque<(Zxid, Instant)>,
}

impl Links {
    /// Queues for every peer's link (the receivers go to the link tasks), and the task
    /// that gathers the trace into `/events` frames, which ends with the node.
    pub fn new(shared: Arc<Shared>) -> (Links, Vec<(NodeId, mpsc::Receiver<Outgoing>)>) {
        let (mut links, mut receivers) = (BTreeMap::new(), Vec::new());
        for peer in shared.peers.keys() {
            let (tx, rx) = mpsc::channel(LINK_QUEUE);
            links.insert(*peer, tx);
            receivers.push((*peer, rx));
        }
        let (lines, gathered) = mpsc::unbounded_channel();
        tokio::spawn(gather(gathered, shared.events.clone()));
        (Links { shared, links, lines, sent: 0, step: 0, looking_since: None, proposed: VecDeque::new() }, receivers)
    }

    /// Write `event` to the trace's subscribers, as a line of the current step.
    fn trace(&self, event: Event) {
        let time_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let entry =
            TraceEntry { step: self.step, time_ms: time_ms as u64, node: Some(self.shared.id), events: vec![event] };
        let _ = self.lines.send(entry);
    }

    /// Elections and their duration, and commit latency, from the node's own events.
    fn observe(&mut self, event: &ZabEvent) {
        match event {
            ZabEvent::State { state: ServerState::Looking, .. } => {
                self.looking_since = Some(Instant::now());
                self.proposed.clear();
                self.shared.metrics.elections.inc();
            }
            ZabEvent::Proposed { zxid, .. } => self.proposed.push_back((*zxid, Instant::now())),
            ZabEvent::Committed { zxid, .. } => {
                // A commit covers every earlier proposal too; each is measured once.
                while let Some((_, at)) = self.proposed.front().filter(|(z, _)| z <= zxid).copied() {
                    self.proposed.pop_front();
                    self.shared.metrics.commit_latency_ms.observe(at.elapsed().as_secs_f64() * 1_000.0);
                }
            }
            ZabEvent::Phase { phase: ZabPhase::Broadcast } => {
                let ms = |i: Instant| i.elapsed().as_millis() as u64;
                if let Some(took) = self.looking_since.take().map(|since| since.elapsed()) {
                    self.shared.metrics.election_time_ms.observe(took.as_secs_f64() * 1_000.0);
                    *self.shared.last_election_ms.lock().expect("not poisoned") = Some(took.as_millis() as u64);
                }
                let mut first = self.shared.serving_after_ms.lock().expect("not poisoned");
                first.get_or_insert(ms(self.shared.started));
            }
            _ => {}
        }
    }
}

impl Network<ZabNode> for Links {
    fn send(&mut self, to: NodeId, msg: ZabMsg) {
        self.sent += 1;
        let id = (u64::from(self.shared.id.0) << 40) | self.sent;
        if self.watched() {
            self.trace(Event::Send { msg_id: id, from: self.shared.id, to, msg: Wire::new(msg.clone()) });
        }
        let sent = self.links.get(&to).is_some_and(|l| l.try_send((id, msg)).is_ok());
        if !sent {
            self.shared.metrics.dropped_messages.inc();
        }
    }

    fn reply(&mut self, reply: ClientReply) {
        if self.watched() {
            self.trace(Event::reply(reply.clone()));
        }
        self.shared.to_client(reply.client, ToClient::Reply(reply));
    }

    fn event(&mut self, event: Event) {
        if let Event::Protocol(p) = &event {
            if let Some(e) = p.get::<ZabEvent>() {
                self.observe(e);
                if let ZabEvent::Watch { client, kind, path } = e {
                    self.shared.to_client(*client, ToClient::Watch { kind: kind.name(), path: path.clone() });
                }
            }
        }
        if self.watched() {
            self.trace(event);
        }
    }

    fn watched(&self) -> bool {
        self.shared.events.receiver_count() > 0
    }

    fn step(&mut self, input: Option<Event>) {
        self.step += 1;
        if let Some(e) = input {
            self.trace(e);
        }
    }
}
