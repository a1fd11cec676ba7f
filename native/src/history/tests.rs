//! Tiny hand-written histories, each with a known answer.

use super::reads::{Problem, Source};
use super::znode::DEFAULT_BUDGET;
use super::*;
use ensemble_core::tree::ZkError;
use ensemble_core::{SessionId, Zxid};

fn single(client: u64, call: u64, ret: u64, path: &str, input: ZInput, output: ZOutput) -> ZnodeOp {
    ZnodeOp { client, call, ret, action: Action::Single { path: path.into(), input, output } }
}
fn create(data: &str) -> ZInput {
    ZInput::Create { data: data.into() }
}
fn set(data: &str, version: Option<i32>) -> ZInput {
    ZInput::Set { data: data.into(), version }
}
fn read(data: &str) -> ZOutput {
    ZOutput::Ok { version: None, data: Some(data.into()) }
}
fn ok() -> ZOutput {
    ZOutput::ok()
}
fn err(code: ZkError) -> ZOutput {
    ZOutput::Err(code)
}

fn legal(ops: &[ZnodeOp]) -> bool {
    let report = check_paths(ops, DEFAULT_BUDGET);
    assert!(report.undecided.is_empty(), "{report}");
    report.is_ok()
}

#[test]
fn a_read_after_an_overwrite_returned_must_not_see_the_old_value() {
    let mut ops = vec![
        single(1, 0, 10, "/a", create("old"), ok()),
        single(1, 20, 30, "/a", set("new", None), ok()),
        single(2, 40, 50, "/a", ZInput::Get, read("old")),
    ];
    assert!(!legal(&ops));
    ops[2].call = 25; // concurrent with the set: it may come first
    assert!(legal(&ops));
}

#[test]
fn two_reads_may_not_see_a_write_undone() {
    // The classic pair: during a slow write, a read sees the new value, and a later
    // read the old one.
    let ops = vec![
        single(1, 0, 5, "/a", create("old"), ok()),
        single(1, 10, 100, "/a", set("new", None), ok()),
        single(2, 20, 30, "/a", ZInput::Get, read("new")),
        single(3, 40, 50, "/a", ZInput::Get, read("old")),
    ];
    assert!(!legal(&ops));
    assert!(legal(&ops[..3]) && legal(&[ops[0].clone(), ops[1].clone(), ops[3].clone()]));
}

#[test]
fn two_creates_cannot_both_succeed_unless_a_delete_may_come_between() {
    let mut ops = vec![single(1, 0, 10, "/a", create("x"), ok()), single(2, 5, 15, "/a", create("y"), ok())];
    assert!(!legal(&ops));
    ops.push(single(3, 16, 20, "/a", ZInput::Delete { version: None }, ok()));
    assert!(!legal(&ops), "the delete starts after both creates returned");
    ops[2].call = 8;
    assert!(legal(&ops));
}

#[test]
fn versions_order_conditional_writes_failed_ones_too() {
    let mut ops = vec![
        single(1, 0, 5, "/a", create("x"), ok()),
        single(1, 10, 15, "/a", set("y", Some(0)), ZOutput::Ok { version: Some(1), data: None }),
        single(2, 20, 25, "/a", set("z", Some(0)), ok()),
    ];
    assert!(!legal(&ops), "version 0 is gone");
    ops[2].action = Action::Single { path: "/a".into(), input: set("z", Some(0)), output: err(ZkError::BadVersion) };
    assert!(legal(&ops));
    // A BadVersion before anything changed the version is impossible.
    ops[2].call = 6;
    ops[2].ret = 7;
    assert!(!legal(&ops));
}

#[test]
fn not_empty_is_allowed_whenever_the_node_exists() {
    let delete = ZInput::Delete { version: None };
    let mut ops =
        vec![single(1, 0, 5, "/a", create("x"), ok()), single(1, 10, 15, "/a", delete.clone(), err(ZkError::NotEmpty))];
    assert!(legal(&ops));
    ops.push(single(1, 20, 25, "/a", delete, ok()));
    ops.push(single(2, 30, 35, "/a", ZInput::Delete { version: None }, err(ZkError::NotEmpty)));
    assert!(!legal(&ops), "no node, no children");
}

#[test]
fn an_unknown_write_may_take_effect_at_any_time_after_its_call_or_never() {
    let maybe = single(1, 10, 11, "/a", set("new", None), ZOutput::Unknown); // `ret` is ignored
    let base = vec![single(1, 0, 5, "/a", create("old"), ok()), maybe];
    let with = |reads: &[(u64, &str)]| {
        let mut ops = base.clone();
        for &(at, data) in reads {
            ops.push(single(2, at, at + 5, "/a", ZInput::Get, read(data)));
        }
        legal(&ops)
    };
    assert!(with(&[(20, "new")]), "it happened");
    assert!(with(&[(20, "old"), (1000, "old")]), "it never happened");
    assert!(with(&[(20, "old"), (30, "new")]), "it happened late");
    assert!(!with(&[(20, "new"), (30, "old")]), "it cannot be undone");
    assert!(with(&[(6, "new")]), "a read overlapping its call may see it");
    assert!(!with(&[(2, "new")]), "a read that returned before its call may not");
}

