//! The registry of open tunnels: names, ownership, limits, events out and commands in.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::event::{CloseReason, Command, TunnelEvent};
use crate::metrics::{Metrics, OpenTunnels};
use crate::name;
use crate::tunnel::{SessionId, Tunnel, TunnelInfo, TunnelKind, TunnelLink, TunnelSpec};

/// How long a closed HTTP name answers "offline" (502) rather than "unknown" (404).
const OFFLINE_TTL: Duration = Duration::from_secs(3600);
/// Most closed names remembered for the offline page.
const OFFLINE_CAP: usize = 4096;
/// Buffered events per subscriber before it lags.
const EVENT_BUFFER: usize = 1024;

/// Shared handle to the tunnel registry; cheap to clone.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    events: broadcast::Sender<TunnelEvent>,
    metrics: Arc<Metrics>,
    max_tunnels_per_user: usize,
}

#[derive(Default)]
struct State {
    tunnels: HashMap<Uuid, Arc<Tunnel>>,
    names: HashMap<String, Uuid>,
    offline: HashMap<String, Instant>,
}

/// What an HTTP host name resolves to.
#[derive(Debug)]
pub enum Lookup {
    /// An open HTTP tunnel.
    Live(Arc<Tunnel>),
    /// The name had a tunnel recently; its client is gone.
    Offline,
    /// Nothing by that name.
    Unknown,
}

/// Whether registering a name held by the same user replaces their older tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takeover {
    /// Replace the same user's tunnel (an explicit name: they reconnected).
    SameUser,
    /// Never replace (a random name that happened to collide).
    Never,
}

impl Registry {
    /// An empty registry enforcing `max_tunnels_per_user`.
    pub fn new(metrics: Arc<Metrics>, max_tunnels_per_user: usize) -> Self {
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        Registry {
            inner: Arc::new(Inner {
                state: Mutex::new(State::default()),
                events,
                metrics,
                max_tunnels_per_user,
            }),
        }
    }

