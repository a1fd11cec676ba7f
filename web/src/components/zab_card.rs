//! A ZAB server's part of its node card: phase strip, vote, epochs, zxids, log, tree.

use crate::i18n::{role, texts};
use crate::i18n_zab::{gloss, zab_texts};
use ensemble_core::explain::Lang;
use ensemble_core::types::{NodeId, Zxid};
use ensemble_core::view::{NodeView, ZabView};
use yew::prelude::*;

/// ZooKeeper's phases, in the order a server goes through them.
const PHASES: [&str; 4] = ["ELECTION", "DISCOVERY", "SYNCHRONIZATION", "BROADCAST"];

/// Log entries shown (the newest); the view holds up to 20.
const LOG_SHOWN: usize = 8;

/// Four segments, the current one filled, the earlier ones ticked; then its name.
fn phase_strip(id: NodeId, phase: &str, lang: Lang) -> Html {
    let current = PHASES.iter().position(|p| *p == phase);
    let segments = PHASES.iter().enumerate().map(|(i, p)| {
        let class = match current {
            Some(c) if i < c => "seg done",
            Some(c) if i == c => "seg current",
            _ => "seg",
        };
        html! { <span class={class} title={format!("{p}: {}", gloss(lang, p))}></span> }
    });
    html! {
        <div class="phase-strip" data-testid={format!("node-{id}-phase")}
            aria-label={format!("{}: {phase}", zab_texts(lang).phase)}>
            <span class="segs" aria-hidden="true">{ for segments }</span>
            <span class="phase-name" title={gloss(lang, phase)}>{ phase }</span>
        </div>
    }
}

/// The vote under election: its round, then `(leader, zxid, epoch)` on a row of its own.
fn vote_rows(id: NodeId, z: &ZabView, lang: Lang) -> Html {
    let zt = zab_texts(lang);
    let tuple = z.vote.map(|v| format!("({}, {}, {})", v.leader, v.zxid, v.peer_epoch)).unwrap_or_else(|| "–".into());
    html! {
        <>
            <dt>{ zt.vote }</dt><dd class="prose">{ format!("{} {}", zt.round, z.round) }</dd>
            <dd class="wide"><code data-testid={format!("node-{id}-vote")} title={zt.vote_tuple}>{ tuple }</code></dd>
        </>
    }
}

fn log_table(z: &ZabView, lang: Lang) -> Html {
    let t = texts(lang);
    let zt = zab_texts(lang);
    let skip = z.log.len().saturating_sub(LOG_SHOWN);
    let rows = z.log.iter().skip(skip).rev().map(|(zxid, delivered, op)| {
        html! {
            <tr class={classes!(delivered.then_some("is-chosen"))}>
                <th scope="row"><code>{ zxid.to_string() }</code></th>
                <td>if *delivered { <strong title={zt.committed}>{ "✓" }</strong> } else { { "…" } }</td>
                <td>{ op }</td>
            </tr>
        }
    });
    html! {
        <details class="node-log" open={!z.log.is_empty()}>
            <summary>{ format!("{} ({})", t.log, z.log.len()) }</summary>
            if z.log.is_empty() {
                <p class="muted">{ t.empty_log }</p>
            } else {
                <table>
                    <thead><tr><th>{ "zxid" }</th><th>{ "✓" }</th><th>{ zt.op }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
                if skip > 0 { <p class="muted">{ format!("+{skip} ≤ {}", z.log[skip - 1].0) }</p> }
            }
        </details>
    }
}

/// A zxid in hex; `mark` (a tooltip) adds the "committed" tick.
fn zxid_dd(testid: String, zxid: Zxid, mark: Option<&str>) -> Html {
    html! {
        <dd><code data-testid={testid}>{ zxid.to_string() }</code>
            if let Some(m) = mark { <span class="committed-mark" title={m.to_string()} aria-label={m.to_string()}>{ " ✓" }</span> }
        </dd>
    }
}

/// The ZAB facts of `v`'s card.
pub fn zab_facts(v: &NodeView, z: &ZabView, lang: Lang) -> Html {
    let t = texts(lang);
    let zt = zab_texts(lang);
    let id = v.id;
    let roles = v.roles.iter().map(|r| role(lang, r)).collect::<Vec<_>>().join(" · ");
    let electing = z.phase == "ELECTION";
    html! {
        <>
            { phase_strip(id, &z.phase, lang) }
            <dl class="facts">
                <dt>{ zt.role }</dt><dd class="prose" data-testid={format!("node-{id}-role")}>{ roles }</dd>
                if electing || (z.vote.is_some() && v.leader.is_none()) {
                    { vote_rows(id, z, lang) }
                }
                <dt>{ t.leader }</dt><dd data-testid={format!("node-{id}-leader")}>
                    { v.leader.map(|l| l.to_string()).unwrap_or_else(|| "?".into()) }</dd>
                <dt>{ zt.epoch }</dt><dd class="prose">
                    <code data-testid={format!("node-{id}-epoch")} title={zt.current_epoch}>{ z.current_epoch.0 }</code>
                    <span class="aside" title={zt.accepted_epoch}>{ format!(" ({} ", zt.accepted) }
                        <code data-testid={format!("node-{id}-accepted-epoch")}>{ z.accepted_epoch.0 }</code>{ ")" }</span>
                </dd>
                <dt>{ zt.last_zxid }</dt>{ zxid_dd(format!("node-{id}-zxid"), z.last_zxid, None) }
                <dt>{ zt.committed }</dt>{ zxid_dd(format!("node-{id}-delivered"), z.delivered, Some(zt.committed)) }
                <dt>{ zt.znodes }</dt><dd data-testid={format!("node-{id}-znodes")}>{ z.znodes }</dd>
                <dt>{ zt.digest }</dt><dd class="digest" data-testid={format!("node-{id}-digest")} title={z.tree_digest.clone()}>
                    { short_digest(&z.tree_digest) }</dd>
            </dl>
            { log_table(z, lang) }
        </>
    }
}

fn short_digest(d: &str) -> &str {
    d.get(..8).unwrap_or(d)
}
