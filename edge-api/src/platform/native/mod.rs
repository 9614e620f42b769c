//! Native adapters: the same API over SQLite and in-memory stores, for tests
//! and tools. The SQLite store applies exactly the D1 migrations.

mod http;
mod memory_kv;
mod migrations;
mod objects;
mod sqlite;

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

pub use http::Reqwest;
pub use memory_kv::MemoryKv;
pub use objects::{HostFrame, LocalObjects};
pub use sqlite::Sqlite;

use crate::{
    config::Config,
    crypto::Sealer,
    platform::{Platform, clock::Clock, db::DbError},
};

/// The wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// A clock that only moves when told to, for tests of expiry and rate limits.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock stopped at `ms` since the epoch.
    pub fn new(ms: i64) -> Self {
        ManualClock(AtomicI64::new(ms))
    }

    /// Moves the clock forward.
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A native platform: fresh in-memory SQLite with every migration applied,
/// in-memory KV and in-process objects, all reading `clock`.
pub fn platform(clock: Arc<dyn Clock>) -> Result<Platform, DbError> {
    Ok(platform_with_objects(clock)?.0)
}

/// [`platform`], also handing out its objects so tests can play a tunnel
/// host's socket ([`LocalObjects::host`]).
pub fn platform_with_objects(
    clock: Arc<dyn Clock>,
) -> Result<(Platform, Arc<LocalObjects>), DbError> {
    let objects = Arc::new(LocalObjects::default());
    let platform = Platform {
        db: Arc::new(Sqlite::open_in_memory()?),
        kv: Arc::new(MemoryKv::new(clock.clone())),
        objects: objects.clone(),
        http: Arc::new(Reqwest::new().map_err(|e| DbError::Other(format!("http client: {e}")))?),
        clock,
        config: Arc::new(Config {
            sealer: Sealer::new(&[42; 32]),
            origin: None,
            backups: crate::config::BackupConfig::default(),
        }),
    };
    Ok((platform, objects))
}
