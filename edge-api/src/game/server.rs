//! Game servers: the stored record, the organization's list (one query,
//! paginated, with the last known state), one server's page, and delete
//! (Wings first, `?force=true` when the node is gone). Creating is in
//! [`super::server_create`].

use std::collections::BTreeMap;

use axum::{Extension, Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    egg::{self, EggDefinition},
    node::{self, NodeAccess},
    wings::Wings,
};
use crate::{
    context::{Caller, OrgContext, RequestMeta, ServerContext},
    error::ApiError,
    extract::ApiQuery,
    platform::{
        Platform,
        db::{DatabaseExt, Statement},
    },
    record::audit,
    validate::{self, Problems},
};

/// The server's resource limits, as Wings' `build` block wants them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// MiB, 0 unlimited.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub memory: i64,
    /// MiB, -1 unlimited.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub swap: i64,
    /// MiB, 0 unlimited.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub disk: i64,
    /// Block IO weight, 10-1000.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub io: i64,
    /// Percent of one core, 0 unlimited.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub cpu: i64,
    /// cpuset, e.g. `0-3` or `0,2`.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub threads: Option<String>,
    /// Whether the OOM killer may kill the server (default true).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub oom_killer: Option<bool>,
    /// Backups the server may keep, failed ones not counted (default 3;
    /// left out of a change: unchanged).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub backup_limit: Option<i64>,
}

/// An allocation as a server shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ServerAllocation {
    /// Allocation id.
    pub id: String,
    /// IP.
    pub ip: String,
    /// Alias, if set.
    pub alias: Option<String>,
    /// Port.
    pub port: i64,
    /// Whether it is the server's default.
    pub is_default: bool,
}

/// A game server as listed and shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct GameServer {
    /// Server id (its uuid on Wings).
    pub id: String,
    /// First 8 characters of the id (SFTP user names are `<user>.<short_id>`).
    pub short_id: String,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The node.
    pub node_id: String,
    /// The node's name.
    pub node_name: String,
    /// The egg (Flamingo's id).
    pub egg_id: String,
    /// The egg's name.
    pub egg_name: String,
    /// The owner, if any.
    pub owner_id: Option<String>,
    /// The owner's name.
    pub owner_name: Option<String>,
    /// `installing`, `install_failed`, `reinstall_failed`, `suspended`,
    /// `restoring_backup`, or null when ready.
    pub status: Option<String>,
    /// Last state Wings reported: `offline`, `starting`, `running`, `stopping`.
    pub container_state: Option<String>,
    /// When it was reported.
    pub state_at: Option<String>,
    /// Limits.
    pub limits: Limits,
    /// The docker image.
    pub docker_image: String,
    /// The startup command.
    pub startup: String,
    /// Variable values (strings).
    pub environment: BTreeMap<String, String>,
    /// The default allocation.
    pub allocation: ServerAllocation,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// RFC 3339, once installed.
    pub installed_at: Option<String>,
}

/// A server row with its names; the list's one query reads these columns.
pub const SELECT: &str = "SELECT s.id, s.short_id, s.number, s.org_id, s.name, s.description, s.node_id, \
     n.name AS node_name, s.egg_id, e.name AS egg_name, e.uuid AS egg_uuid, s.owner_id, u.name AS owner_name, \
     s.status, s.skip_egg_scripts, s.container_state, s.state_at, s.memory, s.swap, s.disk, s.io, s.cpu, \
     s.threads, s.oom_killer, s.backup_limit, s.image, s.startup, s.environment, s.allocation_id, \
     a.ip AS allocation_ip, a.alias AS allocation_alias, a.port AS allocation_port, \
     s.created_at, s.updated_at, s.installed_at \
     FROM servers s JOIN nodes n ON n.id = s.node_id JOIN eggs e ON e.id = s.egg_id \
     LEFT JOIN users u ON u.id = s.owner_id LEFT JOIN allocations a ON a.id = s.allocation_id";

