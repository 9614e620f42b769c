//! Webhook endpoints as the API shows and changes them, their deliveries,
//! redelivery and the test event. Endpoints can hold secrets in their URL
//! (a Discord webhook's token), so only those who may change the
//! organization's settings see them. The signing secret is shown once, in
//! the answer that creates the endpoint, and sealed at rest.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{event, outbox, signature, target};
use crate::{
    context::{Caller, OrgContext, RequestMeta},
    crypto,
    error::ApiError,
    extract::{ApiJson, ApiQuery},
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, Statement},
    },
    record::audit,
    validate::{self, Problems},
};

/// How deliveries are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WebhookFormat")
)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Standard Webhooks: `{type, timestamp, data}`.
    Standard,
    /// A Discord channel webhook's `{content, embeds}`.
    Discord,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::Standard => "standard",
            Format::Discord => "discord",
        }
    }
}

/// An endpoint as listed (never its secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Webhook {
    /// Endpoint id.
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The events it wants: types, `noun.*`, or `*`.
    pub events: Vec<String>,
    /// How deliveries are written.
    pub format: Format,
    /// Whether deliveries are sent.
    pub enabled: bool,
    /// Why Flamingo disabled it (it failed for a day), if it did.
    pub disabled_reason: Option<String>,
    /// RFC 3339: the first failure since the last success.
    pub failing_since: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// `POST /api/orgs/{org}/webhooks` answer: the endpoint and, this once, its secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct CreatedWebhook {
    /// The endpoint.
    pub webhook: Webhook,
    /// `whsec_…`: verifies the `webhook-signature` header. Shown only now.
    pub secret: String,
}

/// `GET /api/orgs/{org}/webhooks` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct WebhookList {
    /// Oldest first.
    pub items: Vec<Webhook>,
    /// Every event an endpoint may ask for, with what it means.
    pub events: Vec<WebhookEventType>,
}

/// A deliverable event type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct WebhookEventType {
    /// e.g. `server.state`.
    pub name: String,
    /// What it means.
    pub description: String,
}

#[derive(Debug, Deserialize)]
struct Row {
    id: String,
    url: String,
    description: String,
    events: String,
    format: String,
    enabled: i64,
    disabled_reason: Option<String>,
    failing_since: Option<String>,
    created_at: String,
    updated_at: String,
}

const COLUMNS: &str = "id, url, description, events, format, enabled, disabled_reason, \
     failing_since, created_at, updated_at";

impl Row {
    fn to_webhook(&self) -> Webhook {
        Webhook {
            id: self.id.clone(),
            url: self.url.clone(),
            description: self.description.clone(),
            events: serde_json::from_str(&self.events).unwrap_or_default(),
            format: if self.format == "discord" {
                Format::Discord
            } else {
                Format::Standard
            },
            enabled: self.enabled != 0,
            disabled_reason: self.disabled_reason.clone(),
            failing_since: self.failing_since.clone(),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

async fn row(platform: &Platform, org_id: &str, id: &str) -> Result<Row, ApiError> {
    let id = validate::as_id(id).ok_or(ApiError::NotFound)?;
    platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM webhooks WHERE id = ?1 AND org_id = ?2"
            ))
            .bind(id)
            .bind(org_id),
        )
        .await?
        .ok_or(ApiError::NotFound)
}

/// Whether the panel runs as local development (no `PUBLIC_ORIGIN`, on a
/// loopback origin): then endpoints on this machine are allowed.
fn dev(platform: &Platform, meta: &RequestMeta) -> bool {
    platform.config.origin.is_none()
        && platform
            .config
            .expected_origin(meta.origin.as_deref())
            .is_ok()
}

fn check_events(events: &[String], problems: &mut Problems) -> Vec<String> {
    if events.is_empty() || events.len() > 50 {
        problems.add(
            "events",
            "must list 1 to 50 events (e.g. server.state, tunnel.*, or *)",
        );
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for e in events {
        let e = e.trim().to_owned();
        if let Err(problem) = event::check_pattern(&e) {
            problems.add("events", problem);
        } else if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// `GET /api/orgs/{org}/webhooks`.
pub async fn list(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
) -> Result<Json<WebhookList>, ApiError> {
    let rows: Vec<Row> = platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM webhooks WHERE org_id = ?1 ORDER BY created_at, id"
            ))
            .bind(org.id.as_str()),
        )
        .await?;
    Ok(Json(WebhookList {
        items: rows.iter().map(Row::to_webhook).collect(),
        events: event::EVENTS
            .iter()
            .map(|(name, description)| WebhookEventType {
                name: (*name).to_owned(),
                description: (*description).to_owned(),
            })
            .collect(),
    }))
}

