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
    /// Wings refused the panel's bearer token (401/403): after a rotation the
    /// node runs on its old token until it is restarted with the new config.yml.
    #[error("node {node} rejected the panel's token ({status})")]
    TokenRejected {
        /// The node's name.
        node: String,
        /// 401 or 403.
        status: u16,
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
            WingsError::Refused { status, .. } | WingsError::TokenRejected { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }
}

impl WingsError {
    /// The machine-readable code the API answers with.
    pub fn code(&self) -> &'static str {
        match self {
            WingsError::Offline { .. } => "node_offline",
            WingsError::Timeout { .. } => "node_timeout",
            WingsError::Refused { .. } => "node_refused",
            WingsError::TokenRejected { .. } => "node_token_rejected",
            WingsError::BadAnswer { .. } => "node_bad_answer",
        }
    }

    /// The sentence a person reads (never the cause of a network failure).
    pub fn sentence(&self) -> String {
        match self {
            WingsError::Offline { node, .. } => format!("The node {node} could not be reached."),
            WingsError::Timeout { node } => format!("The node {node} did not answer in time."),
            WingsError::Refused {
                node,
                status,
                message,
            } => format!("The node {node} refused ({status}): {message}"),
            WingsError::TokenRejected { node, .. } => format!(
                "The node {node} rejected the panel's token. If the node's token was rotated, \
                 install the new configuration on the node and restart Wings."
            ),
            WingsError::BadAnswer { node, .. } => {
                format!("The node {node} answered in a way Flamingo did not expect.")
            }
        }
    }
}

impl From<WingsError> for ApiError {
    fn from(e: WingsError) -> Self {
        match &e {
            WingsError::Offline { node, cause } => {
                crate::error::log_error("node_offline", &format!("{node}: {cause}"));
            }
            WingsError::BadAnswer { node, detail } => {
                crate::error::log_error("node_bad_answer", &format!("{node}: {detail}"));
            }
            _ => {}
        }
        ApiError::Gateway {
            timed_out: matches!(e, WingsError::Timeout { .. }),
            code: e.code(),
            message: e.sentence(),
        }
    }
}
