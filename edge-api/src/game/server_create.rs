//! Creating a game server: the body checked field by field (limits,
//! variables against the egg, the node, the owner, free allocations of the
//! node), the row and its allocations written in one batch only if every
//! allocation is still free, then Wings asked to create it (it calls back
//! `GET /api/remote/servers/{uuid}` before it answers). If Wings refuses or
//! cannot be reached, the row is deleted again and the answer says why.

use std::collections::BTreeMap;

use axum::{Extension, Json, extract::State, http::StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::{
    egg::{self, EggDefinition},
    node,
    server::{Limits, ServerDetail, allocations_of, record},
    wings::Wings,
};
use crate::{
    context::{Caller, OrgContext, RequestMeta},
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

/// `POST /api/orgs/{org}/servers` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewServer {
    /// Display name.
    pub name: String,
    /// Free text.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub description: Option<String>,
    /// The owner, a member of the organization (default: the caller).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub owner_id: Option<String>,
    /// The node.
    pub node_id: String,
    /// The egg.
    pub egg_id: String,
    /// The default allocation (a free one of the node), or use `auto_allocation`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub allocation_id: Option<String>,
    /// Pick a free allocation of the node.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub auto_allocation: Option<bool>,
    /// More allocations of the node.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub additional_allocation_ids: Option<Vec<String>>,
    /// Limits.
    pub limits: Limits,
    /// Default: the egg's first image.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub docker_image: Option<String>,
    /// Default: the egg's first startup command.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub startup: Option<String>,
    /// Variable values; missing ones take the egg's defaults.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// Start once installed (default true).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub start_on_completion: Option<bool>,
}

/// Checks limits into `problems` under `prefix` (`limits.`).
pub fn check_limits(limits: &Limits, prefix: &str, problems: &mut Problems) {
    let field = |name: &str| format!("{prefix}{name}");
    let range = |v: i64, lo: i64, hi: i64, what: &str| {
        if (lo..=hi).contains(&v) {
            Ok(())
        } else {
            Err(format!("must be {what}"))
        }
    };
    const MAX_MIB: i64 = 16 * 1024 * 1024;
    problems.check(
        &field("memory"),
        range(limits.memory, 0, MAX_MIB, "0 (unlimited) or more MiB"),
    );
    problems.check(
        &field("swap"),
        range(limits.swap, -1, MAX_MIB, "-1 (unlimited), 0 or more MiB"),
    );
    problems.check(
        &field("disk"),
        range(limits.disk, 0, MAX_MIB, "0 (unlimited) or more MiB"),
    );
    problems.check(
        &field("io"),
        range(limits.io, 10, 1000, "between 10 and 1000"),
    );
    problems.check(
        &field("cpu"),
        range(
            limits.cpu,
            0,
            100_000,
            "0 (unlimited) or a percentage of one core",
        ),
    );
    if let Some(n) = limits.backup_limit {
        problems.check(
            &field("backup_limit"),
            range(n, 0, 1000, "between 0 and 1000"),
        );
    }
    if let Some(threads) = &limits.threads {
        let ok = !threads.is_empty()
            && threads.len() <= 64
            && threads.split(',').all(|part| {
                let mut ends = part.splitn(2, '-');
                ends.all(|n| !n.is_empty() && n.len() <= 4 && n.chars().all(|c| c.is_ascii_digit()))
            });
        if !ok {
            problems.add(&field("threads"), "must be a cpuset like 0-3 or 0,2");
        }
    }
}

/// Checks variable values against the egg with the eggs area's
/// [`egg::environment::environment`] (unknown names, variables a subuser may
/// not change, rules, Laravel's way) and adds its field errors to
/// `problems`. Returns the full environment (defaults filled in).
/// `editable_only`: subusers may set only `user_editable` variables.
pub fn check_environment(
    egg: &EggDefinition,
    given: &BTreeMap<String, String>,
    base: &BTreeMap<String, String>,
    editable_only: bool,
    problems: &mut Problems,
) -> BTreeMap<String, String> {
    let editor = if editable_only {
        egg::environment::Editor::ServerUser
    } else {
        egg::environment::Editor::Manager
    };
    match egg::environment::environment(egg, base, given, editor) {
        Ok(environment) => environment,
        Err(ApiError::Invalid { fields }) => {
            for (field, problem) in fields {
                problems.add(&field, problem);
            }
            BTreeMap::new()
        }
        Err(other) => {
            problems.add("environment", other.to_string());
            BTreeMap::new()
        }
    }
}

fn text_max(value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else {
        Ok(())
    }
}

/// `POST /api/orgs/{org}/servers`.
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    ApiJson(body): ApiJson<NewServer>,
) -> Result<(StatusCode, Json<ServerDetail>), ApiError> {
    let mut problems = Problems::new();
    problems.check("name", validate::name(&body.name));
    if let Some(d) = &body.description {
        problems.check("description", text_max(d, 1000));
    }
    check_limits(&body.limits, "limits.", &mut problems);
    let node = match validate::as_id(&body.node_id) {
        Some(id) => node::access(&platform, &org.id, &id).await.ok(),
        None => None,
    };
    match &node {
        None => problems.add("node_id", "is not a node of this organization"),
        Some(n) if n.maintenance != 0 => problems.add("node_id", "is in maintenance mode"),
        Some(_) => {}
    }
    let egg = match validate::as_id(&body.egg_id) {
        Some(id) => egg::load(platform.db.as_ref(), &org.id, &id).await?,
        None => None,
    };
    if egg.is_none() {
        problems.add("egg_id", "is not an egg of this organization");
    }
    let owner_id = body
        .owner_id
        .clone()
        .unwrap_or_else(|| caller.user_id.clone());
    #[derive(Deserialize)]
    struct Member {}
    let owner: Option<Member> = platform
        .db
        .first(
            Statement::new(
                "SELECT 1 AS member FROM memberships WHERE org_id = ?1 AND user_id = ?2",
            )
            .bind(org.id.as_str())
            .bind(owner_id.as_str()),
        )
        .await?;
    if owner.is_none() {
        problems.add("owner_id", "is not a member of this organization");
    }
    let (Some(node), Some(egg)) = (node, egg) else {
        return Err(problems.finish().err().unwrap_or(ApiError::NotFound));
    };
    let definition = egg.definition.clone();
    let image = body
        .docker_image
        .clone()
        .or_else(|| definition.default_image().map(str::to_owned))
        .unwrap_or_default();
    if image.trim().is_empty() || image.len() > 255 {
        problems.add(
            "docker_image",
            "must name a docker image (the egg offers none)",
        );
    }
    let startup = body
        .startup
        .clone()
        .or_else(|| definition.default_startup().map(str::to_owned))
        .unwrap_or_default();
    if startup.trim().is_empty() || startup.len() > 4096 {
        problems.add(
            "startup",
            "must be a startup command of at most 4096 characters",
        );
    }
    let environment = check_environment(
        &definition,
        &body.environment,
        &BTreeMap::new(),
        false,
        &mut problems,
    );

    // The allocations: the default first, then the additional ones.
    let mut wanted: Vec<String> = Vec::new();
    let auto = body.allocation_id.is_none() && body.auto_allocation.unwrap_or(false);
    match (&body.allocation_id, body.auto_allocation.unwrap_or(false)) {
        (Some(id), false) => match validate::as_id(id) {
            Some(id) => wanted.push(id),
            None => problems.add("allocation_id", "is not an allocation of this node"),
        },
        (None, true) => match super::allocation::first_free(&platform, &node.id, &[]).await? {
            Some(id) => wanted.push(id),
            None => problems.add("auto_allocation", "the node has no free allocation"),
        },
        (Some(_), true) => problems.add(
            "allocation_id",
            "give either allocation_id or auto_allocation",
        ),
        (None, false) => problems.add("allocation_id", "is required (or set auto_allocation)"),
    }
    for (i, extra) in body.additional_allocation_ids.iter().flatten().enumerate() {
        match validate::as_id(extra) {
            Some(id) if !wanted.contains(&id) => wanted.push(id),
            _ => problems.add(
                &format!("additional_allocation_ids.{i}"),
                "is not another allocation of this node",
            ),
        }
    }
    if !wanted.is_empty() {
        #[derive(Deserialize)]
        struct Free {
            id: String,
            server_id: Option<String>,
        }
        let list = serde_json::to_string(&wanted).map_err(|e| ApiError::Internal(e.to_string()))?;
        let found: Vec<Free> = platform
            .db
            .all(
                Statement::new(
                    "SELECT id, server_id FROM allocations WHERE node_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
                )
                .bind(node.id.as_str())
                .bind(list),
            )
            .await?;
        for (i, id) in wanted.iter().enumerate() {
            let field = if i == 0 {
                "allocation_id".to_owned()
            } else {
                format!("additional_allocation_ids.{}", i - 1)
            };
            match found.iter().find(|f| &f.id == id) {
                None => problems.add(&field, "is not an allocation of this node"),
                // An automatic pick taken since is picked again below.
                Some(f) if f.server_id.is_some() && !(auto && i == 0) => {
                    problems.add(&field, "is already taken by another server")
                }
                Some(_) => {}
            }
        }
    }
    problems.finish()?;

    let id = crypto::uuid()?;
    let short_id: String = id.chars().take(8).collect();
    let now = rfc3339(platform.clock.now_ms());
    let env_json =
        serde_json::to_string(&environment).map_err(|e| ApiError::Internal(e.to_string()))?;
    let name = body.name.trim().to_owned();
    let mut attempts = 0;
    loop {
        let wanted_json =
            serde_json::to_string(&wanted).map_err(|e| ApiError::Internal(e.to_string()))?;
        let default_allocation = wanted.first().cloned().unwrap_or_default();
        // The row is written only if every wanted allocation is still free, and
        // the allocations only if the row was: a racing request gets a 409 and
        // nothing half-made stays behind.
        let insert = Statement::new(
            "INSERT INTO servers (id, short_id, number, org_id, owner_id, node_id, egg_id, allocation_id, name, \
             description, status, skip_egg_scripts, memory, swap, disk, io, cpu, threads, oom_killer, image, startup, \
             environment, created_at, updated_at) \
             SELECT ?1, ?2, (SELECT COALESCE(MAX(number), 0) + 1 FROM servers), ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
             'installing', 0, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20 \
             WHERE (SELECT COUNT(*) FROM allocations WHERE node_id = ?5 AND server_id IS NULL \
                    AND id IN (SELECT value FROM json_each(?21))) = ?22",
        )
        .bind(id.as_str())
        .bind(short_id.as_str())
        .bind(org.id.as_str())
        .bind(owner_id.as_str())
        .bind(node.id.as_str())
        .bind(egg.id.as_str())
        .bind(default_allocation.as_str())
        .bind(name.as_str())
        .bind(body.description.as_deref().unwrap_or("").trim())
        .bind(body.limits.memory)
        .bind(body.limits.swap)
        .bind(body.limits.disk)
        .bind(body.limits.io)
        .bind(body.limits.cpu)
        .bind(body.limits.threads.clone().filter(|t| !t.is_empty()))
        .bind(body.limits.oom_killer.unwrap_or(true))
        .bind(image.trim())
        .bind(startup.as_str())
        .bind(env_json.as_str())
        .bind(now.as_str())
        .bind(wanted_json.as_str())
        .bind(wanted.len() as i64);
        let assign = Statement::new(
            "UPDATE allocations SET server_id = ?1 WHERE node_id = ?2 AND server_id IS NULL \
             AND id IN (SELECT value FROM json_each(?3)) AND EXISTS (SELECT 1 FROM servers WHERE id = ?1)",
        )
        .bind(id.as_str())
        .bind(node.id.as_str())
        .bind(wanted_json.as_str());
        let entry = audit::Entry {
            org_id: Some(&org.id),
            action: "server.create",
            resource_type: "server",
            resource_id: &id,
            metadata: json!({ "name": name, "node_id": node.id, "egg_id": egg.id }),
        };
        let audit_row = entry
            .statement_if(
                "EXISTS (SELECT 1 FROM servers WHERE id = ?11)",
                &platform,
                Some((&caller.user_id, &caller.name)),
                &meta,
            )?
            .bind(id.as_str());
        // The backups area's limit (migration 0010), when given.
        let backup_limit = Statement::new(
            "UPDATE servers SET backup_limit = COALESCE(?2, backup_limit) WHERE id = ?1",
        )
        .bind(id.as_str())
        .bind(body.limits.backup_limit);
        let outcomes = platform
            .db
            .batch(vec![insert, assign, audit_row, backup_limit])
            .await?;
        if outcomes.first().is_some_and(|o| o.changes == 1) {
            break;
        }
        // Another server took an allocation between the check and the write.
        // An automatic pick tries the next free one; a chosen one is the caller's to change.
        super::allocation::next_after_taken(&platform, &node.id, auto, &mut attempts, &mut wanted)
            .await?;
    }

    // Committed: Wings may now call back for the settings.
    let target = node.target(&platform)?;
    let outcome = Wings::new(platform.http.as_ref(), &target)
        .create_server(&id, body.start_on_completion.unwrap_or(true))
        .await;
    if let Err(failure) = outcome {
        let entry = audit::Entry {
            org_id: Some(&org.id),
            action: "server.create_failed",
            resource_type: "server",
            resource_id: &id,
            metadata: json!({ "name": name, "node_id": node.id, "reason": failure.to_string() }),
        };
        platform
            .db
            .batch(vec![
                Statement::new("UPDATE allocations SET server_id = NULL WHERE server_id = ?1")
                    .bind(id.as_str()),
                Statement::new("DELETE FROM servers WHERE id = ?1").bind(id.as_str()),
                entry.by(&platform, &caller, &meta)?,
            ])
            .await?;
        return Err(failure.into());
    }
    let server = record(&platform, &id).await?.ok_or(ApiError::NotFound)?;
    let allocations = allocations_of(&platform, &server).await?;
    Ok((
        StatusCode::CREATED,
        Json(ServerDetail {
            server: server.to_server(),
            allocations,
            permissions: Some(vec!["*".into()]).filter(|_| owner_id == caller.user_id),
        }),
    ))
}
