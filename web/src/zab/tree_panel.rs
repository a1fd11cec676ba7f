//! The znode tree inspector: every znode of one server with its data, `Stat` and
//! watches, and each path whose copy differs on another server marked in words, by a
//! class and by `aria-describedby` (never by colour alone).

use super::i18n::{panel_texts, zab_texts};
use ensemble_core::explain::Lang;
use ensemble_core::tree::{Stat, WatchKind};
use ensemble_core::types::NodeId;
use ensemble_core::zab::panels::{Difference, TreeView, ZnodeFacts, ZnodeRow};
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct TreeProps {
    pub lang: Lang,
    pub tree: TreeView,
}

#[function_component]
pub fn TreePanel(props: &TreeProps) -> Html {
    let (lang, p) = (props.lang, panel_texts(props.lang));
    let TreeView { node, last_zxid, rows } = &props.tree;
    let differing = rows.iter().filter(|r| !r.differs.is_empty()).count();
    html! {
        <section class="panel zab-tree" aria-labelledby="tree-title" data-testid="znode-tree">
            <h2 id="tree-title">{ format!("{} {node}", p.tree_of) }</h2>
            <p class="tree-summary">
                { p.last_applied }{ " " }<code>{ last_zxid.to_string() }</code>
                { format!(" · {} {} · {differing} {}", rows.iter().filter(|r| r.here.is_some()).count(), p.znodes, p.differ) }
            </p>
            <ul class="znodes" tabindex="0" aria-labelledby="tree-title">{ for rows.iter().enumerate().map(|(i, r)| znode(i, r, lang)) }</ul>
            <p class="hint">{ p.local_hint }</p>
        </section>
    }
}

/// What differs on the other servers, grouped by kind: `not on node 1; data differs on
/// node 2`. Empty when every server agrees.
pub fn diff_text(differs: &[(NodeId, Difference)], lang: Lang) -> String {
    const KINDS: [Difference; 4] = [Difference::Missing, Difference::Extra, Difference::Data, Difference::Stat];
    let zh = lang == Lang::Zh;
    let part = |kind: Difference| {
        let ids: Vec<String> = differs.iter().filter(|(_, d)| *d == kind).map(|(n, _)| n.to_string()).collect();
        let ids = ids.join(if zh { "、" } else { ", " });
        (!ids.is_empty()).then(|| match (kind, zh) {
            (Difference::Missing, false) => format!("missing here; node {ids} has it"),
            (Difference::Missing, true) => format!("本服务器没有；节点 {ids} 有"),
            (Difference::Extra, false) => format!("not on node {ids}"),
            (Difference::Extra, true) => format!("节点 {ids} 上没有"),
            (Difference::Data, false) => format!("data differs on node {ids}"),
            (Difference::Data, true) => format!("节点 {ids} 上数据不同"),
            (Difference::Stat, false) => format!("Stat differs on node {ids}"),
            (Difference::Stat, true) => format!("节点 {ids} 上 Stat 不同"),
        })
    };
    KINDS.into_iter().filter_map(part).collect::<Vec<_>>().join(if zh { "；" } else { "; " })
}

/// One path: its marker if it differs, then (if this server has it) its data and Stat.
fn znode(i: usize, r: &ZnodeRow, lang: Lang) -> Html {
    let diff = diff_text(&r.differs, lang);
    let mark_id = format!("znode-diff-{i}");
    let class = match (&r.here, r.differs.is_empty()) {
        (None, _) => "missing",
        (Some(_), false) => "differs",
        (Some(_), true) => "same",
    };
    html! {
        <li class={classes!("znode", class)} data-path={r.path.clone()}
            aria-describedby={(!diff.is_empty()).then(|| mark_id.clone())}>
            <div class="znode-head">
                <code class="path">{ &r.path }</code>
                if !diff.is_empty() {
                    <span class="diff-mark" id={mark_id}><span aria-hidden="true">{ "≠ " }</span>{ diff }</span>
                }
            </div>
            if let Some(z) = &r.here { { facts(z, lang) } }
        </li>
    }
}

/// The data, the Stat fields by their ZooKeeper names, and the watches left on it.
fn facts(z: &ZnodeFacts, lang: Lang) -> Html {
    let zab = zab_texts(lang);
    let watches: Vec<String> = z.watches.iter().map(|(k, s)| watch_text(*k, s)).collect();
    html! {
        <>
            <div class="znode-data">{ zab.data }{ ": " }<code data-testid="znode-data">{ format!("{:?}", z.data) }</code></div>
            <dl class="znode-stat">{ for stat_fields(&z.stat).into_iter().map(|(k, v)| html! {
                <div data-field={k}><dt>{ k }</dt><dd><code>{ v }</code></dd></div>
            }) }</dl>
            if !watches.is_empty() {
                <div class="znode-watches">{ panel_texts(lang).watches }{ ": " }{ watches.join("; ") }</div>
            }
        </>
    }
}

/// `Stat` as ZooKeeper's `stat` command names it; an absent ephemeral owner is `0x0`.
fn stat_fields(s: &Stat) -> [(&'static str, String); 10] {
    let owner = s.ephemeral_owner.map(|o| o.to_string()).unwrap_or_else(|| "0x0".into());
    [
        ("czxid", s.czxid.to_string()),
        ("mzxid", s.mzxid.to_string()),
        ("pzxid", s.pzxid.to_string()),
        ("ctime", format!("{} ms", s.ctime_ms)),
        ("mtime", format!("{} ms", s.mtime_ms)),
        ("version", s.version.to_string()),
        ("cversion", s.cversion.to_string()),
        ("ephemeralOwner", owner),
        ("dataLength", s.data_length.to_string()),
        ("numChildren", s.num_children.to_string()),
    ]
}

/// `data: 0x100000002`: the kind of read that left the watch, and the sessions.
fn watch_text(kind: WatchKind, sessions: &[ensemble_core::types::SessionId]) -> String {
    let kind = match kind {
        WatchKind::Data => "data",
        WatchKind::Exists => "exists",
        WatchKind::Children => "children",
    };
    let ids: Vec<String> = sessions.iter().map(ToString::to_string).collect();
    format!("{kind}: {}", ids.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_said_by_kind_with_the_servers_named() {
        let d = [(NodeId(1), Difference::Extra), (NodeId(2), Difference::Data), (NodeId(3), Difference::Extra)];
        assert_eq!(diff_text(&d, Lang::En), "not on node 1, 3; data differs on node 2");
        assert_eq!(diff_text(&d, Lang::Zh), "节点 1、3 上没有；节点 2 上数据不同");
        assert_eq!(diff_text(&[(NodeId(2), Difference::Missing)], Lang::En), "missing here; node 2 has it");
        assert_eq!(diff_text(&[], Lang::En), "");
    }
}
