//! Wings nodes of an organization: create, list, show, change, delete,
//! rotate the token, and read the node's live system facts through the
//! Wings client. Flamingo generates each node's `token_id` (public, 16
//! characters) and `token` (secret, 64 characters); the token is sealed with
//! the instance key and only ever leaves the edge inside the node's own
//! configuration ([`super::node_config`]).

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::wings::{
    NodeTarget, Wings,
    types::{SystemV1, SystemV2, Utilization},
};
use crate::{
    context::{Caller, OrgContext, RequestMeta},
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

/// Nodes an organization may have.
const MAX_NODES: i64 = 200;

/// A node as listed and shown (never its token).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Node {
    /// Node id (its `uuid` in config.yml).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Host name or IP where Wings listens.
    pub fqdn: String,
    /// `http` or `https`.
    pub scheme: String,
    /// Wings' API port.
    pub daemon_port: i64,
    /// Wings' SFTP port.
    pub sftp_port: i64,
    /// Upload limit in MiB.
    pub upload_limit: i64,
    /// Whether the node is in maintenance (no new servers, no power actions).
    pub maintenance: bool,
    /// MiB the panel may allocate, if limited.
    pub memory: Option<i64>,
    /// MiB the panel may allocate, if limited.
    pub disk: Option<i64>,
    /// The token's public half.
    pub token_id: String,
    /// Allocations on the node.
    pub allocations: i64,
    /// Allocations assigned to servers.
    pub allocations_used: i64,
    /// Servers on the node.
    pub servers: i64,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// In the answer to a change Wings reads: whether the new configuration
    /// was pushed to the node (`POST /api/update`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub config_push: Option<super::node_push::ConfigPush>,
}

/// The columns [`Node`] is read from; `?1` is the organization.
const SELECT: &str = "SELECT n.id, n.name, n.description, n.fqdn, n.scheme, n.daemon_port, n.sftp_port, \
     n.upload_limit, n.maintenance, n.memory, n.disk, n.token_id, n.created_at, n.updated_at, \
     (SELECT COUNT(*) FROM allocations a WHERE a.node_id = n.id) AS allocations, \
     (SELECT COUNT(*) FROM allocations a WHERE a.node_id = n.id AND a.server_id IS NOT NULL) AS allocations_used, \
     (SELECT COUNT(*) FROM servers s WHERE s.node_id = n.id) AS servers \
     FROM nodes n WHERE n.org_id = ?1";

#[derive(Deserialize)]
struct NodeRow {
    id: String,
    name: String,
    description: String,
    fqdn: String,
    scheme: String,
    daemon_port: i64,
    sftp_port: i64,
    upload_limit: i64,
    maintenance: i64,
    memory: Option<i64>,
    disk: Option<i64>,
    token_id: String,
    allocations: i64,
    allocations_used: i64,
    servers: i64,
    created_at: String,
    updated_at: String,
}

impl From<NodeRow> for Node {
    fn from(r: NodeRow) -> Self {
        Node {
            id: r.id,
            name: r.name,
            description: r.description,
            fqdn: r.fqdn,
            scheme: r.scheme,
            daemon_port: r.daemon_port,
            sftp_port: r.sftp_port,
            upload_limit: r.upload_limit,
            maintenance: r.maintenance != 0,
            memory: r.memory,
            disk: r.disk,
            token_id: r.token_id,
            allocations: r.allocations,
            allocations_used: r.allocations_used,
            servers: r.servers,
            created_at: r.created_at,
            updated_at: r.updated_at,
            config_push: None,
        }
    }
}

/// `POST /api/orgs/{org}/nodes` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewNode {
    /// Display name.
    pub name: String,
    /// Free text.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub description: Option<String>,
    /// Host name or IP where Wings listens.
    pub fqdn: String,
    /// `http` or `https` (default `https`).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub scheme: Option<String>,
    /// Default 8080.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub daemon_port: Option<i64>,
    /// Default 2022.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub sftp_port: Option<i64>,
    /// MiB, default 100.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub upload_limit: Option<i64>,
    /// Default false.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub maintenance: Option<bool>,
    /// MiB the panel may allocate.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub memory: Option<i64>,
    /// MiB the panel may allocate.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub disk: Option<i64>,
}

