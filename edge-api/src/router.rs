//! Every route of the API, in one place.

use axum::{Router, extract::DefaultBodyLimit, routing::get};

use crate::{error::ApiError, extract::MAX_BODY_BYTES, health, platform::Platform};

/// The whole API. The Worker serves it for `/api/*`; tests call it with
/// `oneshot`.
pub fn router(platform: Platform) -> Router {
    Router::new()
        .route("/api/health", get(health::health))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(platform)
}
