//! The cluster as an SVG circle: nodes coloured by state, messages as dots on the
//! wire at the fraction of their trip that virtual time has covered.

use crate::components::legend::{group_letter, Legend, PartitionText};
use crate::components::node_card::state_class;
use crate::i18n::texts;
use crate::model::Message;
use crate::state::Action;
use ensemble_core::explain::Lang;
use ensemble_core::scenarios::Protocol;
use ensemble_core::types::NodeId;
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
    /// The partition's groups (`Snapshot::partition`); empty when the network is whole.
    pub partition: Vec<Vec<NodeId>>,
    pub protocol: Protocol,
    /// Nodes whose step broke an invariant (so far), drawn with a red ring.
    #[prop_or_default]
    pub violating: Vec<NodeId>,
    /// The selected node (keys `c` and `r` act on it), ringed.
    #[prop_or_default]
    pub selected: Option<NodeId>,
    /// The message whose details show, ringed.
    #[prop_or_default]
    pub message: Option<u64>,
    /// Where a click on a node (select) or a message (details) goes; none in live mode.
    #[prop_or_default]
    pub on_action: Option<Callback<Action>>,
}

/// How a disc is drawn besides its state.
#[derive(Clone, Copy, Default)]
struct Marks {
    group: Option<usize>,
    violating: bool,
    selected: bool,
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

fn message_dot(m: &Message, n: usize, now_ms: u64, index: usize, shown: bool, on: Option<&Callback<Action>>) -> Html {
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
    // A tap shows its details (a hover title alone is lost on a touch screen).
    let id = m.msg.msg_id;
    let onclick = on.map(|on| on.reform(move |_: MouseEvent| Action::ShowMessage((!shown).then_some(id))));
    // Moved as a group (CSS transform, which can glide), the dot and its letters.
    html! {
        <g key={m.msg.msg_id} class={classes!("msg-dot", shown.then_some("shown"))} data-testid={format!("dot-{id}")}
            style={format!("transform: translate({x:.1}px, {y:.1}px)")} {onclick}>
            <circle class={class} r="8">
                <title>{ format!("#{} {} → {}: {}", m.msg.msg_id, m.msg.from, m.msg.to, m.text) }</title>
            </circle>
            <text class="msg-glyph" aria-hidden="true">{ m.glyph }</text>
        </g>
    }
}

fn node_disc(v: &NodeView, n: usize, lang: Lang, marks: Marks, on: Option<&Callback<Action>>) -> Html {
    let Marks { group, violating, selected } = marks;
    let (x, y) = position(v.id.0, n);
    let t = texts(lang);
    let state = if v.up { v.state.name() } else { t.crashed };
    let leader = v.up && v.is_leader;
    let observer = !v.voter;
    let class = classes!(
        "node",
        state_class(v),
        leader.then_some("leader"),
        observer.then_some("observer"),
        violating.then_some("violating"),
        selected.then_some("selected")
    );
    let id = v.id;
    let onclick = on.map(|on| on.reform(move |_: MouseEvent| Action::Select((!selected).then_some(id))));
    let (cx, cy) = (format!("{x:.1}"), format!("{y:.1}"));
    let label = short_state(state);
    // Below the disc: the protocol's caption (a ZAB server's epoch and last zxid); beside
    // it, its partition group.
    let below = v.caption.clone();
    let role = v.roles.iter().map(|r| r.get(lang)).collect::<Vec<_>>().join(", ");
    html! {
        <g class={class} role="img" data-testid={format!("disc-{id}")} {onclick}
            aria-label={format!("{} {}: {} ({role}){}", t.node, v.id, state, if selected { format!(", {}", t.selected) } else { String::new() })}>
            if observer {
                <circle class="observer-ring" cx={cx.clone()} cy={cy.clone()} r={(NODE_R + 5.0).to_string()} />
            }
            <circle cx={cx.clone()} cy={cy.clone()} r={NODE_R.to_string()} />
            <text class="node-id" x={cx.clone()} y={format!("{:.1}", y + 2.0)}>{ v.id.0 }</text>
            // A long name (FOLLOWING) is squeezed to fit inside the disc.
            <text class="node-state" x={cx.clone()} y={format!("{:.1}", y + 15.0)}
                textLength={(label.chars().count() >= 8).then(|| format!("{:.0}", 2.0 * NODE_R - 8.0))}
                lengthAdjust="spacingAndGlyphs">{ label }</text>
            if leader {
                <text class="crown" x={cx.clone()} y={format!("{:.1}", y - NODE_R - 6.0)}>{ "★" }</text>
            }
            if let Some(text) = below {
                <text class="node-below" x={cx.clone()} y={format!("{:.1}", y + NODE_R + 17.0)}>{ text }</text>
            }
            if let Some(g) = group {
                <text class="node-group" x={format!("{:.1}", x + NODE_R + 4.0)} y={format!("{:.1}", y - NODE_R + 6.0)}>
                    { group_letter(g) }
                </text>
            }
        </g>
    }
}

fn short_state(state: &str) -> String {
    state.chars().take(9).collect()
}

fn group_of(partition: &[Vec<NodeId>], id: NodeId) -> Option<usize> {
    partition.iter().position(|g| g.contains(&id))
}

/// A link between two nodes; dashed and red when the partition cuts it.
fn edge(a: &NodeView, b: &NodeView, n: usize, partition: &[Vec<NodeId>]) -> Html {
    let ((x1, y1), (x2, y2)) = (position(a.id.0, n), position(b.id.0, n));
    let cut = group_of(partition, a.id) != group_of(partition, b.id);
    html! {
        <line class={classes!("edge", cut.then_some("cut"))} x1={format!("{x1:.1}")} y1={format!("{y1:.1}")}
            x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} />
    }
}

#[function_component]
pub fn Cluster(props: &ClusterProps) -> Html {
    let n = props.views.len();
    let t = texts(props.lang);
    let part = &props.partition;
    let edges = props
        .views
        .iter()
        .flat_map(|a| props.views.iter().filter(move |b| b.id > a.id).map(move |b| edge(a, b, n, part)));
    let on = props.on_action.as_ref();
    let discs = props.views.iter().map(|v| {
        let marks = Marks {
            group: group_of(part, v.id),
            violating: props.violating.contains(&v.id),
            selected: props.selected == Some(v.id),
        };
        node_disc(v, n, props.lang, marks, on)
    });
    html! {
        <section class="panel cluster" aria-labelledby="cluster-title">
            <h2 id="cluster-title" class="visually-hidden">{ t.cluster }</h2>
            <svg viewBox={format!("0 0 {SIZE} {SIZE}")} role="group" aria-label={t.cluster}>
                <g class="edges">{ for edges }</g>
                <g class="nodes">{ for discs }</g>
                <g class="messages">
                    { for props.in_flight.iter().enumerate().map(|(i, m)| {
                        message_dot(m, n, props.now_ms, i, props.message == Some(m.msg.msg_id), on)
                    }) }
                </g>
            </svg>
            <PartitionText lang={props.lang} groups={props.partition.clone()} />
            <Legend lang={props.lang} in_flight={props.in_flight.clone()} protocol={props.protocol}
                observers={props.views.iter().any(|v| !v.voter)} />
        </section>
    }
}
