//! The values of the `/client` protocol (`docs/client-protocol.md`): requests, replies,
//! zxids, stats, watch events and errors, typed.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// ZooKeeper's name for what went wrong, as the server spells it in `error.code`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    NoNode,
    NodeExists,
    BadVersion,
    NotEmpty,
    NoChildrenForEphemerals,
    SessionExpired,
    ConnectionLoss,
    BadArguments,
    NotReadOnly,
    Malformed,
    TooLarge,
    /// A code this client does not know yet (the server may add some): kept verbatim.
    Other(String),
}

const NAMED: [(ErrorCode, &str); 11] = [
    (ErrorCode::NoNode, "NoNode"),
    (ErrorCode::NodeExists, "NodeExists"),
    (ErrorCode::BadVersion, "BadVersion"),
    (ErrorCode::NotEmpty, "NotEmpty"),
    (ErrorCode::NoChildrenForEphemerals, "NoChildrenForEphemerals"),
    (ErrorCode::SessionExpired, "SessionExpired"),
    (ErrorCode::ConnectionLoss, "ConnectionLoss"),
    (ErrorCode::BadArguments, "BadArguments"),
    (ErrorCode::NotReadOnly, "NotReadOnly"),
    (ErrorCode::Malformed, "Malformed"),
    (ErrorCode::TooLarge, "TooLarge"),
];

impl ErrorCode {
    pub fn parse(name: &str) -> ErrorCode {
        NAMED.iter().find(|(_, n)| *n == name).map_or_else(|| ErrorCode::Other(name.to_string()), |(c, _)| c.clone())
    }

    pub fn name(&self) -> &str {
        match self {
            ErrorCode::Other(name) => name,
            known => NAMED.iter().find(|(c, _)| c == known).map_or("", |(_, n)| n),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a request failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error.
    #[error("{code}: {message}")]
    Server { code: ErrorCode, message: String },
    /// No answer: the connection could not be made, closed, or a reply did not come in
    /// time. A write may or may not have taken effect.
    #[error("ConnectionLoss: {0}")]
    ConnectionLoss(String),
    /// The server said something this client cannot read.
    #[error("protocol error: {0}")]
    Protocol(String),
}

impl ClientError {
    /// The ZooKeeper code of this error: a lost connection and a server's
    /// `ConnectionLoss` mean the same thing to a caller (retry, maybe elsewhere).
    pub fn code(&self) -> ErrorCode {
        match self {
            ClientError::Server { code, .. } => code.clone(),
            ClientError::ConnectionLoss(_) => ErrorCode::ConnectionLoss,
            ClientError::Protocol(_) => ErrorCode::Malformed,
        }
    }

    pub fn message(&self) -> String {
        match self {
            ClientError::Server { message, .. } => message.clone(),
            ClientError::ConnectionLoss(why) => why.clone(),
            ClientError::Protocol(why) => format!("protocol error: {why}"),
        }
    }

    pub(crate) fn protocol(what: impl fmt::Display) -> ClientError {
        ClientError::Protocol(what.to_string())
    }
}

/// A transaction id: `{"epoch": E, "counter": C}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Zxid {
    pub epoch: u32,
    pub counter: u32,
}

impl fmt::Display for Zxid {
    /// ZooKeeper's spelling: `0x` then the 64-bit `epoch << 32 | counter` in hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:x}", (u64::from(self.epoch) << 32) | u64::from(self.counter))
    }
}

/// A znode's metadata, as ZooKeeper's `Stat` (no ACL fields: there are no ACLs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stat {
    pub czxid: Zxid,
    pub mzxid: Zxid,
    pub pzxid: Zxid,
    pub ctime_ms: u64,
    pub mtime_ms: u64,
    pub version: u64,
    pub cversion: u64,
    pub ephemeral_owner: Option<u64>,
    pub data_length: u64,
    pub num_children: u64,
}

/// What fired a watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchKind {
    Created,
    Deleted,
    DataChanged,
    ChildrenChanged,
    /// A type a newer server may send; still delivered, so a watcher can re-arm.
    #[serde(other)]
    Unknown,
}

impl WatchKind {
    pub fn name(self) -> &'static str {
        match self {
            WatchKind::Created => "created",
            WatchKind::Deleted => "deleted",
            WatchKind::DataChanged => "data_changed",
            WatchKind::ChildrenChanged => "children_changed",
            WatchKind::Unknown => "unknown",
        }
    }
}

/// A watch push: `{"watch": {"type": ..., "path": ...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchEvent {
    #[serde(rename = "type")]
    pub kind: WatchKind,
    pub path: String,
}

/// A request, without its `id` (the client numbers them). Optional fields left out
/// of the frame take the server's defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    Connect {
        #[serde(skip_serializing_if = "Option::is_none")]
        session_timeout_ms: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        session_id: Option<u64>,
    },
    Create {
        path: String,
        #[serde(default)]
        data: String,
        #[serde(default, skip_serializing_if = "is_false")]
        ephemeral: bool,
        #[serde(default, skip_serializing_if = "is_false")]
        sequential: bool,
    },
    Get {
        path: String,
        #[serde(default, skip_serializing_if = "is_false")]
        watch: bool,
    },
    Set {
        path: String,
        #[serde(default)]
        data: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<u64>,
    },
    Delete {
        path: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<u64>,
    },
    Exists {
        path: String,
        #[serde(default, skip_serializing_if = "is_false")]
        watch: bool,
    },
    Children {
        path: String,
        #[serde(default, skip_serializing_if = "is_false")]
        watch: bool,
    },
    Sync {
        path: String,
    },
    Check {
        path: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<u64>,
    },
    Multi {
        ops: Vec<Op>,
    },
    Ping,
    Close,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Op {
    /// The request as a JSON object (without `id`).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("an Op always serializes")
    }
}

/// A successful reply: the frame's fields other than `id` and `ok`.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub id: u64,
    pub fields: serde_json::Map<String, Value>,
}

impl Reply {
    /// Field `name` read as a `T`; a missing or mistyped field is a protocol error.
    pub fn field<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, ClientError> {
        let v = self.fields.get(name).cloned().unwrap_or(Value::Null);
        serde_json::from_value(v).map_err(|e| ClientError::protocol(format!("reply field {name}: {e}")))
    }

    /// The reply frame's body as JSON (what `ensemble cli` would print raw).
    pub fn to_json(&self) -> Value {
        Value::Object(self.fields.clone())
    }
}

/// Read a reply frame's verdict: a `Reply`, or the server's error.
pub(crate) fn verdict(id: u64, mut frame: serde_json::Map<String, Value>) -> Result<Reply, ClientError> {
    frame.remove("id");
    match frame.remove("ok") {
        Some(Value::Bool(true)) => Ok(Reply { id, fields: frame }),
        Some(Value::Bool(false)) => {
            let err = frame.get("error");
            let code = err.and_then(|e| e.get("code")).and_then(Value::as_str).unwrap_or("");
            let message = err.and_then(|e| e.get("message")).and_then(Value::as_str).unwrap_or("");
            Err(ClientError::Server { code: ErrorCode::parse(code), message: message.to_string() })
        }
        _ => Err(ClientError::protocol(format!("reply {id} has no boolean ok"))),
    }
}
