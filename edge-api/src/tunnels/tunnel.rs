//! Tunnels across an organization's hosts, and names reserved for members.
//!
//! Open tunnels live where they are served: each enrolled host keeps a
//! WebSocket to its link object (`durable_state::link`), which holds what
//! the host last reported. Listing asks every host's object; kicking sends
//! the command down the host's socket and answers once the host reports the
//! tunnel closed. Nothing about open tunnels is copied into D1.
//!
//! Reserved names are D1 rows: a host asks
//! `POST /api/tunnel-hosts/names/check` before binding a name, so only the
//! member a name is reserved for may take it.

use std::collections::{BTreeSet, HashMap};

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
};
use durable_state::{
    link::{KickOutcome, LinkReply, LinkRequest, LinkStatus, LinkTunnel},
    names,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    node_names,
    tunnel_host::{self, KeyOwner},
};
use crate::{
    auth::{Access, Action, Resource},
    context::{Caller, OrgContext, RequestMeta},
    error::ApiError,
    extract::ApiJson,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, DbError, Statement, Value},
    },
    record::audit,
    route::Route,
};

/// Names one organization may reserve.
const MAX_NAMES: i64 = 1000;

/// The tunnel routes.
pub fn routes() -> Vec<Route> {
    use Access::{Org, Public};
    let tunnels = |action| Org(Resource::Tunnels, action);
    vec![
        Route::get("/api/orgs/{org}/tunnels", tunnels(Action::Read), list),
        Route::delete("/api/orgs/{org}/tunnels/{id}", tunnels(Action::Write), kick),
        Route::get("/api/orgs/{org}/tunnel-names", tunnels(Action::Read), names),
        Route::post(
            "/api/orgs/{org}/tunnel-names",
            tunnels(Action::Write),
            reserve,
        ),
        Route::delete(
            "/api/orgs/{org}/tunnel-names/{name}",
            tunnels(Action::Write),
            release,
        ),
        // Public at the guard: authenticated by `authenticate_host`.
        Route::post("/api/tunnel-hosts/names/check", Public, check_name),
        // Public at the guard: authenticated by `authenticate_host`. The
        // Worker hands WebSocket upgrades to the host's link object before
        // routing; anything reaching the router was not an upgrade.
        Route::get(durable_state::link::LINK_PATH, Public, link),
    ]
}

/// Who holds a tunnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct TunnelOwner {
    /// A Flamingo user id, or the user name from the host's authorized_keys.
    pub id: String,
    /// Display name, when `id` is a Flamingo user.
    pub name: Option<String>,
    /// Email, when `id` is a Flamingo user.
    pub email: Option<String>,
}

/// The host serving a tunnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct TunnelHostRef {
    /// Host id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Whether the host is connected to the edge now. An offline host's
    /// tunnels are the last it reported; it may still be serving them.
    pub online: bool,
}

/// An open tunnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Tunnel {
    /// The host's id for it.
    pub id: String,
    /// Public name (subdomain, or `tcp-<port>`).
    pub name: String,
    /// `http` or `tcp`.
    pub kind: String,
    /// Where visitors reach it.
    pub public_url: String,
    /// The SSH client's address.
    pub client_addr: String,
    /// RFC 3339.
    pub opened_at: String,
    /// Bytes from visitors into the tunnel (as of the host's last report).
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub bytes_in: u64,
    /// Bytes from the client out to visitors.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub bytes_out: u64,
    /// HTTP requests proxied.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub requests: u64,
    /// Its owner.
    pub user: TunnelOwner,
    /// Where it is served.
    pub host: TunnelHostRef,
}

/// A name reserved for a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ReservedName {
    /// The tunnel name.
    pub name: String,
    /// Who may bind it.
    pub user: KeyOwner,
    /// RFC 3339.
    pub created_at: String,
}

/// `POST /api/orgs/{org}/tunnel-names` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewReservedName {
    /// A DNS label.
    pub name: String,
    /// The member it is for; the caller when absent.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub user_id: Option<String>,
}

/// `POST /api/tunnel-hosts/names/check` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NameCheck {
    /// The name a user asked to bind.
    pub name: String,
    /// Who asked (as the host knows them).
    pub user_id: String,
}

/// `POST /api/tunnel-hosts/names/check` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct NameDecision {
    /// Whether `user_id` may bind `name`.
    pub allowed: bool,
    /// The display name of the member it is reserved for, when refused.
    pub reserved_by: Option<String>,
}

