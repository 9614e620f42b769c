//! Invitations: single-use links `/join/{token}` with a role and an expiry.
//!
//! The token (256 random bits) is shown once, when the invitation is made;
//! only its SHA-256 is stored. Anyone holding the link may preview and accept
//! it, so looking one up is rate limited per IP, and every failed lookup
//! counts. An unknown, used, revoked or expired token gets the same plain 404,
//! so the answer tells a guesser nothing.
//!
//! The link is the credential. Flamingo sends no mail, so it cannot learn who
//! opens a link: whoever has it can join as its role until it expires or is
//! used. An invitation may note the email it was meant for, to tell pending
//! links apart; that note is shown to the organization's members only and is
//! never checked when joining (a check would only suggest a protection it
//! cannot give: anyone can type that address into a new account).
//!
//! Single use: accepting is one D1 batch, which is a transaction. In order:
//! the new account (when one is made); the claim `UPDATE invitations SET
//! accepted_at = now, accepted_by = user WHERE ... still pending`; the
//! membership INSERT, whose `org_id` and `role` are scalar subqueries on the
//! invitation *claimed by this user at this instant*; and the audit row. When
//! the claim changed nothing (another request won, or the invitation was
//! revoked or expired meanwhile) the subqueries are NULL, `memberships.org_id
//! NOT NULL` fails and the whole batch rolls back: no account, no membership,
//! no audit row. So exactly one of several racing requests commits.
//!
//! The same link and page also accept an invitation to one game server
//! ([`crate::game::subuser_invitation`]): a token that is not an
//! organization's is looked up there, and accepting it makes a subuser of
//! that server, never a member of the organization.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    auth::{Access, Action, Credential, Resource, Role, account::load_me, rate_limit, session},
    context::{Caller, OrgContext, RequestMeta},
    crypto,
    error::ApiError,
    extract::ApiJson,
    game::subuser_invitation,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, DbError, Statement},
    },
    record::audit,
    route::Route,
    validate::{self, Problems},
};

/// Default lifetime of an invitation.
const DEFAULT_DAYS: i64 = 7;
/// Longest lifetime of an invitation.
const MAX_DAYS: i64 = 30;
/// Pending invitations an organization may have at once (so the list stays
/// one short page).
const MAX_PENDING: i64 = 100;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// The invitation and join routes.
pub fn routes() -> Vec<Route> {
    use Access::{Org, Public};
    let members = |action| Org(Resource::Members, action);
    vec![
        Route::get("/api/orgs/{org}/invitations", members(Action::Read), list),
        Route::post(
            "/api/orgs/{org}/invitations",
            members(Action::Write),
            create,
        ),
        Route::delete(
            "/api/orgs/{org}/invitations/{id}",
            members(Action::Write),
            revoke,
        ),
        Route::get("/api/join/{token}", Public, preview),
        Route::post("/api/join/{token}", Public, accept),
    ]
}

/// Who made an invitation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct InvitationCreator {
    /// User id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// A pending invitation as listed (never its token).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Invitation {
    /// Invitation id.
    pub id: String,
    /// The role the new member gets.
    pub role: Role,
    /// Whom the link was meant for: a note for the organization, not checked
    /// when joining (anyone with the link can join).
    pub email: Option<String>,
    /// Who made it.
    pub created_by: InvitationCreator,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// `POST /api/orgs/{org}/invitations` response: the only time the token is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct CreatedInvitation {
    /// The invitation.
    pub invitation: Invitation,
    /// The secret; whoever holds it may join.
    pub token: String,
    /// The panel path to share, `/join/<token>`.
    pub url: String,
}

/// The organization an invitation is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct InvitedOrg {
    /// Display name.
    pub name: String,
    /// URL slug.
    pub slug: String,
}

/// A signed-in visitor.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct SignedInAs {
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
}

/// The game server an invitation to one server is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct InvitedServer {
    /// Server id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The Pelican permissions the subuser gets there.
    pub permissions: Vec<String>,
}

