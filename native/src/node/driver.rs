//! The task that owns one node and drives it, as the simulator does, over real time, a
//! real disk and (through [`Network`]) real peers.
//!
//! It waits on one inbox (peer messages, client requests, the log writer's notices,
//! status questions) and on the earliest timer. Each input runs one handler; its
//! actions are carried out under the durability contract (`docs/durability.md`): the
//! records it persists go to the write-ahead log as one write, and what it says after
//! them (`Send`, `Reply`, `Emit`) is held until the log reports them durable, while
//! `SendAhead`, `ReplyAhead` and `EmitAhead` leave at once. Bookkeeping records
//! (`Node::is_bookkeeping`) hold nothing back.

use crate::wal::{Entry, Notice, Payload, Writer};
use ensemble_core::client::{ClientReply, ClientRequest};
use ensemble_core::event::Event;
use ensemble_core::node::{Action, ActionOf, Node, Out};
use ensemble_core::sim::Rng;
use ensemble_core::types::{NodeId, Time};
use ensemble_core::wire::Wire;
use std::collections::{BTreeMap, VecDeque};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// What reaches a node's task.
pub enum Input<N: Node> {
    Message {
        from: NodeId,
        msg: N::Msg,
        /// The sender's number for it (0 for a node's message to itself), so a trace of
        /// the ensemble pairs its `send` and `deliver`.
        id: u64,
    },
    Request(ClientRequest),
    /// The connection to this peer closed.
    Disconnected(NodeId),
    Durable(Notice),
    /// Run a question (a status page's) on the node, in its task, which owns it.
    Ask(Box<dyn FnOnce(&N) + Send>),
}

/// Where a node's messages to its peers and its replies and events go.
pub trait Network<N: Node>: Send {
    /// Best effort: a message to an unreachable peer is dropped, as the protocol expects.
    fn send(&mut self, to: NodeId, msg: N::Msg);
    fn reply(&mut self, reply: ClientReply);
    fn event(&mut self, event: Event);
    /// Whether anyone watches this node's trace: the runtime's events (`deliver`,
    /// `timer`, ...) are made only then.
    fn watched(&self) -> bool {
        false
    }
    /// The node starts handling one input (a trace step), recorded as `input`.
    fn step(&mut self, _input: Option<Event>) {}
}

/// Something said after a write, waiting for it to be durable.
enum Held<N: Node> {
    Send(NodeId, N::Msg),
    Reply(ClientReply),
    Emit(Event),
}

pub struct Driver<N: Node> {
    pub node: N,
    id: NodeId,
    start: Instant,
    start_ms: u64,
    rng: Rng,
    timers: BTreeMap<N::Timer, Instant>,
    writer: Writer,
    /// Records handed to the log, and records it reported durable, since it opened.
    handed: u64,
    durable: u64,
    /// Records up to the last one that is not bookkeeping (`Node::is_bookkeeping`):
    /// what the node says waits for those only.
    gate: u64,
    held: VecDeque<(u64, Held<N>)>,
    /// For messages a node sends itself: they never touch the network.
    own: mpsc::UnboundedSender<Input<N>>,
    net: Box<dyn Network<N>>,
}

