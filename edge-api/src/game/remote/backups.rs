//! Wings' backup reports (contract section 3): the S3 part URLs it asks
//! for (Flamingo starts the multipart upload itself), the outcome of a
//! backup (Flamingo completes or aborts the upload, then keeps the
//! checksum, size and status), and the outcome of a restore. Only the node
//! the backup was asked of may report on it; a duplicate or late report
//! changes nothing a first one settled, and is still answered 2xx so Wings
//! stops retrying.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
};
use serde::{Deserialize, Serialize};

use super::{RemoteResult, auth};
use crate::{
    error::ApiError,
    extract::{ApiJson, ApiQuery},
    game::{
        backup::{
            s3::{self, Storage},
            store::{self, Outcome, Row},
        },
        node::NodeAccess,
        server,
    },
    platform::{
        Platform,
        db::{DatabaseExt, Statement},
    },
};

/// `?size=N`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeQuery {
    /// The archive's size in bytes.
    pub size: Option<u64>,
}

/// `GET /api/remote/backups/{uuid}` answer.
#[derive(Debug, Serialize)]
pub struct PartUrls {
    /// Presigned PUT URLs, part 1 first.
    pub parts: Vec<String>,
    /// Bytes per part (the last may be shorter).
    pub part_size: u64,
}

/// One uploaded part.
#[derive(Debug, Clone, Deserialize)]
pub struct Part {
    /// The ETag S3 answered, exactly.
    pub etag: String,
    /// From 1.
    pub part_number: i64,
}

/// `POST /api/remote/backups/{uuid}` body (Go's zero values when failed).
#[derive(Debug, Deserialize)]
pub struct BackupReport {
    /// SHA-1 hex.
    #[serde(default)]
    pub checksum: String,
    /// `sha1`.
    #[serde(default)]
    pub checksum_type: String,
    /// Bytes.
    #[serde(default)]
    pub size: i64,
    /// Whether it worked.
    pub successful: bool,
    /// The S3 parts; `null` for the `wings` adapter.
    #[serde(default)]
    pub parts: Option<Vec<Part>>,
}

/// `POST /api/remote/backups/{uuid}/restore` body.
#[derive(Debug, Deserialize)]
pub struct RestoreReport {
    /// Whether it worked.
    pub successful: bool,
}

/// The backup `uuid`, if the calling node was asked to take it.
async fn on_node(platform: &Platform, node: &NodeAccess, uuid: &str) -> Result<Row, ApiError> {
    let id = crate::validate::as_id(uuid).ok_or(ApiError::NotFound)?;
    match store::by_id(platform, &id).await? {
        Some(row) if row.node_id == node.id => Ok(row),
        Some(_) => Err(ApiError::Forbidden {
            code: "backup_of_another_node",
            message: "This backup was not asked of this node.".into(),
        }),
        None => Err(ApiError::NotFound),
    }
}

fn storage<'a>(platform: &'a Platform) -> Result<Storage<'a>, ApiError> {
    let config = platform
        .config
        .backups
        .s3
        .as_ref()
        .ok_or(ApiError::Misconfigured("S3 backups are not configured"))?;
    Storage::new(platform.http.as_ref(), config, platform.clock.now_ms())
}

async fn org_of(platform: &Platform, row: &Row) -> Result<String, ApiError> {
    server::record(platform, &row.server_id)
        .await?
        .map(|s| s.org_id)
        .ok_or(ApiError::NotFound)
}

/// `GET /api/remote/backups/{uuid}?size=N`: starts the multipart upload
/// (once; asking again gets URLs for the same upload) and presigns its parts.
pub async fn part_urls(
    State(platform): State<Platform>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
    ApiQuery(query): ApiQuery<SizeQuery>,
) -> RemoteResult<Json<PartUrls>> {
    let node = auth::node(&platform, &headers).await?;
    let row = on_node(&platform, &node, &uuid).await?;
    let size = query
        .size
        .ok_or_else(|| ApiError::field("size", "is required"))?;
    if row.adapter != "s3" {
        return Err(ApiError::BadRequest {
            code: "not_s3",
            message: "This backup is stored by Wings, not in S3.".into(),
        }
        .into());
    }
    if row.status != "pending" {
        return Err(ApiError::Conflict {
            code: "backup_finished",
            message: format!("This backup is already {}.", row.status),
        }
        .into());
    }
    let part_size = platform
        .config
        .backups
        .s3
        .as_ref()
        .map_or(1, |c| c.part_size);
    let count = s3::part_count(size, part_size);
    if count > s3::MAX_PARTS {
        return Err(ApiError::field("size", "needs more than 10000 parts").into());
    }
    let storage = storage(&platform)?;
    let key = s3::object_key(&row.server_id, &row.id);
    let upload_id = match row.upload_id.clone() {
        Some(id) => id,
        None => {
            let started = storage.start_upload(&key).await?;
            let kept = platform
                .db
                .execute(
                    Statement::new(
                        "UPDATE backups SET upload_id = ?2, part_size = ?3, part_count = ?4 \
                         WHERE id = ?1 AND upload_id IS NULL",
                    )
                    .bind(row.id.as_str())
                    .bind(started.as_str())
                    .bind(i64::try_from(part_size).unwrap_or(i64::MAX))
                    .bind(i64::try_from(count).unwrap_or(i64::MAX)),
                )
                .await?;
            if kept == 0 {
                // A concurrent ask won: use its upload, drop this one.
                let _ = storage.abort(&key, &started).await;
                store::by_id(&platform, &row.id)
                    .await?
                    .and_then(|r| r.upload_id)
                    .ok_or_else(|| ApiError::Internal("upload id vanished".into()))?
            } else {
                started
            }
        }
    };
    platform
        .db
        .execute(
            Statement::new("UPDATE backups SET part_count = ?2 WHERE id = ?1")
                .bind(row.id.as_str())
                .bind(i64::try_from(count).unwrap_or(i64::MAX)),
        )
        .await?;
    let count = u16::try_from(count).unwrap_or(u16::MAX);
    Ok(Json(PartUrls {
        parts: storage.part_urls(&key, &upload_id, count),
        part_size,
    }))
}

