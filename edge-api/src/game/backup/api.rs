//! The backups REST API under `/api/orgs/{org}/servers/{server}/backups`:
//! list, create (within the server's limit, counted atomically), show,
//! lock and unlock, delete (refused while locked), restore (optionally
//! truncating), and a signed download URL. Each row is committed before
//! Wings is called, so Wings' report always finds it.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    s3::{self, Storage},
    store::{self, Backup, Row},
};
use crate::{
    context::{Caller, RequestMeta, ServerContext},
    error::ApiError,
    extract::ApiJson,
    game::{
        server::{self, ServerRecord},
        server_action,
        wings::{Wings, jwt::Signer},
    },
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, Statement},
    },
    validate::Problems,
};

/// The longest backup name.
const MAX_NAME: usize = 191;
/// The longest ignore list.
const MAX_IGNORED: usize = 16 * 1024;

/// `GET …/backups` answer.
#[derive(Debug, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct BackupList {
    /// Newest first.
    pub items: Vec<Backup>,
    /// How many count against the limit (all but failed ones).
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub counted: i64,
    /// The server's backup limit.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub backup_limit: i64,
}

/// `POST …/backups` body.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CreateBackup {
    /// Name (default: the time it was taken).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub name: Option<String>,
    /// Newline-separated patterns to leave out, as Pelican.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub ignored: Option<String>,
    /// Lock it at once.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub is_locked: Option<bool>,
    /// `wings` or `s3` (default: the instance's `BACKUP_ADAPTER`).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub adapter: Option<String>,
}

/// `POST …/backups/{backup}/restore` body.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct RestoreBackup {
    /// Delete the server's files first.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub truncate: Option<bool>,
}

/// A signed URL to download a backup.
#[derive(Debug, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct BackupDownload {
    /// Where the browser goes (GET).
    pub url: String,
}

/// Who asked for a backup, for the server's activity log (`None`: a schedule).
pub type Actor<'a> = Option<(&'a Caller, &'a RequestMeta)>;

/// Takes a backup of `server`: checks the request, writes the row within
/// the server's limit, then asks Wings. If Wings refuses, the row is
/// failed with the node's answer and that answer is the error (502/504
/// naming the node). Schedules call this too.
pub async fn create(
    platform: &Platform,
    server: &ServerRecord,
    actor: Actor<'_>,
    request: CreateBackup,
) -> Result<Backup, ApiError> {
    let now = rfc3339(platform.clock.now_ms());
    let mut problems = Problems::new();
    let name = request
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| format!("Backup at {now}"), str::to_owned);
    if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        problems.add(
            "name",
            format!("must be at most {MAX_NAME} characters without control characters"),
        );
    }
    let ignored = request.ignored.unwrap_or_default().replace("\r\n", "\n");
    if ignored.len() > MAX_IGNORED {
        problems.add(
            "ignored",
            format!("must be at most {} KiB", MAX_IGNORED / 1024),
        );
    }
    let config = &platform.config.backups;
    let adapter = request
        .adapter
        .unwrap_or_else(|| config.default_adapter.clone());
    match adapter.as_str() {
        "wings" => {}
        "s3" if config.s3.is_some() => {}
        "s3" => problems.add("adapter", "s3 is not configured on this instance"),
        _ => problems.add("adapter", "must be wings or s3"),
    }
    problems.finish()?;
    if server.suspended() {
        return Err(ApiError::Conflict {
            code: "server_suspended",
            message: "A suspended server cannot be backed up.".into(),
        });
    }
    store::expire(platform, &server.org_id, &server.id).await?;
    let id = crate::crypto::uuid()?;
    let insert = store::insert_within_limit(
        &id,
        &server.id,
        &name,
        &ignored,
        &adapter,
        request.is_locked.unwrap_or(false),
        &now,
    );
    if platform.db.execute(insert).await? == 0 {
        return Err(ApiError::Conflict {
            code: "backup_limit_reached",
            message: format!(
                "This server may keep {} backups; delete one first.",
                server.backup_limit
            ),
        });
    }
    if let Some((caller, meta)) = actor {
        let entry = server_action::activity(
            platform,
            server,
            caller,
            meta,
            "server:backup.start",
            json!({ "backup_id": id, "name": name, "adapter": adapter }),
        )?;
        platform.db.run(entry).await?;
    }
    // Committed: whatever Wings reports from here on finds the row.
    let node = server::node_of(platform, server).await?;
    let target = node.target(platform)?;
    if let Err(e) = Wings::new(platform.http.as_ref(), &target)
        .take_backup(&server.id, &adapter, &id, &ignored)
        .await
    {
        let error: ApiError = e.into();
        if store::fail(platform, &id, &error.to_string()).await?
            && let Some(row) = store::by_id(platform, &id).await?
        {
            store::publish_backup(platform, &server.org_id, &row).await;
        }
        return Err(error);
    }
    // Wings may already have reported: read the row as it is now.
    store::by_id(platform, &id)
        .await?
        .map(|r| r.to_backup())
        .ok_or(ApiError::NotFound)
}

