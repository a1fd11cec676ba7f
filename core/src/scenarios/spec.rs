//! The scenario format and its validation. Errors name the file, line and field.

use super::expect::Expect;
use crate::client::ClientOp;
pub use crate::multipaxos::MultiPaxosSettings;
pub use crate::paxos::PaxosSettings;
use crate::sim::{Intervention, NetConfig};
use crate::types::{ClientId, NodeId};
pub use crate::zab::ZabSettings;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Paxos,
    Multipaxos,
    Zab,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub description_zh: String,
    /// What to try next, worded for each surface: the command line and the browser.
    #[serde(default, skip_serializing_if = "Hint::is_empty")]
    pub hint: Hint,
    pub protocol: Protocol,
    #[serde(default)]
    pub seed: u64,
    pub nodes: NodesSpec,
    #[serde(default)]
    pub network: NetConfig,
    #[serde(default)]
    pub paxos: PaxosSettings,
    #[serde(default)]
    pub multipaxos: MultiPaxosSettings,
    #[serde(default)]
    pub zab: ZabSettings,
    #[serde(default)]
    pub run: RunSpec,
    #[serde(default)]
    pub schedule: Vec<ScheduleItem>,
    #[serde(default)]
    pub expect: Expect,
}

/// What to try next after a scenario, in each surface's own words: the command line
/// names flags (`--fix ...`), the browser names what is on the page. Any may be empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Hint {
    pub cli: String,
    pub cli_zh: String,
    pub web: String,
    pub web_zh: String,
}

impl Hint {
    pub fn is_empty(&self) -> bool {
        *self == Hint::default()
    }
}

/// Where a scenario's description is shown: each surface has its own hint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    Cli,
    Web,
}

