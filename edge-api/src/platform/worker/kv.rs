//! Workers KV behind the [`Kv`] seam.

use async_trait::async_trait;
use worker::{
    KvStore,
    send::{SendFuture, SendWrapper},
};

use crate::platform::kv::{Kv, KvError, KvKey};

/// The `KV` binding.
pub struct WorkersKv(SendWrapper<KvStore>);

impl WorkersKv {
    pub fn new(store: KvStore) -> Self {
        WorkersKv(SendWrapper::new(store))
    }
}

fn error(e: impl std::fmt::Display) -> KvError {
    KvError(e.to_string())
}

#[async_trait]
impl Kv for WorkersKv {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        let get = self.0.get(key);
        SendFuture::new(get.text()).await.map_err(error)
    }

    async fn put_with_metadata(
        &self,
        key: &str,
        value: &str,
        ttl_secs: Option<u64>,
        metadata: Option<serde_json::Value>,
    ) -> Result<(), KvError> {
        let mut put = self.0.put(key, value).map_err(error)?;
        if let Some(ttl) = ttl_secs {
            put = put.expiration_ttl(ttl);
        }
        if let Some(metadata) = metadata {
            put = put.metadata(metadata).map_err(error)?;
        }
        SendFuture::new(put.execute()).await.map_err(error)
    }

    async fn delete(&self, key: &str) -> Result<(), KvError> {
        SendFuture::new(self.0.delete(key)).await.map_err(error)
    }

    async fn list(&self, prefix: &str) -> Result<Vec<KvKey>, KvError> {
        let list = self.0.list().prefix(prefix.to_owned());
        let response = SendFuture::new(list.execute()).await.map_err(error)?;
        Ok(response
            .keys
            .into_iter()
            .map(|k| KvKey {
                name: k.name,
                expiration: k.expiration,
                metadata: k.metadata,
            })
            .collect())
    }
}
