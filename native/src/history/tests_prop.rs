//! Random histories made by running the model one operation at a time: stretched, so
//! that operations overlap, they stay linearizable; with one impossible observation
//! added, they do not.

use super::znode::{effect, project, ZState, DEFAULT_BUDGET};
use super::*;
use ensemble_core::tree::ZkError;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use std::collections::BTreeMap;

/// Two paths, so that operations collide often and partitioning is exercised.
const PATHS: [&str; 2] = ["/a", "/b"];
/// Time between two operations' points; an interval stretches at most 2.5 of these
/// each way, so neighbours overlap.
const GAP: u64 = 100;

#[derive(Clone, Copy, Debug)]
enum Kind {
    Create,
    Set,
    Delete,
    Check,
    Get,
}

/// One operation of the sequential run, and how its interval is stretched.
#[derive(Clone, Debug)]
struct Step {
    client: u64,
    /// (path, kind, version); two or more make a `multi` (a `Get` in it becomes a `Check`).
    ops: Vec<(usize, Kind, Option<i32>)>,
    /// The reply is lost; `true` if the operation took effect all the same.
    lost: Option<bool>,
    /// A delete that would succeed answers `NotEmpty` instead (it had children).
    not_empty: bool,
    report_version: bool,
    early: u64,
    late: u64,
}

fn any_sub() -> impl Strategy<Value = (usize, Kind, Option<i32>)> {
    let kind = prop_oneof![3 => Just(Kind::Create), 4 => Just(Kind::Set), 1 => Just(Kind::Delete),
                           1 => Just(Kind::Check), 2 => Just(Kind::Get)];
    (0..PATHS.len(), kind, prop::option::weighted(0.4, 0..3i32))
}

fn any_step() -> impl Strategy<Value = Step> {
    let ops = prop_oneof![6 => prop::collection::vec(any_sub(), 1), 1 => prop::collection::vec(any_sub(), 2..4)];
    let lost = prop::option::weighted(0.1, any::<bool>());
    (0..4u64, ops, lost, prop::bool::weighted(0.2), any::<bool>(), 0..250u64, 0..250u64).prop_map(
        |(client, ops, lost, not_empty, report_version, early, late)| Step {
            client,
            ops,
            lost,
            not_empty,
            report_version,
            early,
            late,
        },
    )
}

fn input(kind: Kind, version: Option<i32>, data: String) -> ZInput {
    match kind {
        Kind::Create => ZInput::Create { data },
        Kind::Set => ZInput::Set { data, version },
        Kind::Delete => ZInput::Delete { version },
        Kind::Check => ZInput::Check { version },
        Kind::Get => ZInput::Get,
    }
}

type Tree = BTreeMap<String, ZState>;

/// Run one single-path operation on `tree` and say what its client saw.
fn run_single(tree: &mut Tree, step: &Step, path: String, input: ZInput) -> Action {
    let node = tree.get(&path).cloned().flatten();
    let output = match (step.lost, effect(&node, &input)) {
        (Some(applied), result) => {
            if let (true, Ok(after)) = (applied, result) {
                tree.insert(path.clone(), after);
            }
            ZOutput::Unknown
        }
        (None, Ok(_)) if step.not_empty && matches!(input, ZInput::Delete { .. }) => ZOutput::Err(ZkError::NotEmpty),
        (None, Ok(after)) => {
            let version = after.as_ref().filter(|_| step.report_version).map(|n| n.version);
            let data = after.as_ref().filter(|_| matches!(input, ZInput::Get)).map(|n| n.data.clone());
            tree.insert(path.clone(), after);
            ZOutput::Ok { version, data }
        }
        (None, Err(code)) => ZOutput::Err(code),
    };
    Action::Single { path, input, output }
}

/// Run a multi on `tree`: every op or none.
fn run_multi(tree: &mut Tree, step: &Step, ops: Vec<(String, ZInput)>) -> Action {
    let mut copy = tree.clone();
    let mut failed = None;
    for (index, (path, input)) in ops.iter().enumerate() {
        match effect(&copy.get(path).cloned().flatten(), input) {
            Ok(after) => drop(copy.insert(path.clone(), after)),
            Err(error) => {
                failed = Some(MultiOutput::Failed { index, error });
                break;
            }
        }
    }
    let output = match (step.lost, failed) {
        (Some(applied), failed) => {
            if applied && failed.is_none() {
                *tree = copy;
            }
            MultiOutput::Unknown
        }
        (None, Some(failed)) => failed,
        (None, None) => {
            *tree = copy;
            MultiOutput::Applied
        }
    };
    Action::Multi { ops, output }
}

/// The history of running `steps` one after another, operation `i` at the point
/// `GAP * (i + 3)`, its interval stretched around it. Every datum is unique.
fn history(steps: &[Step]) -> Vec<ZnodeOp> {
    let mut tree = Tree::new();
    let mut ops = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        let multi = step.ops.len() > 1;
        let inputs: Vec<(String, ZInput)> = (step.ops.iter().enumerate())
            .map(|(j, &(path, kind, version))| {
                let kind = if multi && matches!(kind, Kind::Get) { Kind::Check } else { kind };
                (PATHS[path].to_string(), input(kind, version, format!("v{i}.{j}")))
            })
            .collect();
        let action = match multi {
            true => run_multi(&mut tree, step, inputs),
            false => {
                let (path, input) = inputs.into_iter().next().expect("one op");
                run_single(&mut tree, step, path, input)
            }
        };
        let point = GAP * (i as u64 + 3);
        let ret = if step.lost.is_some() { NO_RETURN } else { point + step.late };
        ops.push(ZnodeOp { client: step.client, call: point - step.early, ret, action });
    }
    ops
}

