//! A small Wings stand-in for native tests: an axum server on 127.0.0.1:0
//! that records what Flamingo sends, answers like Wings (statuses, its
//! `User-Agent … (id:…)`), and on `POST /api/servers` and `/sync` calls
//! Flamingo back for the server's settings before answering, as Wings does.
//! The strict simulator for whole-system tests lives in tests/wings-sim.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use edge_api::Platform;
use serde_json::{Value, json};

use super::{get, send};

/// One request Wings received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

/// A canned answer for a path.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub delay: Option<Duration>,
}

#[derive(Default)]
struct Inner {
    seen: Vec<Seen>,
    answers: HashMap<String, Answer>,
    token_id: String,
    /// (platform, bearer) to call the panel back with.
    panel: Option<(Platform, String)>,
    /// Settings fetched by call-backs, by server uuid.
    callbacks: HashMap<String, Value>,
}

/// The stand-in, shared with its server task.
#[derive(Clone, Default)]
pub struct FakeWings(Arc<Mutex<Inner>>);

impl FakeWings {
    /// Starts it on 127.0.0.1:0; returns it and its port.
    pub async fn start() -> (FakeWings, u16) {
        let wings = FakeWings::default();
        let app = Router::new().fallback(handle).with_state(wings.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (wings, port)
    }

    /// Answers with this `User-Agent … (id:token_id)` and calls the panel back as this node.
    pub fn connect(&self, platform: &Platform, token_id: &str, token: &str) {
        let mut inner = self.0.lock().expect("lock");
        inner.token_id = token_id.to_owned();
        inner.panel = Some((platform.clone(), format!("Bearer {token_id}.{token}")));
    }

    /// Answers `method path` (path without query) with `status` and `body`.
    pub fn answer(&self, method: &str, path: &str, status: u16, body: Value) {
        self.0.lock().expect("lock").answers.insert(
            format!("{method} {path}"),
            Answer {
                status,
                body,
                delay: None,
            },
        );
    }

    /// Answers `method path` only after `delay`.
    pub fn slow(&self, method: &str, path: &str, delay: Duration) {
        self.0.lock().expect("lock").answers.insert(
            format!("{method} {path}"),
            Answer {
                status: 200,
                body: json!({}),
                delay: Some(delay),
            },
        );
    }

    /// Everything received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.0.lock().expect("lock").seen.clone()
    }

    /// The requests to `method path`.
    pub fn seen_at(&self, method: &str, path: &str) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == method && s.path == path)
            .collect()
    }

    /// The settings a call-back fetched for `uuid`.
    pub fn callback(&self, uuid: &str) -> Option<Value> {
        self.0.lock().expect("lock").callbacks.get(uuid).cloned()
    }
}

async fn handle(
    State(wings): State<FakeWings>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let json_body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (answer, token_id, panel) = {
        let mut inner = wings.0.lock().expect("lock");
        inner.seen.push(Seen {
            method: method.to_string(),
            path: path.clone(),
            authorization: headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: json_body.clone(),
        });
        let key = format!("{method} {path}");
        (
            inner.answers.get(&key).cloned(),
            inner.token_id.clone(),
            inner.panel.clone(),
        )
    };
    // Wings calls back for the settings before it answers create and sync.
    let callback_uuid = match (method.as_str(), path.as_str()) {
        ("POST", "/api/servers") => json_body["uuid"].as_str().map(str::to_owned),
        ("POST", p) if p.ends_with("/sync") => p
            .trim_start_matches("/api/servers/")
            .split('/')
            .next()
            .map(str::to_owned),
        _ => None,
    };
    if let (Some(uuid), Some((platform, bearer))) = (callback_uuid, panel) {
        let mut request = get(&format!("/api/remote/servers/{uuid}"));
        request
            .headers_mut()
            .insert(header::AUTHORIZATION, bearer.parse().expect("header"));
        let reply = send(&platform, request).await;
        if reply.status != StatusCode::OK {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(json!({"error": "callback failed"})),
            )
                .into_response();
        }
        wings
            .0
            .lock()
            .expect("lock")
            .callbacks
            .insert(uuid, reply.json);
    }
    let answer = answer.unwrap_or_else(|| {
        let status = match (method.as_str(), path.as_str()) {
            ("POST", "/api/servers") => 202,
            ("POST", p)
                if p.ends_with("/power")
                    || p.ends_with("/install")
                    || p.ends_with("/reinstall") =>
            {
                202
            }
            ("GET", _) => 200,
            _ => 204,
        };
        Answer {
            status,
            body: json!({}),
            delay: None,
        }
    });
    if let Some(delay) = answer.delay {
        tokio::time::sleep(delay).await;
    }
    let status = StatusCode::from_u16(answer.status).expect("status");
    let mut response = if status == StatusCode::NO_CONTENT {
        status.into_response()
    } else {
        (status, axum::Json(answer.body)).into_response()
    };
    response.headers_mut().insert(
        header::USER_AGENT,
        format!("Pelican Wings/v1.0.0 (id:{token_id})")
            .parse()
            .expect("header"),
    );
    response
}
