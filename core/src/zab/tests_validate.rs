//! The loader refuses seeded histories no real ensemble can reach, naming the field
//! at fault; every built-in scenario passes.

use crate::scenarios::{builtin_names, builtin_text, Scenario, ScenarioError};

/// A three-server ZAB scenario with these `[[zab.servers]]` tables.
fn load(servers: &str) -> Result<Scenario, ScenarioError> {
    let text = format!("name = \"t\"\ndescription = \"t\"\nprotocol = \"zab\"\n\n[nodes]\ncount = 3\n{servers}");
    Scenario::parse("t.toml", &text)
}

/// The field and message of the error loading these servers gives.
fn refused(servers: &str) -> (String, String) {
    let e = load(servers).expect_err("a history ZAB cannot reach");
    (e.field, e.message)
}

fn server(id: u32, rest: &str) -> String {
    format!("\n[[zab.servers]]\nid = {id}\n{rest}\n")
}

#[test]
fn a_delivered_zxid_must_be_logged_by_a_quorum_of_voters() {
    // The first `zab-election-epoch`: 0x200000001 delivered, logged by server 2 alone.
    let servers = [
        server(1, "log = [[1, 9]]\ndelivered = [1, 5]"),
        server(2, "log = [[1, 5], [2, 1]]"),
        server(3, "log = [[1, 5]]"),
    ];
    assert_eq!(
        refused(&servers.concat()),
        (
            "zab.servers[1].delivered".into(),
            "0x200000001 is delivered, but only 1 of 3 voters logged it (servers 2): a leader commits a proposal only once a quorum (2) logged it".into()
        )
    );
}

#[test]
fn a_current_epoch_must_have_been_accepted_by_a_quorum_of_voters() {
    let servers = [
        server(1, "log = [[1, 9]]\ndelivered = [1, 5]"),
        server(2, "log = [[1, 5], [2, 1]]\ndelivered = [1, 5]"),
        server(3, "log = [[1, 5]]"),
    ];
    assert_eq!(
        refused(&servers.concat()),
        (
            "zab.servers[1].current_epoch".into(),
            "epoch 2 is current here, but only 1 of 3 voters accepted an epoch that high (servers 2): an epoch is established only after a quorum (2) accepted it".into()
        )
    );
}

#[test]
fn a_log_must_hold_the_committed_history_as_a_prefix() {
    // Server 2 went on to epoch 2 without 0x100000004, which servers 1 and 3 delivered.
    let servers = [
        server(1, "log = [[1, 5]]"),
        server(2, "log = [[1, 3], [2, 1]]\ndelivered = [1, 3]"),
        server(3, "log = [[1, 5]]"),
    ];
    assert_eq!(
        refused(&servers.concat()),
        (
            "zab.servers[1].log".into(),
            "has 0x200000001 but lacks 0x100000004, which was committed before it: a log holds what is committed as a prefix, and only older proposals that were never committed may follow it".into()
        )
    );
    // Delivered histories that fork are refused the same way, at the one that differs.
    let forked =
        [server(1, "log = [[1, 3]]"), server(2, "log = [[2, 1]]\ncurrent_epoch = 2"), server(3, "log = [[1, 3]]")];
    assert_eq!(
        refused(&forked.concat()),
        ("zab.servers[1].delivered".into(), "delivered histories disagree: one must be a prefix of the other".into())
    );
}

#[test]
fn epochs_must_be_ordered() {
    assert_eq!(
        refused(&server(1, "log = [[2, 1]]\ncurrent_epoch = 1")),
        (
            "zab.servers[0].current_epoch".into(),
            "1 is below the epoch of its last zxid (2): a server logs a proposal of an epoch only after that epoch became its current one".into()
        )
    );
    assert_eq!(
        refused(&server(1, "current_epoch = 2\naccepted_epoch = 1")),
        (
            "zab.servers[0].accepted_epoch".into(),
            "1 is below the current epoch (2): an epoch is accepted before it becomes current".into()
        )
    );
    assert_eq!(
        refused(&[server(1, ""), server(1, "")].concat()),
        ("zab.servers[1].id".into(), "server 1 is listed twice".into())
    );
}

#[test]
fn a_reachable_history_loads() {
    // Epoch 2 established by servers 2 and 3; server 2 logged 0x200000001 alone; server
    // 1 keeps four stale proposals of epoch 1 that were never committed.
    let servers = [
        server(1, "log = [[1, 9]]\ndelivered = [1, 5]"),
        server(2, "log = [[1, 5], [2, 1]]\ndelivered = [1, 5]"),
        server(3, "log = [[1, 5]]\ncurrent_epoch = 2"),
    ];
    assert!(load(&servers.concat()).is_ok());
}

#[test]
fn every_builtin_scenario_passes_validation() {
    for name in builtin_names() {
        let text = builtin_text(name).expect("listed");
        if let Err(e) = Scenario::parse(name, text) {
            panic!("{e}");
        }
    }
}
