//! A server's recent console lines and its last install's output, read
//! from Wings (`GET /api/servers/{uuid}/logs?size=N`, at most 100 lines, and
//! `GET /api/servers/{uuid}/install-logs`).

use axum::{Extension, Json, extract::State};
use serde::Deserialize;

use super::{
    server,
    wings::{
        Wings,
        types::{InstallLogs, Logs},
    },
};
use crate::{context::ServerContext, error::ApiError, extract::ApiQuery, platform::Platform};

/// `GET …/servers/{server}/logs` query.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ServerLogsQuery")
)]
#[serde(deny_unknown_fields)]
pub struct LogsQuery {
    /// Lines, 1-100 (default 100).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub size: Option<i64>,
}

/// `GET /api/orgs/{org}/servers/{server}/logs?size=N`: the last N console
/// lines (`websocket.connect`, as the console shows them).
pub async fn logs(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
    ApiQuery(query): ApiQuery<LogsQuery>,
) -> Result<Json<Logs>, ApiError> {
    let size = query.size.unwrap_or(100);
    if !(1..=100).contains(&size) {
        return Err(ApiError::field("size", "must be between 1 and 100"));
    }
    let server = server::current(&platform, &ctx).await?;
    let node = server::node_of(&platform, &server).await?;
    let target = node.target(&platform)?;
    let size = u32::try_from(size).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(
        Wings::new(platform.http.as_ref(), &target)
            .logs(&server.id, size)
            .await?,
    ))
}

/// `GET /api/orgs/{org}/servers/{server}/install-logs`: the last install's
/// output (`admin.websocket.install`, as Wings' install output frames).
pub async fn install_logs(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
) -> Result<Json<InstallLogs>, ApiError> {
    let server = server::current(&platform, &ctx).await?;
    let node = server::node_of(&platform, &server).await?;
    let target = node.target(&platform)?;
    Ok(Json(
        Wings::new(platform.http.as_ref(), &target)
            .install_logs(&server.id)
            .await?,
    ))
}
