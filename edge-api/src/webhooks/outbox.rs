//! Deliveries: written when an event is published ([`enqueue`], the hook
//! in `record::events::publish`: one INSERT … SELECT for the endpoints that
//! want it, nothing else on the request path), then sent by the
//! organization's timer ([`wake`]): signed, retried on the configured
//! schedule (about a day), failed after the last attempt; an endpoint that
//! has failed for a day is disabled, saying why. Deliveries are kept a week.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{discord, event, signature};
use crate::{
    error::ApiError,
    platform::{
        Platform,
        clock::{parse_rfc3339, rfc3339},
        db::{DatabaseExt, Statement},
        http::{HttpRequest, Method},
    },
};

/// How long one attempt may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// An endpoint failing this long is disabled.
pub const DISABLE_AFTER_MS: i64 = 86_400_000;
/// Deliveries are kept this long.
pub const KEEP_MS: i64 = 7 * 86_400_000;
/// At most this many deliveries are sent per wake (the rest on the next).
const BATCH: i64 = 25;

/// A random UUID in SQL, so one INSERT … SELECT gives each row its own id.
const SQL_UUID: &str = "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || \
     substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || \
     substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

/// The Standard Webhooks body for an event.
pub fn payload(kind: &str, data: &Value, at_ms: i64) -> Value {
    json!({ "type": kind, "timestamp": rfc3339(at_ms), "data": data })
}

/// Queues `kind` for every enabled endpoint of the organization that
/// wants it, and arms its timer when any does. Never fails the request.
pub async fn enqueue(platform: &Platform, org_id: &str, kind: &str, data: &Value) {
    if !event::deliverable(kind) {
        return;
    }
    let now_ms = platform.clock.now_ms();
    let now = rfc3339(now_ms);
    let body = payload(kind, data, now_ms).to_string();
    let insert = Statement::new(format!(
        "INSERT INTO webhook_deliveries (id, webhook_id, org_id, event, payload, status, attempts, \
         next_attempt_at, created_at) \
         SELECT {SQL_UUID}, w.id, w.org_id, ?2, ?3, 'pending', 0, ?4, ?4 FROM webhooks w \
         WHERE w.org_id = ?1 AND w.enabled = 1 AND EXISTS (SELECT 1 FROM json_each(w.events) AS p \
           WHERE p.value = '*' OR p.value = ?2 OR p.value = substr(?2, 1, instr(?2, '.')) || '*')"
    ))
    .bind(org_id)
    .bind(kind)
    .bind(body.as_str())
    .bind(now.as_str());
    match platform.db.execute(insert).await {
        Ok(0) => {}
        Ok(_) => super::arm(platform, org_id, now_ms).await,
        Err(e) => crate::error::log_error("webhook enqueue", &e.to_string()),
    }
}

/// Sends the organization's due deliveries; when to wake next.
pub async fn wake(platform: &Platform, org_id: &str) -> Option<i64> {
    match send_due(platform, org_id).await {
        Ok(next) => next,
        Err(e) => {
            crate::error::log_error("webhook wake", &e.to_string());
            Some(platform.clock.now_ms() + 60_000)
        }
    }
}

#[derive(Debug, Deserialize)]
struct Due {
    id: String,
    webhook_id: String,
    payload: String,
    attempts: i64,
    next_attempt_at: String,
    url: String,
    format: String,
    secret: String,
    enabled: i64,
    failing_since: Option<String>,
}

const DUE: &str = "SELECT d.id, d.webhook_id, d.payload, d.attempts, d.next_attempt_at, w.url, \
     w.format, w.secret, w.enabled, w.failing_since FROM webhook_deliveries d \
     JOIN webhooks w ON w.id = d.webhook_id";

async fn send_due(platform: &Platform, org_id: &str) -> Result<Option<i64>, ApiError> {
    let now_ms = platform.clock.now_ms();
    platform
        .db
        .execute(
            Statement::new("DELETE FROM webhook_deliveries WHERE org_id = ?1 AND created_at < ?2")
                .bind(org_id)
                .bind(rfc3339(now_ms - KEEP_MS)),
        )
        .await?;
    let due: Vec<Due> = platform
        .db
        .all(
            Statement::new(format!(
                "{DUE} WHERE d.org_id = ?1 AND d.status = 'pending' AND d.next_attempt_at <= ?2 \
                 ORDER BY d.next_attempt_at LIMIT ?3"
            ))
            .bind(org_id)
            .bind(rfc3339(now_ms))
            .bind(BATCH),
        )
        .await?;
    for delivery in due {
        attempt(platform, delivery).await?;
    }
    next_wake(platform, org_id).await
}

/// Sends the pending delivery `id` now (the test event, a redelivery).
pub(crate) async fn send_now(platform: &Platform, id: &str) -> Result<(), ApiError> {
    let due: Option<Due> = platform
        .db
        .first(Statement::new(format!("{DUE} WHERE d.id = ?1 AND d.status = 'pending'")).bind(id))
        .await?;
    if let Some(due) = due {
        attempt(platform, due).await?;
    }
    Ok(())
}

async fn next_wake(platform: &Platform, org_id: &str) -> Result<Option<i64>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        at: Option<String>,
    }
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new(
                "SELECT MIN(next_attempt_at) AS at FROM webhook_deliveries \
                 WHERE org_id = ?1 AND status = 'pending'",
            )
            .bind(org_id),
        )
        .await?;
    Ok(row.and_then(|r| r.at).as_deref().and_then(parse_rfc3339))
}

