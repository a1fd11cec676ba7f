//! `ensemble cli`'s shell, like zkCli.sh: one command per line. On a terminal it edits
//! lines with rustyline (history in `~/.ensemble_cli_history`, Tab completes command
//! names and paths, the latter by listing the parent's children on the server); from a
//! pipe or file it reads plain lines itself, with no prompt, so scripts stay greppable.

use super::commands::{Cmd, Session, ShellLine};
use crate::client::Client;
use clap::{CommandFactory, Parser};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use std::io::{BufRead, Write};
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;

/// Split a line into words: blanks separate, `'...'` and `"..."` quote (`\` escapes
/// inside double quotes and outside quotes).
pub fn words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        match ch {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' | '"' => quoted(&mut chars, word.get_or_insert_with(String::new), ch)?,
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

/// Read a quoted part up to its closing `close` into `w`; `\` escapes only in `"`.
fn quoted(chars: &mut std::str::Chars<'_>, w: &mut String, close: char) -> Result<(), String> {
    loop {
        match chars.next() {
            Some(c) if c == close => return Ok(()),
            Some('\\') if close == '"' => w.extend(chars.next()),
            Some(c) => w.push(c),
            None => return Err(format!("unterminated {close} quote")),
        }
    }
}

/// Run one line; `None` to leave the shell, else the exit status of what ran.
pub fn run_line(rt: &Runtime, session: &mut Session, line: &str) -> Option<u8> {
    let words = match words(line.trim()) {
        Ok(w) if w.is_empty() || w[0].starts_with('#') => return Some(0),
        Ok(w) => w,
        Err(e) => {
            let _ = writeln!(session.err, "error: {e}");
            return Some(1);
        }
    };
    match ShellLine::try_parse_from(&words) {
        Ok(ShellLine { cmd: Cmd::Quit }) => None,
        Ok(ShellLine { cmd }) => Some(rt.block_on(session.run(&cmd))),
        Err(e) => {
            // `help` and `--help` are not failures; usage errors are.
            let (to, status) = if e.use_stderr() { (&mut session.err, 1) } else { (&mut session.out, 0) };
            let _ = write!(to, "{}", e.render());
            let _ = to.flush();
            Some(status)
        }
    }
}

/// Run every line of `input`; the exit status of the last command.
pub fn piped(rt: &Runtime, session: &mut Session, input: impl BufRead) -> u8 {
    let mut status = 0;
    for line in input.lines() {
        let Ok(line) = line else {
            let _ = writeln!(session.err, "error: stdin is not readable text");
            return 1;
        };
        match run_line(rt, session, &line) {
            Some(s) => status = s,
            None => break,
        }
    }
    status
}

/// The interactive shell on a terminal; the exit status of the last command.
pub fn interactive(rt: &Runtime, session: &mut Session, server: &str) -> u8 {
    let helper = ShellHelper::new(session.client.clone(), rt.handle().clone());
    let mut editor = match Editor::new() {
        Ok(e) => e,
        Err(e) => {
            let _ = writeln!(session.err, "error: the terminal: {e}");
            return 1;
        }
    };
    editor.set_helper(Some(helper));
    let history = std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".ensemble_cli_history"));
    if let Some(h) = &history {
        let _ = editor.load_history(h); // none yet is fine
    }
    let _ = writeln!(
        session.out,
        "connected to {server}, session 0x{:x}; `help` lists the commands",
        session.client.session_id()
    );
    let prompt = format!("[ensemble {server}] ");
    let mut status = 0;
    loop {
        match editor.readline(&prompt) {
            Ok(line) => {
                let _ = editor.add_history_entry(line.as_str());
                match run_line(rt, session, &line) {
                    Some(s) => status = s,
                    None => break,
                }
            }
            Err(ReadlineError::Interrupted) => continue, // Ctrl-C drops the line, as in a shell
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                let _ = writeln!(session.err, "error: reading the line: {e}");
                status = 1;
                break;
            }
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    status
}

/// Completion for the shell: command names first, then paths on the server.
pub(crate) struct ShellHelper {
    client: Arc<Client>,
    rt: tokio::runtime::Handle,
}

impl ShellHelper {
    /// `rt` runs the client; completion is asked for on a thread outside it.
    pub(crate) fn new(client: Arc<Client>, rt: tokio::runtime::Handle) -> ShellHelper {
        ShellHelper { client, rt }
    }
}

/// The shell's command names, as clap knows them.
pub fn command_names() -> Vec<String> {
    let cmd = ShellLine::command();
    let mut names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    if !names.iter().any(|n| n == "help") {
        names.push("help".into());
    }
    names
}

/// The paths `word` may complete to, given how to list a node's children.
pub fn path_candidates(word: &str, children: impl Fn(&str) -> Vec<String>) -> Vec<String> {
    let Some(slash) = word.rfind('/') else { return Vec::new() };
    let (parent, prefix) = (&word[..slash], &word[slash + 1..]);
    let list_of = if parent.is_empty() { "/" } else { parent };
    let mut paths: Vec<String> =
        children(list_of).into_iter().filter(|n| n.starts_with(prefix)).map(|n| format!("{parent}/{n}")).collect();
    paths.sort();
    paths
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = &before[start..];
        let found = if before[..start].trim().is_empty() {
            command_names().into_iter().filter(|n| n.starts_with(word)).collect()
        } else if word.starts_with('/') {
            // A short wait: a slow server must not freeze the prompt.
            let list = |p: &str| {
                // The timer must be made inside the runtime: this thread is not in it.
                let asked =
                    async { tokio::time::timeout(Duration::from_secs(2), self.client.children(p, false)).await };
                self.rt.block_on(asked).ok().and_then(Result::ok).unwrap_or_default()
            };
            path_candidates(word, list)
        } else {
            Vec::new()
        };
        Ok((start, found.into_iter().map(|s| Pair { display: s.clone(), replacement: s }).collect()))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}
impl Highlighter for ShellHelper {}
impl Validator for ShellHelper {}
impl Helper for ShellHelper {}
