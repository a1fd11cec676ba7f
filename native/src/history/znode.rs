//! The znode model for [`linear`](super::linear), and the per-path check of a history of
//! client operations.
//!
//! One path's state is `None` (no node) or its data and version; children are other
//! paths, so a delete's `NotEmpty` is simply allowed whenever the delete could otherwise
//! succeed. Each path is checked on its own: linearizability is local (Herlihy and
//! Wing), a history of single-path operations is linearizable exactly when every path's
//! part is, and many small searches are far cheaper than one big one.
//!
//! A `multi` touches several paths at one instant. It is **projected** onto each path it
//! touches: that path's ops of the multi, in order, applied atomically. The projections
//! are each checked with their own path, which is sound (a real linearization projects to
//! one for every path) but does not demand that the pieces of one multi land at the same
//! instant on every path; that would need the paths it joins checked together.

use super::linear::{self, CheckResult, Illegal, Model, Operation, NO_RETURN};
use ensemble_core::tree::ZkError;
use std::collections::BTreeMap;
use std::fmt;

/// A node as the model sees it: what a `get` would return of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    pub data: String,
    pub version: i32,
}

/// One path's state: `None` when there is no node.
pub type ZState = Option<Node>;

/// An operation on one path. `version: None` means any version (as ZooKeeper's -1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZInput {
    /// `NodeExists` if there is a node; a create's `NoNode` is about the parent.
    Create { data: String },
    /// `NoNode`, `BadVersion`, or the data with the version one higher.
    Set { data: String, version: Option<i32> },
    /// `NoNode`, `BadVersion`, `NotEmpty`, or no node.
    Delete { version: Option<i32> },
    /// `NoNode`, `BadVersion`, or nothing changes.
    Check { version: Option<i32> },
    /// A read. ZooKeeper's reads may be stale, so put one here only if it is known to be
    /// linearizable (as in the model's own tests); the usual reads go to `reads`.
    Get,
    /// This path's ops of a `multi`, in order, taking effect together or not at all.
    Multi(Vec<ZInput>),
}

/// What an operation on one path answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZOutput {
    /// Success. `version` and `data`, when given, are the node's after the operation as
    /// the reply reported them (a set's new stat, a get's data and stat); `None` is not
    /// checked. A delete reports neither.
    Ok { version: Option<i32>, data: Option<String> },
    /// Failure with this code, changing nothing.
    Err(ZkError),
    /// The multi took effect, every op of it.
    MultiApplied,
    /// The multi changed nothing: its first `ok` ops on this path would have succeeded,
    /// and the next failed with `error` (`None`: the failing op was on another path).
    MultiAborted { ok: usize, error: Option<ZkError> },
    /// No reply (timed out, `ConnectionLoss`): it may or may not have taken effect.
    Unknown,
}

impl ZOutput {
    /// Success, reporting nothing about the node.
    pub fn ok() -> ZOutput {
        ZOutput::Ok { version: None, data: None }
    }
}

/// Does `version` (`None` or -1: any) match the node's?
fn version_matches(expected: Option<i32>, node: &Node) -> bool {
    expected.is_none_or(|v| v == -1 || v == node.version)
}

/// What `input` does to `state` when it succeeds, or the error the tree answers, in
/// the order `core/src/tree/apply.rs` checks them.
pub fn effect(state: &ZState, input: &ZInput) -> Result<ZState, ZkError> {
    let existing = |version: Option<i32>| match state {
        None => Err(ZkError::NoNode),
        Some(node) if !version_matches(version, node) => Err(ZkError::BadVersion),
        Some(node) => Ok(node),
    };
    match input {
        ZInput::Create { data } => match state {
            Some(_) => Err(ZkError::NodeExists),
            None => Ok(Some(Node { data: data.clone(), version: 0 })),
        },
        ZInput::Set { data, version } => {
            let node = existing(*version)?;
            Ok(Some(Node { data: data.clone(), version: node.version.wrapping_add(1) }))
        }
        ZInput::Delete { version } => existing(*version).map(|_| None),
        ZInput::Check { version } => existing(*version).map(|_| state.clone()),
        ZInput::Get => existing(None).map(|_| state.clone()),
        ZInput::Multi(ops) => ops.iter().try_fold(state.clone(), |s, op| effect(&s, op)),
    }
}

