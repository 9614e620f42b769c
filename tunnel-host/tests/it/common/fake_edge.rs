//! An in-process stand-in for the edge's tunnel-host API on 127.0.0.1:0: enroll, key
//! lookup (with the owner's role), reserved names, the device flow, and the link WebSocket
//! (frames recorded, kicks, watches and drops sent on demand).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use durable_state::link::{EdgeMessage, HostMessage};
use russh::keys::{HashAlg, PublicKey};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::{PATIENCE, wait_for};

/// The credential the fake edge hands out and expects.
pub const CREDENTIAL: &str = "fth_fake_credential_for_tests";
/// Host id and org id the fake edge hands out.
pub const HOST_ID: &str = "host-1";
pub const ORG_ID: &str = "org-1";

/// What the fake edge does to the current link socket.
#[derive(Debug)]
enum Control {
    Send(String),
    Drop,
}

/// A device authorization the fake edge issued.
#[derive(Debug, Clone)]
pub struct Device {
    pub fingerprint: String,
    pub public_key: String,
    pub user_code: String,
    pub approved: Option<String>,
}

#[derive(Default)]
pub struct EdgeState {
    /// Enrollment tokens still valid.
    pub tokens: Mutex<Vec<String>>,
    /// Every enroll body received.
    pub enrolls: Mutex<Vec<Value>>,
    /// How many enrolls to answer 503 next, leaving the token unused.
    pub enrolls_failing: AtomicUsize,
    /// How many enrolls to answer 503 next after using the token (an answer lost).
    pub enrolls_lost: AtomicUsize,
    /// fingerprint → user id.
    pub keys: Mutex<HashMap<String, String>>,
    /// user id → role in the host's organization; `operator` when absent.
    pub roles: Mutex<HashMap<String, String>>,
    /// Whether key lookups answer as an edge from before roles (no `role`, no
    /// `can_open_tunnels`).
    pub lookups_without_role: AtomicBool,
    /// Whether name checks answer 503 (the edge failing for now).
    pub names_failing: AtomicBool,
    /// name → (owner id, owner name).
    pub reserved: Mutex<HashMap<String, (String, String)>>,
    /// device code → device.
    pub devices: Mutex<HashMap<String, Device>>,
    /// Every link frame received, in order.
    pub frames: Mutex<Vec<HostMessage>>,
    /// Link sockets accepted.
    pub links: AtomicUsize,
    /// Requests refused for a bad credential.
    pub unauthorized: AtomicUsize,
    /// Key lookups answered.
    pub lookups: AtomicUsize,
    control: Mutex<Option<mpsc::UnboundedSender<Control>>>,
}

/// The running fake edge.
pub struct FakeEdge {
    pub addr: SocketAddr,
    pub url: String,
    pub state: Arc<EdgeState>,
}

fn user_json(id: &str) -> Value {
    json!({ "id": id, "name": format!("User {id}"), "email": format!("{id}@example.com") })
}

/// The edge's JSON error envelope with `status`.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "Not found")
}

/// What the edge answers while its database is busy or it is being deployed.
fn unavailable() -> Response {
    error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "try again")
}

/// Counts `counter` down by one if it is above zero; whether it did.
fn take_one(counter: &AtomicUsize) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

/// The 401 for a request without the right credential, if it lacks it.
fn refused(state: &EdgeState, headers: &HeaderMap) -> Option<Response> {
    if headers.get("x-flamingo-host").and_then(|v| v.to_str().ok()) == Some(CREDENTIAL) {
        return None;
    }
    state.unauthorized.fetch_add(1, Ordering::SeqCst);
    Some(error(
        StatusCode::UNAUTHORIZED,
        "invalid_host_credential",
        "no",
    ))
}

async fn enroll(State(state): State<Arc<EdgeState>>, Json(body): Json<Value>) -> Response {
    state.enrolls.lock().unwrap().push(body.clone());
    let token = body["enrollment_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if take_one(&state.enrolls_failing) {
        return unavailable();
    }
    let mut tokens = state.tokens.lock().unwrap();
    let Some(at) = tokens.iter().position(|t| *t == token) else {
        return not_found();
    };
    tokens.remove(at);
    if take_one(&state.enrolls_lost) {
        return unavailable();
    }
    (
        StatusCode::CREATED,
        Json(json!({ "host_id": HOST_ID, "org_id": ORG_ID, "credential": CREDENTIAL })),
    )
        .into_response()
}

