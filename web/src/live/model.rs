//! Plain data the existing components draw, read out of the live state: node views
//! (the simulator's ZAB view, from each node's status), messages on the wire, and the
//! narrated log.

use super::api::{LiveNode, Percentiles, Status};
use super::i18n::{note, CLIENTS, FSYNC, FSYNC_HINT, SESSIONS};
use super::state::{Flight, LiveState, Logged, MIN_SHOWN_MS};
use crate::model::{LogLine, Message};
use ensemble_core::explain::{explain_event, Lang};
use ensemble_core::protocol::lookup;
use ensemble_core::scenarios::Protocol;
use ensemble_core::sim::InFlight;
use ensemble_core::types::NodeId;
use ensemble_core::view::{Fact, NodeView};
use ensemble_core::zab::{server_view, ServerFacts, ServerState};

/// Every node as its card and disc draw it.
pub fn views(state: &LiveState) -> Vec<NodeView> {
    state.nodes.iter().map(|n| view(n, n.status.as_ref().or(state.last.get(&n.id)))).collect()
}

/// Node `n` with its status (its last one while it is down; none if never seen up).
fn view(n: &LiveNode, status: Option<&Status>) -> NodeView {
    let s = status.cloned().unwrap_or_default();
    let mut v = server_view(&ServerFacts {
        id: NodeId(n.id),
        state: s.state,
        phase: s.phase,
        observer: n.observer,
        leader: s.leader.map(NodeId),
        current_epoch: s.epoch,
        accepted_epoch: s.accepted_epoch,
        last_zxid: s.last_zxid.clone(),
        delivered: s.delivered.clone(),
        znodes: s.znodes,
        digest: s.digest.clone(),
    });
    v.up = n.running;
    v.is_leader = n.running && s.state == ServerState::Leading;
    v.facts.extend([
        Fact::new("sessions", SESSIONS, s.sessions),
        Fact::new("clients", CLIENTS, s.clients),
        Fact::code("fsync", FSYNC, fsync_text(s.fsync_micros)).hint(FSYNC_HINT),
    ]);
    v
}

/// `640 µs / 4.6 ms`, or `–` before the first write.
fn fsync_text(p: Percentiles) -> String {
    let t = |us: u64| if us < 1000 { format!("{us} µs") } else { format!("{:.1} ms", us as f64 / 1000.0) };
    if p.count == 0 {
        return "–".into();
    }
    format!("{} / {}", t(p.p50), t(p.p99))
}

/// The leader the running nodes agree on, if a majority of them name one.
pub fn leader(state: &LiveState) -> Option<u32> {
    let leading = state.nodes.iter().filter(|n| n.running).filter_map(|n| n.status.as_ref());
    leading.filter(|s| s.state == ServerState::Leading).find_map(|s| s.leader)
}

/// The messages drawn on the wire, each crossing in [`MIN_SHOWN_MS`].
pub fn in_flight(state: &LiveState) -> Vec<Message> {
    state.flights.iter().map(message).collect()
}

fn message(f: &Flight) -> Message {
    let msg = InFlight {
        msg_id: f.msg_id,
        from: f.from,
        to: f.to,
        sent_at_ms: f.sent_ms,
        deliver_at_ms: f.sent_ms + MIN_SHOWN_MS,
        msg: f.msg.clone(),
        lost: false,
        cut: false,
    };
    Message::new(msg, Protocol::Zab)
}

/// The log narrated in `lang`, newest first.
pub fn narrate(state: &LiveState, lang: Lang) -> Vec<LogLine> {
    let zab = lookup(Protocol::Zab);
    let line = |l: &Logged| match l {
        Logged::Trace(t) => LogLine {
            step: t.step,
            time_ms: t.time_ms,
            text: explain_event(zab, t.node, &t.event, lang),
            violation: false,
            kind: t.event.kind(),
            node: t.node.map(|n| n.0),
            breaks: None,
        },
        Logged::Note { time_ms, node, note: n } => LogLine {
            step: 0,
            time_ms: *time_ms,
            text: note(lang, *node, *n),
            violation: false,
            kind: "note",
            node: Some(*node),
            breaks: None,
        },
    };
    state.log.iter().map(line).collect()
}

/// What the live region reads out: the newest line that changes who leads.
pub fn announce(log: &[LogLine]) -> String {
    let headline = |l: &&LogLine| matches!(l.kind, "leader_established" | "note");
    log.iter().find(headline).map(|l| l.text.clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ensemble_core::zab::ZabPhase;

    fn node(id: u32, running: bool, state: ServerState) -> LiveNode {
        let status = Status {
            state,
            phase: ZabPhase::Broadcast,
            leader: Some(2),
            last_zxid: "0x100000001".into(),
            ..Status::default()
        };
        LiveNode { id, addr: format!("127.0.0.1:{id}"), observer: false, running, status: running.then_some(status) }
    }

    #[test]
    fn views_come_from_statuses_and_a_down_node_keeps_its_last() {
        let mut state = LiveState::default();
        state.nodes = vec![node(1, true, ServerState::Following), node(2, true, ServerState::Leading)].into();
        let last = node(3, true, ServerState::Following).status.unwrap();
        state.last = std::rc::Rc::new([(3, last)].into_iter().collect());
        let mut nodes = (*state.nodes).clone();
        nodes.push(node(3, false, ServerState::Looking));
        state.nodes = nodes.into();
        let v = views(&state);
        assert_eq!(v.iter().map(|v| v.state.name()).collect::<Vec<_>>(), ["FOLLOWING", "LEADING", "FOLLOWING"]);
        assert!(v[1].is_leader && !v[0].is_leader && !v[2].up);
        assert_eq!(v[2].fact("zxid"), Some("0x100000001"));
        assert_eq!(leader(&state), Some(2));
        assert_eq!(fsync_text(Percentiles { count: 3, p50: 640, p99: 4600 }), "640 µs / 4.6 ms");
    }
}
