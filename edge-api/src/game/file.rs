//! A server's files through its node (contract section 4, files routes):
//! list (no cap), read and write contents (capped; past the cap the caller
//! gets a signed URL instead), rename, copy, delete, new folder, compress,
//! decompress, chmod, search, pull from a URL, and signed single-use URLs
//! that send the browser straight to Wings for large downloads and uploads.
//! Every path is normalized and checked against the egg's `file_denylist`
//! before Wings sees it.

use axum::{
    Extension, Json,
    body::Bytes,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

use super::{
    file_path::{self, denied},
    server::{self, ServerRecord},
    wings::{Wings, WingsError, jwt::Signer},
};
use crate::{
    context::{Caller, RequestMeta, ServerContext},
    error::ApiError,
    extract::{ApiJson, ApiQuery},
    platform::{Platform, http::Method},
    validate::Problems,
};

/// The largest file read through the API; larger ones go through a signed
/// URL straight to Wings.
pub const MAX_CONTENTS: usize = 1024 * 1024;
/// The largest file written through the API: the Worker's request body
/// limit (larger uploads go through a signed URL straight to Wings).
pub const MAX_WRITE: usize = crate::extract::MAX_BODY_BYTES;
/// The shortest search pattern Wings accepts.
const MIN_PATTERN: usize = 3;

/// One entry of a directory, as Wings describes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct FileStat {
    /// Name (for search results: the path from the searched directory).
    pub name: String,
    /// Creation time (RFC 3339).
    pub created: String,
    /// Modification time (RFC 3339).
    pub modified: String,
    /// `-rw-r--r--` style mode.
    pub mode: String,
    /// Octal mode bits (`644`).
    pub mode_bits: String,
    /// Size in bytes.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub size: i64,
    /// Whether it is a directory.
    pub directory: bool,
    /// Whether it is a regular file.
    pub file: bool,
    /// Whether it is a symbolic link.
    pub symlink: bool,
    /// Its MIME type.
    pub mime: String,
}

/// A signed single-use URL to Wings.
#[derive(Debug, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct SignedUrl {
    /// Where the browser goes (GET for downloads, multipart POST field `files` for uploads).
    pub url: String,
}

/// `?directory=`.
#[derive(Debug, Default, Deserialize)]
pub struct DirectoryQuery {
    /// The directory (default `/`).
    #[serde(default)]
    pub directory: String,
}

/// `?file=`.
#[derive(Debug, Default, Deserialize)]
pub struct FileQuery {
    /// The file.
    #[serde(default)]
    pub file: String,
}

/// `?directory=&pattern=`.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    /// Where to search (default `/`).
    #[serde(default)]
    pub directory: String,
    /// Part of the names to find (at least 3 characters).
    #[serde(default)]
    pub pattern: String,
}

/// The server, its node and its egg's deny-list.
struct Target {
    server: ServerRecord,
    node: super::node::NodeAccess,
    denylist: Vec<String>,
}

async fn target(platform: &Platform, ctx: &ServerContext) -> Result<Target, ApiError> {
    let server = server::current(platform, ctx).await?;
    let node = server::node_of(platform, &server).await?;
    let denylist = server::egg_of(platform, &server).await?.file_denylist;
    Ok(Target {
        server,
        node,
        denylist,
    })
}

/// Normalizes `value` for `field`, recording a problem; refuses denied paths.
fn checked(problems: &mut Problems, field: &str, value: &str) -> String {
    match file_path::normalize(value) {
        Ok(p) => p,
        Err(e) => {
            problems.add(field, e);
            String::new()
        }
    }
}

fn refuse_denied(t: &Target, paths: &[&str]) -> Result<(), ApiError> {
    if let Some(p) = paths.iter().find(|p| denied(&t.denylist, p)) {
        return Err(ApiError::Forbidden {
            code: "file_denied",
            message: format!("The server's egg does not allow {p} to be touched."),
        });
    }
    Ok(())
}