/// Every enrolled host of the organization with what its link object holds,
/// asked with `request` ([`LinkRequest::Status`], or [`LinkRequest::Watch`]
/// when someone is looking at the counters). A host whose object does not
/// answer is listed offline with no tunnels.
pub async fn link_statuses(
    platform: &Platform,
    org_id: &str,
    request: LinkRequest,
) -> Result<Vec<(String, String, LinkStatus)>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        name: String,
    }
    let hosts: Vec<Row> = platform
        .db
        .all(
            Statement::new(
                "SELECT id, name FROM tunnel_hosts \
                 WHERE org_id = ?1 AND enrolled_at IS NOT NULL ORDER BY created_at, id",
            )
            .bind(org_id),
        )
        .await?;
    Ok(statuses_of(
        platform,
        hosts.into_iter().map(|h| (h.id, h.name)).collect(),
        request,
    )
    .await)
}

/// What each host's link object holds, asked concurrently with `request`
/// (answered by [`LinkReply::Status`]), for `(id, name)` pairs already read.
/// A host whose object does not answer is offline with no tunnels.
pub async fn statuses_of(
    platform: &Platform,
    hosts: Vec<(String, String)>,
    request: LinkRequest,
) -> Vec<(String, String, LinkStatus)> {
    let replies = futures_util::future::join_all(
        hosts
            .iter()
            .map(|(id, _)| platform.objects.link(id, request.clone())),
    )
    .await;
    hosts
        .into_iter()
        .zip(replies)
        .map(|((id, name), reply)| {
            let status = match reply {
                Ok(LinkReply::Status(status)) => status,
                Ok(other) => {
                    log(&format!("host {id}: unexpected reply {other:?}"));
                    LinkStatus::default()
                }
                Err(e) => {
                    log(&format!("host {id}: {e}"));
                    LinkStatus::default()
                }
            };
            (id, name, status)
        })
        .collect()
}

fn log(message: &str) {
    #[cfg(target_arch = "wasm32")]
    worker::console_warn!("tunnel links: {message}");
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("tunnel links: {message}");
}

/// Members of `org_id` by id, for the ids that are. A host names a tunnel's
/// owner itself, so an id of anyone else (another organization's user)
/// resolves to nothing and is listed as the bare id it sent.
async fn members(
    platform: &Platform,
    org_id: &str,
    ids: &BTreeSet<String>,
) -> Result<HashMap<String, KeyOwner>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (2..=ids.len() + 1).map(|i| format!("?{i}")).collect();
    let mut statement = Statement::new(format!(
        "SELECT u.id, u.name, u.email FROM users u \
         JOIN memberships m ON m.user_id = u.id AND m.org_id = ?1 \
         WHERE u.id IN ({})",
        placeholders.join(", ")
    ))
    .bind(org_id);
    for id in ids {
        statement = statement.bind(id.as_str());
    }
    let rows: Vec<KeyOwner> = platform.db.all(statement).await?;
    Ok(rows.into_iter().map(|u| (u.id.clone(), u)).collect())
}

fn tunnel(t: LinkTunnel, host: &TunnelHostRef, users: &HashMap<String, KeyOwner>) -> Tunnel {
    let known = users.get(&t.user);
    Tunnel {
        user: TunnelOwner {
            name: known.map(|u| u.name.clone()),
            email: known.map(|u| u.email.clone()),
            id: t.user,
        },
        id: t.id,
        name: t.name,
        kind: t.kind,
        public_url: t.public_url,
        client_addr: t.client_addr,
        opened_at: t.opened_at,
        bytes_in: t.bytes_in,
        bytes_out: t.bytes_out,
        requests: t.requests,
        host: host.clone(),
    }
}

/// `GET /api/orgs/{org}/tunnels`: every open tunnel on the organization's
/// hosts, oldest first. Someone is looking, so the hosts are told to report
/// moving counters for a while (`tunnel.stats` events).
pub async fn list(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
) -> Result<Json<Vec<Tunnel>>, ApiError> {
    let statuses = link_statuses(&platform, &org.id, LinkRequest::Watch).await?;
    let ids = statuses
        .iter()
        .flat_map(|(_, _, s)| s.tunnels.iter().map(|t| t.user.clone()))
        .collect();
    let users = members(&platform, &org.id, &ids).await?;
    let mut all: Vec<Tunnel> = statuses
        .into_iter()
        .flat_map(|(id, name, status)| {
            let host = TunnelHostRef {
                id,
                name,
                online: status.online,
            };
            let users = &users;
            status
                .tunnels
                .into_iter()
                .map(move |t| tunnel(t, &host, users))
        })
        .collect();
    all.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then(a.name.cmp(&b.name)));
    Ok(Json(all))
}

