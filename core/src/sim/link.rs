//! Links that are connections (`Node::links_are_connections`, ZAB's TCP).
//!
//! On a datagram link a lost message is just gone, and the protocol must notice the
//! gap. A TCP connection never loses one message alone: whatever loses it (a reset, a
//! timeout) breaks the connection, both ends see it close, and every byte still on it
//! is gone, in both directions. Modelling a drop on such a link as a lone loss would
//! show a learner something no real ensemble does (a follower silently one commit
//! behind), so here a drop breaks the link: the message and everything else in flight
//! between the two nodes are lost, and each end is told in a step of its own, at once,
//! before anything sent later can arrive. What is sent afterwards flows again, as over
//! a new connection.

use super::{wire, Message, Pending, Sim};
use crate::event::{DropReason, Event};
use crate::node::Node;
use crate::types::NodeId;

impl<N: Node> Sim<N> {
    /// `m` is lost (`reason`: the network's loss, or a person's drop) and takes the
    /// connection between its two ends with it.
    pub(super) fn break_link(&mut self, m: Message<N::Msg>, reason: DropReason, events: &mut Vec<Event>) {
        let (a, b) = (m.from, m.to);
        // A person's drop is recorded even with tracing off, as a lone one is.
        let record = self.tracing || reason == DropReason::Manual;
        self.stats.dropped += 1;
        if record {
            let msg = wire(&m.msg);
            events.push(Event::Drop { msg_id: m.id, from: a, to: b, msg, reason, breaks_link: true });
        }
        let on_link = |p: &Pending<N>| match p {
            Pending::Msg(o) => (o.from, o.to) == (a, b) || (o.from, o.to) == (b, a),
            _ => false,
        };
        let keys: Vec<_> = self.queue.iter().filter(|(_, p)| on_link(p)).map(|(k, _)| *k).collect();
        for key in keys {
            let Some(Pending::Msg(o)) = self.queue.remove(&key) else { unreachable!("selected above") };
            self.stats.dropped += 1;
            if record {
                let (msg, reason) = (wire(&o.msg), DropReason::Connection);
                events.push(Event::Drop { msg_id: o.id, from: o.from, to: o.to, msg, reason, breaks_link: false });
            }
        }
        // The new connection keeps its own order, not the broken one's.
        self.link_last.remove(&(a, b));
        self.link_last.remove(&(b, a));
        // The receiver notices first (its read fails), then the sender. Queued now, they
        // come before anything sent from here on, which cannot arrive before now.
        let now = self.now;
        self.enqueue(now, Pending::Disconnect { node: b, peer: a });
        self.enqueue(now, Pending::Disconnect { node: a, peer: b });
    }

    /// Tell `node` that its connection to `peer` closed. False if `node` is down: a
    /// crashed node has no connection to lose, and the step is not taken.
    pub(super) fn disconnected(&mut self, node: NodeId, peer: NodeId, events: &mut Vec<Event>) -> bool {
        if !self.slot(node).up {
            return false;
        }
        if self.tracing {
            events.push(Event::Disconnected { peer });
        }
        self.run_node(node, events, |n, now, out| n.on_disconnect(now, peer, out));
        true
    }
}