async fn lookup(
    State(state): State<Arc<EdgeState>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = refused(&state, &headers) {
        return r;
    }
    state.lookups.fetch_add(1, Ordering::SeqCst);
    let fingerprint = body["fingerprint"].as_str().unwrap_or_default();
    let Some(user) = state.keys.lock().unwrap().get(fingerprint).cloned() else {
        return not_found();
    };
    if state.lookups_without_role.load(Ordering::SeqCst) {
        return Json(json!({ "user": user_json(&user) })).into_response();
    }
    let role = state
        .roles
        .lock()
        .unwrap()
        .get(&user)
        .cloned()
        .unwrap_or_else(|| "operator".into());
    // The edge's matrix: every role but viewer writes tunnels.
    let can_open_tunnels = role != "viewer";
    Json(json!({ "user": user_json(&user), "role": role, "can_open_tunnels": can_open_tunnels }))
        .into_response()
}

async fn names_check(
    State(state): State<Arc<EdgeState>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = refused(&state, &headers) {
        return r;
    }
    if state.names_failing.load(Ordering::SeqCst) {
        return unavailable();
    }
    let name = body["name"].as_str().unwrap_or_default();
    let user = body["user_id"].as_str().unwrap_or_default();
    match state.reserved.lock().unwrap().get(name) {
        Some((owner, owner_name)) if owner != user => {
            Json(json!({ "allowed": false, "reserved_by": owner_name })).into_response()
        }
        _ => Json(json!({ "allowed": true })).into_response(),
    }
}

async fn device(
    State(state): State<Arc<EdgeState>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = refused(&state, &headers) {
        return r;
    }
    let mut devices = state.devices.lock().unwrap();
    let n = devices.len();
    let device_code = format!("device-code-{n}");
    // Letters from the edge's alphabet (no vowels), distinct per device.
    let alphabet = b"BCDFGHJKLMNPQRSTVWXZ";
    let letter = |i: usize| alphabet[i % alphabet.len()] as char;
    let user_code = format!("BCDF-GHJ{}", letter(n + 7));
    devices.insert(
        device_code.clone(),
        Device {
            fingerprint: body["fingerprint"].as_str().unwrap_or_default().to_owned(),
            public_key: body["public_key"].as_str().unwrap_or_default().to_owned(),
            user_code: user_code.clone(),
            approved: None,
        },
    );
    Json(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": "/activate",
        "expires_in": 600,
        "interval": 1,
    }))
    .into_response()
}

async fn device_poll(
    State(state): State<Arc<EdgeState>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = refused(&state, &headers) {
        return r;
    }
    let code = body["device_code"].as_str().unwrap_or_default();
    match state.devices.lock().unwrap().get(code) {
        Some(Device {
            approved: Some(user),
            ..
        }) => Json(json!({ "status": "approved", "user": user_json(user) })).into_response(),
        Some(_) => Json(json!({ "status": "pending" })).into_response(),
        None => not_found(),
    }
}

async fn link(State(state): State<Arc<EdgeState>>, request: axum::extract::Request) -> Response {
    let (mut parts, _) = request.into_parts();
    if let Some(r) = refused(&state, &parts.headers) {
        return r;
    }
    let Ok(upgrade) = WebSocketUpgrade::from_request_parts(&mut parts, &state).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    upgrade.on_upgrade(move |socket| serve_link(socket, state))
}

async fn serve_link(mut socket: WebSocket, state: Arc<EdgeState>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    *state.control.lock().unwrap() = Some(tx);
    state.links.fetch_add(1, Ordering::SeqCst);
    loop {
        tokio::select! {
            control = rx.recv() => match control {
                Some(Control::Send(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                Some(Control::Drop) | None => return,
            },
            frame = socket.recv() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let message: HostMessage = serde_json::from_str(text.as_str())
                        .unwrap_or_else(|e| panic!("bad frame from the host: {e}: {text}"));
                    state.frames.lock().unwrap().push(message);
                }
                Some(Ok(_)) => {}
                _ => return,
            },
        }
    }
}

