//! ZAB's own panels below the node cards: the chosen server's Fast Leader Election vote
//! table and its znode tree, with what differs from the other servers. The core makes
//! the typed views (`ensemble_core::zab::panels`); these functions only draw them.

use super::i18n::{panel_texts, zab_texts};
use super::tree_panel::TreePanel;
use crate::i18n::texts;
use crate::state::{Action, AppState};
use ensemble_core::explain::Lang;
use ensemble_core::types::NodeId;
use ensemble_core::zab::panels::{servers, tree_view, vote_table, Versus, VoteField, VoteRow, VoteTable};
use ensemble_core::zab::{ServerState, VoteView};
use yew::prelude::*;

/// Both panels for the selected server (the leader, or server 1, while none is).
pub fn panels(state: &AppState, lang: Lang, on_action: Callback<Action>) -> Html {
    let tl = state.timeline();
    let Some(all) = servers(tl.sim()) else { return Html::default() };
    let leader = all.iter().find(|n| n.state == ServerState::Leading).map(|n| n.id);
    let shown = state.selected.or(leader).unwrap_or(NodeId(1));
    let Some(node) = all.iter().find(|n| n.id == shown) else { return Html::default() };
    let (table, tree) = (vote_table(node), tree_view(&all, shown));
    html! {
        <div class="zab-panels">
            <ServerTabs lang={lang} count={all.len() as u32} shown={shown} on_action={on_action} />
            <VotePanel lang={lang} table={table} />
            if let Some(tree) = tree { <TreePanel lang={lang} tree={tree} /> }
        </div>
    }
}

#[derive(PartialEq, Properties)]
struct TabsProps {
    lang: Lang,
    count: u32,
    shown: NodeId,
    on_action: Callback<Action>,
}

/// Which server the panels show: the same selection as a click on its disc or its digit.
#[function_component]
fn ServerTabs(props: &TabsProps) -> Html {
    let (t, p) = (texts(props.lang), panel_texts(props.lang));
    let tab = |i: u32| {
        let onclick = props.on_action.reform(move |_: MouseEvent| Action::Select(Some(NodeId(i))));
        let on = props.shown == NodeId(i);
        html! {
            <button type="button" class={classes!("server-tab", on.then_some("on"))} aria-pressed={on.to_string()}
                data-testid={format!("inspect-{i}")} {onclick}>{ format!("{} {i}", t.node) }</button>
        }
    };
    html! {
        <div class="server-tabs" role="group" aria-label={p.inspect}>
            <span class="label">{ p.inspect }{ ":" }</span>{ for (1..=props.count).map(tab) }
        </div>
    }
}

/// `(epoch 0, zxid 0x0, server 3)`: a vote in the order it is compared, as the
/// narration writes it.
pub fn tuple(v: &VoteView, lang: Lang) -> String {
    match lang {
        Lang::En => format!("(epoch {}, zxid {}, server {})", v.peer_epoch, v.zxid, v.leader),
        Lang::Zh => format!("（纪元 {}，zxid {}，服务器 {}）", v.peer_epoch, v.zxid, v.leader),
    }
}

/// "higher epoch ▲", "lower zxid ▼", "same =": which field tells a received vote from
/// the held one, and which way; arrows double the words, never replace them.
pub fn versus_text(v: Versus, lang: Lang) -> String {
    let field = match v.field {
        VoteField::Epoch if lang == Lang::Zh => "纪元",
        VoteField::Epoch => "epoch",
        VoteField::Zxid => "zxid",
        VoteField::Id => "id",
        VoteField::Same => return if lang == Lang::Zh { "相同 =" } else { "same =" }.to_string(),
    };
    match (lang, v.higher) {
        (Lang::En, true) => format!("higher {field} ▲"),
        (Lang::En, false) => format!("lower {field} ▼"),
        (Lang::Zh, true) => format!("{field}更高 ▲"),
        (Lang::Zh, false) => format!("{field}更低 ▼"),
    }
}

#[derive(PartialEq, Properties)]
struct VoteProps {
    lang: Lang,
    table: VoteTable,
}

#[function_component]
fn VotePanel(props: &VoteProps) -> Html {
    let (lang, p) = (props.lang, panel_texts(props.lang));
    let VoteTable { node, state, round, own, agreeing, quorum, .. } = &props.table;
    let held = own.as_ref().map(|v| tuple(v, lang)).unwrap_or_else(|| p.no_vote.to_string());
    html! {
        <section class="panel zab-votes" aria-labelledby="votes-title" data-testid="vote-table">
            <h2 id="votes-title">{ format!("{} {node}", p.votes_of) }</h2>
            <p class="vote-held">
                { format!("{} {round} · {} · ", p.round, state.name()) }
                { p.holds }{ " " }<code data-testid="held-vote">{ held }</code>
                { format!(" · {agreeing} {} {quorum}", p.agree) }
            </p>
            <p class="hint">{ p.order_hint }</p>
            if props.table.rows.is_empty() {
                <p class="empty">{ p.none_received }</p>
            } else {
                <div class="table-scroll">
                    <table class="votes">
                        <thead><tr>
                            <th scope="col">{ p.from }</th><th scope="col">{ zab_texts(lang).epoch }</th>
                            <th scope="col">{ "zxid" }</th><th scope="col">{ p.server_id }</th>
                            <th scope="col">{ p.versus }</th>
                        </tr></thead>
                        <tbody>{ for props.table.rows.iter().map(|r| vote_row(r, *node, lang)) }</tbody>
                    </table>
                </div>
            }
        </section>
    }
}

/// One received vote: its sender (and what kind of vote it is), the tuple, the verdict.
fn vote_row(r: &VoteRow, me: NodeId, lang: Lang) -> Html {
    let (t, p) = (texts(lang), panel_texts(lang));
    let mut notes = Vec::new();
    if r.from == me {
        notes.push(p.own);
    }
    if r.out_of_election {
        notes.push(p.out_of_election);
    }
    if r.leading {
        notes.push(p.leading);
    }
    let who = format!("{} {}", t.node, r.from);
    let who = if notes.is_empty() { who } else { format!("{who} ({})", notes.join(", ")) };
    let held = r.versus.is_some_and(|v| v.field == VoteField::Same);
    let beats = r.versus.is_some_and(|v| v.higher);
    let verdict = r.versus.map(|v| versus_text(v, lang)).unwrap_or_default();
    let kind = if r.out_of_election { "decided" } else { "round" };
    html! {
        <tr class={classes!("vote-row", held.then_some("held"), beats.then_some("beats"))}
            data-testid={format!("vote-row-{}", r.from)} data-kind={kind} data-tuple={tuple(&r.vote, Lang::En)}>
            <th scope="row">{ who }</th>
            <td>{ r.vote.peer_epoch.to_string() }</td>
            <td><code>{ r.vote.zxid.to_string() }</code></td>
            <td>{ r.vote.leader.to_string() }</td>
            <td class="verdict">{ verdict }</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_names_the_deciding_field_and_its_direction_in_either_language() {
        let v = |field, higher| Versus { field, higher };
        assert_eq!(versus_text(v(VoteField::Epoch, true), Lang::En), "higher epoch ▲");
        assert_eq!(versus_text(v(VoteField::Zxid, false), Lang::En), "lower zxid ▼");
        assert_eq!(versus_text(v(VoteField::Id, false), Lang::Zh), "id更低 ▼");
        assert_eq!(versus_text(v(VoteField::Epoch, true), Lang::Zh), "纪元更高 ▲");
        assert_eq!(versus_text(v(VoteField::Same, false), Lang::Zh), "相同 =");
    }
}
