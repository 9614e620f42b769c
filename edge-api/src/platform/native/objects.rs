//! In-process stand-ins for the Durable Objects, answering the same protocol
//! with the same [`Hub`] the event hub object runs.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use async_trait::async_trait;
use axum::body::Body;
use durable_state::{
    hub::{Hub, KEEPALIVE_SECS},
    link::{EdgeMessage, HostMessage, KickOutcome, Link, LinkReply, LinkRequest, LinkStatus},
};

use crate::platform::{
    Platform,
    objects::{
        Arm, ConsoleJoin, ConsoleRequest, ConsoleStatus, HubReply, HubRequest, ObjectError,
        Objects, Subscription,
    },
};

/// One in-process event hub.
#[derive(Debug, Default)]
struct LocalHub {
    hub: Hub,
    /// Whether a keepalive task runs for it.
    ticking: bool,
}

type SharedHub = Arc<Mutex<LocalHub>>;

/// Event hubs held in memory, keyed by name.
#[derive(Debug, Default)]
pub struct LocalObjects {
    pings: Mutex<HashMap<String, u64>>,
    hubs: Mutex<HashMap<String, SharedHub>>,
    links: Mutex<HashMap<String, LocalLink>>,
    /// Requests sent to console relays, by server id, oldest first.
    consoles: Mutex<Vec<(String, ConsoleRequest)>>,
    /// Armed timers: key -> the earliest wake asked for. Nothing fires them
    /// natively; tests call [`crate::alarm::wake`] as the alarm would.
    timers: Mutex<HashMap<String, i64>>,
}

/// A tunnel host's link as the object keeps it, with the frames it would
/// have sent down the host's socket.
#[derive(Debug, Default)]
struct LocalLink {
    link: Link,
    sent: Vec<EdgeMessage>,
}

fn poisoned<T>(_: T) -> ObjectError {
    ObjectError("lock poisoned".into())
}

fn lock(hub: &SharedHub) -> Result<MutexGuard<'_, LocalHub>, ObjectError> {
    hub.lock().map_err(poisoned)
}

impl LocalObjects {
    /// What a host's socket does, for tests: `Some(message)` is a frame from
    /// the host, `None` a socket opening (`connect = true`) or closing.
    /// Its events go through [`crate::record::events::relay`] on
    /// `platform` (whose objects these are), as the object hands them to
    /// the Worker's relay: offered to webhooks, then published to the hub.
    pub async fn host(
        &self,
        platform: &Platform,
        host_id: &str,
        org_id: &str,
        frame: HostFrame,
    ) -> Result<(), ObjectError> {
        let now_ms = now_ms();
        let effects = {
            let mut links = self.links.lock().map_err(poisoned)?;
            let local = links.entry(host_id.to_owned()).or_default();
            if local.link.host_id.is_empty() {
                local.link = Link::new(host_id, org_id);
            }
            match frame {
                HostFrame::Connect => local.link.connected(now_ms),
                HostFrame::Disconnect => local.link.disconnected(now_ms),
                HostFrame::Message(message) => local.link.receive(*message, now_ms),
            }
        };
        crate::record::events::relay(platform, org_id, effects.events).await;
        Ok(())
    }

    /// Requests the edge sent to console relays (`(server id, request)`),
    /// oldest first; clears them.
    pub fn console_requests(&self) -> Result<Vec<(String, ConsoleRequest)>, ObjectError> {
        Ok(std::mem::take(
            &mut *self.consoles.lock().map_err(poisoned)?,
        ))
    }

    /// The timers armed so far (key -> earliest wake, ms); clears them.
    pub fn armed(&self) -> Result<HashMap<String, i64>, ObjectError> {
        Ok(std::mem::take(&mut *self.timers.lock().map_err(poisoned)?))
    }

    /// Frames the edge sent to a host, oldest first; clears them.
    pub fn sent_to(&self, host_id: &str) -> Result<Vec<EdgeMessage>, ObjectError> {
        let mut links = self.links.lock().map_err(poisoned)?;
        Ok(links
            .get_mut(host_id)
            .map(|l| std::mem::take(&mut l.sent))
            .unwrap_or_default())
    }

    fn hub_named(&self, name: &str) -> Result<SharedHub, ObjectError> {
        let mut hubs = self.hubs.lock().map_err(poisoned)?;
        Ok(hubs.entry(name.to_owned()).or_default().clone())
    }

    fn with_hub<T>(&self, name: &str, f: impl FnOnce(&mut Hub) -> T) -> Result<T, ObjectError> {
        let hub = self.hub_named(name)?;
        let mut local = lock(&hub)?;
        Ok(f(&mut local.hub))
    }
}

