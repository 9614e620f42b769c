//! `GET /api/health`: proves each binding answers.
//!
//! - d1: writes and reads back the probe row (so it also proves migrations ran);
//! - kv: reads a probe key and, once it has expired, writes it again with a
//!   TTL, then lists it to see the TTL took (at most one write a minute);
//! - durable_objects: a round trip to the `health` event hub, which counts
//!   pings in its own storage.

use std::collections::BTreeMap;

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};

use super::{
    Platform,
    clock::rfc3339,
    db::{DatabaseExt, Statement},
    kv::MIN_TTL_SECS,
    objects::{HubReply, HubRequest},
};

/// The health report.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Health {
    /// `ok` when every check passed, else `degraded`.
    pub status: String,
    /// The API's version.
    pub version: String,
    /// Check name → `ok` or what failed.
    pub checks: BTreeMap<String, String>,
}

const KV_PROBE_KEY: &str = "health:probe";

const UPSERT_PROBE: &str = "INSERT INTO health_probe (id, checks, checked_at) VALUES (1, 1, ?1) \
     ON CONFLICT (id) DO UPDATE SET checks = checks + 1, checked_at = excluded.checked_at \
     RETURNING checks";

/// Runs every check; 503 if any failed.
pub async fn health(State(platform): State<Platform>) -> (StatusCode, Json<Health>) {
    let checks = BTreeMap::from([
        ("d1".to_owned(), outcome(check_d1(&platform).await)),
        ("kv".to_owned(), outcome(check_kv(&platform).await)),
        (
            "durable_objects".to_owned(),
            outcome(check_objects(&platform).await),
        ),
    ]);
    let healthy = checks.values().all(|v| v == "ok");
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let report = Health {
        status: if healthy { "ok" } else { "degraded" }.to_owned(),
        version: crate::VERSION.to_owned(),
        checks,
    };
    (status, Json(report))
}

fn outcome(result: Result<(), String>) -> String {
    result.err().unwrap_or_else(|| "ok".to_owned())
}

async fn check_d1(platform: &Platform) -> Result<(), String> {
    #[derive(Deserialize)]
    struct Row {
        checks: i64,
    }
    let now = rfc3339(platform.clock.now_ms());
    let row: Option<Row> = platform
        .db
        .first(Statement::new(UPSERT_PROBE).bind(now))
        .await
        .map_err(|e| e.to_string())?;
    match row {
        Some(row) if row.checks > 0 => Ok(()),
        _ => Err("probe row not returned".to_owned()),
    }
}

async fn check_kv(platform: &Platform) -> Result<(), String> {
    let kv = &platform.kv;
    if kv
        .get(KV_PROBE_KEY)
        .await
        .map_err(|e| e.to_string())?
        .is_none()
    {
        let now = platform.clock.now_ms().to_string();
        kv.put(KV_PROBE_KEY, &now, Some(MIN_TTL_SECS))
            .await
            .map_err(|e| e.to_string())?;
    }
    let keys = kv.list(KV_PROBE_KEY).await.map_err(|e| e.to_string())?;
    let now_secs = u64::try_from(platform.clock.now_ms() / 1000).unwrap_or(0);
    match keys.iter().find(|k| k.name == KV_PROBE_KEY) {
        Some(key) if key.expiration.is_some_and(|at| at > now_secs) => Ok(()),
        Some(_) => Err("probe key has no future expiration".to_owned()),
        // Just-written keys can take a moment to list; the read above answered.
        None => Ok(()),
    }
}

async fn check_objects(platform: &Platform) -> Result<(), String> {
    match platform.objects.hub("health", HubRequest::Ping).await {
        Ok(HubReply::Pong { count }) if count > 0 => Ok(()),
        Ok(other) => Err(format!("unexpected reply {other:?}")),
        Err(e) => Err(e.to_string()),
    }
}
