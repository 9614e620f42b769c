//! The egg routes under `/api/orgs/{org}/eggs`: list, create (from the
//! normalized JSON), import (an egg file of any supported format), show,
//! change, delete and export. Everyone in the organization reads; admins
//! write (`Resource::Nodes`, as nodes and allocations).
//!
//! An egg still used by servers cannot be deleted: the servers table's
//! `egg_id` references `eggs (id)` without a cascade, so the DELETE fails
//! its foreign key inside the same batch as the audit entry and the answer
//! is 409 `egg_in_use`, with no window between a check and the delete.

use axum::{
    Extension, Json,
    body::Bytes,
    extract::{DefaultBodyLimit, Path, State, rejection::BytesRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    check,
    definition::{
        DockerImage, EggConfig, EggDefinition, EggVariable, InstallScript, StartupCommand,
    },
    export, import,
    store::{self, Egg, EggSummary},
};
use crate::{
    auth::{Access, Action, Resource},
    context::{Caller, OrgContext, RequestMeta},
    crypto,
    error::ApiError,
    extract::{ApiJson, ApiQuery},
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, DbError, Statement},
    },
    record::audit,
    route::Route,
    validate,
};

/// Largest egg file or egg body accepted (public eggs are 5–25 KB; an
/// embedded icon can add a few hundred).
pub const MAX_EGG_BYTES: usize = 1024 * 1024;
/// Eggs an organization may have.
const MAX_EGGS: i64 = 1000;

/// The egg routes.
pub fn routes() -> Vec<Route> {
    let nodes = |action| Access::Org(Resource::Nodes, action);
    let large = |mut route: Route| {
        route.handler = route.handler.layer(DefaultBodyLimit::max(MAX_EGG_BYTES));
        route
    };
    vec![
        Route::get("/api/orgs/{org}/eggs", nodes(Action::Read), list),
        large(Route::post(
            "/api/orgs/{org}/eggs",
            nodes(Action::Write),
            create,
        )),
        large(Route::post(
            "/api/orgs/{org}/eggs/import",
            nodes(Action::Write),
            import_file,
        )),
        Route::get("/api/orgs/{org}/eggs/{egg}", nodes(Action::Read), show),
        large(Route::patch(
            "/api/orgs/{org}/eggs/{egg}",
            nodes(Action::Write),
            update,
        )),
        Route::delete("/api/orgs/{org}/eggs/{egg}", nodes(Action::Write), remove),
        Route::get(
            "/api/orgs/{org}/eggs/{egg}/export",
            nodes(Action::Read),
            export_file,
        ),
    ]
}

/// `PATCH /api/orgs/{org}/eggs/{egg}` body: the parts to replace, each
/// whole (the egg's `uuid` never changes).
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct EggPatch {
    /// Display name.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub name: Option<String>,
    /// Who wrote it.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub author: Option<String>,
    /// What it runs.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub description: Option<String>,
    /// Where newer versions are published; empty clears it.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub update_url: Option<String>,
    /// Tags.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub tags: Option<Vec<String>>,
    /// Panel features.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub features: Option<Vec<String>>,
    /// The images, first one the default.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub docker_images: Option<Vec<DockerImage>>,
    /// Files users may not touch.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub file_denylist: Option<Vec<String>>,
    /// The startup commands, first one the default.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub startup_commands: Option<Vec<StartupCommand>>,
    /// The config block.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub config: Option<EggConfig>,
    /// The install script.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub install: Option<InstallScript>,
    /// The variables.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub variables: Option<Vec<EggVariable>>,
}

impl EggPatch {
    /// `definition` with this patch's parts replaced.
    fn apply(self, mut d: EggDefinition) -> EggDefinition {
        if let Some(v) = self.name {
            d.name = v;
        }
        if let Some(v) = self.author {
            d.author = v;
        }
        if let Some(v) = self.description {
            d.description = v;
        }
        if let Some(v) = self.update_url {
            d.update_url = Some(v.trim().to_owned()).filter(|u| !u.is_empty());
        }
        if let Some(v) = self.tags {
            d.tags = v;
        }
        if let Some(v) = self.features {
            d.features = v;
        }
        if let Some(v) = self.docker_images {
            d.docker_images = v;
        }
        if let Some(v) = self.file_denylist {
            d.file_denylist = v;
        }
        if let Some(v) = self.startup_commands {
            d.startup_commands = v;
        }
        if let Some(v) = self.config {
            d.config = v;
        }
        if let Some(v) = self.install {
            d.install = v;
        }
        if let Some(v) = self.variables {
            d.variables = v;
        }
        d
    }
}

