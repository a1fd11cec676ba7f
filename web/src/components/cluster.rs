//! The cluster as an SVG circle: nodes coloured by state, messages as dots on the
//! wire at the fraction of their trip that virtual time has covered.

use crate::i18n::texts;
use crate::model::Message;
use ensemble_core::explain::Lang;
use ensemble_core::view::NodeView;
use yew::prelude::*;

const SIZE: f64 = 420.0;
const CENTER: f64 = SIZE / 2.0;
const RING: f64 = 150.0;
const NODE_R: f64 = 32.0;

#[derive(PartialEq, Properties)]
pub struct ClusterProps {
    pub lang: Lang,
    pub views: Vec<NodeView>,
    pub in_flight: Vec<Message>,
    pub now_ms: u64,
}

/// Where node `id` (1-based) of `n` sits: on a circle, node 1 at the top.
fn position(id: u32, n: usize) -> (f64, f64) {
    let angle =
        -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * f64::from(id.saturating_sub(1)) / n.max(1) as f64;
    (CENTER + RING * angle.cos(), CENTER + RING * angle.sin())
}

/// How far along its trip a message is, from 0 (just sent) to 1 (arriving).
fn progress(m: &Message, now_ms: u64) -> f64 {
    let (sent, due) = (m.msg.sent_at_ms, m.msg.deliver_at_ms);
    if due <= sent {
        return 0.5;
    }
    (now_ms.saturating_sub(sent) as f64 / (due - sent) as f64).clamp(0.0, 1.0)
}

/// The CSS class of a node's state, e.g. `state-preparing`.
pub fn state_class(v: &NodeView) -> String {
    if v.up {
        format!("state-{}", v.state.to_lowercase())
    } else {
        "state-down".to_string()
    }
}

/// The node believes it leads (Multi-Paxos `LEADER`, ZAB-style `LEADING`).
pub fn is_leading(v: &NodeView) -> bool {
    matches!(v.state.as_str(), "LEADER" | "LEADING")
}

/// The node runs a protocol with a leader, so "leader: ?" is worth showing.
pub fn has_leaders(v: &NodeView) -> bool {
    v.leader.is_some()
        || matches!(v.state.as_str(), "LEADER" | "LEADING" | "FOLLOWER" | "FOLLOWING" | "CANDIDATE" | "LOOKING")
}

fn message_dot(m: &Message, n: usize, now_ms: u64, index: usize) -> Html {
    let (fx, fy) = position(m.msg.from.0, n);
    let (tx, ty) = position(m.msg.to.0, n);
    let (x, y) = if m.msg.from == m.msg.to {
        // A message to itself circles just outside the node.
        let a = std::f64::consts::TAU * (index % 8) as f64 / 8.0;
        (fx + (NODE_R + 9.0) * a.cos(), fy + (NODE_R + 9.0) * a.sin())
    } else {
        // Leave the node's disc, land on the other one.
        let len = ((tx - fx).powi(2) + (ty - fy).powi(2)).sqrt().max(1.0);
        let (ux, uy) = ((tx - fx) / len, (ty - fy) / len);
        let span = (len - 2.0 * NODE_R).max(0.0);
        let d = NODE_R + span * progress(m, now_ms);
        (fx + ux * d, fy + uy * d)
    };
    let mut class = format!("msg msg-{}", m.kind.to_lowercase());
    if m.msg.lost || m.msg.cut {
        class.push_str(" msg-doomed");
    }
    html! {
        <circle key={m.msg.msg_id} class={class} cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="6">
            <title>{ format!("#{} {} → {}: {}", m.msg.msg_id, m.msg.from, m.msg.to, m.text) }</title>
        </circle>
    }
}

fn node_disc(v: &NodeView, n: usize, lang: Lang) -> Html {
    let (x, y) = position(v.id.0, n);
    let t = texts(lang);
    let state = if v.up { v.state.clone() } else { t.crashed.to_string() };
    let leader = v.up && is_leading(v);
    let class = classes!("node", state_class(v), leader.then_some("leader"));
    html! {
        <g class={class} role="img" aria-label={format!("{} {}: {}", t.node, v.id, state)}>
            <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r={NODE_R.to_string()} />
            <text class="node-id" x={format!("{x:.1}")} y={format!("{:.1}", y + 2.0)}>{ v.id.0 }</text>
            <text class="node-state" x={format!("{x:.1}")} y={format!("{:.1}", y + 15.0)}>{ short_state(&state) }</text>
            if leader {
                <text class="crown" x={format!("{x:.1}")} y={format!("{:.1}", y - NODE_R - 6.0)}>{ "★" }</text>
            }
        </g>
    }
}

fn short_state(state: &str) -> String {
    state.chars().take(9).collect()
}

/// The four Paxos messages, then any other kind on the wire now.
fn legend_kinds(in_flight: &[Message]) -> Vec<String> {
    let mut kinds: Vec<String> = ["Prepare", "Promise", "Accept", "Accepted"].map(String::from).to_vec();
    for m in in_flight {
        if !kinds.contains(&m.kind) {
            kinds.push(m.kind.clone());
        }
    }
    kinds
}

#[function_component]
pub fn Cluster(props: &ClusterProps) -> Html {
    let n = props.views.len();
    let t = texts(props.lang);
    let edges = props.views.iter().flat_map(|a| {
        props.views.iter().filter(move |b| b.id > a.id).map(move |b| {
            let ((x1, y1), (x2, y2)) = (position(a.id.0, n), position(b.id.0, n));
            html! { <line class="edge" x1={format!("{x1:.1}")} y1={format!("{y1:.1}")} x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} /> }
        })
    });
    html! {
        <section class="panel cluster" aria-label={t.cluster}>
            <svg viewBox={format!("0 0 {SIZE} {SIZE}")} role="group" aria-label={t.cluster}>
                <g class="edges">{ for edges }</g>
                <g class="nodes">{ for props.views.iter().map(|v| node_disc(v, n, props.lang)) }</g>
                <g class="messages">
                    { for props.in_flight.iter().enumerate().map(|(i, m)| message_dot(m, n, props.now_ms, i)) }
                </g>
            </svg>
            <ul class="legend" aria-hidden="true">
                { for legend_kinds(&props.in_flight).into_iter().map(|k| html! {
                    <li><span class={classes!("swatch", "msg", format!("msg-{}", k.to_lowercase()))}></span>{ k }</li>
                }) }
                <li><span class="swatch msg msg-doomed"></span>{ format!("{} / {}", t.lost, t.cut) }</li>
            </ul>
        </section>
    }
}
