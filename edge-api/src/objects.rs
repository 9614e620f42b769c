//! The Durable Objects seam: calls to named objects of each class.

use async_trait::async_trait;
pub use durable_state::protocol::{HubReply, HubRequest};

/// Why a call to a Durable Object failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("durable object: {0}")]
pub struct ObjectError(pub String);

/// Durable Objects reachable from the API.
#[async_trait]
pub trait Objects: Send + Sync {
    /// Sends `request` to the event hub named `name` (one per organization).
    async fn hub(&self, name: &str, request: HubRequest) -> Result<HubReply, ObjectError>;
}
