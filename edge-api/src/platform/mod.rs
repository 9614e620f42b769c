//! Everything a handler needs from its runtime, as one cloneable value
//! ([`Platform`]), and the traits behind it: [`db::Database`] (D1),
//! [`kv::Kv`] (Workers KV), [`objects::Objects`] (Durable Objects),
//! [`http::Http`] (outbound HTTP, for Wings) and [`clock::Clock`]. Nothing outside this folder names a platform type.
//!
//! Beneath them the adapters: `worker` (D1, KV, Durable Objects, and the
//! Worker's fetch entry point; wasm32 only) and [`native`] (SQLite running
//! the same migrations, in-memory KV, in-process objects; for tests and
//! tools). [`health`] serves `GET /api/health`, which probes every binding.

pub mod clock;
pub mod db;
pub mod health;
pub mod http;
pub mod kv;
pub mod objects;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

#[cfg(target_arch = "wasm32")]
mod worker;

use std::sync::Arc;

use crate::config::Config;
use clock::Clock;
use db::Database;
use http::Http;
use kv::Kv;
use objects::Objects;

/// The runtime's services, handed to the router as its state.
#[derive(Clone)]
pub struct Platform {
    /// The SQL database (D1 binding `DB`).
    pub db: Arc<dyn Database>,
    /// The key-value store (KV binding `KV`).
    pub kv: Arc<dyn Kv>,
    /// Durable Objects.
    pub objects: Arc<dyn Objects>,
    /// Outbound HTTP (the Wings client).
    pub http: Arc<dyn Http>,
    /// The current time.
    pub clock: Arc<dyn Clock>,
    /// Keys and settings.
    pub config: Arc<Config>,
}
