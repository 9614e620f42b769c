//! The remote API's server routes: the paged boot list (1-based pages;
//! `page=0` is answered as page 1, as Wings asks for it first), one
//! server's configuration, reset after boot, the install script and its
//! outcome, container state changes (kept as the last known state and
//! published as `server.state`). Transfer outcomes are in [`super::transfers`].

use std::collections::{BTreeMap, BTreeSet};

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{RemoteResult, auth};
use crate::{
    auth::Resource,
    context::RequestMeta,
    error::ApiError,
    extract::{ApiJson, ApiQuery},
    game::{
        egg::{
            self, EggDefinition,
            store::{COLUMNS as EGG_COLUMNS, Row as EggRow},
        },
        node::NodeAccess,
        server::{self, ServerAllocation, ServerRecord},
        settings::{self, BootEntry, ServerConfiguration},
    },
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, Statement},
    },
    record::events::{Audience, NewEvent},
    validate,
};

/// Servers per page when Wings does not say.
pub const DEFAULT_PER_PAGE: u64 = 50;
/// The most servers one page holds.
pub const MAX_PER_PAGE: u64 = 500;

/// `?page=&per_page=`.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// 1-based page; 0 means 1.
    pub page: Option<u64>,
    /// Page size.
    pub per_page: Option<u64>,
}

/// The boot list's `meta`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMeta {
    /// This page (from 1).
    pub current_page: u64,
    /// First item's position (from 1; 0 when empty).
    pub from: u64,
    /// Last page (at least 1).
    pub last_page: u64,
    /// Page size.
    pub per_page: u64,
    /// Last item's position (0 when empty).
    pub to: u64,
    /// All servers of the node.
    pub total: u64,
}

/// `GET /api/remote/servers` answer.
#[derive(Debug, Serialize)]
pub struct BootPage {
    /// This page's servers.
    pub data: Vec<BootEntry>,
    /// Paging.
    pub meta: PageMeta,
}

/// The page numbers for `total` items (Wings' rules: 1-based, `page=0` is 1).
pub fn page_meta(total: u64, page: Option<u64>, per_page: Option<u64>) -> PageMeta {
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE);
    let current_page = page.unwrap_or(1).max(1);
    let last_page = total.div_ceil(per_page).max(1);
    let skip = (current_page - 1).saturating_mul(per_page);
    let (from, to) = if skip >= total {
        (0, 0)
    } else {
        (skip + 1, (skip + per_page).min(total))
    };
    PageMeta {
        current_page,
        from,
        last_page,
        per_page,
        to,
        total,
    }
}

/// Configurations for `servers`, with two more queries in all (their
/// allocations and their eggs), never one per server.
async fn configurations(
    platform: &Platform,
    servers: &[ServerRecord],
) -> Result<Vec<(String, ServerConfiguration)>, ApiError> {
    if servers.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = servers.iter().map(|s| s.id.as_str()).collect();
    let ids = serde_json::to_string(&ids).map_err(|e| ApiError::Internal(e.to_string()))?;
    #[derive(Deserialize)]
    struct AllocationRow {
        id: String,
        server_id: String,
        node_id: String,
        ip: String,
        alias: Option<String>,
        port: i64,
    }
    let rows: Vec<AllocationRow> = platform
        .db
        .all(
            Statement::new(
                "SELECT id, server_id, node_id, ip, alias, port FROM allocations \
                 WHERE server_id IN (SELECT value FROM json_each(?1)) ORDER BY ip, port",
            )
            .bind(ids.as_str()),
        )
        .await?;
    // Only the allocations on the server's node: while it is transferred it
    // holds some on the destination too (`game::remote::transfers`).
    let node_of: BTreeMap<&str, &str> = servers
        .iter()
        .map(|s| (s.id.as_str(), s.node_id.as_str()))
        .collect();
    let mut allocations: BTreeMap<String, Vec<ServerAllocation>> = BTreeMap::new();
    for r in rows {
        if node_of.get(r.server_id.as_str()) != Some(&r.node_id.as_str()) {
            continue;
        }
        allocations
            .entry(r.server_id)
            .or_default()
            .push(ServerAllocation {
                id: r.id,
                ip: r.ip,
                alias: r.alias,
                port: r.port,
                is_default: false,
            });
    }
    let egg_ids: BTreeSet<&str> = servers.iter().map(|s| s.egg_id.as_str()).collect();
    let egg_ids = serde_json::to_string(&egg_ids).map_err(|e| ApiError::Internal(e.to_string()))?;
    let egg_rows: Vec<EggRow> = platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {EGG_COLUMNS} FROM eggs WHERE id IN (SELECT value FROM json_each(?1))"
            ))
            .bind(egg_ids),
        )
        .await?;
    let mut eggs: BTreeMap<String, EggDefinition> = BTreeMap::new();
    for row in egg_rows {
        let egg = row.into_egg()?;
        eggs.insert(egg.id, egg.definition);
    }
    let mut out = Vec::with_capacity(servers.len());
    for s in servers {
        let Some(egg) = eggs.get(&s.egg_id) else {
            continue;
        };
        let mut list = allocations.remove(&s.id).unwrap_or_default();
        for a in &mut list {
            a.is_default = a.id == s.allocation_id;
        }
        out.push((s.id.clone(), settings::configuration(s, egg, &list)));
    }
    Ok(out)
}