/// The parts' ETags in order, if they are exactly parts 1 to `expected`.
fn ordered_etags(parts: &[Part], expected: Option<i64>) -> Option<Vec<String>> {
    let mut parts = parts.to_vec();
    parts.sort_by_key(|p| p.part_number);
    let contiguous = parts
        .iter()
        .enumerate()
        .all(|(i, p)| i64::try_from(i + 1).ok() == Some(p.part_number) && !p.etag.is_empty());
    let complete = expected.is_none_or(|n| i64::try_from(parts.len()).ok() == Some(n));
    (contiguous && complete && !parts.is_empty())
        .then(|| parts.into_iter().map(|p| p.etag).collect())
}

/// `POST /api/remote/backups/{uuid}`: the outcome. For S3 a success is
/// only recorded once the upload is completed; a failure aborts it.
pub async fn report(
    State(platform): State<Platform>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
    ApiJson(body): ApiJson<BackupReport>,
) -> RemoteResult<StatusCode> {
    let node = auth::node(&platform, &headers).await?;
    let row = on_node(&platform, &node, &uuid).await?;
    let open = row.status == "pending"
        || (row.status == "failed" && row.error.as_deref() == Some(store::TIMEOUT));
    if !open {
        // Settled by an earlier report: acknowledge, change nothing.
        return Ok(StatusCode::NO_CONTENT);
    }
    if body.checksum.len() > 128 || body.checksum_type.len() > 16 {
        return Err(ApiError::field("checksum", "is too long").into());
    }
    let mut successful = body.successful;
    let mut error = (!successful).then_some("Wings reported that the backup failed.");
    if row.adapter == "s3" {
        let key = s3::object_key(&row.server_id, &row.id);
        let storage = storage(&platform)?;
        match (&row.upload_id, successful) {
            (Some(upload), true) => {
                let etags =
                    ordered_etags(body.parts.as_deref().unwrap_or_default(), row.part_count);
                let completed = match etags {
                    Some(etags) => storage.complete(&key, upload, &etags).await.is_ok(),
                    None => false,
                };
                if !completed {
                    let _ = storage.abort(&key, upload).await;
                    successful = false;
                    error = Some("The backup storage could not complete the upload.");
                }
            }
            (Some(upload), false) => {
                let _ = storage.abort(&key, upload).await;
            }
            (None, true) => {
                successful = false;
                error = Some("Wings reported an S3 backup without asking for part URLs.");
            }
            (None, false) => {}
        }
    }
    let outcome = Outcome {
        successful,
        checksum: if successful { &body.checksum } else { "" },
        checksum_type: if successful { &body.checksum_type } else { "" },
        size: if successful { body.size } else { 0 },
        error,
    };
    if store::finish(&platform, &row.id, &outcome).await?
        && let Some(row) = store::by_id(&platform, &row.id).await?
    {
        let org = org_of(&platform, &row).await?;
        store::publish_backup(&platform, &org, &row).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/remote/backups/{uuid}/restore`: the backup is usable again
/// and the server ready; published as `server.backup_restore`.
pub async fn restore_report(
    State(platform): State<Platform>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
    ApiJson(body): ApiJson<RestoreReport>,
) -> RemoteResult<StatusCode> {
    let node = auth::node(&platform, &headers).await?;
    let row = on_node(&platform, &node, &uuid).await?;
    let outcomes = platform
        .db
        .batch(vec![
            Statement::new(
                "UPDATE backups SET status = 'completed' WHERE id = ?1 AND status = 'restoring'",
            )
            .bind(row.id.as_str()),
            Statement::new(
                "UPDATE servers SET status = NULL WHERE id = ?1 AND status = 'restoring_backup'",
            )
            .bind(row.server_id.as_str()),
        ])
        .await?;
    if outcomes.first().is_some_and(|o| o.changes > 0) {
        let org = org_of(&platform, &row).await?;
        store::publish_restore(&platform, &org, &row, body.successful).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(n: i64, etag: &str) -> Part {
        Part {
            etag: etag.into(),
            part_number: n,
        }
    }

    #[test]
    fn parts_must_be_one_to_n() {
        assert_eq!(
            ordered_etags(&[part(2, "\"b\""), part(1, "\"a\"")], Some(2)),
            Some(vec!["\"a\"".to_owned(), "\"b\"".to_owned()])
        );
        assert_eq!(ordered_etags(&[part(1, "a"), part(3, "c")], None), None);
        assert_eq!(ordered_etags(&[part(1, "a")], Some(2)), None);
        assert_eq!(ordered_etags(&[part(1, "")], Some(1)), None);
        assert_eq!(ordered_etags(&[], None), None);
    }
}
