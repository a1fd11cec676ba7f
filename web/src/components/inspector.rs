//! Every field of the selected node's state, as its protocol's node type holds it, with
//! what the last step changed marked (`crate::inspect`). Generic over protocols: it
//! draws the fields' names and values, not what they mean.

use crate::inspect::{join, leaf, touched, Inspected, Paths};
use ensemble_core::explain::Lang;
use serde_json::Value;
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
    pub inspected: Inspected,
}

#[function_component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let w = words(props.lang);
    let Inspected { node, fields, changed } = &props.inspected;
    html! {
        <section class="panel inspector" data-testid="inspector" aria-labelledby="inspector-title">
            <h2 id="inspector-title">{ format!("{} {node}", w.title) }</h2>
            <p class="muted">{ w.legend }</p>
            { children(fields, "", changed, &w) }
        </section>
    }
}

/// An object's fields or a list's items as a definition list.
fn children(v: &Value, path: &str, changed: &Paths, w: &Words) -> Html {
    let items: Vec<(String, String, &Value)> = match v {
        Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), join(path, k), v)).collect(),
        Value::Array(a) => a.iter().enumerate().map(|(i, v)| (format!("[{i}]"), format!("{path}[{i}]"), v)).collect(),
        _ => return html! { <code>{ leaf(v) }</code> },
    };
    let hidden = items.len().saturating_sub(MAX_CHILDREN);
    html! {
        <dl class="fields">
            { for items.iter().take(MAX_CHILDREN).map(|(name, p, v)| field(name, p, v, changed, w)) }
            if hidden > 0 { <dt class="muted">{ format!("+{hidden} {}", w.more) }</dt><dd></dd> }
        </dl>
    }
}

fn field(name: &str, path: &str, v: &Value, changed: &Paths, w: &Words) -> Html {
    let is_changed = touched(changed, path);
    let class = classes!(is_changed.then_some("changed"));
    let mark = html! { if is_changed { <span class="visually-hidden">{ format!(" ({})", w.changed) }</span> } };
    let nested = matches!(v, Value::Object(m) if !m.is_empty()) || matches!(v, Value::Array(a) if !a.is_empty());
    if !nested {
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
    let count = match v {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    html! {
        <>
            <dt class={class.clone()} data-path={path.to_string()}>{ name }{ mark }</dt>
            <dd class={class}>
                <details open={is_changed}>
                    <summary>{ format!("{count}") }</summary>
                    { children(v, path, changed, w) }
                </details>
            </dd>
        </>
    }
}
