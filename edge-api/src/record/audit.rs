//! The audit log: every mutation writes who, where, what, on which resource,
//! from which IP and when, in the same D1 batch as the change itself.

use axum::{Extension, Json, extract::State};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json_;

use super::events::NewEvent;
use crate::{
    context::{Caller, OrgContext, RequestMeta},
    crypto,
    error::ApiError,
    extract::ApiQuery,
    platform::{
        Platform,
        clock::{parse_rfc3339, rfc3339},
        db::{DatabaseExt, Statement},
    },
    validate::Problems,
};

const COLUMNS: &str = "INSERT INTO audit_log \
     (id, org_id, actor_id, actor_name, action, resource_type, resource_id, metadata, ip, created_at)";
const VALUES: &str = "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
const SELECTED: &str = "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10";

/// One audit entry, to be added to the batch that makes the change. Building
/// its statement also queues `audit.created` for the organization's live
/// streams (see [`super::events::Outbox`]).
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The organization the change belongs to, if any.
    pub org_id: Option<&'a str>,
    /// `resource.verb`, e.g. `member.invite`.
    pub action: &'a str,
    /// e.g. `invitation`.
    pub resource_type: &'a str,
    /// The resource's id.
    pub resource_id: &'a str,
    /// Extra facts (never secrets).
    pub metadata: Json_,
}

impl Entry<'_> {
    /// The INSERT for this entry by `actor` (None for anonymous or system).
    pub fn statement(
        &self,
        platform: &Platform,
        actor: Option<(&str, &str)>,
        meta: &RequestMeta,
    ) -> Result<Statement, ApiError> {
        self.insert(format!("{COLUMNS} {VALUES}"), platform, actor, meta)
    }

    /// The INSERT for this entry, written only when `condition` (an SQL
    /// expression whose parameters start at `?11`; bind them on the result)
    /// holds when the batch runs: for a change that may turn out to have
    /// changed nothing, as a racing request got there first.
    pub fn statement_if(
        &self,
        condition: &str,
        platform: &Platform,
        actor: Option<(&str, &str)>,
        meta: &RequestMeta,
    ) -> Result<Statement, ApiError> {
        let sql = format!("{COLUMNS} {SELECTED} WHERE {condition}");
        self.insert(sql, platform, actor, meta)
    }

    fn insert(
        &self,
        sql: String,
        platform: &Platform,
        actor: Option<(&str, &str)>,
        meta: &RequestMeta,
    ) -> Result<Statement, ApiError> {
        if let Some(org_id) = self.org_id {
            meta.outbox
                .push(org_id, NewEvent::audit(self, actor.map(|(id, _)| id)));
        }
        Ok(Statement::new(sql)
            .bind(crypto::uuid()?)
            .bind(self.org_id)
            .bind(actor.map(|(id, _)| id))
            .bind(actor.map(|(_, name)| name))
            .bind(self.action)
            .bind(self.resource_type)
            .bind(self.resource_id)
            .bind(self.metadata.to_string())
            .bind(meta.ip.as_deref())
            .bind(rfc3339(platform.clock.now_ms())))
    }

    /// The INSERT for this entry by a signed-in caller.
    pub fn by(
        &self,
        platform: &Platform,
        caller: &Caller,
        meta: &RequestMeta,
    ) -> Result<Statement, ApiError> {
        self.statement(platform, Some((&caller.user_id, &caller.name)), meta)
    }
}

/// One audit entry as listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct AuditEntry {
    /// Entry id.
    pub id: String,
    /// Acting user's id, if any.
    pub actor_id: Option<String>,
    /// Acting user's name at the time.
    pub actor_name: Option<String>,
    /// Acting user's email now (None once the account is gone), so two
    /// people with the same name can be told apart.
    pub actor_email: Option<String>,
    /// `resource.verb`.
    pub action: String,
    /// Kind of resource.
    pub resource_type: Option<String>,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Extra facts.
    pub metadata: Json_,
    /// Client IP.
    pub ip: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// Filters for `GET /api/orgs/{org}/audit`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Only this actor (user id).
    pub actor: Option<String>,
    /// Only these actions: a comma-separated list of actions (`member.join`)
    /// or prefixes ending in `.` or `*` (`member.` or `member.*`), at most
    /// [`MAX_ACTIONS`], so a filter by plain words can name every action they match.
    pub action: Option<String>,
    /// Entries at or after this RFC 3339 time.
    pub since: Option<String>,
    /// Entries before this RFC 3339 time.
    pub until: Option<String>,
    /// Page size, 1-200 (default 50).
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number | null"))]
    pub limit: Option<i64>,
    /// Entries to skip.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number | null"))]
    pub offset: Option<i64>,
}

/// A page of entries, newest first, with the total that match.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Page {
    /// This page's entries.
    pub items: Vec<AuditEntry>,
    /// How many entries match the filter.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub total: i64,
    /// Page size used.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub limit: i64,
    /// Entries skipped.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub offset: i64,
}