/// `DELETE /api/orgs/{org}/tunnels/{id}`: closes a tunnel on its host at
/// once. 204 once the host reports it closed (or the command was sent and
/// the host is slow to confirm); 404 when no host serves it; 409 when its
/// host is offline.
pub async fn kick(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let statuses = link_statuses(&platform, &org.id, LinkRequest::Status).await?;
    let Some((host_id, host_name, found)) = statuses.into_iter().find_map(|(h, n, s)| {
        s.tunnels
            .into_iter()
            .find(|t| t.id == id)
            .map(|t| (h, n, t))
    }) else {
        return Err(ApiError::NotFound);
    };
    let request = LinkRequest::Kick {
        tunnel: found.id.clone(),
        message: format!("closed by {} from the Flamingo panel", caller.name),
    };
    let outcome = match platform.objects.link(&host_id, request).await? {
        LinkReply::Kick { outcome } => outcome,
        other => {
            return Err(ApiError::Internal(format!(
                "unexpected link reply {other:?}"
            )));
        }
    };
    match outcome {
        KickOutcome::Closed | KickOutcome::Sent => {}
        KickOutcome::NotFound => return Err(ApiError::NotFound),
        KickOutcome::Offline => {
            return Err(ApiError::Conflict {
                code: "host_offline",
                message: format!(
                    "The tunnel host {host_name} is not connected; the tunnel cannot be closed now."
                ),
            });
        }
    }
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "tunnel.kick",
        resource_type: "tunnel",
        resource_id: &found.id,
        metadata: json!({
            "name": found.name,
            "host_id": host_id,
            "host": host_name,
            "user": found.user,
            "confirmed": outcome == KickOutcome::Closed,
        }),
    };
    platform
        .db
        .batch(vec![entry.by(&platform, &caller, &meta)?])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

const NAME_COLUMNS: &str = "n.name, n.created_at, u.id, u.name AS user_name, u.email";

#[derive(Deserialize)]
struct NameRow {
    name: String,
    created_at: String,
    id: String,
    user_name: String,
    email: String,
}

impl From<NameRow> for ReservedName {
    fn from(row: NameRow) -> Self {
        ReservedName {
            name: row.name,
            created_at: row.created_at,
            user: KeyOwner {
                id: row.id,
                name: row.user_name,
                email: row.email,
            },
        }
    }
}

/// `GET /api/orgs/{org}/tunnel-names`: reserved names, alphabetical.
pub async fn names(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
) -> Result<Json<Vec<ReservedName>>, ApiError> {
    let rows: Vec<NameRow> = platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {NAME_COLUMNS} FROM tunnel_names n JOIN users u ON u.id = n.user_id \
                 WHERE n.org_id = ?1 ORDER BY n.name"
            ))
            .bind(org.id.as_str()),
        )
        .await?;
    Ok(Json(rows.into_iter().map(ReservedName::from).collect()))
}

/// A requested name, lowercased and checked.
fn checked_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim().to_ascii_lowercase();
    names::check(&name).map_err(|problem| ApiError::field("name", problem.to_string()))?;
    Ok(name)
}

