//! What people do to a server once it exists: rename and describe it,
//! suspend and unsuspend it, reinstall it, change its limits, startup,
//! variables and image, send power signals and console commands, and read
//! its live resources. A change Wings must know of is written first and
//! pushed with `sync`; if the node refuses or cannot be reached, the change
//! is undone and the answer names the node.

use std::collections::BTreeMap;

use axum::{Extension, Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    server::{self, Limits, ServerRecord},
    server_create::{check_environment, check_limits},
    wings::{
        Wings,
        types::{PowerSignal, Resources},
    },
};
use crate::{
    context::{Caller, RequestMeta, ServerContext},
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

/// Whether the caller may change servers as an organization member (not only as a subuser).
fn as_member(ctx: &ServerContext) -> bool {
    crate::auth::decide_for(
        crate::auth::Access::Server(crate::auth::ServerNeed::Org(crate::auth::Action::Write)),
        ctx.credential,
        ctx.role,
        None,
    ) == crate::auth::Decision::Allow
}

/// An activity row for the server's log, in the change's batch.
pub(crate) fn activity(
    platform: &Platform,
    server: &ServerRecord,
    caller: &Caller,
    meta: &RequestMeta,
    event: &str,
    metadata: serde_json::Value,
) -> Result<Statement, ApiError> {
    Ok(Statement::new(
        "INSERT INTO server_activity (id, server_id, user_id, event, metadata, ip, source, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'flamingo', ?7)",
    )
    .bind(crypto::uuid()?)
    .bind(server.id.as_str())
    .bind(caller.user_id.as_str())
    .bind(event)
    .bind(metadata.to_string())
    .bind(meta.ip.clone())
    .bind(rfc3339(platform.clock.now_ms())))
}

/// Applies `change` (statements), then asks Wings to `sync`; on failure
/// applies `undo` and answers the node's error.
async fn change_and_sync(
    platform: &Platform,
    server: &ServerRecord,
    change: Vec<Statement>,
    undo: Vec<Statement>,
) -> Result<(), ApiError> {
    platform.db.batch(change).await?;
    let node = server::node_of(platform, server).await?;
    let target = node.target(platform)?;
    if let Err(e) = Wings::new(platform.http.as_ref(), &target)
        .sync(&server.id)
        .await
    {
        platform.db.batch(undo).await?;
        return Err(e.into());
    }
    Ok(())
}

async fn answer(
    platform: &Platform,
    ctx: &ServerContext,
) -> Result<Json<server::GameServer>, ApiError> {
    Ok(Json(server::current(platform, ctx).await?.to_server()))
}

/// `PATCH /api/orgs/{org}/servers/{server}` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct ServerChange {
    /// New name (`settings.rename`).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub name: Option<String>,
    /// New description (`settings.description`).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub description: Option<String>,
}

/// `PATCH /api/orgs/{org}/servers/{server}`: name and description.
pub async fn update(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<ServerChange>,
) -> Result<Json<server::GameServer>, ApiError> {
    if body.name.is_some() {
        ctx.require("settings.rename")?;
    }
    if body.description.is_some() {
        ctx.require("settings.description")?;
    }
    let mut problems = Problems::new();
    if let Some(n) = &body.name {
        problems.check("name", validate::name(n));
    }
    if let Some(d) = &body.description
        && d.chars().count() > 1000
    {
        problems.add("description", "must be at most 1000 characters");
    }
    problems.finish()?;
    let server = server::current(&platform, &ctx).await?;
    let name = body
        .name
        .as_deref()
        .map_or(server.name.clone(), |n| n.trim().to_owned());
    let description = body
        .description
        .as_deref()
        .map_or(server.description.clone(), |d| d.trim().to_owned());
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "server.update",
        resource_type: "server",
        resource_id: &server.id,
        metadata: json!({ "name": name }),
    };
    platform
        .db
        .batch(vec![
            Statement::new(
                "UPDATE servers SET name = ?1, description = ?2, updated_at = ?3 WHERE id = ?4",
            )
            .bind(name.as_str())
            .bind(description.as_str())
            .bind(rfc3339(platform.clock.now_ms()))
            .bind(server.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
            activity(
                &platform,
                &server,
                &caller,
                &meta,
                "server:settings.rename",
                json!({ "name": name }),
            )?,
        ])
        .await?;
    answer(&platform, &ctx).await
}

