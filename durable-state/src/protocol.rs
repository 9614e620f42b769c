//! Messages from edge-api to the Durable Objects, sent as JSON bodies of
//! `POST https://object/<kind>`.

use serde::{Deserialize, Serialize};

/// A request to an event hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HubRequest {
    /// Liveness round trip; the hub counts pings in its storage.
    Ping,
}

/// An event hub's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HubReply {
    /// Answer to [`HubRequest::Ping`]: pings seen so far, this one included.
    Pong {
        /// Pings counted in durable storage.
        count: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_stable_json() {
        assert_eq!(
            serde_json::to_string(&HubRequest::Ping).ok().as_deref(),
            Some(r#"{"type":"ping"}"#)
        );
        let pong: HubReply = serde_json::from_str(r#"{"type":"pong","count":3}"#)
            .unwrap_or(HubReply::Pong { count: 0 });
        assert_eq!(pong, HubReply::Pong { count: 3 });
    }
}
