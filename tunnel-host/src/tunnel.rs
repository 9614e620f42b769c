//! One open tunnel: who holds it, its counters, and the [`TunnelLink`] that reaches its client.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio_util::sync::{CancellationToken, WaitForCancellationFuture};
use uuid::Uuid;

use crate::error::Result;
use crate::event::CloseReason;
use crate::metrics::Metrics;
use crate::stream::{CountedStream, TunnelStream};

/// Identifies one SSH session (connection) on this host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct SessionId(pub u64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a tunnel serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TunnelKind {
    /// `http://<name>.<domain>` through the HTTP proxy.
    Http,
    /// A raw TCP port from the configured range.
    Tcp,
}

/// The client end of a tunnel. The SSH session implements it; tests use fakes.
#[async_trait]
pub trait TunnelLink: Send + Sync + 'static {
    /// Opens one stream to the client's local service for a visitor at `originator`.
    async fn open(&self, originator: SocketAddr) -> Result<TunnelStream>;
    /// The host closed the tunnel (kick, takeover, shutdown); tell the client's side.
    fn closed(&self, tunnel: &TunnelInfo, reason: &CloseReason);
    /// The runtime the client's session runs on, where its visitors are best served.
    fn home(&self) -> Option<tokio::runtime::Handle> {
        None
    }
}

/// The fields of a tunnel fixed when it opens.
#[derive(Debug, Clone)]
pub struct TunnelSpec {
    /// Public name: the subdomain for HTTP, `tcp-<port>` for TCP.
    pub name: String,
    /// HTTP or TCP.
    pub kind: TunnelKind,
    /// The user the SSH key belongs to.
    pub user: String,
    /// The SSH session holding the tunnel.
    pub session: SessionId,
    /// The SSH client's address.
    pub client_addr: SocketAddr,
    /// Where visitors reach it (`http://myapp.example.com:8080`, `tcp://example.com:20001`).
    pub public_url: String,
    /// Served over HTTPS only: plain HTTP requests are redirected (the client bound port
    /// 443, `ssh -R myapp:443:localhost:3000`).
    pub https_only: bool,
}

/// A registered tunnel. Shared by the registry, the proxies and the SSH session.
pub struct Tunnel {
    id: Uuid,
    spec: TunnelSpec,
    opened_at: OffsetDateTime,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    requests: AtomicU64,
    connections: AtomicU64,
    link: Arc<dyn TunnelLink>,
    closed: CancellationToken,
    metrics: Arc<Metrics>,
}

impl fmt::Debug for Tunnel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tunnel")
            .field("id", &self.id)
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

impl Tunnel {
    pub(crate) fn new(spec: TunnelSpec, link: Arc<dyn TunnelLink>, metrics: Arc<Metrics>) -> Self {
        Tunnel {
            id: Uuid::new_v4(),
            spec,
            opened_at: OffsetDateTime::now_utc(),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            link,
            closed: CancellationToken::new(),
            metrics,
        }
    }

    /// Unique id of this tunnel.
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// Public name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The fixed fields.
    pub fn spec(&self) -> &TunnelSpec {
        &self.spec
    }

    /// The runtime (data-plane shard) of the tunnel's SSH session, if it has one.
    pub(crate) fn home(&self) -> Option<tokio::runtime::Handle> {
        self.link.home()
    }

    /// Opens a counted stream to the client for a visitor at `originator`.
    pub async fn connect(self: &Arc<Self>, originator: SocketAddr) -> Result<CountedStream> {
        self.connections.fetch_add(1, Ordering::Relaxed);
        self.metrics.connections.fetch_add(1, Ordering::Relaxed);
        let stream = self.link.open(originator).await?;
        Ok(CountedStream::new(stream, Arc::clone(self)))
    }

    /// Counts bytes sent from visitors into the tunnel.
    pub fn add_bytes_in(&self, n: u64) {
        self.bytes_in.fetch_add(n, Ordering::Relaxed);
        self.metrics.bytes_in.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts bytes sent from the client out to visitors.
    pub fn add_bytes_out(&self, n: u64) {
        self.bytes_out.fetch_add(n, Ordering::Relaxed);
        self.metrics.bytes_out.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts one proxied HTTP request.
    pub fn add_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.metrics.http_requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Resolves once the tunnel is closed; every task serving it selects on this.
    pub fn closed(&self) -> WaitForCancellationFuture<'_> {
        self.closed.cancelled()
    }

    /// Whether the tunnel was closed.
    pub fn is_closed(&self) -> bool {
        self.closed.is_cancelled()
    }

    pub(crate) fn close(&self, reason: &CloseReason) {
        self.closed.cancel();
        if !matches!(reason, CloseReason::SessionEnded | CloseReason::Cancelled) {
            self.link.closed(&self.info(), reason);
        }
    }

    /// A serializable snapshot with the counters as of now.
    pub fn info(&self) -> TunnelInfo {
        TunnelInfo {
            id: self.id,
            name: self.spec.name.clone(),
            kind: self.spec.kind,
            user: self.spec.user.clone(),
            session: self.spec.session,
            client_addr: self.spec.client_addr.to_string(),
            public_url: self.spec.public_url.clone(),
            opened_at: self
                .opened_at
                .format(&Rfc3339)
                .unwrap_or_else(|_| self.opened_at.unix_timestamp().to_string()),
            bytes_in: self.bytes_in.load(Ordering::Relaxed),
            bytes_out: self.bytes_out.load(Ordering::Relaxed),
            requests: self.requests.load(Ordering::Relaxed),
            connections: self.connections.load(Ordering::Relaxed),
        }
    }
}

/// A tunnel as the admin API and the event stream show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TunnelInfo {
    /// Unique id.
    pub id: Uuid,
    /// Public name (subdomain, or `tcp-<port>`).
    pub name: String,
    /// `http` or `tcp`.
    pub kind: TunnelKind,
    /// Owner.
    pub user: String,
    /// The SSH session holding it.
    pub session: SessionId,
    /// The SSH client's address.
    pub client_addr: String,
    /// Where visitors reach it.
    pub public_url: String,
    /// When it opened, RFC 3339 UTC.
    pub opened_at: String,
    /// Bytes from visitors into the tunnel.
    pub bytes_in: u64,
    /// Bytes from the client out to visitors.
    pub bytes_out: u64,
    /// HTTP requests proxied.
    pub requests: u64,
    /// Upstream connections (SSH channels) opened.
    pub connections: u64,
}