/// Wings' 4xx answers about files become the same class of error here.
fn wings_error(e: WingsError) -> ApiError {
    if let WingsError::Refused {
        status, message, ..
    } = &e
    {
        match status {
            404 => return ApiError::NotFound,
            400 | 422 => {
                return ApiError::BadRequest {
                    code: "node_refused",
                    message: message.clone(),
                };
            }
            409 => {
                return ApiError::Conflict {
                    code: "node_conflict",
                    message: message.clone(),
                };
            }
            _ => {}
        }
    }
    e.into()
}

fn q(value: &str) -> String {
    file_path::encode(value)
}

async fn call_json<B: Serialize>(
    platform: &Platform,
    t: &Target,
    method: Method,
    path: &str,
    body: &B,
) -> Result<Vec<u8>, ApiError> {
    let target = t.node.target(platform)?;
    let response = Wings::new(platform.http.as_ref(), &target)
        .send(
            method,
            &format!("/api/servers/{}/files/{path}", t.server.id),
            body,
        )
        .await
        .map_err(wings_error)?;
    Ok(response.body)
}

async fn call_raw(
    platform: &Platform,
    t: &Target,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> Result<crate::platform::http::HttpResponse, ApiError> {
    let target = t.node.target(platform)?;
    Wings::new(platform.http.as_ref(), &target)
        .call(
            method,
            &format!("/api/servers/{}/files/{path}", t.server.id),
            body,
        )
        .await
        .map_err(wings_error)
}

fn parse<T: serde::de::DeserializeOwned>(t: &Target, body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        WingsError::BadAnswer {
            node: t.node.name.clone(),
            detail: e.to_string(),
        }
        .into()
    })
}

/// `GET …/files/list?directory=`: every entry (no cap), directories first.
pub async fn list(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
    ApiQuery(query): ApiQuery<DirectoryQuery>,
) -> Result<Json<Vec<FileStat>>, ApiError> {
    let mut problems = Problems::new();
    let dir = checked(&mut problems, "directory", &query.directory);
    problems.finish()?;
    let t = target(&platform, &ctx).await?;
    refuse_denied(&t, &[&dir])?;
    let answer = call_raw(
        &platform,
        &t,
        Method::Get,
        &format!("list-directory?directory={}", q(&dir)),
        None,
    )
    .await?;
    let entries: Vec<FileStat> = parse(&t, &answer.body)?;
    let prefix = if dir == "/" {
        String::new()
    } else {
        dir.clone()
    };
    Ok(Json(
        entries
            .into_iter()
            .filter(|e| !denied(&t.denylist, &format!("{prefix}/{}", e.name)))
            .collect(),
    ))
}

/// `GET …/files/contents?file=`: the file's bytes (at most [`MAX_CONTENTS`]).
pub async fn contents(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
    ApiQuery(query): ApiQuery<FileQuery>,
) -> Result<Response, ApiError> {
    let file = one_file(&query.file)?;
    let t = target(&platform, &ctx).await?;
    refuse_denied(&t, &[&file])?;
    let answer = call_raw(
        &platform,
        &t,
        Method::Get,
        &format!("contents?file={}", q(&file)),
        None,
    )
    .await?;
    if answer.body.len() > MAX_CONTENTS {
        return Err(too_large(MAX_CONTENTS));
    }
    let mime = answer
        .header("x-mime-type")
        .unwrap_or("application/octet-stream")
        .to_owned();
    let mut response = (StatusCode::OK, answer.body).into_response();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    Ok(response)
}

fn too_large(limit: usize) -> ApiError {
    ApiError::BadRequest {
        code: "file_too_large",
        message: format!(
            "Files over {} KiB go through a download or upload URL.",
            limit / 1024
        ),
    }
}

fn one_file(value: &str) -> Result<String, ApiError> {
    let problem = match file_path::normalize(value) {
        Ok(f) if f != "/" => return Ok(f),
        Ok(_) => "must name a file".to_owned(),
        Err(e) => e,
    };
    Err(ApiError::Invalid {
        fields: [("file".to_owned(), problem)].into(),
    })
}

