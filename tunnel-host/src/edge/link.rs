//! The link: one WebSocket to the edge reporting tunnels (hello, opened/closed, heartbeats,
//! and moving counters while the edge watches) and carrying kicks and watches back.
//! Reconnects forever; the registry never waits for it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use durable_state::link::{EdgeMessage, HostAddress, HostMessage, LinkTunnel};
use futures_util::{SinkExt, StreamExt};
use rand::RngExt;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};
use crate::event::{CloseReason, Command, TunnelEvent};
use crate::registry::Registry;
use crate::tunnel::{TunnelInfo, TunnelKind};

use super::client::HOST_HEADER;
use super::stats::{self, Stats};

/// Longest the WebSocket connect (TCP, TLS, upgrade) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Longest one frame may take to write.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Time given to the last frames and the close frame on shutdown.
const CLOSE_WAIT: Duration = Duration::from_secs(2);
/// A connection up this long resets the reconnect backoff.
const STABLE: Duration = Duration::from_secs(60);

/// What the link needs; built by [`super::Edge::link`]. `Debug` hides the credential.
#[derive(Clone)]
pub struct LinkConfig {
    /// `ws://…/api/tunnel-hosts/link` or `wss://…`.
    pub url: String,
    /// `fth_...`, sent as `X-Flamingo-Host`.
    pub credential: String,
    /// Interval between heartbeats.
    pub heartbeat: Duration,
    /// The machine's hostname, for `Hello`.
    pub hostname: Option<String>,
    /// Where people reach this host, for `Hello` (set once the listeners are bound).
    pub address: Option<HostAddress>,
}

impl fmt::Debug for LinkConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkConfig")
            .field("url", &self.url)
            .field("heartbeat", &self.heartbeat)
            .field("hostname", &self.hostname)
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

/// Exponential reconnect delays: 1 s doubling up to 60 s, each jittered into its upper half.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    /// First delay.
    pub const INITIAL: Duration = Duration::from_secs(1);
    /// Largest delay.
    pub const MAX: Duration = Duration::from_secs(60);

    /// A backoff at its first step.
    pub fn new() -> Backoff {
        Backoff {
            next: Self::INITIAL,
        }
    }

    /// The next delay before jitter, advancing the schedule.
    pub fn next_base(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        base
    }

    /// The next delay to sleep: the base scaled into `[base/2, base)` at random.
    pub fn next_delay(&mut self) -> Duration {
        let base = self.next_base();
        jitter(base, rand::rng().random_range(0.0..1.0))
    }

    /// Back to the first step (after a connection that held).
    pub fn reset(&mut self) {
        self.next = Self::INITIAL;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new()
    }
}

/// `base` scaled by `0.5 + r/2` for `r` in `[0, 1)`.
fn jitter(base: Duration, r: f64) -> Duration {
    base.mul_f64(0.5 + r.clamp(0.0, 1.0) / 2.0)
}

/// A tunnel as the link reports it.
pub fn link_tunnel(info: &TunnelInfo) -> LinkTunnel {
    LinkTunnel {
        id: info.id.to_string(),
        name: info.name.clone(),
        kind: match info.kind {
            TunnelKind::Http => "http",
            TunnelKind::Tcp => "tcp",
        }
        .to_owned(),
        user: info.user.clone(),
        client_addr: info.client_addr.clone(),
        public_url: info.public_url.clone(),
        opened_at: info.opened_at.clone(),
        bytes_in: info.bytes_in,
        bytes_out: info.bytes_out,
        requests: info.requests,
    }
}

/// The snake_case kind of a close reason, as `Closed.reason` carries it.
pub fn reason_kind(reason: &CloseReason) -> &'static str {
    match reason {
        CloseReason::Cancelled => "cancelled",
        CloseReason::SessionEnded => "session_ended",
        CloseReason::Kicked { .. } => "kicked",
        CloseReason::TakenOver => "taken_over",
        CloseReason::Shutdown => "shutdown",
    }
}