/// `GET /api/join/{token}`: what accepting would do.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct InvitationPreview {
    /// The organization (of the server, for an invitation to one server).
    pub organization: InvitedOrg,
    /// The role the new member gets; null for an invitation to one server.
    pub role: Option<Role>,
    /// The one server the invitation is for (as a subuser, not a member).
    pub server: Option<InvitedServer>,
    /// RFC 3339.
    pub expires_at: String,
    /// The visitor, when signed in (they may join as themselves).
    pub signed_in_as: Option<SignedInAs>,
}

/// `POST /api/orgs/{org}/invitations` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    /// `admin`, `operator` or `viewer`.
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "\"admin\" | \"operator\" | \"viewer\"")
    )]
    pub role: String,
    /// Whom the link is meant for, as a note; omit (or empty) for none.
    /// Not checked when joining: anyone with the link can join.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub email: Option<String>,
    /// 1-30 days; 7 when omitted.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub expires_in_days: Option<i64>,
}

/// `POST /api/join/{token}` body: `{}` to join as the signed-in user, or a
/// new account's details.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// New account's display name.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub name: Option<String>,
    /// New account's email.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub email: Option<String>,
    /// New account's password.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub password: Option<String>,
}

#[derive(Deserialize)]
struct InvitationRow {
    id: String,
    role: Role,
    email: Option<String>,
    creator_id: String,
    creator_name: String,
    created_at: String,
    expires_at: String,
}

impl From<InvitationRow> for Invitation {
    fn from(row: InvitationRow) -> Self {
        Invitation {
            id: row.id,
            role: row.role,
            email: row.email,
            created_by: InvitationCreator {
                id: row.creator_id,
                name: row.creator_name,
            },
            created_at: row.created_at,
            expires_at: row.expires_at,
        }
    }
}

/// An invitation still open: not accepted, not revoked, not expired at `?2`.
const OPEN: &str = "i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ?2";

/// A pending invitation found by its token.
#[derive(Deserialize)]
struct Pending {
    id: String,
    org_id: String,
    org_name: String,
    org_slug: String,
    role: Role,
    expires_at: String,
}

/// Claims the invitation for `?2` at `?1` if it is still open.
const CLAIM: &str = "UPDATE invitations SET accepted_at = ?1, accepted_by = ?2 \
     WHERE id = ?3 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?1";
/// The membership for the invitation claimed by `?2` at `?3`; NULLs (and so a
/// failed batch) when this request's claim did not happen.
const JOIN: &str = "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (\
     (SELECT org_id FROM invitations WHERE id = ?1 AND accepted_by = ?2 AND accepted_at = ?3), ?2, \
     (SELECT role FROM invitations WHERE id = ?1 AND accepted_by = ?2 AND accepted_at = ?3), ?3)";

/// `GET /api/orgs/{org}/invitations`: pending invitations, newest first.
pub async fn list(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
) -> Result<Json<Vec<Invitation>>, ApiError> {
    let rows: Vec<InvitationRow> = platform
        .db
        .all(
            Statement::new(format!(
                "SELECT i.id, i.role, i.email, u.id AS creator_id, u.name AS creator_name, i.created_at, i.expires_at \
                 FROM invitations i JOIN users u ON u.id = i.created_by \
                 WHERE i.org_id = ?1 AND {OPEN} ORDER BY i.created_at DESC, i.id DESC"
            ))
            .bind(org.id.as_str())
            .bind(rfc3339(platform.clock.now_ms())),
        )
        .await?;
    Ok(Json(rows.into_iter().map(Invitation::from).collect()))
}