async fn set_suspended(
    platform: &Platform,
    caller: &Caller,
    meta: &RequestMeta,
    ctx: &ServerContext,
    suspend: bool,
) -> Result<Json<server::GameServer>, ApiError> {
    let server = server::current(platform, ctx).await?;
    if server.suspended() == suspend {
        return answer(platform, ctx).await;
    }
    let (new_status, action) = if suspend {
        (Some("suspended"), "server.suspend")
    } else {
        (None, "server.unsuspend")
    };
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action,
        resource_type: "server",
        resource_id: &server.id,
        metadata: json!({ "name": server.name }),
    };
    let now = rfc3339(platform.clock.now_ms());
    let change = vec![
        Statement::new("UPDATE servers SET status = ?1, updated_at = ?2 WHERE id = ?3")
            .bind(new_status)
            .bind(now.as_str())
            .bind(server.id.as_str()),
        entry.by(platform, caller, meta)?,
    ];
    let undo = vec![
        Statement::new("UPDATE servers SET status = ?1 WHERE id = ?2")
            .bind(server.status.clone())
            .bind(server.id.as_str()),
    ];
    // Wings reads `suspended` on sync and closes the server's consoles.
    change_and_sync(platform, &server, change, undo).await?;
    if suspend {
        super::console::close(
            platform,
            &server.id,
            None,
            durable_state::console::CLOSE_SUSPENDED,
            "the server is suspended",
        )
        .await;
    }
    answer(platform, ctx).await
}

/// `POST /api/orgs/{org}/servers/{server}/suspend`.
pub async fn suspend(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
) -> Result<Json<server::GameServer>, ApiError> {
    set_suspended(&platform, &caller, &meta, &ctx, true).await
}

/// `POST /api/orgs/{org}/servers/{server}/unsuspend`.
pub async fn unsuspend(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
) -> Result<Json<server::GameServer>, ApiError> {
    set_suspended(&platform, &caller, &meta, &ctx, false).await
}

/// `POST /api/orgs/{org}/servers/{server}/reinstall`: status `installing`,
/// then Wings' reinstall (it calls back with the outcome).
pub async fn reinstall(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
) -> Result<(StatusCode, Json<server::GameServer>), ApiError> {
    let server = server::current(&platform, &ctx).await?;
    if server.suspended() {
        return Err(ApiError::Conflict {
            code: "server_suspended",
            message: "Unsuspend the server before reinstalling it.".into(),
        });
    }
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "server.reinstall",
        resource_type: "server",
        resource_id: &server.id,
        metadata: json!({ "name": server.name }),
    };
    platform
        .db
        .batch(vec![
            Statement::new(
                "UPDATE servers SET status = 'installing', updated_at = ?1 WHERE id = ?2",
            )
            .bind(rfc3339(platform.clock.now_ms()))
            .bind(server.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
            activity(
                &platform,
                &server,
                &caller,
                &meta,
                "server:reinstall",
                json!({}),
            )?,
        ])
        .await?;
    let node = server::node_of(&platform, &server).await?;
    let target = node.target(&platform)?;
    if let Err(e) = Wings::new(platform.http.as_ref(), &target)
        .reinstall(&server.id)
        .await
    {
        platform
            .db
            .execute(
                Statement::new("UPDATE servers SET status = ?1 WHERE id = ?2")
                    .bind(server.status.clone())
                    .bind(server.id.as_str()),
            )
            .await?;
        return Err(e.into());
    }
    Ok((StatusCode::ACCEPTED, answer(&platform, &ctx).await?))
}

/// `PUT /api/orgs/{org}/servers/{server}/build`: new limits, pushed with sync.
pub async fn build(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(limits): ApiJson<Limits>,
) -> Result<Json<server::GameServer>, ApiError> {
    let mut problems = Problems::new();
    check_limits(&limits, "", &mut problems);
    problems.finish()?;
    let server = server::current(&platform, &ctx).await?;
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "server.build",
        resource_type: "server",
        resource_id: &server.id,
        metadata: json!({ "limits": limits }),
    };
    let set = "UPDATE servers SET memory = ?1, swap = ?2, disk = ?3, io = ?4, cpu = ?5, threads = ?6, \
               oom_killer = ?7, updated_at = ?8, backup_limit = COALESCE(?10, backup_limit) WHERE id = ?9";
    let now = rfc3339(platform.clock.now_ms());
    let change = vec![
        Statement::new(set)
            .bind(limits.memory)
            .bind(limits.swap)
            .bind(limits.disk)
            .bind(limits.io)
            .bind(limits.cpu)
            .bind(limits.threads.clone().filter(|t| !t.is_empty()))
            .bind(limits.oom_killer.unwrap_or(true))
            .bind(now.as_str())
            .bind(server.id.as_str())
            .bind(limits.backup_limit),
        entry.by(&platform, &caller, &meta)?,
    ];
    let undo = vec![
        Statement::new(set)
            .bind(server.memory)
            .bind(server.swap)
            .bind(server.disk)
            .bind(server.io)
            .bind(server.cpu)
            .bind(server.threads.clone())
            .bind(server.oom_killer)
            .bind(server.updated_at.as_str())
            .bind(server.id.as_str())
            .bind(server.backup_limit),
    ];
    change_and_sync(&platform, &server, change, undo).await?;
    answer(&platform, &ctx).await
}

