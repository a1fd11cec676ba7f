//! Random runs of a replicated tree whose servers lag: each session reads from a server
//! that has applied some prefix of the log, never a shorter one than it read from before
//! or than its own acknowledged writes. Such runs pass; a read from the past does not.

use super::reads::Problem;
use super::*;
use ensemble_core::{Epoch, SessionId, Zxid};
use proptest::prelude::*;
use proptest::sample::Index;

const PATHS: [&str; 2] = ["/a", "/b"];
const SESSIONS: usize = 3;

#[derive(Clone, Debug)]
enum Act {
    /// Create if the leader has no node at `path`, else set (`set`) or delete it.
    Write { path: usize, set: bool, lost: Option<bool> },
    /// Read from a server `lag` of the way between the session's last view and the leader.
    Read { path: usize, lag: Index },
}

fn any_act() -> impl Strategy<Value = (usize, Act)> {
    let write = (0..PATHS.len(), prop::bool::weighted(0.7), prop::option::weighted(0.15, any::<bool>()))
        .prop_map(|(path, set, lost)| Act::Write { path, set, lost });
    let read = (0..PATHS.len(), any::<Index>()).prop_map(|(path, lag)| Act::Read { path, lag });
    (0..SESSIONS, prop_oneof![2 => write, 3 => read])
}

fn zxid(index: usize) -> Zxid {
    Zxid::new(Epoch(1), index as u32 + 1)
}

/// The committed log (path and data left, `None` for a delete; entry `k` has zxid
/// `zxid(k)`), each session's view (how much of the log its server had applied) and
/// the events the sessions saw.
#[derive(Default)]
struct Run {
    log: Vec<(String, Option<String>)>,
    views: [usize; SESSIONS],
    events: Vec<SessionEvent>,
}

impl Run {
    /// The node at `path` once the first `upto` log entries are applied.
    fn node(&self, path: &str, upto: usize) -> Option<(String, Zxid)> {
        let (k, (_, data)) = self.log[..upto].iter().enumerate().rev().find(|(_, (p, _))| p == path)?;
        data.clone().map(|d| (d, zxid(k)))
    }

    fn act(&mut self, session: usize, act: Act) {
        let sid = SessionId(session as u64 + 1);
        let event = match act {
            Act::Write { path, set, lost } => {
                let path = PATHS[path].to_string();
                // The leader's tree decides: a create needs no node, a set or delete one.
                let exists = self.node(&path, self.log.len()).is_some();
                let data = (!exists || set).then(|| format!("w{}", self.events.len()));
                match lost {
                    Some(applied) => {
                        if applied {
                            self.log.push((path.clone(), data.clone()));
                        }
                        Event::MaybeWrote { path, data }
                    }
                    None => {
                        self.log.push((path.clone(), data.clone()));
                        self.views[session] = self.log.len();
                        Event::Wrote { path, zxid: zxid(self.log.len() - 1), data }
                    }
                }
            }
            Act::Read { path, lag } => {
                let from = self.views[session];
                self.views[session] = from + lag.index(self.log.len() - from + 1);
                Event::Read { path: PATHS[path].to_string(), found: self.node(PATHS[path], self.views[session]) }
            }
        };
        self.events.push(SessionEvent { session: sid, event });
    }
}

fn run(acts: Vec<(usize, Act)>) -> Run {
    let mut run = Run::default();
    for (session, act) in acts {
        run.act(session, act);
    }
    run
}

/// Reads the session could append that go back in time: (session, path, an older
/// acknowledged state of the path than one it read).
fn older_states(events: &[SessionEvent]) -> Vec<(SessionId, String, String, Zxid)> {
    let mut found = Vec::new();
    for e in events {
        let Event::Read { path, found: Some((_, seen)) } = &e.event else { continue };
        for w in events {
            if let Event::Wrote { path: p, zxid, data: Some(data) } = &w.event {
                if p == path && zxid < seen {
                    found.push((e.session, path.clone(), data.clone(), *zxid));
                }
            }
        }
    }
    found
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn monotonic_sessions_over_lagging_servers_pass(acts in prop::collection::vec(any_act(), 1..40)) {
        let run = run(acts);
        let violations = check_reads(&run.events);
        prop_assert!(violations.is_empty(), "{:?}\n{:#?}", violations, run.events);
    }

    #[test]
    fn a_read_from_the_past_is_caught(acts in prop::collection::vec(any_act(), 1..40), pick in any::<Index>()) {
        let mut events = run(acts).events;
        let older = older_states(&events);
        prop_assume!(!older.is_empty());
        let (session, path, data, zxid) = older[pick.index(older.len())].clone();
        events.push(SessionEvent { session, event: Event::Read { path, found: Some((data, zxid)) } });
        let last = check_reads(&events).pop();
        let caught = last.as_ref().is_some_and(|v| v.index == events.len() - 1 && matches!(v.problem, Problem::Stale { .. }));
        prop_assert!(caught, "{:?}", last);
    }

    #[test]
    fn a_value_never_written_is_caught(acts in prop::collection::vec(any_act(), 0..40), path in 0..PATHS.len()) {
        let mut events = run(acts).events;
        let found = Some(("never".to_string(), zxid(1000)));
        events.push(SessionEvent { session: SessionId(1), event: Event::Read { path: PATHS[path].into(), found } });
        let problems: Vec<Problem> = check_reads(&events).into_iter().map(|v| v.problem).collect();
        prop_assert_eq!(problems, vec![Problem::NeverWritten]);
    }
}
