//! The tunnel-host link Durable Object, one per enrolled host: holds the
//! host's WebSocket (hibernatable), runs [`Link`] on its frames, hands
//! what changed to the Worker's event relay (`crate::relay`: webhooks, then
//! the organization's event hub), and relays kicks and
//! watches (someone listing the tunnels: report moving counters).
//!
//! Each accepted socket carries a generation number as its attachment; a
//! newer connection replaces an older one, whose late close event is then
//! ignored. An alarm declares a silent host offline, and a link found
//! without its socket after a restart is offline at once.

use std::{cell::RefCell, time::Duration};

use worker::{
    Date, Delay, DurableObject, Env, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair, durable_object,
};

use crate::{
    link::{
        EdgeMessage, Effects, HOST_ID_HEADER, HostMessage, KickOutcome, Link, LinkReply,
        LinkRequest, LinkStatus, OFFLINE_AFTER_MS, ORG_ID_HEADER,
    },
    relay,
};

const LINK_KEY: &str = "link";
const GENERATION_KEY: &str = "generation";
/// How long a kick waits for the host to confirm.
const KICK_WAIT: Duration = Duration::from_secs(5);
const KICK_POLL: Duration = Duration::from_millis(50);
/// Frames larger than this are not the protocol's.
const MAX_FRAME: usize = 4 * 1024 * 1024;

fn now_ms() -> i64 {
    Date::now().as_millis() as i64
}

/// Holds one tunnel host's link.
#[durable_object]
pub struct TunnelLink {
    state: State,
    env: Env,
    /// Loaded from storage on first use.
    link: RefCell<Option<Link>>,
}

impl TunnelLink {
    async fn load(&self) -> Result<()> {
        if self.link.borrow().is_some() {
            return Ok(());
        }
        let stored = self.state.storage().get::<Link>(LINK_KEY).await?;
        {
            let mut link = self.link.borrow_mut();
            if link.is_some() {
                return Ok(());
            }
            *link = stored;
        }
        self.reconcile().await
    }

    /// A link stored as connected whose socket is gone lost it without a
    /// close event (the runtime restarted, as on a deploy): the host is
    /// offline now, not when the alarm finds it silent.
    async fn reconcile(&self) -> Result<()> {
        if !self.with_link(|l| l.connected) {
            return Ok(());
        }
        for ws in self.state.get_websockets() {
            if self.current(&ws).await? {
                return Ok(());
            }
        }
        let effects = self.with_link(|l| l.disconnected(now_ms()));
        self.apply(effects).await
    }

    /// Runs `f` on the link (a fresh one for `host_id`/`org_id` if none).
    fn with_link<T>(&self, f: impl FnOnce(&mut Link) -> T) -> T {
        f(self.link.borrow_mut().get_or_insert_with(Link::default))
    }

    /// Saves the link and hands its events, in order, to the Worker's
    /// relay (`crate::relay`), which offers them to the organization's
    /// webhooks and publishes them to its hub; that never fails the link.
    async fn apply(&self, effects: Effects) -> Result<()> {
        if effects.changed {
            let link = self.link.borrow().clone();
            if let Some(link) = link {
                self.state.storage().put(LINK_KEY, link).await?;
            }
        }
        let org_id = self.with_link(|l| l.org_id.clone());
        if !org_id.is_empty() {
            relay::relay(self.env.clone(), org_id, effects.events).await;
        }
        Ok(())
    }

    async fn generation(&self) -> Result<u64> {
        Ok(self
            .state
            .storage()
            .get::<u64>(GENERATION_KEY)
            .await?
            .unwrap_or(0))
    }

    /// Whether `ws` is the current connection.
    async fn current(&self, ws: &WebSocket) -> Result<bool> {
        let mine = ws.deserialize_attachment::<u64>().ok().flatten();
        Ok(mine.is_some() && mine == Some(self.generation().await?))
    }

    async fn schedule_check(&self, at_ms: i64) -> Result<()> {
        let delay = u64::try_from(at_ms - now_ms()).unwrap_or(0).max(1_000);
        self.state
            .storage()
            .set_alarm(Duration::from_millis(delay))
            .await
    }

    async fn accept_host(&self, req: &Request) -> Result<Response> {
        let headers = req.headers();
        let (Some(host_id), Some(org_id)) =
            (headers.get(HOST_ID_HEADER)?, headers.get(ORG_ID_HEADER)?)
        else {
            return Response::error("missing host", 400);
        };
        self.load().await?;
        let generation = self.generation().await? + 1;
        self.state.storage().put(GENERATION_KEY, generation).await?;
        for old in self.state.get_websockets() {
            let _ = old.close(Some(4000), Some("replaced by a newer connection"));
        }
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        pair.server.serialize_attachment(generation)?;
        let effects = self.with_link(|link| {
            if link.host_id != host_id {
                *link = Link::new(&host_id, &org_id);
            }
            link.connected(now_ms())
        });
        self.apply(effects).await?;
        self.schedule_check(now_ms() + OFFLINE_AFTER_MS).await?;
        Response::from_websocket(pair.client)
    }