/// `GET /api/orgs/{org}/webhooks/{webhook}`.
pub async fn show(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Webhook>, ApiError> {
    Ok(Json(row(&platform, &org.id, &id).await?.to_webhook()))
}

/// `POST /api/orgs/{org}/webhooks` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `https://…` (in local development also `http://` on this machine).
    pub url: String,
    /// What it is for.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub description: Option<String>,
    /// Event types, `noun.*` or `*`.
    pub events: Vec<String>,
    /// `standard` (default) or `discord`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub format: Option<Format>,
    /// Default true.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub enabled: Option<bool>,
}

fn check_description(d: &str, problems: &mut Problems) {
    if d.chars().count() > 200 {
        problems.add("description", "must be at most 200 characters");
    }
}

/// `POST /api/orgs/{org}/webhooks`: the endpoint and its secret, shown once.
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    ApiJson(body): ApiJson<NewWebhook>,
) -> Result<(StatusCode, Json<CreatedWebhook>), ApiError> {
    let mut problems = Problems::new();
    let url = match target::check(&body.url, dev(&platform, &meta)) {
        Ok(url) => url,
        Err(problem) => {
            problems.add("url", problem);
            String::new()
        }
    };
    let events = check_events(&body.events, &mut problems);
    let description = body.description.unwrap_or_default().trim().to_owned();
    check_description(&description, &mut problems);
    problems.finish()?;
    let id = crypto::uuid()?;
    let secret = signature::new_secret()?;
    let sealed = platform.config.sealer.seal(secret.as_bytes(), &id)?;
    let now = rfc3339(platform.clock.now_ms());
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "webhook.create",
        resource_type: "webhook",
        resource_id: &id,
        metadata: json!({ "url": shown_url(&url), "events": events }),
    };
    platform
        .db
        .batch(vec![
            Statement::new(format!(
                "INSERT INTO webhooks ({COLUMNS}, org_id, secret) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, NULL, ?7, ?7, ?8, ?9)"
            ))
            .bind(id.as_str())
            .bind(url.as_str())
            .bind(description.as_str())
            .bind(serde_json::to_string(&events).map_err(|e| ApiError::Internal(e.to_string()))?)
            .bind(body.format.unwrap_or(Format::Standard).as_str())
            .bind(body.enabled.unwrap_or(true))
            .bind(now.as_str())
            .bind(org.id.as_str())
            .bind(sealed),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    let webhook = row(&platform, &org.id, &id).await?.to_webhook();
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhook { webhook, secret }),
    ))
}

/// The URL as the audit log keeps it: scheme and host, no path (which may
/// hold a token).
fn shown_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!("{scheme}://{host}")
}

/// `PATCH /api/orgs/{org}/webhooks/{webhook}` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct WebhookChange {
    /// New URL.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub url: Option<String>,
    /// New description.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub description: Option<String>,
    /// New events.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub events: Option<Vec<String>>,
    /// New format.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub format: Option<Format>,
    /// On or off; turning it on clears why Flamingo disabled it.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub enabled: Option<bool>,
}

