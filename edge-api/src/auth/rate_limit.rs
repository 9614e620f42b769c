//! Fixed-window limits on failed attempts, counted in D1 (atomic upserts),
//! keyed per IP and per account, never by one global key.

use serde::Deserialize;

use crate::{
    error::ApiError,
    platform::{
        Platform,
        db::{DatabaseExt, Statement},
    },
};

/// How many failures a window allows.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Failures allowed per window.
    pub max: i64,
    /// Window length in ms.
    pub window_ms: i64,
}

/// Failed logins, TOTP codes and invitation tokens: 5 per 15 minutes.
pub const FAILURES: Limit = Limit {
    max: 5,
    window_ms: 15 * 60 * 1000,
};

/// Device authorizations one tunnel host may start: 30 per 10 minutes. Each
/// is an unknown key connecting; more means someone is knocking.
pub const DEVICE_STARTS: Limit = Limit {
    max: 30,
    window_ms: 10 * 60 * 1000,
};

const READ: &str = "SELECT count, reset_at FROM rate_limits WHERE key = ?1";
const RECORD: &str = "INSERT INTO rate_limits (key, count, reset_at) VALUES (?1, 1, ?2 + ?3) \
     ON CONFLICT (key) DO UPDATE SET \
       count = CASE WHEN reset_at <= ?2 THEN 1 ELSE count + 1 END, \
       reset_at = CASE WHEN reset_at <= ?2 THEN ?2 + ?3 ELSE reset_at END";
const CLEAR: &str = "DELETE FROM rate_limits WHERE key = ?1";

/// The keys an attempt counts against: the client's IP (when known) and the
/// target (account email, user id, token hash...).
pub fn keys(scope: &str, ip: Option<&str>, target: &str) -> Vec<String> {
    let mut keys = vec![format!("{scope}:target:{}", target.to_lowercase())];
    if let Some(ip) = ip {
        keys.push(format!("{scope}:ip:{ip}"));
    }
    keys
}

/// Refuses with 429 and `Retry-After` when any key is over its limit.
pub async fn check(platform: &Platform, keys: &[String], limit: Limit) -> Result<(), ApiError> {
    #[derive(Deserialize)]
    struct Row {
        count: i64,
        reset_at: i64,
    }
    let now = platform.clock.now_ms();
    for key in keys {
        let row: Option<Row> = platform
            .db
            .first(Statement::new(READ).bind(key.as_str()))
            .await?;
        if let Some(row) = row.filter(|r| r.count >= limit.max && r.reset_at > now) {
            let retry_after = u64::try_from((row.reset_at - now + 999) / 1000)
                .unwrap_or(1)
                .max(1);
            return Err(ApiError::RateLimited { retry_after });
        }
    }
    Ok(())
}

/// Statements counting one failure against each key.
pub fn record_failure(platform: &Platform, keys: &[String], limit: Limit) -> Vec<Statement> {
    let now = platform.clock.now_ms();
    keys.iter()
        .map(|key| {
            Statement::new(RECORD)
                .bind(key.as_str())
                .bind(now)
                .bind(limit.window_ms)
        })
        .collect()
}

/// Counts one failure against each key, atomically.
pub async fn fail(platform: &Platform, keys: &[String], limit: Limit) -> Result<(), ApiError> {
    platform
        .db
        .batch(record_failure(platform, keys, limit))
        .await?;
    Ok(())
}

/// Forgets the failures counted against `key`.
pub fn clear(key: &str) -> Statement {
    Statement::new(CLEAR).bind(key)
}
