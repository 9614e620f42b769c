//! Shared helpers: a native platform and one-shot requests against the router.
#![allow(dead_code)]

pub mod game;
pub mod wings;

use std::sync::Arc;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use edge_api::{
    Platform,
    platform::native::{self, ManualClock},
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
    let response = edge_api::router(platform.clone())
        .oneshot(request)
        .await
        .expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body reads")
        .to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        json,
    }
}

/// A GET request.
pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri)
        .body(Body::empty())
        .expect("valid request")
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

/// The origin the test requests claim to come from.
pub const ORIGIN: &str = "http://localhost";

/// A request as the panel's own pages send it: JSON body, Host and Origin,
/// the session cookie when given, and a client IP.
pub fn api(method: &str, uri: &str, cookie: Option<&str>, body: Option<Value>) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, ORIGIN)
        .header("cf-connecting-ip", "192.0.2.1");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    let body = match body {
        Some(json) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    builder.body(body).expect("valid request")
}

/// The `name=value` part of the response's session cookie.
pub fn session_cookie(reply: &Reply) -> String {
    let set = reply
        .headers
        .get(header::SET_COOKIE)
        .expect("a Set-Cookie header")
        .to_str()
        .expect("ascii");
    set.split(';').next().expect("a cookie pair").to_owned()
}

/// Runs first-run setup; returns the owner's cookie and `/api/auth/me` body.
pub async fn setup_owner(platform: &Platform) -> (String, Value) {
    let body = serde_json::json!({
        "name": "Ada Owner", "email": "ada@example.com",
        "password": "correct horse battery", "organization": "Ada Lab",
    });
    let reply = send(platform, api("POST", "/api/setup", None, Some(body))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    (session_cookie(&reply), reply.json)
}

/// Adds a user straight to the database (password `correct horse battery`,
/// hashed once per test run) and returns their id.
pub async fn add_user(platform: &Platform, name: &str, email: &str) -> String {
    use edge_api::platform::db::Statement;
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = HASH
        .get_or_init(|| edge_api::crypto::hash_password("correct horse battery").expect("hashes"));
    let id = edge_api::crypto::uuid().expect("uuid");
    platform
        .db
        .run(
            Statement::new(
                "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, '2026-11-22T10:00:00.000Z', '2026-11-22T10:00:00.000Z')",
            )
            .bind(id.as_str())
            .bind(email)
            .bind(name)
            .bind(hash.as_str()),
        )
        .await
        .expect("user inserted");
    id
}

/// Makes `user_id` a member of `org_id` with `role`.
pub async fn add_member(platform: &Platform, org_id: &str, user_id: &str, role: &str) {
    use edge_api::platform::db::Statement;
    platform
        .db
        .run(
            Statement::new(
                "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?1, ?2, ?3, '2026-11-22T10:00:00.000Z')",
            )
            .bind(org_id)
            .bind(user_id)
            .bind(role),
        )
        .await
        .expect("membership inserted");
}

/// A fresh session cookie for `user_id`.
pub async fn sign_in_as(platform: &Platform, user_id: &str) -> String {
    let meta = edge_api::context::RequestMeta::default();
    let (secret, _) = edge_api::auth::session::create(platform, user_id, &meta)
        .await
        .expect("session created");
    format!("flamingo_session={secret}")
}
