//! The API's one error type and its one mapping to HTTP.
//!
//! Every failure renders as `{"error":{"code","message","fields"?}}`.
//! Internal causes are logged, never sent.

use std::collections::BTreeMap;

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::platform::{db::DbError, kv::KvError, objects::ObjectError};

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed (bad JSON, bad query, ...).
    #[error("{message}")]
    BadRequest {
        /// Machine-readable reason.
        code: &'static str,
        /// Human-readable reason.
        message: String,
    },
    /// Fields failed validation: field name → problem.
    #[error("invalid input")]
    Invalid {
        /// Field name → what is wrong with it.
        fields: BTreeMap<String, String>,
    },
    /// The caller is not signed in, or their credentials are wrong.
    #[error("{message}")]
    Unauthorized {
        /// Machine-readable reason.
        code: &'static str,
        /// Human-readable reason.
        message: String,
    },
    /// The caller is known but may not do this.
    #[error("{message}")]
    Forbidden {
        /// Machine-readable reason.
        code: &'static str,
        /// Human-readable reason.
        message: String,
    },
    /// No such resource (or not visible to the caller).
    #[error("not found")]
    NotFound,
    /// No such route or method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request conflicts with the current state.
    #[error("{message}")]
    Conflict {
        /// Machine-readable reason.
        code: &'static str,
        /// Human-readable reason.
        message: String,
    },
    /// The body is larger than the route accepts.
    #[error("request body too large")]
    PayloadTooLarge,
    /// The body is not JSON.
    #[error("expected application/json")]
    UnsupportedMediaType,
    /// Too many attempts; retry after this many seconds.
    #[error("too many requests")]
    RateLimited {
        /// Seconds until a retry may succeed.
        retry_after: u64,
    },
    /// A dependency (D1, KV, a Durable Object, a daemon) failed.
    #[error("upstream: {0}")]
    Upstream(String),
    /// A daemon the request needed (a Wings node) is down, refused or
    /// answered nonsense (502), or did not answer in time (504); the
    /// message names it and is safe to show.
    #[error("{message}")]
    Gateway {
        /// Whether it timed out (504) rather than failed (502).
        timed_out: bool,
        /// Machine-readable reason, e.g. `node_offline`.
        code: &'static str,
        /// Human-readable reason naming the daemon.
        message: String,
    },
    /// A bug or an unexpected state; the cause is logged only.
    #[error("internal: {0}")]
    Internal(String),
    /// The instance lacks a setting it needs (named, never a secret's value).
    #[error("not configured: {0}")]
    Misconfigured(&'static str),
}

impl ApiError {
    /// A validation failure on one field.
    pub fn field(name: &str, problem: impl Into<String>) -> Self {
        ApiError::Invalid {
            fields: BTreeMap::from([(name.to_owned(), problem.into())]),
        }
    }

    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Upstream(_) => StatusCode::BAD_GATEWAY,
            ApiError::Gateway {
                timed_out: true, ..
            } => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Gateway { .. } => StatusCode::BAD_GATEWAY,
            ApiError::Internal(_) | ApiError::Misconfigured(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable code sent to clients.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. }
            | ApiError::Unauthorized { code, .. }
            | ApiError::Forbidden { code, .. }
            | ApiError::Conflict { code, .. }
            | ApiError::Gateway { code, .. } => code,
            ApiError::Invalid { .. } => "invalid",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Upstream(_) => "upstream",
            ApiError::Internal(_) => "internal",
            ApiError::Misconfigured(_) => "misconfigured",
        }
    }

    /// The message sent to clients: never an internal cause.
    fn public_message(&self) -> String {
        match self {
            ApiError::Invalid { .. } => "Some fields are invalid.".into(),
            ApiError::NotFound => "Not found.".into(),
            ApiError::MethodNotAllowed => "Method not allowed.".into(),
            ApiError::PayloadTooLarge => "The request body is too large.".into(),
            ApiError::UnsupportedMediaType => {
                "Send a JSON body with Content-Type: application/json.".into()
            }
            ApiError::RateLimited { retry_after } => {
                format!("Too many attempts. Try again in {retry_after} seconds.")
            }
            ApiError::Upstream(_) => "A service Flamingo depends on did not answer.".into(),
            ApiError::Internal(_) => "Something went wrong on our side.".into(),
            ApiError::Misconfigured(what) => {
                format!("Flamingo is not fully configured ({what}); see the README's deploy steps.")
            }
            other => other.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) | ApiError::Upstream(cause) = &self {
            log_error(self.code(), cause);
        }
        if let ApiError::Misconfigured(what) = &self {
            log_error(self.code(), what);
        }
        let mut body = json!({ "code": self.code(), "message": self.public_message() });
        if let ApiError::Invalid { fields } = &self {
            body["fields"] = json!(fields);
        }
        let mut response = (self.status(), Json(json!({ "error": body }))).into_response();
        if let ApiError::RateLimited { retry_after } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}

/// Logs a cause server-side (console in the Worker, stderr natively).
pub(crate) fn log_error(code: &str, cause: &str) {
    #[cfg(target_arch = "wasm32")]
    worker::console_error!("{code}: {cause}");
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("error {code}: {cause}");
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<KvError> for ApiError {
    fn from(e: KvError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<ObjectError> for ApiError {
    fn from(e: ObjectError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// The error envelope's shape, for the generated TypeScript types.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// What went wrong.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ErrorBody {
    /// Machine-readable reason, e.g. `invalid`, `totp_required`.
    pub code: String,
    /// Human-readable reason.
    pub message: String,
    /// Field name → problem, for `invalid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub fields: Option<BTreeMap<String, String>>,
}
