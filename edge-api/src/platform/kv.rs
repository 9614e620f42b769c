//! The key-value seam: Workers KV in the Worker, a map natively.

use async_trait::async_trait;

/// Why a KV call failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("kv: {0}")]
pub struct KvError(pub String);

/// A listed key and when it expires.
#[derive(Debug, Clone, PartialEq)]
pub struct KvKey {
    /// The key.
    pub name: String,
    /// Expiry as seconds since the epoch, when the key has a TTL.
    pub expiration: Option<u64>,
    /// Metadata stored with the key (at most 1024 bytes of JSON).
    pub metadata: Option<serde_json::Value>,
}

/// Shortest TTL Workers KV accepts, in seconds.
pub const MIN_TTL_SECS: u64 = 60;

/// An eventually consistent key-value store with per-key TTLs.
#[async_trait]
pub trait Kv: Send + Sync {
    /// The value under `key`, unless missing or expired.
    async fn get(&self, key: &str) -> Result<Option<String>, KvError>;

    /// Stores `value` under `key`, expiring after `ttl_secs` (at least
    /// [`MIN_TTL_SECS`]) when given.
    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), KvError> {
        self.put_with_metadata(key, value, ttl_secs, None).await
    }

    /// Like [`Kv::put`], with metadata that [`Kv::list`] returns, so a listing
    /// needs no read per key.
    async fn put_with_metadata(
        &self,
        key: &str,
        value: &str,
        ttl_secs: Option<u64>,
        metadata: Option<serde_json::Value>,
    ) -> Result<(), KvError>;

    /// Removes `key`; missing keys are fine.
    async fn delete(&self, key: &str) -> Result<(), KvError>;

    /// Keys starting with `prefix` (at most 1000).
    async fn list(&self, prefix: &str) -> Result<Vec<KvKey>, KvError>;
}
