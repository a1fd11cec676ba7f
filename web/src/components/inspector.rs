//! Every field of the selected node's state, as its protocol's node type holds it, with
//! what the last step changed marked (`crate::inspect`). Generic over protocols: it
//! draws the fields' names and values, not what they mean.

use crate::inspect::{join, leaf, touched, Inspected, Paths};
use ensemble_core::explain::Lang;
use serde_json::Value;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

/// Children drawn per object or list; the rest are counted (a long log stays quick).
const MAX_CHILDREN: usize = 60;

struct Words {
    title: &'static str,
    changed: &'static str,
    legend: &'static str,
    more: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::En => Words {
            title: "Every field of node",
            changed: "changed",
            legend: "Fields the last step changed are marked.",
            more: "more",
        },
        Lang::Zh => Words {
            title: "节点的全部字段：节点",
            changed: "已变",
            legend: "标出的是上一步改变的字段。",
            more: "项未显示",
        },
    }
}

#[derive(PartialEq, Properties)]
pub struct InspectorProps {
    pub lang: Lang,
    pub inspected: Rc<Inspected>,
}

/// What the drawing of one field needs: the changes, which nested fields the learner
/// opened or closed, and how to toggle one.
struct Ctx<'a> {
    changed: &'a Paths,
    opened: &'a BTreeSet<String>,
    closed: &'a BTreeSet<String>,
    on_toggle: Callback<(String, bool)>,
    w: Words,
}

impl Ctx<'_> {
    /// A nested field is drawn open when the learner opened it, or when the step changed
    /// something inside it and the learner has not closed it. Closed ones draw nothing
    /// inside: a server's whole tree and log stay cheap to draw at every step.
    fn is_open(&self, path: &str) -> bool {
        self.opened.contains(path) || (touched(self.changed, path) && !self.closed.contains(path))
    }
}

#[function_component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let Inspected { node, fields, changed } = &*props.inspected;
    // (opened, closed) by path: the learner's own choices, kept while stepping.
    let choice = use_state(|| (BTreeSet::<String>::new(), BTreeSet::<String>::new()));
    let on_toggle = {
        let choice = choice.clone();
        Callback::from(move |(path, open): (String, bool)| {
            let (mut opened, mut closed) = (*choice).clone();
            if open {
                closed.remove(&path);
                opened.insert(path);
            } else {
                opened.remove(&path);
                closed.insert(path);
            }
            choice.set((opened, closed));
        })
    };
    let ctx = Ctx { changed, opened: &choice.0, closed: &choice.1, on_toggle, w: words(props.lang) };
    html! {
        <section class="panel inspector" data-testid="inspector" aria-labelledby="inspector-title">
            <h2 id="inspector-title">{ format!("{} {node}", ctx.w.title) }</h2>
            <p class="muted">{ ctx.w.legend }</p>
            { children(fields, "", &ctx) }
        </section>
    }
}

/// An object's fields or a list's items as a definition list.
fn children(v: &Value, path: &str, ctx: &Ctx) -> Html {
    let items: Vec<(String, String, &Value)> = match v {
        Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), join(path, k), v)).collect(),
        Value::Array(a) => a.iter().enumerate().map(|(i, v)| (format!("[{i}]"), format!("{path}[{i}]"), v)).collect(),
        _ => return html! { <code>{ leaf(v) }</code> },
    };
    let hidden = items.len().saturating_sub(MAX_CHILDREN);
    html! {
        <dl class="fields">
            { for items.iter().take(MAX_CHILDREN).map(|(name, p, v)| field(name, p, v, ctx)) }
            if hidden > 0 { <dt class="muted">{ format!("+{hidden} {}", ctx.w.more) }</dt><dd></dd> }
        </dl>
    }
}

fn field(name: &str, path: &str, v: &Value, ctx: &Ctx) -> Html {
    let is_changed = touched(ctx.changed, path);
    let class = classes!(is_changed.then_some("changed"));
    let mark = html! { if is_changed { <span class="visually-hidden">{ format!(" ({})", ctx.w.changed) }</span> } };
    let count = match v {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    if count == 0 {
        let value = match v {
            Value::Object(_) => "{}".to_string(),
            Value::Array(_) => "[]".to_string(),
            _ => leaf(v),
        };
        return html! {
            <>
                <dt class={class.clone()} data-path={path.to_string()}>{ name }{ mark }</dt>
                <dd class={class}><code>{ value }</code></dd>
            </>
        };
    }
    let open = ctx.is_open(path);
    let toggle = {
        let path = path.to_string();
        ctx.on_toggle.reform(move |_: MouseEvent| (path.clone(), !open))
    };
    let brackets = if matches!(v, Value::Array(_)) { ("[", "]") } else { ("{", "}") };
    html! {
        <>
            <dt class={class.clone()} data-path={path.to_string()}>{ name }{ mark }</dt>
            <dd class={class}>
                <button class="fold" aria-expanded={open.to_string()} onclick={toggle}>
                    { format!("{} {}{count}{}", if open { "▾" } else { "▸" }, brackets.0, brackets.1) }
                </button>
                if open { { children(v, path, ctx) } }
            </dd>
        </>
    }
}
