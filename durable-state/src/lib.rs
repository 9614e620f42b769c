//! Flamingo's Durable Objects, exported by the edge-api Worker.
//!
//! - [`protocol`]: the typed messages edge-api sends to each object (plain
//!   serde, compiled natively too so edge-api's tests can speak it).
//! - [`hub`]: one organization's live events (ids, replay ring, subscribers)
//!   as plain data, run by the Durable Object and by edge-api's native
//!   stand-in alike; [`outlet`] is a subscriber's bounded queue and [`sse`]
//!   the wire format.
//! - [`link`]: the tunnel-host link's wire protocol and state (shared with
//!   `tunnel-host`).
//! - `tunnel_link`: [`TunnelLink`], the Durable Object holding one tunnel
//!   host's WebSocket (wasm32 only); the events it raises go through
//!   [`relay`], the Worker's publishing path, not to the hub directly.
//! - `event_hub`: [`EventHub`], the Durable Object, one per organization
//!   (wasm32 only).
//! - [`console`]: the console relay's protocol and per-viewer rules;
//!   [`console_token`] the websocket JWT it signs; `console_relay`:
//!   [`ConsoleRelay`], the Durable Object, one per game server (wasm32 only).
//! - [`timer`]: the timer's protocol; `timer_object`: [`Timer`], a Durable
//!   Object that is only an alarm clock waking the Worker for a key (a
//!   server's schedules, an organization's webhook deliveries; wasm32 only).

#![forbid(unsafe_code)]

pub mod console;
pub mod console_token;
pub mod hub;
pub mod link;
pub mod names;
pub mod outlet;
pub mod protocol;
pub mod relay;
pub mod sse;
pub mod timer;

#[cfg(target_arch = "wasm32")]
mod console_relay;
#[cfg(target_arch = "wasm32")]
mod event_hub;
#[cfg(target_arch = "wasm32")]
mod timer_object;
#[cfg(target_arch = "wasm32")]
mod tunnel_link;

#[cfg(target_arch = "wasm32")]
pub use console_relay::ConsoleRelay;
#[cfg(target_arch = "wasm32")]
pub use event_hub::EventHub;
#[cfg(target_arch = "wasm32")]
pub use timer_object::Timer;
#[cfg(target_arch = "wasm32")]
pub use tunnel_link::TunnelLink;

/// Native builds have no Durable Object runtime; this marker keeps
/// `pub use durable_state::EventHub` compiling everywhere.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug)]
pub struct EventHub;

/// Native marker for the tunnel-host link object (see [`EventHub`]'s).
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug)]
pub struct TunnelLink;

/// Native marker for the console relay object (see [`EventHub`]'s).
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug)]
pub struct ConsoleRelay;

/// Native marker for the timer object (see [`EventHub`]'s).
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug)]
pub struct Timer;
