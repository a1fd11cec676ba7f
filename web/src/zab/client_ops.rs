//! The client form's fields and the operation they make: plain code, tested without a
//! browser, so the form component only draws fields and forwards what they make.
//!
//! A `multi` is typed one operation a line, in ZooKeeper's `zkCli` syntax:
//!
//! ```text
//! create [-e] [-s] /path [data]
//! set [-v version] /path [data]
//! delete [-v version] /path
//! check [-v version] /path
//! ```
//!
//! `-e` makes an ephemeral node, `-s` a sequential one, `-v` asks for that version;
//! data is the rest of the line, spaces included; blank lines are skipped.

use ensemble_core::client::ClientOp;
use ensemble_core::sim::Intervention;
use ensemble_core::types::{ClientId, NodeId};
use serde_json::{Map, Value};

/// Every operation the ZAB server serves, in the form's order.
pub const OPS: [&str; 12] =
    ["connect", "create", "get", "set", "delete", "exists", "children", "check", "multi", "sync", "ping", "close"];

/// The syntax of a `multi`, shown in its empty text box.
pub const MULTI_SYNTAX: &str =
    "create [-e] [-s] /path data\nset [-v version] /path data\ndelete [-v version] /path\ncheck [-v version] /path";

/// What the form holds, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub node: u32,
    /// The client's number as typed; empty means the node's id.
    pub client: String,
    pub op: String,
    pub path: String,
    pub data: String,
    /// Empty means any version.
    pub version: String,
    pub ephemeral: bool,
    pub sequential: bool,
    pub watch: bool,
    /// A `multi`'s operations, one a line.
    pub multi: String,
    /// What the last send found wrong; any edit clears it.
    pub error: Option<OpError>,
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            node: 1,
            client: String::new(),
            op: "connect".into(),
            path: "/".into(),
            data: String::new(),
            version: String::new(),
            ephemeral: false,
            sequential: false,
            watch: false,
            multi: String::new(),
            error: None,
        }
    }
}

pub fn takes_path(op: &str) -> bool {
    !matches!(op, "connect" | "close" | "ping" | "multi")
}
pub fn takes_data(op: &str) -> bool {
    matches!(op, "create" | "set")
}
pub fn takes_watch(op: &str) -> bool {
    matches!(op, "get" | "exists" | "children")
}
pub fn takes_version(op: &str) -> bool {
    matches!(op, "set" | "delete" | "check")
}

/// What is wrong with the form; `line` is the 1-based line of a `multi`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpError {
    pub line: Option<usize>,
    pub problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A `multi` with no operation in it.
    Empty,
    /// A word that is not create, set, delete or check, first on a `multi`'s line.
    NotInMulti(String),
    /// An operation the core does not know (the form offers none).
    UnknownOp(String),
    NoPath,
    /// A word where the path should be: paths start with `/`.
    NotAPath(String),
    /// A flag this operation does not take.
    BadFlag(String),
    /// A version that is not a whole number (empty: `-v` with nothing after it).
    BadVersion(String),
    /// Words after the path of an operation that takes no data.
    Unexpected(String),
}

impl Draft {
    /// The operation as the core reads it from a scenario file; fields left out get
    /// the core's defaults (session timeout, any version, `/` for sync).
    pub fn op(&self) -> Result<ClientOp, OpError> {
        let form_error = |problem| OpError { line: None, problem };
        if self.op == "multi" {
            return parse_multi(&self.multi).map(|ops| ClientOp::Multi { ops });
        }
        let mut o = Map::new();
        o.insert("op".into(), Value::from(self.op.as_str()));
        if takes_path(&self.op) {
            let path = self.path.trim();
            o.insert("path".into(), Value::from(if path.is_empty() { "/" } else { path }));
        }
        if takes_data(&self.op) {
            o.insert("data".into(), Value::from(self.data.as_str()));
        }
        if self.op == "create" {
            o.insert("ephemeral".into(), Value::from(self.ephemeral));
            o.insert("sequential".into(), Value::from(self.sequential));
        }
        if takes_watch(&self.op) {
            o.insert("watch".into(), Value::from(self.watch));
        }
        let version = self.version.trim();
        if takes_version(&self.op) && !version.is_empty() {
            o.insert("version".into(), Value::from(parse_version(version).map_err(form_error)?));
        }
        serde_json::from_value(Value::Object(o)).map_err(|_| form_error(Problem::UnknownOp(self.op.clone())))
    }

    pub fn intervention(&self) -> Result<Intervention, OpError> {
        let client = ClientId(self.client.trim().parse().unwrap_or(self.node));
        Ok(Intervention::Client { node: NodeId(self.node), client, op: self.op()? })
    }
}

/// A `multi`'s operations, one a line (see the module's syntax).
pub fn parse_multi(text: &str) -> Result<Vec<ClientOp>, OpError> {
    let mut ops = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if !line.trim().is_empty() {
            ops.push(parse_line(line).map_err(|problem| OpError { line: Some(i + 1), problem })?);
        }
    }
    if ops.is_empty() {
        return Err(OpError { line: None, problem: Problem::Empty });
    }
    Ok(ops)
}

