//! Client requests and replies as the core sees them.

use crate::types::{ClientId, Instance, Value};
use serde::{Deserialize, Serialize};

/// A request from a client attached to one server. `seq` orders one client's requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRequest {
    pub client: ClientId,
    pub seq: u64,
    #[serde(flatten)]
    pub op: ClientOp,
}

/// Operations. Paxos and Multi-Paxos know one: propose a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ClientOp {
    Propose { value: String },
}

impl ClientOp {
    pub fn name(&self) -> &'static str {
        match self {
            ClientOp::Propose { .. } => "propose",
        }
    }
}

/// Error codes, named as ZooKeeper names them where one exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorCode {
    /// The server cannot reach the service (no leader, or lost its quorum).
    ConnectionLoss,
    BadArguments,
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
    Chosen { instance: Instance, value: Value },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientReply {
    pub client: ClientId,
    pub seq: u64,
    pub op: String,
    pub result: Result<ReplyBody, ClientError>,
}

impl ClientReply {
    pub fn ok(req: &ClientRequest, body: ReplyBody) -> ClientReply {
        ClientReply { client: req.client, seq: req.seq, op: req.op.name().into(), result: Ok(body) }
    }
}
