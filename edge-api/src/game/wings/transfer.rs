//! The Wings client's transfer calls (contract section 4, servers). The
//! panel asks the **source** node to push a server: `POST
//! /api/servers/{uuid}/transfer` with the destination's `/api/transfers`
//! URL and a `transfer` JWT signed with the destination's token, which the
//! source sends verbatim as its `Authorization` header (so it starts with
//! `Bearer `). Wings binds the body into `{url string (required), token
//! string (required), backups []string, server {uuid string,
//! start_on_completion bool}}` and answers 202 once the server is stopped
//! (it waits up to 15 s for that); 409 when it is transferring already.
//! `DELETE` on the same path cancels the outgoing push. (Wings'
//! `DELETE /api/transfers/{uuid}` on the destination lacks the middleware that
//! finds the server and panics: Flamingo does not call it.)

use std::time::Duration;

use serde::Serialize;

use super::{Wings, WingsError, types::CreateServer};
use crate::platform::http::Method;

/// Wings stops a running server (up to 15 s) before it answers the start.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// `POST /api/servers/{uuid}/transfer` body (Wings' `serverTransferRequest`).
#[derive(Debug, Serialize)]
struct StartTransfer<'a> {
    /// The destination's `POST /api/transfers`.
    url: &'a str,
    /// `Bearer {jwt}`, sent verbatim to the destination.
    token: &'a str,
    /// Backups on the source's disk to send along.
    backups: &'a [String],
    /// What the destination creates (`installer.ServerDetails`).
    server: CreateServer<'a>,
}

impl Wings<'_> {
    /// `POST /api/servers/{server}/transfer` on the source node: push the
    /// server to `url` with `token` (`Bearer …`), with `backups`.
    pub async fn start_transfer(
        &self,
        server: &str,
        url: &str,
        token: &str,
        backups: &[String],
    ) -> Result<(), WingsError> {
        self.send(
            Method::Post,
            &format!("/api/servers/{server}/transfer"),
            &StartTransfer {
                url,
                token,
                backups,
                server: CreateServer {
                    uuid: server,
                    start_on_completion: false,
                },
            },
        )
        .await
        .map(drop)
    }

    /// `DELETE /api/servers/{server}/transfer` on the source node.
    pub async fn cancel_outgoing_transfer(&self, server: &str) -> Result<(), WingsError> {
        self.call(
            Method::Delete,
            &format!("/api/servers/{server}/transfer"),
            None,
        )
        .await
        .map(drop)
    }
}