/// The frame a registry event becomes.
pub fn frame_for(event: &TunnelEvent) -> HostMessage {
    match event {
        TunnelEvent::Opened { tunnel } => HostMessage::Opened {
            tunnel: link_tunnel(tunnel),
        },
        TunnelEvent::Closed { tunnel, reason } => HostMessage::Closed {
            tunnel: link_tunnel(tunnel),
            reason: reason_kind(reason).to_owned(),
        },
    }
}

fn hello(config: &LinkConfig, registry: &Registry) -> HostMessage {
    HostMessage::Hello {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        hostname: config.hostname.clone(),
        tunnels: registry.list().iter().map(link_tunnel).collect(),
        address: config.address.clone(),
    }
}

fn heartbeat(registry: &Registry) -> HostMessage {
    HostMessage::Heartbeat {
        tunnels: registry.list().iter().map(link_tunnel).collect(),
    }
}

/// Keeps the link to the edge up until `stop`, reconnecting with [`Backoff`].
pub async fn run(config: LinkConfig, registry: Registry, stop: CancellationToken) {
    let connector = match tls_connector() {
        Ok(c) => c,
        Err(error) => {
            tracing::error!(%error, "edge link disabled: no tls");
            return;
        }
    };
    let mut backoff = Backoff::new();
    loop {
        let started = Instant::now();
        let mut up = false;
        let outcome = session(&config, &registry, &stop, &connector, &mut up).await;
        let error = match outcome {
            Ok(()) => break,
            Err(error) => error,
        };
        if up && started.elapsed() >= STABLE {
            backoff.reset();
        }
        let delay = backoff.next_delay();
        tracing::warn!(%error, retry_in = ?delay, "edge link down");
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep(delay) => {}
        }
    }
    tracing::debug!("edge link stopped");
}

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// One connection: `Ok` when stopped, `Err` when it failed or dropped. `up` turns true
/// once `Hello` went out.
async fn session(
    config: &LinkConfig,
    registry: &Registry,
    stop: &CancellationToken,
    connector: &Connector,
    up: &mut bool,
) -> Result<()> {
    let socket = tokio::select! {
        () = stop.cancelled() => return Ok(()),
        socket = connect(config, connector) => socket?,
    };
    let (mut sink, mut stream) = socket.split();
    // Subscribed before the snapshot: an event racing it is repeated, never lost.
    let mut events = registry.subscribe();
    let mut stats = Stats::default();
    report(&mut sink, &mut stats, &hello(config, registry)).await?;
    *up = true;
    tracing::info!(edge = %config.url, "edge link up");
    let mut ticks = tokio::time::interval_at(Instant::now() + config.heartbeat, config.heartbeat);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut stats_ticks =
        tokio::time::interval_at(Instant::now() + stats::INTERVAL, stats::INTERVAL);
    stats_ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        let watched = stats.watched(Instant::now());
        tokio::select! {
            () = stop.cancelled() => {
                let _ = tokio::time::timeout(CLOSE_WAIT, async {
                    // The closes the shutdown itself caused, then goodbye.
                    loop {
                        match events.try_recv() {
                            Ok(event) => send(&mut sink, &frame_for(&event)).await?,
                            Err(TryRecvError::Lagged(_)) => {}
                            Err(_) => break,
                        }
                    }
                    sink.send(Message::Close(None)).await.map_err(ws_error)
                })
                .await;
                return Ok(());
            }
            event = events.recv() => match event {
                Ok(event) => report(&mut sink, &mut stats, &frame_for(&event)).await?,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "edge link fell behind the tunnel events; resending all");
                    report(&mut sink, &mut stats, &hello(config, registry)).await?;
                }
                Err(RecvError::Closed) => return Ok(()),
            },
            _ = ticks.tick() => report(&mut sink, &mut stats, &heartbeat(registry)).await?,
            _ = stats_ticks.tick(), if watched => {
                let due = stats.watched(Instant::now()).then(|| stats.frame(&registry.list()));
                if let Some(frame) = due.flatten() {
                    report(&mut sink, &mut stats, &frame).await?;
                }
            }
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if let Some(for_secs) = obey(text.as_str(), registry) {
                        // On demand: what moved goes out now, then every interval.
                        stats.watch(for_secs, Instant::now());
                        if let Some(frame) = stats.frame(&registry.list()) {
                            report(&mut sink, &mut stats, &frame).await?;
                        }
                        stats_ticks.reset();
                    }
                }
                Some(Ok(Message::Close(_))) | None => {
                    return Err(Error::Edge("the edge closed the link".into()));
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => return Err(ws_error(error)),
            },
        }
    }
}

