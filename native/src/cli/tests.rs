//! `ensemble cli`'s command runner and shell against the mock `/client` server, its line
//! splitting and completion, and `ensemble status`'s HTTP and table. Loopback only;
//! every wait is bounded.

use super::commands::{Session, ShellLine};
use super::shell::{command_names, path_candidates, piped, words, ShellHelper};
use super::status::{fetch_status, table};
use crate::client::{Client, CreateMode};
use crate::mock_server;
use clap::Parser;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Runtime;

/// An output the test reads back.
#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buf {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A runtime, a mock server in it, and a CLI session connected to the mock.
struct Setup {
    rt: Runtime,
    mock: mock_server::MockServer,
    session: Session,
    out: Buf,
    err: Buf,
}

fn setup() -> Setup {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mock = rt.block_on(mock_server::start());
    let client = rt.block_on(Client::connect(&mock.addr.to_string(), 4000, None)).unwrap();
    let (out, err) = (Buf::default(), Buf::default());
    let mut session = Session::new(Arc::new(client), Box::new(out.clone()), Box::new(err.clone()));
    session.interruptible = false;
    Setup { rt, mock, session, out, err }
}

fn script(s: &mut Setup, lines: &str) -> u8 {
    piped(&s.rt, &mut s.session, lines.as_bytes())
}

#[test]
fn a_piped_script_prints_plain_lines_and_exits_with_the_last_status() {
    let mut s = setup();
    let status = script(&mut s, "create /a x\ncreate /a/b 'hello world'\nget /a\nls /a\n# a comment\n\nsync /\n");
    assert_eq!(status, 0);
    assert_eq!(s.out.text(), "/a\n/a/b\nx\nb\n0x100000002\n");
    assert_eq!(s.err.text(), "");
    assert_eq!(script(&mut s, "get /nope\n"), 1);
    assert_eq!(s.err.text(), "error: NoNode: get /nope\n");
    assert_eq!(script(&mut s, "get /nope\nls /\n"), 0, "a failure does not stop the script");
}

#[test]
fn errors_name_the_zookeeper_code_and_the_command() {
    let mut s = setup();
    script(&mut s, "create /a x\ncreate /a y\nset -v 7 /z d\ndelete /\nstat /missing\n");
    let err = s.err.text();
    assert!(err.contains("error: NodeExists: create /a\n"), "{err}");
    assert!(err.contains("error: NoNode: set /z\n"), "{err}");
    assert!(err.contains("error: NoNode: stat /missing\n"), "{err}");
    assert_eq!(err.lines().count(), 4, "{err}");
}

#[test]
fn stat_exists_and_set_print_what_zkcli_prints() {
    let mut s = setup();
    assert_eq!(script(&mut s, "create /a x\nexists /a\n"), 0);
    assert_eq!(script(&mut s, "exists /b\n"), 1);
    assert_eq!(script(&mut s, "set -s /a -y\nget -s /a\n"), 0);
    let out = s.out.text();
    assert!(out.starts_with("/a\ntrue\nfalse\ncZxid = 0x100000001\n"), "{out}");
    assert!(out.contains("dataVersion = 1\n"), "{out}");
    assert!(out.contains("\n-y\ncZxid = "), "the data may start with a dash: {out}");
    assert!(out.contains("ephemeralOwner = 0x0\n") && out.contains("numChildren = 0\n"), "{out}");
}

#[test]
fn help_usage_errors_and_quit() {
    let mut s = setup();
    assert_eq!(script(&mut s, "help\n"), 0);
    let help = s.out.text();
    for name in ["create", "get", "set", "delete", "ls", "stat", "exists", "sync", "watch", "quit"] {
        assert!(help.contains(name), "{name} in {help}");
    }
    assert_eq!(script(&mut s, "frobnicate /a\n"), 1);
    assert_eq!(script(&mut s, "get\n"), 1);
    assert_eq!(script(&mut s, "create /a \"unterminated\n"), 1);
    assert!(s.err.text().contains("unterminated"), "{}", s.err.text());
    assert_eq!(script(&mut s, "create /q 1\nquit\ncreate /r 2\n"), 0);
    assert!(!s.out.text().contains("/r"), "nothing runs after quit");
}