/// Could `input` have failed with `code` in `state`?
fn may_fail_with(state: &ZState, input: &ZInput, code: ZkError) -> bool {
    match (input, code) {
        // The node's children are other paths: whenever the delete could succeed, it
        // could equally find children.
        (ZInput::Delete { .. }, ZkError::NotEmpty) => effect(state, input).is_ok(),
        // A create's NoNode is about the parent, NoChildrenForEphemerals about the
        // parent being ephemeral: either way this node cannot exist.
        (ZInput::Create { .. }, ZkError::NoNode | ZkError::NoChildrenForEphemerals) => state.is_none(),
        // About the session or the request, not the node.
        (_, ZkError::SessionExpired | ZkError::BadArguments) => true,
        _ => effect(state, input) == Err(code),
    }
}

/// Do the fields a reply reported agree with the node after the operation?
fn reported(after: &ZState, version: Option<i32>, data: &Option<String>) -> bool {
    match after {
        _ if version.is_none() && data.is_none() => true,
        None => false,
        Some(node) => version.is_none_or(|v| v == node.version) && data.as_ref().is_none_or(|d| *d == node.data),
    }
}

/// A multi that changed nothing: were its first `ok` ops here possible, and could the
/// next have failed with `error`?
fn aborted(state: &ZState, ops: &[ZInput], ok: usize, error: Option<ZkError>) -> bool {
    let Some(done) = ops.get(..ok) else { return false };
    let Ok(after) = done.iter().try_fold(state.clone(), |s, op| effect(&s, op)) else { return false };
    match error {
        None => true,
        Some(code) => ops.get(ok).is_some_and(|op| may_fail_with(&after, op, code)),
    }
}

/// The znode of one path, as a [`Model`].
pub struct ZnodeModel;

impl Model for ZnodeModel {
    type State = ZState;
    type Input = ZInput;
    type Output = ZOutput;

    fn init() -> ZState {
        None
    }

    fn step(state: &ZState, input: &ZInput, output: &ZOutput) -> Option<ZState> {
        match (output, input) {
            // Taking effect does what the model says, success or failure; not taking
            // effect at all is the search's other choice (see `linear`).
            (ZOutput::Unknown, _) => Some(effect(state, input).unwrap_or_else(|_| state.clone())),
            (ZOutput::Ok { version, data }, _) => {
                effect(state, input).ok().filter(|after| reported(after, *version, data))
            }
            (ZOutput::Err(code), _) => may_fail_with(state, input, *code).then(|| state.clone()),
            (ZOutput::MultiApplied, ZInput::Multi(_)) => effect(state, input).ok(),
            (ZOutput::MultiAborted { ok, error }, ZInput::Multi(ops)) => {
                aborted(state, ops, *ok, *error).then(|| state.clone())
            }
            (ZOutput::MultiApplied | ZOutput::MultiAborted { .. }, _) => None,
        }
    }

    fn is_read_only(input: &ZInput, output: &ZOutput) -> bool {
        let reads = |input: &ZInput| matches!(input, ZInput::Get | ZInput::Check { .. });
        match (output, input) {
            (ZOutput::Err(_) | ZOutput::MultiAborted { .. }, _) => true,
            (ZOutput::Ok { .. }, _) => reads(input),
            (ZOutput::MultiApplied, ZInput::Multi(ops)) => ops.iter().all(reads),
            _ => false,
        }
    }
}

/// How a `multi` ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MultiOutput {
    Applied,
    /// Op `index` failed with `error`; nothing took effect.
    Failed {
        index: usize,
        error: ZkError,
    },
    Unknown,
}

/// What a client did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// An operation on one path. A sequential create names the path it created; one
    /// whose reply never came names no path and is left out.
    Single { path: String, input: ZInput, output: ZOutput },
    /// A `multi` of (path, op) pairs; no `Get`s or `Multi`s inside.
    Multi { ops: Vec<(String, ZInput)>, output: MultiOutput },
}