/// `PUT /api/orgs/{org}/servers/{server}/startup` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct StartupChange {
    /// The startup command (members who may change servers only).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub startup: Option<String>,
    /// Variable values to change (`startup.update`; subusers only `user_editable` ones).
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// The docker image (`startup.docker-image`; subusers only the egg's images).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub docker_image: Option<String>,
}

/// `PUT /api/orgs/{org}/servers/{server}/startup`: startup command,
/// variables (checked against the egg's rules) and image, pushed with sync.
pub async fn startup(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<StartupChange>,
) -> Result<Json<server::GameServer>, ApiError> {
    let member = as_member(&ctx);
    if body.startup.is_some() && !member {
        return Err(ApiError::Forbidden {
            code: "forbidden",
            message: "Only the organization's operators and admins change the startup command."
                .into(),
        });
    }
    if !body.environment.is_empty() {
        ctx.require("startup.update")?;
    }
    if body.docker_image.is_some() {
        ctx.require("startup.docker-image")?;
    }
    let server = server::current(&platform, &ctx).await?;
    let egg = server::egg_of(&platform, &server).await?;
    let mut problems = Problems::new();
    let environment = check_environment(
        &egg,
        &body.environment,
        &server.environment(),
        !member,
        &mut problems,
    );
    if let Some(s) = &body.startup
        && (s.trim().is_empty() || s.len() > 4096)
    {
        problems.add(
            "startup",
            "must be a startup command of at most 4096 characters",
        );
    }
    if let Some(image) = &body.docker_image {
        if image.trim().is_empty() || image.len() > 255 {
            problems.add("docker_image", "must name a docker image");
        } else if !member && !egg.docker_images.iter().any(|i| i.image == image.trim()) {
            problems.add("docker_image", "must be one of the egg's images");
        }
    }
    problems.finish()?;
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "server.startup",
        resource_type: "server",
        resource_id: &server.id,
        metadata: json!({
            "startup_changed": body.startup.is_some(),
            "variables": body.environment.keys().collect::<Vec<_>>(),
            "docker_image": body.docker_image,
        }),
    };
    let set = "UPDATE servers SET startup = ?1, environment = ?2, image = ?3, updated_at = ?4 WHERE id = ?5";
    let env_json =
        serde_json::to_string(&environment).map_err(|e| ApiError::Internal(e.to_string()))?;
    let change = vec![
        Statement::new(set)
            .bind(body.startup.clone().unwrap_or(server.startup.clone()))
            .bind(env_json)
            .bind(
                body.docker_image
                    .as_deref()
                    .map_or(server.image.clone(), |i| i.trim().to_owned()),
            )
            .bind(rfc3339(platform.clock.now_ms()))
            .bind(server.id.as_str()),
        entry.by(&platform, &caller, &meta)?,
    ];
    let undo = vec![
        Statement::new(set)
            .bind(server.startup.as_str())
            .bind(server.environment.as_str())
            .bind(server.image.as_str())
            .bind(server.updated_at.as_str())
            .bind(server.id.as_str()),
    ];
    change_and_sync(&platform, &server, change, undo).await?;
    answer(&platform, &ctx).await
}

/// `POST /api/orgs/{org}/servers/{server}/power` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct PowerRequest {
    /// `start`, `stop`, `restart` or `kill`.
    pub signal: PowerSignal,
}

async fn usable(
    platform: &Platform,
    ctx: &ServerContext,
) -> Result<(ServerRecord, super::node::NodeAccess), ApiError> {
    let server = server::current(platform, ctx).await?;
    if server.suspended() {
        return Err(ApiError::Conflict {
            code: "server_suspended",
            message: "This server is suspended.".into(),
        });
    }
    let node = server::node_of(platform, &server).await?;
    if node.maintenance != 0 {
        return Err(ApiError::Conflict {
            code: "node_maintenance",
            message: format!("The node {} is in maintenance.", node.name),
        });
    }
    Ok((server, node))
}

