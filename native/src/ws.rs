//! WebSocket settings every connection of ours shares, and how our JSON frames are
//! put together.

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

/// The JSON object `object` (as text) with `head` (`"id":7`, already JSON) as its first
/// fields, spliced as text: a frame gets its `id` without a JSON tree being built and
/// copied. `None` if `object` is not a JSON object's text.
pub fn fields_first(head: &str, object: &str) -> Option<String> {
    let rest = object.strip_prefix('{')?;
    Some(if rest == "}" { format!("{{{head}}}") } else { format!("{{{head},{rest}") })
}

#[cfg(test)]
mod tests {
    use super::fields_first;

    #[test]
    fn fields_go_first_in_an_object_empty_or_not() {
        assert_eq!(fields_first(r#""id":7"#, r#"{"op":"ping"}"#).as_deref(), Some(r#"{"id":7,"op":"ping"}"#));
        assert_eq!(fields_first(r#""id":7,"ok":true"#, "{}").as_deref(), Some(r#"{"id":7,"ok":true}"#));
        assert_eq!(fields_first(r#""id":7"#, "[1]"), None);
    }
}
