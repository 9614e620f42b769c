//! Organizations and their members. The owner cannot be removed or demoted
//! by others; roles are changed by admins.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    auth::Role,
    context::{Caller, OrgContext, RequestMeta},
    crypto,
    error::ApiError,
    extract::ApiJson,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, DbError, Statement},
    },
    record::{audit, events},
    validate::{self, Problems},
};

/// An organization, as the caller sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Organization {
    /// Organization id.
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// The caller's role.
    pub role: Role,
}

impl From<OrgContext> for Organization {
    fn from(org: OrgContext) -> Self {
        Organization {
            id: org.id,
            slug: org.slug,
            name: org.name,
            role: org.role,
        }
    }
}

/// A slug for a new organization (random suffix added on collision). Never
/// shaped like an id: `/api/orgs/{org}` reads such a value as an id, and a
/// slug equal to another organization's id would otherwise stand in for it.
pub fn slug_for(name: &str) -> String {
    let slug = validate::slugify(name);
    if slug.is_empty() {
        "org".to_owned()
    } else if validate::as_id(&slug).is_some() {
        format!("org-{slug}")
    } else {
        slug
    }
}

/// Statements creating an organization with `user_id` as its first member.
pub fn create_statements(
    org_id: &str,
    slug: &str,
    name: &str,
    user_id: &str,
    role: Role,
    now: &str,
) -> Vec<Statement> {
    vec![
        Statement::new(
            "INSERT INTO organizations (id, slug, name, created_at) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(org_id)
        .bind(slug)
        .bind(name)
        .bind(now),
        Statement::new(
            "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(now),
    ]
}

/// `POST /api/orgs` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    /// Display name.
    pub name: String,
}

/// `POST /api/orgs`: a new organization owned by the caller.
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<NewOrg>,
) -> Result<(StatusCode, Json<Organization>), ApiError> {
    let mut problems = Problems::new();
    problems.check("name", validate::name(&body.name));
    problems.finish()?;
    let name = body.name.trim();
    let id = crypto::uuid()?;
    let now = rfc3339(platform.clock.now_ms());
    let base = slug_for(name);
    for attempt in 0..3 {
        let slug = if attempt == 0 {
            base.clone()
        } else {
            format!("{base}-{}", &crypto::uuid()?[..6])
        };
        let mut batch = create_statements(&id, &slug, name, &caller.user_id, Role::Owner, &now);
        let entry = audit::Entry {
            org_id: Some(&id),
            action: "organization.create",
            resource_type: "organization",
            resource_id: &id,
            metadata: json!({ "name": name, "slug": slug }),
        };
        batch.push(entry.by(&platform, &caller, &meta)?);
        match platform.db.batch(batch).await {
            Ok(_) => {
                let org = Organization {
                    id,
                    slug,
                    name: name.to_owned(),
                    role: Role::Owner,
                };
                return Ok((StatusCode::CREATED, Json(org)));
            }
            Err(DbError::Constraint(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Conflict {
        code: "slug_taken",
        message: "Could not find a free URL for this name.".into(),
    })
}

/// `GET /api/orgs/{org}`.
pub async fn show(Extension(org): Extension<OrgContext>) -> Json<Organization> {
    Json(org.into())
}

/// `PATCH /api/orgs/{org}` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct OrgUpdate {
    /// New display name (the slug stays, so links keep working).
    pub name: String,
}

/// `PATCH /api/orgs/{org}`: renames the organization.
pub async fn update(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    ApiJson(body): ApiJson<OrgUpdate>,
) -> Result<Json<Organization>, ApiError> {
    let mut problems = Problems::new();
    problems.check("name", validate::name(&body.name));
    problems.finish()?;
    let name = body.name.trim().to_owned();
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "organization.update",
        resource_type: "organization",
        resource_id: &org.id,
        metadata: json!({ "from": org.name, "to": name }),
    };
    platform
        .db
        .batch(vec![
            Statement::new("UPDATE organizations SET name = ?1 WHERE id = ?2")
                .bind(name.as_str())
                .bind(org.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok(Json(Organization { name, ..org.into() }))
}

/// A member, as listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Member {
    /// User id.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Role here.
    pub role: Role,
    /// Whether two-factor sign-in is on.
    pub totp_enabled: bool,
    /// When they joined (RFC 3339).
    pub joined_at: String,
}

/// `GET /api/orgs/{org}/members`: every member, owner and admins first.
pub async fn members(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
) -> Result<Json<Vec<Member>>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        user_id: String,
        name: String,
        email: String,
        role: Role,
        totp_enabled: i64,
        joined_at: String,
    }
    let rows: Vec<Row> = platform
        .db
        .all(
            Statement::new(
                "SELECT u.id AS user_id, u.name, u.email, m.role, u.totp_enabled_at IS NOT NULL AS totp_enabled, \
                 m.created_at AS joined_at FROM memberships m JOIN users u ON u.id = m.user_id \
                 WHERE m.org_id = ?1 \
                 ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'operator' THEN 2 ELSE 3 END, u.name",
            )
            .bind(org.id.as_str()),
        )
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| Member {
                user_id: r.user_id,
                name: r.name,
                email: r.email,
                role: r.role,
                totp_enabled: r.totp_enabled != 0,
                joined_at: r.joined_at,
            })
            .collect(),
    ))
}