async fn connect(config: &LinkConfig, connector: &Connector) -> Result<Socket> {
    let mut request = config
        .url
        .as_str()
        .into_client_request()
        .map_err(|e| Error::Edge(format!("link url: {e}")))?;
    let mut credential = HeaderValue::from_str(&config.credential)
        .map_err(|_| Error::Edge("the host credential is not a valid header value".into()))?;
    credential.set_sensitive(true);
    request.headers_mut().insert(HOST_HEADER, credential);
    let connector = config.url.starts_with("wss://").then(|| connector.clone());
    let connecting =
        tokio_tungstenite::connect_async_tls_with_config(request, None, true, connector);
    let (socket, _) = tokio::time::timeout(CONNECT_TIMEOUT, connecting)
        .await
        .map_err(|_| Error::Edge("connecting the link timed out".into()))?
        .map_err(|e| match e {
            tungstenite::Error::Http(response) if response.status() == 401 => Error::Edge(
                "the edge refused this host's credential (401); enroll again with --enroll".into(),
            ),
            tungstenite::Error::Http(response) => {
                Error::Edge(format!("link upgrade refused: {}", response.status()))
            }
            other => ws_error(other),
        })?;
    Ok(socket)
}

/// Sends `message`, noting the counters it carries.
async fn report<S>(sink: &mut S, stats: &mut Stats, message: &HostMessage) -> Result<()>
where
    S: SinkExt<Message, Error = tungstenite::Error> + Unpin,
{
    stats.note(message);
    send(sink, message).await
}

async fn send<S>(sink: &mut S, message: &HostMessage) -> Result<()>
where
    S: SinkExt<Message, Error = tungstenite::Error> + Unpin,
{
    let text = serde_json::to_string(message)
        .map_err(|e| Error::Internal(format!("encoding a link frame: {e}")))?;
    tokio::time::timeout(WRITE_TIMEOUT, sink.send(Message::text(text)))
        .await
        .map_err(|_| Error::Edge("writing to the link timed out".into()))?
        .map_err(ws_error)
}

/// Carries out a frame from the edge; a watch is returned (its seconds) for the session.
fn obey(text: &str, registry: &Registry) -> Option<u64> {
    match serde_json::from_str::<EdgeMessage>(text) {
        Ok(EdgeMessage::Watch { for_secs }) => return Some(for_secs),
        Ok(EdgeMessage::Kick { tunnel, message }) => {
            let command = Command::Kick {
                tunnel: tunnel.clone(),
                message,
            };
            match registry.apply(command) {
                Ok(info) => {
                    tracing::info!(tunnel = %info.id, name = %info.name, "tunnel kicked by the edge");
                }
                Err(error) => tracing::info!(%tunnel, %error, "edge kicked a tunnel not open here"),
            }
        }
        Err(error) => tracing::warn!(%error, "unreadable frame from the edge ignored"),
    }
    None
}

fn ws_error(error: tungstenite::Error) -> Error {
    Error::Edge(format!("link: {error}"))
}