/// `POST /api/orgs/{org}/invitations`: makes an invitation and shows its token once.
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    ApiJson(body): ApiJson<NewInvitation>,
) -> Result<(StatusCode, Json<CreatedInvitation>), ApiError> {
    let mut problems = Problems::new();
    let role = Role::parse(&body.role).filter(|r| *r != Role::Owner);
    if role.is_none() {
        problems.add("role", "must be admin, operator or viewer");
    }
    let email = body
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(email) = email {
        problems.check("email", validate::email(email));
    }
    let days = body.expires_in_days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        problems.add(
            "expires_in_days",
            format!("must be between 1 and {MAX_DAYS}"),
        );
    }
    problems.finish()?;
    let role = role.ok_or_else(|| ApiError::Internal("role checked above".into()))?;

    #[derive(Deserialize)]
    struct Count {
        pending: i64,
    }
    let now_ms = platform.clock.now_ms();
    let count: Option<Count> = platform
        .db
        .first(
            Statement::new(format!(
                "SELECT COUNT(*) AS pending FROM invitations i WHERE i.org_id = ?1 AND {OPEN}"
            ))
            .bind(org.id.as_str())
            .bind(rfc3339(now_ms)),
        )
        .await?;
    if count.is_some_and(|c| c.pending >= MAX_PENDING) {
        return Err(ApiError::Conflict {
            code: "too_many_invitations",
            message: format!(
                "An organization may have {MAX_PENDING} pending invitations; revoke some first."
            ),
        });
    }

    let token = crypto::token()?;
    let invitation = Invitation {
        id: crypto::uuid()?,
        role,
        email: email.map(str::to_owned),
        created_by: InvitationCreator {
            id: caller.user_id.clone(),
            name: caller.name.clone(),
        },
        created_at: rfc3339(now_ms),
        expires_at: rfc3339(now_ms + days * DAY_MS),
    };
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "member.invite",
        resource_type: "invitation",
        resource_id: &invitation.id,
        metadata: json!({
            "role": role,
            "email": invitation.email,
            "expires_at": invitation.expires_at,
        }),
    };
    platform
        .db
        .batch(vec![
            Statement::new(
                "INSERT INTO invitations (id, org_id, token_hash, role, email, created_by, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .bind(invitation.id.as_str())
            .bind(org.id.as_str())
            .bind(crypto::sha256_hex(token.as_bytes()))
            .bind(role.as_str())
            .bind(invitation.email.as_deref())
            .bind(caller.user_id.as_str())
            .bind(invitation.created_at.as_str())
            .bind(invitation.expires_at.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    let url = format!("/join/{token}");
    Ok((
        StatusCode::CREATED,
        Json(CreatedInvitation {
            invitation,
            token,
            url,
        }),
    ))
}

/// `DELETE /api/orgs/{org}/invitations/{id}`: revokes a pending invitation.
pub async fn revoke(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        role: Role,
        email: Option<String>,
    }
    let now = rfc3339(platform.clock.now_ms());
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new(format!(
                "SELECT i.role, i.email FROM invitations i WHERE i.org_id = ?1 AND {OPEN} AND i.id = ?3"
            ))
                .bind(org.id.as_str())
                .bind(now.as_str())
                .bind(id.as_str()),
        )
        .await?;
    let row = row.ok_or(ApiError::NotFound)?;
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "invitation.revoke",
        resource_type: "invitation",
        resource_id: &id,
        metadata: json!({ "role": row.role, "email": row.email }),
    };
    platform
        .db
        .batch(vec![
            Statement::new(
                "UPDATE invitations SET revoked_at = ?1 \
                 WHERE id = ?2 AND org_id = ?3 AND accepted_at IS NULL AND revoked_at IS NULL",
            )
            .bind(now.as_str())
            .bind(id.as_str())
            .bind(org.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a token opens: an organization, or one game server.
enum Found {
    Org(Pending),
    Server(subuser_invitation::Pending),
}

impl Found {
    fn org_id(&self) -> &str {
        match self {
            Found::Org(p) => &p.org_id,
            Found::Server(p) => &p.org_id,
        }
    }
}

/// The pending invitation behind `token`. Each lookup is counted against the
/// client's IP first and a hit is given back, so misses are limited
/// ([`rate_limit::TOKENS`]); 429 once over the limit.
async fn find(platform: &Platform, token: &str, meta: &RequestMeta) -> Result<Found, ApiError> {
    let hash = crypto::sha256_hex(token.as_bytes());
    let attempt = rate_limit::token(platform, "join", meta.ip.as_deref()).await?;
    let found: Option<Pending> = if token.len() <= 128 {
        platform
            .db
            .first(
                Statement::new(format!(
                    "SELECT i.id, i.org_id, o.name AS org_name, o.slug AS org_slug, i.role, i.expires_at \
                     FROM invitations i JOIN organizations o ON o.id = i.org_id \
                     WHERE i.token_hash = ?1 AND {OPEN}"
                ))
                .bind(hash.as_str())
                .bind(rfc3339(platform.clock.now_ms())),
            )
            .await?
    } else {
        None
    };
    let found = match found {
        Some(p) => Found::Org(p),
        None if token.len() <= 128 => subuser_invitation::find(platform, &hash)
            .await?
            .map(Found::Server)
            .ok_or(ApiError::NotFound)?,
        None => return Err(ApiError::NotFound),
    };
    attempt.forgive(platform).await?;
    Ok(found)
}

/// `GET /api/join/{token}`: what the invitation offers.
pub async fn preview(
    State(platform): State<Platform>,
    Extension(meta): Extension<RequestMeta>,
    caller: Option<Extension<Caller>>,
    Path(token): Path<String>,
) -> Result<Json<InvitationPreview>, ApiError> {
    let signed_in_as = caller.map(|Extension(c)| SignedInAs {
        name: c.name,
        email: c.email,
    });
    Ok(Json(match find(&platform, &token, &meta).await? {
        Found::Org(pending) => InvitationPreview {
            organization: InvitedOrg {
                name: pending.org_name,
                slug: pending.org_slug,
            },
            role: Some(pending.role),
            server: None,
            expires_at: pending.expires_at,
            signed_in_as,
        },
        Found::Server(pending) => InvitationPreview {
            server: Some(InvitedServer {
                permissions: pending.permission_list(),
                id: pending.server_id,
                name: pending.server_name,
            }),
            organization: InvitedOrg {
                name: pending.org_name,
                slug: pending.org_slug,
            },
            role: None,
            expires_at: pending.expires_at,
            signed_in_as,
        },
    }))
}

fn already_member() -> ApiError {
    ApiError::Conflict {
        code: "already_member",
        message: "You are already a member of this organization.".into(),
    }
}

fn already_subuser() -> ApiError {
    ApiError::Conflict {
        code: "already_subuser",
        message: "You are already a subuser of this server.".into(),
    }
}

fn email_taken() -> ApiError {
    ApiError::Conflict {
        code: "email_taken",
        message:
            "An account with this email exists. Sign in first, then open the invitation link again."
                .into(),
    }
}

/// `POST /api/join/{token}`: joins as the signed-in user (body `{}`) or as a
/// new account (body `{name, email, password}`, which also signs it in).
/// Answers 201 with what `GET /api/auth/me` shows.
pub async fn accept(
    State(platform): State<Platform>,
    Extension(meta): Extension<RequestMeta>,
    caller: Option<Extension<Caller>>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<JoinRequest>,
) -> Result<Response, ApiError> {
    let invitation = find(&platform, &token, &meta).await?;
    let empty = body.name.is_none() && body.email.is_none() && body.password.is_none();
    match caller {
        Some(Extension(caller)) if empty => {
            join_existing(&platform, &meta, &invitation, &caller).await
        }
        _ => join_new(&platform, &meta, &invitation, &body).await,
    }
}

/// Runs the accepting batch: `account` (if any), claim, membership (or the
/// server's subuser row), audit.
async fn claim(
    platform: &Platform,
    meta: &RequestMeta,
    found: &Found,
    account: Option<Statement>,
    (user_id, name): (&str, &str),
) -> Result<(), ApiError> {
    let invitation = match found {
        Found::Org(invitation) => invitation,
        Found::Server(invitation) => {
            let new_account = account.is_some();
            let mut batch: Vec<Statement> = account.into_iter().collect();
            batch.extend(subuser_invitation::accept(
                platform,
                meta,
                invitation,
                (user_id, name),
                new_account,
            )?);
            return run_claim(platform, batch).await;
        }
    };
    let now = rfc3339(platform.clock.now_ms());
    let entry = audit::Entry {
        org_id: Some(&invitation.org_id),
        action: "member.join",
        resource_type: "user",
        resource_id: user_id,
        metadata: json!({
            "invitation_id": invitation.id,
            "role": invitation.role,
            "new_account": account.is_some(),
        }),
    };
    let mut batch: Vec<Statement> = account.into_iter().collect();
    batch.push(
        Statement::new(CLAIM)
            .bind(now.as_str())
            .bind(user_id)
            .bind(invitation.id.as_str()),
    );
    batch.push(
        Statement::new(JOIN)
            .bind(invitation.id.as_str())
            .bind(user_id)
            .bind(now.as_str()),
    );
    batch.push(entry.statement(platform, Some((user_id, name)), meta)?);
    run_claim(platform, batch).await
}

async fn run_claim(platform: &Platform, batch: Vec<Statement>) -> Result<(), ApiError> {
    match platform.db.batch(batch).await {
        Ok(_) => Ok(()),
        // The claim changed nothing: someone else used the link first.
        Err(DbError::Constraint(m)) if m.contains("NOT NULL") => Err(ApiError::NotFound),
        Err(DbError::Constraint(m)) if m.contains("users.email") => Err(email_taken()),
        Err(DbError::Constraint(m)) if m.contains("memberships") => Err(already_member()),
        Err(DbError::Constraint(m)) if m.contains("subusers") => Err(already_subuser()),
        Err(e) => Err(e.into()),
    }
}

async fn join_existing(
    platform: &Platform,
    meta: &RequestMeta,
    invitation: &Found,
    caller: &Caller,
) -> Result<Response, ApiError> {
    if caller.credential != Credential::Session {
        return Err(ApiError::Forbidden {
            code: "session_required",
            message: "Join from the panel, signed in with your password, not with an API key."
                .into(),
        });
    }
    if matches!(invitation, Found::Org(_)) {
        let member: Option<serde_json::Value> = platform
            .db
            .first(
                Statement::new("SELECT role FROM memberships WHERE org_id = ?1 AND user_id = ?2")
                    .bind(invitation.org_id())
                    .bind(caller.user_id.as_str()),
            )
            .await?;
        if member.is_some() {
            return Err(already_member());
        }
    }
    claim(
        platform,
        meta,
        invitation,
        None,
        (&caller.user_id, &caller.name),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(load_me(platform, &caller.user_id).await?),
    )
        .into_response())
}

async fn join_new(
    platform: &Platform,
    meta: &RequestMeta,
    invitation: &Found,
    body: &JoinRequest,
) -> Result<Response, ApiError> {
    let mut problems = Problems::new();
    fn required(value: &Option<String>) -> Result<&str, String> {
        value.as_deref().ok_or_else(|| "is required".to_owned())
    }
    problems.check("name", required(&body.name).and_then(validate::name));
    problems.check(
        "email",
        required(&body.email).and_then(|e| validate::email(e.trim())),
    );
    problems.check(
        "password",
        required(&body.password).and_then(validate::password),
    );
    problems.finish()?;
    let (Some(name), Some(email), Some(password)) = (&body.name, &body.email, &body.password)
    else {
        return Err(ApiError::Internal("fields checked above".into()));
    };
    let (name, email) = (name.trim(), email.trim());
    let existing: Option<serde_json::Value> = platform
        .db
        .first(Statement::new("SELECT id FROM users WHERE email = ?1").bind(email))
        .await?;
    if existing.is_some() {
        return Err(email_taken());
    }

    let user_id = crypto::uuid()?;
    let now = rfc3339(platform.clock.now_ms());
    let account = Statement::new(
        "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )
    .bind(user_id.as_str())
    .bind(email)
    .bind(name)
    .bind(crypto::hash_password(password)?)
    .bind(now.as_str());
    claim(platform, meta, invitation, Some(account), (&user_id, name)).await?;

    let (secret, _) = session::create(platform, &user_id, meta).await?;
    let me = load_me(platform, &user_id).await?;
    let mut response = (StatusCode::CREATED, Json(me)).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(&secret, meta.secure)?,
    );
    Ok(response)
}
