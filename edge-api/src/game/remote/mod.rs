//! The remote API Wings calls (contract section 3), under `/api/remote/*`:
//! the node authenticates with `Authorization: Bearer {token_id}.{token}`
//! ([`auth`]), and errors come in the body Wings parses,
//! `{"errors":[{"code","status","detail"}]}`.
//!
//! - [`servers`]: the paged boot list, one server's configuration, reset,
//!   the install script and status, container status.
//! - [`sftp`]: SFTP sign-in by password or key.
//! - [`activity`]: the activity Wings reports.
//! - [`backups`]: backup and restore outcomes, S3 part URLs (the backups lane's).
//! - [`transfers`]: transfer outcomes, and the destination's view of a server coming to it.

pub mod activity;
pub mod auth;
pub mod backups;
pub mod servers;
pub mod sftp;
pub mod transfers;

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::{auth::Access, error::ApiError, route::Route};

/// The remote API's routes; the guard leaves authentication to [`auth`].
pub fn routes() -> Vec<Route> {
    use Access::Node;
    vec![
        Route::get("/api/remote/servers", Node, servers::list),
        Route::post("/api/remote/servers/reset", Node, servers::reset),
        Route::get("/api/remote/servers/{uuid}", Node, servers::show),
        Route::get(
            "/api/remote/servers/{uuid}/install",
            Node,
            servers::install_script,
        ),
        Route::post(
            "/api/remote/servers/{uuid}/install",
            Node,
            servers::install_status,
        ),
        Route::post(
            "/api/remote/servers/{uuid}/container/status",
            Node,
            servers::container_status,
        ),
        Route::post(
            "/api/remote/servers/{uuid}/transfer/success",
            Node,
            transfers::success,
        ),
        Route::post(
            "/api/remote/servers/{uuid}/transfer/failure",
            Node,
            transfers::failure,
        ),
        Route::post("/api/remote/servers/{uuid}/archive", Node, servers::archive),
        Route::post("/api/remote/sftp/auth", Node, sftp::authenticate),
        Route::post("/api/remote/activity", Node, activity::record),
    ]
}

/// An error as Wings reads it.
#[derive(Debug)]
pub struct RemoteError(pub ApiError);

impl From<ApiError> for RemoteError {
    fn from(e: ApiError) -> Self {
        RemoteError(e)
    }
}

impl From<crate::platform::db::DbError> for RemoteError {
    fn from(e: crate::platform::db::DbError) -> Self {
        RemoteError(e.into())
    }
}

impl IntoResponse for RemoteError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let code = self.0.code();
        if let ApiError::Internal(cause) = &self.0 {
            crate::error::log_error(code, cause);
        }
        let detail = match &self.0 {
            ApiError::Internal(_) => "An unexpected error was encountered.".to_owned(),
            ApiError::Invalid { fields } => fields
                .iter()
                .map(|(f, p)| format!("{f} {p}"))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        let mut response = (
            status,
            Json(json!({
                "errors": [{
                    "code": code,
                    "status": status.as_u16().to_string(),
                    "detail": detail,
                }]
            })),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// What a remote handler returns.
pub type RemoteResult<T> = Result<T, RemoteError>;