/// `GET /api/orgs/{org}/eggs/{egg}/export` query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `json` (the default) or `yaml`.
    pub format: Option<String>,
}

/// 409 when the organization already has an egg with this uuid.
fn egg_exists(uuid: &str) -> ApiError {
    ApiError::Conflict {
        code: "egg_exists",
        message: format!(
            "This organization already has the egg {uuid}; change that one, or delete it first."
        ),
    }
}

/// 409 when servers still use the egg.
fn egg_in_use() -> ApiError {
    ApiError::Conflict {
        code: "egg_in_use",
        message: "Servers still use this egg; delete them or move them to another egg first."
            .into(),
    }
}

/// The egg `{egg}` of the path's organization, or 404.
async fn find(platform: &Platform, org: &OrgContext, egg_id: &str) -> Result<Egg, ApiError> {
    let Some(egg_id) = validate::as_id(egg_id) else {
        return Err(ApiError::NotFound);
    };
    store::load(platform.db.as_ref(), &org.id, &egg_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Stores a new egg with its audit entry; 409 on a uuid already present.
async fn insert(
    platform: &Platform,
    caller: &Caller,
    meta: &RequestMeta,
    org: &OrgContext,
    definition: EggDefinition,
    action: &str,
    extra: Value,
) -> Result<(StatusCode, Json<Egg>), ApiError> {
    #[derive(Deserialize)]
    struct Count {
        eggs: i64,
    }
    let count: Option<Count> = platform
        .db
        .first(
            Statement::new("SELECT COUNT(*) AS eggs FROM eggs WHERE org_id = ?1")
                .bind(org.id.as_str()),
        )
        .await?;
    if count.is_some_and(|c| c.eggs >= MAX_EGGS) {
        return Err(ApiError::Conflict {
            code: "too_many_eggs",
            message: format!("An organization may have {MAX_EGGS} eggs."),
        });
    }
    let now = rfc3339(platform.clock.now_ms());
    let egg = Egg {
        id: crypto::uuid()?,
        org_id: org.id.clone(),
        definition,
        created_at: now.clone(),
        updated_at: now,
    };
    let mut metadata = json!({ "name": egg.definition.name, "uuid": egg.definition.uuid });
    if let (Value::Object(m), Value::Object(extra)) = (&mut metadata, extra) {
        m.extend(extra);
    }
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action,
        resource_type: "egg",
        resource_id: &egg.id,
        metadata,
    };
    match platform
        .db
        .batch(vec![
            store::insert(&egg)?,
            entry.by(platform, caller, meta)?,
        ])
        .await
    {
        Ok(_) => Ok((StatusCode::CREATED, Json(egg))),
        Err(DbError::Constraint(m)) if m.contains("UNIQUE") => {
            Err(egg_exists(&egg.definition.uuid))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /api/orgs/{org}/eggs`: the organization's eggs, by name.
pub async fn list(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
) -> Result<Json<Vec<EggSummary>>, ApiError> {
    Ok(Json(store::list(&platform, &org.id).await?))
}

/// `POST /api/orgs/{org}/eggs`: a new egg from its normalized JSON form
/// (an empty `uuid` gets a new one).
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    ApiJson(mut definition): ApiJson<EggDefinition>,
) -> Result<(StatusCode, Json<Egg>), ApiError> {
    if definition.uuid.trim().is_empty() {
        definition.uuid = crypto::uuid()?;
    }
    check::definition(&mut definition)?;
    insert(
        &platform,
        &caller,
        &meta,
        &org,
        definition,
        "egg.create",
        json!({}),
    )
    .await
}

/// `POST /api/orgs/{org}/eggs/import`: a new egg from an egg file
/// (`PTDL_v1` … `PLCN_v3`; JSON, or YAML by `Content-Type` or content).
pub async fn import_file(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Egg>), ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest {
                code: "bad_body",
                message: rejection.body_text(),
            }
        }
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let yaml = import::looks_like_yaml(content_type, &body);
    let definition = import::import(&body, yaml)?;
    let format = if yaml { "yaml" } else { "json" };
    insert(
        &platform,
        &caller,
        &meta,
        &org,
        definition,
        "egg.import",
        json!({ "format": format }),
    )
    .await
}

/// `GET /api/orgs/{org}/eggs/{egg}`: one egg, whole.
pub async fn show(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    Path((_, egg_id)): Path<(String, String)>,
) -> Result<Json<Egg>, ApiError> {
    Ok(Json(find(&platform, &org, &egg_id).await?))
}

/// `PATCH /api/orgs/{org}/eggs/{egg}`: replaces the parts given.
pub async fn update(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, egg_id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<EggPatch>,
) -> Result<Json<Egg>, ApiError> {
    let mut egg = find(&platform, &org, &egg_id).await?;
    let mut changed: Vec<&str> = Vec::new();
    for (part, given) in [
        ("name", patch.name.is_some()),
        ("author", patch.author.is_some()),
        ("description", patch.description.is_some()),
        ("update_url", patch.update_url.is_some()),
        ("tags", patch.tags.is_some()),
        ("features", patch.features.is_some()),
        ("docker_images", patch.docker_images.is_some()),
        ("file_denylist", patch.file_denylist.is_some()),
        ("startup_commands", patch.startup_commands.is_some()),
        ("config", patch.config.is_some()),
        ("install", patch.install.is_some()),
        ("variables", patch.variables.is_some()),
    ] {
        if given {
            changed.push(part);
        }
    }
    let mut definition = patch.apply(egg.definition);
    check::definition(&mut definition)?;
    egg.definition = definition;
    egg.updated_at = rfc3339(platform.clock.now_ms());
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "egg.update",
        resource_type: "egg",
        resource_id: &egg.id,
        metadata: json!({ "name": egg.definition.name, "uuid": egg.definition.uuid, "changed": changed }),
    };
    platform
        .db
        .batch(vec![
            store::update(&egg)?,
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok(Json(egg))
}

/// `DELETE /api/orgs/{org}/eggs/{egg}`: removes an egg no server uses
/// (409 `egg_in_use` otherwise; see the module docs).
pub async fn remove(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, egg_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let egg = find(&platform, &org, &egg_id).await?;
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "egg.delete",
        resource_type: "egg",
        resource_id: &egg.id,
        metadata: json!({ "name": egg.definition.name, "uuid": egg.definition.uuid }),
    };
    match platform
        .db
        .batch(vec![
            Statement::new("DELETE FROM eggs WHERE id = ?1 AND org_id = ?2")
                .bind(egg.id.as_str())
                .bind(org.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await
    {
        Ok(_) => Ok(StatusCode::NO_CONTENT),
        Err(DbError::Constraint(m)) if m.contains("FOREIGN KEY") => Err(egg_in_use()),
        Err(e) => Err(e.into()),
    }
}

/// The export's file name: the egg's name as a slug.
fn file_name(egg: &EggDefinition, extension: &str) -> String {
    let slug = validate::slugify(&egg.name);
    let slug = if slug.is_empty() {
        "egg".to_owned()
    } else {
        slug
    };
    format!("egg-{slug}.{extension}")
}

/// `GET /api/orgs/{org}/eggs/{egg}/export`: the egg as a `PLCN_v3` file,
/// JSON or (`?format=yaml`) YAML, as a download.
pub async fn export_file(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    Path((_, egg_id)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let yaml = match query.format.as_deref() {
        None | Some("json") => false,
        Some("yaml") => true,
        Some(_) => return Err(ApiError::field("format", "must be json or yaml")),
    };
    let egg = find(&platform, &org, &egg_id).await?;
    let text = export::export(&egg.definition, &rfc3339(platform.clock.now_ms()), yaml)?;
    let (media, extension) = if yaml {
        ("application/yaml; charset=utf-8", "yaml")
    } else {
        ("application/json; charset=utf-8", "json")
    };
    let disposition = format!(
        "attachment; filename=\"{}\"",
        file_name(&egg.definition, extension)
    );
    let disposition = HeaderValue::from_str(&disposition)
        .map_err(|e| ApiError::Internal(format!("content-disposition: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        text,
    )
        .into_response())
}
