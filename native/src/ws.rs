//! WebSocket settings every connection of ours shares.

use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// How much one read from a socket may take. tungstenite zeroes this much of its buffer
/// before every read, including the reads that find nothing, so its default (128 KiB)
/// cost a memset of 128 KiB per frame: 5% of a server's CPU on small frames. Larger
/// frames still arrive whole, in several reads.
pub const READ_BUFFER_BYTES: usize = 16 * 1024;

/// tungstenite's defaults with [`READ_BUFFER_BYTES`].
pub fn config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(READ_BUFFER_BYTES)
}