/// `GET …/backups`.
pub async fn list(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
) -> Result<Json<BackupList>, ApiError> {
    let server = server::current(&platform, &ctx).await?;
    store::expire(&platform, &server.org_id, &server.id).await?;
    let rows = store::list(&platform, &server.id).await?;
    let counted = rows.iter().filter(|r| r.status != "failed").count();
    Ok(Json(BackupList {
        items: rows.iter().map(Row::to_backup).collect(),
        counted: i64::try_from(counted).unwrap_or(i64::MAX),
        backup_limit: server.backup_limit,
    }))
}

/// `POST …/backups`: `202` with the pending backup.
pub async fn create_route(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<CreateBackup>,
) -> Result<(StatusCode, Json<Backup>), ApiError> {
    let server = server::current(&platform, &ctx).await?;
    let backup = create(&platform, &server, Some((&caller, &meta)), body).await?;
    Ok((StatusCode::ACCEPTED, Json(backup)))
}

async fn load(
    platform: &Platform,
    ctx: &ServerContext,
    backup: &str,
) -> Result<(ServerRecord, Row), ApiError> {
    let server = server::current(platform, ctx).await?;
    store::expire(platform, &server.org_id, &server.id).await?;
    let row = store::of_server(platform, &server.id, backup).await?;
    Ok((server, row))
}

/// `GET …/backups/{backup}`.
pub async fn show(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, backup)): Path<(String, String, String)>,
) -> Result<Json<Backup>, ApiError> {
    let (_, row) = load(&platform, &ctx, &backup).await?;
    Ok(Json(row.to_backup()))
}

async fn set_lock(
    platform: &Platform,
    caller: &Caller,
    meta: &RequestMeta,
    ctx: &ServerContext,
    backup: &str,
    locked: bool,
) -> Result<Json<Backup>, ApiError> {
    let (server, row) = load(platform, ctx, backup).await?;
    let event = if locked {
        "server:backup.lock"
    } else {
        "server:backup.unlock"
    };
    platform
        .db
        .batch(vec![
            Statement::new("UPDATE backups SET is_locked = ?2 WHERE id = ?1")
                .bind(row.id.as_str())
                .bind(locked),
            server_action::activity(
                platform,
                &server,
                caller,
                meta,
                event,
                json!({ "backup_id": row.id, "name": row.name }),
            )?,
        ])
        .await?;
    let row = store::of_server(platform, &server.id, &row.id).await?;
    Ok(Json(row.to_backup()))
}

/// `POST …/backups/{backup}/lock`.
pub async fn lock(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, backup)): Path<(String, String, String)>,
) -> Result<Json<Backup>, ApiError> {
    set_lock(&platform, &caller, &meta, &ctx, &backup, true).await
}