#[test]
fn an_unknown_create_explains_a_later_conditional_set_or_a_no_node() {
    let maybe = single(1, 0, 0, "/a", create("x"), ZOutput::Unknown);
    let later = |output| single(2, 10, 20, "/a", set("y", Some(0)), output);
    assert!(legal(&[maybe.clone(), later(ok())]), "it happened");
    assert!(legal(&[maybe.clone(), later(err(ZkError::NoNode))]), "it did not");
    assert!(!legal(&[later(ok())]));
}

#[test]
fn a_multi_is_all_or_nothing_on_every_path() {
    let both = vec![("/a".to_string(), create("1")), ("/b".to_string(), create("2"))];
    let multi = |output| ZnodeOp { client: 1, call: 0, ret: 10, action: Action::Multi { ops: both.clone(), output } };
    let get = |path: &str, output| single(2, 20, 30, path, ZInput::Get, output);
    assert!(legal(&[multi(MultiOutput::Applied), get("/a", read("1")), get("/b", read("2"))]));
    assert!(!legal(&[multi(MultiOutput::Applied), get("/b", err(ZkError::NoNode))]));
    let failed = MultiOutput::Failed { index: 1, error: ZkError::NodeExists };
    assert!(!legal(&[multi(failed)]), "/b did not exist");
    let b_exists = single(3, 0, 1, "/b", create("0"), ok());
    let mut ops = vec![ZnodeOp { call: 5, ..multi(failed) }, b_exists, get("/a", err(ZkError::NoNode))];
    assert!(legal(&ops));
    ops[2] = get("/a", read("1"));
    assert!(!legal(&ops), "a failed multi changed nothing");
}

#[test]
fn the_report_names_the_path_and_the_operations() {
    let ops = vec![
        single(7, 0, 10, "/ok", create("x"), ok()),
        single(1, 0, 10, "/bad", create("x"), ok()),
        single(2, 20, 30, "/bad", ZInput::Get, err(ZkError::NoNode)),
    ];
    let report = check_paths(&ops, DEFAULT_BUDGET);
    assert_eq!((report.paths, report.illegal.len()), (2, 1));
    let text = report.to_string();
    assert!(text.contains("/bad:") && !text.contains("/ok:"), "{text}");
    assert!(text.contains("#1 client 1 [0, 10] Create") && text.contains("#2 client 2 [20, 30] Get"), "{text}");
}

#[test]
fn an_exhausted_budget_says_undecided() {
    let ops: Vec<ZnodeOp> = (0..12).map(|i| single(i, 0, 100, "/a", set("x", None), err(ZkError::NoNode))).collect();
    let report = check_paths(&ops, 3);
    assert_eq!(report.undecided, vec!["/a".to_string()]);
    assert!(check_paths(&ops, DEFAULT_BUDGET).is_ok());
}

#[test]
fn the_generic_check_reports_the_longest_prefix() {
    let op = |call, ret, input, output| Operation { client: 0, input, output, call, ret };
    let ops = vec![op(0, 1, create("x"), ok()), op(2, 3, ZInput::Get, read("y"))];
    let CheckResult::Illegal(illegal) = check::<ZnodeModel>(&ops, 100) else { panic!("illegal") };
    assert_eq!((illegal.prefix, illegal.blocked), (vec![0], 1));
    assert!(illegal.state.contains("\"x\""), "{}", illegal.state);
}

/// A register, with the default `is_read_only`: the search without its pruning.
struct Register;

impl Model for Register {
    type State = u8;
    type Input = Option<u8>; // write this, or read
    type Output = u8; // what a read returned; 0 for a write
    fn init() -> u8 {
        0
    }
    fn step(state: &u8, input: &Option<u8>, output: &u8) -> Option<u8> {
        match input {
            Some(value) => Some(*value),
            None => (output == state).then_some(*state),
        }
    }
}

