//! Signing in and out, and the signed-in user's own account: profile,
//! password and sessions.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

use super::{Role, api_key, rate_limit, session, totp};
use crate::{
    context::{Caller, RequestMeta},
    crypto,
    error::ApiError,
    extract::ApiJson,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, DbError, Statement},
    },
    record::events,
    validate::{self, Problems},
};

/// The signed-in user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct User {
    /// User id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Whether two-factor sign-in is on.
    pub totp_enabled: bool,
    /// RFC 3339.
    pub created_at: String,
}

/// An organization the user belongs to, with their role.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Membership {
    /// Organization id.
    pub org_id: String,
    /// URL slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// The user's role there.
    pub role: Role,
}

/// `GET /api/auth/me`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Me {
    /// The user.
    pub user: User,
    /// Their organizations.
    pub memberships: Vec<Membership>,
}

const ME_USER: &str = "SELECT id, name, email, totp_enabled_at IS NOT NULL AS totp_enabled, created_at \
     FROM users WHERE id = ?1";
const ME_MEMBERSHIPS: &str = "SELECT o.id AS org_id, o.slug, o.name, m.role FROM memberships m \
     JOIN organizations o ON o.id = m.org_id WHERE m.user_id = ?1 ORDER BY o.name, o.id";

/// Loads what `/api/auth/me` shows for `user_id`.
pub async fn load_me(platform: &Platform, user_id: &str) -> Result<Me, ApiError> {
    #[derive(Deserialize)]
    struct UserRow {
        id: String,
        name: String,
        email: String,
        totp_enabled: i64,
        created_at: String,
    }
    let user: UserRow = platform
        .db
        .first(Statement::new(ME_USER).bind(user_id))
        .await?
        .ok_or(ApiError::NotFound)?;
    let memberships = platform
        .db
        .all(Statement::new(ME_MEMBERSHIPS).bind(user_id))
        .await?;
    Ok(Me {
        user: User {
            id: user.id,
            name: user.name,
            email: user.email,
            totp_enabled: user.totp_enabled != 0,
            created_at: user.created_at,
        },
        memberships,
    })
}

/// `POST /api/auth/login` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Account email.
    pub email: String,
    /// Password.
    pub password: String,
    /// A TOTP code or a recovery code, when two-factor sign-in is on.
    pub totp: Option<String>,
}

#[derive(Deserialize)]
struct Credentials {
    id: String,
    password_hash: String,
    totp_enabled: i64,
}

/// Verified against when the email is unknown, so a miss costs the same time
/// as a wrong password and does not reveal which emails have accounts.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$BmzyfGTZPaqbhyXz6Ro6PfHDiNYFLLH3Bzp5rjsrl0Q";

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_credentials",
        message: "Wrong email or password.".into(),
    }
}

/// `POST /api/auth/login`: password, then the second factor when enabled.
/// Each attempt is counted before the password is checked (see
/// [`rate_limit::login`] for the limits).
pub async fn login(
    State(platform): State<Platform>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let email = body.email.trim().to_lowercase();
    if body.password.len() > 1024 {
        return Err(ApiError::field("password", "must be at most 1024 bytes"));
    }
    let attempt = rate_limit::login(&platform, &email, meta.ip.as_deref()).await?;

    let found: Option<Credentials> = platform
        .db
        .first(
            Statement::new(
                "SELECT id, password_hash, totp_enabled_at IS NOT NULL AS totp_enabled FROM users WHERE email = ?1",
            )
            .bind(email.as_str()),
        )
        .await?;
    let (ok, rehash) = crypto::verify_password(
        &body.password,
        found.as_ref().map_or(DUMMY_HASH, |u| &u.password_hash),
    )?;
    let user = match found {
        Some(user) if ok => user,
        _ => return Err(invalid_credentials()),
    };

    if user.totp_enabled != 0 {
        let Some(code) = body
            .totp
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        else {
            attempt.forgive(&platform).await?;
            return Err(ApiError::Unauthorized {
                code: "totp_required",
                message: "Enter the code from your authenticator app, or a recovery code.".into(),
            });
        };
        if !totp::verify_second_factor(&platform, &user.id, code).await? {
            return Err(ApiError::Unauthorized {
                code: "invalid_totp",
                message: "That code is not valid.".into(),
            });
        }
    }

    let mut batch = attempt.succeeded();
    if rehash {
        batch.push(
            Statement::new("UPDATE users SET password_hash = ?1 WHERE id = ?2")
                .bind(crypto::hash_password(&body.password)?)
                .bind(user.id.as_str()),
        );
    }
    platform.db.batch(batch).await?;

    let (secret, _) = session::create(&platform, &user.id, &meta).await?;
    let me = load_me(&platform, &user.id).await?;
    let mut response = Json(me).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(&secret, meta.secure)?,
    );
    Ok(response)
}

