//! Browser sessions: a 256-bit random id in an HttpOnly cookie; KV holds only
//! its SHA-256, with a 7-day sliding TTL.
//!
//! Two KV keys per session: `session:<hash>` (looked up per request) and
//! `user-session:<user>:<hash>` (listed to show and revoke a user's sessions;
//! its metadata carries the record, so listing reads no values).

use axum::http::{HeaderMap, HeaderValue, header};
use serde::{Deserialize, Serialize};

use crate::{
    context::RequestMeta,
    crypto::{sha256_hex, token},
    error::ApiError,
    platform::{Platform, clock::rfc3339},
};

/// Sessions live this long after their last use.
pub const TTL_SECS: u64 = 7 * 24 * 3600;
/// A session's TTL is pushed forward at most this often, to spare KV writes.
const SLIDE_EVERY_MS: i64 = 3600 * 1000;

/// What KV keeps about a session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// Whose session.
    pub user_id: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// Last use, within [`SLIDE_EVERY_MS`] (RFC 3339).
    pub last_seen_at: String,
    /// Client address at sign-in.
    pub ip: Option<String>,
    /// Browser at sign-in, shortened.
    pub user_agent: Option<String>,
    /// `last_seen_at` in ms, to decide when to slide.
    pub last_seen_ms: i64,
}

/// A signed-in session: its public id (the hash, never the secret) and record.
#[derive(Debug, Clone)]
pub struct Session {
    /// SHA-256 of the cookie's secret; safe to show and to name in URLs.
    pub id: String,
    /// The stored record.
    pub record: Record,
}

/// The session cookie's name: `__Host-` prefixed over https.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-flamingo_session"
    } else {
        "flamingo_session"
    }
}

/// The session secret from the request's cookies, if any.
pub fn cookie_secret(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// `Set-Cookie` for a new session.
pub fn set_cookie(secret: &str, secure: bool) -> Result<HeaderValue, ApiError> {
    let value = format!(
        "{}={secret}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age={TTL_SECS}",
        cookie_name(secure)
    );
    HeaderValue::from_str(&value).map_err(|e| ApiError::Internal(e.to_string()))
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let value = format!(
        "{}=; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=0",
        cookie_name(secure)
    );
    HeaderValue::from_str(&value)
        .unwrap_or_else(|_| HeaderValue::from_static("flamingo_session=; Max-Age=0"))
}

fn session_key(id: &str) -> String {
    format!("session:{id}")
}

fn index_key(user_id: &str, id: &str) -> String {
    format!("user-session:{user_id}:{id}")
}

async fn store(platform: &Platform, id: &str, record: &Record) -> Result<(), ApiError> {
    let json = serde_json::to_string(record).map_err(|e| ApiError::Internal(e.to_string()))?;
    let metadata = serde_json::to_value(record).map_err(|e| ApiError::Internal(e.to_string()))?;
    platform
        .kv
        .put(&session_key(id), &json, Some(TTL_SECS))
        .await?;
    platform
        .kv
        .put_with_metadata(
            &index_key(&record.user_id, id),
            "",
            Some(TTL_SECS),
            Some(metadata),
        )
        .await?;
    Ok(())
}

/// Starts a session for `user_id`; returns the cookie secret and the session.
pub async fn create(
    platform: &Platform,
    user_id: &str,
    meta: &RequestMeta,
) -> Result<(String, Session), ApiError> {
    let secret = token()?;
    let id = sha256_hex(secret.as_bytes());
    let now = platform.clock.now_ms();
    let record = Record {
        user_id: user_id.to_owned(),
        created_at: rfc3339(now),
        last_seen_at: rfc3339(now),
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        last_seen_ms: now,
    };
    store(platform, &id, &record).await?;
    Ok((secret, Session { id, record }))
}

/// The live session behind a cookie secret, sliding its TTL when due.
pub async fn lookup(platform: &Platform, secret: &str) -> Result<Option<Session>, ApiError> {
    let id = sha256_hex(secret.as_bytes());
    let Some(json) = platform.kv.get(&session_key(&id)).await? else {
        return Ok(None);
    };
    let Ok(mut record) = serde_json::from_str::<Record>(&json) else {
        return Ok(None);
    };
    let now = platform.clock.now_ms();
    if now - record.last_seen_ms >= SLIDE_EVERY_MS {
        record.last_seen_ms = now;
        record.last_seen_at = rfc3339(now);
        store(platform, &id, &record).await?;
    }
    Ok(Some(Session { id, record }))
}

/// Every live session of `user_id`.
pub async fn list(platform: &Platform, user_id: &str) -> Result<Vec<Session>, ApiError> {
    let prefix = format!("user-session:{user_id}:");
    let keys = platform.kv.list(&prefix).await?;
    Ok(keys
        .into_iter()
        .filter_map(|key| {
            let id = key.name.strip_prefix(&prefix)?.to_owned();
            let record = serde_json::from_value(key.metadata?).ok()?;
            Some(Session { id, record })
        })
        .collect())
}

/// Whether `id` looks like a session's public id (64 lowercase hex digits),
/// so that no other text becomes a KV key (which holds at most 512 bytes).
pub fn is_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Ends one session of `user_id`; false if it was not theirs or not live
/// (or `id` is no session id at all).
pub async fn revoke(platform: &Platform, user_id: &str, id: &str) -> Result<bool, ApiError> {
    if !is_id(id) {
        return Ok(false);
    }
    let Some(json) = platform.kv.get(&session_key(id)).await? else {
        return Ok(false);
    };
    match serde_json::from_str::<Record>(&json) {
        Ok(record) if record.user_id == user_id => {
            platform.kv.delete(&session_key(id)).await?;
            platform.kv.delete(&index_key(user_id, id)).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Ends every session of `user_id` except `keep`; returns how many ended.
pub async fn revoke_all_except(
    platform: &Platform,
    user_id: &str,
    keep: Option<&str>,
) -> Result<usize, ApiError> {
    let mut ended = 0;
    for session in list(platform, user_id).await? {
        if Some(session.id.as_str()) != keep && revoke(platform, user_id, &session.id).await? {
            ended += 1;
        }
    }
    Ok(ended)
}
