//! What the last step changed: in each node's card (its labelled facts and state) and,
//! for the selected node, in every field of its state (`DynSim::inspect`, JSON made on
//! demand: the edge where a node's typed state becomes text for the inspector).
//!
//! The state before the step is rebuilt from the timeline's nearest snapshot
//! (`Timeline::around_step`), so stepping back, scrubbing and following a link mark
//! the same changes as stepping forward.

use crate::state::AppState;
use ensemble_core::types::NodeId;
use ensemble_core::view::NodeView;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Paths of the fields that changed (`election.round`, `log[3].zxid`).
pub type Paths = BTreeSet<String>;

/// The changes the current step made.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    /// Per node, the keys of the facts (`Fact::key`) whose value changed, and `state`
    /// if its state or up/down did.
    pub facts: BTreeMap<NodeId, Vec<&'static str>>,
    /// The selected node: every field of its state, and which changed.
    pub inspected: Option<Rc<Inspected>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Inspected {
    pub node: NodeId,
    pub fields: Value,
    pub changed: Paths,
}

/// The changes at the current step of `state` (none at step 0); `views` are its nodes'
/// views now, which the snapshot has made already.
pub fn changes(state: &AppState, views: &[NodeView]) -> Changes {
    let tl = state.timeline();
    let now = tl.sim();
    let before = tl.around_step(tl.position()).map(|(before, _)| before);
    let facts = before.as_ref().map(|b| changed_facts(&b.views(), views)).unwrap_or_default();
    let inspected = state.selected.and_then(|node| {
        let fields = now.inspect(node)?;
        let old = before.as_ref().and_then(|b| b.inspect(node));
        let changed = old.map(|old| changed_paths(&old, &fields)).unwrap_or_default();
        Some(Rc::new(Inspected { node, fields, changed }))
    });
    Changes { facts, inspected }
}

/// Per node, the facts (by key) and the state that differ between `before` and `after`.
pub fn changed_facts(before: &[NodeView], after: &[NodeView]) -> BTreeMap<NodeId, Vec<&'static str>> {
    let mut out = BTreeMap::new();
    for (b, a) in before.iter().zip(after) {
        let mut keys: Vec<&'static str> = a
            .facts
            .iter()
            .filter(|f| b.facts.iter().find(|g| g.key == f.key).is_none_or(|g| g.value != f.value))
            .map(|f| f.key)
            .collect();
        if b.state != a.state || b.up != a.up {
            keys.push("state");
        }
        if !keys.is_empty() {
            out.insert(a.id, keys);
        }
    }
    out
}

/// The paths of the leaves that differ between `before` and `after`, including fields
/// that appeared or went (a field that was null and now holds an object is one change).
pub fn changed_paths(before: &Value, after: &Value) -> Paths {
    let mut out = Paths::new();
    diff(before, after, String::new(), &mut out);
    out
}

fn diff(before: &Value, after: &Value, path: String, out: &mut Paths) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for k in keys {
                let p = join(&path, k);
                diff(b.get(k).unwrap_or(&Value::Null), a.get(k).unwrap_or(&Value::Null), p, out);
            }
        }
        (Value::Array(b), Value::Array(a)) => {
            for i in 0..b.len().max(a.len()) {
                let p = format!("{path}[{i}]");
                diff(b.get(i).unwrap_or(&Value::Null), a.get(i).unwrap_or(&Value::Null), p, out);
            }
        }
        _ if before != after => {
            out.insert(path);
        }
        _ => {}
    }
}

/// `parent.key`, or `key` at the top.
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// Whether the field at `path`, or anything inside it, changed.
pub fn touched(changed: &Paths, path: &str) -> bool {
    changed
        .range(path.to_string()..)
        .take_while(|p| p.starts_with(path))
        .any(|p| p.len() == path.len() || matches!(p.as_bytes()[path.len()], b'.' | b'['))
}

/// A leaf as one short line: strings without quotes, `—` for null.
pub fn leaf(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_changed_leaves_are_named_by_path() {
        let before = json!({"epoch": 1, "log": [{"zxid": 1}], "vote": null, "same": {"a": 1}});
        let after = json!({"epoch": 2, "log": [{"zxid": 1}, {"zxid": 2}], "vote": {"leader": 3}, "same": {"a": 1}});
        let changed: Vec<String> = changed_paths(&before, &after).into_iter().collect();
        assert_eq!(changed, ["epoch", "log[1]", "vote"]);
    }

    #[test]
    fn a_field_is_touched_by_a_change_inside_it_and_not_by_a_neighbour() {
        let changed: Paths = ["log2".to_string(), "log[1].zxid".to_string(), "election.round".to_string()].into();
        assert!(touched(&changed, "log"));
        assert!(touched(&changed, "log[1]"));
        assert!(touched(&changed, "election"));
        assert!(!touched(&changed, "elect"));
        assert!(!touched(&changed, "log[0]"));
        assert!(!touched(&changed, "lead"));
    }
}