/// A stored server, as every part of the game area reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct ServerRecord {
    /// Id.
    pub id: String,
    /// Short id.
    pub short_id: String,
    /// Wings' integer id.
    pub number: i64,
    /// Organization.
    pub org_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Node.
    pub node_id: String,
    /// Node name.
    pub node_name: String,
    /// Egg.
    pub egg_id: String,
    /// Egg name.
    pub egg_name: String,
    /// The egg's own uuid.
    pub egg_uuid: String,
    /// Owner.
    pub owner_id: Option<String>,
    /// Owner name.
    pub owner_name: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// 0/1.
    pub skip_egg_scripts: i64,
    /// Last known state.
    pub container_state: Option<String>,
    /// When.
    pub state_at: Option<String>,
    /// MiB.
    pub memory: i64,
    /// MiB.
    pub swap: i64,
    /// MiB.
    pub disk: i64,
    /// Weight.
    pub io: i64,
    /// Percent.
    pub cpu: i64,
    /// cpuset.
    pub threads: Option<String>,
    /// 0/1.
    pub oom_killer: i64,
    /// Backups it may keep (the backups area counts them).
    pub backup_limit: i64,
    /// Image.
    pub image: String,
    /// Startup.
    pub startup: String,
    /// JSON object of strings.
    pub environment: String,
    /// Default allocation.
    pub allocation_id: String,
    /// Its IP.
    pub allocation_ip: Option<String>,
    /// Its alias.
    pub allocation_alias: Option<String>,
    /// Its port.
    pub allocation_port: Option<i64>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// RFC 3339.
    pub installed_at: Option<String>,
}

impl ServerRecord {
    /// The stored variable values.
    pub fn environment(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.environment).unwrap_or_default()
    }

    /// Whether the server is suspended.
    pub fn suspended(&self) -> bool {
        self.status.as_deref() == Some("suspended")
    }

    /// The limits.
    pub fn limits(&self) -> Limits {
        Limits {
            memory: self.memory,
            swap: self.swap,
            disk: self.disk,
            io: self.io,
            cpu: self.cpu,
            threads: self.threads.clone(),
            oom_killer: Some(self.oom_killer != 0),
            backup_limit: Some(self.backup_limit),
        }
    }

    /// As the API shows it.
    pub fn to_server(&self) -> GameServer {
        GameServer {
            id: self.id.clone(),
            short_id: self.short_id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            node_id: self.node_id.clone(),
            node_name: self.node_name.clone(),
            egg_id: self.egg_id.clone(),
            egg_name: self.egg_name.clone(),
            owner_id: self.owner_id.clone(),
            owner_name: self.owner_name.clone(),
            status: self.status.clone(),
            container_state: self.container_state.clone(),
            state_at: self.state_at.clone(),
            limits: self.limits(),
            docker_image: self.image.clone(),
            startup: self.startup.clone(),
            environment: self.environment(),
            allocation: ServerAllocation {
                id: self.allocation_id.clone(),
                ip: self.allocation_ip.clone().unwrap_or_default(),
                alias: self.allocation_alias.clone(),
                port: self.allocation_port.unwrap_or_default(),
                is_default: true,
            },
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
            installed_at: self.installed_at.clone(),
        }
    }
}

/// The server `id` (any organization), if it exists.
pub async fn record(platform: &Platform, id: &str) -> Result<Option<ServerRecord>, ApiError> {
    let Some(id) = validate::as_id(id) else {
        return Ok(None);
    };
    Ok(platform
        .db
        .first(Statement::new(format!("{SELECT} WHERE s.id = ?1")).bind(id))
        .await?)
}

/// The server of the request's [`ServerContext`].
pub async fn current(platform: &Platform, ctx: &ServerContext) -> Result<ServerRecord, ApiError> {
    record(platform, &ctx.id)
        .await?
        .filter(|s| s.org_id == ctx.org_id)
        .ok_or(ApiError::NotFound)
}

/// Every allocation of a server, default first.
pub async fn allocations_of(
    platform: &Platform,
    server: &ServerRecord,
) -> Result<Vec<ServerAllocation>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        ip: String,
        alias: Option<String>,
        port: i64,
    }
    let rows: Vec<Row> = platform
        .db
        .all(
            Statement::new("SELECT id, ip, alias, port FROM allocations WHERE server_id = ?1 ORDER BY ip, port")
                .bind(server.id.as_str()),
        )
        .await?;
    let mut out: Vec<ServerAllocation> = rows
        .into_iter()
        .map(|r| ServerAllocation {
            is_default: r.id == server.allocation_id,
            id: r.id,
            ip: r.ip,
            alias: r.alias,
            port: r.port,
        })
        .collect();
    out.sort_by_key(|a| !a.is_default);
    Ok(out)
}

/// The node a server runs on, with its credentials.
pub async fn node_of(platform: &Platform, server: &ServerRecord) -> Result<NodeAccess, ApiError> {
    node::access(platform, &server.org_id, &server.node_id).await
}

/// The egg a server was made from.
pub async fn egg_of(platform: &Platform, server: &ServerRecord) -> Result<EggDefinition, ApiError> {
    egg::load(platform.db.as_ref(), &server.org_id, &server.egg_id)
        .await?
        .map(|e| e.definition)
        .ok_or_else(|| ApiError::Internal(format!("server {} has no egg", server.id)))
}

