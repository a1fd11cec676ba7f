//! Under the cluster: the partition's groups in words, and the message colours.

use crate::i18n::texts;
use crate::i18n_zab::zab_texts;
use crate::model::Message;
use ensemble_core::explain::Lang;
use ensemble_core::types::NodeId;
use yew::prelude::*;

/// The Basic and Multi-Paxos messages always listed.
const PAXOS_KINDS: [&str; 4] = ["Prepare", "Promise", "Accept", "Accepted"];

/// ZAB message types by phase; the types of one inner list share a colour.
const ZAB_ELECTION: &[&[&str]] = &[&["NOTIFICATION"]];
const ZAB_DISCOVERY_SYNC: &[&[&str]] =
    &[&["FOLLOWERINFO", "LEADERINFO", "ACKEPOCH"], &["DIFF", "TRUNC", "SNAP", "NEWLEADER", "UPTODATE"]];
const ZAB_BROADCAST: &[&[&str]] = &[&["PROPOSAL"], &["ACK"], &["COMMIT"], &["PING"]];

/// `A`, `B`, ... for group 0, 1, ...
pub fn group_letter(g: usize) -> char {
    char::from(b'A' + (g % 26) as u8)
}

fn swatch(kind: &str) -> Html {
    html! { <span class={classes!("swatch", "msg", format!("msg-{}", kind.to_lowercase()))}></span> }
}

fn item(kinds: &[&str]) -> Html {
    html! { <li>{ swatch(kinds[0]) }{ kinds.join(" / ") }</li> }
}

fn zab_group(name: String, colours: &[&[&str]]) -> Html {
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
    pub is_zab: bool,
}

/// The message colours of the protocol, then any other type on the wire now.
#[function_component]
pub fn Legend(props: &LegendProps) -> Html {
    let t = texts(props.lang);
    let z = zab_texts(props.lang);
    let known: Vec<&str> = if props.is_zab {
        [ZAB_ELECTION, ZAB_DISCOVERY_SYNC, ZAB_BROADCAST].concat().concat()
    } else {
        PAXOS_KINDS.to_vec()
    };
    let mut others: Vec<&str> = Vec::new();
    for m in &props.in_flight {
        if !known.contains(&m.kind.as_str()) && !others.contains(&m.kind.as_str()) {
            others.push(&m.kind);
        }
    }
    html! {
        <ul class={classes!("legend", props.is_zab.then_some("legend-zab"))} aria-hidden="true">
            if props.is_zab {
                { zab_group(z.election.to_string(), ZAB_ELECTION) }
                { zab_group(format!("{} / {}", z.discovery, z.sync), ZAB_DISCOVERY_SYNC) }
                { zab_group(z.broadcast.to_string(), ZAB_BROADCAST) }
            } else {
                { for PAXOS_KINDS.iter().map(|k| item(&[k])) }
            }
            { for others.iter().map(|k| item(&[k])) }
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
    let z = zab_texts(props.lang);
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
