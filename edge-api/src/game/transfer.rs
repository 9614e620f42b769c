//! Server transfers (issue 13), Pelican's admin "transfer server": an
//! organization's admins move a game server to another of its nodes with
//! new allocations there.
//!
//! `POST …/servers/{server}/transfer` checks the body field by field (the
//! node: of this organization, not the server's own, not in maintenance; the
//! allocations: of that node and free) and the server (installed, not
//! restoring, not transferring), then writes the transfer row and assigns the
//! new allocations to the server in one batch that commits only if every
//! allocation is still free and no other transfer started meanwhile. Then the
//! source node is asked to push the server to the destination
//! ([`crate::game::wings::transfer`]) with a `transfer` JWT signed with the
//! destination's token. The server keeps its node and old allocations until
//! the destination reports success (`game::remote::transfers`). If the source
//! refuses, the transfer fails at once and the new allocations are freed.
//!
//! `DELETE …/transfer` cancels: the source is told to stop, then the
//! transfer is settled `cancelled` (with `?force=true` even when the source
//! cannot be reached).
//! `GET …/transfer` shows the transfer under way, else the latest.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    node::{self, NodeAccess},
    server::{self, ServerRecord},
    transfer_store::{self, Outcome, Transfer},
    wings::{Wings, jwt::Signer, transfer::START_TIMEOUT},
};
use crate::{
    auth::{Access, Action, Resource, ServerNeed},
    context::{Caller, OrgContext, RequestMeta, ServerContext},
    crypto,
    error::ApiError,
    extract::{ApiJson, ApiQuery},
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, Statement},
    },
    record::audit,
    route::Route,
    validate::{self, Problems},
};

/// The transfer routes: moving a server between nodes is managing nodes
/// (admins and owners); anyone with a standing on the server may look.
pub fn routes() -> Vec<Route> {
    use Access::{Org, Server};
    const AT: &str = "/api/orgs/{org}/servers/{server}/transfer";
    vec![
        Route::get(AT, Server(ServerNeed::Look), show),
        Route::post(AT, Org(Resource::Nodes, Action::Write), start),
        Route::delete(AT, Org(Resource::Nodes, Action::Write), cancel),
    ]
}

/// `POST …/transfer` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewTransfer {
    /// The destination, another node of the organization.
    pub node_id: String,
    /// The default allocation there (a free one), or use `auto_allocation`.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub allocation_id: Option<String>,
    /// Pick a free allocation of the destination.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub auto_allocation: Option<bool>,
    /// More free allocations of the destination.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub additional_allocation_ids: Option<Vec<String>>,
}

/// `GET …/transfer` answer.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct TransferStatus {
    /// The transfer under way, else the latest; null if there never was one.
    pub transfer: Option<Transfer>,
}

/// `DELETE …/transfer` query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelQuery {
    /// Settle it even when the source node cannot be told.
    pub force: Option<bool>,
}

async fn server_of(
    platform: &Platform,
    org: &OrgContext,
    server: &str,
) -> Result<ServerRecord, ApiError> {
    server::record(platform, server)
        .await?
        .filter(|s| s.org_id == org.id)
        .ok_or(ApiError::NotFound)
}

/// `GET …/transfer`.
pub async fn show(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
) -> Result<Json<TransferStatus>, ApiError> {
    let server = server::current(&platform, &ctx).await?;
    let row = transfer_store::latest(&platform, &server.id).await?;
    Ok(Json(TransferStatus {
        transfer: row.map(|r| r.to_transfer()),
    }))
}

