//! Backup rows: the API's shape, the statements, the one-way status moves
//! and the lazy timeout. Every change of status is a conditional UPDATE on
//! the status it moves from, so reports that arrive twice, late or before
//! the create call has returned never undo one another.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    auth::Resource,
    error::ApiError,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, Statement},
    },
    record::events::{self, Audience, NewEvent},
};

/// The `error` of a backup that never reported.
pub const TIMEOUT: &str = "timeout";

/// A backup as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Backup {
    /// Id (its uuid on Wings).
    pub id: String,
    /// Name.
    pub name: String,
    /// Newline-separated patterns left out of the archive.
    pub ignored: String,
    /// Locked backups cannot be deleted.
    pub is_locked: bool,
    /// Whether Wings reported success.
    pub is_successful: bool,
    /// `pending`, `completed`, `failed` or `restoring`.
    pub status: String,
    /// Why it failed (`timeout` when Wings never reported).
    pub error: Option<String>,
    /// SHA-1 hex of the archive.
    pub checksum: Option<String>,
    /// `sha1`.
    pub checksum_type: Option<String>,
    /// Archive size.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub size_bytes: i64,
    /// `wings` (the node's disk) or `s3`.
    pub adapter: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, once completed or failed.
    pub completed_at: Option<String>,
}

/// A stored backup.
#[derive(Debug, Clone, Deserialize)]
pub struct Row {
    /// Id.
    pub id: String,
    /// Server.
    pub server_id: String,
    /// The node asked to take it.
    pub node_id: String,
    /// Name.
    pub name: String,
    /// Ignore list.
    pub ignored: String,
    /// `wings` or `s3`.
    pub adapter: String,
    /// 0/1.
    pub is_locked: i64,
    /// Status.
    pub status: String,
    /// 0/1.
    pub is_successful: i64,
    /// Why it failed.
    pub error: Option<String>,
    /// SHA-1.
    pub checksum: Option<String>,
    /// `sha1`.
    pub checksum_type: Option<String>,
    /// Bytes.
    pub size_bytes: i64,
    /// S3 multipart upload id.
    pub upload_id: Option<String>,
    /// S3 part size.
    pub part_size: Option<i64>,
    /// S3 parts handed out.
    pub part_count: Option<i64>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub completed_at: Option<String>,
}

impl Row {
    /// As the API shows it.
    pub fn to_backup(&self) -> Backup {
        Backup {
            id: self.id.clone(),
            name: self.name.clone(),
            ignored: self.ignored.clone(),
            is_locked: self.is_locked != 0,
            is_successful: self.is_successful != 0,
            status: self.status.clone(),
            error: self.error.clone(),
            checksum: self.checksum.clone(),
            checksum_type: self.checksum_type.clone(),
            size_bytes: self.size_bytes,
            adapter: self.adapter.clone(),
            created_at: self.created_at.clone(),
            completed_at: self.completed_at.clone(),
        }
    }

    /// Whether it can be downloaded or restored.
    pub fn usable(&self) -> bool {
        self.status == "completed" && self.is_successful != 0
    }
}

const COLUMNS: &str = "id, server_id, node_id, name, ignored, adapter, is_locked, status, is_successful, \
     error, checksum, checksum_type, size_bytes, upload_id, part_size, part_count, created_at, completed_at";

/// The backup `id` of any server.
pub async fn by_id(platform: &Platform, id: &str) -> Result<Option<Row>, ApiError> {
    Ok(platform
        .db
        .first(Statement::new(format!("SELECT {COLUMNS} FROM backups WHERE id = ?1")).bind(id))
        .await?)
}

/// The backup `id` of `server_id`, or 404.
pub async fn of_server(platform: &Platform, server_id: &str, id: &str) -> Result<Row, ApiError> {
    let id = crate::validate::as_id(id).ok_or(ApiError::NotFound)?;
    by_id(platform, &id)
        .await?
        .filter(|b| b.server_id == server_id)
        .ok_or(ApiError::NotFound)
}

/// Every backup of `server_id`, newest first.
pub async fn list(platform: &Platform, server_id: &str) -> Result<Vec<Row>, ApiError> {
    Ok(platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM backups WHERE server_id = ?1 ORDER BY created_at DESC, id"
            ))
            .bind(server_id),
        )
        .await?)
}

/// The row for a new backup, written only while the server keeps fewer
/// backups (failed ones not counted) than its limit: one statement, so a
/// burst of creates never passes the limit.
pub fn insert_within_limit(
    id: &str,
    server_id: &str,
    name: &str,
    ignored: &str,
    adapter: &str,
    is_locked: bool,
    now: &str,
) -> Statement {
    Statement::new(
        "INSERT INTO backups (id, server_id, node_id, name, ignored, adapter, is_locked, status, created_at) \
         SELECT ?1, s.id, s.node_id, ?3, ?4, ?5, ?6, 'pending', ?7 FROM servers s \
         WHERE s.id = ?2 AND (SELECT COUNT(*) FROM backups b \
                              WHERE b.server_id = s.id AND b.status != 'failed') < s.backup_limit",
    )
    .bind(id)
    .bind(server_id)
    .bind(name)
    .bind(ignored)
    .bind(adapter)
    .bind(is_locked)
    .bind(now)
}

