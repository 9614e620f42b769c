//! The game servers a user may open without being a member of their
//! organization: those they own and those they are a subuser of (contract
//! section 7). A person invited to one server by email, who joined through
//! that invitation, reaches their server pages from this list.

use axum::{Extension, Json, extract::State};
use serde::{Deserialize, Serialize};

use crate::{
    context::Caller,
    error::ApiError,
    platform::{
        Platform,
        db::{DatabaseExt, Statement},
    },
};

/// One server shared with the caller.
#[derive(Debug, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct SharedServer {
    /// The server's id (its uuid on Wings).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The slug of its organization (the server's pages live under it).
    pub org: String,
    /// The organization's name.
    pub org_name: String,
    /// The node it runs on.
    pub node_name: String,
    /// `installing`, `install_failed`, `reinstall_failed`, `suspended`,
    /// `restoring_backup`, or null when none of these.
    pub status: Option<String>,
    /// The last state Wings reported (`offline`, `starting`, `running`, `stopping`).
    pub container_state: Option<String>,
    /// Whether the caller owns it (then every permission is theirs).
    pub owner: bool,
    /// The caller's Pelican permissions on it (`["*"]` for its owner).
    pub permissions: Vec<String>,
}

#[derive(Deserialize)]
struct Row {
    id: String,
    name: String,
    org: String,
    org_name: String,
    node_name: String,
    status: Option<String>,
    container_state: Option<String>,
    owner: i64,
    permissions: Option<String>,
}

/// `GET /api/me/servers`: every server the caller owns or is a subuser of,
/// in every organization, by organization then name; one D1 query.
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<SharedServer>>, ApiError> {
    let rows: Vec<Row> = platform
        .db
        .all(
            Statement::new(
                "SELECT s.id, s.name, o.slug AS org, o.name AS org_name, n.name AS node_name, s.status, \
                 s.container_state, (s.owner_id IS ?1) AS owner, su.permissions \
                 FROM servers s \
                 JOIN organizations o ON o.id = s.org_id \
                 JOIN nodes n ON n.id = s.node_id \
                 LEFT JOIN subusers su ON su.server_id = s.id AND su.user_id = ?1 \
                 WHERE s.owner_id = ?1 OR su.user_id IS NOT NULL \
                 ORDER BY o.name, o.slug, s.name, s.id",
            )
            .bind(caller.user_id.as_str()),
        )
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| {
                let owner = r.owner != 0;
                let permissions = if owner {
                    vec!["*".to_owned()]
                } else {
                    r.permissions
                        .as_deref()
                        .and_then(|p| serde_json::from_str(p).ok())
                        .unwrap_or_default()
                };
                SharedServer {
                    id: r.id,
                    name: r.name,
                    org: r.org,
                    org_name: r.org_name,
                    node_name: r.node_name,
                    status: r.status,
                    container_state: r.container_state,
                    owner,
                    permissions,
                }
            })
            .collect(),
    ))
}