    /// Subscribes to tunnel events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<TunnelEvent> {
        self.inner.events.subscribe()
    }

    /// The metrics the registry's tunnels count into.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.inner.metrics
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the maps half-updated in a way that
        // matters more than stopping the host, so a poisoned lock is simply taken over.
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A random name no open tunnel uses.
    pub fn unused_random_name(&self) -> String {
        let state = self.state();
        loop {
            let candidate = name::random();
            if !state.names.contains_key(&candidate) {
                return candidate;
            }
        }
    }

    /// Registers a tunnel under `spec.name`.
    ///
    /// Fails with `Conflict` when another user holds the name, `Forbidden` when the user is
    /// at the tunnel limit. The same user's older tunnel of that name is closed first when
    /// `takeover` allows it.
    pub fn register(
        &self,
        spec: TunnelSpec,
        link: Arc<dyn TunnelLink>,
        takeover: Takeover,
    ) -> Result<Arc<Tunnel>> {
        let (tunnel, replaced) = {
            let mut state = self.state();
            let mut replaced = None;
            if let Some(id) = state.names.get(&spec.name).copied()
                && let Some(existing) = state.tunnels.get(&id).cloned()
            {
                if existing.spec().user != spec.user || takeover == Takeover::Never {
                    return Err(Error::Conflict(format!(
                        "the name {:?} is in use by another user",
                        spec.name
                    )));
                }
                replaced = Some(existing);
            }
            let held = state
                .tunnels
                .values()
                .filter(|t| t.spec().user == spec.user)
                .count()
                - usize::from(replaced.is_some());
            if held >= self.inner.max_tunnels_per_user {
                return Err(Error::Forbidden(format!(
                    "tunnel limit reached: {} open tunnels per user",
                    self.inner.max_tunnels_per_user
                )));
            }
            if let Some(old) = &replaced {
                state.remove(old);
            }
            let tunnel = Arc::new(Tunnel::new(spec, link, Arc::clone(&self.inner.metrics)));
            state.offline.remove(tunnel.name());
            state.names.insert(tunnel.name().to_owned(), tunnel.id());
            state.tunnels.insert(tunnel.id(), Arc::clone(&tunnel));
            (tunnel, replaced)
        };
        if let Some(old) = replaced {
            self.finish_close(&old, CloseReason::TakenOver);
        }
        Metrics::inc(&self.inner.metrics.tunnels_opened);
        let info = tunnel.info();
        tracing::info!(
            id = %info.id,
            name = %info.name,
            kind = ?info.kind,
            user = %info.user,
            session = %info.session,
            url = %info.public_url,
            "tunnel opened"
        );
        let _ = self.inner.events.send(TunnelEvent::Opened { tunnel: info });
        Ok(tunnel)
    }

    /// Closes one tunnel; returns its final snapshot, or `None` if it was not open.
    pub fn close(&self, id: Uuid, reason: CloseReason) -> Option<TunnelInfo> {
        let tunnel = {
            let mut state = self.state();
            let tunnel = state.tunnels.get(&id).cloned()?;
            state.remove(&tunnel);
            tunnel
        };
        Some(self.finish_close(&tunnel, reason))
    }

    /// Closes every tunnel of an SSH session (it ended).
    pub fn close_session(&self, session: SessionId, reason: CloseReason) -> usize {
        let ids: Vec<Uuid> = self
            .state()
            .tunnels
            .values()
            .filter(|t| t.spec().session == session)
            .map(|t| t.id())
            .collect();
        ids.into_iter()
            .filter(|id| self.close(*id, reason.clone()).is_some())
            .count()
    }

    /// Closes every tunnel (shutdown).
    pub fn close_all(&self, reason: CloseReason) -> usize {
        let ids: Vec<Uuid> = self.state().tunnels.keys().copied().collect();
        ids.into_iter()
            .filter(|id| self.close(*id, reason.clone()).is_some())
            .count()
    }

    fn finish_close(&self, tunnel: &Arc<Tunnel>, reason: CloseReason) -> TunnelInfo {
        tunnel.close(&reason);
        let info = tunnel.info();
        tracing::info!(
            id = %info.id,
            name = %info.name,
            user = %info.user,
            %reason,
            bytes_in = info.bytes_in,
            bytes_out = info.bytes_out,
            requests = info.requests,
            "tunnel closed"
        );
        let _ = self.inner.events.send(TunnelEvent::Closed {
            tunnel: info.clone(),
            reason,
        });
        info
    }

    /// Carries out a command from the admin API or the edge.
    pub fn apply(&self, command: Command) -> Result<TunnelInfo> {
        match command {
            Command::Kick { tunnel, message } => {
                let found = self.find(&tunnel).ok_or(Error::NotFound)?;
                self.close(found.id(), CloseReason::Kicked { message })
                    .ok_or(Error::NotFound)
            }
        }
    }

    /// Finds an open tunnel by name or id.
    pub fn find(&self, name_or_id: &str) -> Option<Arc<Tunnel>> {
        let state = self.state();
        let id = match state.names.get(name_or_id) {
            Some(id) => *id,
            None => name_or_id.parse::<Uuid>().ok()?,
        };
        state.tunnels.get(&id).cloned()
    }

    /// Resolves an HTTP name for the proxy.
    pub fn lookup_http(&self, name: &str) -> Lookup {
        let state = self.state();
        if let Some(tunnel) = state
            .names
            .get(name)
            .and_then(|id| state.tunnels.get(id))
            .filter(|t| t.spec().kind == TunnelKind::Http)
        {
            return Lookup::Live(Arc::clone(tunnel));
        }
        match state.offline.get(name) {
            Some(at) if at.elapsed() < OFFLINE_TTL => Lookup::Offline,
            _ => Lookup::Unknown,
        }
    }

    /// Snapshots of all open tunnels, oldest first.
    pub fn list(&self) -> Vec<TunnelInfo> {
        let mut all: Vec<TunnelInfo> = self.state().tunnels.values().map(|t| t.info()).collect();
        all.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then(a.name.cmp(&b.name)));
        all
    }

    /// Open tunnels by kind.
    pub fn open_counts(&self) -> OpenTunnels {
        let state = self.state();
        let http = state
            .tunnels
            .values()
            .filter(|t| t.spec().kind == TunnelKind::Http)
            .count();
        OpenTunnels {
            http,
            tcp: state.tunnels.len() - http,
        }
    }

    /// Renders the Prometheus metrics including the open tunnel gauges.
    pub fn render_metrics(&self) -> String {
        self.inner.metrics.render(self.open_counts())
    }
}

