//! `/api/health` over the native platform, and what happens when a binding fails.

use crate::common;

use std::sync::Arc;

use async_trait::async_trait;
use axum::http::StatusCode;
use common::{get, platform, send};
use edge_api::platform::kv::{Kv, KvError, KvKey};

#[tokio::test]
async fn every_check_touches_its_binding() {
    let (platform, clock) = platform();
    let reply = send(&platform, get("/api/health")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json["status"], "ok");
    assert_eq!(reply.json["version"], env!("CARGO_PKG_VERSION"));
    for check in ["d1", "kv", "durable_objects"] {
        assert_eq!(reply.json["checks"][check], "ok", "{check}");
    }

    // D1: the probe row was written and is read back on the next call.
    let rows: Vec<serde_json::Value> = edge_api::platform::db::DatabaseExt::all(
        platform.db.as_ref(),
        edge_api::platform::db::Statement::new("SELECT checks, checked_at FROM health_probe"),
    )
    .await
    .expect("probe row reads");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["checks"], 1);
    assert_eq!(rows[0]["checked_at"], "2026-11-22T10:00:00.000Z");

    // KV: the probe key carries a TTL of a minute.
    let keys = platform.kv.list("health:").await.expect("kv lists");
    assert_eq!(keys.len(), 1);
    assert_eq!(
        keys[0].expiration,
        Some(u64::try_from(common::START_MS / 1000).unwrap_or(0) + 60)
    );

    // A second check a minute later rewrites the expired probe key.
    clock.advance_ms(61_000);
    let again = send(&platform, get("/api/health")).await;
    assert_eq!(again.status, StatusCode::OK);
    let keys = platform.kv.list("health:").await.expect("kv lists");
    assert_eq!(
        keys[0].expiration,
        Some(u64::try_from(common::START_MS / 1000).unwrap_or(0) + 61 + 60)
    );
}

/// A KV that is down.
struct BrokenKv;

#[async_trait]
impl Kv for BrokenKv {
    async fn get(&self, _: &str) -> Result<Option<String>, KvError> {
        Err(KvError("namespace unreachable".into()))
    }
    async fn put_with_metadata(
        &self,
        _: &str,
        _: &str,
        _: Option<u64>,
        _: Option<serde_json::Value>,
    ) -> Result<(), KvError> {
        Err(KvError("namespace unreachable".into()))
    }
    async fn delete(&self, _: &str) -> Result<(), KvError> {
        Err(KvError("namespace unreachable".into()))
    }
    async fn list(&self, _: &str) -> Result<Vec<KvKey>, KvError> {
        Err(KvError("namespace unreachable".into()))
    }
}

#[tokio::test]
async fn a_failing_check_gives_503_and_names_what_failed() {
    let (mut platform, _) = platform();
    platform.kv = Arc::new(BrokenKv);
    let reply = send(&platform, get("/api/health")).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json["status"], "degraded");
    assert_eq!(reply.json["checks"]["kv"], "kv: namespace unreachable");
    assert_eq!(reply.json["checks"]["d1"], "ok");
    assert_eq!(reply.json["checks"]["durable_objects"], "ok");
}
