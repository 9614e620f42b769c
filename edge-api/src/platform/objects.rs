//! The Durable Objects seam: calls to named objects of each class.

use async_trait::async_trait;
use axum::body::Body;
pub use durable_state::console::{ConsoleJoin, ConsoleRequest, ConsoleStatus};
pub use durable_state::link::{LinkReply, LinkRequest};
pub use durable_state::protocol::{HubReply, HubRequest, Subscription};
pub use durable_state::timer::Arm;

/// Why a call to a Durable Object failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("durable object: {0}")]
pub struct ObjectError(pub String);

/// Durable Objects reachable from the API.
#[async_trait]
pub trait Objects: Send + Sync {
    /// Sends `request` to the event hub named `name` (one per organization).
    /// [`HubRequest::Subscribe`] streams; use [`Objects::subscribe`] for it.
    async fn hub(&self, name: &str, request: HubRequest) -> Result<HubReply, ObjectError>;

    /// Opens a stream on the event hub named `name`: the `text/event-stream`
    /// body, unbuffered, ending when the hub ends it. `None` when the hub
    /// already has its maximum of streams.
    async fn subscribe(
        &self,
        name: &str,
        subscription: Subscription,
    ) -> Result<Option<Body>, ObjectError>;

    /// Sends `request` to the link object of the tunnel host `host_id`
    /// (see `durable_state::link`).
    async fn link(&self, host_id: &str, request: LinkRequest) -> Result<LinkReply, ObjectError>;

    /// Hands a viewer's WebSocket upgrade (`headers` are the viewer's) to
    /// the console relay of game server `server_id`, which answers 101 with
    /// its end of the socket.
    async fn console_join(
        &self,
        server_id: &str,
        join: ConsoleJoin,
        headers: axum::http::HeaderMap,
    ) -> Result<axum::response::Response, ObjectError>;

    /// Sends `request` to the console relay of game server `server_id`.
    async fn console(
        &self,
        server_id: &str,
        request: ConsoleRequest,
    ) -> Result<ConsoleStatus, ObjectError>;

    /// Asks the timer called `arm.key` to wake no later than `arm.at_ms`
    /// (see `durable_state::timer`; [`crate::alarm`] says what it wakes).
    async fn timer(&self, arm: Arm) -> Result<(), ObjectError>;
}
