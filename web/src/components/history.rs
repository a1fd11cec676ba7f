//! The history matrix: servers as rows, positions (zxids, slots) as columns aligned
//! across servers, coloured by group (epoch) with a rule where one begins; decided
//! entries solid, pending ones hatched, entries cut off a log struck through with the
//! step that cut them, and the leader's window shaded. Core builds the matrix
//! (`ensemble_core::sim::history_matrix`); this only draws it.

use crate::i18n::{texts, Texts};
use ensemble_core::explain::Lang;
use ensemble_core::sim::{Cell, Column, HistoryMatrix, HistoryRow, Mark};
use ensemble_core::view::facts::LEADER;
use std::rc::Rc;
use yew::prelude::*;

/// Colours cycle through this many classes (`grp-0` ...).
const COLOURS: u64 = 6;

#[derive(PartialEq, Properties)]
pub struct HistoryProps {
    pub lang: Lang,
    pub matrix: Rc<HistoryMatrix>,
}

fn group_text(m: &HistoryMatrix, lang: Lang, group: u64) -> String {
    m.group_name.map_or_else(|| group.to_string(), |n| format!("{} {group}", n.get(lang)))
}

/// What a cell's mark means, in words (for its title and for screen readers).
fn mark_text(t: &Texts, mark: Mark) -> String {
    match mark {
        Mark::Done => t.history_done.to_string(),
        Mark::Pending => t.history_pending.to_string(),
        Mark::Cut { step } => format!("{}{step}{}", t.cut_at.0, t.cut_at.1),
    }
}

/// The head: a row of groups (each spanning its columns), then a row of positions.
fn head(m: &HistoryMatrix, lang: Lang) -> Html {
    let mut spans: Vec<(Option<u64>, usize, bool)> = Vec::new();
    for c in &m.columns {
        match spans.last_mut() {
            Some((g, n, _)) if *g == c.group && !c.boundary => *n += 1,
            _ => spans.push((c.group, 1, c.boundary)),
        }
    }
    let groups = spans.iter().map(|(g, n, boundary)| {
        let class = classes!("grp-head", boundary.then_some("boundary"));
        html! { <th colspan={n.to_string()} scope="colgroup" {class}>{ g.map(|g| group_text(m, lang, g)) }</th> }
    });
    let positions = m.columns.iter().map(|c| {
        let class = classes!("pos-head", c.boundary.then_some("boundary"), c.in_window.then_some("win"));
        html! { <th scope="col" title={c.label.clone()} {class}>{ &c.short }</th> }
    });
    html! {
        <thead>
            <tr><td></td>{ for groups }</tr>
            <tr><td></td>{ for positions }</tr>
        </thead>
    }
}

fn cell(m: &HistoryMatrix, t: &Texts, lang: Lang, col: &Column, cell: Option<&Cell>) -> Html {
    let td = classes!(col.boundary.then_some("boundary"), col.in_window.then_some("win"));
    let Some(c) = cell else { return html! { <td class={td}></td> } };
    let e = &c.entry;
    let (state, cut) = match c.mark {
        Mark::Done => ("done", None),
        Mark::Pending => ("pending", None),
        Mark::Cut { step } => ("cut", Some(step)),
    };
    let group = e.group.map(|g| format!("grp-{}", g % COLOURS));
    let words = mark_text(t, c.mark);
    let title =
        [Some(e.label.clone()), e.group.map(|g| group_text(m, lang, g)), Some(words.clone()), Some(e.op.clone())];
    let title = title.into_iter().flatten().collect::<Vec<_>>().join(" · ");
    html! {
        <td class={td}>
            <div class={classes!("cell", state, group)} {title} data-testid="history-cell" data-pos={e.label.clone()}
                data-state={state} data-cut-step={cut.map(|s| s.to_string())} data-window={col.in_window.then_some("1")}>
                <span class="op">{ &e.op }</span>
                if let Some(step) = cut { <span class="cut-step" aria-hidden="true">{ format!("✂ {step}") }</span> }
                <span class="visually-hidden">{ format!(" ({words})") }</span>
            </div>
        </td>
    }
}

fn row(m: &HistoryMatrix, t: &Texts, lang: Lang, r: &HistoryRow) -> Html {
    let mut name = format!("{} {}", t.node, r.node.0);
    if r.leader {
        name.push_str(&format!(" · {}", LEADER.get(lang)));
    }
    if !r.up {
        name.push_str(&format!(" · {}", t.crashed));
    }
    let cells = m.columns.iter().zip(&r.cells).map(|(col, c)| cell(m, t, lang, col, c.as_ref()));
    html! {
        <tr key={r.node.0} data-testid={format!("history-row-{}", r.node.0)} class={classes!((!r.up).then_some("down"))}>
            <th scope="row">{ name }</th>{ for cells }
        </tr>
    }
}

fn legend(m: &HistoryMatrix, t: &Texts, lang: Lang) -> Html {
    let window = m.window.map(|w| {
        html! {
            <li data-testid="history-window" title={w.meaning.get(lang)}>
                <span class="swatch win" aria-hidden="true"></span>{ w.name.get(lang) }{ ": " }{ w.meaning.get(lang) }
            </li>
        }
    });
    html! {
        <ul class="legend history-legend">
            <li><span class="swatch cell done grp-1" aria-hidden="true"></span>{ t.history_done }</li>
            <li><span class="swatch cell pending grp-1" aria-hidden="true"></span>{ t.history_pending }</li>
            <li><span class="swatch cell cut grp-1" aria-hidden="true"></span>{ t.history_cut }</li>
            { for window }
        </ul>
    }
}

#[function_component]
pub fn History(props: &HistoryProps) -> Html {
    let (lang, m) = (props.lang, props.matrix.as_ref());
    let t = texts(lang);
    // The newest positions are on the right: keep them in view as the grid grows.
    let scroller = use_node_ref();
    use_effect_with((scroller.clone(), m.columns.last().map(|c| c.pos)), |(scroller, _)| {
        if let Some(el) = scroller.cast::<web_sys::Element>() {
            el.set_scroll_left(el.scroll_width());
        }
    });
    html! {
        <section class="panel history" aria-labelledby="history-title" data-testid="history-matrix">
            <h2 id="history-title">{ t.history }</h2>
            <p class="hint">{ t.history_hint }</p>
            if m.columns.is_empty() {
                <p class="muted">{ t.history_empty }</p>
            } else {
                if m.older > 0 {
                    <p class="muted" data-testid="history-older">{ format!("+{} {}", m.older, t.history_older) }</p>
                }
                <div class="history-scroll" ref={scroller} tabindex="0" role="region" aria-labelledby="history-title">
                    <table class="history-grid">
                        { head(m, lang) }
                        <tbody>{ for m.rows.iter().map(|r| row(m, t, lang, r)) }</tbody>
                    </table>
                </div>
                { legend(m, t, lang) }
            }
        </section>
    }
}