/// `PATCH /api/orgs/{org}/webhooks/{webhook}`.
pub async fn update(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<WebhookChange>,
) -> Result<Json<Webhook>, ApiError> {
    let current = row(&platform, &org.id, &id).await?;
    let mut problems = Problems::new();
    let url = match &body.url {
        Some(url) => match target::check(url, dev(&platform, &meta)) {
            Ok(url) => url,
            Err(problem) => {
                problems.add("url", problem);
                String::new()
            }
        },
        None => current.url.clone(),
    };
    let events = match &body.events {
        Some(events) => check_events(events, &mut problems),
        None => serde_json::from_str(&current.events).unwrap_or_default(),
    };
    let description = body
        .description
        .as_deref()
        .map_or(current.description.clone(), |d| d.trim().to_owned());
    check_description(&description, &mut problems);
    problems.finish()?;
    let enabled = body.enabled.unwrap_or(current.enabled != 0);
    let turned_on = enabled && current.enabled == 0;
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "webhook.update",
        resource_type: "webhook",
        resource_id: &current.id,
        metadata: json!({ "url": shown_url(&url), "events": events, "enabled": enabled }),
    };
    platform
        .db
        .batch(vec![
            Statement::new(
                "UPDATE webhooks SET url = ?1, description = ?2, events = ?3, format = ?4, enabled = ?5, \
                 disabled_reason = CASE WHEN ?6 THEN NULL ELSE disabled_reason END, \
                 failing_since = CASE WHEN ?6 THEN NULL ELSE failing_since END, updated_at = ?7 \
                 WHERE id = ?8",
            )
            .bind(url.as_str())
            .bind(description.as_str())
            .bind(serde_json::to_string(&events).map_err(|e| ApiError::Internal(e.to_string()))?)
            .bind(
                body.format
                    .map_or(current.format.clone(), |f| f.as_str().to_owned()),
            )
            .bind(enabled)
            .bind(turned_on)
            .bind(rfc3339(platform.clock.now_ms()))
            .bind(current.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok(Json(
        row(&platform, &org.id, &current.id).await?.to_webhook(),
    ))
}

/// `DELETE /api/orgs/{org}/webhooks/{webhook}`: with its deliveries.
pub async fn remove(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let current = row(&platform, &org.id, &id).await?;
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "webhook.delete",
        resource_type: "webhook",
        resource_id: &current.id,
        metadata: json!({ "url": shown_url(&current.url) }),
    };
    platform
        .db
        .batch(vec![
            Statement::new("DELETE FROM webhooks WHERE id = ?1").bind(current.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A delivery as listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct WebhookDelivery {
    /// Delivery id (`webhook-id` is `msg_` and it without dashes).
    pub id: String,
    /// The endpoint.
    pub webhook_id: String,
    /// The event type.
    pub event: String,
    /// `pending` (an attempt is due), `succeeded` or `failed` (no more attempts).
    pub status: String,
    /// Attempts so far.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub attempts: i64,
    /// RFC 3339: the next attempt (pending only).
    pub next_attempt_at: Option<String>,
    /// RFC 3339: the last attempt.
    pub last_attempt_at: Option<String>,
    /// The last answer's status code.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number | null"))]
    pub response_status: Option<i64>,
    /// How long the last attempt took, in ms.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number | null"))]
    pub response_ms: Option<i64>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// The body as sent (Standard Webhooks).
    pub payload: serde_json::Value,
    /// RFC 3339.
    pub created_at: String,
}

#[derive(Debug, Deserialize)]
struct DeliveryRow {
    id: String,
    webhook_id: String,
    event: String,
    status: String,
    attempts: i64,
    next_attempt_at: Option<String>,
    last_attempt_at: Option<String>,
    response_status: Option<i64>,
    response_ms: Option<i64>,
    error: Option<String>,
    payload: String,
    created_at: String,
}

const DELIVERY_COLUMNS: &str = "id, webhook_id, event, status, attempts, next_attempt_at, \
     last_attempt_at, response_status, response_ms, error, payload, created_at";

impl DeliveryRow {
    fn to_delivery(&self) -> WebhookDelivery {
        WebhookDelivery {
            id: self.id.clone(),
            webhook_id: self.webhook_id.clone(),
            event: self.event.clone(),
            status: self.status.clone(),
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at.clone(),
            last_attempt_at: self.last_attempt_at.clone(),
            response_status: self.response_status,
            response_ms: self.response_ms,
            error: self.error.clone(),
            payload: serde_json::from_str(&self.payload).unwrap_or_default(),
            created_at: self.created_at.clone(),
        }
    }
}

/// `GET …/webhooks/{webhook}/deliveries` query.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// Page size, 1-100 (default 50).
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number | null"))]
    pub limit: Option<i64>,
    /// Entries to skip.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number | null"))]
    pub offset: Option<i64>,
}

/// `GET …/webhooks/{webhook}/deliveries` answer, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct DeliveryPage {
    /// This page.
    pub items: Vec<WebhookDelivery>,
    /// How many the endpoint has (the last week's).
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub total: i64,
}

/// `GET /api/orgs/{org}/webhooks/{webhook}/deliveries`.
pub async fn deliveries(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    Path((_, id)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> Result<Json<DeliveryPage>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    let offset = query.offset.unwrap_or(0);
    let mut problems = Problems::new();
    if !(1..=100).contains(&limit) {
        problems.add("limit", "must be between 1 and 100");
    }
    if offset < 0 {
        problems.add("offset", "must not be negative");
    }
    problems.finish()?;
    let current = row(&platform, &org.id, &id).await?;
    let rows: Vec<DeliveryRow> = platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ?1 \
                 ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3"
            ))
            .bind(current.id.as_str())
            .bind(limit)
            .bind(offset),
        )
        .await?;
    #[derive(Deserialize)]
    struct Count {
        n: i64,
    }
    let total: Option<Count> = platform
        .db
        .first(
            Statement::new("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = ?1")
                .bind(current.id.as_str()),
        )
        .await?;
    Ok(Json(DeliveryPage {
        items: rows.iter().map(DeliveryRow::to_delivery).collect(),
        total: total.map_or(0, |c| c.n),
    }))
}

async fn delivery(
    platform: &Platform,
    webhook_id: &str,
    id: &str,
) -> Result<DeliveryRow, ApiError> {
    let id = validate::as_id(id).ok_or(ApiError::NotFound)?;
    platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?1 AND webhook_id = ?2"
            ))
            .bind(id)
            .bind(webhook_id),
        )
        .await?
        .ok_or(ApiError::NotFound)
}