/// `PATCH /api/orgs/{org}/nodes/{node}` body: only what changes.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NodeChange {
    /// Display name.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub name: Option<String>,
    /// Free text.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub description: Option<String>,
    /// Host name or IP.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub fqdn: Option<String>,
    /// `http` or `https`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub scheme: Option<String>,
    /// Wings' API port.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub daemon_port: Option<i64>,
    /// Wings' SFTP port.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub sftp_port: Option<i64>,
    /// MiB.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub upload_limit: Option<i64>,
    /// Maintenance mode.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub maintenance: Option<bool>,
    /// MiB the panel may allocate (0: no limit).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub memory: Option<i64>,
    /// MiB the panel may allocate (0: no limit).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub disk: Option<i64>,
}

/// `GET /api/orgs/{org}/nodes/{node}/system`: what Wings reports now.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct NodeSystem {
    /// `GET /api/system`.
    pub system: SystemV1,
    /// `GET /api/system?v=2`.
    pub system_v2: SystemV2,
    /// `GET /api/system/utilization`.
    pub utilization: Utilization,
}

/// A host name or IP address (no scheme, port or path).
pub fn fqdn(value: &str) -> Result<(), String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("must not be empty".into());
    }
    if v.len() > 253 {
        return Err("must be at most 253 characters".into());
    }
    if v.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if v.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(
            "must be a host name like node1.example.com or an IP address, without scheme or port"
                .into(),
        )
    }
}

fn port(value: i64) -> Result<(), String> {
    if (1..=65535).contains(&value) {
        Ok(())
    } else {
        Err("must be a port between 1 and 65535".into())
    }
}

fn scheme(value: &str) -> Result<(), String> {
    if value == "http" || value == "https" {
        Ok(())
    } else {
        Err("must be http or https".into())
    }
}

fn positive(value: i64) -> Result<(), String> {
    if (1..=1_048_576).contains(&value) {
        Ok(())
    } else {
        Err("must be between 1 and 1048576".into())
    }
}

fn description(value: &str) -> Result<(), String> {
    if value.chars().count() > 1000 {
        Err("must be at most 1000 characters".into())
    } else {
        Ok(())
    }
}

/// A random string of `N` letters and digits.
fn alphanumeric<const N: usize>() -> Result<String, ApiError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    // 248 = 4 * 62: bytes at or above it are skipped, so every letter is as likely.
    let mut out = String::with_capacity(N);
    while out.len() < N {
        for b in crypto::random_bytes::<64>()? {
            if b < 248 && out.len() < N {
                out.push(char::from(ALPHABET[usize::from(b) % 62]));
            }
        }
    }
    Ok(out)
}

/// A fresh `(token_id, token)` pair.
pub fn new_token() -> Result<(String, String), ApiError> {
    Ok((alphanumeric::<16>()?, alphanumeric::<64>()?))
}

fn seal_context(node_id: &str) -> String {
    format!("node-token:{node_id}")
}

/// Seals a node's token for its row.
pub fn seal_token(platform: &Platform, node_id: &str, token: &str) -> Result<String, ApiError> {
    platform
        .config
        .sealer
        .seal(token.as_bytes(), &seal_context(node_id))
}

/// What the edge keeps of a node to reach it: its address and credentials.
#[derive(Clone, Deserialize)]
pub struct NodeAccess {
    /// Node id.
    pub id: String,
    /// The organization.
    pub org_id: String,
    /// Display name.
    pub name: String,
    /// Host.
    pub fqdn: String,
    /// `http` or `https`.
    pub scheme: String,
    /// API port.
    pub daemon_port: i64,
    /// SFTP port.
    pub sftp_port: i64,
    /// MiB.
    pub upload_limit: i64,
    /// 0 or 1.
    pub maintenance: i64,
    /// Public half of the token.
    pub token_id: String,
    token_sealed: String,
}

