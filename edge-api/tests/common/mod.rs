//! Shared helpers: a native platform and one-shot requests against the router.
#![allow(dead_code)]

use std::sync::Arc;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use edge_api::{
    Platform,
    native::{self, ManualClock},
};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// 2026-11-22T10:00:00Z.
pub const START_MS: i64 = 1_795_341_600_000;

/// A fresh native platform whose clock stands still until advanced.
pub fn platform() -> (Platform, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(START_MS));
    let platform = native::platform(clock.clone()).expect("native platform opens");
    (platform, clock)
}

/// A response's status, headers and JSON body (`Null` when empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub json: Value,
}

/// Sends one request through a fresh router over `platform`.
pub async fn send(platform: &Platform, request: Request<Body>) -> Reply {
    let response = edge_api::router(platform.clone()).oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body reads").to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply { status, headers, json }
}

/// A GET request.
pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("valid request")
}

/// A request with a raw body sent as JSON.
pub fn with_body(method: &str, uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .expect("valid request")
}