impl State {
    fn remove(&mut self, tunnel: &Tunnel) {
        self.tunnels.remove(&tunnel.id());
        if self.names.get(tunnel.name()) == Some(&tunnel.id()) {
            self.names.remove(tunnel.name());
        }
        if tunnel.spec().kind == TunnelKind::Http {
            if self.offline.len() >= OFFLINE_CAP {
                self.offline.retain(|_, at| at.elapsed() < OFFLINE_TTL);
            }
            if self.offline.len() >= OFFLINE_CAP
                && let Some(oldest) = self
                    .offline
                    .iter()
                    .min_by_key(|(_, at)| **at)
                    .map(|(n, _)| n.clone())
            {
                self.offline.remove(&oldest);
            }
            self.offline
                .insert(tunnel.name().to_owned(), Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Mutex as StdMutex;

    use async_trait::async_trait;

    use super::*;
    use crate::stream::TunnelStream;

    #[derive(Default)]
    struct FakeLink {
        closed: StdMutex<Vec<CloseReason>>,
    }

    #[async_trait]
    impl TunnelLink for FakeLink {
        async fn open(&self, _originator: SocketAddr) -> Result<TunnelStream> {
            let (a, _b) = tokio::io::duplex(64);
            Ok(Box::new(a))
        }
        fn closed(&self, _tunnel: &TunnelInfo, reason: &CloseReason) {
            self.closed.lock().unwrap().push(reason.clone());
        }
    }

    fn spec(name: &str, user: &str, session: u64) -> TunnelSpec {
        TunnelSpec {
            name: name.into(),
            kind: TunnelKind::Http,
            user: user.into(),
            session: SessionId(session),
            client_addr: "127.0.0.1:5000".parse().unwrap(),
            public_url: format!("http://{name}.localhost"),
            https_only: false,
        }
    }

    fn registry(max: usize) -> Registry {
        Registry::new(Arc::new(Metrics::default()), max)
    }

    #[test]
    fn another_users_name_is_refused() {
        let r = registry(10);
        r.register(
            spec("app", "alice", 1),
            Arc::new(FakeLink::default()),
            Takeover::SameUser,
        )
        .unwrap();
        let err = r
            .register(
                spec("app", "bob", 2),
                Arc::new(FakeLink::default()),
                Takeover::SameUser,
            )
            .unwrap_err();
        assert!(matches!(err, Error::Conflict(_)));
    }

    #[test]
    fn same_user_takes_the_name_over() {
        let r = registry(10);
        let mut events = r.subscribe();
        let old_link = Arc::new(FakeLink::default());
        let old = r
            .register(
                spec("app", "alice", 1),
                old_link.clone(),
                Takeover::SameUser,
            )
            .unwrap();
        let new = r
            .register(
                spec("app", "alice", 2),
                Arc::new(FakeLink::default()),
                Takeover::SameUser,
            )
            .unwrap();
        assert!(old.is_closed());
        assert_eq!(
            *old_link.closed.lock().unwrap(),
            vec![CloseReason::TakenOver]
        );
        match r.lookup_http("app") {
            Lookup::Live(t) => assert_eq!(t.id(), new.id()),
            other => panic!("expected live, got {other:?}"),
        }
        assert!(matches!(
            events.try_recv().unwrap(),
            TunnelEvent::Opened { .. }
        ));
        assert!(matches!(
            events.try_recv().unwrap(),
            TunnelEvent::Closed {
                reason: CloseReason::TakenOver,
                ..
            }
        ));
        assert!(matches!(
            events.try_recv().unwrap(),
            TunnelEvent::Opened { .. }
        ));
    }

    #[test]
    fn random_collisions_never_take_over() {
        let r = registry(10);
        r.register(
            spec("app", "alice", 1),
            Arc::new(FakeLink::default()),
            Takeover::Never,
        )
        .unwrap();
        assert!(
            r.register(
                spec("app", "alice", 2),
                Arc::new(FakeLink::default()),
                Takeover::Never
            )
            .is_err()
        );
    }

    #[test]
    fn per_user_limit_is_enforced() {
        let r = registry(2);
        for n in ["a", "b"] {
            r.register(
                spec(n, "alice", 1),
                Arc::new(FakeLink::default()),
                Takeover::SameUser,
            )
            .unwrap();
        }
        let err = r
            .register(
                spec("c", "alice", 1),
                Arc::new(FakeLink::default()),
                Takeover::SameUser,
            )
            .unwrap_err();
        assert!(matches!(err, Error::Forbidden(_)));
        // taking over an own name does not count twice
        r.register(
            spec("a", "alice", 2),
            Arc::new(FakeLink::default()),
            Takeover::SameUser,
        )
        .unwrap();
        // other users are unaffected
        r.register(
            spec("c", "bob", 3),
            Arc::new(FakeLink::default()),
            Takeover::SameUser,
        )
        .unwrap();
    }

    #[test]
    fn kick_closes_and_leaves_the_name_offline() {
        let r = registry(10);
        let link = Arc::new(FakeLink::default());
        let t = r
            .register(spec("app", "alice", 1), link.clone(), Takeover::SameUser)
            .unwrap();
        let info = r
            .apply(Command::Kick {
                tunnel: "app".into(),
                message: String::new(),
            })
            .unwrap();
        assert_eq!(info.id, t.id());
        assert!(t.is_closed());
        assert!(matches!(r.lookup_http("app"), Lookup::Offline));
        assert!(matches!(r.lookup_http("other"), Lookup::Unknown));
        assert_eq!(link.closed.lock().unwrap().len(), 1);
        assert!(matches!(
            r.apply(Command::Kick {
                tunnel: "app".into(),
                message: String::new()
            }),
            Err(Error::NotFound)
        ));
    }

    #[test]
    fn session_end_closes_only_that_session_silently() {
        let r = registry(10);
        let link = Arc::new(FakeLink::default());
        r.register(spec("a", "alice", 1), link.clone(), Takeover::SameUser)
            .unwrap();
        r.register(spec("b", "alice", 1), link.clone(), Takeover::SameUser)
            .unwrap();
        r.register(spec("c", "alice", 2), link.clone(), Takeover::SameUser)
            .unwrap();
        assert_eq!(r.close_session(SessionId(1), CloseReason::SessionEnded), 2);
        assert_eq!(r.list().len(), 1);
        assert!(link.closed.lock().unwrap().is_empty());
        assert_eq!(r.open_counts().http, 1);
    }

    #[test]
    fn find_by_id_or_name() {
        let r = registry(10);
        let t = r
            .register(
                spec("app", "alice", 1),
                Arc::new(FakeLink::default()),
                Takeover::SameUser,
            )
            .unwrap();
        assert!(r.find("app").is_some());
        assert!(r.find(&t.id().to_string()).is_some());
        assert!(r.find("nope").is_none());
    }
}