/// `POST /api/orgs/{org}/tunnel-names`: reserves a name for a member (the
/// caller by default). 409 when it is already reserved.
pub async fn reserve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    ApiJson(body): ApiJson<NewReservedName>,
) -> Result<(StatusCode, Json<ReservedName>), ApiError> {
    let name = checked_name(&body.name)?;
    let user_id = body.user_id.unwrap_or_else(|| caller.user_id.clone());
    let member: Option<KeyOwner> = platform
        .db
        .first(
            Statement::new(
                "SELECT u.id, u.name, u.email FROM users u \
                 JOIN memberships m ON m.user_id = u.id AND m.org_id = ?2 WHERE u.id = ?1",
            )
            .bind(user_id.as_str())
            .bind(org.id.as_str()),
        )
        .await?;
    let user = member.ok_or_else(|| ApiError::field("user_id", "is not a member"))?;
    if node_names::name_taken(&platform, &org.id, &name).await? {
        return Err(ApiError::Conflict {
            code: "name_taken",
            message: format!("The name {name} is held by a Wings node's tunnel."),
        });
    }
    #[derive(Deserialize)]
    struct Count {
        names: i64,
    }
    let count: Option<Count> = platform
        .db
        .first(
            Statement::new("SELECT COUNT(*) AS names FROM tunnel_names WHERE org_id = ?1")
                .bind(org.id.as_str()),
        )
        .await?;
    if count.is_some_and(|c| c.names >= MAX_NAMES) {
        return Err(ApiError::Conflict {
            code: "too_many_names",
            message: format!("An organization may reserve {MAX_NAMES} names."),
        });
    }
    let reserved = ReservedName {
        name,
        user,
        created_at: rfc3339(platform.clock.now_ms()),
    };
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "tunnel_name.reserve",
        resource_type: "tunnel_name",
        resource_id: &reserved.name,
        metadata: json!({ "name": reserved.name, "user_id": reserved.user.id, "user": reserved.user.name }),
    };
    let batch = vec![
        Statement::new(
            "INSERT INTO tunnel_names (org_id, name, user_id, created_by, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(org.id.as_str())
        .bind(reserved.name.as_str())
        .bind(reserved.user.id.as_str())
        .bind(caller.user_id.as_str())
        .bind(reserved.created_at.as_str()),
        entry.by(&platform, &caller, &meta)?,
    ];
    match platform.db.batch(batch).await {
        Ok(_) => Ok((StatusCode::CREATED, Json(reserved))),
        Err(DbError::Constraint(_)) => Err(ApiError::Conflict {
            code: "name_taken",
            message: format!("The name {} is already reserved.", reserved.name),
        }),
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /api/orgs/{org}/tunnel-names/{name}`: frees a reserved name.
pub async fn release(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, name)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let row: Option<NameRow> = platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {NAME_COLUMNS} FROM tunnel_names n JOIN users u ON u.id = n.user_id \
                 WHERE n.org_id = ?1 AND n.name = ?2"
            ))
            .bind(org.id.as_str())
            .bind(name.to_ascii_lowercase()),
        )
        .await?;
    let reserved = ReservedName::from(row.ok_or(ApiError::NotFound)?);
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "tunnel_name.release",
        resource_type: "tunnel_name",
        resource_id: &reserved.name,
        metadata: json!({ "name": reserved.name, "user_id": reserved.user.id, "user": reserved.user.name }),
    };
    platform
        .db
        .batch(vec![
            Statement::new("DELETE FROM tunnel_names WHERE org_id = ?1 AND name = ?2")
                .bind(org.id.as_str())
                .bind(reserved.name.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/tunnel-hosts/names/check` (host-authenticated): whether a
/// user may bind a name on this host's organization.
pub async fn check_name(
    State(platform): State<Platform>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NameCheck>,
) -> Result<Json<NameDecision>, ApiError> {
    let host = tunnel_host::authenticate_host(&platform, tunnel_host::credential(&headers)).await?;
    let name = body.name.trim().to_ascii_lowercase();
    // A node's key binds its node's names and nothing else; nobody else binds them.
    if body.user_id.starts_with(node_names::NODE_USER_PREFIX) {
        let allowed =
            node_names::node_may_bind(&platform, &host.org_id, &host.host_id, &body.user_id, &name)
                .await?;
        return Ok(Json(NameDecision {
            allowed,
            reserved_by: (!allowed).then(|| "nobody this node's key may act for".to_owned()),
        }));
    }
    if let Some((_, node)) =
        node_names::holder(&platform, &host.org_id, &host.host_id, &name).await?
    {
        return Ok(Json(NameDecision {
            allowed: false,
            reserved_by: Some(format!("the Wings node {node}")),
        }));
    }
    #[derive(Deserialize)]
    struct Holder {
        user_id: String,
        name: String,
    }
    let holder: Option<Holder> = platform
        .db
        .first(
            Statement::new(
                "SELECT n.user_id, u.name FROM tunnel_names n JOIN users u ON u.id = n.user_id \
                 WHERE n.org_id = ?1 AND n.name = ?2",
            )
            .bind(host.org_id.as_str())
            .bind(Value::from(name)),
        )
        .await?;
    Ok(Json(match holder {
        Some(h) if h.user_id != body.user_id => NameDecision {
            allowed: false,
            reserved_by: Some(h.name),
        },
        _ => NameDecision {
            allowed: true,
            reserved_by: None,
        },
    }))
}

/// `GET /api/tunnel-hosts/link` without a WebSocket upgrade: checks the
/// credential (401 when wrong) and says how to connect.
pub async fn link(
    State(platform): State<Platform>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    tunnel_host::authenticate_host(&platform, tunnel_host::credential(&headers)).await?;
    Err(ApiError::BadRequest {
        code: "upgrade_required",
        message: "Connect with a WebSocket upgrade.".into(),
    })
}