impl std::fmt::Debug for NodeAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeAccess")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The columns of [`NodeAccess`].
pub const ACCESS_COLUMNS: &str = "id, org_id, name, fqdn, scheme, daemon_port, sftp_port, upload_limit, \
     maintenance, token_id, token_sealed";

impl NodeAccess {
    /// The node's secret token, opened.
    pub fn token(&self, platform: &Platform) -> Result<String, ApiError> {
        let bytes = platform
            .config
            .sealer
            .open(&self.token_sealed, &seal_context(&self.id))?;
        String::from_utf8(bytes).map_err(|_| ApiError::Internal("node token is not text".into()))
    }

    /// `scheme://fqdn:port`.
    pub fn base_url(&self) -> String {
        format!("{}://{}:{}", self.scheme, self.fqdn, self.daemon_port)
    }

    /// Where and how the Wings client reaches the node.
    pub fn target(&self, platform: &Platform) -> Result<NodeTarget, ApiError> {
        Ok(NodeTarget {
            name: self.name.clone(),
            base_url: self.base_url(),
            token_id: self.token_id.clone(),
            token: self.token(platform)?,
        })
    }
}

/// The node `node_id` of `org_id` with its credentials, or 404.
pub async fn access(
    platform: &Platform,
    org_id: &str,
    node_id: &str,
) -> Result<NodeAccess, ApiError> {
    let id = validate::as_id(node_id).ok_or(ApiError::NotFound)?;
    platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {ACCESS_COLUMNS} FROM nodes WHERE id = ?1 AND org_id = ?2"
            ))
            .bind(id)
            .bind(org_id),
        )
        .await?
        .ok_or(ApiError::NotFound)
}

/// The node whose public token id is `token_id`, with its credentials.
pub async fn by_token_id(
    platform: &Platform,
    token_id: &str,
) -> Result<Option<NodeAccess>, ApiError> {
    Ok(platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {ACCESS_COLUMNS} FROM nodes WHERE token_id = ?1"
            ))
            .bind(token_id),
        )
        .await?)
}

async fn load(platform: &Platform, org_id: &str, node_id: &str) -> Result<Node, ApiError> {
    let id = validate::as_id(node_id).ok_or(ApiError::NotFound)?;
    let row: Option<NodeRow> = platform
        .db
        .first(
            Statement::new(format!("{SELECT} AND n.id = ?2"))
                .bind(org_id)
                .bind(id),
        )
        .await?;
    row.map(Node::from).ok_or(ApiError::NotFound)
}

/// `GET /api/orgs/{org}/nodes`: the organization's nodes by name.
pub async fn list(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
) -> Result<Json<Vec<Node>>, ApiError> {
    let rows: Vec<NodeRow> = platform
        .db
        .all(Statement::new(format!("{SELECT} ORDER BY n.name, n.id")).bind(org.id.as_str()))
        .await?;
    Ok(Json(rows.into_iter().map(Node::from).collect()))
}

/// `GET /api/orgs/{org}/nodes/{node}`.
pub async fn show(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    Path((_, node)): Path<(String, String)>,
) -> Result<Json<Node>, ApiError> {
    Ok(Json(load(&platform, &org.id, &node).await?))
}

