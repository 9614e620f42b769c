//! Subusers: people given access to one server with Pelican permission
//! strings (contract section 7), whether or not they belong to the
//! organization, added by the email of their Flamingo account. An email
//! without an account gets an invitation instead
//! ([`super::subuser_invitation`]): a single-use `/join/{token}` link shown
//! once, never a grant by address (emails are not verified, so that would go
//! to whoever took the address). Pending invitations are listed with the
//! subusers, and changed and revoked the same way. Removing a
//! subuser tells Wings (`POST /api/deauthorize-user`), which closes their
//! console and SFTP sessions on that server and refuses their tokens.
//!
//! A subuser who may manage subusers can only grant permissions they hold.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{permission, server, subuser_invitation, wings::Wings};
use crate::{
    auth::{self, Access, Action, Decision, ServerNeed},
    context::{Caller, RequestMeta, ServerContext},
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

/// A subuser, or an invitation waiting for its account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Subuser {
    /// The user's id, or the invitation's while pending.
    pub id: String,
    /// The user's id, once they have an account.
    pub user_id: Option<String>,
    /// Their name, once they have an account.
    pub name: Option<String>,
    /// Email.
    pub email: String,
    /// Whether this is an invitation without an account yet.
    pub pending: bool,
    /// Permissions.
    pub permissions: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    /// When a pending invitation's link lapses (RFC 3339); absent for subusers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub expires_at: Option<String>,
    /// The invitation's link, `/join/<token>`: only in the answer that made
    /// it (only its hash is kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub url: Option<String>,
}

#[derive(Deserialize)]
struct Row {
    id: String,
    user_id: Option<String>,
    name: Option<String>,
    email: String,
    pending: i64,
    permissions: String,
    created_at: String,
    expires_at: Option<String>,
}

impl From<Row> for Subuser {
    fn from(r: Row) -> Self {
        Subuser {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            email: r.email,
            pending: r.pending != 0,
            permissions: serde_json::from_str(&r.permissions).unwrap_or_default(),
            created_at: r.created_at,
            expires_at: r.expires_at,
            url: None,
        }
    }
}

/// Subusers and the pending invitations (`?2` = now), by email.
const LIST: &str = "SELECT * FROM (\
     SELECT u.id AS id, u.id AS user_id, u.name AS name, u.email AS email, 0 AS pending, su.permissions, \
     su.created_at, NULL AS expires_at \
     FROM subusers su JOIN users u ON u.id = su.user_id WHERE su.server_id = ?1 \
     UNION ALL \
     SELECT i.id, NULL, NULL, i.email, 1, i.permissions, i.created_at, i.expires_at FROM subuser_invitations i \
     WHERE i.server_id = ?1 AND i.accepted_at IS NULL AND i.expires_at > ?2) \
     ORDER BY email, pending";

async fn all(platform: &Platform, server_id: &str) -> Result<Vec<Subuser>, ApiError> {
    let rows: Vec<Row> = platform
        .db
        .all(
            Statement::new(LIST)
                .bind(server_id)
                .bind(rfc3339(platform.clock.now_ms())),
        )
        .await?;
    Ok(rows.into_iter().map(Subuser::from).collect())
}

async fn one(platform: &Platform, server_id: &str, id: &str) -> Result<Subuser, ApiError> {
    all(platform, server_id)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(ApiError::NotFound)
}

/// `POST …/subusers` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewSubuser {
    /// Their email: an account's (added at once), or anyone else's (an
    /// invitation link is made, answered once in `url`).
    pub email: String,
    /// Pelican permission strings.
    pub permissions: Vec<String>,
}

/// `PATCH …/subusers/{user}` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SubuserChange {
    /// The new permissions.
    pub permissions: Vec<String>,
}

/// `DELETE …/subusers/{user}` answer.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct SubuserRemoved {
    /// Always true: Flamingo no longer lets them in.
    pub removed: bool,
    /// Whether Wings closed their sessions (false: the node could not be told).
    pub deauthorized: bool,
    /// Why not, when not.
    pub message: Option<String>,
}

/// Checks `permissions`, and that a caller acting as a subuser grants only what they hold.
fn checked(ctx: &ServerContext, permissions: &[String]) -> Result<Vec<String>, ApiError> {
    let list = permission::check(permissions).map_err(|p| ApiError::field("permissions", p))?;
    let member = auth::decide_for(
        Access::Server(ServerNeed::Org(Action::Write)),
        ctx.credential,
        ctx.role,
        None,
    ) == Decision::Allow;
    if !member {
        let held = ctx.grants.as_deref().unwrap_or_default();
        if let Some(p) = list.iter().find(|p| !auth::grants_include(held, p)) {
            return Err(ApiError::field(
                "permissions",
                format!("you cannot grant {p}, which you do not hold"),
            ));
        }
    }
    Ok(list)
}

/// `GET /api/orgs/{org}/servers/{server}/subusers`.
pub async fn list(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
) -> Result<Json<Vec<Subuser>>, ApiError> {
    Ok(Json(all(&platform, &ctx.id).await?))
}

