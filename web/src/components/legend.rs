//! Under the cluster: the partition's groups in words, and the message colours.

use crate::i18n::texts;
use crate::model::Message;
use ensemble_core::explain::Lang;
use ensemble_core::protocol::{lookup, MessageKind};
use ensemble_core::scenarios::Protocol;
use ensemble_core::types::NodeId;
use yew::prelude::*;

/// `A`, `B`, ... for group 0, 1, ...
pub fn group_letter(g: usize) -> char {
    char::from(b'A' + (g % 26) as u8)
}

fn swatch(kind: &str) -> Html {
    html! { <span class={classes!("swatch", "msg", format!("msg-{}", kind.to_lowercase()))}></span> }
}

/// One colour's kinds, each with the letters drawn on it: `1a Prepare`.
fn item(kinds: &[(&str, &str)]) -> Html {
    let labels = kinds.iter().map(|(name, glyph)| format!("{glyph} {name}").trim().to_string());
    html! { <li>{ swatch(kinds[0].0) }{ labels.collect::<Vec<_>>().join(" / ") }</li> }
}

type Kinds = Vec<(&'static str, &'static str)>;

/// The protocol's message kinds by phase (from the core's registry), each phase's
/// kinds (name, glyph) by colour: `[(phase, [[kinds of one colour]])]`.
fn phases(kinds: &[&MessageKind], lang: Lang) -> Vec<(&'static str, Vec<Kinds>)> {
    let mut out: Vec<(&str, Vec<Kinds>)> = Vec::new();
    for k in kinds {
        let phase = if lang == Lang::Zh { k.group.1 } else { k.group.0 };
        if out.last().is_none_or(|(p, _)| *p != phase) {
            out.push((phase, Vec::new()));
        }
        let colours = &mut out.last_mut().expect("pushed").1;
        match colours.iter_mut().find(|c| kinds.iter().any(|o| o.name == c[0].0 && o.colour == k.colour)) {
            Some(c) => c.push((k.name, k.glyph)),
            None => colours.push(vec![(k.name, k.glyph)]),
        }
    }
    out
}

fn phase_item(name: &str, colours: &[Kinds]) -> Html {
    html! {
        <li class="legend-group">
            <span class="group-name">{ name }</span>
            <ul>{ for colours.iter().map(|k| item(k)) }</ul>
        </li>
    }
}

#[derive(PartialEq, Properties)]
pub struct LegendProps {
    pub lang: Lang,
    pub in_flight: Vec<Message>,
    pub protocol: Protocol,
    /// Whether the ensemble has observers (kinds only they use are left out otherwise).
    pub observers: bool,
}

/// The message colours of the protocol, by phase, then any other type on the wire now.
#[function_component]
pub fn Legend(props: &LegendProps) -> Html {
    let t = texts(props.lang);
    let kinds = lookup(props.protocol).legend(props.observers);
    let mut others: Vec<&str> = Vec::new();
    for m in &props.in_flight {
        if !kinds.iter().any(|k| k.name == m.kind) && !others.contains(&m.kind.as_str()) {
            others.push(&m.kind);
        }
    }
    html! {
        <ul class={classes!("legend", "legend-groups")} aria-hidden="true">
            { for phases(&kinds, props.lang).iter().map(|(name, colours)| phase_item(name, colours)) }
            { for others.iter().map(|k| item(&[(k, "")])) }
            <li>{ swatch("doomed") }{ format!("{} / {}", t.lost, t.cut) }</li>
        </ul>
    }
}

#[derive(PartialEq, Properties)]
pub struct PartitionProps {
    pub lang: Lang,
    pub groups: Vec<Vec<NodeId>>,
}

/// "Partition: A {1, 2} | B {3}", while a partition holds.
#[function_component]
pub fn PartitionText(props: &PartitionProps) -> Html {
    if props.groups.is_empty() {
        return html! {};
    }
    let z = texts(props.lang);
    let groups = props.groups.iter().enumerate().map(|(i, g)| {
        let ids = g.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ");
        html! { <li data-testid={format!("partition-group-{}", group_letter(i))}>
            <strong>{ format!("{} {}", z.group, group_letter(i)) }</strong>{ format!(" {{{ids}}}") }
        </li> }
    });
    html! {
        <div id="partition" data-testid="partition" class="partition" role="status">
            <span class="label">{ format!("{}:", z.partition) }</span>
            <ul>{ for groups }</ul>
        </div>
    }
}