/// `POST /api/orgs/{org}/nodes`: a node with a fresh token.
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    ApiJson(body): ApiJson<NewNode>,
) -> Result<(StatusCode, Json<Node>), ApiError> {
    let scheme_value = body.scheme.clone().unwrap_or_else(|| "https".into());
    let daemon_port = body.daemon_port.unwrap_or(8080);
    let sftp_port = body.sftp_port.unwrap_or(2022);
    let upload_limit = body.upload_limit.unwrap_or(100);
    let description_value = body.description.clone().unwrap_or_default();
    let mut problems = Problems::new();
    problems.check("name", validate::name(&body.name));
    problems.check("description", description(&description_value));
    problems.check("fqdn", fqdn(&body.fqdn));
    problems.check("scheme", scheme(&scheme_value));
    problems.check("daemon_port", port(daemon_port));
    problems.check("sftp_port", port(sftp_port));
    problems.check("upload_limit", positive(upload_limit));
    if let Some(m) = body.memory {
        problems.check("memory", positive(m));
    }
    if let Some(d) = body.disk {
        problems.check("disk", positive(d));
    }
    problems.finish()?;
    #[derive(Deserialize)]
    struct Count {
        nodes: i64,
    }
    let count: Option<Count> = platform
        .db
        .first(
            Statement::new("SELECT COUNT(*) AS nodes FROM nodes WHERE org_id = ?1")
                .bind(org.id.as_str()),
        )
        .await?;
    if count.is_some_and(|c| c.nodes >= MAX_NODES) {
        return Err(ApiError::Conflict {
            code: "too_many_nodes",
            message: format!("An organization may have {MAX_NODES} nodes."),
        });
    }
    let id = crypto::uuid()?;
    let (token_id, token) = new_token()?;
    let now = rfc3339(platform.clock.now_ms());
    let name = body.name.trim().to_owned();
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "node.create",
        resource_type: "node",
        resource_id: &id,
        metadata: json!({ "name": name, "fqdn": body.fqdn.trim() }),
    };
    platform
        .db
        .batch(vec![
            Statement::new(
                "INSERT INTO nodes (id, org_id, name, description, fqdn, scheme, daemon_port, sftp_port, \
                 upload_limit, maintenance, memory, disk, token_id, token_sealed, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
            )
            .bind(id.as_str())
            .bind(org.id.as_str())
            .bind(name.as_str())
            .bind(description_value.trim())
            .bind(body.fqdn.trim())
            .bind(scheme_value.as_str())
            .bind(daemon_port)
            .bind(sftp_port)
            .bind(upload_limit)
            .bind(body.maintenance.unwrap_or(false))
            .bind(body.memory)
            .bind(body.disk)
            .bind(token_id.as_str())
            .bind(seal_token(&platform, &id, &token)?)
            .bind(now.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(load(&platform, &org.id, &id).await?),
    ))
}

