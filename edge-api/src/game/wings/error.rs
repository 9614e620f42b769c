//! What can go wrong talking to a Wings node, and how the API says it:
//! 502 for a node that is down, refuses or answers nonsense, 504 for one
//! that does not answer in time, each naming the node.

use crate::error::ApiError;

/// A failed call to a node.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum WingsError {
    /// The node could not be reached at all.
    #[error("node {node} is offline: {cause}")]
    Offline {
        /// The node's name.
        node: String,
        /// Why (logged, not sent).
        cause: String,
    },
    /// The node did not answer within the call's timeout.
    #[error("node {node} did not answer in time")]
    Timeout {
        /// The node's name.
        node: String,
    },
    /// Wings answered with an error status.
    #[error("node {node} refused ({status}): {message}")]
    Refused {
        /// The node's name.
        node: String,
        /// Wings' status code.
        status: u16,
        /// Wings' message (its `error` field), or a summary of its body.
        message: String,
    },
    /// The answer could not be understood, or came from another node.
    #[error("node {node} answered unexpectedly: {detail}")]
    BadAnswer {
        /// The node's name.
        node: String,
        /// What was wrong.
        detail: String,
    },
}

impl WingsError {
    /// The status Wings answered with, when it did.
    pub fn status(&self) -> Option<u16> {
        match self {
            WingsError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl From<WingsError> for ApiError {
    fn from(e: WingsError) -> Self {
        match e {
            WingsError::Offline { node, cause } => {
                crate::error::log_error("node_offline", &format!("{node}: {cause}"));
                ApiError::Gateway {
                    timed_out: false,
                    code: "node_offline",
                    message: format!("The node {node} could not be reached."),
                }
            }
            WingsError::Timeout { node } => ApiError::Gateway {
                timed_out: true,
                code: "node_timeout",
                message: format!("The node {node} did not answer in time."),
            },
            WingsError::Refused {
                node,
                status,
                message,
            } => ApiError::Gateway {
                timed_out: false,
                code: "node_refused",
                message: format!("The node {node} refused ({status}): {message}"),
            },
            WingsError::BadAnswer { node, detail } => {
                crate::error::log_error("node_bad_answer", &format!("{node}: {detail}"));
                ApiError::Gateway {
                    timed_out: false,
                    code: "node_bad_answer",
                    message: format!("The node {node} answered in a way Flamingo did not expect."),
                }
            }
        }
    }
}