/// `GET /api/remote/servers?page=N&per_page=M`: the node's servers by id.
pub async fn list(
    State(platform): State<Platform>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> RemoteResult<Json<BootPage>> {
    let node = auth::node(&platform, &headers).await?;
    #[derive(Deserialize)]
    struct Count {
        total: i64,
    }
    let total = platform
        .db
        .first::<Count>(
            Statement::new("SELECT COUNT(*) AS total FROM servers WHERE node_id = ?1")
                .bind(node.id.as_str()),
        )
        .await?
        .map_or(0, |c| c.total);
    let meta = page_meta(
        u64::try_from(total).unwrap_or(0),
        query.page,
        query.per_page,
    );
    let offset = (meta.current_page - 1).saturating_mul(meta.per_page);
    let servers: Vec<ServerRecord> = platform
        .db
        .all(
            Statement::new(format!(
                "{} WHERE s.node_id = ?1 ORDER BY s.id LIMIT ?2 OFFSET ?3",
                server::SELECT
            ))
            .bind(node.id.as_str())
            .bind(i64::try_from(meta.per_page).unwrap_or(i64::MAX))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX)),
        )
        .await?;
    let data = configurations(&platform, &servers)
        .await?
        .into_iter()
        .map(|(uuid, c)| BootEntry {
            uuid,
            settings: c.settings,
            process_configuration: c.process_configuration,
        })
        .collect();
    Ok(Json(BootPage { data, meta }))
}

/// The server `uuid` on `node`, or 404.
async fn on_node(
    platform: &Platform,
    node: &NodeAccess,
    uuid: &str,
) -> Result<ServerRecord, ApiError> {
    server::record(platform, uuid)
        .await?
        .filter(|s| s.node_id == node.id)
        .ok_or(ApiError::NotFound)
}

/// `GET /api/remote/servers/{uuid}`: `{settings, process_configuration}`.
pub async fn show(
    State(platform): State<Platform>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
) -> RemoteResult<Json<ServerConfiguration>> {
    let node = auth::node(&platform, &headers).await?;
    let server = match on_node(&platform, &node, &uuid).await {
        Ok(server) => server,
        // The destination of a transfer creates the server from this answer.
        Err(ApiError::NotFound) => super::transfers::incoming(&platform, &node, &uuid)
            .await?
            .ok_or(ApiError::NotFound)?,
        Err(e) => return Err(e.into()),
    };
    let configuration = configurations(&platform, std::slice::from_ref(&server))
        .await?
        .pop()
        .map(|(_, c)| c)
        .ok_or_else(|| ApiError::Internal(format!("server {} has no egg", server.id)))?;
    Ok(Json(configuration))
}

