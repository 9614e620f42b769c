//! The one authorization point. Every route is registered with an
//! [`Access`]; this middleware authenticates the caller (session cookie or
//! API key), refuses cross-site writes, resolves the caller's role in the
//! path's organization and applies [`access::decide`]. Handlers read the
//! outcome from request extensions: [`Caller`], [`OrgContext`], [`RequestMeta`].

use axum::{
    extract::{Request, State},
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    access::{self, Access, Credential, Decision, Role},
    api_key, session,
};
use crate::{
    context::{Caller, OrgContext, RequestMeta, ServerContext},
    error::ApiError,
    platform::{
        Platform,
        db::{DatabaseExt, Statement},
    },
    validate,
};

/// A user row as the guard reads it.
#[derive(Debug, Deserialize)]
pub(crate) struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
}

pub(crate) const USER_BY_ID: &str = "SELECT id, name, email FROM users WHERE id = ?1";

const MEMBERSHIP_BY_ID: &str = "SELECT o.id, o.slug, o.name, m.role FROM organizations o \
     JOIN memberships m ON m.org_id = o.id WHERE o.id = ?1 AND m.user_id = ?2";
const MEMBERSHIP_BY_SLUG: &str = "SELECT o.id, o.slug, o.name, m.role FROM organizations o \
     JOIN memberships m ON m.org_id = o.id WHERE o.slug = ?1 AND m.user_id = ?2";

/// The middleware state: the platform and the route's declared access.
pub type GuardState = (Platform, Access);

/// Authenticates, checks CSRF and membership, and decides; after a
/// successful answer, publishes the events the handler queued.
pub async fn guard(
    State((platform, access)): State<GuardState>,
    mut req: Request,
    next: Next,
) -> Response {
    let meta = RequestMeta::from_request(req.uri(), req.headers());
    let outbox = meta.outbox.clone();
    if access == Access::Node {
        // Wings' bearer is not a user's credential; the handler checks it.
        req.extensions_mut().insert(meta);
        let response = next.run(req).await;
        if response.status().is_success() {
            outbox.flush(&platform).await;
        }
        return response;
    }
    match authorize(&platform, access, meta, &mut req).await {
        Ok(()) => {
            let response = next.run(req).await;
            // Only now has the handler's batch committed.
            if response.status().is_success() {
                outbox.flush(&platform).await;
            }
            response
        }
        Err(e) => e.into_response(),
    }
}

async fn authorize(
    platform: &Platform,
    access: Access,
    meta: RequestMeta,
    req: &mut Request,
) -> Result<(), ApiError> {
    let caller = authenticate(platform, req.headers(), &meta).await?;
    let credential = caller
        .as_ref()
        .map_or(Credential::Anonymous, |c| c.credential);

    if credential == Credential::Session && !is_safe(req.method()) {
        check_origin(platform, req, &meta)?;
    }

    let (org, server) = match (access, &caller) {
        (Access::Org(..), Some(caller)) => {
            (membership(platform, req, &caller.user_id).await?, None)
        }
        (Access::Server(_), Some(caller)) => standing(platform, req, caller).await?,
        _ => (None, None),
    };
    let grants = server.as_ref().and_then(|s| s.grants.as_deref());
    match access::decide_for(access, credential, org.as_ref().map(|o| o.role), grants) {
        Decision::Allow => {}
        Decision::SignIn => {
            return Err(ApiError::Unauthorized {
                code: "unauthenticated",
                message: "Sign in first.".into(),
            });
        }
        Decision::Deny => {
            return Err(ApiError::Forbidden {
                code: "forbidden",
                message: "Your role does not allow this.".into(),
            });
        }
        Decision::Hide => return Err(ApiError::NotFound),
    }
    let extensions = req.extensions_mut();
    extensions.insert(meta);
    if let Some(caller) = caller {
        extensions.insert(caller);
    }
    if let Some(org) = org {
        extensions.insert(org);
    }
    if let Some(server) = server {
        extensions.insert(server);
    }
    Ok(())
}

