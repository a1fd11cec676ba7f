//! Client requests and replies as the core sees them.

use crate::tree::ZkReply;
use crate::types::{ClientId, Instance, SessionId, Value};
use serde::{Deserialize, Serialize};

/// A request from a client attached to one server. `seq` orders one client's requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRequest {
    pub client: ClientId,
    pub seq: u64,
    #[serde(flatten)]
    pub op: ClientOp,
}

/// Operations. Paxos and Multi-Paxos know one, `propose`; the others are the
/// coordination service's (DESIGN §3.2), served by ZAB.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ClientOp {
    Propose {
        value: String,
    },
    Connect {
        #[serde(default = "default_session_timeout_ms")]
        session_timeout_ms: u64,
        /// Carry on with this session (a client moving from another server).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session_id: Option<SessionId>,
    },
    /// Made by a runtime, never sent by a client: the client's connection closed
    /// without `close`. Its session lives on until it expires, or until the client
    /// connects again with its id.
    Disconnect {},
    Create {
        path: String,
        #[serde(default)]
        data: String,
        #[serde(default)]
        ephemeral: bool,
        #[serde(default)]
        sequential: bool,
    },
    Get {
        path: String,
        #[serde(default)]
        watch: bool,
    },
    Set {
        path: String,
        #[serde(default)]
        data: String,
        #[serde(default)]
        version: Option<i32>,
    },
    Delete {
        path: String,
        #[serde(default)]
        version: Option<i32>,
    },
    Exists {
        path: String,
        #[serde(default)]
        watch: bool,
    },
    Children {
        path: String,
        #[serde(default)]
        watch: bool,
    },
    /// Make this server catch up with the leader before the next read.
    Sync {
        #[serde(default = "root")]
        path: String,
    },
    Close {},
    /// Keep the session alive (the server answers at once).
    Ping {},
    /// Succeed only if the node exists (with this version); useful inside `multi`.
    Check {
        path: String,
        #[serde(default)]
        version: Option<i32>,
    },
    /// Several of create, set, delete, check, applied atomically: all or none.
    Multi {
        ops: Vec<ClientOp>,
    },
}

fn default_session_timeout_ms() -> u64 {
    4_000
}
fn root() -> String {
    "/".into()
}

impl ClientOp {
    pub fn name(&self) -> &'static str {
        match self {
            ClientOp::Propose { .. } => "propose",
            ClientOp::Connect { .. } => "connect",
            ClientOp::Disconnect {} => "disconnect",
            ClientOp::Create { .. } => "create",
            ClientOp::Get { .. } => "get",
            ClientOp::Set { .. } => "set",
            ClientOp::Delete { .. } => "delete",
            ClientOp::Exists { .. } => "exists",
            ClientOp::Children { .. } => "children",
            ClientOp::Sync { .. } => "sync",
            ClientOp::Close {} => "close",
            ClientOp::Ping {} => "ping",
            ClientOp::Check { .. } => "check",
            ClientOp::Multi { .. } => "multi",
        }
    }

    /// A new session with this timeout.
    pub fn connect(session_timeout_ms: u64) -> ClientOp {
        ClientOp::Connect { session_timeout_ms, session_id: None }
    }

    /// The proposed value of a Paxos `propose`.
    pub fn proposed_value(&self) -> Option<&str> {
        match self {
            ClientOp::Propose { value } => Some(value),
            _ => None,
        }
    }
}

/// Error codes, named as ZooKeeper names them where one exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorCode {
    /// The server cannot reach the service (no leader, or lost its quorum).
    ConnectionLoss,
    BadArguments,
    NoNode,
    NodeExists,
    BadVersion,
    NotEmpty,
    NoChildrenForEphemerals,
    SessionExpired,
    NotReadOnly,
    /// A frame that is not a valid request (native server).
    Malformed,
    TooLarge,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientError {
    pub code: ErrorCode,
    pub message: String,
}

/// What a successful request returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ReplyBody {
    Chosen {
        instance: Instance,
        value: Value,
    },
    /// A coordination-service reply (DESIGN §3.2), e.g. `{"path": "/a", "zxid": ...}`
    /// or `{"data": "x", "stat": {...}}`. Untagged: no Zk body has an `instance`.
    Zk(ZkReply),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientReply {
    pub client: ClientId,
    pub seq: u64,
    pub op: String,
    pub result: Result<ReplyBody, ClientError>,
}

impl ClientReply {
    pub fn error(req: &ClientRequest, code: ErrorCode, message: impl Into<String>) -> ClientReply {
        let error = ClientError { code, message: message.into() };
        ClientReply { client: req.client, seq: req.seq, op: req.op.name().into(), result: Err(error) }
    }

    pub fn ok(req: &ClientRequest, body: ReplyBody) -> ClientReply {
        ClientReply { client: req.client, seq: req.seq, op: req.op.name().into(), result: Ok(body) }
    }
}
