//! Webhooks (issue 16 item 2): an endpoint's secret is shown once; a
//! published event it wants is delivered by the organization's timer,
//! signed per Standard Webhooks; a failing endpoint is retried on the
//! schedule, the delivery then shows failed, and after a day of failures
//! the endpoint is disabled, saying so; redeliver, the test event, the
//! Discord format, and refused URLs. The timer's alarm is played by
//! calling `edge_api::alarm::wake` as the Durable Object does.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU16, Ordering},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
};
use base64::{Engine, engine::general_purpose::STANDARD};
use edge_api::platform::db::DatabaseExt;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::common::game::{World, world};

/// What a receiver got: headers and body per request.
type Got = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

#[derive(Clone, Default)]
struct Receiver {
    got: Got,
    status: Arc<AtomicU16>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    r.got.lock().expect("lock").push((headers, body.to_vec()));
    StatusCode::from_u16(r.status.load(Ordering::SeqCst)).unwrap_or(StatusCode::OK)
}

async fn receiver() -> (Receiver, String) {
    let r = Receiver::default();
    r.status.store(200, Ordering::SeqCst);
    let app = Router::new().fallback(receive).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (r, format!("http://127.0.0.1:{port}/hook"))
}

impl Receiver {
    fn bodies(&self) -> Vec<Value> {
        self.got
            .lock()
            .expect("lock")
            .iter()
            .map(|(_, b)| serde_json::from_slice(b).unwrap_or(Value::Null))
            .collect()
    }
}

/// Verifies a delivery as a receiver would, from the secret alone.
fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("prefix"))
        .expect("base64");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{}.{}.", header("webhook-id"), header("webhook-timestamp")).as_bytes());
    mac.update(body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    header("webhook-signature")
        .split(' ')
        .any(|s| s == expected)
}

async fn wake(w: &World) -> Option<i64> {
    edge_api::alarm::wake(&w.platform, &format!("webhooks:{}", w.org_id)).await
}

async fn state_change(w: &World, server: &str, new_state: &str) {
    let reply = w
        .remote(
            "POST",
            &format!("/api/remote/servers/{server}/container/status"),
            Some(json!({"data": {"previous_state": "offline", "new_state": new_state}})),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.json);
}