#[test]
fn a_model_that_declares_no_reads_is_checked_all_the_same() {
    let op = |client, call, ret, input, output| Operation { client, input, output, call, ret };
    let mut ops = vec![op(1, 0, 100, Some(1), 0), op(2, 10, 20, None, 1), op(3, 30, 40, None, 0)];
    assert!(check::<Register>(&ops, 1000).is_illegal(), "1 was seen, so it was written before 0 was read");
    ops[2].input = Some(0);
    assert!(check::<Register>(&ops, 1000).is_ok());
    ops.push(op(4, 50, NO_RETURN, Some(2), 0));
    ops.push(op(4, 60, 70, None, 0));
    assert!(check::<Register>(&ops, 1000).is_ok(), "the pending write of 2 has not happened yet");
    ops.push(op(4, 80, 90, None, 2));
    ops.push(op(4, 95, 99, None, 0));
    assert!(check::<Register>(&ops, 1000).is_illegal(), "it happened, it cannot be undone");
}

// Reads, per session by zxid.

const S1: SessionId = SessionId(1);
const S2: SessionId = SessionId(2);

fn wrote(session: SessionId, path: &str, zxid: u64, data: Option<&str>) -> SessionEvent {
    SessionEvent { session, event: Event::Wrote { path: path.into(), zxid: Zxid(zxid), data: data.map(Into::into) } }
}
fn got(session: SessionId, path: &str, found: Option<(&str, u64)>) -> SessionEvent {
    let found = found.map(|(data, zxid)| (data.to_string(), Zxid(zxid)));
    SessionEvent { session, event: Event::Read { path: path.into(), found } }
}
fn problems(events: &[SessionEvent]) -> Vec<Problem> {
    check_reads(events).into_iter().map(|v| v.problem).collect()
}

#[test]
fn a_session_never_reads_older_than_it_wrote_or_read() {
    let events = [wrote(S1, "/a", 5, Some("x")), wrote(S2, "/a", 7, Some("y")), got(S1, "/a", Some(("x", 5)))];
    assert!(problems(&events).is_empty());
    let events = [wrote(S1, "/a", 5, Some("x")), wrote(S1, "/a", 7, Some("y")), got(S1, "/a", Some(("x", 5)))];
    assert_eq!(problems(&events), [Problem::Stale { seen: Zxid(7), source: Source::OwnWrite }]);
    let events = [
        wrote(S1, "/a", 5, Some("x")),
        wrote(S1, "/a", 7, Some("y")),
        got(S2, "/a", Some(("y", 7))),
        got(S2, "/a", Some(("x", 5))),
    ];
    assert_eq!(problems(&events), [Problem::Stale { seen: Zxid(7), source: Source::EarlierRead }]);
}

#[test]
fn no_node_needs_a_delete_after_what_the_session_saw() {
    let created = wrote(S1, "/a", 5, Some("x"));
    assert_eq!(
        problems(&[created.clone(), got(S1, "/a", None)]),
        [Problem::Vanished { seen: Zxid(5), source: Source::OwnWrite }]
    );
    assert!(problems(&[created.clone(), wrote(S2, "/a", 6, None), got(S1, "/a", None)]).is_empty());
    let maybe = SessionEvent { session: S2, event: Event::MaybeWrote { path: "/a".into(), data: None } };
    assert!(problems(&[created.clone(), maybe, got(S1, "/a", None)]).is_empty());
    // Once gone, the old node cannot come back.
    let events = [created, wrote(S2, "/a", 6, None), got(S1, "/a", None), got(S1, "/a", Some(("x", 5)))];
    assert_eq!(problems(&events), [Problem::Stale { seen: Zxid(5), source: Source::EarlierRead }]);
}

#[test]
fn data_must_be_what_the_write_with_that_zxid_left() {
    let base = [wrote(S1, "/a", 5, Some("x")), wrote(S1, "/b", 6, Some("y"))];
    let with = |read| problems(&[base[0].clone(), base[1].clone(), read]);
    assert!(with(got(S2, "/a", Some(("x", 5)))).is_empty());
    assert_eq!(with(got(S2, "/a", Some(("z", 5)))), [Problem::WrongData { expected: Some("x".into()) }]);
    assert_eq!(with(got(S2, "/a", Some(("y", 6)))), [Problem::WrongData { expected: None }]);
    assert_eq!(with(got(S2, "/a", Some(("z", 9)))), [Problem::NeverWritten]);
    let maybe = SessionEvent { session: S2, event: Event::MaybeWrote { path: "/a".into(), data: Some("z".into()) } };
    assert!(problems(&[maybe, got(S2, "/a", Some(("z", 9)))]).is_empty());
    assert!(problems(&[got(S2, "/", Some(("", 0)))]).is_empty(), "the root was there from the start");
}

#[test]
fn a_violation_names_the_session_the_path_and_both_zxids() {
    let events = [wrote(S1, "/a", 0x1_0000_0007, Some("y")), got(S1, "/a", Some(("x", 0x1_0000_0005)))];
    let text = check_reads(&events)[0].to_string();
    assert!(
        text.contains("session 0x1 read /a") && text.contains("0x100000005") && text.contains("0x100000007"),
        "{text}"
    );
}
