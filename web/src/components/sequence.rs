//! The sequence (space-time) diagram: one lane per node, virtual time to the right, each
//! message so far an arrow from its sender when it was sent to its receiver when it
//! arrived (dashed while still on the wire, a cross where it was dropped), and a line at
//! now. An arrow is a button: it seeks to the step its message was sent at. The core
//! lists the messages (`ensemble_core::sim::sequence`); `sequence_layout` places them.

use super::event_log::beats_switch;
use super::sequence_layout::{arrow_path, cross_path, ends, lane_y, Scale, AXIS_PX, BOTTOM_PX, LANE_PX};
use crate::i18n::{texts, Texts};
use crate::state::Action;
use ensemble_core::explain::Lang;
use ensemble_core::protocol::lookup;
use ensemble_core::scenarios::Protocol;
use ensemble_core::sim::{Arrow, End, Sequence};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct SequenceProps {
    pub lang: Lang,
    pub protocol: Protocol,
    pub sequence: Rc<Sequence>,
    /// Whether heartbeats are hidden, and the switch (the same as the log's).
    pub hide_beats: (bool, Callback<bool>),
    pub on_action: Callback<Action>,
}

/// `before N after`: a step in the words of `t`.
fn at_step(words: (&str, &str), step: u64, time_ms: u64) -> String {
    format!("{}{step}{} ({time_ms} ms)", words.0, words.1)
}

/// What an arrow says, for its tooltip and for screen readers.
fn describe(a: &Arrow, glyph: &str, t: &Texts) -> String {
    let end = match a.end {
        End::Delivered { at } => at_step(t.seq_delivered, at.step, at.time_ms),
        End::Dropped { at, reason } => format!("{} ({reason:?})", at_step(t.seq_dropped, at.step, at.time_ms)),
        End::InFlight { .. } => t.seq_flying.to_string(),
    };
    let copy = a.copy_of.map_or(String::new(), |of| format!(" ({} #{of})", t.duplicate));
    let route = format!("{} {} → {} {}", t.node, a.from.0, t.node, a.to.0);
    let sent = at_step(t.seq_sent, a.sent.step, a.sent.time_ms);
    format!("#{} {glyph} {}{copy}, {route}: {sent}; {end}", a.msg_id, a.text).replace("  ", " ")
}

/// ↑ and ↓ walk the arrows (they sit side by side in one group), Home and End go to the
/// first and last; Enter seeks. ← → and Space stay the player's (`hooks::use_shortcuts`).
fn on_key(step: u64, on: &Callback<Action>) -> Callback<KeyboardEvent> {
    let on = on.clone();
    Callback::from(move |e: KeyboardEvent| {
        let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
        let next = match e.key().as_str() {
            "Enter" => {
                e.prevent_default();
                return on.emit(Action::Seek(step));
            }
            "ArrowUp" => el.previous_element_sibling(),
            "ArrowDown" => el.next_element_sibling(),
            "Home" => el.parent_element().and_then(|p| p.first_element_child()),
            "End" => el.parent_element().and_then(|p| p.last_element_child()),
            _ => return,
        };
        e.prevent_default();
        if let Some(next) = next.and_then(|n| n.dyn_into::<web_sys::SvgElement>().ok()) {
            let _ = next.focus();
        }
    })
}

/// One message: its outline in its kind's colour, its letters, and a wider invisible
/// line that takes the clicks. The newest is in the tab order (the others by ↑ ↓).
fn arrow(seq: &Sequence, scale: &Scale, a: &Arrow, t: &Texts, protocol: Protocol, on: &Callback<Action>) -> Html {
    let kind = lookup(protocol).messages().iter().find(|k| k.name == a.kind);
    let colour = kind.map_or_else(|| a.kind.to_lowercase(), |k| k.colour.to_string());
    let glyph = kind.map_or("", |k| k.glyph);
    let (from, to) = ends(a, &seq.nodes, seq.now_ms, scale);
    let (fate, end_step) = match a.end {
        End::Delivered { at } => ("delivered", Some(at.step)),
        End::Dropped { at, .. } => ("dropped", Some(at.step)),
        End::InFlight { .. } => ("in-flight", None),
    };
    let shape = if a.from == a.to {
        // To itself, at once: a dot on its lane.
        html! { <circle class={format!("msg-{colour}")} cx={format!("{:.1}", from.0)} cy={format!("{:.1}", from.1)} r="4" /> }
    } else {
        let d = arrow_path(from, to, fate == "in-flight", fate == "delivered");
        html! { <path class={format!("seq-shape msg-{colour}")} {d} /> }
    };
    let label = describe(a, glyph, t);
    let step = a.sent.step;
    let newest = seq.arrows.last().is_some_and(|l| l.msg_id == a.msg_id);
    let mid = ((from.0 + to.0) / 2.0, (from.1 + to.1) / 2.0);
    html! {
        <g key={a.msg_id} class={classes!("seq-arrow", fate)} role="button" tabindex={if newest { "0" } else { "-1" }}
            aria-label={label.clone()} data-testid="seq-arrow" data-msg-id={a.msg_id.to_string()} data-kind={a.kind.to_string()}
            data-from={a.from.0.to_string()} data-to={a.to.0.to_string()} data-send-step={step.to_string()}
            data-send-ms={a.sent.time_ms.to_string()} data-end-step={end_step.map(|s| s.to_string())} data-fate={fate}
            onclick={on.reform(move |_: MouseEvent| Action::Seek(step))} onkeydown={on_key(step, on)}>
            <title>{ label }</title>
            <line class="seq-hit" x1={format!("{:.1}", from.0)} y1={format!("{:.1}", from.1)}
                x2={format!("{:.1}", to.0)} y2={format!("{:.1}", to.1)} />
            { shape }
            if fate == "dropped" { <path class="seq-cross" d={cross_path(to)} /> }
            if a.from != a.to {
                <text class="msg-glyph" x={format!("{:.1}", mid.0)} y={format!("{:.1}", mid.1)}>{ glyph }</text>
            }
        </g>
    }
}

