//! The scenarios shipped inside the crate, loadable by name from the CLI and the web app.

use super::spec::Scenario;

macro_rules! builtin_files {
    ($($name:literal),* $(,)?) => {
        const FILES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../scenarios/", $name, ".toml")))),*
        ];
    };
}

builtin_files!(
    "paxos-basic",
    "paxos-competing-proposers",
    "paxos-livelock",
    "paxos-acceptor-crash",
    "paxos-minority-partition",
    "paxos-forgetful-acceptor",
    "paxos-no-value-adoption",
    "multipaxos-steady",
    "multipaxos-leader-crash",
    "multipaxos-partition-heal",
    "zab-election-fresh",
    "zab-leader-crash",
    "zab-election-zxid",
    "zab-election-epoch",
    "zab-crash-mid-broadcast-minority",
    "zab-crash-mid-broadcast-quorum",
    "zab-follower-far-behind",
    "zab-observer",
    "zab-minority-partition",
    "zab-split-brain-attempt",
    "zab-ephemeral-session-expiry",
    "zab-watch",
    "zab-recipe-lock",
    "zab-recipe-config",
    "zab-recipe-membership",
    "zab-multi-atomic",
    "zab-buggy-skip-trunc",
    "zab-buggy-commit-without-quorum",
    "zab-buggy-no-epoch-check",
);

pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(n, _)| *n)
}

/// Every built-in scenario, parsed. They are tested to parse, so this cannot fail.
pub fn builtin() -> Vec<Scenario> {
    FILES.iter().map(|(n, t)| parse_builtin(n, t)).collect()
}

pub fn find_builtin(name: &str) -> Option<Scenario> {
    FILES.iter().find(|(n, _)| *n == name).map(|(n, t)| parse_builtin(n, t))
}

/// The TOML text of a built-in scenario, to show or save as a starting point.
pub fn builtin_text(name: &str) -> Option<&'static str> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

fn parse_builtin(name: &str, text: &str) -> Scenario {
    Scenario::parse(&format!("builtin:{name}"), text).unwrap_or_else(|e| panic!("built-in scenario is broken: {e}"))
}
