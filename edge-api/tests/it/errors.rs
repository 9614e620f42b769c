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

#[tokio::test]
async fn a_session_id_that_is_no_session_id_is_a_json_404() {
    let (platform, _) = platform();
    let (owner, _) = common::setup_owner(&platform).await;
    // 513 characters made a KV key past KV's 512-byte limit: a 500.
    for id in [
        "a".repeat(513),
        "A".repeat(64),
        "nope".into(),
        "0".repeat(64),
    ] {
        let uri = format!("/api/auth/sessions/{id}");
        let reply = send(&platform, common::api("DELETE", &uri, Some(&owner), None)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{id}: {}", reply.json);
        assert_eq!(reply.json["error"]["code"], "not_found");
    }
}

#[tokio::test]
async fn a_body_over_64_kib_is_a_json_413_with_or_without_a_length() {
    use axum::body::Body;
    let (platform, _) = platform();
    let (owner, _) = common::setup_owner(&platform).await;
    let limit = edge_api::extract::MAX_BODY_BYTES;
    for size in [limit + 1, 1024 * 1024] {
        let json = format!("{{\"name\":\"{}\"}}", "x".repeat(size));
        // With Content-Length, and streamed in chunks without one.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = json
            .as_bytes()
            .chunks(16 * 1024)
            .map(|c| Ok(c.to_vec()))
            .collect();
        let bodies = [
            Body::from(json.clone()),
            Body::from_stream(futures_util::stream::iter(chunks)),
        ];
        for body in bodies {
            let mut request = common::api("PATCH", "/api/auth/me", Some(&owner), None);
            *request.body_mut() = body;
            request.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            );
            let reply = send(&platform, request).await;
            assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{size}");
            assert_eq!(reply.json["error"]["code"], "payload_too_large");
        }
    }
}

#[tokio::test]
async fn without_public_origin_only_loopback_requests_may_write() {
    use axum::http::{Request, header};
    let (platform, _) = platform();
    let (owner, _) = common::setup_owner(&platform).await;
    // The request's own origin is http://<Host> (no TLS in front of tests).
    let write = |host: &str| {
        let origin = format!("http://{host}");
        Request::builder()
            .method("PATCH")
            .uri("/api/auth/me")
            .header(header::HOST, host)
            .header(header::ORIGIN, origin)
            .header(header::COOKIE, owner.as_str())
            .header(header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(r#"{"name":"Ada"}"#))
            .expect("valid request")
    };
    // Deployed without PUBLIC_ORIGIN: writes are refused, saying why.
    let refused = send(&platform, write("panel.example.com")).await;
    assert_eq!(refused.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(refused.json["error"]["code"], "misconfigured");
    assert!(
        refused.json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("PUBLIC_ORIGIN")),
        "{}",
        refused.json
    );
    // Local development needs none.
    assert_eq!(
        send(&platform, write("127.0.0.1:8787")).await.status,
        StatusCode::OK
    );

    // With it set, that origin is the one writes must come from.
    let mut configured = platform.clone();
    let key = "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio";
    configured.config = std::sync::Arc::new(
        edge_api::config::Config::from_secret(key, Some("http://panel.example.com".into()))
            .expect("config"),
    );
    assert_eq!(
        send(&configured, write("panel.example.com")).await.status,
        StatusCode::OK
    );
    let elsewhere = send(&configured, write("127.0.0.1:8787")).await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    assert_eq!(elsewhere.json["error"]["code"], "csrf");
}
