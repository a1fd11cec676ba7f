//! The commands of `ensemble cli`, parsed by clap both from the command line and from
//! each shell line, and run against a connected `Client`, writing plain lines.

use crate::client::{Client, ClientError, CreateMode, ErrorCode, Stat, WatchEvent, WatchEventType};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Output conventions, shown under `ensemble cli --help` and the shell's `help`.
pub const OUTPUT_HELP: &str = "\
Output is plain and greppable: get prints the data on one line (then, with -s, the stat
as `name = value` lines, as zkCli.sh does); ls prints one child name per line; stat
prints the stat lines; exists prints true or false (exit 1 if false); create prints the
path as created; sync prints the zxid (0x...); watch prints `TYPE PATH` per event.
Errors go to stderr as `error: CODE: COMMAND PATH` with ZooKeeper's code (NoNode,
NodeExists, BadVersion, NotEmpty, ConnectionLoss, ...), and the exit status is 1.";

#[derive(Subcommand, Clone, Debug, PartialEq, Eq)]
pub enum Cmd {
    /// Create PATH holding DATA; print the path as created
    Create {
        /// Ephemeral: deleted when this session ends
        #[arg(short = 'e')]
        ephemeral: bool,
        /// Sequential: a 10-digit sequence number is appended to the name
        #[arg(short = 's')]
        sequential: bool,
        path: String,
        #[arg(default_value = "", allow_hyphen_values = true)]
        data: String,
    },
    /// Print PATH's data on one line
    Get {
        /// Then print its stat
        #[arg(short = 's')]
        stat: bool,
        path: String,
    },
    /// Set PATH's data
    Set {
        /// Only if PATH's version is VERSION (BadVersion otherwise)
        #[arg(short = 'v')]
        version: Option<i32>,
        /// Print the new stat
        #[arg(short = 's')]
        stat: bool,
        path: String,
        #[arg(allow_hyphen_values = true)]
        data: String,
    },
    /// Delete PATH (it must have no children)
    Delete {
        /// Only if PATH's version is VERSION (BadVersion otherwise)
        #[arg(short = 'v')]
        version: Option<i32>,
        path: String,
    },
    /// Print the names of PATH's children, one per line, in name order
    Ls {
        #[arg(default_value = "/")]
        path: String,
    },
    /// Print PATH's stat
    Stat { path: String },
    /// Print true (exit 0) if PATH exists, false (exit 1) if not
    Exists { path: String },
    /// Catch this server up with the leader; print the zxid it has applied
    Sync {
        #[arg(default_value = "/")]
        path: String,
    },
    /// Print PATH's events (`TYPE PATH`) as they come, re-arming the watches, until
    /// interrupted (Ctrl-C) or COUNT events
    Watch {
        #[arg(short = 'n', long)]
        count: Option<u64>,
        path: String,
    },
    /// Leave the shell
    #[command(alias = "exit")]
    Quit,
}

