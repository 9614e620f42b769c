//! The addresses a node has (`GET /api/system/ips`), for picking an
//! allocation's IP.

use axum::{
    Extension, Json,
    extract::{Path, State},
};

use super::{
    node,
    wings::{Wings, types::Ips},
};
use crate::{context::OrgContext, error::ApiError, platform::Platform};

/// `GET /api/orgs/{org}/nodes/{node}/ips`: the node's IP addresses, from Wings.
pub async fn list(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    Path((_, node)): Path<(String, String)>,
) -> Result<Json<Ips>, ApiError> {
    let node = node::access(&platform, &org.id, &node).await?;
    let target = node.target(&platform)?;
    Ok(Json(
        Wings::new(platform.http.as_ref(), &target).ips().await?,
    ))
}
