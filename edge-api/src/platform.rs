//! Everything a handler needs from its runtime, as one cloneable value.

use std::sync::Arc;

use crate::{clock::Clock, config::Config, db::Database, kv::Kv, objects::Objects};

/// The runtime's services, handed to the router as its state.
#[derive(Clone)]
pub struct Platform {
    /// The SQL database (D1 binding `DB`).
    pub db: Arc<dyn Database>,
    /// The key-value store (KV binding `KV`).
    pub kv: Arc<dyn Kv>,
    /// Durable Objects.
    pub objects: Arc<dyn Objects>,
    /// The current time.
    pub clock: Arc<dyn Clock>,
    /// Keys and settings.
    pub config: Arc<Config>,
}