/// `GET /api/orgs/{org}/servers` query.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ServerListQuery")
)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Page size, 1-200 (default 50).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub limit: Option<i64>,
    /// Servers to skip.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub offset: Option<i64>,
    /// Only servers whose name contains this (case-insensitive).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub search: Option<String>,
    /// Only servers on this node.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub node_id: Option<String>,
}

/// A page of servers with the total that match.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ServerPage {
    /// This page, by name.
    pub items: Vec<GameServer>,
    /// How many match.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub total: i64,
    /// Page size.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub limit: i64,
    /// Skipped.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub offset: i64,
}

/// `GET /api/orgs/{org}/servers`: one D1 query for the page and its total,
/// with each server's last known state; Wings is not asked.
pub async fn list(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ServerPage>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    let offset = query.offset.unwrap_or(0);
    let mut problems = Problems::new();
    if !(1..=200).contains(&limit) {
        problems.add("limit", "must be between 1 and 200");
    }
    if offset < 0 {
        problems.add("offset", "must not be negative");
    }
    problems.finish()?;
    let search = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.to_lowercase());
    let node = query.node_id.as_deref().and_then(validate::as_id);
    const WHERE: &str = "WHERE s.org_id = ?1 AND (?2 IS NULL OR instr(lower(s.name), ?2) > 0) \
         AND (?3 IS NULL OR s.node_id = ?3)";
    let sql = format!(
        "SELECT q.*, (SELECT COUNT(*) FROM servers s {WHERE}) AS total FROM ({SELECT} {WHERE} \
         ORDER BY s.name, s.id LIMIT ?4 OFFSET ?5) q"
    );
    #[derive(Deserialize)]
    struct Row {
        #[serde(flatten)]
        record: ServerRecord,
        total: i64,
    }
    let rows: Vec<Row> = platform
        .db
        .all(
            Statement::new(sql)
                .bind(org.id.as_str())
                .bind(search.clone())
                .bind(node.clone())
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
                    Statement::new(format!("SELECT COUNT(*) AS total FROM servers s {WHERE}"))
                        .bind(org.id.as_str())
                        .bind(search)
                        .bind(node),
                )
                .await?
                .map_or(0, |c| c.total)
        }
    };
    Ok(Json(ServerPage {
        items: rows.iter().map(|r| r.record.to_server()).collect(),
        total,
        limit,
        offset,
    }))
}

/// One server's page: the server, every allocation, the caller's permissions.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ServerDetail {
    /// The server.
    pub server: GameServer,
    /// Every allocation, default first.
    pub allocations: Vec<ServerAllocation>,
    /// What the caller may do as owner or subuser (`*`: everything), if anything.
    pub permissions: Option<Vec<String>>,
}

/// `GET /api/orgs/{org}/servers/{server}`.
pub async fn show(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
) -> Result<Json<ServerDetail>, ApiError> {
    let server = current(&platform, &ctx).await?;
    let allocations = allocations_of(&platform, &server).await?;
    Ok(Json(ServerDetail {
        server: server.to_server(),
        allocations,
        permissions: ctx.grants.clone(),
    }))
}

/// `DELETE /api/orgs/{org}/servers/{server}` query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteQuery {
    /// Delete from Flamingo even when the node cannot be told (it is gone).
    pub force: Option<bool>,
}

/// `DELETE /api/orgs/{org}/servers/{server}`: Wings first (a server Wings no
/// longer knows counts as deleted there); with `?force=true` Flamingo
/// forgets it even when the node does not answer.
pub async fn remove(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiQuery(query): ApiQuery<DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    let server = current(&platform, &ctx).await?;
    let node = node_of(&platform, &server).await?;
    let target = node.target(&platform)?;
    let force = query.force.unwrap_or(false);
    match Wings::new(platform.http.as_ref(), &target)
        .delete_server(&server.id)
        .await
    {
        Ok(()) => {}
        Err(e) if e.status() == Some(404) => {}
        Err(_) if force => {}
        Err(e) => return Err(e.into()),
    }
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "server.delete",
        resource_type: "server",
        resource_id: &server.id,
        metadata: json!({ "name": server.name, "node_id": server.node_id, "force": force }),
    };
    platform
        .db
        .batch(vec![
            Statement::new("UPDATE allocations SET server_id = NULL WHERE server_id = ?1")
                .bind(server.id.as_str()),
            Statement::new("DELETE FROM servers WHERE id = ?1").bind(server.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    super::console::close(
        &platform,
        &server.id,
        None,
        durable_state::console::CLOSE_DELETED,
        "the server was deleted",
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
