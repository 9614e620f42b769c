//! Flamingo's edge API: one axum [`router`] served by the Cloudflare Worker
//! and driven in-process by native tests.
//!
//! Layout:
//! - [`router`] lists every route in one place; handlers live in a module per
//!   resource ([`platform::health`], ...).
//! - [`platform`] holds the traits the domain needs from its runtime
//!   ([`platform::db::Database`], [`platform::kv::Kv`], [`platform::objects::Objects`], [`platform::clock::Clock`]);
//!   nothing outside the adapters names a platform type.
//! - Adapters: `worker` (D1, KV, Durable Objects; wasm32 only) and [`platform::native`]
//!   (SQLite running the same migrations, in-memory KV; for tests and tools).
//! - [`error::ApiError`] is the one error type, with one status mapping.

#![forbid(unsafe_code)]

pub mod auth;
pub mod config;
pub mod context;
pub mod crypto;
pub mod error;
pub mod extract;
pub mod game;
pub mod orgs;
pub mod platform;
pub mod record;
pub mod route;
pub mod router;
pub mod tunnels;
pub mod validate;

pub use durable_state::{EventHub, TunnelLink};
pub use error::ApiError;
pub use platform::Platform;
pub use router::router;

/// The version reported by `/api/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
