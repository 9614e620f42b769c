//! An in-memory [`Kv`] that honours TTLs against the platform clock.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use async_trait::async_trait;

use crate::platform::{
    clock::Clock,
    kv::{Kv, KvError, KvKey, MIN_TTL_SECS},
};

/// A stored value.
struct Entry {
    value: String,
    /// Seconds since the epoch.
    expiration: Option<u64>,
    metadata: Option<serde_json::Value>,
}

type Entries = BTreeMap<String, Entry>;

/// In-memory KV.
pub struct MemoryKv {
    entries: Mutex<Entries>,
    clock: Arc<dyn Clock>,
}

impl MemoryKv {
    /// An empty store reading `clock` for expiry.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        MemoryKv {
            entries: Mutex::new(BTreeMap::new()),
            clock,
        }
    }

    fn now_secs(&self) -> u64 {
        u64::try_from(self.clock.now_ms() / 1000).unwrap_or(0)
    }

    fn live(&self) -> Result<std::sync::MutexGuard<'_, Entries>, KvError> {
        let now = self.now_secs();
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| KvError("lock poisoned".into()))?;
        entries.retain(|_, entry| entry.expiration.is_none_or(|at| at > now));
        Ok(entries)
    }
}

#[async_trait]
impl Kv for MemoryKv {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        Ok(self.live()?.get(key).map(|entry| entry.value.clone()))
    }

    async fn put_with_metadata(
        &self,
        key: &str,
        value: &str,
        ttl_secs: Option<u64>,
        metadata: Option<serde_json::Value>,
    ) -> Result<(), KvError> {
        if ttl_secs.is_some_and(|ttl| ttl < MIN_TTL_SECS) {
            return Err(KvError(format!(
                "expiration_ttl must be at least {MIN_TTL_SECS}"
            )));
        }
        let expiration = ttl_secs.map(|ttl| self.now_secs() + ttl);
        self.live()?.insert(
            key.to_owned(),
            Entry {
                value: value.to_owned(),
                expiration,
                metadata,
            },
        );
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), KvError> {
        self.live()?.remove(key);
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<KvKey>, KvError> {
        Ok(self
            .live()?
            .range(prefix.to_owned()..)
            .take_while(|(name, _)| name.starts_with(prefix))
            .take(1000)
            .map(|(name, entry)| KvKey {
                name: name.clone(),
                expiration: entry.expiration,
                metadata: entry.metadata.clone(),
            })
            .collect())
    }
}
