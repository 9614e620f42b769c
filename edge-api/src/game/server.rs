//! Game servers: the stored record, the organization's list (one query,
//! paginated, with the last known state), one server's page, create and
//! delete. Creating commits the row first, then asks Wings to create the
//! server (Wings calls back `GET /api/remote/servers/{uuid}` before it
//! answers); if Wings refuses or cannot be reached, the row is deleted again
//! and the answer says why.

use std::collections::BTreeMap;

use axum::{Extension, Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    egg::{self, EggDefinition, rules},
    node::{self, NodeAccess},
    wings::Wings,
};
use crate::{
    context::{Caller, OrgContext, RequestMeta, ServerContext},
    crypto,
    error::ApiError,
    extract::{ApiJson, ApiQuery},
    platform::{
        Platform,
        clock::rfc3339,
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
     s.threads, s.oom_killer, s.image, s.startup, s.environment, s.allocation_id, \
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

/// `POST /api/orgs/{org}/servers` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewServer {
    /// Display name.
    pub name: String,
    /// Free text.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub description: Option<String>,
    /// The owner, a member of the organization (default: the caller).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub owner_id: Option<String>,
    /// The node.
    pub node_id: String,
    /// The egg.
    pub egg_id: String,
    /// The default allocation (a free one of the node), or use `auto_allocation`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub allocation_id: Option<String>,
    /// Pick a free allocation of the node.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub auto_allocation: Option<bool>,
    /// More allocations of the node.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub additional_allocation_ids: Option<Vec<String>>,
    /// Limits.
    pub limits: Limits,
    /// Default: the egg's first image.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub docker_image: Option<String>,
    /// Default: the egg's first startup command.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub startup: Option<String>,
    /// Variable values; missing ones take the egg's defaults.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// Start once installed (default true).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub start_on_completion: Option<bool>,
}

/// Checks limits into `problems` under `prefix` (`limits.`).
pub fn check_limits(limits: &Limits, prefix: &str, problems: &mut Problems) {
    let field = |name: &str| format!("{prefix}{name}");
    let range = |v: i64, lo: i64, hi: i64, what: &str| {
        if (lo..=hi).contains(&v) {
            Ok(())
        } else {
            Err(format!("must be {what}"))
        }
    };
    const MAX_MIB: i64 = 16 * 1024 * 1024;
    problems.check(
        &field("memory"),
        range(limits.memory, 0, MAX_MIB, "0 (unlimited) or more MiB"),
    );
    problems.check(
        &field("swap"),
        range(limits.swap, -1, MAX_MIB, "-1 (unlimited), 0 or more MiB"),
    );
    problems.check(
        &field("disk"),
        range(limits.disk, 0, MAX_MIB, "0 (unlimited) or more MiB"),
    );
    problems.check(
        &field("io"),
        range(limits.io, 10, 1000, "between 10 and 1000"),
    );
    problems.check(
        &field("cpu"),
        range(
            limits.cpu,
            0,
            100_000,
            "0 (unlimited) or a percentage of one core",
        ),
    );
    if let Some(threads) = &limits.threads {
        let ok = !threads.is_empty()
            && threads.len() <= 64
            && threads.split(',').all(|part| {
                let mut ends = part.splitn(2, '-');
                ends.all(|n| !n.is_empty() && n.len() <= 4 && n.chars().all(|c| c.is_ascii_digit()))
            });
        if !ok {
            problems.add(&field("threads"), "must be a cpuset like 0-3 or 0,2");
        }
    }
}

/// Checks variable values against the egg: every key must be a variable of
/// it, every value must pass its rules. Returns the full environment
/// (defaults filled in). `editable_only`: subusers may set only
/// `user_editable` variables.
pub fn check_environment(
    egg: &EggDefinition,
    given: &BTreeMap<String, String>,
    base: &BTreeMap<String, String>,
    editable_only: bool,
    problems: &mut Problems,
) -> BTreeMap<String, String> {
    for key in given.keys() {
        match egg.variable(key) {
            None => problems.add(
                &format!("environment.{key}"),
                "is not a variable of this egg",
            ),
            Some(v) if editable_only && !v.user_editable => {
                problems.add(&format!("environment.{key}"), "may not be changed");
            }
            Some(_) => {}
        }
    }
    let mut out = BTreeMap::new();
    for variable in &egg.variables {
        let value = given
            .get(&variable.env_variable)
            .or_else(|| base.get(&variable.env_variable))
            .cloned()
            .unwrap_or_else(|| variable.default_value.clone());
        let checked = if value.is_empty() {
            None
        } else {
            Some(value.as_str())
        };
        if let Err(problem) = rules::check(&variable.rules, checked) {
            problems.add(&format!("environment.{}", variable.env_variable), problem);
        }
        out.insert(variable.env_variable.clone(), value);
    }
    out
}

fn text_max(value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else {
        Ok(())
    }
}

/// `POST /api/orgs/{org}/servers`.
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    ApiJson(body): ApiJson<NewServer>,
) -> Result<(StatusCode, Json<ServerDetail>), ApiError> {
    let mut problems = Problems::new();
    problems.check("name", validate::name(&body.name));
    if let Some(d) = &body.description {
        problems.check("description", text_max(d, 1000));
    }
    check_limits(&body.limits, "limits.", &mut problems);
    let node = match validate::as_id(&body.node_id) {
        Some(id) => node::access(&platform, &org.id, &id).await.ok(),
        None => None,
    };
    match &node {
        None => problems.add("node_id", "is not a node of this organization"),
        Some(n) if n.maintenance != 0 => problems.add("node_id", "is in maintenance mode"),
        Some(_) => {}
    }
    let egg = match validate::as_id(&body.egg_id) {
        Some(id) => egg::load(platform.db.as_ref(), &org.id, &id).await?,
        None => None,
    };
    if egg.is_none() {
        problems.add("egg_id", "is not an egg of this organization");
    }
    let owner_id = body
        .owner_id
        .clone()
        .unwrap_or_else(|| caller.user_id.clone());
    #[derive(Deserialize)]
    struct Member {}
    let owner: Option<Member> = platform
        .db
        .first(
            Statement::new(
                "SELECT 1 AS member FROM memberships WHERE org_id = ?1 AND user_id = ?2",
            )
            .bind(org.id.as_str())
            .bind(owner_id.as_str()),
        )
        .await?;
    if owner.is_none() {
        problems.add("owner_id", "is not a member of this organization");
    }
    let (Some(node), Some(egg)) = (node, egg) else {
        return Err(problems.finish().err().unwrap_or(ApiError::NotFound));
    };
    let definition = egg.definition.clone();
    let image = body
        .docker_image
        .clone()
        .or_else(|| definition.default_image().map(str::to_owned))
        .unwrap_or_default();
    if image.trim().is_empty() || image.len() > 255 {
        problems.add(
            "docker_image",
            "must name a docker image (the egg offers none)",
        );
    }
    let startup = body
        .startup
        .clone()
        .or_else(|| definition.default_startup().map(str::to_owned))
        .unwrap_or_default();
    if startup.trim().is_empty() || startup.len() > 4096 {
        problems.add(
            "startup",
            "must be a startup command of at most 4096 characters",
        );
    }
    let environment = check_environment(
        &definition,
        &body.environment,
        &BTreeMap::new(),
        false,
        &mut problems,
    );

    // The allocations: the default first, then the additional ones.
    let mut wanted: Vec<String> = Vec::new();
    match (&body.allocation_id, body.auto_allocation.unwrap_or(false)) {
        (Some(id), false) => match validate::as_id(id) {
            Some(id) => wanted.push(id),
            None => problems.add("allocation_id", "is not an allocation of this node"),
        },
        (None, true) => {
            #[derive(Deserialize)]
            struct Free {
                id: String,
            }
            let free: Option<Free> = platform
                .db
                .first(
                    Statement::new(
                        "SELECT id FROM allocations WHERE node_id = ?1 AND server_id IS NULL ORDER BY ip, port LIMIT 1",
                    )
                    .bind(node.id.as_str()),
                )
                .await?;
            match free {
                Some(f) => wanted.push(f.id),
                None => problems.add("auto_allocation", "the node has no free allocation"),
            }
        }
        (Some(_), true) => problems.add(
            "allocation_id",
            "give either allocation_id or auto_allocation",
        ),
        (None, false) => problems.add("allocation_id", "is required (or set auto_allocation)"),
    }
    for (i, extra) in body.additional_allocation_ids.iter().flatten().enumerate() {
        match validate::as_id(extra) {
            Some(id) if !wanted.contains(&id) => wanted.push(id),
            _ => problems.add(
                &format!("additional_allocation_ids.{i}"),
                "is not another allocation of this node",
            ),
        }
    }
    if !wanted.is_empty() {
        #[derive(Deserialize)]
        struct Free {
            id: String,
            server_id: Option<String>,
        }
        let list = serde_json::to_string(&wanted).map_err(|e| ApiError::Internal(e.to_string()))?;
        let found: Vec<Free> = platform
            .db
            .all(
                Statement::new(
                    "SELECT id, server_id FROM allocations WHERE node_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
                )
                .bind(node.id.as_str())
                .bind(list),
            )
            .await?;
        for (i, id) in wanted.iter().enumerate() {
            let field = if i == 0 {
                "allocation_id".to_owned()
            } else {
                format!("additional_allocation_ids.{}", i - 1)
            };
            match found.iter().find(|f| &f.id == id) {
                None => problems.add(&field, "is not an allocation of this node"),
                Some(f) if f.server_id.is_some() => {
                    problems.add(&field, "is already taken by another server")
                }
                Some(_) => {}
            }
        }
    }
    problems.finish()?;

    let id = crypto::uuid()?;
    let short_id: String = id.chars().take(8).collect();
    let now = rfc3339(platform.clock.now_ms());
    let env_json =
        serde_json::to_string(&environment).map_err(|e| ApiError::Internal(e.to_string()))?;
    let wanted_json =
        serde_json::to_string(&wanted).map_err(|e| ApiError::Internal(e.to_string()))?;
    let name = body.name.trim().to_owned();
    let default_allocation = wanted.first().cloned().unwrap_or_default();
    // The row is written only if every wanted allocation is still free, and
    // the allocations only if the row was: a racing request gets a 409 and
    // nothing half-made stays behind.
    let insert = Statement::new(
        "INSERT INTO servers (id, short_id, number, org_id, owner_id, node_id, egg_id, allocation_id, name, \
         description, status, skip_egg_scripts, memory, swap, disk, io, cpu, threads, oom_killer, image, startup, \
         environment, created_at, updated_at) \
         SELECT ?1, ?2, (SELECT COALESCE(MAX(number), 0) + 1 FROM servers), ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
         'installing', 0, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20 \
         WHERE (SELECT COUNT(*) FROM allocations WHERE node_id = ?5 AND server_id IS NULL \
                AND id IN (SELECT value FROM json_each(?21))) = ?22",
    )
    .bind(id.as_str())
    .bind(short_id.as_str())
    .bind(org.id.as_str())
    .bind(owner_id.as_str())
    .bind(node.id.as_str())
    .bind(egg.id.as_str())
    .bind(default_allocation.as_str())
    .bind(name.as_str())
    .bind(body.description.as_deref().unwrap_or("").trim())
    .bind(body.limits.memory)
    .bind(body.limits.swap)
    .bind(body.limits.disk)
    .bind(body.limits.io)
    .bind(body.limits.cpu)
    .bind(body.limits.threads.clone().filter(|t| !t.is_empty()))
    .bind(body.limits.oom_killer.unwrap_or(true))
    .bind(image.trim())
    .bind(startup.as_str())
    .bind(env_json.as_str())
    .bind(now.as_str())
    .bind(wanted_json.as_str())
    .bind(wanted.len() as i64);
    let assign = Statement::new(
        "UPDATE allocations SET server_id = ?1 WHERE node_id = ?2 AND server_id IS NULL \
         AND id IN (SELECT value FROM json_each(?3)) AND EXISTS (SELECT 1 FROM servers WHERE id = ?1)",
    )
    .bind(id.as_str())
    .bind(node.id.as_str())
    .bind(wanted_json.as_str());
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "server.create",
        resource_type: "server",
        resource_id: &id,
        metadata: json!({ "name": name, "node_id": node.id, "egg_id": egg.id }),
    };
    let audit_row = entry
        .statement_if(
            "EXISTS (SELECT 1 FROM servers WHERE id = ?11)",
            &platform,
            Some((&caller.user_id, &caller.name)),
            &meta,
        )?
        .bind(id.as_str());
    let outcomes = platform.db.batch(vec![insert, assign, audit_row]).await?;
    if outcomes.first().is_none_or(|o| o.changes != 1) {
        return Err(ApiError::Conflict {
            code: "allocation_taken",
            message: "An allocation was just taken by another server; pick another.".into(),
        });
    }

    // Committed: Wings may now call back for the settings.
    let target = node.target(&platform)?;
    let outcome = Wings::new(platform.http.as_ref(), &target)
        .create_server(&id, body.start_on_completion.unwrap_or(true))
        .await;
    if let Err(failure) = outcome {
        let entry = audit::Entry {
            org_id: Some(&org.id),
            action: "server.create_failed",
            resource_type: "server",
            resource_id: &id,
            metadata: json!({ "name": name, "node_id": node.id, "reason": failure.to_string() }),
        };
        platform
            .db
            .batch(vec![
                Statement::new("UPDATE allocations SET server_id = NULL WHERE server_id = ?1")
                    .bind(id.as_str()),
                Statement::new("DELETE FROM servers WHERE id = ?1").bind(id.as_str()),
                entry.by(&platform, &caller, &meta)?,
            ])
            .await?;
        return Err(failure.into());
    }
    let server = record(&platform, &id).await?.ok_or(ApiError::NotFound)?;
    let allocations = allocations_of(&platform, &server).await?;
    Ok((
        StatusCode::CREATED,
        Json(ServerDetail {
            server: server.to_server(),
            allocations,
            permissions: Some(vec!["*".into()]).filter(|_| owner_id == caller.user_id),
        }),
    ))
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
    Ok(StatusCode::NO_CONTENT)
}
