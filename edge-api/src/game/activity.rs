//! A server's activity log: what people did through Flamingo and what Wings
//! reported (power, console commands, SFTP), newest first, filterable by
//! event (an exact name or a `prefix*`) and by user, paginated with a total.

use axum::{Extension, Json, extract::State};
use serde::{Deserialize, Serialize};

use crate::{
    context::ServerContext,
    error::ApiError,
    extract::ApiQuery,
    platform::{
        Platform,
        db::{DatabaseExt, Statement},
    },
    validate::{self, Problems},
};

/// `GET …/servers/{server}/activity` query.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ActivityQuery")
)]
pub struct ActivityQuery {
    /// Only this event (`server:power.start`), or events starting with a prefix (`server:sftp.*`).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub event: Option<String>,
    /// Only this user's entries.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub user_id: Option<String>,
    /// Page size, 1-200 (default 50).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub limit: Option<i64>,
    /// Entries to skip.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub offset: Option<i64>,
}

/// One entry.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ActivityEntry {
    /// Id.
    pub id: String,
    /// Wings' event name, e.g. `server:power.start`.
    pub event: String,
    /// Who (null for system events).
    pub user_id: Option<String>,
    /// Their name, when they have an account here.
    pub user_name: Option<String>,
    /// What it was about.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "Record<string, unknown>"))]
    pub metadata: serde_json::Value,
    /// From where.
    pub ip: Option<String>,
    /// `flamingo` or `wings`.
    pub source: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// A page of entries, newest first, with the total that match.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ActivityPage {
    /// This page.
    pub items: Vec<ActivityEntry>,
    /// How many match.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub total: i64,
    /// Page size.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub limit: i64,
    /// Entries skipped.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub offset: i64,
}

const WHERE: &str = "WHERE a.server_id = ?1 \
     AND (?2 IS NULL OR a.event = ?2 OR (?3 IS NOT NULL AND substr(a.event, 1, length(?3)) = ?3)) \
     AND (?4 IS NULL OR a.user_id = ?4)";

/// `GET /api/orgs/{org}/servers/{server}/activity`.
pub async fn list(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
    ApiQuery(query): ApiQuery<ActivityQuery>,
) -> Result<Json<ActivityPage>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    let offset = query.offset.unwrap_or(0);
    let mut problems = Problems::new();
    if !(1..=200).contains(&limit) {
        problems.add("limit", "must be between 1 and 200");
    }
    if offset < 0 {
        problems.add("offset", "must not be negative");
    }
    let event = query
        .event
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if event.is_some_and(|e| e.len() > 200) {
        problems.add("event", "must be at most 200 characters");
    }
    let user = match query
        .user_id
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        Some(u) => match validate::as_id(u) {
            Some(id) => Some(id),
            None => {
                problems.add("user_id", "must be a user id");
                None
            }
        },
        None => None,
    };
    problems.finish()?;
    let prefix = event.and_then(|e| e.strip_suffix('*')).map(str::to_owned);
    let exact = event.filter(|e| !e.ends_with('*')).map(str::to_owned);
    // A prefix filter matches no exact name: `?2` is then a name no event has.
    let exact = match (&exact, &prefix) {
        (None, Some(_)) => Some(String::new()),
        _ => exact,
    };
    let sql = format!(
        "SELECT a.id, a.event, a.user_id, u.name AS user_name, a.metadata, a.ip, a.source, \
         a.created_at, (SELECT COUNT(*) FROM server_activity a {WHERE}) AS total \
         FROM server_activity a LEFT JOIN users u ON u.id = a.user_id {WHERE} \
         ORDER BY a.created_at DESC, a.id DESC LIMIT ?5 OFFSET ?6"
    );
    #[derive(Deserialize)]
    struct Row {
        id: String,
        event: String,
        user_id: Option<String>,
        user_name: Option<String>,
        metadata: String,
        ip: Option<String>,
        source: String,
        created_at: String,
        total: i64,
    }
    let rows: Vec<Row> = platform
        .db
        .all(
            Statement::new(sql)
                .bind(ctx.id.as_str())
                .bind(exact.clone())
                .bind(prefix.clone())
                .bind(user.clone())
                .bind(limit)
                .bind(offset),
        )
        .await?;
    let total = match rows.first() {
        Some(r) => r.total,
        None => {
            #[derive(Deserialize)]
            struct Count {
                total: i64,
            }
            platform
                .db
                .first::<Count>(
                    Statement::new(format!(
                        "SELECT COUNT(*) AS total FROM server_activity a {WHERE}"
                    ))
                    .bind(ctx.id.as_str())
                    .bind(exact)
                    .bind(prefix)
                    .bind(user),
                )
                .await?
                .map_or(0, |c| c.total)
        }
    };
    Ok(Json(ActivityPage {
        items: rows
            .into_iter()
            .map(|r| ActivityEntry {
                metadata: serde_json::from_str(&r.metadata)
                    .unwrap_or_else(|_| serde_json::json!({})),
                id: r.id,
                event: r.event,
                user_id: r.user_id,
                user_name: r.user_name,
                ip: r.ip,
                source: r.source,
                created_at: r.created_at,
            })
            .collect(),
        total,
        limit,
        offset,
    }))
}
