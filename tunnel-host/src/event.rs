//! What the registry tells subscribers (events) and what it accepts from outside (commands).
//!
//! The admin API uses both; the edge link will forward events to the edge and turn its
//! messages into commands.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::tunnel::TunnelInfo;

/// Something that happened to a tunnel, with its counters at that moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TunnelEvent {
    /// A tunnel was registered.
    Opened {
        /// The tunnel as it opened.
        tunnel: TunnelInfo,
    },
    /// A tunnel went away.
    Closed {
        /// The tunnel with its final counters.
        tunnel: TunnelInfo,
        /// Why it closed.
        reason: CloseReason,
    },
}

/// Why a tunnel closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CloseReason {
    /// The client cancelled the forward (`cancel-tcpip-forward`).
    Cancelled,
    /// The SSH session ended.
    SessionEnded,
    /// An operator or the edge closed it.
    Kicked {
        /// Shown to the tunnel's user.
        message: String,
    },
    /// The same user opened the name from a newer session.
    TakenOver,
    /// The host is shutting down.
    Shutdown,
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::Cancelled => f.write_str("cancelled by the client"),
            CloseReason::SessionEnded => f.write_str("ssh session ended"),
            CloseReason::Kicked { message } if message.is_empty() => {
                f.write_str("closed by the administrator")
            }
            CloseReason::Kicked { message } => write!(f, "closed by the administrator: {message}"),
            CloseReason::TakenOver => f.write_str("taken over by a newer session of the same user"),
            CloseReason::Shutdown => f.write_str("the tunnel host is shutting down"),
        }
    }
}

/// An order for the registry, from the admin API or the edge.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Close a tunnel at once, by name or id.
    Kick {
        /// The tunnel's name or id.
        tunnel: String,
        /// Shown to the tunnel's user.
        #[serde(default)]
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_from_json() {
        let c: Command = serde_json::from_str(r#"{"type":"kick","tunnel":"myapp"}"#).unwrap();
        assert_eq!(
            c,
            Command::Kick {
                tunnel: "myapp".into(),
                message: String::new()
            }
        );
    }

    #[test]
    fn reasons_read_well() {
        assert_eq!(
            CloseReason::Kicked {
                message: "abuse".into()
            }
            .to_string(),
            "closed by the administrator: abuse"
        );
        let json = serde_json::to_string(&CloseReason::TakenOver).unwrap();
        assert_eq!(json, r#"{"kind":"taken_over"}"#);
    }
}
