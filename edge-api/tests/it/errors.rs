//! Unknown routes and methods get the JSON error envelope.

use crate::common;

use axum::http::StatusCode;
use common::{get, platform, send, with_body};

#[tokio::test]
async fn unknown_route_is_a_json_404() {
    let (platform, _) = platform();
    let reply = send(&platform, get("/api/no-such-thing")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json["error"]["code"], "not_found");
    assert!(reply.json["error"]["message"].is_string());
}

#[tokio::test]
async fn wrong_method_is_a_json_405() {
    let (platform, _) = platform();
    let reply = send(&platform, with_body("DELETE", "/api/health", "")).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.json["error"]["code"], "method_not_allowed");
}
