//! How Basic Paxos messages and timers appear in the narration and the web app.

use super::msg::{PaxosMsg, PaxosTimer};
use crate::event::Event;
use crate::wire::Describe;
use std::borrow::Cow;

impl Describe for PaxosMsg {
    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            PaxosMsg::Prepare { .. } => "Prepare",
            PaxosMsg::Promise { .. } => "Promise",
            PaxosMsg::Accept { .. } => "Accept",
            PaxosMsg::Accepted { .. } => "Accepted",
            PaxosMsg::Nack { .. } => "Nack",
            PaxosMsg::Forward { .. } => "Forward",
        })
    }

    /// `Prepare(b=1.1)`, `Promise(b=2.1, accepted "x" at 1.1)`.
    fn describe(&self) -> String {
        let fields = match self {
            PaxosMsg::Prepare { ballot } => format!("b={ballot}"),
            PaxosMsg::Promise { ballot, accepted: None } => format!("b={ballot}"),
            PaxosMsg::Promise { ballot, accepted: Some(a) } => {
                format!("b={ballot}, accepted {} at {}", a.value, a.ballot)
            }
            PaxosMsg::Accept { ballot, value } | PaxosMsg::Accepted { ballot, value } => format!("b={ballot}, {value}"),
            PaxosMsg::Nack { ballot, promised } => format!("b={ballot}, promised {promised}"),
            PaxosMsg::Forward { value } => value.to_string(),
        };
        format!("{}({fields})", self.name())
    }
}

impl Describe for PaxosTimer {
    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            PaxosTimer::Retry => "retry",
            PaxosTimer::Progress => "progress",
        })
    }

    fn meaning(&self, _after: Option<&[Event]>) -> Option<(&'static str, &'static str)> {
        Some(match self {
            PaxosTimer::Retry => {
                ("its back-off is over, so it tries again with a higher ballot", "退避结束，用更高的提案编号重试")
            }
            PaxosTimer::Progress => (
                "no progress in this phase (messages lost?), so it starts over",
                "本阶段没有进展（消息丢失？），于是重新开始",
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paxos::AcceptedValue;
    use crate::types::{Ballot, NodeId, Value};

    #[test]
    fn a_promise_names_the_value_it_reports() {
        let b = |round, node| Ballot { round, node: NodeId(node) };
        let accepted = Some(AcceptedValue { ballot: b(1, 2), value: Value::Data("A".into()) });
        assert_eq!(
            PaxosMsg::Promise { ballot: b(2, 1), accepted }.describe(),
            r#"Promise(b=2.1, accepted "A" at 1.2)"#
        );
    }
}