    async fn kick(&self, tunnel: String, message: String) -> Result<KickOutcome> {
        self.load().await?;
        let now = now_ms();
        let (online, has) = self.with_link(|l| (l.online(now), l.has(&tunnel)));
        if !online {
            return Ok(KickOutcome::Offline);
        }
        if !has {
            return Ok(KickOutcome::NotFound);
        }
        let frame = serde_json::to_string(&EdgeMessage::Kick {
            tunnel: tunnel.clone(),
            message,
        })?;
        let mut sent = false;
        for ws in self.state.get_websockets() {
            if self.current(&ws).await? {
                sent = ws.send_with_str(&frame).is_ok();
            }
        }
        if !sent {
            return Ok(KickOutcome::Offline);
        }
        // The host's `Closed` frame arrives through `websocket_message`
        // meanwhile and removes the tunnel.
        let polls = KICK_WAIT.as_millis() / KICK_POLL.as_millis();
        for _ in 0..polls {
            Delay::from(KICK_POLL).await;
            if !self.with_link(|l| l.has(&tunnel)) {
                return Ok(KickOutcome::Closed);
            }
        }
        Ok(KickOutcome::Sent)
    }

    /// The status, for someone watching: tells the host to report moving
    /// counters unless it was told lately.
    async fn watch(&self) -> Result<LinkStatus> {
        self.load().await?;
        let now = now_ms();
        let (status, watch) = self.with_link(|l| (l.status(now), l.watch(now)));
        let Some(watch) = watch else {
            return Ok(status);
        };
        let frame = serde_json::to_string(&watch)?;
        let mut sent = false;
        for ws in self.state.get_websockets() {
            if self.current(&ws).await? {
                sent = ws.send_with_str(&frame).is_ok();
            }
        }
        if !sent {
            self.with_link(Link::watch_unsent);
        }
        self.apply(Effects {
            changed: true,
            ..Effects::default()
        })
        .await?;
        Ok(status)
    }

    async fn forget(&self) -> Result<()> {
        for ws in self.state.get_websockets() {
            let _ = ws.close(Some(4001), Some("this host was deleted"));
        }
        self.state.storage().delete_all().await?;
        self.state.storage().delete_alarm().await?;
        *self.link.borrow_mut() = None;
        Ok(())
    }
}

impl DurableObject for TunnelLink {
    fn new(state: State, env: Env) -> Self {
        TunnelLink {
            state,
            env,
            link: RefCell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let upgrade = req.headers().get("upgrade")?.unwrap_or_default();
        if upgrade.eq_ignore_ascii_case("websocket") {
            return self.accept_host(&req).await;
        }
        let request: LinkRequest = match req.json().await {
            Ok(request) => request,
            Err(e) => return Response::error(format!("bad link request: {e}"), 400),
        };
        let reply = match request {
            LinkRequest::Status => {
                self.load().await?;
                LinkReply::Status(self.with_link(|l| l.status(now_ms())))
            }
            LinkRequest::Kick { tunnel, message } => LinkReply::Kick {
                outcome: self.kick(tunnel, message).await?,
            },
            LinkRequest::Forget => {
                self.forget().await?;
                LinkReply::Forgotten
            }
            LinkRequest::Watch => LinkReply::Status(self.watch().await?),
        };
        Response::from_json(&reply)
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let WebSocketIncomingMessage::String(text) = message else {
            return Ok(());
        };
        if text.len() > MAX_FRAME || !self.current(&ws).await? {
            return Ok(());
        }
        let message: HostMessage = match serde_json::from_str(&text) {
            Ok(message) => message,
            Err(e) => {
                worker::console_warn!("tunnel link: ignoring a malformed frame: {e}");
                return Ok(());
            }
        };
        self.load().await?;
        let effects = self.with_link(|l| l.receive(message, now_ms()));
        self.apply(effects).await
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> Result<()> {
        self.closed(&ws).await
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> Result<()> {
        self.closed(&ws).await
    }

    async fn alarm(&self) -> Result<Response> {
        self.load().await?;
        let now = now_ms();
        let (connected, online, last_seen) =
            self.with_link(|l| (l.connected, l.online(now), l.last_seen_ms));
        if connected && !online {
            for ws in self.state.get_websockets() {
                let _ = ws.close(Some(4002), Some("no heartbeat"));
            }
            let effects = self.with_link(|l| l.disconnected(now));
            self.apply(effects).await?;
        } else if connected {
            self.schedule_check(last_seen.unwrap_or(now) + OFFLINE_AFTER_MS)
                .await?;
        }
        Response::empty()
    }
}

impl TunnelLink {
    async fn closed(&self, ws: &WebSocket) -> Result<()> {
        if !self.current(ws).await? {
            return Ok(());
        }
        self.load().await?;
        if !self.with_link(|l| l.connected) {
            return Ok(());
        }
        let effects = self.with_link(|l| l.disconnected(now_ms()));
        self.apply(effects).await
    }
}
