//! Run the `ensemble` binary with a script on its stdin, for the CLI's process tests.

#![allow(dead_code)] // each includer uses its own part

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Run `ensemble ARGS` with `stdin` piped in; it ends by itself (the CLI bounds every
/// wait by its `--timeout-ms`).
pub fn ensemble(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ensemble"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ensemble starts");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("script written");
    child.wait_with_output().expect("ensemble ends")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
