//! The values of the `/client` protocol (`docs/client-protocol.md`), typed. Requests,
//! stats, zxids, error codes and multi results are the core's own types, the ones the
//! server reads and writes, so the two sides cannot drift apart; this module adds the
//! client's error, reply and watch-event types.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

pub use ensemble_core::client::{ClientOp as Op, ErrorCode};
pub use ensemble_core::tree::{Stat, TxnResult, WatchEventType};
pub use ensemble_core::types::{SessionId, Zxid};

/// ZooKeeper's name of `code` (`NoNode`), as the protocol spells it.
pub fn code_name(code: ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(Value::String(name)) => name,
        _ => format!("{code:?}"),
    }
}

/// Why a request failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error.
    #[error("{}: {message}", code_name(*code))]
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
            ClientError::Server { code, .. } => *code,
            ClientError::ConnectionLoss(_) => ErrorCode::ConnectionLoss,
            ClientError::Protocol(_) => ErrorCode::Malformed,
        }
    }

    /// The code's ZooKeeper name (`NoNode`).
    pub fn code_name(&self) -> String {
        code_name(self.code())
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

/// A watch push: `{"watch": {"type": ..., "path": ...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchEvent {
    #[serde(rename = "type")]
    pub kind: WatchEventType,
    pub path: String,
}

/// A request as a JSON object (without `id`).
pub fn op_json(op: &Op) -> Value {
    serde_json::to_value(op).expect("a ClientOp always serializes")
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
        let v = self.fields.get(name).unwrap_or(&Value::Null);
        T::deserialize(v).map_err(|e| ClientError::protocol(format!("reply field {name}: {e}")))
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
            let code = err.and_then(|e| e.get("code")).cloned().unwrap_or(Value::Null);
            let message = err.and_then(|e| e.get("message")).and_then(Value::as_str).unwrap_or("").to_string();
            match serde_json::from_value::<ErrorCode>(code.clone()) {
                Ok(code) => Err(ClientError::Server { code, message }),
                Err(_) => Err(ClientError::protocol(format!("reply {id}: unknown error code {code}: {message}"))),
            }
        }
        _ => Err(ClientError::protocol(format!("reply {id} has no boolean ok"))),
    }
}
