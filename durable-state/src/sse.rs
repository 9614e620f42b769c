//! The Server-Sent Events wire format the hub writes: one frame per event,
//! `id: N\nevent: <type>\ndata: <json>\n\n`, plus comments to keep idle
//! connections open.

use bytes::Bytes;
use serde_json::{Value, json};

/// Sent every [`crate::hub::KEEPALIVE_SECS`] so proxies keep idle streams open.
pub const KEEPALIVE: &[u8] = b": keepalive\n\n";

/// How long an `EventSource` waits before reconnecting after the stream ends.
pub const RETRY_MS: u64 = 2000;

/// Event type sent when the stream is live: everything up to its id has
/// been sent (or replaced by `reset`).
pub const READY: &str = "ready";

/// Event type sent when a subscriber may have missed events the hub no
/// longer holds: refetch everything, then carry on from its id.
pub const RESET: &str = "reset";

/// One event frame. `data` is compact JSON, so it is a single line.
pub fn frame(id: u64, event: &str, data: &Value) -> Bytes {
    // The event name comes from edge-api's code, never from users; a line
    // break would still end the field early, so strip any.
    let event: String = event
        .chars()
        .filter(|c| !matches!(c, '\n' | '\r'))
        .collect();
    Bytes::from(format!("id: {id}\nevent: {event}\ndata: {data}\n\n"))
}

/// The `retry:` hint, sent first on every stream.
pub fn retry() -> Bytes {
    Bytes::from(format!("retry: {RETRY_MS}\n\n"))
}

/// `ready`, carrying the newest id so a reconnect resumes from it.
pub fn ready(head: u64) -> Bytes {
    frame(head, READY, &json!({ "last_event_id": head }))
}

/// `reset`, carrying the newest id so a reconnect resumes from it.
pub fn reset(head: u64) -> Bytes {
    frame(head, RESET, &json!({ "last_event_id": head }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_sse() {
        let frame = frame(7, "audit.created", &json!({ "action": "a\nb" }));
        assert_eq!(
            &frame[..],
            b"id: 7\nevent: audit.created\ndata: {\"action\":\"a\\nb\"}\n\n"
        );
        assert_eq!(
            &reset(9)[..],
            b"id: 9\nevent: reset\ndata: {\"last_event_id\":9}\n\n"
        );
        assert_eq!(&super::frame(1, "x\ny", &Value::Null)[..4], b"id: ");
        assert!(!String::from_utf8_lossy(&super::frame(1, "x\ny", &Value::Null)).contains("x\ny"));
    }
}