async fn deliveries(w: &World, hook: &str) -> Vec<Value> {
    let reply = w
        .call("GET", &format!("/webhooks/{hook}/deliveries"), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    reply.json["items"].as_array().cloned().unwrap_or_default()
}

async fn create(w: &World, body: Value) -> (String, String) {
    let reply = w.call("POST", "/webhooks", Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    let secret = reply.json["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_"));
    (
        reply.json["webhook"]["id"].as_str().expect("id").to_owned(),
        secret,
    )
}

#[tokio::test]
async fn a_state_change_is_delivered_signed_and_the_secret_is_shown_once() {
    let w = world().await;
    let (r, url) = receiver().await;
    let (hook, secret) = create(&w, json!({"url": url, "events": ["server.state"]})).await;
    let listed = w.call("GET", "/webhooks", None).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(
        !listed.json.to_string().contains(&secret),
        "the secret is never shown again"
    );
    assert!(
        !w.call("GET", &format!("/webhooks/{hook}"), None)
            .await
            .json
            .to_string()
            .contains("whsec_")
    );
    let stored: Vec<Value> = w
        .platform
        .db
        .all(edge_api::platform::db::Statement::new(
            "SELECT secret FROM webhooks",
        ))
        .await
        .expect("rows");
    assert!(
        !stored[0]["secret"]
            .as_str()
            .unwrap_or("")
            .contains(&secret[6..]),
        "sealed at rest"
    );

    let created = w.create_server("mc").await;
    let server = created["server"]["id"].as_str().expect("server").to_owned();
    w.objects.armed().expect("timers");
    state_change(&w, &server, "running").await;
    let armed = w.objects.armed().expect("timers");
    assert!(
        armed.contains_key(&format!("webhooks:{}", w.org_id)),
        "{armed:?}"
    );
    assert_eq!(wake(&w).await, None, "nothing left to send");

    let got = r.got.lock().expect("lock").clone();
    // Only the event it asked for: not the audit entries creating the server wrote.
    assert_eq!(got.len(), 1);
    let (headers, body) = &got[0];
    assert!(verify(&secret, headers, body), "signature verifies");
    assert!(
        headers
            .get("webhook-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .starts_with("msg_")
    );
    let body: Value = serde_json::from_slice(body).expect("json");
    assert_eq!(body["type"], "server.state");
    assert_eq!(body["data"]["state"], "running", "{body}");
    let list = deliveries(&w, &hook).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["status"], "succeeded");
    assert_eq!(list[0]["response_status"], 200);
    assert_eq!(list[0]["attempts"], 1);
    assert!(list[0]["response_ms"].is_number());
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_then_failed_then_disabled() {
    let w = world().await;
    let (r, url) = receiver().await;
    r.status.store(500, Ordering::SeqCst);
    let (hook, _) = create(&w, json!({"url": url, "events": ["server.*"]})).await;
    let created = w.create_server("mc").await;
    let server = created["server"]["id"].as_str().expect("server").to_owned();
    state_change(&w, &server, "running").await;
    let mut next = wake(&w).await;
    let mut rounds = 0;
    while let Some(at) = next {
        let now = w.platform.clock.now_ms();
        w.clock.advance_ms((at - now).max(0));
        next = wake(&w).await;
        rounds += 1;
        assert!(rounds < 20, "retries end");
    }
    let retries = edge_api::config::WEBHOOK_RETRY_SECS.len();
    assert_eq!(r.got.lock().expect("lock").len(), retries + 1);
    let list = deliveries(&w, &hook).await;
    assert_eq!(list[0]["status"], "failed", "{list:?}");
    assert_eq!(list[0]["response_status"], 500);
    assert_eq!(list[0]["attempts"], retries + 1);
    assert!(list[0]["error"].as_str().unwrap_or("").contains("500"));
    // A day of failures: disabled, saying why.
    let shown = w.call("GET", &format!("/webhooks/{hook}"), None).await;
    assert_eq!(shown.json["enabled"], false, "{}", shown.json);
    assert!(
        shown.json["disabled_reason"]
            .as_str()
            .unwrap_or("")
            .contains("failed"),
        "{}",
        shown.json
    );
    // Disabled: new events are not queued.
    state_change(&w, &server, "offline").await;
    assert_eq!(deliveries(&w, &hook).await.len(), 1);

    // Turned on again and redelivered: it arrives.
    r.status.store(204, Ordering::SeqCst);
    let on = w
        .call(
            "PATCH",
            &format!("/webhooks/{hook}"),
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.json);
    assert_eq!(on.json["disabled_reason"], Value::Null);
    let id = list[0]["id"].as_str().expect("delivery");
    let again = w
        .call(
            "POST",
            &format!("/webhooks/{hook}/deliveries/{id}/redeliver"),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.json);
    assert_eq!(again.json["status"], "succeeded", "{}", again.json);
    assert_eq!(again.json["payload"], list[0]["payload"]);
    let test = w
        .call("POST", &format!("/webhooks/{hook}/test"), None)
        .await;
    assert_eq!(test.status, StatusCode::ACCEPTED, "{}", test.json);
    assert_eq!(test.json["event"], "webhook.test");
    assert_eq!(test.json["status"], "succeeded");
    let last = r.bodies().pop().expect("a body");
    assert_eq!(last["type"], "webhook.test");
    // Deliveries are kept a week (read from D1: the session has lapsed by then).
    w.clock.advance_ms(8 * 86_400_000);
    wake(&w).await;
    let left: Vec<Value> = w
        .platform
        .db
        .all(edge_api::platform::db::Statement::new(
            "SELECT id FROM webhook_deliveries",
        ))
        .await
        .expect("rows");
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn discord_format_and_refused_input() {
    let w = world().await;
    let (r, url) = receiver().await;
    let (hook, _) = create(
        &w,
        json!({"url": url, "events": ["*"], "format": "discord"}),
    )
    .await;
    let test = w
        .call("POST", &format!("/webhooks/{hook}/test"), None)
        .await;
    assert_eq!(test.json["status"], "succeeded", "{}", test.json);
    let body = r.bodies().pop().expect("a body");
    assert!(
        body["embeds"].is_array() && body["content"].is_string(),
        "{body}"
    );
    for (body, field) in [
        (json!({"url": "ftp://example.com", "events": ["*"]}), "url"),
        (
            json!({"url": "https://example.com", "events": []}),
            "events",
        ),
        (
            json!({"url": "https://example.com", "events": ["server.stats"]}),
            "events",
        ),
    ] {
        let reply = w.call("POST", "/webhooks", Some(body.clone())).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} {}",
            reply.json
        );
        assert!(
            reply.json["error"]["fields"][field].is_string(),
            "{}",
            reply.json
        );
    }
    let missing = w
        .call(
            "POST",
            "/webhooks/00000000-0000-4000-8000-000000000009/test",
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let gone = w.call("DELETE", &format!("/webhooks/{hook}"), None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
}

fn link_tunnel(id: &str, name: &str) -> durable_state::link::LinkTunnel {
    durable_state::link::LinkTunnel {
        id: id.into(),
        name: name.into(),
        kind: "http".into(),
        user: "u1".into(),
        client_addr: "127.0.0.1:50000".into(),
        public_url: format!("http://{name}.localhost:8080"),
        opened_at: "2026-11-22T10:00:01Z".into(),
        bytes_in: 0,
        bytes_out: 0,
        requests: 0,
    }
}

/// The tunnel link raises its own events (the host's socket, its frames):
/// they go through the same publishing path as the API's, so each one on
/// the live stream is offered to webhooks once, by the stream's name.
#[tokio::test]
async fn a_hosts_link_events_reach_webhooks_once_each_as_the_stream_names_them() {
    use durable_state::link::{HostMessage, LinkStats};
    use edge_api::platform::native::HostFrame;

    let w = world().await;
    let (r, url) = receiver().await;
    let (hook, secret) = create(&w, json!({"url": url, "events": ["tunnel.*", "host.*"]})).await;
    let (_, only_hosts) = receiver().await;
    let (hosts_hook, _) = create(&w, json!({"url": only_hosts, "events": ["host.offline"]})).await;
    w.objects.armed().expect("timers");
    let head = w.call("GET", "/events", None).await.json["last_event_id"].clone();
    let frame = async |f| {
        w.objects
            .host(&w.platform, "h1", &w.org_id, f)
            .await
            .expect("frame")
    };
    frame(HostFrame::Connect).await;
    frame(HostFrame::Message(Box::new(HostMessage::Hello {
        version: "0.1.0".into(),
        hostname: None,
        tunnels: vec![link_tunnel("a", "alpha")],
        address: None,
    })))
    .await;
    frame(HostFrame::Message(Box::new(HostMessage::Opened {
        tunnel: link_tunnel("b", "beta"),
    })))
    .await;
    frame(HostFrame::Message(Box::new(HostMessage::Stats {
        tunnels: vec![LinkStats {
            id: "b".into(),
            bytes_in: 5,
            bytes_out: 6,
            requests: 1,
        }],
    })))
    .await;
    frame(HostFrame::Message(Box::new(HostMessage::Closed {
        tunnel: link_tunnel("b", "beta"),
        reason: "session_ended".into(),
    })))
    .await;
    frame(HostFrame::Disconnect).await;
    let armed = w.objects.armed().expect("timers");
    assert!(
        armed.contains_key(&format!("webhooks:{}", w.org_id)),
        "{armed:?}"
    );

    // The stream got every event, stats too.
    let page = w
        .call("GET", &format!("/events?last_event_id={head}"), None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.json);
    let streamed: Vec<String> = page.json["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["event"].as_str())
        .filter(|e| e.starts_with("tunnel.") || e.starts_with("host."))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        streamed,
        [
            "host.online",
            "tunnel.opened",
            "tunnel.opened",
            "tunnel.stats",
            "tunnel.closed",
            "host.offline"
        ],
        "{}",
        page.json
    );

    assert_eq!(wake(&w).await, None, "nothing left to send");
    let got = r.got.lock().expect("lock").clone();
    assert!(
        got.iter().all(|(h, b)| verify(&secret, h, b)),
        "signatures verify"
    );
    // Each deliverable streamed event once (stats are for open pages only).
    let mut delivered: Vec<String> = r
        .bodies()
        .iter()
        .filter_map(|b| b["type"].as_str().map(str::to_owned))
        .collect();
    delivered.sort();
    let mut wanted: Vec<String> = streamed
        .iter()
        .filter(|e| *e != "tunnel.stats")
        .cloned()
        .collect();
    wanted.sort();
    assert_eq!(delivered, wanted);
    let bodies = r.bodies();
    let opened: Vec<&Value> = bodies
        .iter()
        .filter(|b| b["type"] == "tunnel.opened")
        .collect();
    assert!(
        opened
            .iter()
            .any(|b| b["data"]["name"] == "beta" && b["data"]["host_id"] == "h1"),
        "{opened:?}"
    );
    let closed = bodies
        .iter()
        .find(|b| b["type"] == "tunnel.closed")
        .expect("closed");
    assert_eq!(closed["data"]["reason"], "session_ended");
    assert_eq!(deliveries(&w, &hook).await.len(), wanted.len());
    // A subscription filters them.
    let hosts = deliveries(&w, &hosts_hook).await;
    assert_eq!(hosts.len(), 1, "{hosts:?}");
    assert_eq!(hosts[0]["event"], "host.offline");
    assert_eq!(hosts[0]["status"], "succeeded");
}
