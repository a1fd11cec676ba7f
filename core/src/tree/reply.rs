//! What a coordination-service server answers a successful client request: one
//! variant per body the client protocol defines (DESIGN §3.2).
//!
//! The server, the trace and the narration share this type; only the edges (the
//! client protocol, the JSON trace) see JSON.

use super::{Stat, TxnResult};
use crate::types::{SessionId, Zxid};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{json, Value as Json};

/// A coordination-service reply body.
///
/// Read back untagged: serde tries the variants in order and ignores fields a variant
/// does not name, so a variant comes before any other whose fields are a subset of its
/// own, and `Exists` comes last (a missing `Option` field reads as `None`, so it would
/// match any object).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ZkReply {
    /// `connect`: the session just created (its id is the zxid that created it).
    Connected { session_id: SessionId, timeout_ms: u64 },
    /// The client's session: the answer to a `ping`, or (`already`) to a `connect`
    /// from a client that has one.
    Session {
        session_id: SessionId,
        #[serde(default)]
        already: bool,
    },
    /// `create`: the path actually created (with its counter, if sequential).
    Created { path: String, zxid: Zxid },
    /// `set`: the node's stat after the write.
    SetData { stat: Stat, zxid: Zxid },
    /// Any other write (`delete`, `check`, `multi`, `close`): what applying it returned.
    Applied { zxid: Zxid, result: TxnResult },
    /// `sync`: everything delivered here, up to `zxid`.
    Synced { zxid: Zxid },
    /// `get`.
    Data { data: String, stat: Stat },
    /// `children`, in name order.
    Children { children: Vec<String> },
    /// `exists`: the node's stat, or `None` if there is no such node.
    Exists { stat: Option<Stat> },
}

/// Written through a `serde_json::Value`: the bodies used to be one, and its objects
/// sort their keys at every depth (`Stat` and `Zxid` included), so the client protocol
/// and the trace (whose golden hashes cover every byte) keep that order.
impl Serialize for ZkReply {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl ZkReply {
    fn to_json(&self) -> Json {
        match self {
            ZkReply::Connected { session_id, timeout_ms } => {
                json!({"session_id": session_id, "timeout_ms": timeout_ms})
            }
            ZkReply::Session { session_id, already: true } => json!({"session_id": session_id, "already": true}),
            ZkReply::Session { session_id, already: false } => json!({"session_id": session_id}),
            ZkReply::Created { path, zxid } => json!({"path": path, "zxid": zxid}),
            ZkReply::SetData { stat, zxid } => json!({"stat": stat, "zxid": zxid}),
            ZkReply::Applied { zxid, result } => json!({"zxid": zxid, "result": result}),
            ZkReply::Synced { zxid } => json!({"zxid": zxid}),
            ZkReply::Data { data, stat } => json!({"data": data, "stat": stat}),
            ZkReply::Children { children } => json!({"children": children}),
            ZkReply::Exists { stat } => json!({"stat": stat}),
        }
    }

    /// The reply to a write that took effect at `zxid` with `result`.
    pub fn for_write(zxid: Zxid, result: TxnResult) -> ZkReply {
        match result {
            TxnResult::Created { path } => ZkReply::Created { path, zxid },
            TxnResult::Stat(stat) => ZkReply::SetData { stat, zxid },
            result => ZkReply::Applied { zxid, result },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ReplyBody;
    use crate::types::{Instance, Value};

    fn z(epoch: u32, counter: u32) -> Zxid {
        Zxid::new(crate::types::Epoch(epoch), counter)
    }

    fn stat() -> Stat {
        Stat { czxid: z(1, 2), mzxid: z(1, 5), version: 3, ephemeral_owner: Some(SessionId(9)), ..Stat::default() }
    }

    /// Every variant, with the JSON the server wrote for it before replies were typed
    /// (built the same way: `json!` of the same values).
    fn cases() -> Vec<(ZkReply, Json)> {
        let (s, zx) = (SessionId(z(2, 1).0), z(2, 7));
        let multi = TxnResult::Multi(vec![TxnResult::Deleted, TxnResult::Checked]);
        vec![
            (ZkReply::Connected { session_id: s, timeout_ms: 4000 }, json!({"session_id": s, "timeout_ms": 4000})),
            (ZkReply::Session { session_id: s, already: true }, json!({"session_id": s, "already": true})),
            (ZkReply::Session { session_id: s, already: false }, json!({"session_id": s})),
            (ZkReply::Created { path: "/a-0000000001".into(), zxid: zx }, json!({"path": "/a-0000000001", "zxid": zx})),
            (ZkReply::SetData { stat: stat(), zxid: zx }, json!({"stat": stat(), "zxid": zx})),
            (ZkReply::Applied { zxid: zx, result: TxnResult::Deleted }, json!({"zxid": zx, "result": "deleted"})),
            (ZkReply::Applied { zxid: zx, result: multi.clone() }, json!({"zxid": zx, "result": multi})),
            (
                ZkReply::Applied { zxid: zx, result: TxnResult::SessionClosed { deleted: vec!["/e".into()] } },
                json!({"zxid": zx, "result": {"session_closed": {"deleted": ["/e"]}}}),
            ),
            (ZkReply::Synced { zxid: zx }, json!({"zxid": zx})),
            (ZkReply::Data { data: "x".into(), stat: stat() }, json!({"data": "x", "stat": stat()})),
            (ZkReply::Children { children: vec!["a".into(), "b".into()] }, json!({"children": ["a", "b"]})),
            (ZkReply::Exists { stat: Some(stat()) }, json!({"stat": stat()})),
            (ZkReply::Exists { stat: None }, json!({"stat": null})),
        ]
    }

    #[test]
    fn every_body_is_written_as_before_and_read_back_as_itself() {
        for (reply, old) in cases() {
            let text = serde_json::to_string(&reply).unwrap();
            assert_eq!(text, serde_json::to_string(&old).unwrap(), "{reply:?}");
            assert_eq!(serde_json::from_str::<ZkReply>(&text).unwrap(), reply, "{text}");
            let body = ReplyBody::Zk(reply);
            assert_eq!(serde_json::to_string(&body).unwrap(), text);
            assert_eq!(serde_json::from_str::<ReplyBody>(&text).unwrap(), body, "{text}");
        }
    }

    #[test]
    fn keys_are_sorted_at_every_depth_as_a_json_value_wrote_them() {
        let text = serde_json::to_string(&ZkReply::Synced { zxid: z(2, 7) }).unwrap();
        assert_eq!(text, r#"{"zxid":{"counter":7,"epoch":2}}"#);
        let text = serde_json::to_string(&ZkReply::Exists { stat: Some(stat()) }).unwrap();
        assert!(text.starts_with(r#"{"stat":{"ctime_ms":0,"cversion":0,"czxid":{"counter":2,"epoch":1}"#), "{text}");
    }

    #[test]
    fn a_paxos_body_is_still_chosen() {
        let body = ReplyBody::Chosen { instance: Instance(3), value: Value::data("A") };
        let text = serde_json::to_string(&body).unwrap();
        assert_eq!(text, r#"{"instance":3,"value":"A"}"#);
        assert_eq!(serde_json::from_str::<ReplyBody>(&text).unwrap(), body);
        let noop = ReplyBody::Chosen { instance: Instance(0), value: Value::Noop };
        assert_eq!(serde_json::from_str::<ReplyBody>(r#"{"instance":0,"value":null}"#).unwrap(), noop);
    }
}