/// `PUT …/files/contents?file=`: writes the raw body (at most [`MAX_CONTENTS`]).
pub async fn write(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiQuery(query): ApiQuery<FileQuery>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let file = one_file(&query.file)?;
    if body.len() > MAX_WRITE {
        return Err(too_large(MAX_WRITE));
    }
    let t = target(&platform, &ctx).await?;
    refuse_denied(&t, &[&file])?;
    call_raw(
        &platform,
        &t,
        Method::Post,
        &format!("write?file={}", q(&file)),
        Some(body.to_vec()),
    )
    .await?;
    log(
        &platform,
        &t,
        &caller,
        &meta,
        "server:file.write",
        serde_json::json!({ "file": file }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn log(
    platform: &Platform,
    t: &Target,
    caller: &Caller,
    meta: &RequestMeta,
    event: &str,
    metadata: serde_json::Value,
) -> Result<(), ApiError> {
    platform
        .db
        .run(super::server_action::activity(
            platform, &t.server, caller, meta, event, metadata,
        )?)
        .await?;
    Ok(())
}

/// One move: `from` to `to`, both relative to `root`.
#[derive(Debug, Deserialize, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct RenameEntry {
    /// The current path.
    pub from: String,
    /// The new path.
    pub to: String,
}

/// `PUT …/files/rename` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct RenameRequest {
    /// The directory the paths are relative to.
    #[serde(default)]
    pub root: String,
    /// The moves.
    pub files: Vec<RenameEntry>,
}

/// `PUT …/files/rename`: renames or moves files.
pub async fn rename(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<RenameRequest>,
) -> Result<StatusCode, ApiError> {
    let mut problems = Problems::new();
    let root = checked(&mut problems, "root", &body.root);
    if body.files.is_empty() {
        problems.add("files", "must list at least one file");
    }
    let mut moves = Vec::new();
    let mut touched = Vec::new();
    for (i, f) in body.files.iter().enumerate() {
        for (field, value) in [("from", &f.from), ("to", &f.to)] {
            match file_path::join(&root, value) {
                Ok(p) if p != "/" => touched.push(p),
                Ok(_) => problems.add(&format!("files.{i}.{field}"), "must name a file"),
                Err(e) => problems.add(&format!("files.{i}.{field}"), e),
            }
        }
        moves.push(RenameEntry {
            from: relative(&f.from),
            to: relative(&f.to),
        });
    }
    problems.finish()?;
    let t = target(&platform, &ctx).await?;
    let refs: Vec<&str> = touched.iter().map(String::as_str).collect();
    refuse_denied(&t, &refs)?;
    call_json(
        &platform,
        &t,
        Method::Put,
        "rename",
        &serde_json::json!({ "root": root, "files": moves }),
    )
    .await?;
    log(
        &platform,
        &t,
        &caller,
        &meta,
        "server:file.rename",
        serde_json::json!({ "directory": root, "files": moves }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A path relative to a root, normalized (the caller checked it).
fn relative(value: &str) -> String {
    file_path::normalize(value)
        .unwrap_or_default()
        .trim_start_matches('/')
        .to_owned()
}

/// `POST …/files/copy` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CopyRequest {
    /// The file to copy (Wings names the copy).
    pub location: String,
}

/// `POST …/files/copy`: copies a file beside itself.
pub async fn copy(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<CopyRequest>,
) -> Result<StatusCode, ApiError> {
    let file = one_file(&body.location).map_err(|e| rename_field(e, "file", "location"))?;
    let t = target(&platform, &ctx).await?;
    refuse_denied(&t, &[&file])?;
    call_json(
        &platform,
        &t,
        Method::Post,
        "copy",
        &serde_json::json!({ "location": file }),
    )
    .await?;
    log(
        &platform,
        &t,
        &caller,
        &meta,
        "server:file.copy",
        serde_json::json!({ "file": file }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn rename_field(e: ApiError, from: &str, to: &str) -> ApiError {
    match e {
        ApiError::Invalid { fields } => ApiError::Invalid {
            fields: fields
                .into_iter()
                .map(|(k, v)| (if k == from { to.to_owned() } else { k }, v))
                .collect(),
        },
        other => other,
    }
}

/// `POST …/files/delete` and `…/files/compress` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct FilesRequest {
    /// The directory the names are relative to.
    #[serde(default)]
    pub root: String,
    /// The files.
    pub files: Vec<String>,
    /// The archive's name (compress only; Wings picks one when empty).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub name: Option<String>,
    /// `zip`, `tar.gz` (default), `tar.bz2` or `tar.xz` (compress only).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub extension: Option<String>,
}

/// Checks `root` and `files`; the root and the relative names.
fn check_files(problems: &mut Problems, body: &FilesRequest) -> (String, Vec<String>, Vec<String>) {
    let root = checked(problems, "root", &body.root);
    if body.files.is_empty() {
        problems.add("files", "must list at least one file");
    }
    let mut names = Vec::new();
    let mut full = Vec::new();
    for (i, f) in body.files.iter().enumerate() {
        match file_path::join(&root, f) {
            Ok(p) if p != root && p != "/" => {
                full.push(p);
                names.push(relative(f));
            }
            Ok(_) => problems.add(&format!("files.{i}"), "must name a file"),
            Err(e) => problems.add(&format!("files.{i}"), e),
        }
    }
    (root, names, full)
}

/// `POST …/files/delete`.
pub async fn delete(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<FilesRequest>,
) -> Result<StatusCode, ApiError> {
    let mut problems = Problems::new();
    let (root, names, full) = check_files(&mut problems, &body);
    problems.finish()?;
    let t = target(&platform, &ctx).await?;
    let refs: Vec<&str> = full.iter().map(String::as_str).collect();
    refuse_denied(&t, &refs)?;
    call_json(
        &platform,
        &t,
        Method::Post,
        "delete",
        &serde_json::json!({ "root": root, "files": names }),
    )
    .await?;
    log(
        &platform,
        &t,
        &caller,
        &meta,
        "server:file.delete",
        serde_json::json!({ "directory": root, "files": names }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST …/files/compress`: an archive of the files, beside them.
pub async fn compress(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<FilesRequest>,
) -> Result<Json<FileStat>, ApiError> {
    let mut problems = Problems::new();
    let (root, names, full) = check_files(&mut problems, &body);
    let extension = body.extension.clone().unwrap_or_else(|| "tar.gz".into());
    if !["zip", "tar.gz", "tar.bz2", "tar.xz"].contains(&extension.as_str()) {
        problems.add("extension", "must be zip, tar.gz, tar.bz2 or tar.xz");
    }
    let name = match body.name.as_deref().map(str::trim) {
        None | Some("") => String::new(),
        Some(n) => match file_path::name(n) {
            Ok(n) => n,
            Err(e) => {
                problems.add("name", e);
                String::new()
            }
        },
    };
    problems.finish()?;
    let t = target(&platform, &ctx).await?;
    let refs: Vec<&str> = full.iter().map(String::as_str).collect();
    refuse_denied(&t, &refs)?;
    let answer = call_json(
        &platform,
        &t,
        Method::Post,
        "compress",
        &serde_json::json!({ "root": root, "files": names, "name": name, "extension": extension }),
    )
    .await?;
    let stat: FileStat = parse(&t, &answer)?;
    log(
        &platform,
        &t,
        &caller,
        &meta,
        "server:file.compress",
        serde_json::json!({ "directory": root, "files": names }),
    )
    .await?;
    Ok(Json(stat))
}

/// `POST …/files/decompress` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct DecompressRequest {
    /// The directory the archive is in (and is unpacked into).
    #[serde(default)]
    pub root: String,
    /// The archive's name.
    pub file: String,
}

/// `POST …/files/decompress`.
pub async fn decompress(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<DecompressRequest>,
) -> Result<StatusCode, ApiError> {
    let mut problems = Problems::new();
    let root = checked(&mut problems, "root", &body.root);
    let full = match file_path::join(&root, &body.file) {
        Ok(p) if p != root && p != "/" => p,
        Ok(_) => {
            problems.add("file", "must name a file");
            String::new()
        }
        Err(e) => {
            problems.add("file", e);
            String::new()
        }
    };
    problems.finish()?;
    let t = target(&platform, &ctx).await?;
    refuse_denied(&t, &[&full, &root])?;
    call_json(
        &platform,
        &t,
        Method::Post,
        "decompress",
        &serde_json::json!({ "root": root, "file": relative(&body.file) }),
    )
    .await?;
    log(
        &platform,
        &t,
        &caller,
        &meta,
        "server:file.decompress",
        serde_json::json!({ "directory": root, "file": body.file }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST …/files/create-folder` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CreateFolderRequest {
    /// The parent directory.
    #[serde(default)]
    pub path: String,
    /// The new folder's name.
    pub name: String,
}

/// `POST …/files/create-folder`.
pub async fn create_folder(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<CreateFolderRequest>,
) -> Result<StatusCode, ApiError> {
    let mut problems = Problems::new();
    let path = checked(&mut problems, "path", &body.path);
    let name = match file_path::name(&body.name) {
        Ok(n) => n,
        Err(e) => {
            problems.add("name", e);
            String::new()
        }
    };
    problems.finish()?;
    let t = target(&platform, &ctx).await?;
    let full = file_path::join(&path, &name).map_err(|e| ApiError::BadRequest {
        code: "bad_path",
        message: e,
    })?;
    refuse_denied(&t, &[&full])?;
    call_json(
        &platform,
        &t,
        Method::Post,
        "create-directory",
        &serde_json::json!({ "name": name, "path": path }),
    )
    .await?;
    log(
        &platform,
        &t,
        &caller,
        &meta,
        "server:file.create-directory",
        serde_json::json!({ "directory": path, "name": name }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One mode change.
#[derive(Debug, Deserialize, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct ChmodEntry {
    /// The file, relative to `root`.
    pub file: String,
    /// Octal mode (`644`, `0755`).
    pub mode: String,
}

/// `POST …/files/chmod` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct ChmodRequest {
    /// The directory the names are relative to.
    #[serde(default)]
    pub root: String,
    /// The changes.
    pub files: Vec<ChmodEntry>,
}

/// `POST …/files/chmod`.
pub async fn chmod(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<ChmodRequest>,
) -> Result<StatusCode, ApiError> {
    let mut problems = Problems::new();
    let root = checked(&mut problems, "root", &body.root);
    if body.files.is_empty() {
        problems.add("files", "must list at least one file");
    }
    let mut full = Vec::new();
    let mut changes = Vec::new();
    for (i, f) in body.files.iter().enumerate() {
        match file_path::join(&root, &f.file) {
            Ok(p) if p != "/" => full.push(p),
            Ok(_) => problems.add(&format!("files.{i}.file"), "must name a file"),
            Err(e) => problems.add(&format!("files.{i}.file"), e),
        }
        let mode = f.mode.trim();
        if mode.is_empty() || mode.len() > 4 || !mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            problems.add(&format!("files.{i}.mode"), "must be an octal mode like 644");
        }
        changes.push(ChmodEntry {
            file: relative(&f.file),
            mode: mode.to_owned(),
        });
    }
    problems.finish()?;
    let t = target(&platform, &ctx).await?;
    let refs: Vec<&str> = full.iter().map(String::as_str).collect();
    refuse_denied(&t, &refs)?;
    call_json(
        &platform,
        &t,
        Method::Post,
        "chmod",
        &serde_json::json!({ "root": root, "files": changes }),
    )
    .await?;
    log(
        &platform,
        &t,
        &caller,
        &meta,
        "server:file.chmod",
        serde_json::json!({ "directory": root, "files": changes }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET …/files/search?directory=&pattern=`: entries whose names contain the pattern.
pub async fn search(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<Vec<FileStat>>, ApiError> {
    let mut problems = Problems::new();
    let dir = checked(&mut problems, "directory", &query.directory);
    let pattern = query.pattern.trim();
    if pattern.chars().count() < MIN_PATTERN {
        problems.add(
            "pattern",
            format!("must be at least {MIN_PATTERN} characters"),
        );
    }
    problems.finish()?;
    let t = target(&platform, &ctx).await?;
    refuse_denied(&t, &[&dir])?;
    let answer = call_raw(
        &platform,
        &t,
        Method::Get,
        &format!("search?directory={}&pattern={}", q(&dir), q(pattern)),
        None,
    )
    .await?;
    let found: Vec<FileStat> = parse(&t, &answer.body)?;
    Ok(Json(
        found
            .into_iter()
            .filter(|e| !denied(&t.denylist, &format!("/{}", e.name.trim_start_matches('/'))))
            .collect(),
    ))
}

/// `POST …/files/pull` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct PullRequest {
    /// An `http(s)` URL to download.
    pub url: String,
    /// Where to put it.
    #[serde(default)]
    pub directory: String,
    /// The file's name (else from the URL or its headers).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub file_name: Option<String>,
}

/// Wings' answer to a background pull.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct PullStarted {
    /// The download's id on the node.
    pub identifier: String,
}

/// `POST …/files/pull`: the node downloads a URL in the background (202).
pub async fn pull(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<PullRequest>,
) -> Result<(StatusCode, Json<PullStarted>), ApiError> {
    let mut problems = Problems::new();
    let dir = checked(&mut problems, "directory", &body.directory);
    let url = body.url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2048 {
        problems.add("url", "must be an http or https URL");
    }
    let file_name = match body.file_name.as_deref().map(str::trim) {
        None | Some("") => String::new(),
        Some(n) => match file_path::name(n) {
            Ok(n) => n,
            Err(e) => {
                problems.add("file_name", e);
                String::new()
            }
        },
    };
    problems.finish()?;
    let t = target(&platform, &ctx).await?;
    let dest = if file_name.is_empty() {
        dir.clone()
    } else {
        file_path::join(&dir, &file_name).unwrap_or_default()
    };
    refuse_denied(&t, &[&dir, &dest])?;
    let answer = call_json(
        &platform,
        &t,
        Method::Post,
        "pull",
        &serde_json::json!({
            "url": url, "root": dir, "file_name": file_name,
            "use_header": file_name.is_empty(), "foreground": false
        }),
    )
    .await?;
    let started: PullStarted = parse(&t, &answer)?;
    log(
        &platform,
        &t,
        &caller,
        &meta,
        "server:file.pull",
        serde_json::json!({ "directory": dir, "url": url }),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

fn signer(platform: &Platform, meta: &RequestMeta, t: &Target) -> Result<Signer, ApiError> {
    let origin = crate::game::node_config::panel_origin(platform, meta)?;
    Ok(Signer::new(
        &t.node.token(platform)?,
        &origin,
        &t.node.base_url(),
        platform.clock.now_ms(),
    ))
}

/// `GET …/files/download?file=`: a single-use URL to the file on Wings.
pub async fn download(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiQuery(query): ApiQuery<FileQuery>,
) -> Result<Json<SignedUrl>, ApiError> {
    let file = one_file(&query.file)?;
    let t = target(&platform, &ctx).await?;
    refuse_denied(&t, &[&file])?;
    let token =
        signer(&platform, &meta, &t)?.file_download(&t.server.id, &caller.user_id, &file)?;
    log(
        &platform,
        &t,
        &caller,
        &meta,
        "server:file.download",
        serde_json::json!({ "file": file }),
    )
    .await?;
    Ok(Json(SignedUrl {
        url: format!("{}/download/file?token={}", t.node.base_url(), q(&token)),
    }))
}

/// `GET …/files/upload?directory=`: a single-use URL to upload into the directory.
pub async fn upload(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiQuery(query): ApiQuery<DirectoryQuery>,
) -> Result<Json<SignedUrl>, ApiError> {
    let mut problems = Problems::new();
    let dir = checked(&mut problems, "directory", &query.directory);
    problems.finish()?;
    let t = target(&platform, &ctx).await?;
    refuse_denied(&t, &[&dir])?;
    let token = signer(&platform, &meta, &t)?.file_upload(&t.server.id, &caller.user_id)?;
    Ok(Json(SignedUrl {
        url: format!(
            "{}/upload/file?token={}&directory={}",
            t.node.base_url(),
            q(&token),
            q(&dir)
        ),
    }))
}