/// One line of a `multi`: the operation, its flags, the path, then data if it takes any.
fn parse_line(line: &str) -> Result<ClientOp, Problem> {
    let (op, mut rest) = word(line);
    if !matches!(op, "create" | "set" | "delete" | "check") {
        return Err(Problem::NotInMulti(op.into()));
    }
    let (mut ephemeral, mut sequential, mut version) = (false, false, None);
    loop {
        let (flag, after) = word(rest);
        rest = after;
        match (op, flag) {
            ("create", "-e") => ephemeral = true,
            ("create", "-s") => sequential = true,
            ("set" | "delete" | "check", "-v") => {
                let (v, after) = word(rest);
                version = Some(parse_version(v)?);
                rest = after;
            }
            (_, f) if f.starts_with('-') => return Err(Problem::BadFlag(f.into())),
            (_, path) => return with_path(op, path, rest.trim_end(), ephemeral, sequential, version),
        }
    }
}

/// The operation `op` on `path`, with `data` (the rest of its line) if it takes any.
fn with_path(
    op: &str,
    path: &str,
    data: &str,
    ephemeral: bool,
    sequential: bool,
    version: Option<i32>,
) -> Result<ClientOp, Problem> {
    if path.is_empty() {
        return Err(Problem::NoPath);
    }
    if !path.starts_with('/') {
        return Err(Problem::NotAPath(path.into()));
    }
    let (path, data) = (path.to_string(), data.to_string());
    match op {
        "create" => Ok(ClientOp::Create { path, data, ephemeral, sequential }),
        "set" => Ok(ClientOp::Set { path, data, version }),
        _ if !data.is_empty() => Err(Problem::Unexpected(data)),
        "delete" => Ok(ClientOp::Delete { path, version }),
        _ => Ok(ClientOp::Check { path, version }),
    }
}

/// The first word of `s`, and what follows the spaces after it.
fn word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    (&s[..end], s[end..].trim_start())
}

fn parse_version(v: &str) -> Result<i32, Problem> {
    v.parse().map_err(|_| Problem::BadVersion(v.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(s: &str) -> Result<ClientOp, OpError> {
        parse_multi(s).map(|mut ops| ops.remove(0))
    }
    fn at(line: usize, problem: Problem) -> Result<ClientOp, OpError> {
        Err(OpError { line: Some(line), problem })
    }

    #[test]
    fn the_form_fills_only_the_fields_of_its_operation() {
        let d = Draft { op: "create".into(), path: "/x".into(), data: "v".into(), ephemeral: true, ..Draft::default() };
        let create = ClientOp::Create { path: "/x".into(), data: "v".into(), ephemeral: true, sequential: false };
        assert_eq!(d.op(), Ok(create));
        let d = Draft { node: 2, op: "sync".into(), path: " ".into(), data: "ignored".into(), ..Draft::default() };
        assert_eq!(d.op(), Ok(ClientOp::Sync { path: "/".into() }));
        let Ok(Intervention::Client { client, .. }) = d.intervention() else { panic!("a client request") };
        assert_eq!(client, ClientId(2));
    }

    #[test]
    fn ping_check_and_versions() {
        let d = Draft { op: "ping".into(), path: "/ignored".into(), version: "3".into(), ..Draft::default() };
        assert_eq!(d.op(), Ok(ClientOp::Ping {}));
        let d = Draft { op: "check".into(), path: "/a".into(), ..Draft::default() };
        assert_eq!(d.op(), Ok(ClientOp::Check { path: "/a".into(), version: None }));
        let d = Draft { op: "delete".into(), path: "/a".into(), version: " 2 ".into(), ..Draft::default() };
        assert_eq!(d.op(), Ok(ClientOp::Delete { path: "/a".into(), version: Some(2) }));
        let d = Draft { op: "set".into(), path: "/a".into(), version: "two".into(), ..Draft::default() };
        assert_eq!(d.op(), Err(OpError { line: None, problem: Problem::BadVersion("two".into()) }));
    }

    #[test]
    fn a_multi_is_one_operation_a_line() {
        let text = "check -v 0 /s\n\n  create -e -s /s/q- first item  \nset /a x\nset -v 4 /a\ndelete /a";
        let d = Draft { op: "multi".into(), multi: text.into(), ..Draft::default() };
        let ops = vec![
            ClientOp::Check { path: "/s".into(), version: Some(0) },
            ClientOp::Create { path: "/s/q-".into(), data: "first item".into(), ephemeral: true, sequential: true },
            ClientOp::Set { path: "/a".into(), data: "x".into(), version: None },
            ClientOp::Set { path: "/a".into(), data: String::new(), version: Some(4) },
            ClientOp::Delete { path: "/a".into(), version: None },
        ];
        assert_eq!(d.op(), Ok(ClientOp::Multi { ops }));
    }

    #[test]
    fn a_multi_names_the_line_and_what_is_wrong_with_it() {
        assert_eq!(op(" \n"), Err(OpError { line: None, problem: Problem::Empty }));
        assert_eq!(op("create /a\nget /a"), at(2, Problem::NotInMulti("get".into())));
        assert_eq!(op("delete"), at(1, Problem::NoPath));
        assert_eq!(op("create -e"), at(1, Problem::NoPath));
        assert_eq!(op("set a x"), at(1, Problem::NotAPath("a".into())));
        assert_eq!(op("delete -e /a"), at(1, Problem::BadFlag("-e".into())));
        assert_eq!(op("create -v 1 /a"), at(1, Problem::BadFlag("-v".into())));
        assert_eq!(op("check -v /a"), at(1, Problem::BadVersion("/a".into())));
        assert_eq!(op("check -v"), at(1, Problem::BadVersion(String::new())));
        assert_eq!(op("check /a 3"), at(1, Problem::Unexpected("3".into())));
    }
}
