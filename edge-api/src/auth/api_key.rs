//! Personal API keys for automation: `Authorization: Bearer flm_...`.
//! Shown once, stored as SHA-256, optionally limited to IPs/CIDRs, with the
//! time of last use. A key acts as its owner, through the same guard.

use std::net::IpAddr;

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::StatusCode,
};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Credential, account};
use crate::{
    context::{Caller, RequestMeta},
    crypto,
    error::ApiError,
    extract::ApiJson,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, Statement},
    },
    record::audit,
    validate::{self, Problems},
};

/// Every key starts with this.
pub const PREFIX: &str = "flm_";
/// `last_used_at` is written at most this often per key.
const TOUCH_EVERY_MS: i64 = 60_000;

/// A key as listed (never its secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ApiKey {
    /// Key id.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// Its first characters, to recognise it.
    pub prefix: String,
    /// IPs/CIDRs it may be used from; empty means anywhere.
    pub allowed_ips: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, within a minute.
    pub last_used_at: Option<String>,
}

/// A key just created: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct CreatedKey {
    /// The key.
    #[serde(flatten)]
    pub key: ApiKey,
    /// The secret, `flm_...`; store it now, it is not shown again.
    pub token: String,
}

#[derive(Deserialize)]
struct KeyRow {
    id: String,
    name: String,
    prefix: String,
    allowed_ips: String,
    created_at: String,
    last_used_at: Option<String>,
}

impl KeyRow {
    fn into_key(self) -> ApiKey {
        ApiKey {
            allowed_ips: serde_json::from_str(&self.allowed_ips).unwrap_or_default(),
            id: self.id,
            name: self.name,
            prefix: self.prefix,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
        }
    }
}

fn invalid_key() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_api_key",
        message: "This API key is not valid.".into(),
    }
}

/// Parses an allow-list entry: an IP or a CIDR.
fn parse_net(entry: &str) -> Option<IpNet> {
    entry
        .parse::<IpNet>()
        .ok()
        .or_else(|| entry.parse::<IpAddr>().ok().map(IpNet::from))
}

/// The caller behind a bearer token, or 401/403.
pub async fn authenticate(
    platform: &Platform,
    token: &str,
    meta: &RequestMeta,
) -> Result<Caller, ApiError> {
    if !token.starts_with(PREFIX) || token.len() > 128 {
        return Err(invalid_key());
    }
    #[derive(Deserialize)]
    struct Row {
        key_id: String,
        allowed_ips: String,
        last_used_ms: Option<i64>,
        user_id: String,
        name: String,
        email: String,
    }
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new(
                "SELECT k.id AS key_id, k.allowed_ips, \
                 CAST(strftime('%s', k.last_used_at) AS INTEGER) * 1000 AS last_used_ms, \
                 u.id AS user_id, u.name, u.email \
                 FROM api_keys k JOIN users u ON u.id = k.user_id \
                 WHERE k.token_hash = ?1 AND k.revoked_at IS NULL",
            )
            .bind(crypto::sha256_hex(token.as_bytes())),
        )
        .await?;
    let row = row.ok_or_else(invalid_key)?;
    let allowed: Vec<String> = serde_json::from_str(&row.allowed_ips).unwrap_or_default();
    if !allowed.is_empty() {
        let ip = meta.ip.as_deref().and_then(|ip| ip.parse::<IpAddr>().ok());
        let permitted = ip.is_some_and(|ip| {
            allowed
                .iter()
                .filter_map(|a| parse_net(a))
                .any(|net| net.contains(&ip))
        });
        if !permitted {
            return Err(ApiError::Forbidden {
                code: "ip_not_allowed",
                message: "This API key may not be used from this address.".into(),
            });
        }
    }
    let now = platform.clock.now_ms();
    if row.last_used_ms.is_none_or(|at| now - at >= TOUCH_EVERY_MS) {
        platform
            .db
            .execute(
                Statement::new("UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2")
                    .bind(rfc3339(now))
                    .bind(row.key_id.as_str()),
            )
            .await?;
    }
    Ok(Caller {
        user_id: row.user_id,
        name: row.name,
        email: row.email,
        credential: Credential::ApiKey,
        session_id: None,
        api_key_id: Some(row.key_id),
    })
}

/// `GET /api/me/api-keys`: the caller's live keys, newest first.
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<ApiKey>>, ApiError> {
    let rows: Vec<KeyRow> = platform
        .db
        .all(
            Statement::new(
                "SELECT id, name, prefix, allowed_ips, created_at, last_used_at FROM api_keys \
                 WHERE user_id = ?1 AND revoked_at IS NULL ORDER BY created_at DESC, id",
            )
            .bind(caller.user_id.as_str()),
        )
        .await?;
    Ok(Json(rows.into_iter().map(KeyRow::into_key).collect()))
}