// One shell line: a command as its first word (clap's multicall: no program name).
#[derive(Parser, Debug)]
#[command(multicall = true, about = "The commands of the ensemble cli shell", after_help = OUTPUT_HELP)]
pub struct ShellLine {
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// Why a command failed: the server said no, or the output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CmdError {
    #[error("{0}")]
    Client(#[from] ClientError),
    #[error("writing the output: {0}")]
    Io(#[from] std::io::Error),
}

/// A connected session as the CLI uses it: the client, its watch events, the output.
pub struct Session {
    pub client: Arc<Client>,
    watches: mpsc::Receiver<WatchEvent>,
    /// Whether `watch` stops on Ctrl-C (not in tests: a handler would outlive them).
    pub interruptible: bool,
    pub out: Box<dyn Write + Send>,
    pub err: Box<dyn Write + Send>,
}

impl Session {
    pub fn new(client: Arc<Client>, out: Box<dyn Write + Send>, err: Box<dyn Write + Send>) -> Session {
        // A client taken for a session is fresh: its watch receiver is still there.
        let watches = client.watches().unwrap_or_else(|| mpsc::channel(1).1);
        Session { client, watches, interruptible: true, out, err }
    }

    /// Run `cmd`; its exit status (0 ok, 1 failed), the error already printed.
    pub async fn run(&mut self, cmd: &Cmd) -> u8 {
        match self.execute(cmd).await {
            Ok(status) => status,
            Err(e) => {
                let _ = writeln!(self.err, "error: {}", describe(cmd, &e));
                1
            }
        }
    }

    async fn execute(&mut self, cmd: &Cmd) -> Result<u8, CmdError> {
        let c = self.client.clone();
        let out = &mut self.out;
        match cmd {
            Cmd::Create { ephemeral, sequential, path, data } => {
                writeln!(out, "{}", c.create(path, data, CreateMode::new(*ephemeral, *sequential)).await?)?
            }
            Cmd::Get { stat, path } => {
                let (data, s) = c.get(path, false).await?;
                writeln!(out, "{data}")?;
                if *stat {
                    write_stat(out, &s)?;
                }
            }
            Cmd::Set { version, stat, path, data } => {
                let s = c.set(path, data, *version).await?;
                if *stat {
                    write_stat(out, &s)?;
                }
            }
            Cmd::Delete { version, path } => {
                c.delete(path, *version).await?;
            }
            Cmd::Ls { path } => c.children(path, false).await?.iter().try_for_each(|n| writeln!(out, "{n}"))?,
            Cmd::Stat { path } => match c.exists(path, false).await? {
                Some(s) => write_stat(out, &s)?,
                None => return Err(no_node(path)),
            },
            Cmd::Exists { path } => {
                let found = c.exists(path, false).await?.is_some();
                writeln!(out, "{found}")?;
                out.flush()?;
                return Ok(u8::from(!found));
            }
            Cmd::Sync { path } => writeln!(out, "{}", c.sync(path).await?)?,
            Cmd::Watch { count, path } => self.watch(path, *count).await?,
            Cmd::Quit => {}
        }
        self.out.flush()?;
        Ok(0)
    }

    /// Print `path`'s events until `count` of them, Ctrl-C, or a lost connection;
    /// after each, re-arm the watch it used up (a watch fires once).
    async fn watch(&mut self, path: &str, count: Option<u64>) -> Result<(), CmdError> {
        let mut armed = Armed::default();
        let mut seen = 0;
        loop {
            armed.arm(&self.client, path).await?;
            if count.is_some_and(|n| seen >= n) {
                return Ok(());
            }
            let event = tokio::select! {
                ev = self.watches.recv() => ev,
                _ = tokio::signal::ctrl_c(), if self.interruptible => return Ok(()),
            };
            let Some(ev) = event else {
                return Err(ClientError::ConnectionLoss("the connection closed".into()).into());
            };
            // Events of other paths are left over from earlier watches.
            if ev.path != path {
                continue;
            }
            writeln!(self.out, "{} {}", ev.kind.name(), ev.path)?;
            self.out.flush()?;
            seen += 1;
            armed.used(ev.kind);
        }
    }
}

/// Which of a path's watches are set: its data (get, or exists while it is missing)
/// and its children.
#[derive(Default)]
struct Armed {
    data: bool,
    children: bool,
}

impl Armed {
    async fn arm(&mut self, c: &Client, path: &str) -> Result<(), ClientError> {
        if !self.data {
            match c.get(path, true).await {
                // Missing: exists leaves a watch that fires when it is created.
                Err(e) if e.code() == ErrorCode::NoNode => {
                    c.exists(path, true).await?;
                }
                other => {
                    other?;
                }
            }
            self.data = true;
        }
        if !self.children {
            match c.children(path, true).await {
                Ok(_) => self.children = true,
                // Armed again once it is created.
                Err(e) if e.code() == ErrorCode::NoNode => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn used(&mut self, kind: WatchEventType) {
        match kind {
            WatchEventType::Created | WatchEventType::DataChanged => self.data = false,
            WatchEventType::ChildrenChanged => self.children = false,
            WatchEventType::Deleted => *self = Armed::default(),
        }
    }
}

/// `stat` of a missing node fails as `get` would.
fn no_node(path: &str) -> CmdError {
    ClientError::Server { code: ErrorCode::NoNode, message: format!("stat {path}") }.into()
}

/// `CODE: COMMAND PATH`, and the server's words when they add something.
pub fn describe(cmd: &Cmd, e: &CmdError) -> String {
    let what = command_line(cmd);
    match e {
        CmdError::Client(e) => {
            let said = e.message();
            if said.is_empty() || said == what {
                format!("{}: {what}", e.code_name())
            } else {
                format!("{}: {what}: {said}", e.code_name())
            }
        }
        CmdError::Io(e) => format!("{what}: writing the output: {e}"),
    }
}

/// The command's name and path, as the error line names it.
fn command_line(cmd: &Cmd) -> String {
    let (name, path) = match cmd {
        Cmd::Create { path, .. } => ("create", path),
        Cmd::Get { path, .. } => ("get", path),
        Cmd::Set { path, .. } => ("set", path),
        Cmd::Delete { path, .. } => ("delete", path),
        Cmd::Ls { path } => ("ls", path),
        Cmd::Stat { path } => ("stat", path),
        Cmd::Exists { path } => ("exists", path),
        Cmd::Sync { path } => ("sync", path),
        Cmd::Watch { path, .. } => ("watch", path),
        Cmd::Quit => return "quit".into(),
    };
    format!("{name} {path}")
}

/// The stat as zkCli.sh prints it: `name = value` lines, zxids in hex.
pub fn write_stat(out: &mut dyn Write, s: &Stat) -> std::io::Result<()> {
    let owner = s.ephemeral_owner.map_or(0, |o| o.0);
    writeln!(out, "cZxid = {}\nctime = {}\nmZxid = {}\nmtime = {}", s.czxid, s.ctime_ms, s.mzxid, s.mtime_ms)?;
    writeln!(out, "pZxid = {}\ncversion = {}\ndataVersion = {}", s.pzxid, s.cversion, s.version)?;
    writeln!(out, "ephemeralOwner = 0x{owner:x}\ndataLength = {}\nnumChildren = {}", s.data_length, s.num_children)
}