impl FakeEdge {
    /// Starts the fake edge, accepting the given enrollment tokens.
    pub async fn start(tokens: &[&str]) -> FakeEdge {
        let state = Arc::new(EdgeState::default());
        *state.tokens.lock().unwrap() = tokens.iter().map(|t| t.to_string()).collect();
        let app = axum::Router::new()
            .route("/api/tunnel-hosts/enroll", post(enroll))
            .route("/api/tunnel-hosts/keys/lookup", post(lookup))
            .route("/api/tunnel-hosts/names/check", post(names_check))
            .route("/api/tunnel-hosts/device", post(device))
            .route("/api/tunnel-hosts/device/poll", post(device_poll))
            .route(durable_state::link::LINK_PATH, get(link))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeEdge {
            addr,
            url: format!("http://{addr}"),
            state,
        }
    }

    /// Registers an OpenSSH public key line for `user`.
    pub fn add_key(&self, public: &str, user: &str) {
        self.state
            .keys
            .lock()
            .unwrap()
            .insert(fingerprint(public), user.to_owned());
    }

    /// Gives `user` `role` in the host's organization (`operator` until then).
    pub fn set_role(&self, user: &str, role: &str) {
        self.state
            .roles
            .lock()
            .unwrap()
            .insert(user.to_owned(), role.to_owned());
    }

    /// Reserves `name` for user `owner` (shown as `owner_name`).
    pub fn reserve(&self, name: &str, owner: &str, owner_name: &str) {
        self.state
            .reserved
            .lock()
            .unwrap()
            .insert(name.to_owned(), (owner.to_owned(), owner_name.to_owned()));
    }

    /// Approves the device authorization showing `user_code`, for `user`.
    pub fn approve(&self, user_code: &str, user: &str) -> Device {
        let mut devices = self.state.devices.lock().unwrap();
        let device = devices
            .values_mut()
            .find(|d| d.user_code == user_code)
            .unwrap_or_else(|| panic!("no device shows {user_code}"));
        device.approved = Some(user.to_owned());
        device.clone()
    }

    /// Sends a kick for tunnel `id` on the current link.
    pub fn kick(&self, id: &str, message: &str) {
        let frame = EdgeMessage::Kick {
            tunnel: id.to_owned(),
            message: message.to_owned(),
        };
        self.control(Control::Send(serde_json::to_string(&frame).unwrap()));
    }

    /// Tells the host someone watches its tunnels for `for_secs`.
    pub fn watch(&self, for_secs: u64) {
        let frame = EdgeMessage::Watch { for_secs };
        self.control(Control::Send(serde_json::to_string(&frame).unwrap()));
    }

    /// How many frames from index `from` on match `found`.
    pub fn count_frames(&self, from: usize, found: impl Fn(&HostMessage) -> bool) -> usize {
        self.frames().iter().skip(from).filter(|f| found(f)).count()
    }

    /// Drops the current link socket.
    pub fn drop_link(&self) {
        self.control(Control::Drop);
    }

    fn control(&self, control: Control) {
        let tx = self.state.control.lock().unwrap().clone();
        tx.expect("a link is connected").send(control).unwrap();
    }

    /// Link sockets accepted so far.
    pub fn links(&self) -> usize {
        self.state.links.load(Ordering::SeqCst)
    }

    /// Frames received so far.
    pub fn frames(&self) -> Vec<HostMessage> {
        self.state.frames.lock().unwrap().clone()
    }

    /// Waits for a frame at index `from` or later matching `found`; returns its index.
    pub async fn wait_frame(
        &self,
        what: &str,
        from: usize,
        found: impl Fn(&HostMessage) -> bool,
    ) -> (usize, HostMessage) {
        let _ = PATIENCE;
        wait_for(what, || {
            let frames = self.frames();
            let hit = frames
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, f)| found(f))
                .map(|(i, f)| (i, f.clone()));
            async move { hit }
        })
        .await
    }
}

/// `SHA256:...` of an OpenSSH public key line.
pub fn fingerprint(public: &str) -> String {
    PublicKey::from_openssh(public)
        .unwrap()
        .fingerprint(HashAlg::Sha256)
        .to_string()
}
