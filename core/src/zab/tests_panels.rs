//! The typed views behind the web app's ZAB panels: a server's vote table and its tree
//! beside the others', from runs of built-in scenarios.

use super::panels::{servers, tree_view, vote_table, Difference, Versus, VoteField, VoteRow, ZnodeFacts};
use super::*;
use crate::scenarios::find_builtin;
use crate::sim::Sim;
use crate::tree::{Stat, WatchKind};

fn run(name: &str, until_ms: u64) -> Sim<ZabNode> {
    let s = find_builtin(name).expect("a built-in scenario");
    let mut sim = build(&s, s.seed);
    while sim.next_time().is_some_and(|t| t.ms() <= until_ms) {
        sim.step();
    }
    sim
}

fn vote(leader: u32, epoch: u32, zxid: (u32, u32)) -> Vote {
    Vote { leader: NodeId(leader), zxid: Zxid::new(Epoch(zxid.0), zxid.1), peer_epoch: Epoch(epoch) }
}

fn row(from: u32, v: Vote, field: VoteField, higher: bool) -> VoteRow {
    VoteRow {
        from: NodeId(from),
        vote: v.into(),
        out_of_election: false,
        leading: false,
        versus: Some(Versus { field, higher }),
    }
}

#[test]
fn the_vote_table_lists_this_rounds_votes_with_the_field_that_decides_each() {
    // zab-election-fresh, 5 ms in: node 2 has its own vote and node 1's, which loses on id.
    let sim = run("zab-election-fresh", 5);
    let t = vote_table(sim.node(NodeId(2)));
    assert_eq!((t.node, t.state, t.round, t.agreeing, t.quorum), (NodeId(2), ServerState::Looking, 1, 1, 2));
    assert_eq!(t.own, Some(vote(2, 0, (0, 0)).into()));
    assert_eq!(
        t.rows,
        vec![row(1, vote(1, 0, (0, 0)), VoteField::Id, false), row(2, vote(2, 0, (0, 0)), VoteField::Same, false)]
    );
}

#[test]
fn each_field_of_the_order_decides_in_its_turn_and_decided_servers_are_listed_apart() {
    let sim = run("zab-election-fresh", 0);
    let mut n = sim.node(NodeId(1)).clone();
    let own = vote(1, 1, (1, 5));
    n.election.vote = Some(own);
    n.election.received = [
        (NodeId(1), own),
        (NodeId(2), vote(2, 2, (1, 1))),
        (NodeId(3), vote(3, 1, (1, 4))),
        (NodeId(4), vote(4, 1, (1, 5))),
    ]
    .into();
    n.election.out_of_election = [(NodeId(5), vote(5, 1, (1, 5)))].into();
    n.election.leading = [NodeId(5)].into();
    let t = vote_table(&n);
    let mut decided = row(5, vote(5, 1, (1, 5)), VoteField::Id, true);
    (decided.out_of_election, decided.leading) = (true, true);
    let expected = vec![
        row(1, own, VoteField::Same, false),
        row(2, vote(2, 2, (1, 1)), VoteField::Epoch, true),
        row(3, vote(3, 1, (1, 4)), VoteField::Zxid, false),
        row(4, vote(4, 1, (1, 5)), VoteField::Id, true),
        decided,
    ];
    assert_eq!(t.rows, expected);
    // Server 4 is no voter of this 3-server ensemble: only 1 of this round agrees.
    assert_eq!((t.agreeing, t.quorum), (1, 2));
}

fn stat(czxid: u32, mzxid: u32, pzxid: u32, (ctime, mtime): (u64, u64), version: i32, len: u32) -> Stat {
    let z = |c| Zxid::new(Epoch(1), c);
    let (czxid, mzxid, pzxid) = (z(czxid), z(mzxid), z(pzxid));
    Stat { czxid, mzxid, pzxid, ctime_ms: ctime, mtime_ms: mtime, version, data_length: len, ..Stat::default() }
}

#[test]
fn a_created_znode_shows_its_data_stat_and_a_watch_on_the_server_that_holds_it() {
    let sim = run("zab-watch", 550);
    let all = servers(&sim).expect("a ZAB run");
    let t = tree_view(&all, NodeId(2)).expect("server 2");
    assert_eq!(t.last_zxid, Zxid::new(Epoch(1), 3));
    let paths: Vec<&str> = t.rows.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/", "/cfg"]);
    let cfg = &t.rows[1];
    let watches = vec![(WatchKind::Data, vec![SessionId(0x1_0000_0002)])];
    assert_eq!(cfg.here, Some(ZnodeFacts { data: "a".into(), stat: stat(3, 3, 3, (405, 405), 0, 1), watches }));
    // Watches are the server's own: the others hold the same znode without it, alike.
    assert!(cfg.differs.is_empty());
    assert!(tree_view(&all, NodeId(1)).expect("server 1").rows[1].here.as_ref().is_some_and(|z| z.watches.is_empty()));
}

#[test]
fn a_server_that_was_down_during_writes_lacks_them_and_the_others_have_them_extra() {
    let sim = run("zab-follower-far-behind", 700);
    let all = servers(&sim).expect("a ZAB run");
    let behind = tree_view(&all, NodeId(1)).expect("server 1");
    let both = |d| vec![(NodeId(2), d), (NodeId(3), d)];
    assert_eq!(behind.rows[0].differs, both(Difference::Stat), "/ has fewer children on 1");
    assert_eq!(behind.rows[1].path, "/k1");
    assert_eq!((behind.rows[1].here.clone(), behind.rows[1].differs.clone()), (None, both(Difference::Missing)));
    let leader = tree_view(&all, NodeId(3)).expect("server 3");
    let k1 = &leader.rows[1];
    assert_eq!(k1.differs, vec![(NodeId(1), Difference::Extra)]);
    let z = k1.here.as_ref().expect("/k1 on 3");
    assert_eq!((z.data.as_str(), z.stat), ("one", stat(2, 7, 2, (412, 511), 1, 3)));
    let paxos = find_builtin("paxos-basic").expect("a built-in scenario");
    let paxos = crate::protocol::lookup(paxos.protocol).build(&paxos, paxos.seed);
    assert!(servers(paxos.as_ref()).is_none(), "not a ZAB run");
}
