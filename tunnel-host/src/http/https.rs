//! The HTTPS listener: TLS with the [`Tls`] certificates, then HTTP/2 or HTTP/1.1 (by ALPN)
//! into the same proxy as plain HTTP. ACME validation handshakes end after the handshake.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::LazyConfigAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_util::sync::CancellationToken;

use crate::host::Ctx;
use crate::metrics::Metrics;
use crate::stall::StallGuard;
use crate::tls::{ACME_TLS_ALPN, Tls};

use super::head_guard::HeadGuard;
use super::route::{self, NamedBy};
use super::upstream::ConnState;
use super::{HEADER_READ_TIMEOUT, proxy};

/// Time a visitor gets to complete the TLS handshake (not counting an ACME order).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);
/// Longest a first visitor of a name waits for its certificate to be ordered.
const ORDER_WAIT: Duration = Duration::from_secs(60);

/// Serves HTTPS visitors until `shutdown`, then lets open connections finish their request.
pub(crate) async fn serve_https(
    listener: TcpListener,
    ctx: Arc<Ctx>,
    tls: Arc<Tls>,
    shutdown: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (socket, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                tracing::warn!(%error, "https accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (ctx2, tls) = (Arc::clone(&ctx), Arc::clone(&tls));
        route::place(
            &ctx,
            socket,
            peer,
            NamedBy::ServerName,
            shutdown.clone(),
            move |socket, shutdown| visitor(socket, peer, ctx2, tls, shutdown),
        );
    }
    tracing::debug!("https proxy stopped accepting");
}

/// Serves one HTTPS visitor connection: the handshake, then its requests.
async fn visitor(
    socket: TcpStream,
    peer: SocketAddr,
    ctx: Arc<Ctx>,
    tls: Arc<Tls>,
    shutdown: CancellationToken,
) {
    let stall = ctx.config.visitor_stall_timeout;
    let stream = match handshake(&tls, StallGuard::new(socket, stall)).await {
        Ok(Some(stream)) => stream,
        Ok(None) => return,
        Err(error) => {
            Metrics::inc(&ctx.metrics().tls_handshake_failures);
            tracing::debug!(%peer, %error, "tls handshake failed");
            return;
        }
    };
    let conn_state = Arc::new(ConnState::new(peer, true));
    let ctx2 = Arc::clone(&ctx);
    let service =
        service_fn(move |req| proxy::handle(Arc::clone(&ctx2), Arc::clone(&conn_state), req));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_headers(ctx.config.max_request_headers)
        .keep_alive(true);
    // RFC 8441: WebSockets over HTTP/2 (extended CONNECT).
    builder
        .http2()
        .timer(TokioTimer::new())
        .enable_connect_protocol();
    // HTTP/2 frames its own messages; HTTP/1.1 heads pass the strict gate first.
    let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
    let result = if h2 {
        serve_one(&builder, stream, service, &shutdown).await
    } else {
        let guarded = HeadGuard::new(stream, ctx.config.head_limits());
        serve_one(&builder, guarded, service, &shutdown).await
    };
    if let Err(error) = result {
        tracing::debug!(%peer, %error, "https connection ended with an error");
    }
}

type Visitor = StallGuard<TcpStream>;

/// Serves one connection until it ends, or finishes its requests after `shutdown`.
async fn serve_one<I, S>(
    builder: &auto::Builder<TokioExecutor>,
    io: I,
    service: S,
    shutdown: &CancellationToken,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::Service<
            http::Request<hyper::body::Incoming>,
            Response = http::Response<super::proxy::ProxyBody>,
            Error = std::convert::Infallible,
        > + Send,
    S::Future: Send + 'static,
{
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => result,
        () = shutdown.cancelled() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    }
}

/// Reads the client hello; answers an ACME validation (`Ok(None)`: nothing to serve), or
/// first has a certificate ordered for a name that lacks one (when ACME is on and the name
/// may have one), then completes the handshake. No certificate for the name fails it with
/// an alert.
async fn handshake(tls: &Tls, socket: Visitor) -> std::io::Result<Option<TlsStream<Visitor>>> {
    let timeout = |what| std::io::Error::new(std::io::ErrorKind::TimedOut, what);
    let acceptor = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), socket);
    let start = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor)
        .await
        .map_err(|_| timeout("client hello timed out"))??;
    let hello = start.client_hello();
    let validation = hello
        .alpn()
        .is_some_and(|mut alpn| alpn.next() == Some(ACME_TLS_ALPN) && alpn.next().is_none());
    let server_name = hello.server_name().map(str::to_owned);
    if validation {
        let mut stream = tokio::time::timeout(
            HANDSHAKE_TIMEOUT,
            start.into_stream(Arc::clone(&tls.validation)),
        )
        .await
        .map_err(|_| timeout("validation handshake timed out"))??;
        tracing::debug!(?server_name, "answered an acme validation");
        let _ = tokio::io::AsyncWriteExt::shutdown(&mut stream).await;
        return Ok(None);
    }
    if let (Some(acme), Some(server_name)) = (&tls.acme, &server_name)
        && tls.resolver.name(server_name).is_none()
        && let Some(name) = tls.resolver.tunnel_name(server_name)
    {
        // The order runs on its own: a visitor giving up does not abandon it halfway.
        let acme = Arc::clone(acme);
        let order = tokio::spawn(async move { acme.ensure(&name).await });
        let _ = tokio::time::timeout(ORDER_WAIT, order).await;
    }
    let stream = tokio::time::timeout(
        HANDSHAKE_TIMEOUT,
        start.into_stream(Arc::clone(&tls.visitors)),
    )
    .await
    .map_err(|_| timeout("tls handshake timed out"))??;
    Ok(Some(stream))
}
