//! `ensemble cli` and `ensemble status` as a user runs them, against the mock `/client`
//! server running in this test's process: piped scripts, one-shot commands, exit codes,
//! errors on stderr. Loopback only; every wait is bounded by the CLI's `--timeout-ms`.

#[path = "support/mock_server.rs"]
mod mock_server;
#[path = "support/run_cli.rs"]
mod run_cli;

use run_cli::{ensemble, text};

/// A mock server on its own runtime (the test thread blocks on the child process).
fn mock() -> (tokio::runtime::Runtime, mock_server::MockServer) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let server = rt.block_on(mock_server::start());
    (rt, server)
}

#[test]
fn a_piped_script_runs_line_by_line() {
    let (_rt, m) = mock();
    let server = m.addr.to_string();
    let o = ensemble(&["cli", "--server", &server, "--timeout-ms", "5000"], "create /a x\nget /a\nls /\n");
    assert_eq!(text(&o.stdout), "/a\nx\na\n");
    assert_eq!(text(&o.stderr), "");
    assert_eq!(o.status.code(), Some(0));
    let o = ensemble(&["cli", "--server", &format!("ws://{server}")], "get /nope\n");
    assert_eq!(text(&o.stderr), "error: NoNode: get /nope\n");
    assert_eq!(o.status.code(), Some(1), "the last command's status");
}

#[test]
fn one_shot_commands_exit_0_or_1() {
    let (_rt, m) = mock();
    let server = format!("http://{}", m.addr);
    let o = ensemble(&["cli", "--server", &server, "create", "-s", "/job-", "payload"], "");
    assert_eq!(text(&o.stdout), "/job-0000000000\n", "{}", text(&o.stderr));
    assert_eq!(o.status.code(), Some(0));
    let o = ensemble(&["cli", "--server", &server, "get", "/nope"], "");
    assert_eq!((o.status.code(), text(&o.stderr)), (Some(1), "error: NoNode: get /nope\n".into()));
    let o = ensemble(&["cli", "--server", &server, "exists", "/nope"], "");
    assert_eq!((o.status.code(), text(&o.stdout)), (Some(1), "false\n".into()));
}

#[test]
fn an_unreachable_server_is_connection_loss() {
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let o = ensemble(&["cli", "--server", &gone, "--timeout-ms", "2000", "ls", "/"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).starts_with("error: ConnectionLoss: connect"), "{}", text(&o.stderr));
}

#[test]
fn status_prints_json_or_a_table() {
    let (_rt, m) = mock();
    let server = m.addr.to_string();
    let o = ensemble(&["status", "--server", &server], "");
    assert_eq!(o.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("pretty JSON");
    assert_eq!(json, mock_server::status());
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let o = ensemble(&["status", "--table", "--server", &format!("{server},{gone}")], "");
    assert_eq!(o.status.code(), Some(1), "a server is unreachable");
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[1].starts_with(&server) && lines[1].contains("LEADING"), "{out}");
    assert!(lines[2].starts_with(&gone) && lines[2].contains("unreachable"), "{out}");
    assert!(text(&o.stderr).contains(&format!("error: unreachable: {gone}")));
}