/// One client operation of a history. An unknown outcome (`ZOutput::Unknown`,
/// `MultiOutput::Unknown`) is checked as pending whatever `ret` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZnodeOp {
    pub client: u64,
    pub call: u64,
    pub ret: u64,
    pub action: Action,
}

/// This operation as seen by each path it touches.
pub fn project(op: &ZnodeOp) -> Vec<(String, ZInput, ZOutput)> {
    match &op.action {
        Action::Single { path, input, output } => vec![(path.clone(), input.clone(), output.clone())],
        Action::Multi { ops, output } => {
            let mut paths: BTreeMap<&str, Vec<(usize, &ZInput)>> = BTreeMap::new();
            for (index, (path, input)) in ops.iter().enumerate() {
                paths.entry(path).or_default().push((index, input));
            }
            let part = |mine: &[(usize, &ZInput)]| match *output {
                MultiOutput::Applied => ZOutput::MultiApplied,
                MultiOutput::Unknown => ZOutput::Unknown,
                MultiOutput::Failed { index, error } => ZOutput::MultiAborted {
                    ok: mine.iter().take_while(|(i, _)| *i < index).count(),
                    error: mine.iter().any(|(i, _)| *i == index).then_some(error),
                },
            };
            let piece = |mine: &[(usize, &ZInput)]| ZInput::Multi(mine.iter().map(|(_, op)| (*op).clone()).collect());
            paths.into_iter().map(|(path, mine)| (path.to_string(), piece(&mine), part(&mine))).collect()
        }
    }
}

/// One path's operation, as the model sees it.
pub type ZOperation = Operation<ZInput, ZOutput>;

/// The default step budget of one path's search: seconds of work, not hours.
pub const DEFAULT_BUDGET: u64 = 10_000_000;

/// The outcome of [`check_paths`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZnodeReport {
    /// How many paths were checked.
    pub paths: usize,
    /// The paths with no linearization, each with its account.
    pub illegal: Vec<(String, String)>,
    /// The paths whose search ran out of budget.
    pub undecided: Vec<String>,
}

impl ZnodeReport {
    pub fn is_ok(&self) -> bool {
        self.illegal.is_empty() && self.undecided.is_empty()
    }
}

impl fmt::Display for ZnodeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (paths, illegal) = (self.paths, self.illegal.len());
        writeln!(f, "{paths} path(s) checked, {illegal} not linearizable, {} undecided", self.undecided.len())?;
        for (path, why) in &self.illegal {
            writeln!(f, "{path}: {why}")?;
        }
        for path in &self.undecided {
            writeln!(f, "{path}: the search ran out of steps")?;
        }
        Ok(())
    }
}

/// Check every path of `ops` for linearizability, each in at most `budget` steps.
pub fn check_paths(ops: &[ZnodeOp], budget: u64) -> ZnodeReport {
    // Per path: the operations as the model sees them, and where each came from.
    let mut by_path: BTreeMap<String, (Vec<ZOperation>, Vec<usize>)> = BTreeMap::new();
    for (index, op) in ops.iter().enumerate() {
        for (path, input, output) in project(op) {
            let ret = if output == ZOutput::Unknown { NO_RETURN } else { op.ret };
            let (part, origin) = by_path.entry(path).or_default();
            part.push(Operation { client: op.client, input, output, call: op.call, ret });
            origin.push(index);
        }
    }
    let mut report = ZnodeReport { paths: by_path.len(), ..ZnodeReport::default() };
    for (path, (part, origin)) in by_path {
        match linear::check::<ZnodeModel>(&part, budget) {
            CheckResult::Ok => {}
            CheckResult::Illegal(illegal) => {
                let why = explain(&illegal, &part, &origin);
                report.illegal.push((path, why));
            }
            CheckResult::Unknown { .. } => report.undecided.push(path),
        }
    }
    report
}

/// The account of one path, numbering operations as the caller did.
fn explain(illegal: &Illegal, part: &[ZOperation], origin: &[usize]) -> String {
    illegal.explain(|i| linear::describe(origin[i], &part[i]))
}
