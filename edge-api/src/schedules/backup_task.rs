//! The schedule task that creates a backup: the same
//! [`game::backup::create`](crate::game::backup::create) as the API, so a
//! scheduled backup writes its row first (Wings' completion report finds
//! it), honours the server's `backup_limit` and uses the instance's
//! default adapter.

use crate::{
    game::{
        backup::{self, CreateBackup},
        server::ServerRecord,
    },
    platform::Platform,
};

/// Starts a backup of `server` leaving out `ignored` (newline-separated
/// paths, as Pelican); Ok once the node accepted it, else why not.
pub async fn create(
    platform: &Platform,
    server: &ServerRecord,
    ignored: &str,
) -> Result<(), String> {
    let request = CreateBackup {
        ignored: (!ignored.trim().is_empty()).then(|| ignored.to_owned()),
        ..CreateBackup::default()
    };
    backup::create(platform, server, None, request)
        .await
        .map(drop)
        .map_err(|e| super::task::sentence(&e))
}