/// `POST /api/orgs/{org}/servers/{server}/subusers`.
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<NewSubuser>,
) -> Result<(StatusCode, Json<Subuser>), ApiError> {
    let email = body.email.trim().to_lowercase();
    let mut problems = Problems::new();
    problems.check("email", validate::email(&email));
    problems.finish()?;
    let permissions = checked(&ctx, &body.permissions)?;
    let server = server::current(&platform, &ctx).await?;
    #[derive(Deserialize)]
    struct User {
        id: String,
    }
    let user: Option<User> = platform
        .db
        .first(Statement::new("SELECT id FROM users WHERE email = ?1").bind(email.as_str()))
        .await?;
    if user
        .as_ref()
        .is_some_and(|u| Some(&u.id) == server.owner_id.as_ref())
    {
        return Err(ApiError::field("email", "is the server's owner"));
    }
    let Some(user) = user else {
        // No account: a single-use link for this one server, never a grant
        // by address (whoever took the address would inherit the server).
        let created = subuser_invitation::create(
            &platform,
            &caller,
            &meta,
            (&server.org_id, &server.id),
            &email,
            &permissions,
        )
        .await?;
        let mut shown = one(&platform, &server.id, &created.id).await?;
        shown.url = Some(format!("/join/{}", created.token));
        return Ok((StatusCode::CREATED, Json(shown)));
    };
    let now = rfc3339(platform.clock.now_ms());
    let perms =
        serde_json::to_string(&permissions).map_err(|e| ApiError::Internal(e.to_string()))?;
    let insert = Statement::new(
        "INSERT INTO subusers (server_id, user_id, permissions, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
    )
    .bind(server.id.as_str())
    .bind(user.id.as_str())
    .bind(perms.as_str())
    .bind(now.as_str());
    let id = user.id.clone();
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "subuser.create",
        resource_type: "server",
        resource_id: &server.id,
        metadata: json!({ "email": email, "permissions": permissions }),
    };
    match platform
        .db
        .batch(vec![insert, entry.by(&platform, &caller, &meta)?])
        .await
    {
        Ok(_) => {}
        Err(crate::platform::db::DbError::Constraint(_)) => {
            return Err(ApiError::field(
                "email",
                "is already a subuser of this server",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    Ok((
        StatusCode::CREATED,
        Json(one(&platform, &server.id, &id).await?),
    ))
}

/// `PATCH /api/orgs/{org}/servers/{server}/subusers/{user}`.
pub async fn update(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, user)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<SubuserChange>,
) -> Result<Json<Subuser>, ApiError> {
    let id = validate::as_id(&user).ok_or(ApiError::NotFound)?;
    let permissions = checked(&ctx, &body.permissions)?;
    let current = one(&platform, &ctx.id, &id).await?;
    let perms =
        serde_json::to_string(&permissions).map_err(|e| ApiError::Internal(e.to_string()))?;
    let now = rfc3339(platform.clock.now_ms());
    let update = if current.pending {
        subuser_invitation::update(&ctx.id, &id, &perms, &now)
    } else {
        Statement::new("UPDATE subusers SET permissions = ?1, updated_at = ?4 WHERE user_id = ?2 AND server_id = ?3")
            .bind(perms.as_str())
            .bind(id.as_str())
            .bind(ctx.id.as_str())
            .bind(now.as_str())
    };
    let entry = audit::Entry {
        org_id: Some(&ctx.org_id),
        action: "subuser.update",
        resource_type: "server",
        resource_id: &ctx.id,
        metadata: json!({ "email": current.email, "permissions": permissions, "pending": current.pending }),
    };
    platform
        .db
        .batch(vec![update, entry.by(&platform, &caller, &meta)?])
        .await?;
    Ok(Json(one(&platform, &ctx.id, &id).await?))
}

/// `DELETE /api/orgs/{org}/servers/{server}/subusers/{user}`: removed from
/// Flamingo at once, then Wings is told to end their sessions there.
pub async fn remove(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, user)): Path<(String, String, String)>,
) -> Result<Json<SubuserRemoved>, ApiError> {
    let id = validate::as_id(&user).ok_or(ApiError::NotFound)?;
    let current = one(&platform, &ctx.id, &id).await?;
    let entry = audit::Entry {
        org_id: Some(&ctx.org_id),
        action: "subuser.delete",
        resource_type: "server",
        resource_id: &ctx.id,
        metadata: json!({ "email": current.email, "pending": current.pending }),
    };
    let delete = if current.pending {
        subuser_invitation::revoke(&ctx.id, &id)
    } else {
        Statement::new("DELETE FROM subusers WHERE user_id = ?1 AND server_id = ?2")
            .bind(id.as_str())
            .bind(ctx.id.as_str())
    };
    platform
        .db
        .batch(vec![delete, entry.by(&platform, &caller, &meta)?])
        .await?;
    if !current.pending {
        super::console::close(
            &platform,
            &ctx.id,
            Some(&id),
            durable_state::console::CLOSE_ACCESS,
            "your access to this server was removed",
        )
        .await;
    }
    if current.pending {
        return Ok(Json(SubuserRemoved {
            removed: true,
            deauthorized: true,
            message: None,
        }));
    }
    let server = server::current(&platform, &ctx).await?;
    let node = server::node_of(&platform, &server).await?;
    let target = node.target(&platform)?;
    let outcome = Wings::new(platform.http.as_ref(), &target)
        .deauthorize_user(&id, std::slice::from_ref(&server.id))
        .await;
    Ok(Json(match outcome {
        Ok(()) => SubuserRemoved {
            removed: true,
            deauthorized: true,
            message: None,
        },
        Err(e) => SubuserRemoved {
            removed: true,
            deauthorized: false,
            message: Some(match ApiError::from(e) {
                ApiError::Gateway { message, .. } => message,
                other => other.to_string(),
            }),
        },
    }))
}
