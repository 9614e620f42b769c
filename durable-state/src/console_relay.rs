//! The console relay Durable Object, one per game server: viewers'
//! WebSockets (handed over by edge-api after its authorization point) share
//! one upstream socket to Wings' `/api/servers/{uuid}/ws`. The rules (what a
//! viewer may see and send, renewal and retry timing) are in
//! [`crate::console`]; this file is the runtime around them.
//!
//! Not hibernatable: an outbound WebSocket keeps the object in memory anyway,
//! and the node's token is held only in that memory. The upstream task runs
//! while someone watches: it connects (with the panel's `Origin`), sends
//! `auth` with a token it signs, renews it on a timer and on `token
//! expiring`/`jwt error` on the same socket, and when the socket is lost it
//! tells viewers `reconnecting`, retries with backoff and, once back, asks
//! Wings for its recent logs again.

use std::{cell::RefCell, collections::HashMap, rc::Rc, time::Duration};

use futures_util::StreamExt;
use worker::{
    Date, Delay, DurableObject, Env, Fetch, Headers, Method, Request, RequestInit, Response,
    Result, State, WebSocket, WebSocketPair, WebsocketEvent, durable_object,
    wasm_bindgen_futures::spawn_local,
};

use crate::{
    console::{
        self, Backlog, CLOSE_DELETED, CLOSE_SUSPENDED, ConsoleJoin, ConsoleRequest, ConsoleStatus,
        Frame, FromViewer, FromWings, JOIN_HEADER, RECONNECTED, RECONNECTING, Upstream,
    },
    console_token,
};

/// Overrides the token lifetime in seconds (tests shorten it).
const TOKEN_SECS_VAR: &str = "CONSOLE_TOKEN_SECS";

fn now_ms() -> i64 {
    Date::now().as_millis() as i64
}

struct Viewer {
    ws: WebSocket,
    user_id: String,
    permissions: Vec<String>,
}

/// The relay's state, shared by the request handlers and its tasks.
#[derive(Default)]
struct Relay {
    viewers: HashMap<u64, Viewer>,
    next_viewer: u64,
    upstream: Option<Upstream>,
    /// The open upstream socket, once connected.
    socket: Option<WebSocket>,
    authenticated: bool,
    /// Bumped to stop the running upstream task.
    generation: u64,
    running: bool,
    /// Viewers were told `reconnecting` and not yet `reconnected`.
    reconnecting: bool,
    backlog: Backlog,
    status: Option<Frame>,
    tokens: u64,
    last_renewal_ms: i64,
    /// Counts upstream sockets; a renewal task ends when its socket is not the current one.
    connection: u64,
}

type Shared = Rc<RefCell<Relay>>;

impl Relay {
    fn broadcast(&self, frame: &Frame) {
        for viewer in self.viewers.values() {
            if let Some(frame) = console::for_viewer(&viewer.permissions, frame) {
                let _ = viewer.ws.send_with_str(frame.text());
            }
        }
    }

    /// Sends `auth` with a freshly signed token on the upstream socket.
    fn authenticate(&mut self) {
        let (Some(socket), Some(upstream)) = (&self.socket, &self.upstream) else {
            return;
        };
        self.tokens += 1;
        let jti = format!("{}-{}-{}", upstream.server_uuid, now_ms(), self.tokens);
        match console_token::sign(upstream, now_ms(), &jti) {
            Ok(token) => {
                self.last_renewal_ms = now_ms();
                let _ = socket.send_with_str(Frame::new("auth", &[&token]).text());
            }
            Err(e) => worker::console_error!("console relay: signing failed: {e}"),
        }
    }

    /// Closes viewers (those of `user_id`, or all) with `code` and `reason`.
    fn close(&mut self, user_id: Option<&str>, code: u16, reason: &str) {
        let gone: Vec<u64> = self
            .viewers
            .iter()
            .filter(|(_, v)| user_id.is_none_or(|u| v.user_id == u))
            .map(|(id, _)| *id)
            .collect();
        for id in gone {
            if let Some(viewer) = self.viewers.remove(&id) {
                let _ = viewer.ws.close(Some(code), Some(reason));
            }
        }
        self.stop_if_idle();
    }

    /// With nobody watching, the upstream socket closes.
    fn stop_if_idle(&mut self) {
        if !self.viewers.is_empty() {
            return;
        }
        self.generation += 1;
        self.running = false;
        self.authenticated = false;
        self.reconnecting = false;
        if let Some(socket) = self.socket.take() {
            let _ = socket.close(Some(1000), Some("no viewers"));
        }
    }
}

/// Relays one game server's console.
#[durable_object]
pub struct ConsoleRelay {
    env: Env,
    relay: Shared,
}

impl ConsoleRelay {
    fn token_secs(&self, fallback: u64) -> u64 {
        self.env
            .var(TOKEN_SECS_VAR)
            .ok()
            .and_then(|v| v.to_string().parse::<u64>().ok())
            .filter(|s| *s >= 2)
            .unwrap_or(fallback)
    }