async fn member_role(platform: &Platform, org_id: &str, user_id: &str) -> Result<Role, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        role: Role,
    }
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new("SELECT role FROM memberships WHERE org_id = ?1 AND user_id = ?2")
                .bind(org_id)
                .bind(user_id),
        )
        .await?;
    row.map(|r| r.role).ok_or(ApiError::NotFound)
}

fn owner_protected() -> ApiError {
    ApiError::Forbidden {
        code: "owner_protected",
        message: "The owner cannot be removed or demoted.".into(),
    }
}

/// `PATCH /api/orgs/{org}/members/{user}` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// The new role: admin, operator or viewer.
    pub role: Role,
}

/// `PATCH /api/orgs/{org}/members/{user}`: changes a member's role.
pub async fn change_role(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, user_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<RoleChange>,
) -> Result<Json<Member>, ApiError> {
    if body.role == Role::Owner {
        return Err(ApiError::field("role", "must be admin, operator or viewer"));
    }
    let current = member_role(&platform, &org.id, &user_id).await?;
    if current == Role::Owner {
        return Err(owner_protected());
    }
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "member.role_change",
        resource_type: "user",
        resource_id: &user_id,
        metadata: json!({ "from": current, "to": body.role }),
    };
    platform
        .db
        .batch(vec![
            Statement::new("UPDATE memberships SET role = ?1 WHERE org_id = ?2 AND user_id = ?3")
                .bind(body.role.as_str())
                .bind(org.id.as_str())
                .bind(user_id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    // Their open streams were filtered for the old role.
    events::disconnect(&platform, &org.id, &user_id).await;
    let Json(all) = members(State(platform), Extension(org)).await?;
    all.into_iter()
        .find(|m| m.user_id == user_id)
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// `DELETE /api/orgs/{org}/members/{user}`: removes a member.
pub async fn remove_member(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let current = member_role(&platform, &org.id, &user_id).await?;
    if current == Role::Owner {
        return Err(owner_protected());
    }
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "member.remove",
        resource_type: "user",
        resource_id: &user_id,
        metadata: json!({ "role": current }),
    };
    platform
        .db
        .batch(vec![
            Statement::new("DELETE FROM memberships WHERE org_id = ?1 AND user_id = ?2")
                .bind(org.id.as_str())
                .bind(user_id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    events::disconnect(&platform, &org.id, &user_id).await;
    Ok(StatusCode::NO_CONTENT)
}