/// Queues `payload` for the endpoint as a new delivery, sends it now, and
/// answers it as it stands.
async fn send_new(
    platform: &Platform,
    org_id: &str,
    webhook_id: &str,
    kind: &str,
    payload: &str,
) -> Result<WebhookDelivery, ApiError> {
    let id = crypto::uuid()?;
    let now = rfc3339(platform.clock.now_ms());
    platform
        .db
        .execute(
            Statement::new(
                "INSERT INTO webhook_deliveries (id, webhook_id, org_id, event, payload, status, attempts, \
                 next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?6)",
            )
            .bind(id.as_str())
            .bind(webhook_id)
            .bind(org_id)
            .bind(kind)
            .bind(payload)
            .bind(now.as_str()),
        )
        .await?;
    outbox::send_now(platform, &id).await?;
    if let Ok(Some(_)) = pending_after(platform, &id).await {
        super::arm(platform, org_id, platform.clock.now_ms()).await;
    }
    Ok(delivery(platform, webhook_id, &id).await?.to_delivery())
}

/// The delivery's next attempt, if it is still pending.
async fn pending_after(platform: &Platform, id: &str) -> Result<Option<String>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        next_attempt_at: Option<String>,
    }
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new(
                "SELECT next_attempt_at FROM webhook_deliveries WHERE id = ?1 AND status = 'pending'",
            )
            .bind(id),
        )
        .await?;
    Ok(row.and_then(|r| r.next_attempt_at))
}

/// `POST …/webhooks/{webhook}/deliveries/{delivery}/redeliver`: the same
/// body again, as a new delivery (retried like any other).
pub async fn redeliver(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    Path((_, id, delivery_id)): Path<(String, String, String)>,
) -> Result<(StatusCode, Json<WebhookDelivery>), ApiError> {
    let current = row(&platform, &org.id, &id).await?;
    let old = delivery(&platform, &current.id, &delivery_id).await?;
    let new = send_new(&platform, &org.id, &current.id, &old.event, &old.payload).await?;
    Ok((StatusCode::ACCEPTED, Json(new)))
}

/// `POST …/webhooks/{webhook}/test`: a `webhook.test` delivery, sent now.
pub async fn test(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(org): Extension<OrgContext>,
    Path((_, id)): Path<(String, String)>,
) -> Result<(StatusCode, Json<WebhookDelivery>), ApiError> {
    let current = row(&platform, &org.id, &id).await?;
    let payload = outbox::payload(
        event::TEST_EVENT,
        &json!({
            "webhook_id": current.id,
            "message": format!("A test event sent by {}.", caller.name),
        }),
        platform.clock.now_ms(),
    );
    let new = send_new(
        &platform,
        &org.id,
        &current.id,
        event::TEST_EVENT,
        &payload.to_string(),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(new)))
}