/// `POST /api/remote/servers/reset`: servers of this node stuck installing
/// or restoring a backup when Wings restarted are ready again (a stuck
/// install becomes a failed one).
pub async fn reset(
    State(platform): State<Platform>,
    headers: HeaderMap,
) -> RemoteResult<StatusCode> {
    let node = auth::node(&platform, &headers).await?;
    let now = rfc3339(platform.clock.now_ms());
    platform
        .db
        .batch(vec![
            Statement::new(
                "UPDATE servers SET status = 'install_failed', updated_at = ?2 WHERE node_id = ?1 AND status = 'installing'",
            )
            .bind(node.id.as_str())
            .bind(now.as_str()),
            Statement::new(
                "UPDATE servers SET status = NULL, updated_at = ?2 WHERE node_id = ?1 AND status = 'restoring_backup'",
            )
            .bind(node.id.as_str())
            .bind(now.as_str()),
        ])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/remote/servers/{uuid}/install` answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct InstallScript {
    /// The image the script runs in.
    pub container_image: String,
    /// The program that runs it.
    pub entrypoint: String,
    /// The script.
    pub script: String,
}

/// `GET /api/remote/servers/{uuid}/install`: the egg's install script.
pub async fn install_script(
    State(platform): State<Platform>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
) -> RemoteResult<Json<InstallScript>> {
    let node = auth::node(&platform, &headers).await?;
    let server = on_node(&platform, &node, &uuid).await?;
    let egg = egg::load(platform.db.as_ref(), &server.org_id, &server.egg_id)
        .await?
        .ok_or(ApiError::NotFound)?
        .definition;
    Ok(Json(InstallScript {
        container_image: egg.install.container,
        entrypoint: egg.install.entrypoint,
        script: egg.install.script.replace("\r\n", "\n"),
    }))
}

/// `POST /api/remote/servers/{uuid}/install` body.
#[derive(Debug, Deserialize)]
pub struct InstallOutcome {
    /// Whether the script succeeded.
    pub successful: bool,
    /// Whether it was a reinstall.
    #[serde(default)]
    pub reinstall: bool,
}

/// Publishes a server event to its organization's streams.
async fn publish(platform: &Platform, server: &ServerRecord, event: &str, data: Value) {
    crate::record::events::publish(
        platform,
        &server.org_id,
        NewEvent::new(event, data, Audience::Read(Resource::GameServers)),
    )
    .await;
}

/// `POST /api/remote/servers/{uuid}/install`: the status becomes null,
/// `install_failed` or `reinstall_failed`.
pub async fn install_status(
    State(platform): State<Platform>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
    ApiJson(body): ApiJson<InstallOutcome>,
) -> RemoteResult<StatusCode> {
    let node = auth::node(&platform, &headers).await?;
    let server = on_node(&platform, &node, &uuid).await?;
    let status = match (body.successful, body.reinstall) {
        (true, _) => None,
        (false, false) => Some("install_failed"),
        (false, true) => Some("reinstall_failed"),
    };
    let now = rfc3339(platform.clock.now_ms());
    // A server suspended meanwhile stays suspended.
    platform
        .db
        .execute(
            Statement::new(
                "UPDATE servers SET status = CASE WHEN status = 'suspended' THEN status ELSE ?1 END, \
                 installed_at = CASE WHEN ?2 THEN ?3 ELSE installed_at END, updated_at = ?3 WHERE id = ?4",
            )
            .bind(status)
            .bind(body.successful)
            .bind(now.as_str())
            .bind(server.id.as_str()),
        )
        .await?;
    publish(
        &platform,
        &server,
        "server.installed",
        json!({ "server_id": server.id, "successful": body.successful, "reinstall": body.reinstall }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// The states Wings reports.
pub const STATES: [&str; 4] = ["offline", "starting", "running", "stopping"];

/// `data` of a container status report.
#[derive(Debug, Deserialize)]
pub struct StateChange {
    /// The state before.
    #[serde(default)]
    pub previous_state: String,
    /// The state now.
    pub new_state: String,
}

/// `POST /api/remote/servers/{uuid}/container/status` body.
#[derive(Debug, Deserialize)]
pub struct ContainerStatus {
    /// The change.
    pub data: StateChange,
}

/// `POST /api/remote/servers/{uuid}/container/status`: kept as the last
/// known state and published as `server.state`.
pub async fn container_status(
    State(platform): State<Platform>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
    ApiJson(body): ApiJson<ContainerStatus>,
) -> RemoteResult<StatusCode> {
    let node = auth::node(&platform, &headers).await?;
    let server = on_node(&platform, &node, &uuid).await?;
    let state = body.data.new_state.as_str();
    if !STATES.contains(&state) {
        return Err(ApiError::field(
            "data.new_state",
            "must be offline, starting, running or stopping",
        )
        .into());
    }
    let now = rfc3339(platform.clock.now_ms());
    platform
        .db
        .execute(
            Statement::new("UPDATE servers SET container_state = ?1, state_at = ?2 WHERE id = ?3")
                .bind(state)
                .bind(now.as_str())
                .bind(server.id.as_str()),
        )
        .await?;
    publish(
        &platform,
        &server,
        "server.state",
        json!({
            "server_id": server.id,
            "state": state,
            "previous_state": body.data.previous_state,
            "at": now,
        }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/remote/servers/{uuid}/archive`: defined by Wings, never called; acknowledged.
pub async fn archive(
    State(platform): State<Platform>,
    headers: HeaderMap,
    Extension(_meta): Extension<RequestMeta>,
    Path(uuid): Path<String>,
) -> RemoteResult<StatusCode> {
    let node = auth::node(&platform, &headers).await?;
    let id = validate::as_id(&uuid).ok_or(ApiError::NotFound)?;
    on_node(&platform, &node, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