/// TLS for `wss://` edges: rustls with ring and the webpki roots.
fn tls_connector() -> Result<Connector> {
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Error::Internal(format!("tls config: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Connector::Rustls(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use super::*;
    use crate::metrics::Metrics;
    use crate::tunnel::SessionId;

    #[test]
    fn tls_for_wss_edges_builds() {
        assert!(matches!(tls_connector(), Ok(Connector::Rustls(_))));
    }

    #[test]
    fn backoff_doubles_to_a_minute_and_resets() {
        let mut b = Backoff::new();
        let secs: Vec<u64> = (0..9).map(|_| b.next_base().as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        b.reset();
        assert_eq!(b.next_base(), Duration::from_secs(1));
    }

    #[test]
    fn jitter_stays_in_the_upper_half() {
        let base = Duration::from_secs(8);
        assert_eq!(jitter(base, 0.0), Duration::from_secs(4));
        assert_eq!(jitter(base, 0.5), Duration::from_secs(6));
        assert!(jitter(base, 0.999) < base);
        let mut b = Backoff::new();
        for _ in 0..20 {
            let d = b.next_delay();
            assert!(
                d >= Duration::from_millis(500) && d <= Backoff::MAX,
                "{d:?}"
            );
        }
    }

    fn info() -> TunnelInfo {
        TunnelInfo {
            id: uuid::Uuid::nil(),
            name: "myapp".into(),
            kind: TunnelKind::Http,
            user: "u-1".into(),
            session: SessionId(7),
            client_addr: "127.0.0.1:5000".into(),
            public_url: "http://myapp.localhost:8080".into(),
            opened_at: "2026-11-22T10:00:00Z".into(),
            bytes_in: 1,
            bytes_out: 2,
            requests: 3,
            connections: 4,
        }
    }

    #[test]
    fn tunnels_map_to_the_wire() {
        let t = link_tunnel(&info());
        assert_eq!(t.id, "00000000-0000-0000-0000-000000000000");
        assert_eq!((t.name.as_str(), t.kind.as_str()), ("myapp", "http"));
        assert_eq!(t.user, "u-1");
        assert_eq!(t.client_addr, "127.0.0.1:5000");
        assert_eq!(t.public_url, "http://myapp.localhost:8080");
        assert_eq!(t.opened_at, "2026-11-22T10:00:00Z");
        assert_eq!((t.bytes_in, t.bytes_out, t.requests), (1, 2, 3));
        let mut tcp = info();
        tcp.kind = TunnelKind::Tcp;
        assert_eq!(link_tunnel(&tcp).kind, "tcp");
    }

    #[test]
    fn events_become_frames_with_snake_case_reasons() {
        let closed = TunnelEvent::Closed {
            tunnel: info(),
            reason: CloseReason::Kicked {
                message: "abuse".into(),
            },
        };
        let json = serde_json::to_value(frame_for(&closed)).unwrap();
        assert_eq!(json["type"], "closed");
        assert_eq!(json["reason"], "kicked");
        assert_eq!(json["tunnel"]["name"], "myapp");
        assert_eq!(reason_kind(&CloseReason::SessionEnded), "session_ended");
        assert_eq!(reason_kind(&CloseReason::TakenOver), "taken_over");
        assert_eq!(reason_kind(&CloseReason::Cancelled), "cancelled");
        assert_eq!(reason_kind(&CloseReason::Shutdown), "shutdown");
        let opened = TunnelEvent::Opened { tunnel: info() };
        assert!(matches!(frame_for(&opened), HostMessage::Opened { .. }));
    }

    #[test]
    fn kicks_close_tunnels_and_junk_is_ignored() {
        struct Nowhere;
        #[async_trait::async_trait]
        impl crate::tunnel::TunnelLink for Nowhere {
            async fn open(&self, _: SocketAddr) -> Result<crate::stream::TunnelStream> {
                Err(Error::Upstream("nowhere".into()))
            }
            fn closed(&self, _: &TunnelInfo, _: &CloseReason) {}
        }
        let registry = Registry::new(Arc::new(Metrics::default()), 10);
        let spec = crate::tunnel::TunnelSpec {
            name: "myapp".into(),
            kind: TunnelKind::Http,
            user: "u-1".into(),
            session: SessionId(1),
            client_addr: "127.0.0.1:1".parse().unwrap(),
            public_url: "http://myapp.localhost".into(),
            https_only: false,
        };
        let tunnel = registry
            .register(spec, Arc::new(Nowhere), crate::registry::Takeover::Never)
            .unwrap();
        assert_eq!(obey("{not json", &registry), None);
        assert_eq!(obey(r#"{"type":"unheard_of"}"#, &registry), None);
        assert_eq!(
            obey(r#"{"type":"watch","for_secs":60}"#, &registry),
            Some(60)
        );
        assert_eq!(registry.list().len(), 1);
        let kick = format!(
            r#"{{"type":"kick","tunnel":"{}","message":"bye"}}"#,
            tunnel.id()
        );
        obey(&kick, &registry);
        assert!(registry.list().is_empty());
        assert!(tunnel.is_closed());
    }
}
