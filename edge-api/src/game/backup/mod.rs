//! Game-server backups (issue 14 item 3): Wings takes them onto its own
//! disk (`wings` adapter) or into an S3-compatible bucket (`s3`, Cloudflare
//! R2 in production) through presigned part URLs Flamingo hands it.
//!
//! - [`api`]: the REST routes, and [`create`], which schedules call too.
//! - [`store`]: the rows, their one-way status moves, the lazy timeout and
//!   the live events (`server.backup`, `server.backup_restore`).
//! - [`s3`]: presigning and the multipart upload Flamingo starts and completes.
//!
//! Wings' reports arrive through `game::remote::backups`.

pub mod api;
pub mod s3;
pub mod store;

pub use api::{Actor, CreateBackup, create};
pub use store::Backup;

use crate::{
    auth::{Access, ServerNeed},
    route::Route,
};

/// The backups routes, each with its `backup.*` permission, and Wings' remote routes.
pub fn routes() -> Vec<Route> {
    use crate::game::remote::backups as remote;
    use Access::{Node, Server};
    let perm = |p| Server(ServerNeed::Permission(p));
    macro_rules! at {
        ($tail:literal) => {
            concat!("/api/orgs/{org}/servers/{server}/backups", $tail)
        };
    }
    vec![
        Route::get(at!(""), perm("backup.read"), api::list),
        Route::post(at!(""), perm("backup.create"), api::create_route),
        Route::get(at!("/{backup}"), perm("backup.read"), api::show),
        Route::delete(at!("/{backup}"), perm("backup.delete"), api::remove),
        // Locking protects from deletion: those who may delete may (un)lock.
        Route::post(at!("/{backup}/lock"), perm("backup.delete"), api::lock),
        Route::post(at!("/{backup}/unlock"), perm("backup.delete"), api::unlock),
        Route::post(
            at!("/{backup}/restore"),
            perm("backup.restore"),
            api::restore,
        ),
        Route::get(
            at!("/{backup}/download"),
            perm("backup.download"),
            api::download,
        ),
        Route::get("/api/remote/backups/{uuid}", Node, remote::part_urls),
        Route::post("/api/remote/backups/{uuid}", Node, remote::report),
        Route::post(
            "/api/remote/backups/{uuid}/restore",
            Node,
            remote::restore_report,
        ),
    ]
}