impl Scenario {
    /// The description in `lang` (English where there is no Chinese), then the hint for
    /// `surface`, if any.
    pub fn describe(&self, lang: crate::explain::Lang, surface: Surface) -> String {
        let zh = lang == crate::explain::Lang::Zh;
        let pick =
            |en: &str, zh_text: &str| if zh && !zh_text.is_empty() { zh_text.to_string() } else { en.to_string() };
        let text = pick(&self.description, &self.description_zh);
        let hint = match surface {
            Surface::Cli => pick(&self.hint.cli, &self.hint.cli_zh),
            Surface::Web => pick(&self.hint.web, &self.hint.web_zh),
        };
        if hint.is_empty() {
            text
        } else {
            format!("{text} {hint}")
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodesSpec {
    pub count: u32,
    /// Paxos roles; empty means every node.
    #[serde(default)]
    pub proposers: Vec<u32>,
    #[serde(default)]
    pub acceptors: Vec<u32>,
    #[serde(default)]
    pub learners: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunSpec {
    /// Stop once virtual time passes this.
    pub until_ms: u64,
    /// Stop after this many steps at most.
    pub max_steps: u64,
}

impl RunSpec {
    /// Whether a run that took `steps` steps, whose next input is due at `next_ms`,
    /// may go on within these limits.
    pub fn allows(&self, steps: u64, next_ms: Option<u64>) -> bool {
        steps < self.max_steps && next_ms.is_some_and(|t| t <= self.until_ms)
    }
}

impl Default for RunSpec {
    fn default() -> Self {
        RunSpec { until_ms: 5_000, max_steps: 200_000 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    pub node: u32,
    pub value: String,
}

/// Any client operation (`docs/scenarios.md`), e.g.
/// `client = { node = 1, client = 7, op = "create", path = "/a", ephemeral = true }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientSpec {
    pub node: u32,
    /// The client's number; default: the node's (one client per server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<u32>,
    #[serde(flatten)]
    pub op: ClientOp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlowLinkSpec {
    pub from: u32,
    pub to: u32,
    pub extra_ms: u64,
}

/// One timed entry of the schedule: exactly one action field is set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleItem {
    pub at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<Vec<Vec<u32>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heal: Option<bool>,
    /// The network stops losing, duplicating and reordering messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calm: Option<bool>,
    /// `{ from, to, extra_ms }`: that link becomes slower (0 restores it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slow_link: Option<SlowLinkSpec>,
    /// Crash whichever node leads at that moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash_leader: Option<bool>,
    /// Partition the current leader away from all others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolate_leader: Option<bool>,
}

/// A scenario that could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if !self.field.is_empty() {
            write!(f, "field `{}`: ", self.field)?;
        }
        write!(f, "{}", self.message)
    }
}

impl ScheduleItem {
    /// The intervention this entry performs, or what is wrong with it.
    pub fn intervention(&self) -> Result<Intervention, (&'static str, String)> {
        let mut set = Vec::new();
        if let Some(r) = &self.request {
            set.push(("request", Intervention::Request { node: NodeId(r.node), value: r.value.clone() }));
        }
        if let Some(c) = &self.client {
            let client = ClientId(c.client.unwrap_or(c.node));
            set.push(("client", Intervention::Client { node: NodeId(c.node), client, op: c.op.clone() }));
        }
        if let Some(n) = self.crash {
            set.push(("crash", Intervention::Crash { node: NodeId(n) }));
        }
        if let Some(n) = self.restart {
            set.push(("restart", Intervention::Restart { node: NodeId(n) }));
        }
        if let Some(g) = &self.partition {
            let groups = g.iter().map(|g| g.iter().map(|n| NodeId(*n)).collect()).collect();
            set.push(("partition", Intervention::Partition { groups }));
        }
        if self.heal == Some(true) {
            set.push(("heal", Intervention::Heal {}));
        }
        if let Some(l) = &self.slow_link {
            let iv = Intervention::SlowLink { from: NodeId(l.from), to: NodeId(l.to), extra_ms: l.extra_ms };
            set.push(("slow_link", iv));
        }
        if self.calm == Some(true) {
            set.push(("calm", Intervention::Calm {}));
        }
        if self.crash_leader == Some(true) {
            set.push(("crash_leader", Intervention::CrashLeader {}));
        }
        if self.isolate_leader == Some(true) {
            set.push(("isolate_leader", Intervention::IsolateLeader {}));
        }
        match set.len() {
            1 => Ok(set.pop().expect("one").1),
            0 => Err((
                "at_ms",
                "no action: set one of request, client, crash, restart, partition, heal, calm, slow_link, crash_leader, isolate_leader"
                    .into(),
            )),
            _ => Err((set[1].0, format!("more than one action ({} and {}): use one entry each", set[0].0, set[1].0))),
        }
    }

    fn nodes(&self) -> Vec<(&'static str, u32)> {
        let mut v = Vec::new();
        if let Some(r) = &self.request {
            v.push(("request.node", r.node));
        }
        v.extend(self.client.as_ref().map(|c| ("client.node", c.node)));
        v.extend(self.crash.map(|n| ("crash", n)));
        v.extend(self.slow_link.iter().flat_map(|l| [("slow_link.from", l.from), ("slow_link.to", l.to)]));
        v.extend(self.restart.map(|n| ("restart", n)));
        for n in self.partition.iter().flatten().flatten() {
            v.push(("partition", *n));
        }
        v
    }
}

impl Scenario {
    /// Parse and validate a scenario; `file` names it in errors.
    #[cfg(feature = "text")]
    pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            ScenarioError { file: file.into(), line, field: String::new(), message: e.message().trim().to_string() }
        })?;
        scenario.validate().map_err(|(field, message)| ScenarioError {
            file: file.into(),
            line: find_line(text, &field),
            field,
            message,
        })?;
        Ok(scenario)
    }

    /// The scenario as a TOML file. Fails only for numbers TOML cannot hold (integers
    /// above 2^63 - 1, e.g. a seed given on the command line).
    #[cfg(feature = "text")]
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }

    /// Parse and validate a scenario precompiled to JSON (`build.rs`); `file` names it
    /// in errors, which name no line.
    pub fn from_json(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let error = |field: String, message: String| ScenarioError { file: file.into(), line: 1, field, message };
        let scenario: Scenario = serde_json::from_str(text).map_err(|e| error(String::new(), e.to_string()))?;
        scenario.validate().map_err(|(field, message)| error(field, message))?;
        Ok(scenario)
    }

    /// Semantic checks serde cannot do. Returns the offending field's path.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let n = self.nodes.count;
        if !(1..=9).contains(&n) {
            return Err(("nodes.count".into(), format!("{n} nodes: use 1 to 9")));
        }
        for (field, ids) in [
            ("nodes.proposers", &self.nodes.proposers),
            ("nodes.acceptors", &self.nodes.acceptors),
            ("nodes.learners", &self.nodes.learners),
        ] {
            ids.iter().try_for_each(|id| self.check_node(field, *id))?;
        }
        self.validate_network()?;
        // Every protocol checks its own table, whichever protocol runs: the file holds them all.
        for p in crate::protocol::REGISTRY {
            p.validate(self)?;
        }
        for (i, p) in self.expect.events.iter().enumerate() {
            if let Some((key, message)) = p.problem() {
                return Err((format!("expect.events[{i}].{key}"), message));
            }
        }
        for (i, item) in self.schedule.iter().enumerate() {
            item.intervention().map_err(|(f, m)| (format!("schedule[{i}].{f}"), m))?;
            for (f, id) in item.nodes() {
                self.check_node(&format!("schedule[{i}].{f}"), id)?;
            }
        }
        Ok(())
    }

    /// The network's probabilities and ranges.
    fn validate_network(&self) -> Result<(), (String, String)> {
        let net = &self.network;
        for (field, p) in
            [("network.drop", net.drop), ("network.duplicate", net.duplicate), ("network.reorder", net.reorder)]
        {
            if !(0.0..=1.0).contains(&p) {
                return Err((field.into(), format!("{p} is not a probability (0.0 to 1.0)")));
            }
        }
        check_ranges(&[("network.latency_ms", net.latency_ms)])
    }

    /// Node `id` exists, or an error naming `field`.
    pub fn check_node(&self, field: &str, id: u32) -> Result<(), (String, String)> {
        let n = self.nodes.count;
        if (1..=n).contains(&id) {
            Ok(())
        } else {
            Err((field.to_string(), format!("node {id} does not exist (nodes are 1..={n})")))
        }
    }
}