/// The most actions (or prefixes) one filter may name.
pub const MAX_ACTIONS: usize = 64;

/// The WHERE clause shared by the page and its total. `?3` is a JSON array
/// of actions and prefixes; a prefix compares as text (no LIKE wildcards,
/// so the `_` in `tunnel_name.` matches only itself).
const WHERE: &str = "WHERE org_id = ?1 \
     AND (?2 IS NULL OR actor_id = ?2) \
     AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(?3) AS wanted \
          WHERE audit_log.action = wanted.value \
             OR (substr(wanted.value, -1) IN ('.', '*') \
                 AND substr(audit_log.action, 1, length(rtrim(wanted.value, '*'))) = rtrim(wanted.value, '*')))) \
     AND (?4 IS NULL OR created_at >= ?4) \
     AND (?5 IS NULL OR created_at < ?5)";

fn valid_time(value: &Option<String>) -> Result<(), String> {
    match value {
        Some(v) if parse_rfc3339(v).is_none() => {
            Err("must be an RFC 3339 time, e.g. 2026-11-22T10:00:00Z".into())
        }
        _ => Ok(()),
    }
}

/// Splits `action` into its actions and prefixes, checking each.
fn wanted_actions(value: Option<&str>) -> Result<Option<Vec<String>>, String> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let wanted: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    if wanted.len() > MAX_ACTIONS {
        return Err(format!("must name at most {MAX_ACTIONS} actions"));
    }
    let well_formed = |a: &String| {
        let body = a.strip_suffix('*').unwrap_or(a);
        (1..=64).contains(&a.len())
            && !body.is_empty()
            && body
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
    };
    if wanted.iter().all(well_formed) {
        Ok(Some(wanted))
    } else {
        Err(
            "must be actions like member.join or prefixes like member.*, separated by commas"
                .into(),
        )
    }
}

/// Normalises an RFC 3339 time to the stored form so text comparison works.
fn normal_time(value: Option<String>) -> Option<String> {
    value.as_deref().and_then(parse_rfc3339).map(rfc3339)
}

/// `GET /api/orgs/{org}/audit`: entries newest first, filtered, paginated.
pub async fn list(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    ApiQuery(filter): ApiQuery<Filter>,
) -> Result<Json<Page>, ApiError> {
    let limit = filter.limit.unwrap_or(50);
    let offset = filter.offset.unwrap_or(0);
    let mut problems = Problems::new();
    problems.check("since", valid_time(&filter.since));
    problems.check("until", valid_time(&filter.until));
    let actions = match wanted_actions(filter.action.as_deref()) {
        Ok(actions) => actions,
        Err(problem) => {
            problems.add("action", problem);
            None
        }
    };
    if !(1..=200).contains(&limit) {
        problems.add("limit", "must be between 1 and 200");
    }
    if offset < 0 {
        problems.add("offset", "must not be negative");
    }
    problems.finish()?;
    let actions = actions
        .map(|a| serde_json::to_string(&a))
        .transpose()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let filtered = |sql: String| {
        Statement::new(sql)
            .bind(org.id.as_str())
            .bind(filter.actor.clone())
            .bind(actions.clone())
            .bind(normal_time(filter.since.clone()))
            .bind(normal_time(filter.until.clone()))
    };
    let page = filtered(format!(
        "SELECT id, actor_id, actor_name, action, resource_type, resource_id, metadata, ip, created_at, \
         (SELECT email FROM users WHERE users.id = audit_log.actor_id) AS actor_email, \
         (SELECT COUNT(*) FROM audit_log {WHERE}) AS total \
         FROM audit_log {WHERE} ORDER BY created_at DESC, id DESC LIMIT ?6 OFFSET ?7"
    ))
    .bind(limit)
    .bind(offset);
    let rows: Vec<serde_json::Map<String, Json_>> = platform.db.run(page).await?.rows;
    let total = match rows.first() {
        Some(row) => row.get("total").and_then(Json_::as_i64).unwrap_or(0),
        None => {
            #[derive(Deserialize)]
            struct Count {
                total: i64,
            }
            let count: Option<Count> = platform
                .db
                .first(filtered(format!(
                    "SELECT COUNT(*) AS total FROM audit_log {WHERE}"
                )))
                .await?;
            count.map_or(0, |c| c.total)
        }
    };
    let items = rows
        .into_iter()
        .map(|mut row| {
            let metadata = row
                .remove("metadata")
                .and_then(|m| m.as_str().and_then(|s| serde_json::from_str(s).ok()))
                .unwrap_or(Json_::Null);
            row.insert("metadata".to_owned(), metadata);
            serde_json::from_value(Json_::Object(row))
                .map_err(|e| ApiError::Internal(e.to_string()))
        })
        .collect::<Result<Vec<AuditEntry>, _>>()?;
    Ok(Json(Page {
        items,
        total,
        limit,
        offset,
    }))
}
