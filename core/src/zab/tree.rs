//! The znode tree (being written).