/// One attempt: claimed first (so two wakes never send it twice), sent,
/// and recorded with its answer and timing.
async fn attempt(platform: &Platform, due: Due) -> Result<(), ApiError> {
    let claimed = platform
        .db
        .execute(
            Statement::new(
                "UPDATE webhook_deliveries SET next_attempt_at = NULL, attempts = attempts + 1 \
                 WHERE id = ?1 AND status = 'pending' AND next_attempt_at = ?2",
            )
            .bind(due.id.as_str())
            .bind(due.next_attempt_at.as_str()),
        )
        .await?;
    if claimed != 1 {
        return Ok(());
    }
    let attempts = due.attempts + 1;
    let started = platform.clock.now_ms();
    let outcome = if due.enabled == 0 {
        Err((None, "the endpoint is disabled".to_owned()))
    } else {
        send(platform, &due).await
    };
    let now_ms = platform.clock.now_ms();
    let elapsed = now_ms - started;
    let now = rfc3339(now_ms);
    let (status, code, error) = match &outcome {
        Ok(code) => ("succeeded", Some(i64::from(*code)), None),
        Err((code, error)) => {
            let retries = &platform.config.webhook_retry_secs;
            let more = due.enabled != 0
                && usize::try_from(attempts).unwrap_or(usize::MAX) <= retries.len();
            let state = if more { "pending" } else { "failed" };
            (state, code.map(i64::from), Some(error.clone()))
        }
    };
    let next = (status == "pending").then(|| {
        let index = usize::try_from(attempts - 1).unwrap_or(0);
        let wait = platform
            .config
            .webhook_retry_secs
            .get(index)
            .copied()
            .unwrap_or(60);
        rfc3339(now_ms + wait * 1000)
    });
    let mut batch = vec![
        Statement::new(
            "UPDATE webhook_deliveries SET status = ?1, next_attempt_at = ?2, last_attempt_at = ?3, \
             response_status = ?4, response_ms = ?5, error = ?6 WHERE id = ?7",
        )
        .bind(status)
        .bind(next)
        .bind(now.as_str())
        .bind(code)
        .bind(elapsed)
        .bind(error.clone())
        .bind(due.id.as_str()),
    ];
    match &outcome {
        Ok(_) => batch.push(
            Statement::new("UPDATE webhooks SET failing_since = NULL WHERE id = ?1")
                .bind(due.webhook_id.as_str()),
        ),
        Err(_) if due.enabled != 0 => {
            let since_ms = due
                .failing_since
                .as_deref()
                .and_then(parse_rfc3339)
                .unwrap_or(now_ms);
            batch.push(
                Statement::new(
                    "UPDATE webhooks SET failing_since = COALESCE(failing_since, ?1) WHERE id = ?2",
                )
                .bind(now.as_str())
                .bind(due.webhook_id.as_str()),
            );
            if now_ms - since_ms >= DISABLE_AFTER_MS {
                let reason = format!(
                    "Flamingo disabled it: every delivery since {} failed (last: {})",
                    rfc3339(since_ms),
                    error.as_deref().unwrap_or("no answer")
                );
                batch.push(
                    Statement::new(
                        "UPDATE webhooks SET enabled = 0, disabled_reason = ?1, updated_at = ?2 WHERE id = ?3",
                    )
                    .bind(reason)
                    .bind(now.as_str())
                    .bind(due.webhook_id.as_str()),
                );
            }
        }
        Err(_) => {}
    }
    platform.db.batch(batch).await?;
    Ok(())
}

/// POSTs the delivery; the status code, or (code, why) when it failed.
async fn send(platform: &Platform, due: &Due) -> Result<u16, (Option<u16>, String)> {
    let dev = platform.config.origin.is_none();
    if let Err(problem) = super::target::check(&due.url, dev) {
        return Err((None, format!("the URL {problem}")));
    }
    let payload: Value = serde_json::from_str(&due.payload).unwrap_or(Value::Null);
    let body = if due.format == "discord" {
        discord::body(&payload).to_string()
    } else {
        due.payload.clone()
    };
    let secret = platform
        .config
        .sealer
        .open(&due.secret, &due.webhook_id)
        .ok()
        .and_then(|s| String::from_utf8(s).ok())
        .ok_or((None, "its secret could not be read".to_owned()))?;
    let id = format!("msg_{}", due.id.replace('-', ""));
    let timestamp = platform.clock.now_ms() / 1000;
    let signature = signature::sign(&secret, &id, timestamp, body.as_bytes())
        .map_err(|_| (None, "it could not be signed".to_owned()))?;
    let request = HttpRequest {
        method: Method::Post,
        url: due.url.clone(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            (
                "User-Agent".into(),
                format!("Flamingo-Webhooks/{}", crate::VERSION),
            ),
            ("webhook-id".into(), id),
            ("webhook-timestamp".into(), timestamp.to_string()),
            ("webhook-signature".into(), signature),
        ],
        body: Some(body.into_bytes()),
        timeout: ATTEMPT_TIMEOUT,
    };
    match platform.http.send(request).await {
        Ok(response) if (200..300).contains(&response.status) => Ok(response.status),
        Ok(response) => Err((
            Some(response.status),
            format!("the endpoint answered {}", response.status),
        )),
        Err(e) => Err((None, format!("the endpoint could not be reached: {e}"))),
    }
}
