//! `POST /api/remote/activity`: what happened on the node's servers (power
//! actions, console commands, SFTP changes, crashes), in batches of up to
//! 100, stored in each server's activity log under Wings' event names.
//! Entries for servers that are not this node's are skipped.

use axum::{extract::State, http::HeaderMap, http::StatusCode};
use serde::Deserialize;
use serde_json::Value;

use super::{RemoteResult, auth};
use crate::{
    crypto,
    error::ApiError,
    extract::ApiJson,
    platform::{
        Platform,
        clock::{parse_rfc3339, rfc3339},
        db::Statement,
    },
    validate,
};

/// The most entries one report may carry.
pub const MAX_ENTRIES: usize = 100;

/// One activity entry.
#[derive(Debug, Deserialize)]
pub struct ActivityEntry {
    /// The user's uuid; null for system events.
    #[serde(default)]
    pub user: Option<String>,
    /// The server's uuid.
    pub server: String,
    /// e.g. `server:power.start`.
    pub event: String,
    /// Extra facts (`{}` when none).
    #[serde(default)]
    pub metadata: Value,
    /// Client IP, without port.
    #[serde(default)]
    pub ip: Option<String>,
    /// RFC 3339 UTC.
    pub timestamp: String,
}

/// `POST /api/remote/activity` body.
#[derive(Debug, Deserialize)]
pub struct ActivityReport {
    /// The entries.
    pub data: Vec<ActivityEntry>,
}

fn event_ok(event: &str) -> bool {
    (1..=64).contains(&event.len())
        && event
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_' | '-'))
}

/// `POST /api/remote/activity`: stores the batch in one D1 batch.
pub async fn record(
    State(platform): State<Platform>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ActivityReport>,
) -> RemoteResult<StatusCode> {
    let node = auth::node(&platform, &headers).await?;
    if body.data.len() > MAX_ENTRIES {
        return Err(
            ApiError::field("data", format!("may hold at most {MAX_ENTRIES} entries")).into(),
        );
    }
    let mut statements = Vec::with_capacity(body.data.len());
    for (i, entry) in body.data.iter().enumerate() {
        let Some(server) = validate::as_id(&entry.server) else {
            return Err(
                ApiError::field(&format!("data.{i}.server"), "must be a server uuid").into(),
            );
        };
        if !event_ok(&entry.event) {
            return Err(ApiError::field(
                &format!("data.{i}.event"),
                "must be an event name like server:power.start",
            )
            .into());
        }
        let Some(at) = parse_rfc3339(&entry.timestamp) else {
            return Err(ApiError::field(
                &format!("data.{i}.timestamp"),
                "must be an RFC 3339 time",
            )
            .into());
        };
        let metadata = match &entry.metadata {
            Value::Null => "{}".to_owned(),
            other => other.to_string(),
        };
        if metadata.len() > 16 * 1024 {
            return Err(
                ApiError::field(&format!("data.{i}.metadata"), "must be at most 16 KiB").into(),
            );
        }
        let user = entry.user.as_deref().and_then(validate::as_id);
        let ip: Option<String> = entry.ip.as_deref().map(|ip| ip.chars().take(64).collect());
        // Only this node's servers: the row is written when the server is.
        statements.push(
            Statement::new(
                "INSERT INTO server_activity (id, server_id, user_id, event, metadata, ip, source, created_at) \
                 SELECT ?1, id, ?3, ?4, ?5, ?6, 'wings', ?7 FROM servers WHERE id = ?2 AND node_id = ?8",
            )
            .bind(crypto::uuid()?)
            .bind(server)
            .bind(user)
            .bind(entry.event.as_str())
            .bind(metadata)
            .bind(ip)
            .bind(rfc3339(at))
            .bind(node.id.as_str()),
        );
    }
    if !statements.is_empty() {
        platform.db.batch(statements).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