#[test]
fn watch_prints_each_event_and_re_arms() {
    let mut s = setup();
    let other = s.rt.block_on(Client::connect(&s.mock.addr.to_string(), 4000, None)).unwrap();
    script(&mut s, "create /w 0\n");
    // Another session keeps changing /w's data and children until the watch is done
    // (a bounded number of times): four events on /w take re-armed one-shot watches.
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = done.clone();
    s.rt.spawn(async move {
        for i in 0..300 {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            other.set("/w", &i.to_string(), None).await.expect("set");
            other.create(&format!("/w/c{i}"), "", CreateMode::Persistent).await.expect("create");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let ShellLine { cmd } = ShellLine::try_parse_from(["watch", "-n", "4", "/w"]).unwrap();
    let watched = s.rt.block_on(async { tokio::time::timeout(Duration::from_secs(10), s.session.run(&cmd)).await });
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(watched, Ok(0), "four events within 10 s");
    let out = s.out.text();
    let events: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(events.len(), 4, "{out}");
    assert!(events.iter().all(|e| *e == "data_changed /w" || *e == "children_changed /w"), "{out}");
    assert!(events.contains(&"data_changed /w") && events.contains(&"children_changed /w"), "{out}");
}

#[test]
fn a_lost_connection_fails_the_command_with_connection_loss() {
    let mut s = setup();
    assert_eq!(script(&mut s, "get /drop\nls /\n"), 1);
    let err = s.err.text();
    assert!(err.starts_with("error: ConnectionLoss: get /drop"), "{err}");
    assert!(err.contains("error: ConnectionLoss: ls /"), "{err}");
    drop(s.mock);
}

#[test]
fn lines_split_into_words_with_quotes() {
    assert_eq!(words("  create  -e /a  'x y'  ").unwrap(), ["create", "-e", "/a", "x y"]);
    assert_eq!(words(r#"set /a "say \"hi\"" "#).unwrap(), ["set", "/a", r#"say "hi""#]);
    assert_eq!(words(r"set /a a\ b ''").unwrap(), ["set", "/a", "a b", ""]);
    assert!(words("get 'open").is_err());
}

#[test]
fn completion_knows_the_commands_and_lists_parents() {
    let names = command_names();
    for n in ["create", "ls", "watch", "help", "quit"] {
        assert!(names.iter().any(|c| c == n), "{n}");
    }
    let children = |p: &str| match p {
        "/" => vec!["app".to_string(), "apple".into(), "zoo".into()],
        "/app" => vec!["lock-1".to_string(), "config".into()],
        _ => Vec::new(),
    };
    assert_eq!(path_candidates("/ap", children), ["/app", "/apple"]);
    assert_eq!(path_candidates("/app/", children), ["/app/config", "/app/lock-1"]);
    assert_eq!(path_candidates("/app/l", children), ["/app/lock-1"]);
    assert!(path_candidates("app", children).is_empty());
}

#[test]
fn tab_completes_commands_and_paths_from_the_server() {
    use rustyline::completion::Completer;
    let mut s = setup();
    script(&mut s, "create /app x\ncreate /apple y\ncreate /app/config z\n");
    let helper = ShellHelper::new(s.session.client.clone(), s.rt.handle().clone());
    let history = rustyline::history::DefaultHistory::new();
    let ctx = rustyline::Context::new(&history);
    let complete = |line: &str| {
        let (start, found) = helper.complete(line, line.len(), &ctx).unwrap();
        (start, found.into_iter().map(|p| p.replacement).collect::<Vec<_>>())
    };
    assert_eq!(complete("cr"), (0, vec!["create".to_string()]));
    assert_eq!(complete("get /ap"), (4, vec!["/app".to_string(), "/apple".into()]));
    assert_eq!(complete("ls /app/c"), (3, vec!["/app/config".to_string()]));
    assert_eq!(complete("get /nope/x").1, Vec::<String>::new());
}

#[test]
fn status_fetches_json_and_tables_unreachable_servers() {
    let rt = Runtime::new().unwrap();
    let mock = rt.block_on(mock_server::start());
    let addr = mock.addr.to_string();
    let got = rt.block_on(fetch_status(&format!("http://{addr}"), Duration::from_secs(5))).unwrap();
    assert_eq!(got["state"], "LEADING");
    // A port nobody listens on: taken, then freed.
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let lost = rt.block_on(fetch_status(&gone, Duration::from_secs(5)));
    assert!(lost.is_err());
    let text = table(&[(addr.as_str(), Ok(got)), (gone.as_str(), lost)]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("server") && lines[0].ends_with("id  state        epoch  last_zxid    leader  znodes")
    );
    assert!(lines[1].contains("1   LEADING      3      0x300000004  1       5"), "{text}");
    assert!(lines[2].contains("-   unreachable  -"), "{text}");
}
