//! First run: while no user exists, `POST /api/setup` creates the owner,
//! their first organization and a session. Afterwards it answers 409, even
//! to concurrent calls: the `instance` row's primary key lets one batch win.

use axum::{
    Extension, Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    Role,
    account::{Me, load_me},
    session,
};
use crate::{
    context::RequestMeta,
    crypto,
    error::ApiError,
    extract::ApiJson,
    orgs::org,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, DbError, Statement},
    },
    record::audit,
    validate::{self, Problems},
};

/// Whether first-run setup is still needed.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Status {
    /// True until the owner exists.
    pub needed: bool,
}

/// `POST /api/setup` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// The owner's name.
    pub name: String,
    /// The owner's email.
    pub email: String,
    /// The owner's password.
    pub password: String,
    /// The first organization's name.
    pub organization: String,
}

async fn needed(platform: &Platform) -> Result<bool, ApiError> {
    let row: Option<serde_json::Value> = platform
        .db
        .first(Statement::new("SELECT id FROM instance"))
        .await?;
    Ok(row.is_none())
}

/// `GET /api/setup`.
pub async fn status(State(platform): State<Platform>) -> Result<Json<Status>, ApiError> {
    Ok(Json(Status {
        needed: needed(&platform).await?,
    }))
}

fn already() -> ApiError {
    ApiError::Conflict {
        code: "already_set_up",
        message: "Flamingo is already set up. Sign in instead.".into(),
    }
}

/// `POST /api/setup`: creates the owner, the organization and a session.
pub async fn run(
    State(platform): State<Platform>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<SetupRequest>,
) -> Result<Response, ApiError> {
    if !needed(&platform).await? {
        return Err(already());
    }
    let mut problems = Problems::new();
    problems.check("name", validate::name(&body.name));
    problems.check("email", validate::email(body.email.trim()));
    problems.check("password", validate::password(&body.password));
    problems.check("organization", validate::name(&body.organization));
    problems.finish()?;

    let now = rfc3339(platform.clock.now_ms());
    let user_id = crypto::uuid()?;
    let org_id = crypto::uuid()?;
    let name = body.name.trim();
    let org_name = body.organization.trim();
    let slug = org::slug_for(org_name);
    let password_hash = crypto::hash_password(&body.password)?;

    let mut batch = vec![
        Statement::new("INSERT INTO instance (id, setup_at) VALUES (1, ?1)").bind(now.as_str()),
        Statement::new(
            "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )
        .bind(user_id.as_str())
        .bind(body.email.trim())
        .bind(name)
        .bind(password_hash)
        .bind(now.as_str()),
    ];
    batch.extend(org::create_statements(
        &org_id,
        &slug,
        org_name,
        &user_id,
        Role::Owner,
        &now,
    ));
    let entry = audit::Entry {
        org_id: Some(&org_id),
        action: "instance.setup",
        resource_type: "organization",
        resource_id: &org_id,
        metadata: json!({ "email": body.email.trim(), "organization": org_name }),
    };
    batch.push(entry.statement(&platform, Some((&user_id, name)), &meta)?);
    match platform.db.batch(batch).await {
        Ok(_) => {}
        Err(DbError::Constraint(_)) => return Err(already()),
        Err(e) => return Err(e.into()),
    }

    let (secret, _) = session::create(&platform, &user_id, &meta).await?;
    let me: Me = load_me(&platform, &user_id).await?;
    let mut response = (StatusCode::CREATED, Json(me)).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(&secret, meta.secure)?,
    );
    Ok(response)
}
