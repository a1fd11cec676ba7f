use super::*;

fn fresh() -> Rc<AppState> {
    Rc::new(AppState::wanting(None))
}

#[test]
fn a_message_answering_a_key_survives_the_run_computed_ahead() {
    let s = fresh().reduce(Action::Fault(true));
    let said = s.error.clone();
    assert!(said.is_some(), "crash with no node selected says why");
    let s = s.reduce(Action::ComputeAhead).reduce(Action::Tick);
    assert_eq!(s.error, said, "background work does not clear it");
    let s = s.reduce(Action::Step);
    assert_eq!(s.error, None, "the next thing the user does clears it");
}

#[test]
fn escape_closes_the_help_first_then_unselects() {
    let s = fresh().reduce(Action::Select(Some(NodeId(2)))).reduce(Action::Help(true));
    let s = s.reduce(Action::Escape);
    assert_eq!((s.help, s.selected), (false, Some(NodeId(2))));
    let s = s.reduce(Action::Escape);
    assert_eq!(s.selected, None);
}