/// `POST …/backups/{backup}/unlock`.
pub async fn unlock(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, backup)): Path<(String, String, String)>,
) -> Result<Json<Backup>, ApiError> {
    set_lock(&platform, &caller, &meta, &ctx, &backup, false).await
}

/// `DELETE …/backups/{backup}`: `409 backup_locked` while locked, `409
/// backup_busy` while it is being taken or restored; the archive goes
/// first (Wings' disk or the bucket), then the row.
pub async fn remove(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, backup)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let (server, row) = load(&platform, &ctx, &backup).await?;
    if row.is_locked != 0 {
        return Err(ApiError::Conflict {
            code: "backup_locked",
            message: "This backup is locked; unlock it before deleting it.".into(),
        });
    }
    if row.status == "pending" || row.status == "restoring" {
        return Err(ApiError::Conflict {
            code: "backup_busy",
            message: format!("This backup is {}; wait until it finishes.", row.status),
        });
    }
    delete_archive(&platform, &server, &row).await?;
    platform
        .db
        .batch(vec![
            Statement::new("DELETE FROM backups WHERE id = ?1").bind(row.id.as_str()),
            server_action::activity(
                &platform,
                &server,
                &caller,
                &meta,
                "server:backup.delete",
                json!({ "backup_id": row.id, "name": row.name }),
            )?,
        ])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_archive(
    platform: &Platform,
    server: &ServerRecord,
    row: &Row,
) -> Result<(), ApiError> {
    match row.adapter.as_str() {
        "s3" => {
            let Some(config) = platform.config.backups.s3.as_ref() else {
                return Err(ApiError::Misconfigured("S3 backups are not configured"));
            };
            let storage = Storage::new(platform.http.as_ref(), config, platform.clock.now_ms())?;
            let key = s3::object_key(&server.id, &row.id);
            if let Some(upload) = row.upload_id.as_deref().filter(|_| !row.usable()) {
                // An upload that never completed: free its parts (gone already is fine).
                let _ = storage.abort(&key, upload).await;
            }
            storage.delete(&key).await
        }
        _ if row.status == "failed" => Ok(()),
        _ => {
            let node = server::node_of(platform, server).await?;
            let target = node.target(platform)?;
            match Wings::new(platform.http.as_ref(), &target)
                .delete_backup(&server.id, &row.id)
                .await
            {
                Ok(()) => Ok(()),
                // Already gone from the node.
                Err(e) if e.status() == Some(404) => Ok(()),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// `POST …/backups/{backup}/restore`: `202` with the backup `restoring`;
/// the server is `restoring_backup` until Wings reports.
pub async fn restore(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, backup)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<RestoreBackup>,
) -> Result<(StatusCode, Json<Backup>), ApiError> {
    let (server, row) = load(&platform, &ctx, &backup).await?;
    if !row.usable() {
        return Err(ApiError::Conflict {
            code: "backup_not_ready",
            message: format!(
                "Only a completed backup can be restored; this one is {}.",
                row.status
            ),
        });
    }
    if server.status.is_some() {
        return Err(ApiError::Conflict {
            code: "server_busy",
            message:
                "The server is installing, suspended or restoring; try again once it is ready."
                    .into(),
        });
    }
    let truncate = body.truncate.unwrap_or(false);
    let download_url = match row.adapter.as_str() {
        "s3" => {
            let config = platform
                .config
                .backups
                .s3
                .as_ref()
                .ok_or(ApiError::Misconfigured("S3 backups are not configured"))?;
            let storage = Storage::new(platform.http.as_ref(), config, platform.clock.now_ms())?;
            Some(storage.get_url(&s3::object_key(&server.id, &row.id), s3::RESTORE_URL_TTL))
        }
        _ => None,
    };
    // Both or neither: the server is free and this backup is still usable.
    let outcomes = platform
        .db
        .batch(vec![
            Statement::new(
                "UPDATE servers SET status = 'restoring_backup' WHERE id = ?1 AND status IS NULL \
                 AND EXISTS (SELECT 1 FROM backups WHERE id = ?2 AND server_id = ?1 \
                             AND status = 'completed' AND is_successful = 1)",
            )
            .bind(server.id.as_str())
            .bind(row.id.as_str()),
            Statement::new(
                "UPDATE backups SET status = 'restoring' WHERE id = ?2 AND status = 'completed' \
                 AND EXISTS (SELECT 1 FROM servers WHERE id = ?1 AND status = 'restoring_backup') \
                 AND NOT EXISTS (SELECT 1 FROM backups WHERE server_id = ?1 AND status = 'restoring')",
            )
            .bind(server.id.as_str())
            .bind(row.id.as_str()),
            server_action::activity(
                &platform,
                &server,
                &caller,
                &meta,
                "server:backup.restore",
                json!({ "backup_id": row.id, "name": row.name, "truncate": truncate }),
            )?,
        ])
        .await?;
    if outcomes.get(1).is_none_or(|o| o.changes == 0) {
        return Err(ApiError::Conflict {
            code: "server_busy",
            message: "Another restore of this server is under way.".into(),
        });
    }
    // Committed: Wings' restore report finds the backup restoring.
    let node = server::node_of(&platform, &server).await?;
    let target = node.target(&platform)?;
    if let Err(e) = Wings::new(platform.http.as_ref(), &target)
        .restore_backup(
            &server.id,
            &row.adapter,
            &row.id,
            truncate,
            download_url.as_deref(),
        )
        .await
    {
        platform
            .db
            .batch(vec![
                Statement::new(
                    "UPDATE backups SET status = 'completed' WHERE id = ?1 AND status = 'restoring'",
                )
                .bind(row.id.as_str()),
                Statement::new(
                    "UPDATE servers SET status = NULL WHERE id = ?1 AND status = 'restoring_backup'",
                )
                .bind(server.id.as_str()),
            ])
            .await?;
        return Err(e.into());
    }
    let row = store::of_server(&platform, &server.id, &row.id).await?;
    Ok((StatusCode::ACCEPTED, Json(row.to_backup())))
}

/// `GET …/backups/{backup}/download`: `{url}`. The `wings` adapter: a
/// single-use `backup-download` JWT to the node's `/download/backup`; `s3`:
/// a presigned GET valid for 5 minutes.
pub async fn download(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, backup)): Path<(String, String, String)>,
) -> Result<Json<BackupDownload>, ApiError> {
    let (server, row) = load(&platform, &ctx, &backup).await?;
    if !row.usable() && row.status != "restoring" {
        return Err(ApiError::Conflict {
            code: "backup_not_ready",
            message: format!(
                "Only a completed backup can be downloaded; this one is {}.",
                row.status
            ),
        });
    }
    let url = match row.adapter.as_str() {
        "s3" => {
            let config = platform
                .config
                .backups
                .s3
                .as_ref()
                .ok_or(ApiError::Misconfigured("S3 backups are not configured"))?;
            Storage::new(platform.http.as_ref(), config, platform.clock.now_ms())?
                .get_url(&s3::object_key(&server.id, &row.id), s3::DOWNLOAD_URL_TTL)
        }
        _ => {
            let node = server::node_of(&platform, &server).await?;
            let origin = crate::game::node_config::panel_origin(&platform, &meta)?;
            let token = Signer::new(
                &node.token(&platform)?,
                &origin,
                &node.base_url(),
                platform.clock.now_ms(),
            )
            .backup_download(&server.id, &caller.user_id, &row.id)?;
            format!(
                "{}/download/backup?token={}",
                node.base_url(),
                crate::game::file_path::encode(&token)
            )
        }
    };
    platform
        .db
        .run(server_action::activity(
            &platform,
            &server,
            &caller,
            &meta,
            "server:backup.download",
            json!({ "backup_id": row.id, "name": row.name }),
        )?)
        .await?;
    Ok(Json(BackupDownload { url }))
}
