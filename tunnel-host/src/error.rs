//! The crate's one error type and its single mapping to HTTP status codes.

use std::time::Duration;

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

/// Everything that can go wrong at the crate's boundary.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such tunnel, name or resource.
    #[error("not found")]
    NotFound,
    /// The resource is held by someone else (e.g. a tunnel name of another user).
    #[error("{0}")]
    Conflict(String),
    /// The caller may not do this (unknown key, reserved name, a limit reached).
    #[error("{0}")]
    Forbidden(String),
    /// A value failed validation.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Which input was wrong.
        field: &'static str,
        /// Why, in words fit for the user.
        reason: String,
    },
    /// Too many attempts; try again later.
    #[error("rate limited, retry after {retry_after:?}")]
    RateLimited {
        /// How long to wait.
        retry_after: Duration,
    },
    /// The tunnel's client side could not be reached.
    #[error("upstream unavailable: {0}")]
    Upstream(String),
    /// The edge refused or answered unexpectedly, where trying again the same way will not
    /// help; also a failed link (which reconnects by itself).
    #[error("edge: {0}")]
    Edge(String),
    /// The edge could not be reached, or failed for now (a 5xx or 429): worth trying again.
    #[error("edge unavailable: {0}")]
    EdgeUnavailable(String),
    /// An I/O failure with what was being done.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, lowercase (`"binding ssh listener"`).
        context: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Anything else; the message is logged, never shown to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> Error {
        move |source| Error::Io { context, source }
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::Invalid { .. } => StatusCode::BAD_REQUEST,
            Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Upstream(_) | Error::Edge(_) | Error::EdgeUnavailable(_) => {
                StatusCode::BAD_GATEWAY
            }
            Error::Io { .. } | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A message safe to show to a client: internals stay in the logs.
    pub fn public_message(&self) -> String {
        match self {
            Error::Io { .. } | Error::Internal(_) => "internal error".to_owned(),
            Error::Upstream(_) => "upstream unavailable".to_owned(),
            Error::Edge(_) | Error::EdgeUnavailable(_) => "edge unavailable".to_owned(),
            other => other.to_string(),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut response =
            (status, Json(json!({ "error": self.public_message() }))).into_response();
        if let Error::RateLimited { retry_after } = &self
            && let Ok(v) = http::HeaderValue::from_str(&retry_after.as_secs().max(1).to_string())
        {
            response.headers_mut().insert(http::header::RETRY_AFTER, v);
        }
        response
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internals_never_reach_clients() {
        let e = Error::Internal("db password wrong".into());
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.public_message(), "internal error");
        let e = Error::io("binding")(std::io::Error::other("secret path"));
        assert!(!e.public_message().contains("secret"));
    }

    #[test]
    fn statuses_are_semantic() {
        assert_eq!(Error::NotFound.status(), StatusCode::NOT_FOUND);
        assert_eq!(Error::Conflict("x".into()).status(), StatusCode::CONFLICT);
        assert_eq!(
            Error::RateLimited {
                retry_after: Duration::from_secs(3)
            }
            .status(),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}