    fn join(&self, req: &Request) -> Result<Response> {
        let Some(join) = req.headers().get(JOIN_HEADER)? else {
            return Response::error("missing join", 400);
        };
        let mut join: ConsoleJoin = match serde_json::from_str(&join) {
            Ok(join) => join,
            Err(e) => return Response::error(format!("bad join: {e}"), 400),
        };
        join.upstream.token_secs = self.token_secs(join.upstream.token_secs);
        let pair = WebSocketPair::new()?;
        pair.server.accept()?;
        let start = {
            let mut relay = self.relay.borrow_mut();
            let id = relay.next_viewer;
            relay.next_viewer += 1;
            if relay.upstream.as_ref().map(|u| &u.url) != Some(&join.upstream.url) {
                // A node moved or was edited: the next connection uses it.
                if let Some(socket) = relay.socket.take() {
                    let _ = socket.close(Some(1012), Some("upstream changed"));
                }
            }
            relay.upstream = Some(join.upstream);
            for frame in relay.status.iter().cloned().chain(relay.backlog.frames()) {
                if let Some(frame) = console::for_viewer(&join.permissions, &frame) {
                    let _ = pair.server.send_with_str(frame.text());
                }
            }
            if relay.reconnecting {
                let _ = pair
                    .server
                    .send_with_str(Frame::new(RECONNECTING, &[]).text());
            }
            relay.viewers.insert(
                id,
                Viewer {
                    ws: pair.server.clone(),
                    user_id: join.user_id,
                    permissions: join.permissions,
                },
            );
            spawn_local(viewer_loop(self.relay.clone(), id, pair.server));
            if relay.running {
                None
            } else {
                relay.running = true;
                relay.generation += 1;
                Some(relay.generation)
            }
        };
        if let Some(generation) = start {
            spawn_local(upstream_loop(self.relay.clone(), generation));
        }
        Response::from_websocket(pair.client)
    }

    fn request(&self, request: ConsoleRequest) -> Result<Response> {
        let mut relay = self.relay.borrow_mut();
        if let ConsoleRequest::Close {
            user_id,
            code,
            reason,
        } = request
        {
            relay.close(user_id.as_deref(), code, &reason);
        }
        Response::from_json(&ConsoleStatus {
            viewers: relay.viewers.len(),
            upstream: relay.authenticated,
        })
    }
}

