//! Flamingo's Durable Objects, exported by the edge-api Worker.
//!
//! - [`protocol`]: the typed messages edge-api sends to each object (plain
//!   serde, compiled natively too so edge-api's tests can speak it).
//! - `event_hub`: [`EventHub`], one per organization (wasm32 only).

#![forbid(unsafe_code)]

pub mod protocol;

#[cfg(target_arch = "wasm32")]
mod event_hub;

#[cfg(target_arch = "wasm32")]
pub use event_hub::EventHub;

/// Native builds have no Durable Object runtime; this marker keeps
/// `pub use durable_state::EventHub` compiling everywhere.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug)]
pub struct EventHub;