/// `PATCH /api/orgs/{org}/nodes/{node}`.
pub async fn update(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, node)): Path<(String, String)>,
    ApiJson(body): ApiJson<NodeChange>,
) -> Result<Json<Node>, ApiError> {
    let current = load(&platform, &org.id, &node).await?;
    let before = access(&platform, &org.id, &current.id).await?;
    let mut problems = Problems::new();
    if let Some(v) = &body.name {
        problems.check("name", validate::name(v));
    }
    if let Some(v) = &body.description {
        problems.check("description", description(v));
    }
    if let Some(v) = &body.fqdn {
        problems.check("fqdn", fqdn(v));
    }
    if let Some(v) = &body.scheme {
        problems.check("scheme", scheme(v));
    }
    if let Some(v) = body.daemon_port {
        problems.check("daemon_port", port(v));
    }
    if let Some(v) = body.sftp_port {
        problems.check("sftp_port", port(v));
    }
    if let Some(v) = body.upload_limit {
        problems.check("upload_limit", positive(v));
    }
    if let Some(v) = body.memory.filter(|v| *v != 0) {
        problems.check("memory", positive(v));
    }
    if let Some(v) = body.disk.filter(|v| *v != 0) {
        problems.check("disk", positive(v));
    }
    problems.finish()?;
    let now = rfc3339(platform.clock.now_ms());
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "node.update",
        resource_type: "node",
        resource_id: &current.id,
        metadata: json!({
            "name": body.name.as_deref().map(str::trim).unwrap_or(&current.name),
            "maintenance": body.maintenance.unwrap_or(current.maintenance),
        }),
    };
    platform
        .db
        .batch(vec![
            Statement::new(
                "UPDATE nodes SET name = ?1, description = ?2, fqdn = ?3, scheme = ?4, daemon_port = ?5, \
                 sftp_port = ?6, upload_limit = ?7, maintenance = ?8, memory = ?9, disk = ?10, updated_at = ?11 \
                 WHERE id = ?12 AND org_id = ?13",
            )
            .bind(body.name.as_deref().map_or(current.name.clone(), |v| v.trim().to_owned()))
            .bind(body.description.as_deref().map_or(current.description.clone(), |v| v.trim().to_owned()))
            .bind(body.fqdn.as_deref().map_or(current.fqdn.clone(), |v| v.trim().to_owned()))
            .bind(body.scheme.clone().unwrap_or(current.scheme.clone()))
            .bind(body.daemon_port.unwrap_or(current.daemon_port))
            .bind(body.sftp_port.unwrap_or(current.sftp_port))
            .bind(body.upload_limit.unwrap_or(current.upload_limit))
            .bind(body.maintenance.unwrap_or(current.maintenance))
            .bind(body.memory.map_or(current.memory, |v| (v != 0).then_some(v)))
            .bind(body.disk.map_or(current.disk, |v| (v != 0).then_some(v)))
            .bind(now.as_str())
            .bind(current.id.as_str())
            .bind(org.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    let mut changed = load(&platform, &org.id, &current.id).await?;
    let after = access(&platform, &org.id, &current.id).await?;
    if super::node_push::wings_relevant(&before, &after) {
        changed.config_push =
            Some(super::node_push::push(&platform, &meta, &before, &after).await?);
    }
    Ok(Json(changed))
}

/// `DELETE /api/orgs/{org}/nodes/{node}`: refused while servers are on it.
pub async fn remove(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, node)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let current = load(&platform, &org.id, &node).await?;
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "node.delete",
        resource_type: "node",
        resource_id: &current.id,
        metadata: json!({ "name": current.name }),
    };
    let audit_row = entry
        .statement_if(
            "NOT EXISTS (SELECT 1 FROM nodes WHERE id = ?11)",
            &platform,
            Some((&caller.user_id, &caller.name)),
            &meta,
        )?
        .bind(current.id.as_str());
    let outcomes = platform
        .db
        .batch(vec![
            Statement::new(
                "DELETE FROM nodes WHERE id = ?1 AND org_id = ?2 \
                 AND NOT EXISTS (SELECT 1 FROM servers WHERE node_id = ?1)",
            )
            .bind(current.id.as_str())
            .bind(org.id.as_str()),
            audit_row,
        ])
        .await?;
    if outcomes.first().is_none_or(|o| o.changes != 1) {
        return Err(ApiError::Conflict {
            code: "node_has_servers",
            message: "Delete or move the servers on this node first.".into(),
        });
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/orgs/{org}/nodes/{node}/token`: a new token pair. The node
/// keeps working with the old one until its config.yml is replaced and
/// Wings restarted; Flamingo accepts only the new one from now on.
pub async fn rotate_token(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, node)): Path<(String, String)>,
) -> Result<Json<Node>, ApiError> {
    let current = load(&platform, &org.id, &node).await?;
    let (token_id, token) = new_token()?;
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "node.token_rotate",
        resource_type: "node",
        resource_id: &current.id,
        metadata: json!({ "name": current.name }),
    };
    platform
        .db
        .batch(vec![
            Statement::new(
                "UPDATE nodes SET token_id = ?1, token_sealed = ?2, updated_at = ?3 WHERE id = ?4 AND org_id = ?5",
            )
            .bind(token_id.as_str())
            .bind(seal_token(&platform, &current.id, &token)?)
            .bind(rfc3339(platform.clock.now_ms()))
            .bind(current.id.as_str())
            .bind(org.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    super::console::rekey(&platform, &current.id, &token).await;
    Ok(Json(load(&platform, &org.id, &current.id).await?))
}

/// `GET /api/orgs/{org}/nodes/{node}/system`: both `/api/system` shapes and
/// the utilization, asked of Wings at once (each call with its deadline).
pub async fn system(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    Path((_, node)): Path<(String, String)>,
) -> Result<Json<NodeSystem>, ApiError> {
    let node = access(&platform, &org.id, &node).await?;
    let target = node.target(&platform)?;
    let wings = Wings::new(platform.http.as_ref(), &target);
    let (v1, v2, utilization) =
        futures_util::future::join3(wings.system(), wings.system_v2(), wings.utilization()).await;
    Ok(Json(NodeSystem {
        system: v1?,
        system_v2: v2?,
        utilization: utilization?,
    }))
}
