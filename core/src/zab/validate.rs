//! What a scenario's `[zab]` table must satisfy beyond its types: observers and seeded
//! servers exist, at least one server votes, and the seeded histories are ones a real
//! ensemble can reach. A history ZAB itself could never produce would let a legal run
//! "prove" that ZAB loses committed writes, so the loader refuses it:
//!
//! - each log is in zxid order and holds what its server delivered;
//! - epochs are ordered: `accepted_epoch >= current_epoch >= ` the last logged epoch;
//! - what is committed (delivered anywhere) is one history, and every log holds a
//!   prefix of it, followed only by proposals older than the next committed one (stale
//!   proposals a later leader will TRUNC);
//! - a delivered zxid was logged by a quorum of voters (a leader commits only then);
//! - a current epoch was accepted by a quorum of voters (discovery needs their
//!   ACKEPOCH before a leader is established).

use crate::scenarios::{check_checkpoint_every, Scenario};
use crate::types::{majority, Zxid};

type Invalid = (String, String);

pub(crate) fn validate(sc: &Scenario) -> Result<(), Invalid> {
    check_checkpoint_every("zab.checkpoint_every", sc.zab.checkpoint_every)?;
    let n = sc.nodes.count;
    let z = &sc.zab;
    for id in &z.observers {
        sc.check_node("zab.observers", *id)?;
    }
    if z.observers.len() >= n as usize {
        return Err(("zab.observers".into(), "at least one server must vote".into()));
    }
    let servers = seeded(sc)?;
    let committed = committed_history(&servers)?;
    for s in &servers {
        check_prefix(s, &committed)?;
    }
    let voters: Vec<&Seeded> = servers.iter().filter(|s| !z.observers.contains(&s.id)).collect();
    for s in &servers {
        check_quorums(s, &voters)?;
    }
    Ok(())
}

/// One server's history as the rules see it; unlisted servers start empty, at epoch 0.
struct Seeded {
    /// Where the scenario lists it (`zab.servers[i]`), if it does.
    index: Option<usize>,
    id: u32,
    log: Vec<Zxid>,
    delivered: Zxid,
    current_epoch: u32,
    accepted_epoch: u32,
}

impl Seeded {
    fn field(&self, name: &str) -> String {
        format!("zab.servers[{}].{name}", self.index.unwrap_or(0))
    }
    /// What it delivered, in order.
    fn delivered_history(&self) -> Vec<Zxid> {
        self.log.iter().copied().filter(|z| *z <= self.delivered).collect()
    }
}

/// Every server's history, each listed one checked on its own.
fn seeded(sc: &Scenario) -> Result<Vec<Seeded>, Invalid> {
    let mut all: Vec<Seeded> = (1..=sc.nodes.count)
        .map(|id| Seeded {
            index: None,
            id,
            log: Vec::new(),
            delivered: Zxid::ZERO,
            current_epoch: 0,
            accepted_epoch: 0,
        })
        .collect();
    for (i, s) in sc.zab.servers.iter().enumerate() {
        let field = |name: &str| format!("zab.servers[{i}].{name}");
        sc.check_node(&field("id"), s.id)?;
        let slot = &mut all[s.id as usize - 1];
        if slot.index.is_some() {
            return Err((field("id"), format!("server {} is listed twice", s.id)));
        }
        let log: Vec<Zxid> = s.entries().iter().map(|e| e.zxid).collect();
        if log.windows(2).any(|w| w[0] >= w[1]) {
            return Err((field("log"), "zxids must increase: list epochs in order, once each".into()));
        }
        let delivered = s.delivered_zxid();
        if delivered != Zxid::ZERO && !log.contains(&delivered) {
            return Err((field("delivered"), format!("{delivered} is not in the server's log")));
        }
        let last_epoch = log.last().map(|z| z.epoch().0).unwrap_or(0);
        let current_epoch = s.current_epoch.unwrap_or(last_epoch);
        let accepted_epoch = s.accepted_epoch.unwrap_or(current_epoch);
        if current_epoch < last_epoch {
            let why = format!("{current_epoch} is below the epoch of its last zxid ({last_epoch}): a server logs a proposal of an epoch only after that epoch became its current one");
            return Err((field("current_epoch"), why));
        }
        if accepted_epoch < current_epoch {
            let why = format!("{accepted_epoch} is below the current epoch ({current_epoch}): an epoch is accepted before it becomes current");
            return Err((field("accepted_epoch"), why));
        }
        *slot = Seeded { index: Some(i), id: s.id, log, delivered, current_epoch, accepted_epoch };
    }
    Ok(all)
}

/// The committed history: the longest delivered one, which every other must be a
/// prefix of (what is committed is committed everywhere).
fn committed_history(servers: &[Seeded]) -> Result<Vec<Zxid>, Invalid> {
    let histories: Vec<(&Seeded, Vec<Zxid>)> = servers.iter().map(|s| (s, s.delivered_history())).collect();
    let longest = histories.iter().max_by_key(|(_, h)| h.len()).map(|(_, h)| h.clone()).unwrap_or_default();
    for (s, h) in &histories {
        if !longest.starts_with(h) {
            let why = "delivered histories disagree: one must be a prefix of the other".to_string();
            return Err((s.field("delivered"), why));
        }
    }
    Ok(longest)
}

/// The log holds a prefix of the committed history; whatever follows it is older than
/// the first committed zxid the log lacks (proposals never committed, for a TRUNC).
fn check_prefix(s: &Seeded, committed: &[Zxid]) -> Result<(), Invalid> {
    let k = s.log.iter().zip(committed).take_while(|(a, b)| a == b).count();
    let (Some(missing), Some(last)) = (committed.get(k), s.log.last()) else { return Ok(()) };
    if last < missing {
        return Ok(());
    }
    let why = format!(
        "has {last} but lacks {missing}, which was committed before it: a log holds what is committed as a prefix, and only older proposals that were never committed may follow it"
    );
    Err((s.field("log"), why))
}

/// A delivered zxid was logged by a quorum of voters, and a current epoch accepted by one.
fn check_quorums(s: &Seeded, voters: &[&Seeded]) -> Result<(), Invalid> {
    let quorum = majority(voters.len());
    let ids = |holders: Vec<u32>| holders.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    if s.delivered != Zxid::ZERO {
        let logged: Vec<u32> = voters.iter().filter(|v| v.log.contains(&s.delivered)).map(|v| v.id).collect();
        if logged.len() < quorum {
            let why = format!(
                "{} is delivered, but only {} of {} voters logged it (servers {}): a leader commits a proposal only once a quorum ({quorum}) logged it",
                s.delivered,
                logged.len(),
                voters.len(),
                ids(logged.clone())
            );
            return Err((s.field("delivered"), why));
        }
    }
    let e = s.current_epoch;
    let accepted: Vec<u32> = voters.iter().filter(|v| v.accepted_epoch >= e).map(|v| v.id).collect();
    if e > 0 && accepted.len() < quorum {
        let why = format!(
            "epoch {e} is current here, but only {} of {} voters accepted an epoch that high (servers {}): an epoch is established only after a quorum ({quorum}) accepted it",
            accepted.len(),
            voters.len(),
            ids(accepted.clone())
        );
        return Err((s.field("current_epoch"), why));
    }
    Ok(())
}