/// A single-path operation of `ops` that returned `Ok`, with its path and input.
fn ok_single(op: &ZnodeOp) -> Option<(&str, &ZInput)> {
    match &op.action {
        Action::Single { path, input, output: ZOutput::Ok { .. } } => Some((path, input)),
        _ => None,
    }
}

fn written(input: &ZInput) -> Option<&str> {
    match input {
        ZInput::Create { data } | ZInput::Set { data, .. } => Some(data),
        _ => None,
    }
}

/// An operation on `path` at `at` (for one instant), by a client of its own.
fn at(path: &str, at: u64, input: ZInput, output: ZOutput) -> ZnodeOp {
    ZnodeOp { client: 9, call: at, ret: at + 1, action: Action::Single { path: path.into(), input, output } }
}

fn read(data: &str) -> ZOutput {
    ZOutput::Ok { version: None, data: Some(data.into()) }
}

/// Impossible observations to add to `ops`: each with the path it is impossible on.
type Impossible = fn(&[ZnodeOp]) -> Vec<(String, ZnodeOp)>;

/// A read of a value nobody wrote, on any path at any operation's call.
fn never_written(ops: &[ZnodeOp]) -> Vec<(String, ZnodeOp)> {
    let reads =
        ops.iter().flat_map(|op| PATHS.map(|path| (path.to_string(), at(path, op.call, ZInput::Get, read("never")))));
    reads.collect()
}

/// A read of the data a write left, after a later write of the path returned.
fn overwritten(ops: &[ZnodeOp]) -> Vec<(String, ZnodeOp)> {
    let mut found = Vec::new();
    for first in ops {
        let Some((path, data)) = ok_single(first).and_then(|(path, input)| Some((path, written(input)?))) else {
            continue;
        };
        for then in ops.iter().filter(|then| then.call > first.ret) {
            if let Some((_, ZInput::Set { .. } | ZInput::Delete { .. })) = ok_single(then).filter(|(p, _)| *p == path) {
                found.push((path.to_string(), at(path, then.ret + 1, ZInput::Get, read(data))));
            }
        }
    }
    found
}

/// Could `op` have deleted `path`?
fn may_delete(op: &ZnodeOp, path: &str) -> bool {
    let deletes = |input: &ZInput| match input {
        ZInput::Delete { .. } => true,
        ZInput::Multi(ops) => ops.iter().any(|op| matches!(op, ZInput::Delete { .. })),
        _ => false,
    };
    let changed = |output: &ZOutput| !matches!(output, ZOutput::Err(_) | ZOutput::MultiAborted { .. });
    project(op).iter().any(|(p, input, output)| p == path && deletes(input) && changed(output))
}

/// A successful create after a successful write left a node for good (every possible
/// delete of the path returned before the write was called).
fn recreated(ops: &[ZnodeOp]) -> Vec<(String, ZnodeOp)> {
    let mut found = Vec::new();
    for op in ops {
        let Some((path, input)) = ok_single(op) else { continue };
        if written(input).is_some() && ops.iter().all(|d| !may_delete(d, path) || d.ret < op.call) {
            let create = ZInput::Create { data: "again".into() };
            found.push((path.to_string(), at(path, op.ret + 1, create, ZOutput::ok())));
        }
    }
    found
}

/// The history of `steps`, which passes, with the observation `pick` chooses among
/// what `impossible` finds added: it must fail on that observation's path.
fn caught(steps: &[Step], impossible: Impossible, pick: Index) -> Result<(), TestCaseError> {
    let mut ops = history(steps);
    let candidates = impossible(&ops);
    prop_assume!(!candidates.is_empty());
    let (path, op) = candidates[pick.index(candidates.len())].clone();
    ops.push(op);
    let report = check_paths(&ops, DEFAULT_BUDGET);
    prop_assert!(report.illegal.iter().any(|(p, _)| *p == path), "{}\n{:#?}", report, ops);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn stretched_sequential_histories_are_linearizable(steps in prop::collection::vec(any_step(), 1..30)) {
        let ops = history(&steps);
        let report = check_paths(&ops, DEFAULT_BUDGET);
        prop_assert!(report.is_ok(), "{}\n{:#?}", report, ops);
    }

    #[test]
    fn a_read_of_a_value_never_written_is_caught(steps in prop::collection::vec(any_step(), 1..30), pick in any::<Index>()) {
        caught(&steps, never_written, pick)?;
    }

    #[test]
    fn a_read_of_an_overwritten_value_after_the_overwrite_is_caught(
        steps in prop::collection::vec(any_step(), 2..30), pick in any::<Index>(),
    ) {
        caught(&steps, overwritten, pick)?;
    }

    #[test]
    fn a_successful_create_of_an_existing_node_is_caught(steps in prop::collection::vec(any_step(), 1..30), pick in any::<Index>()) {
        caught(&steps, recreated, pick)?;
    }
}