/// `POST /api/orgs/{org}/servers/{server}/power`.
pub async fn power(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<PowerRequest>,
) -> Result<StatusCode, ApiError> {
    ctx.require(body.signal.permission())?;
    let (server, node) = usable(&platform, &ctx).await?;
    let target = node.target(&platform)?;
    Wings::new(platform.http.as_ref(), &target)
        .power(&server.id, body.signal)
        .await?;
    let event = format!("server:power.{}", body.signal.as_str());
    platform
        .db
        .execute(activity(
            &platform,
            &server,
            &caller,
            &meta,
            &event,
            json!({}),
        )?)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/orgs/{org}/servers/{server}/command` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CommandRequest {
    /// One console line.
    pub command: String,
}

/// `POST /api/orgs/{org}/servers/{server}/command`.
pub async fn command(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<CommandRequest>,
) -> Result<StatusCode, ApiError> {
    let line = body.command.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() || line.len() > 2000 || line.contains(['\n', '\r']) {
        return Err(ApiError::field(
            "command",
            "must be one line of at most 2000 characters",
        ));
    }
    let (server, node) = usable(&platform, &ctx).await?;
    let target = node.target(&platform)?;
    Wings::new(platform.http.as_ref(), &target)
        .commands(&server.id, &[line.to_owned()])
        .await?;
    platform
        .db
        .execute(activity(
            &platform,
            &server,
            &caller,
            &meta,
            "server:console.command",
            json!({ "command": line }),
        )?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/orgs/{org}/servers/{server}/resources` answer.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ServerResources {
    /// `offline|starting|running|stopping`.
    pub state: String,
    /// Whether Wings holds it suspended.
    pub is_suspended: bool,
    /// Live use.
    pub utilization: Resources,
}

/// `GET /api/orgs/{org}/servers/{server}/resources`: live, from Wings.
pub async fn resources(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
) -> Result<Json<ServerResources>, ApiError> {
    let server = server::current(&platform, &ctx).await?;
    let node = server::node_of(&platform, &server).await?;
    let target = node.target(&platform)?;
    let details = Wings::new(platform.http.as_ref(), &target)
        .server(&server.id)
        .await?;
    Ok(Json(ServerResources {
        state: details.state,
        is_suspended: details.is_suspended,
        utilization: details.utilization,
    }))
}

/// `GET /api/orgs/{org}/servers/{server}/websocket` answer.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ConsoleTicket {
    /// The JWT to send as the socket's `auth` event (and again before it expires).
    pub token: String,
    /// `ws(s)://fqdn:port/api/servers/{uuid}/ws`.
    pub socket: String,
    /// RFC 3339, when the token lapses (ask again before).
    pub expires_at: String,
    /// The permissions it carries.
    pub permissions: Vec<String>,
}

/// `GET /api/orgs/{org}/servers/{server}/websocket`: a console token signed
/// for the server's node (HS256 with the node's token), carrying the
/// caller's permissions on the server: `*` for members who may change game
/// servers and the owner, the subuser's list for subusers, read-only for
/// other members.
pub async fn websocket(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
) -> Result<Json<ConsoleTicket>, ApiError> {
    let server = server::current(&platform, &ctx).await?;
    let node = server::node_of(&platform, &server).await?;
    let permissions = if as_member(&ctx) {
        vec!["*".to_owned()]
    } else if let Some(grants) = &ctx.grants {
        super::permission::for_wings(grants)
    } else {
        vec!["websocket.connect".to_owned()]
    };
    let origin = crate::game::node_config::panel_origin(&platform, &meta)?;
    let now = platform.clock.now_ms();
    let signer =
        super::wings::jwt::Signer::new(&node.token(&platform)?, &origin, &node.base_url(), now);
    let token = signer.websocket(&server.id, &caller.user_id, &permissions)?;
    let base_url = node.base_url();
    let socket_base = match base_url.strip_prefix("https://") {
        Some(rest) => format!("wss://{rest}"),
        None => format!("ws://{}", base_url.trim_start_matches("http://")),
    };
    let lifetime_ms = i64::try_from(super::wings::jwt::WEBSOCKET_SECS).unwrap_or(600) * 1000;
    Ok(Json(ConsoleTicket {
        token,
        socket: format!("{socket_base}/api/servers/{}/ws", server.id),
        expires_at: rfc3339(now / 1000 * 1000 + lifetime_ms),
        permissions,
    }))
}