/// `POST /api/me/api-keys` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// What the key is for.
    pub name: String,
    /// IPs/CIDRs it may be used from; omit or empty for anywhere.
    #[serde(default)]
    pub allowed_ips: Vec<String>,
    /// The caller's current password: a key outlives the session that makes
    /// it, so a borrowed session alone must not be enough.
    #[serde(default)]
    pub password: String,
}

/// `POST /api/me/api-keys`: creates a key and shows its secret once, after
/// checking the caller's password (a wrong one counts like any other).
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<NewKey>,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    let mut problems = Problems::new();
    problems.check("name", validate::name(&body.name));
    if body.allowed_ips.len() > 50 {
        problems.add("allowed_ips", "at most 50 entries");
    }
    if let Some(bad) = body
        .allowed_ips
        .iter()
        .find(|a| parse_net(a.trim()).is_none())
    {
        problems.add(
            "allowed_ips",
            format!("{bad:?} is not an IP address or CIDR"),
        );
    }
    if body.password.is_empty() {
        problems.add("password", "is required to create an API key");
    }
    problems.finish()?;
    let confirmed =
        account::confirm_password(&platform, &caller.user_id, "password", &body.password).await?;

    let token = format!("{PREFIX}{}", crypto::token()?);
    let key = ApiKey {
        id: crypto::uuid()?,
        name: body.name.trim().to_owned(),
        prefix: token.chars().take(12).collect(),
        allowed_ips: body
            .allowed_ips
            .iter()
            .map(|a| a.trim().to_owned())
            .collect(),
        created_at: rfc3339(platform.clock.now_ms()),
        last_used_at: None,
    };
    let allowed =
        serde_json::to_string(&key.allowed_ips).map_err(|e| ApiError::Internal(e.to_string()))?;
    let entry = audit::Entry {
        org_id: None,
        action: "api_key.create",
        resource_type: "api_key",
        resource_id: &key.id,
        metadata: json!({ "name": key.name, "prefix": key.prefix }),
    };
    let mut batch = vec![
        Statement::new(
            "INSERT INTO api_keys (id, user_id, name, prefix, token_hash, allowed_ips, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(key.id.as_str())
        .bind(caller.user_id.as_str())
        .bind(key.name.as_str())
        .bind(key.prefix.as_str())
        .bind(crypto::sha256_hex(token.as_bytes()))
        .bind(allowed)
        .bind(key.created_at.as_str()),
        entry.by(&platform, &caller, &meta)?,
    ];
    batch.extend(confirmed);
    platform.db.batch(batch).await?;
    Ok((StatusCode::CREATED, Json(CreatedKey { key, token })))
}

/// `DELETE /api/me/api-keys/{id}`: revokes one of the caller's keys.
pub async fn revoke(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let entry = audit::Entry {
        org_id: None,
        action: "api_key.revoke",
        resource_type: "api_key",
        resource_id: &id,
        metadata: json!({}),
    };
    let live: Option<serde_json::Value> = platform
        .db
        .first(
            Statement::new(
                "SELECT id FROM api_keys WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL",
            )
            .bind(id.as_str())
            .bind(caller.user_id.as_str()),
        )
        .await?;
    if live.is_none() {
        return Err(ApiError::NotFound);
    }
    platform
        .db
        .batch(vec![
            Statement::new("UPDATE api_keys SET revoked_at = ?1 WHERE id = ?2 AND user_id = ?3")
                .bind(rfc3339(platform.clock.now_ms()))
                .bind(id.as_str())
                .bind(caller.user_id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    crate::record::events::end_api_key(&platform, &caller.user_id, &id).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Statements revoking every live key of the caller, each audited as
/// `api_key.revoke` with `reason`: for the batch of a password change, so a
/// key made by whoever held the old password stops working with it.
pub async fn revoke_all(
    platform: &Platform,
    caller: &Caller,
    meta: &RequestMeta,
    reason: &str,
) -> Result<Vec<Statement>, ApiError> {
    #[derive(Deserialize)]
    struct Live {
        id: String,
        name: String,
        prefix: String,
    }
    let live: Vec<Live> = platform
        .db
        .all(
            Statement::new(
                "SELECT id, name, prefix FROM api_keys WHERE user_id = ?1 AND revoked_at IS NULL",
            )
            .bind(caller.user_id.as_str()),
        )
        .await?;
    // Every live key, including one made after the read above.
    let mut batch = vec![
        Statement::new(
            "UPDATE api_keys SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL",
        )
        .bind(rfc3339(platform.clock.now_ms()))
        .bind(caller.user_id.as_str()),
    ];
    for key in &live {
        let entry = audit::Entry {
            org_id: None,
            action: "api_key.revoke",
            resource_type: "api_key",
            resource_id: &key.id,
            metadata: json!({ "name": key.name, "prefix": key.prefix, "reason": reason }),
        };
        batch.push(entry.by(platform, caller, meta)?);
    }
    Ok(batch)
}