/// Each `[lo, hi]` has `lo <= hi`, or an error naming its field.
pub fn check_ranges(ranges: &[(&str, [u64; 2])]) -> Result<(), (String, String)> {
    for (field, [lo, hi]) in ranges {
        if lo > hi {
            return Err((field.to_string(), format!("[{lo}, {hi}]: the first bound must not exceed the second")));
        }
    }
    Ok(())
}

/// A checkpoint period of at least one record, or an error naming `field`.
pub fn check_checkpoint_every(field: &str, every: u64) -> Result<(), (String, String)> {
    if every == 0 {
        return Err((field.to_string(), "must be at least 1 record".into()));
    }
    Ok(())
}

#[cfg(feature = "text")]
fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

#[cfg(feature = "text")]
/// Best-effort line of a field path such as `schedule[2].crash`: the `i`-th
/// `[[schedule]]` header, then the key below it; or `[table]` then `key`.
fn find_line(text: &str, field: &str) -> usize {
    let (head, key) = field.split_once('.').unwrap_or((field, ""));
    let key = key.split('.').next().unwrap_or("");
    let lines: Vec<&str> = text.lines().collect();
    let start = if let Some((table, idx)) = head.strip_suffix(']').and_then(|h| h.split_once('[')) {
        let idx: usize = idx.parse().unwrap_or(0);
        let header = format!("[[{table}]]");
        lines.iter().enumerate().filter(|(_, l)| l.trim() == header).nth(idx).map(|(i, _)| i)
    } else {
        let header = format!("[{head}]");
        lines.iter().position(|l| l.trim() == header)
    };
    let Some(start) = start else { return 1 };
    let found = lines[start + 1..]
        .iter()
        .take_while(|l| !l.trim_start().starts_with('['))
        .position(|l| l.trim_start().starts_with(key) && !key.is_empty());
    start + 1 + found.map(|f| f + 1).unwrap_or(0)
}
