//! Flamingo's edge API: one axum [`router`] served by the Cloudflare Worker
//! and driven in-process by native tests.
//!
//! Layout:
//! - [`router`] lists every route in one place; handlers live in a module per
//!   resource ([`health`], ...).
//! - [`platform`] holds the traits the domain needs from its runtime
//!   ([`db::Database`], [`kv::Kv`], [`objects::Objects`], [`clock::Clock`]);
//!   nothing outside the adapters names a platform type.
//! - Adapters: `worker` (D1, KV, Durable Objects; wasm32 only) and [`native`]
//!   (SQLite running the same migrations, in-memory KV; for tests and tools).
//! - [`error::ApiError`] is the one error type, with one status mapping.

#![forbid(unsafe_code)]

pub mod access;
pub mod account;
pub mod api_key;
pub mod audit;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod device;
pub mod error;
pub mod events;
pub mod extract;
pub mod guard;
pub mod health;
pub mod invitation;
pub mod kv;
pub mod migrations;
pub mod objects;
pub mod org;
pub mod platform;
pub mod rate_limit;
pub mod router;
pub mod session;
pub mod setup;
pub mod ssh_key;
pub mod totp;
pub mod tunnel;
pub mod tunnel_host;
pub mod validate;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

#[cfg(target_arch = "wasm32")]
mod worker;

pub use durable_state::{EventHub, TunnelLink};
pub use error::ApiError;
pub use platform::Platform;
pub use router::router;

/// The version reported by `/api/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