/// `POST /api/auth/logout`: ends this session and its event streams.
pub async fn logout(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
) -> Result<Response, ApiError> {
    if let Some(id) = &caller.session_id {
        session::revoke(&platform, &caller.user_id, id).await?;
        events::end_session(&platform, &caller.user_id, id).await;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session::clear_cookie(meta.secure));
    Ok(response)
}

/// `GET /api/auth/me`.
pub async fn me(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Me>, ApiError> {
    Ok(Json(load_me(&platform, &caller.user_id).await?))
}

/// `PATCH /api/auth/me` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    /// New display name.
    pub name: Option<String>,
    /// New email.
    pub email: Option<String>,
    /// The password in use now; required when the email changes, since the
    /// email is what one signs in with.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub current_password: Option<String>,
}

/// `PATCH /api/auth/me`: changes name and/or email. A new email needs the
/// current password, so a borrowed session cannot take the account over.
pub async fn update_profile(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<ProfileUpdate>,
) -> Result<Json<Me>, ApiError> {
    let new_email = body
        .email
        .as_deref()
        .map(str::trim)
        .filter(|email| *email != caller.email);
    let current_password = body.current_password.as_deref().filter(|p| !p.is_empty());
    let mut problems = Problems::new();
    if let Some(name) = &body.name {
        problems.check("name", validate::name(name));
    }
    if let Some(email) = new_email {
        problems.check("email", validate::email(email));
        if current_password.is_none() {
            problems.add("current_password", "is required to change your email");
        }
    }
    problems.finish()?;
    let mut batch = Vec::new();
    if let (Some(_), Some(password)) = (new_email, current_password) {
        batch.extend(
            confirm_password(&platform, &caller.user_id, "current_password", password).await?,
        );
    }
    batch.push(
        Statement::new(
            "UPDATE users SET name = COALESCE(?1, name), email = COALESCE(?2, email), updated_at = ?3 WHERE id = ?4",
        )
        .bind(body.name.as_deref().map(str::trim))
        .bind(new_email)
        .bind(rfc3339(platform.clock.now_ms()))
        .bind(caller.user_id.as_str()),
    );
    match platform.db.batch(batch).await {
        Ok(_) => Ok(Json(load_me(&platform, &caller.user_id).await?)),
        Err(DbError::Constraint(_)) => Err(ApiError::field(
            "email",
            "is already used by another account",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Checks that `password` is the user's current one, before a change that
/// needs it (a new email, a new API key, a new password). The attempt is
/// counted first, against the same per-user limit for all of them (see
/// [`rate_limit::user_secret`]), so no route is a side door for guessing; a
/// wrong one is refused as a 422 on `field`. Answers the statements that
/// settle the attempt, for the change's batch.
pub async fn confirm_password(
    platform: &Platform,
    user_id: &str,
    field: &str,
    password: &str,
) -> Result<Vec<Statement>, ApiError> {
    let attempt = rate_limit::user_secret(platform, "password", user_id).await?;
    #[derive(Deserialize)]
    struct Row {
        password_hash: String,
    }
    let row: Row = platform
        .db
        .first(Statement::new("SELECT password_hash FROM users WHERE id = ?1").bind(user_id))
        .await?
        .ok_or(ApiError::NotFound)?;
    if password.len() > 1024 || !crypto::verify_password(password, &row.password_hash)?.0 {
        return Err(ApiError::field(field, "is not your current password"));
    }
    Ok(attempt.succeeded())
}

/// `PUT /api/auth/password` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password in use now.
    pub current_password: String,
    /// The new password.
    pub new_password: String,
    /// Also revoke every API key (one made by whoever had the old password
    /// would otherwise keep working). Off when omitted.
    #[serde(default)]
    pub revoke_api_keys: bool,
}

/// `PUT /api/auth/password`: changes the password and ends every other
/// session; with `revoke_api_keys`, every API key too.
pub async fn change_password(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let mut problems = Problems::new();
    problems.check("new_password", validate::password(&body.new_password));
    problems.finish()?;
    let confirmed = confirm_password(
        &platform,
        &caller.user_id,
        "current_password",
        &body.current_password,
    )
    .await?;
    let mut batch = vec![
        Statement::new("UPDATE users SET password_hash = ?1, updated_at = ?2 WHERE id = ?3")
            .bind(crypto::hash_password(&body.new_password)?)
            .bind(rfc3339(platform.clock.now_ms()))
            .bind(caller.user_id.as_str()),
    ];
    batch.extend(confirmed);
    if body.revoke_api_keys {
        batch.extend(api_key::revoke_all(&platform, &caller, &meta, "password_change").await?);
    }
    platform.db.batch(batch).await?;
    session::revoke_all_except(&platform, &caller.user_id, caller.session_id.as_deref()).await?;
    events::end_other_sessions(
        &platform,
        &caller.user_id,
        caller.session_id.as_deref(),
        body.revoke_api_keys,
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// One of the user's sessions, as listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct SessionInfo {
    /// Public id (a hash of the secret, never the secret).
    pub id: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, within the hour.
    pub last_seen_at: String,
    /// Client IP at sign-in.
    pub ip: Option<String>,
    /// Browser at sign-in.
    pub user_agent: Option<String>,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// `GET /api/auth/sessions`: live sessions, most recently used first.
pub async fn list_sessions(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<SessionInfo>>, ApiError> {
    let mut sessions: Vec<SessionInfo> = session::list(&platform, &caller.user_id)
        .await?
        .into_iter()
        .map(|s| SessionInfo {
            current: caller.session_id.as_deref() == Some(s.id.as_str()),
            id: s.id,
            created_at: s.record.created_at,
            last_seen_at: s.record.last_seen_at,
            ip: s.record.ip,
            user_agent: s.record.user_agent,
        })
        .collect();
    sessions.sort_by(|a, b| b.last_seen_at.cmp(&a.last_seen_at));
    Ok(Json(sessions))
}

/// What signing out everywhere else ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct EndedSessions {
    /// How many other sessions ended.
    pub ended: u32,
}

/// `DELETE /api/auth/sessions`: ends every session of the user but the one
/// asking ("sign out all other sessions"), and their event streams.
pub async fn revoke_other_sessions(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<EndedSessions>, ApiError> {
    let keep = caller.session_id.as_deref();
    let ended = session::revoke_all_except(&platform, &caller.user_id, keep).await?;
    events::end_other_sessions(&platform, &caller.user_id, keep, false).await;
    Ok(Json(EndedSessions {
        ended: u32::try_from(ended).unwrap_or(u32::MAX),
    }))
}

/// `DELETE /api/auth/sessions/{id}`: ends one of the user's sessions and
/// its event streams.
pub async fn revoke_session(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if session::revoke(&platform, &caller.user_id, &id).await? {
        events::end_session(&platform, &caller.user_id, &id).await;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
