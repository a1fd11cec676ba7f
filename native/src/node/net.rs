//! What a node's connections share: who the node is, its inbox, its peers' links and
//! its clients' reply queues, and the counts `/status` and `/metrics` show.
//!
//! [`Links`] is the node task's [`Network`]: it hands a message to its peer's link task
//! (which serializes it) and a reply or a watch to its client's connection task, never
//! waiting on a socket itself.

use super::driver::{Input, Network};
use ensemble_core::client::{ClientReply, ClientRequest};
use ensemble_core::event::Event;
use ensemble_core::types::{ClientId, NodeId};
use ensemble_core::zab::{ZabEvent, ZabMsg, ZabNode};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, Notify};
use tokio::task::AbortHandle;

/// Messages waiting for one peer's link; more are dropped, as a lost message is.
const LINK_QUEUE: usize = 8_192;

/// What a client connection is sent by the node task.
#[derive(Debug)]
pub enum ToClient {
    Reply(ClientReply),
    Watch { kind: &'static str, path: String },
}

/// Counts, for `/status` and `/metrics`.
#[derive(Default)]
pub struct Counters {
    /// Peers refused: unknown id, wrong cluster or secret, or a bad frame.
    pub rejected_peers: AtomicU64,
    /// Client frames refused (`Malformed`, `TooLarge`).
    pub rejected_frames: AtomicU64,
    /// Messages dropped because their peer was unreachable or its queue was full.
    pub dropped_messages: AtomicU64,
}

pub struct Shared {
    pub id: NodeId,
    pub cluster_id: String,
    pub secret: Option<String>,
    /// Every other server, and the address its `/peer` is at.
    pub peers: BTreeMap<NodeId, String>,
    pub inbox: mpsc::UnboundedSender<Input<ZabNode>>,
    pub client_frame_max: usize,
    pub counters: Counters,
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
            client_frame_max: 1 << 20,
            counters: Counters::default(),
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

/// The node task's network: peers' link queues and clients' reply queues.
pub struct Links {
    pub shared: Arc<Shared>,
    pub links: BTreeMap<NodeId, mpsc::Sender<ZabMsg>>,
}

impl Links {
    /// Queues for every peer's link; the receivers go to the link tasks.
    pub fn new(shared: Arc<Shared>) -> (Links, Vec<(NodeId, mpsc::Receiver<ZabMsg>)>) {
        let (mut links, mut receivers) = (BTreeMap::new(), Vec::new());
        for peer in shared.peers.keys() {
            let (tx, rx) = mpsc::channel(LINK_QUEUE);
            links.insert(*peer, tx);
            receivers.push((*peer, rx));
        }
        (Links { shared, links }, receivers)
    }
}

impl Network<ZabNode> for Links {
    fn send(&mut self, to: NodeId, msg: ZabMsg) {
        let sent = self.links.get(&to).is_some_and(|l| l.try_send(msg).is_ok());
        if !sent {
            self.shared.counters.dropped_messages.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn reply(&mut self, reply: ClientReply) {
        self.shared.to_client(reply.client, ToClient::Reply(reply));
    }

    fn event(&mut self, event: Event) {
        if let Event::Protocol(p) = &event {
            if let Some(ZabEvent::Watch { client, kind, path }) = p.get::<ZabEvent>() {
                self.shared.to_client(*client, ToClient::Watch { kind: kind.name(), path: path.clone() });
            }
        }
    }
}
