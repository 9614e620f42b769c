//! The Wings client's backup calls (contract section 4, backups): take a
//! backup, restore one, delete one. Wings answers 202 and reports the
//! outcome later through the remote API (`game::remote::backups`).

use serde::Serialize;

use super::{Wings, WingsError};
use crate::platform::http::Method;

/// `POST /api/servers/{uuid}/backup` body.
#[derive(Debug, Serialize)]
struct TakeBackup<'a> {
    adapter: &'a str,
    uuid: &'a str,
    ignore: &'a str,
}

/// `POST /api/servers/{uuid}/backup/{backup}/restore` body.
#[derive(Debug, Serialize)]
struct RestoreBackup<'a> {
    adapter: &'a str,
    truncate_directory: bool,
    /// Only for `s3`: where Wings downloads the archive (gzip).
    #[serde(skip_serializing_if = "Option::is_none")]
    download_url: Option<&'a str>,
}

impl Wings<'_> {
    /// `POST /api/servers/{server}/backup`: Wings takes backup `backup`
    /// with `adapter` (`wings` or `s3`), leaving out `ignore` (newline-separated).
    pub async fn take_backup(
        &self,
        server: &str,
        adapter: &str,
        backup: &str,
        ignore: &str,
    ) -> Result<(), WingsError> {
        self.send(
            Method::Post,
            &format!("/api/servers/{server}/backup"),
            &TakeBackup {
                adapter,
                uuid: backup,
                ignore,
            },
        )
        .await
        .map(drop)
    }

    /// `POST /api/servers/{server}/backup/{backup}/restore`.
    pub async fn restore_backup(
        &self,
        server: &str,
        adapter: &str,
        backup: &str,
        truncate_directory: bool,
        download_url: Option<&str>,
    ) -> Result<(), WingsError> {
        self.send(
            Method::Post,
            &format!("/api/servers/{server}/backup/{backup}/restore"),
            &RestoreBackup {
                adapter,
                truncate_directory,
                download_url,
            },
        )
        .await
        .map(drop)
    }

    /// `DELETE /api/servers/{server}/backup/{backup}` (the `wings` adapter's archive).
    pub async fn delete_backup(&self, server: &str, backup: &str) -> Result<(), WingsError> {
        self.call(
            Method::Delete,
            &format!("/api/servers/{server}/backup/{backup}"),
            None,
        )
        .await
        .map(drop)
    }
}
