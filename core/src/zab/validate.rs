//! What a scenario's `[zab]` table must satisfy beyond its types: observers and seeded
//! servers exist, at least one server votes, seeded logs are in zxid order and the
//! delivered histories agree (what is committed is committed everywhere).

use crate::scenarios::{check_checkpoint_every, Scenario};

pub(crate) fn validate(sc: &Scenario) -> Result<(), (String, String)> {
    check_checkpoint_every("zab.checkpoint_every", sc.zab.checkpoint_every)?;
    let n = sc.nodes.count;
    let z = &sc.zab;
    for id in &z.observers {
        sc.check_node("zab.observers", *id)?;
    }
    if z.observers.len() >= n as usize {
        return Err(("zab.observers".into(), "at least one server must vote".into()));
    }
    let mut delivered: Vec<Vec<crate::types::Zxid>> = Vec::new();
    for (i, s) in z.servers.iter().enumerate() {
        let field = format!("zab.servers[{i}]");
        sc.check_node(&format!("{field}.id"), s.id)?;
        let zxids: Vec<_> = s.entries().iter().map(|e| e.zxid).collect();
        if zxids.windows(2).any(|w| w[0] >= w[1]) {
            return Err((format!("{field}.log"), "zxids must increase: list epochs in order, once each".into()));
        }
        let d = s.delivered_zxid();
        if d != crate::types::Zxid::ZERO && !zxids.contains(&d) {
            return Err((format!("{field}.delivered"), format!("{d} is not in the server's log")));
        }
        delivered.push(zxids.into_iter().filter(|z| *z <= d).collect());
    }
    // Delivered histories must agree: what is committed is committed everywhere.
    for a in &delivered {
        for b in &delivered {
            if !(a.starts_with(b) || b.starts_with(a)) {
                return Err((
                    "zab.servers".into(),
                    "delivered histories disagree: one must be a prefix of the other".into(),
                ));
            }
        }
    }
    Ok(())
}
