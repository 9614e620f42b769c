//! Wings' transfer reports (contract section 3): `POST
//! /api/remote/servers/{uuid}/transfer/success` and `/failure`, body `null`.
//! Only the destination may report success (the server then moves there with
//! its new allocations, the old ones are freed and the source is told to
//! delete its copy); only the source may report failure (the server stays,
//! the new allocations are freed). Any other node gets 403.
//!
//! Wings' destination also posts `failure` when the stream it received
//! broke; the source posts it too in that case (it sees the destination's
//! non-200), so the destination's 403 loses nothing, and on a refused
//! report Wings' destination deletes the files it had extracted.
//!
//! A report repeating the settled outcome is acknowledged (204) and changes
//! nothing; one contradicting it gets 409 and changes nothing.
//!
//! [`incoming`] is the server as the destination sees it while the transfer
//! is under way: Wings' destination fetches `GET /api/remote/servers/{uuid}`
//! before it accepts the archive, and must get the new allocations.

use axum::{
    Extension,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
};

use super::{RemoteResult, auth};
use crate::{
    context::RequestMeta,
    error::ApiError,
    game::{
        node::{self, NodeAccess},
        server::{self, ServerRecord},
        transfer_store::{self, Outcome},
        wings::Wings,
    },
    platform::Platform,
};

/// `POST /api/remote/servers/{uuid}/transfer/success` (the destination).
pub async fn success(
    State(platform): State<Platform>,
    headers: HeaderMap,
    Extension(meta): Extension<RequestMeta>,
    Path(uuid): Path<String>,
) -> RemoteResult<StatusCode> {
    report(&platform, &headers, &meta, &uuid, Outcome::Completed).await
}

/// `POST /api/remote/servers/{uuid}/transfer/failure` (the source).
pub async fn failure(
    State(platform): State<Platform>,
    headers: HeaderMap,
    Extension(meta): Extension<RequestMeta>,
    Path(uuid): Path<String>,
) -> RemoteResult<StatusCode> {
    report(&platform, &headers, &meta, &uuid, Outcome::Failed).await
}

async fn report(
    platform: &Platform,
    headers: &HeaderMap,
    meta: &RequestMeta,
    uuid: &str,
    outcome: Outcome,
) -> RemoteResult<StatusCode> {
    let node = auth::node(platform, headers).await?;
    let server = server::record(platform, uuid)
        .await?
        .ok_or(ApiError::NotFound)?;
    let Some(row) = transfer_store::latest(platform, &server.id).await? else {
        return Err(if server.node_id == node.id {
            not_transferring()
        } else {
            another_node(outcome)
        }
        .into());
    };
    let reporter = match outcome {
        Outcome::Completed => &row.new_node_id,
        Outcome::Failed | Outcome::Cancelled => &row.old_node_id,
    };
    if *reporter != node.id {
        return Err(another_node(outcome).into());
    }
    if row.status != "pending" {
        let repeated = match outcome {
            Outcome::Completed => row.status == "completed",
            // The source reports failure after a cancel too.
            Outcome::Failed | Outcome::Cancelled => row.status != "completed",
        };
        return if repeated {
            Ok(StatusCode::NO_CONTENT)
        } else {
            Err(ApiError::Conflict {
                code: "transfer_settled",
                message: format!("This transfer is {} already.", row.status),
            }
            .into())
        };
    }
    let error = (outcome == Outcome::Failed).then_some("The source node reported a failure.");
    let settled =
        transfer_store::settle(platform, &server.org_id, &row, outcome, error, None, meta).await?;
    if settled && outcome == Outcome::Completed {
        remove_from_old_node(platform, &server, &row.old_node_id).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

fn not_transferring() -> ApiError {
    ApiError::Conflict {
        code: "not_transferring",
        message: "This server is not being transferred.".into(),
    }
}

fn another_node(outcome: Outcome) -> ApiError {
    let message = match outcome {
        Outcome::Completed => "Only the destination node reports a transfer's success.",
        Outcome::Failed | Outcome::Cancelled => {
            "Only the source node reports a transfer's failure."
        }
    };
    ApiError::Forbidden {
        code: "transfer_of_another_node",
        message: message.into(),
    }
}

/// Asks the old node to delete its copy, as Pelican does once the
/// destination has the server (Wings tells its sockets `transfer status
/// completed`). Best effort: the move stands whatever the old node answers.
async fn remove_from_old_node(platform: &Platform, server: &ServerRecord, old_node_id: &str) {
    let target = match node::access(platform, &server.org_id, old_node_id).await {
        Ok(node) => node.target(platform),
        Err(e) => Err(e),
    };
    let outcome = match &target {
        Ok(target) => Wings::new(platform.http.as_ref(), target)
            .delete_server(&server.id)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(cause) = outcome {
        crate::error::log_error(
            "transfer_old_copy_kept",
            &format!("server {} on node {old_node_id}: {cause}", server.id),
        );
    }
}

/// The server `uuid` as the node `node` receiving it by a transfer under way
/// sees it: on that node, with the transfer's default allocation (the
/// configuration then lists the allocations it holds there).
pub async fn incoming(
    platform: &Platform,
    node: &NodeAccess,
    uuid: &str,
) -> Result<Option<ServerRecord>, ApiError> {
    let Some(mut server) = server::record(platform, uuid).await? else {
        return Ok(None);
    };
    let Some(row) = transfer_store::pending(platform, &server.id).await? else {
        return Ok(None);
    };
    if row.new_node_id != node.id {
        return Ok(None);
    }
    server.node_id = row.new_node_id;
    server.node_name = node.name.clone();
    server.allocation_id = row.new_allocation_id;
    Ok(Some(server))
}
