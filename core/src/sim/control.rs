//! Faults and manual control: the interventions a scenario schedules or a person
//! makes (deliver, drop or duplicate one message, fire a timer, crash, restart,
//! partition, heal, slow a link, calm the network, client requests).

use super::{reply_event, Intervention, InterventionError, Pending, Sim};
use crate::client::{ClientOp, ClientReply, ClientRequest, ErrorCode};
use crate::event::{DropReason, Event};
use crate::node::Node;
use crate::types::{ClientId, NodeId, Time};

impl<N: Node> Sim<N> {
    fn find_message(&self, msg_id: u64) -> Option<(Time, u64)> {
        self.queue.iter().find_map(|(k, p)| match p {
            Pending::Msg(m) if m.id == msg_id => Some(*k),
            _ => None,
        })
    }

    pub(super) fn validate(&self, iv: &Intervention) -> Result<(), InterventionError> {
        let node_ok = |n: NodeId| if self.exists(n) { Ok(()) } else { Err(InterventionError::NoSuchNode(n)) };
        match iv {
            Intervention::Deliver { msg_id } | Intervention::Drop { msg_id } | Intervention::Duplicate { msg_id } => {
                self.find_message(*msg_id).map(|_| ()).ok_or(InterventionError::NoSuchMessage(*msg_id))
            }
            Intervention::FireTimer { node, timer } => {
                node_ok(*node)?;
                let t: Option<N::Timer> = serde_json::from_value(timer.clone()).ok();
                match t {
                    Some(t) if self.slot(*node).timers.contains_key(&t) => Ok(()),
                    _ => Err(InterventionError::NoSuchTimer(*node, timer.to_string())),
                }
            }
            Intervention::Crash { node }
            | Intervention::Restart { node }
            | Intervention::Request { node, .. }
            | Intervention::Client { node, .. } => node_ok(*node),
            Intervention::Partition { groups } => groups.iter().flatten().try_for_each(|n| node_ok(*n)),
            Intervention::CrashLeader {} | Intervention::IsolateLeader {} => {
                self.leader().map(|_| ()).ok_or(InterventionError::NoLeader)
            }
            Intervention::Heal {} | Intervention::Calm {} => Ok(()),
            Intervention::SlowLink { from, to, .. } => node_ok(*from).and(node_ok(*to)),
        }
    }