/// Fails a pending backup with `error`; whether it changed.
pub async fn fail(platform: &Platform, id: &str, error: &str) -> Result<bool, ApiError> {
    let now = rfc3339(platform.clock.now_ms());
    Ok(platform
        .db
        .execute(
            Statement::new(
                "UPDATE backups SET status = 'failed', is_successful = 0, error = ?2, completed_at = ?3 \
                 WHERE id = ?1 AND status = 'pending'",
            )
            .bind(id)
            .bind(error)
            .bind(now.as_str()),
        )
        .await?
        > 0)
}

/// What Wings reported about a finished backup.
#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    /// Whether it worked.
    pub successful: bool,
    /// SHA-1 hex.
    pub checksum: &'a str,
    /// `sha1`.
    pub checksum_type: &'a str,
    /// Bytes.
    pub size: i64,
    /// Why it failed, when it did.
    pub error: Option<&'a str>,
}

/// Records Wings' report on a pending backup, or on one the timeout failed
/// (a late report is still the truth); whether it changed anything.
pub async fn finish(
    platform: &Platform,
    id: &str,
    outcome: &Outcome<'_>,
) -> Result<bool, ApiError> {
    let now = rfc3339(platform.clock.now_ms());
    let status = if outcome.successful {
        "completed"
    } else {
        "failed"
    };
    let text = |v: &str| (!v.is_empty()).then(|| v.to_owned());
    Ok(platform
        .db
        .execute(
            Statement::new(
                "UPDATE backups SET status = ?2, is_successful = ?3, checksum = ?4, checksum_type = ?5, \
                 size_bytes = ?6, error = ?7, completed_at = ?8 \
                 WHERE id = ?1 AND (status = 'pending' OR (status = 'failed' AND error = ?9))",
            )
            .bind(id)
            .bind(status)
            .bind(outcome.successful)
            .bind(text(outcome.checksum))
            .bind(text(outcome.checksum_type))
            .bind(outcome.size.max(0))
            .bind(outcome.error)
            .bind(now.as_str())
            .bind(TIMEOUT),
        )
        .await?
        > 0)
}

/// Fails the server's pending backups older than the configured timeout
/// and publishes each, and frees a backup left `restoring` once its server
/// is no longer restoring (Wings restarted mid-restore and called
/// `/servers/reset`); run whenever backups are read.
pub async fn expire(platform: &Platform, org_id: &str, server_id: &str) -> Result<(), ApiError> {
    platform
        .db
        .execute(
            Statement::new(
                "UPDATE backups SET status = 'completed' WHERE server_id = ?1 AND status = 'restoring' \
                 AND NOT EXISTS (SELECT 1 FROM servers WHERE id = ?1 AND status = 'restoring_backup')",
            )
            .bind(server_id),
        )
        .await?;
    let now_ms = platform.clock.now_ms();
    let cutoff = rfc3339(now_ms.saturating_sub(platform.config.backups.timeout_ms));
    #[derive(Deserialize)]
    struct Expired {
        id: String,
    }
    let outcome = platform
        .db
        .run(
            Statement::new(
                "UPDATE backups SET status = 'failed', is_successful = 0, error = ?3, completed_at = ?4 \
                 WHERE server_id = ?1 AND status = 'pending' AND created_at <= ?2 RETURNING id",
            )
            .bind(server_id)
            .bind(cutoff.as_str())
            .bind(TIMEOUT)
            .bind(rfc3339(now_ms)),
        )
        .await?;
    let expired: Vec<Expired> = crate::platform::db::decode_rows(outcome.rows)?;
    for e in expired {
        if let Some(row) = by_id(platform, &e.id).await? {
            publish_backup(platform, org_id, &row).await;
        }
    }
    Ok(())
}

/// Publishes `server.backup` for a backup that completed or failed.
pub async fn publish_backup(platform: &Platform, org_id: &str, row: &Row) {
    events::publish(
        platform,
        org_id,
        NewEvent::new(
            "server.backup",
            json!({
                "server_id": row.server_id,
                "backup_id": row.id,
                "status": row.status,
                "is_successful": row.is_successful != 0,
                "checksum": row.checksum,
                "checksum_type": row.checksum_type,
                "size_bytes": row.size_bytes,
                "error": row.error,
            }),
            Audience::Read(Resource::GameServers),
        ),
    )
    .await;
}

/// Publishes `server.backup_restore` for a restore Wings finished.
pub async fn publish_restore(platform: &Platform, org_id: &str, row: &Row, successful: bool) {
    events::publish(
        platform,
        org_id,
        NewEvent::new(
            "server.backup_restore",
            json!({
                "server_id": row.server_id,
                "backup_id": row.id,
                "successful": successful,
            }),
            Audience::Read(Resource::GameServers),
        ),
    )
    .await;
}