impl DurableObject for ConsoleRelay {
    fn new(_state: State, env: Env) -> Self {
        ConsoleRelay {
            env,
            relay: Rc::new(RefCell::new(Relay::default())),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let upgrade = req.headers().get("upgrade")?.unwrap_or_default();
        if upgrade.eq_ignore_ascii_case("websocket") {
            return self.join(&req);
        }
        match req.json::<ConsoleRequest>().await {
            Ok(request) => self.request(request),
            Err(e) => Response::error(format!("bad console request: {e}"), 400),
        }
    }
}

/// Reads one viewer's frames until their socket closes.
async fn viewer_loop(relay: Shared, id: u64, ws: WebSocket) {
    let Ok(mut events) = ws.events() else {
        relay.borrow_mut().viewers.remove(&id);
        return;
    };
    while let Some(event) = events.next().await {
        let text = match event {
            Ok(WebsocketEvent::Message(message)) => match message.text() {
                Some(text) => text,
                None => continue,
            },
            Ok(WebsocketEvent::Close(_)) | Err(_) => break,
        };
        let r = relay.borrow();
        let Some(viewer) = r.viewers.get(&id) else {
            break;
        };
        match console::from_viewer(&viewer.permissions, &text) {
            FromViewer::Forward(frame) => {
                if let (true, Some(socket)) = (r.authenticated, &r.socket) {
                    let _ = socket.send_with_str(frame.text());
                }
            }
            FromViewer::Logs => {
                for frame in r.backlog.frames() {
                    let _ = viewer.ws.send_with_str(frame.text());
                }
            }
            FromViewer::Drop => {}
        }
    }
    let mut relay = relay.borrow_mut();
    relay.viewers.remove(&id);
    relay.stop_if_idle();
}

fn current(relay: &Shared, generation: u64) -> bool {
    let relay = relay.borrow();
    relay.generation == generation && !relay.viewers.is_empty()
}

/// Opens the upstream socket with the panel's `Origin`.
async fn connect(upstream: &Upstream) -> Result<WebSocket> {
    let headers = Headers::new();
    headers.set("upgrade", "websocket")?;
    headers.set("origin", &upstream.origin)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let request = Request::new_with_init(&upstream.url, &init)?;
    let response = Fetch::Request(request).send().await?;
    let status = response.status_code();
    match response.websocket() {
        Some(ws) => Ok(ws),
        None => Err(worker::Error::RustError(format!(
            "wings answered {status} instead of a websocket"
        ))),
    }
}

/// Keeps the upstream socket while `generation` is current.
async fn upstream_loop(relay: Shared, generation: u64) {
    let mut attempt = 0u32;
    while current(&relay, generation) {
        let Some(upstream) = relay.borrow().upstream.clone() else {
            break;
        };
        let outcome = match connect(&upstream).await {
            Ok(ws) => pump(&relay, generation, ws).await,
            Err(e) => {
                worker::console_warn!("console relay: connecting to wings failed: {e}");
                Lost::Retry {
                    authenticated: false,
                }
            }
        };
        if !current(&relay, generation) {
            break;
        }
        match outcome {
            Lost::Suspended => {
                relay
                    .borrow_mut()
                    .close(None, CLOSE_SUSPENDED, "the server is suspended");
                break;
            }
            Lost::Retry { authenticated } => {
                if authenticated {
                    attempt = 0;
                }
                let mut r = relay.borrow_mut();
                r.socket = None;
                r.authenticated = false;
                if !r.reconnecting {
                    r.reconnecting = true;
                    r.broadcast(&Frame::new(RECONNECTING, &[]));
                }
            }
        }
        Delay::from(Duration::from_millis(console::backoff_ms(attempt))).await;
        attempt = attempt.saturating_add(1);
    }
    let mut r = relay.borrow_mut();
    if r.generation == generation {
        r.running = false;
    }
}

/// How an upstream socket ended.
enum Lost {
    /// Wings closed it with 4409.
    Suspended,
    /// Anything else: try again (sooner if it had authenticated).
    Retry { authenticated: bool },
}

/// Runs one upstream socket: auth, renewals, frames to viewers.
async fn pump(relay: &Shared, generation: u64, ws: WebSocket) -> Lost {
    if ws.accept().is_err() {
        return Lost::Retry {
            authenticated: false,
        };
    }
    let Ok(mut events) = ws.events() else {
        return Lost::Retry {
            authenticated: false,
        };
    };
    let (connection, token_secs) = {
        let mut r = relay.borrow_mut();
        r.socket = Some(ws.clone());
        r.connection += 1;
        r.authenticated = false;
        r.authenticate();
        (
            r.connection,
            r.upstream.as_ref().map_or(600, |u| u.token_secs),
        )
    };
    spawn_local(renewals(relay.clone(), generation, connection, token_secs));
    let mut authenticated = false;
    while let Some(event) = events.next().await {
        if !current(relay, generation) {
            let _ = ws.close(Some(1000), Some("no viewers"));
            break;
        }
        let text = match event {
            Ok(WebsocketEvent::Message(message)) => match message.text() {
                Some(text) => text,
                None => continue,
            },
            Ok(WebsocketEvent::Close(close)) => {
                if close.code() == CLOSE_SUSPENDED {
                    return Lost::Suspended;
                }
                break;
            }
            Err(_) => break,
        };
        let Ok(frame) = serde_json::from_str::<Frame>(&text) else {
            continue;
        };
        let mut r = relay.borrow_mut();
        match console::from_wings(frame) {
            FromWings::Renew => {
                // One renewal a second at most: Wings may repeat the frame.
                if now_ms() - r.last_renewal_ms >= 1_000 {
                    r.authenticate();
                }
            }
            FromWings::Authenticated => {
                authenticated = true;
                if !r.authenticated {
                    r.authenticated = true;
                    if r.reconnecting {
                        // Viewers clear their screens on RECONNECTED; Wings' last lines follow.
                        r.reconnecting = false;
                        r.backlog.clear();
                        r.broadcast(&Frame::new(RECONNECTED, &[]));
                        let _ = ws.send_with_str(Frame::new("send logs", &[]).text());
                    } else if r.backlog.is_empty() {
                        // The first connection: Wings' last lines (while running) fill
                        // the backlog and reach the viewers who joined before them.
                        let _ = ws.send_with_str(Frame::new("send logs", &[]).text());
                    }
                }
            }
            FromWings::Broadcast(frame) => {
                match frame.event.as_str() {
                    "console output" => r.backlog.push(&frame.args.concat()),
                    "status" => r.status = Some(frame.clone()),
                    "deleted" => {
                        r.broadcast(&frame);
                        r.close(None, CLOSE_DELETED, "the server was deleted");
                        continue;
                    }
                    _ => {}
                }
                r.broadcast(&frame);
            }
        }
    }
    Lost::Retry { authenticated }
}

/// Renews the token of upstream socket `connection` at four fifths of its life while it is the
/// relay's socket.
async fn renewals(relay: Shared, generation: u64, connection: u64, token_secs: u64) {
    loop {
        Delay::from(Duration::from_millis(console::renew_after_ms(token_secs))).await;
        let mut r = relay.borrow_mut();
        if r.connection != connection || r.socket.is_none() || r.generation != generation {
            break;
        }
        if now_ms() - r.last_renewal_ms >= 1_000 {
            r.authenticate();
        }
    }
}