    /// Carry out an intervention; returns the node it concerned, if one.
    pub(super) fn apply(
        &mut self,
        iv: &Intervention,
        events: &mut Vec<Event>,
    ) -> Result<Option<NodeId>, InterventionError> {
        self.validate(iv)?;
        match iv {
            Intervention::Deliver { msg_id } => {
                let key = self.find_message(*msg_id).ok_or(InterventionError::NoSuchMessage(*msg_id))?;
                let Some(Pending::Msg(m)) = self.queue.remove(&key) else { unreachable!("key found above") };
                let to = m.to;
                self.handle_message(m, true, events);
                Ok(Some(to))
            }
            Intervention::Drop { msg_id } => {
                let key = self.find_message(*msg_id).ok_or(InterventionError::NoSuchMessage(*msg_id))?;
                let Some(Pending::Msg(m)) = self.queue.remove(&key) else { unreachable!("key found above") };
                let to = m.to;
                if N::links_are_connections() && m.from != m.to {
                    self.break_link(m, DropReason::Manual, events);
                    return Ok(Some(to));
                }
                self.stats.dropped += 1;
                let msg = super::wire(&m.msg);
                let reason = DropReason::Manual;
                events.push(Event::Drop { msg_id: m.id, from: m.from, to, msg, reason, breaks_link: false });
                Ok(Some(to))
            }
            Intervention::Duplicate { msg_id } => {
                let key = self.find_message(*msg_id).ok_or(InterventionError::NoSuchMessage(*msg_id))?;
                let Some(Pending::Msg(m)) = self.queue.get(&key).cloned() else { unreachable!("key found above") };
                self.put_copy(&m, key.0, events);
                Ok(Some(m.to))
            }
            Intervention::FireTimer { node, timer } => {
                let t: N::Timer = serde_json::from_value(timer.clone())
                    .map_err(|_| InterventionError::NoSuchTimer(*node, timer.to_string()))?;
                self.cancel_timer(*node, t);
                self.fire_timer(*node, t, events);
                Ok(Some(*node))
            }
            Intervention::Crash { node } => self.crash(*node, events).map(Some),
            Intervention::CrashLeader {} => {
                let leader = self.leader().ok_or(InterventionError::NoLeader)?;
                self.crash(leader, events).map(Some)
            }
            Intervention::IsolateLeader {} => {
                let leader = self.leader().ok_or(InterventionError::NoLeader)?;
                let rest = (1..=self.node_count()).map(NodeId).filter(|n| *n != leader).collect();
                let groups = vec![vec![leader], rest];
                self.partition.split(groups.clone());
                events.push(Event::Partition { groups });
                Ok(Some(leader))
            }
            Intervention::Restart { node } => self.restart(*node, events).map(Some),
            Intervention::Partition { groups } => {
                self.partition.split(groups.clone());
                events.push(Event::Partition { groups: groups.clone() });
                Ok(None)
            }
            Intervention::SlowLink { from, to, extra_ms } => {
                self.slow.insert((*from, *to), *extra_ms);
                Ok(None)
            }
            Intervention::Calm {} => {
                self.net.drop = 0.0;
                self.net.duplicate = 0.0;
                self.net.reorder = 0.0;
                Ok(None)
            }
            Intervention::Heal {} => {
                let groups = self.partition.groups().cloned().unwrap_or_default();
                self.partition.heal();
                events.push(Event::Heal { groups });
                Ok(None)
            }
            Intervention::Request { node, value } => {
                let op = ClientOp::Propose { value: value.clone() };
                Ok(Some(self.request(*node, ClientId(node.0), op, events)))
            }
            Intervention::Client { node, client, op } => Ok(Some(self.request(*node, *client, op.clone(), events))),
        }
    }

    fn crash(&mut self, id: NodeId, events: &mut Vec<Event>) -> Result<NodeId, InterventionError> {
        if !self.slot(id).up {
            return Err(InterventionError::AlreadyInState(id, "down"));
        }
        let timers: Vec<N::Timer> = self.slot(id).timers.keys().copied().collect();
        for t in timers {
            self.cancel_timer(id, t);
        }
        let slot = self.slot_mut(id);
        slot.up = false;
        let lost_writes = slot.disk.crash();
        events.push(Event::Crash { lost_writes });
        Ok(id)
    }

    fn restart(&mut self, id: NodeId, events: &mut Vec<Event>) -> Result<NodeId, InterventionError> {
        if self.slot(id).up {
            return Err(InterventionError::AlreadyInState(id, "up"));
        }
        // Volatile state is gone: the node is rebuilt from what it persisted.
        let node = (self.factory)(id, &self.slot(id).durable);
        let slot = self.slot_mut(id);
        slot.node = node;
        slot.up = true;
        events.push(Event::Restart {});
        self.run_node(id, events, |n, now, out| n.on_start(now, out));
        Ok(id)
    }

    /// A client's request to `node`. Paxos scenarios give each server one client,
    /// numbered like the server.
    fn request(&mut self, node: NodeId, client: ClientId, op: ClientOp, events: &mut Vec<Event>) -> NodeId {
        let seq = self.client_seq.entry(client).or_insert(0);
        *seq += 1;
        let req = ClientRequest { client, seq: *seq, op };
        events.push(Event::request(&req));
        if self.slot(node).up {
            self.run_node(node, events, |n, now, out| n.on_request(now, req, out));
        } else {
            let reply = ClientReply::error(&req, ErrorCode::ConnectionLoss, format!("server {node} is down"));
            events.push(reply_event(reply));
        }
        node
    }
}