/// The destination named by `node_id`, if it is a node of `org_id`.
async fn destination(
    platform: &Platform,
    org_id: &str,
    node_id: &str,
) -> Result<Option<NodeAccess>, ApiError> {
    let Some(id) = validate::as_id(node_id) else {
        return Ok(None);
    };
    match node::access(platform, org_id, &id).await {
        Ok(node) => Ok(Some(node)),
        Err(ApiError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The allocations asked for, default first, checked into `problems`;
/// whether the default is an automatic pick.
async fn wanted_allocations(
    platform: &Platform,
    target: Option<&NodeAccess>,
    body: &NewTransfer,
    problems: &mut Problems,
) -> Result<(Vec<String>, bool), ApiError> {
    // (field, id), default first.
    let mut wanted: Vec<(String, String)> = Vec::new();
    let auto_asked = body.auto_allocation.unwrap_or(false);
    let auto = body.allocation_id.is_none() && auto_asked;
    match (&body.allocation_id, auto_asked) {
        (Some(id), false) => match validate::as_id(id) {
            Some(id) => wanted.push(("allocation_id".into(), id)),
            None => problems.add("allocation_id", "is not an allocation of the destination"),
        },
        (None, true) => {
            if let Some(node) = target {
                match super::allocation::first_free(platform, &node.id, &[]).await? {
                    Some(id) => wanted.push(("allocation_id".into(), id)),
                    None => {
                        problems.add("auto_allocation", "the destination has no free allocation")
                    }
                }
            }
        }
        (Some(_), true) => problems.add(
            "allocation_id",
            "give either allocation_id or auto_allocation",
        ),
        (None, false) => problems.add("allocation_id", "is required (or set auto_allocation)"),
    }
    for (i, extra) in body.additional_allocation_ids.iter().flatten().enumerate() {
        let field = format!("additional_allocation_ids.{i}");
        match validate::as_id(extra) {
            Some(id) if !wanted.iter().any(|(_, w)| *w == id) => wanted.push((field, id)),
            _ => problems.add(&field, "is not another allocation of the destination"),
        }
    }
    if let Some(node) = target.filter(|_| !wanted.is_empty()) {
        #[derive(Deserialize)]
        struct Found {
            id: String,
            server_id: Option<String>,
        }
        let ids: Vec<&str> = wanted.iter().map(|(_, id)| id.as_str()).collect();
        let list = serde_json::to_string(&ids).map_err(|e| ApiError::Internal(e.to_string()))?;
        let found: Vec<Found> = platform
            .db
            .all(
                Statement::new(
                    "SELECT id, server_id FROM allocations WHERE node_id = ?1 \
                     AND id IN (SELECT value FROM json_each(?2))",
                )
                .bind(node.id.as_str())
                .bind(list),
            )
            .await?;
        for (i, (field, id)) in wanted.iter().enumerate() {
            match found.iter().find(|f| &f.id == id) {
                None => problems.add(field, "is not an allocation of the destination"),
                // An automatic pick taken since is picked again when writing.
                Some(f) if f.server_id.is_some() && !(auto && i == 0) => {
                    problems.add(field, "is already taken by another server")
                }
                Some(_) => {}
            }
        }
    }
    Ok((wanted.into_iter().map(|(_, id)| id).collect(), auto))
}

/// Refuses a server that cannot move now.
fn check_state(server: &ServerRecord, pending: bool) -> Result<(), ApiError> {
    if pending {
        return Err(ApiError::Conflict {
            code: "transfer_in_progress",
            message: "This server is being transferred already.".into(),
        });
    }
    match server.status.as_deref() {
        Some("installing") | Some("install_failed") => Err(ApiError::Conflict {
            code: "server_not_installed",
            message: "Only an installed server can be transferred.".into(),
        }),
        Some("restoring_backup") => Err(ApiError::Conflict {
            code: "server_busy",
            message: "The server is restoring a backup; try again once it is done.".into(),
        }),
        _ => Ok(()),
    }
}

/// The completed backups on the server's node's disk, sent along.
async fn local_backups(
    platform: &Platform,
    server: &ServerRecord,
) -> Result<Vec<String>, ApiError> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let rows: Vec<Id> = platform
        .db
        .all(
            Statement::new(
                "SELECT id FROM backups WHERE server_id = ?1 AND node_id = ?2 AND adapter = 'wings' \
                 AND status = 'completed' AND is_successful = 1 ORDER BY created_at, id",
            )
            .bind(server.id.as_str())
            .bind(server.node_id.as_str()),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// `POST …/transfer`: `202` with the pending transfer.
pub async fn start(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, server)): Path<(String, String)>,
    ApiJson(body): ApiJson<NewTransfer>,
) -> Result<(StatusCode, Json<Transfer>), ApiError> {
    let server = server_of(&platform, &org, &server).await?;
    let mut problems = Problems::new();
    let target = destination(&platform, &org.id, &body.node_id).await?;
    let usable = match &target {
        None => {
            problems.add("node_id", "is not a node of this organization");
            None
        }
        Some(n) if n.id == server.node_id => {
            problems.add("node_id", "is the node the server is on already");
            None
        }
        Some(n) if n.maintenance != 0 => {
            problems.add("node_id", "is in maintenance mode");
            None
        }
        Some(n) => Some(n),
    };
    let (mut wanted, auto) = wanted_allocations(&platform, usable, &body, &mut problems).await?;
    problems.finish()?;
    let (Some(target), false) = (usable, wanted.is_empty()) else {
        return Err(ApiError::field("allocation_id", "is required"));
    };
    let pending = transfer_store::pending(&platform, &server.id).await?;
    check_state(&server, pending.is_some())?;

    // Everything that can fail before the row is written.
    let source = server::node_of(&platform, &server).await?;
    let source_target = source.target(&platform)?;
    let origin = crate::game::node_config::panel_origin(&platform, &meta)?;
    let token = Signer::new(
        &target.token(&platform)?,
        &origin,
        &target.base_url(),
        platform.clock.now_ms(),
    )
    .transfer(&server.id)?;
    let url = format!("{}/api/transfers", target.base_url());
    let backups = local_backups(&platform, &server).await?;
    let backups_json =
        serde_json::to_string(&backups).map_err(|e| ApiError::Internal(e.to_string()))?;

    let id = crypto::uuid()?;
    let now = rfc3339(platform.clock.now_ms());
    let mut attempts = 0;
    loop {
        let wanted_json =
            serde_json::to_string(&wanted).map_err(|e| ApiError::Internal(e.to_string()))?;
        let additional =
            serde_json::to_string(&wanted[1..]).map_err(|e| ApiError::Internal(e.to_string()))?;
        // The row only if the server is still on its node and movable, no
        // other transfer started and every allocation is still free; the
        // allocations and entries only if the row was written.
        let insert = Statement::new(
            "INSERT INTO server_transfers (id, server_id, old_node_id, new_node_id, old_allocation_id, \
             new_allocation_id, new_additional, backups, status, created_by, created_at) \
             SELECT ?1, s.id, s.node_id, ?3, s.allocation_id, ?4, ?5, ?6, 'pending', ?7, ?8 FROM servers s \
             WHERE s.id = ?2 AND s.node_id = ?9 \
             AND (s.status IS NULL OR s.status NOT IN ('installing', 'install_failed', 'restoring_backup')) \
             AND NOT EXISTS (SELECT 1 FROM server_transfers t WHERE t.server_id = s.id AND t.status = 'pending') \
             AND EXISTS (SELECT 1 FROM nodes n WHERE n.id = ?3 AND n.org_id = s.org_id AND n.maintenance = 0) \
             AND (SELECT COUNT(*) FROM allocations WHERE node_id = ?3 AND server_id IS NULL \
                  AND id IN (SELECT value FROM json_each(?10))) = ?11",
        )
        .bind(id.as_str())
        .bind(server.id.as_str())
        .bind(target.id.as_str())
        .bind(wanted[0].as_str())
        .bind(additional.as_str())
        .bind(backups_json.as_str())
        .bind(caller.user_id.as_str())
        .bind(now.as_str())
        .bind(server.node_id.as_str())
        .bind(wanted_json.as_str())
        .bind(wanted.len() as i64);
        let exists = "EXISTS (SELECT 1 FROM server_transfers WHERE id = ?1)";
        let assign = Statement::new(format!(
            "UPDATE allocations SET server_id = ?2 WHERE node_id = ?3 AND server_id IS NULL \
             AND id IN (SELECT value FROM json_each(?4)) AND {exists}"
        ))
        .bind(id.as_str())
        .bind(server.id.as_str())
        .bind(target.id.as_str())
        .bind(wanted_json.as_str());
        let facts = json!({
            "transfer_id": id,
            "old_node_id": server.node_id,
            "new_node_id": target.id,
            "allocation_id": wanted[0],
            "additional_allocation_ids": &wanted[1..],
        });
        let activity = Statement::new(format!(
            "INSERT INTO server_activity (id, server_id, user_id, event, metadata, ip, source, created_at) \
             SELECT ?2, ?3, ?4, 'server:transfer.start', ?5, ?6, 'flamingo', ?7 WHERE {exists}"
        ))
        .bind(id.as_str())
        .bind(crypto::uuid()?)
        .bind(server.id.as_str())
        .bind(caller.user_id.as_str())
        .bind(facts.to_string())
        .bind(meta.ip.clone())
        .bind(now.as_str());
        let entry = audit::Entry {
            org_id: Some(&org.id),
            action: "server.transfer",
            resource_type: "server",
            resource_id: &server.id,
            metadata: facts.clone(),
        };
        let audit_row = entry
            .statement_if(
                "EXISTS (SELECT 1 FROM server_transfers WHERE id = ?11)",
                &platform,
                Some((&caller.user_id, &caller.name)),
                &meta,
            )?
            .bind(id.as_str());
        let outcomes = platform
            .db
            .batch(vec![insert, assign, activity, audit_row])
            .await?;
        if outcomes.first().is_some_and(|o| o.changes == 1) {
            break;
        }
        // Something changed between the checks and the write: say what.
        let now_server = server::record(&platform, &server.id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let pending = transfer_store::pending(&platform, &server.id).await?;
        check_state(&now_server, pending.is_some())?;
        if now_server.node_id != server.node_id {
            return Err(ApiError::Conflict {
                code: "server_moved",
                message: "The server moved to another node meanwhile; check and try again.".into(),
            });
        }
        super::allocation::next_after_taken(
            &platform,
            &target.id,
            auto,
            &mut attempts,
            &mut wanted,
        )
        .await?;
    }

    // Committed: whatever either node reports from here on finds the row.
    let started = Wings::new(platform.http.as_ref(), &source_target)
        .with_timeout(START_TIMEOUT)
        .start_transfer(&server.id, &url, &token, &backups)
        .await;
    if let Err(e) = started {
        let error: ApiError = e.into();
        if let Some(row) = transfer_store::by_id(&platform, &id).await? {
            let message = error.to_string();
            transfer_store::settle(
                &platform,
                &org.id,
                &row,
                Outcome::Failed,
                Some(&message),
                None,
                &meta,
            )
            .await?;
        }
        return Err(error);
    }
    // A quick destination may have reported already: the row as it is now.
    let row = transfer_store::by_id(&platform, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::ACCEPTED, Json(row.to_transfer())))
}

/// `DELETE …/transfer[?force=true]`: the transfer as it ends, `cancelled`
/// (or as a report settled it meanwhile).
pub async fn cancel(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, server)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<CancelQuery>,
) -> Result<Json<Transfer>, ApiError> {
    let server = server_of(&platform, &org, &server).await?;
    let Some(row) = transfer_store::pending(&platform, &server.id).await? else {
        return Err(ApiError::Conflict {
            code: "not_transferring",
            message: "This server is not being transferred.".into(),
        });
    };
    let force = query.force.unwrap_or(false);
    let source = node::access(&platform, &org.id, &row.old_node_id).await?;
    let told = Wings::new(platform.http.as_ref(), &source.target(&platform)?)
        .cancel_outgoing_transfer(&server.id)
        .await;
    match told {
        Ok(()) => {}
        // Wings has no push of it under way (restarted, or finished): nothing to stop.
        Err(e) if e.status() == Some(409) || e.status() == Some(404) => {}
        // The source is gone. (Wings' `DELETE /api/transfers/{server}` on the
        // destination panics for want of its ServerExists middleware, so it is
        // not called: a destination whose stream broke drops what it received.)
        Err(_) if force => {}
        Err(e) => return Err(e.into()),
    }
    transfer_store::settle(
        &platform,
        &org.id,
        &row,
        Outcome::Cancelled,
        None,
        Some((&caller.user_id, &caller.name)),
        &meta,
    )
    .await?;
    let row = transfer_store::by_id(&platform, &row.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(row.to_transfer()))
}
