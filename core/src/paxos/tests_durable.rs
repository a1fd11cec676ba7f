//! Checkpoints: restarting from the last checkpoint and the records after it gives the
//! node that replaying every record would, and the records kept stay few.

use super::*;
use crate::client::{ClientOp, ClientRequest};
use crate::node::Action;
use crate::types::{Ballot, ClientId};

const EVERY: u64 = 5;

/// One node's disk, kept two ways: every record but the checkpoints (a log that is
/// never trimmed), and what a runtime keeps (each checkpoint drops what came before).
#[derive(Default)]
struct Disk {
    plain: Vec<PaxosDurable>,
    kept: Vec<PaxosDurable>,
}

impl Disk {
    fn take(&mut self, out: &mut Out<PaxosNode>) {
        for a in out.take() {
            let Action::Persist(r) = a else { continue };
            if PaxosNode::is_checkpoint(&r) {
                self.kept.clear();
            } else {
                self.plain.push(r.clone());
            }
            self.kept.push(r);
        }
    }
}

fn config(buggy: Buggy) -> Arc<PaxosConfig> {
    let mut c = PaxosConfig::all_roles(3);
    c.settings.checkpoint_every = EVERY;
    c.settings.buggy = buggy;
    Arc::new(c)
}

/// Node 2 promises, accepts (and accepts again), and its own proposer is pre-empted
/// and retries, round after round: 60 to 90 records.
fn drive(buggy: Buggy, mut check: impl FnMut(&PaxosNode, &Disk)) {
    let config = config(buggy);
    let mut n = PaxosNode::new(NodeId(2), config.clone(), &[]);
    let (mut disk, mut out) = (Disk::default(), Out::new());
    let req = ClientRequest { client: ClientId(2), seq: 1, op: ClientOp::Propose { value: "Mine".into() } };
    n.on_request(Time(0), req, &mut out);
    for r in 1..=30u64 {
        let b = Ballot::new(3 * r, NodeId(1 + (r % 2) as u32 * 2));
        n.on_message(Time(0), b.node, PaxosMsg::Prepare { ballot: b }, &mut out);
        disk.take(&mut out);
        check(&n, &disk);
        let value = Value::data(format!("v{r}"));
        for _ in 0..2 {
            n.on_message(Time(0), b.node, PaxosMsg::Accept { ballot: b, value: value.clone() }, &mut out);
        }
        n.on_timer(Time(0), PaxosTimer::Retry, &mut out);
        disk.take(&mut out);
        check(&n, &disk);
    }
    assert!(disk.plain.len() >= 60, "{} records", disk.plain.len());
}

/// The roles a node restarted from `records` has.
fn restarted(config: &Arc<PaxosConfig>, records: &[PaxosDurable]) -> (Option<Proposer>, Option<Acceptor>, Saved) {
    let n = PaxosNode::new(NodeId(2), config.clone(), records);
    (n.proposer, n.acceptor, n.journal.saved)
}

#[test]
fn a_checkpoint_and_the_records_after_it_rebuild_the_node() {
    let config = config(Buggy::None);
    let mut checkpoints = 0;
    drive(Buggy::None, |live, disk| {
        let from_checkpoint = restarted(&config, &disk.kept);
        assert_eq!(from_checkpoint, restarted(&config, &disk.plain));
        // Every promise and acceptance was written: the acceptor is all on disk.
        assert_eq!(from_checkpoint.1.as_ref(), live.acceptor.as_ref());
        assert_eq!(live.journal.saved, from_checkpoint.2);
        // After a handler fewer than EVERY records follow the last checkpoint.
        assert!(disk.kept.len() as u64 <= EVERY, "{} records kept", disk.kept.len());
        checkpoints += usize::from(PaxosNode::is_checkpoint(&disk.kept[0]));
    });
    assert!(checkpoints > 10, "{checkpoints} steps started from a checkpoint");
}

/// A checkpoint holds what the node wrote, not what it knows: the forgetful acceptor's
/// promises stay forgotten, and a proposer's round stays the last one it used.
#[test]
fn a_checkpoint_holds_only_what_was_written() {
    let config = config(Buggy::ForgetfulAcceptor);
    let mut forgot = 0;
    drive(Buggy::ForgetfulAcceptor, |live, disk| {
        assert_eq!(restarted(&config, &disk.kept), restarted(&config, &disk.plain));
        let (proposer, acceptor, _) = restarted(&config, &disk.kept);
        let (acceptor, live_acceptor) = (acceptor.expect("an acceptor"), live.acceptor.as_ref().expect("acceptor"));
        forgot += usize::from(acceptor.promised < live_acceptor.promised);
        let proposer = proposer.expect("a proposer");
        assert!(proposer.max_round <= live.proposer.as_ref().expect("proposer").max_round);
    });
    assert!(forgot > 10, "the promise was forgotten after only {forgot} steps");
}