/// The lanes, the spans each node was down, the shortened stretches and the line at now.
fn backdrop(seq: &Sequence, scale: &Scale, t: &Texts, width: f64) -> Html {
    let bottom = AXIS_PX + LANE_PX * seq.nodes.len() as f64;
    let lanes = seq.nodes.iter().map(|n| {
        let y = format!("{:.1}", lane_y(&seq.nodes, *n));
        html! { <line class="seq-lane" x1="0" x2={format!("{width:.0}")} y1={y.clone()} y2={y} /> }
    });
    let downs = seq.down.iter().map(|d| {
        let (x0, x1) = (scale.x(d.from_ms), scale.x(d.until_ms.unwrap_or(seq.now_ms)));
        let y = lane_y(&seq.nodes, d.node) - LANE_PX / 4.0;
        html! {
            <rect class="seq-down" data-testid="seq-down" data-node={d.node.0.to_string()} x={format!("{x0:.1}")} y={format!("{y:.1}")}
                width={format!("{:.1}", (x1 - x0).max(2.0))} height={format!("{:.1}", LANE_PX / 2.0)}>
                <title>{ format!("{} {}: {}", t.node, d.node.0, t.crashed) }</title>
            </rect>
        }
    });
    let breaks = scale.breaks.iter().map(|(x, ms)| {
        html! {
            <g class="seq-break">
                <line x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1={format!("{AXIS_PX:.0}")} y2={format!("{bottom:.0}")} />
                <text x={format!("{x:.1}")} y={format!("{:.0}", bottom + BOTTOM_PX - 3.0)}>{ format!("≈{ms} ms") }</text>
            </g>
        }
    });
    let x = scale.x(seq.now_ms);
    let now_x = format!("{x:.1}");
    // Its label ends at the line, unless that would cut it off on the left.
    let anchor = if x > 80.0 { "end" } else { "start" };
    html! {
        <>
            { for lanes }{ for downs }{ for breaks }
            <line class="seq-now" data-testid="seq-now" x1={now_x.clone()} x2={now_x.clone()} y1="4" y2={format!("{bottom:.0}")} />
            <text class="seq-now-label" x={now_x} y="12" text-anchor={anchor}>{ format!("{} · {} ms", t.sequence_now, seq.now_ms) }</text>
        </>
    }
}

#[function_component]
pub fn SequenceDiagram(props: &SequenceProps) -> Html {
    let (t, seq) = (texts(props.lang), props.sequence.as_ref());
    // The newest messages are on the right: keep them in view as the diagram grows.
    let scroller = use_node_ref();
    use_effect_with((scroller.clone(), seq.step, seq.arrows.len()), |(scroller, _, _)| {
        if let Some(el) = scroller.cast::<web_sys::Element>() {
            el.set_scroll_left(el.scroll_width());
        }
    });
    let scale = Scale::of(seq);
    let (width, height) = (scale.width(), AXIS_PX + LANE_PX * seq.nodes.len() as f64 + BOTTOM_PX);
    let arrows = seq.arrows.iter().map(|a| arrow(seq, &scale, a, t, props.protocol, &props.on_action));
    let down_now = |n| seq.down.iter().any(|d| d.node == n && d.until_ms.is_none());
    html! {
        <section class="panel sequence" aria-labelledby="sequence-title" data-testid="sequence">
            <h2 id="sequence-title">{ t.sequence }</h2>
            <p class="hint">{ t.sequence_hint }</p>
            <div class="log-tools">{ beats_switch(props.lang, &props.hide_beats, "seq-hide-heartbeats") }</div>
            if seq.earlier > 0 {
                <p class="muted" data-testid="seq-earlier">{ format!("+{} {}", seq.earlier, t.sequence_earlier) }</p>
            }
            if seq.arrows.is_empty() { <p class="muted">{ t.sequence_empty }</p> }
            <div class="seq-body">
                <ul class="seq-labels" aria-hidden="true" style={format!("padding-top: {AXIS_PX}px")}>
                    { for seq.nodes.iter().map(|n| html! {
                        <li class={classes!(down_now(*n).then_some("down"))} style={format!("height: {LANE_PX}px")}>{ format!("{} {}", t.node, n.0) }</li>
                    }) }
                </ul>
                <div class="seq-scroll" ref={scroller}>
                    <svg width={format!("{width:.0}")} height={format!("{height:.0}")} role="group" aria-labelledby="sequence-title">
                        { backdrop(seq, &scale, t, width) }
                        <g class="seq-arrows">{ for arrows }</g>
                    </svg>
                </div>
            </div>
        </section>
    }
}
