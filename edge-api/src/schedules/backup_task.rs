//! The schedule task that creates a backup, behind this one function.
//!
//! The backups lane owns backup rows and their Wings calls
//! (`game::backup`); until it is merged, this asks Wings directly
//! (`POST /api/servers/{uuid}/backup {adapter: "wings", uuid, ignore}`,
//! contract section 4) with a fresh backup uuid. At merge the lead replaces
//! the body with the backups lane's create function (it writes the row the
//! node's completion callback updates and honours `backup_limit`), keeping
//! the signature; see STATUS-automation.md.

use serde::Serialize;

use crate::{
    crypto,
    error::ApiError,
    game::{
        server::ServerRecord,
        wings::{NodeTarget, Wings},
    },
    platform::{Platform, http::Method},
};

#[derive(Serialize)]
struct BackupRequest<'a> {
    adapter: &'a str,
    uuid: &'a str,
    ignore: &'a str,
}

/// Starts a backup of `server` leaving out `ignored` (newline-separated
/// paths, as Pelican); Ok once the node accepted it, else why not.
pub async fn create(
    platform: &Platform,
    server: &ServerRecord,
    target: &NodeTarget,
    ignored: &str,
) -> Result<(), String> {
    let uuid = crypto::uuid().map_err(|e| super::task::sentence(&e))?;
    let body = BackupRequest {
        adapter: "wings",
        uuid: &uuid,
        ignore: ignored,
    };
    Wings::new(platform.http.as_ref(), target)
        .send(
            Method::Post,
            &format!("/api/servers/{}/backup", server.id),
            &body,
        )
        .await
        .map(drop)
        .map_err(|e| super::task::sentence(&ApiError::from(e)))
}