impl<N: Node + Send + 'static> Driver<N>
where
    N::Durable: Send + 'static,
{
    pub fn new(
        id: NodeId,
        node: N,
        writer: Writer,
        own: mpsc::UnboundedSender<Input<N>>,
        net: Box<dyn Network<N>>,
    ) -> Self {
        let seed = u64::from(id.0) ^ std::process::id() as u64;
        let start = Instant::now();
        let start_ms =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let (timers, held) = (BTreeMap::new(), VecDeque::new());
        Driver {
            node,
            id,
            start,
            start_ms,
            rng: Rng::new(seed),
            timers,
            writer,
            handed: 0,
            durable: 0,
            gate: 0,
            held,
            own,
            net,
        }
    }

    /// The wall clock when the node started, moved on by a monotonic clock: znodes'
    /// ctime and mtime read as dates (as ZooKeeper's do), and session leases never see
    /// time go backwards when the system clock is set back.
    fn now(&self) -> Time {
        Time(self.start_ms + self.start.elapsed().as_millis() as u64)
    }

    /// Start the node and serve its inbox until every sender is gone. `Err` if its disk
    /// failed: it must stop rather than answer for writes it cannot make durable.
    pub async fn run(mut self, mut inbox: mpsc::UnboundedReceiver<Input<N>>) -> Result<(), String> {
        let now = self.now();
        self.handle(|n, out| n.on_start(now, out));
        loop {
            let next = self.timers.iter().min_by_key(|(_, at)| **at).map(|(t, at)| (*t, *at));
            tokio::select! {
                input = inbox.recv() => match input {
                    Some(input) => self.input(input)?,
                    // Finish the writes queued, and say if the disk failed meanwhile.
                    None => return self.writer.close().map_err(|e| e.to_string()),
                },
                _ = tokio::time::sleep_until(next.map_or_else(Instant::now, |(_, at)| at)), if next.is_some() => {
                    let timer = next.expect("guarded").0;
                    self.timers.remove(&timer);
                    if self.net.watched() {
                        self.net.step(Some(Event::Timer { timer: Wire::new(timer) }));
                    }
                    let now = self.now();
                    self.handle(|n, out| n.on_timer(now, timer, out));
                }
            }
        }
    }

    fn input(&mut self, input: Input<N>) -> Result<(), String> {
        let now = self.now();
        if self.net.watched() {
            let event = self.input_event(&input);
            self.net.step(event);
        }
        match input {
            Input::Message { from, msg, .. } => self.handle(|n, out| n.on_message(now, from, msg, out)),
            Input::Request(req) => self.handle(|n, out| n.on_request(now, req, out)),
            Input::Disconnected(peer) => self.handle(|n, out| n.on_disconnect(now, peer, out)),
            Input::Durable(Notice::Durable { records, .. }) => self.made_durable(records),
            Input::Durable(Notice::Failed(why)) => return Err(why),
            Input::Ask(question) => question(&self.node),
        }
        Ok(())
    }

    /// How the trace shows an input.
    fn input_event(&self, input: &Input<N>) -> Option<Event> {
        match input {
            Input::Message { from, msg, id } => {
                Some(Event::Deliver { msg_id: *id, from: *from, to: self.id, msg: Wire::new(msg.clone()) })
            }
            Input::Request(req) => Some(Event::request(req)),
            Input::Durable(Notice::Durable { records, .. }) => Some(Event::Persisted { records: *records }),
            // So the LOOKING (or the forgotten learner) that follows has its cause.
            Input::Disconnected(peer) => Some(Event::Disconnected { peer: *peer }),
            _ => None,
        }
    }

    /// Run one handler and carry out its actions.
    fn handle(&mut self, f: impl FnOnce(&mut N, &mut Out<N>)) {
        let mut out = Out::new();
        f(&mut self.node, &mut out);
        let mut write = Vec::new();
        for action in out.take() {
            self.act(action, &mut write);
        }
        if !write.is_empty() {
            self.handed += write.len() as u64;
            // A stopped writer has told us why through the inbox already.
            let _ = self.writer.write(write);
        }
    }

    fn act(&mut self, action: ActionOf<N>, write: &mut Vec<Entry>) {
        let waiting_for = self.gate;
        let hold = waiting_for > self.durable;
        match action {
            Action::Send { to, msg } if hold => self.held.push_back((waiting_for, Held::Send(to, msg))),
            Action::Send { to, msg } | Action::SendAhead { to, msg } => self.send(to, msg),
            Action::Reply(r) if hold => self.held.push_back((waiting_for, Held::Reply(r))),
            Action::Reply(r) | Action::ReplyAhead(r) => self.net.reply(r),
            Action::Emit(e) if hold => self.held.push_back((waiting_for, Held::Emit(e))),
            Action::Emit(e) | Action::EmitAhead(e) => self.net.event(e),
            Action::Persist(record) => {
                let (checkpoint, lazy) = (N::is_checkpoint(&record), N::is_bookkeeping(&record));
                // Our own plain data types always serialize. A checkpoint, the node's
                // whole state, is serialized on the log's thread, off this task.
                let bytes = if checkpoint {
                    Payload::Later(Box::new(move || serde_json::to_vec(&record).expect("records serialize")))
                } else {
                    Payload::Bytes(serde_json::to_vec(&record).expect("records serialize"))
                };
                write.push(Entry { bytes, checkpoint, lazy });
                // Records of this handler count as handed from the moment they are asked for.
                if !lazy {
                    self.gate = self.handed + write.len() as u64;
                }
            }
            Action::SetTimer { timer, after_ms } => {
                let delay_ms = self.rng.range(*after_ms.start(), *after_ms.end());
                self.timers.insert(timer, Instant::now() + std::time::Duration::from_millis(delay_ms));
            }
            Action::CancelTimer(timer) => {
                self.timers.remove(&timer);
            }
        }
    }

    fn send(&mut self, to: NodeId, msg: N::Msg) {
        if to == self.id {
            let _ = self.own.send(Input::Message { from: to, msg, id: 0 });
        } else {
            self.net.send(to, msg);
        }
    }

    /// `records` more are durable: what waited for them leaves, in order.
    fn made_durable(&mut self, records: u64) {
        self.durable += records;
        while self.held.front().is_some_and(|(upto, _)| *upto <= self.durable) {
            match self.held.pop_front().expect("checked").1 {
                Held::Send(to, msg) => self.send(to, msg),
                Held::Reply(r) => self.net.reply(r),
                Held::Emit(e) => self.net.event(e),
            }
        }
    }
}
