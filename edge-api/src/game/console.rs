//! The console relay's edge side: `GET …/servers/{server}/console` upgrades
//! a viewer (after the one authorization point, `websocket.connect`) and
//! hands the socket to the server's relay Durable Object
//! (`durable_state::ConsoleRelay`) with the viewer's permissions and what
//! the relay needs to reach Wings; suspending or deleting a server and
//! removing a subuser close the affected viewers through [`close`].
//!
//! The relay gets the node's token on this internal request and keeps it in
//! memory only: it signs every `auth` it sends upstream itself, including
//! the renewals it makes on its own timer while no edge request is in flight,
//! so a console left open for hours never waits on the edge. Browsers never
//! see a Wings token on this path.

use axum::{
    Extension,
    extract::State,
    http::{HeaderMap, header},
    response::Response,
};
use durable_state::console::{ConsoleJoin, ConsoleRequest, Upstream};

use super::server;
use crate::{
    auth::{Access, Action, Decision, ServerNeed, decide_for},
    context::{RequestMeta, ServerContext},
    error::ApiError,
    platform::Platform,
};

/// What an organization member who may change game servers sees: everything.
const MEMBER_PERMISSIONS: &[&str] = durable_state::console_token::RELAY_PERMISSIONS;

/// The viewer's permissions on the server: all (admin frames included) for
/// members who may change game servers, the subuser's list for subusers,
/// read-only for other members.
pub fn viewer_permissions(ctx: &ServerContext) -> Vec<String> {
    let member = decide_for(
        Access::Server(ServerNeed::Org(Action::Write)),
        ctx.credential,
        ctx.role,
        None,
    ) == Decision::Allow;
    if member {
        MEMBER_PERMISSIONS.iter().map(|p| (*p).to_owned()).collect()
    } else if let Some(grants) = &ctx.grants {
        super::permission::for_wings(grants)
    } else {
        vec!["websocket.connect".to_owned()]
    }
}

/// `GET /api/orgs/{org}/servers/{server}/console`: the relay's WebSocket.
pub async fn connect(
    State(platform): State<Platform>,
    Extension(caller): Extension<crate::context::Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let upgrade = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !upgrade {
        return Err(ApiError::BadRequest {
            code: "websocket_required",
            message: "This is a WebSocket endpoint: connect with `Upgrade: websocket`.".into(),
        });
    }
    let server = server::current(&platform, &ctx).await?;
    if server.suspended() {
        return Err(ApiError::Conflict {
            code: "server_suspended",
            message: "The server is suspended.".into(),
        });
    }
    let node = server::node_of(&platform, &server).await?;
    let origin = crate::game::node_config::panel_origin(&platform, &meta)?;
    let base_url = node.base_url();
    let join = ConsoleJoin {
        user_id: caller.user_id.clone(),
        permissions: viewer_permissions(&ctx),
        upstream: Upstream {
            url: format!("{base_url}/api/servers/{}/ws", server.id),
            origin,
            audience: base_url,
            node_token: node.token(&platform)?,
            server_uuid: server.id.clone(),
            user_uuid: server.owner_id.clone().unwrap_or(caller.user_id),
            token_secs: super::wings::jwt::WEBSOCKET_SECS,
        },
    };
    Ok(platform
        .objects
        .console_join(&server.id, join, headers)
        .await?)
}

/// Closes the viewers of `server_id` (those of `user_id`, or all) with
/// `code` and `reason`. The change that calls this is already committed, so
/// a relay that does not answer is logged, not an error.
pub async fn close(
    platform: &Platform,
    server_id: &str,
    user_id: Option<&str>,
    code: u16,
    reason: &str,
) {
    let request = ConsoleRequest::Close {
        user_id: user_id.map(str::to_owned),
        code,
        reason: reason.to_owned(),
    };
    if let Err(e) = platform.objects.console(server_id, request).await {
        crate::error::log_error("console_close_failed", &format!("server {server_id}: {e}"));
    }
}