/// Sends keepalives every [`KEEPALIVE_SECS`] while `hub` has streams, as the
/// object's alarm does. Needs a tokio runtime: returns false without one.
fn tick(hub: &SharedHub) -> bool {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return false;
    };
    let weak = Arc::downgrade(hub);
    runtime.spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(KEEPALIVE_SECS)).await;
            let Some(hub) = weak.upgrade() else { return };
            let Ok(mut local) = hub.lock() else { return };
            if local.hub.keepalive() == 0 {
                local.ticking = false;
                return;
            }
        }
    });
    true
}

#[async_trait]
impl Objects for LocalObjects {
    async fn hub(&self, name: &str, request: HubRequest) -> Result<HubReply, ObjectError> {
        Ok(match request {
            HubRequest::Ping => {
                let mut pings = self.pings.lock().map_err(poisoned)?;
                let count = pings.entry(name.to_owned()).or_default();
                *count += 1;
                HubReply::Pong { count: *count }
            }
            HubRequest::Publish { event } => HubReply::Published {
                id: self.with_hub(name, |hub| hub.publish(event))?,
            },
            HubRequest::Poll(subscription) => {
                HubReply::Backlog(self.with_hub(name, |hub| hub.backlog(&subscription))?)
            }
            HubRequest::Disconnect { user_id, streams } => HubReply::Disconnected {
                streams: self.with_hub(name, |hub| hub.disconnect(&user_id, &streams))? as u64,
            },
            HubRequest::Subscribe(_) => {
                return Err(ObjectError(
                    "subscribe answers with a stream: use Objects::subscribe".into(),
                ));
            }
        })
    }

    async fn subscribe(
        &self,
        name: &str,
        subscription: Subscription,
    ) -> Result<Option<Body>, ObjectError> {
        let hub = self.hub_named(name)?;
        let mut local = lock(&hub)?;
        let Ok(frames) = local.hub.subscribe(subscription) else {
            return Ok(None);
        };
        if !local.ticking {
            local.ticking = tick(&hub);
        }
        Ok(Some(Body::from_stream(frames)))
    }

    async fn link(&self, host_id: &str, request: LinkRequest) -> Result<LinkReply, ObjectError> {
        let now = now_ms();
        let mut links = self.links.lock().map_err(poisoned)?;
        Ok(match request {
            LinkRequest::Status => LinkReply::Status(
                links
                    .get(host_id)
                    .map(|l| l.link.status(now))
                    .unwrap_or_default(),
            ),
            LinkRequest::Kick { tunnel, message } => {
                let outcome = match links.get_mut(host_id) {
                    Some(l) if l.link.online(now) && l.link.has(&tunnel) => {
                        l.sent.push(EdgeMessage::Kick { tunnel, message });
                        // No host here to confirm it.
                        KickOutcome::Sent
                    }
                    Some(l) if l.link.online(now) => KickOutcome::NotFound,
                    _ => KickOutcome::Offline,
                };
                LinkReply::Kick { outcome }
            }
            LinkRequest::Forget => {
                links.remove(host_id);
                LinkReply::Forgotten
            }
            LinkRequest::Watch => LinkReply::Status(match links.get_mut(host_id) {
                Some(l) => {
                    if let Some(watch) = l.link.watch(now) {
                        l.sent.push(watch);
                    }
                    l.link.status(now)
                }
                None => LinkStatus::default(),
            }),
        })
    }

    /// Natively there is no WebSocket runtime to relay with.
    async fn console_join(
        &self,
        _server_id: &str,
        _join: ConsoleJoin,
        _headers: axum::http::HeaderMap,
    ) -> Result<axum::response::Response, ObjectError> {
        Err(ObjectError(
            "the console relay runs only in the Workers runtime".into(),
        ))
    }

    /// Records the request; natively no viewer is ever connected.
    async fn console(
        &self,
        server_id: &str,
        request: ConsoleRequest,
    ) -> Result<ConsoleStatus, ObjectError> {
        self.consoles
            .lock()
            .map_err(poisoned)?
            .push((server_id.to_owned(), request));
        Ok(ConsoleStatus {
            viewers: 0,
            upstream: false,
        })
    }

    async fn timer(&self, arm: Arm) -> Result<(), ObjectError> {
        let mut timers = self.timers.lock().map_err(poisoned)?;
        let at = timers.entry(arm.key).or_insert(arm.at_ms);
        *at = (*at).min(arm.at_ms);
        Ok(())
    }
}

/// What happened on a host's socket (see [`LocalObjects::host`]).
#[derive(Debug, Clone)]
pub enum HostFrame {
    /// The socket opened.
    Connect,
    /// The socket closed.
    Disconnect,
    /// A frame from the host.
    Message(Box<HostMessage>),
}

/// Wall-clock time: the link's online window is measured like the object's.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