/// The caller's standing on the path's `{server}` of `{org}`: their
/// membership (if any) and their permissions on the server (as its owner or
/// a subuser), in one query. A server outside that organization is nobody's.
async fn standing(
    platform: &Platform,
    req: &mut Request,
    caller: &Caller,
) -> Result<(Option<OrgContext>, Option<ServerContext>), ApiError> {
    use axum::{RequestExt, extract::RawPathParams};
    let params = req
        .extract_parts::<RawPathParams>()
        .await
        .map_err(|e| ApiError::Internal(format!("path params: {e}")))?;
    let param = |wanted: &str| {
        params
            .iter()
            .find(|(name, _)| *name == wanted)
            .map(|(_, v)| v.to_owned())
    };
    let (Some(org), Some(server)) = (param("org"), param("server")) else {
        return Err(ApiError::Internal(
            "a Server route without {org} and {server}".into(),
        ));
    };
    let Some(server_id) = validate::as_id(&server) else {
        return Ok((None, None));
    };
    #[derive(Deserialize)]
    struct Row {
        id: String,
        slug: String,
        name: String,
        role: Option<String>,
        server_id: String,
        owner_id: Option<String>,
        permissions: Option<String>,
    }
    let org_match = match validate::as_id(&org) {
        Some(_) => "o.id = ?1",
        None => "o.slug = ?1",
    };
    let sql = format!(
        "SELECT o.id, o.slug, o.name, m.role, s.id AS server_id, s.owner_id, \
         su.permissions AS permissions \
         FROM organizations o JOIN servers s ON s.org_id = o.id AND s.id = ?3 \
         LEFT JOIN memberships m ON m.org_id = o.id AND m.user_id = ?2 \
         LEFT JOIN subusers su ON su.server_id = s.id AND su.user_id = ?2 \
         WHERE {org_match}"
    );
    let org_value = validate::as_id(&org).unwrap_or(org);
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new(sql)
                .bind(org_value)
                .bind(caller.user_id.as_str())
                .bind(server_id),
        )
        .await?;
    let Some(row) = row else {
        return Ok((None, None));
    };
    let role = row.role.as_deref().and_then(Role::parse);
    let grants = if row.owner_id.as_deref() == Some(caller.user_id.as_str()) {
        Some(vec!["*".to_owned()])
    } else {
        row.permissions
            .as_deref()
            .map(|p| serde_json::from_str::<Vec<String>>(p).unwrap_or_default())
    };
    let server = ServerContext {
        id: row.server_id,
        org_id: row.id.clone(),
        role,
        grants,
        credential: caller.credential,
    };
    let org = role.map(|role| OrgContext {
        id: row.id,
        slug: row.slug,
        name: row.name,
        role,
    });
    Ok((org, Some(server)))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Cookie-authenticated writes must come from the panel's own pages.
fn check_origin(platform: &Platform, req: &Request, meta: &RequestMeta) -> Result<(), ApiError> {
    let expected = platform.config.expected_origin(meta.origin.as_deref())?;
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok());
    match (origin, expected) {
        (Some(origin), Some(expected)) if origin == expected => Ok(()),
        _ => Err(ApiError::Forbidden {
            code: "csrf",
            message: "This request did not come from Flamingo's own pages.".into(),
        }),
    }
}

/// The caller behind a bearer API key or a session cookie.
async fn authenticate(
    platform: &Platform,
    headers: &HeaderMap,
    meta: &RequestMeta,
) -> Result<Option<Caller>, ApiError> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| ApiError::Unauthorized {
                code: "invalid_api_key",
                message: "Use Authorization: Bearer flm_...".into(),
            })?;
        return api_key::authenticate(platform, token, meta).await.map(Some);
    }
    let Some(secret) = session::cookie_secret(headers, meta.secure) else {
        return Ok(None);
    };
    let Some(session) = session::lookup(platform, &secret).await? else {
        return Ok(None);
    };
    let user: Option<UserRow> = platform
        .db
        .first(Statement::new(USER_BY_ID).bind(session.record.user_id.as_str()))
        .await?;
    Ok(user.map(|user| Caller {
        user_id: user.id,
        name: user.name,
        email: user.email,
        credential: Credential::Session,
        session_id: Some(session.id),
        api_key_id: None,
    }))
}

/// The caller's membership in the path's `{org}`: an id when shaped like one,
/// else a slug.
async fn membership(
    platform: &Platform,
    req: &mut Request,
    user_id: &str,
) -> Result<Option<OrgContext>, ApiError> {
    use axum::{RequestExt, extract::RawPathParams};
    let params = req
        .extract_parts::<RawPathParams>()
        .await
        .map_err(|e| ApiError::Internal(format!("path params: {e}")))?;
    let Some((_, org)) = params.iter().find(|(name, _)| *name == "org") else {
        return Err(ApiError::Internal("an Org route without {org}".into()));
    };
    #[derive(Deserialize)]
    struct Row {
        id: String,
        slug: String,
        name: String,
        role: String,
    }
    // An id-shaped value is an id, never a slug: one value, one organization.
    let lookup = match validate::as_id(org) {
        Some(id) => Statement::new(MEMBERSHIP_BY_ID).bind(id),
        None => Statement::new(MEMBERSHIP_BY_SLUG).bind(org),
    };
    let row: Option<Row> = platform.db.first(lookup.bind(user_id)).await?;
    Ok(row.and_then(|r| {
        Some(OrgContext {
            role: Role::parse(&r.role)?,
            id: r.id,
            slug: r.slug,
            name: r.name,
        })
    }))
}
