//! The scenarios shipped inside the crate, loadable by name from the CLI and the web app.

use super::spec::Scenario;

macro_rules! builtin_files {
    ($($name:literal),* $(,)?) => {
        /// Each scenario's name and its file precompiled to JSON (`build.rs`).
        const FILES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!(env!("OUT_DIR"), "/scenarios/", $name, ".json")))),*
        ];
        /// The files themselves, in the same order. Only with `text`: an array that
        /// `FILES` shared would keep every file's text in the web app's download.
        #[cfg(feature = "text")]
        const TEXTS: &[&str] = &[$(include_str!(concat!("../../scenarios/", $name, ".toml"))),*];
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
    FILES.iter().map(|(n, json)| parse_builtin(n, json)).collect()
}

pub fn find_builtin(name: &str) -> Option<Scenario> {
    FILES.iter().find(|(n, _)| *n == name).map(|(n, json)| parse_builtin(n, json))
}

/// The TOML text of a built-in scenario, to show or save as a starting point.
#[cfg(feature = "text")]
pub fn builtin_text(name: &str) -> Option<&'static str> {
    FILES.iter().position(|(n, _)| *n == name).map(|i| TEXTS[i])
}

/// Built-ins load from their JSON form in every build, so native and wasm runs start
/// from the same data.
fn parse_builtin(name: &str, json: &str) -> Scenario {
    Scenario::from_json(&format!("builtin:{name}"), json).unwrap_or_else(|e| panic!("built-in scenario is broken: {e}"))
}

#[cfg(all(test, feature = "text"))]
mod tests {
    use super::*;

    #[test]
    fn the_precompiled_json_gives_the_scenarios_the_files_give() {
        for ((name, json), toml) in FILES.iter().zip(TEXTS) {
            let file = format!("{name}.toml");
            assert_eq!(Scenario::parse(&file, toml), Scenario::from_json(&file, json), "{name}");
        }
    }
}
