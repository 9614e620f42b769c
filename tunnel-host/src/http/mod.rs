//! The public HTTP proxy: `Host: <name>.<domain>` served through the tunnel's SSH client,
//! over plain HTTP/1.1 and (in [`https`]) over TLS with HTTP/2 or HTTP/1.1 by ALPN.

mod head_guard;
pub(crate) mod headers;
mod https;
mod page;
mod proxy;
mod route;
mod upstream;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::host::Ctx;
use crate::stall::StallGuard;

use self::route::NamedBy;
use self::upstream::ConnState;

use self::head_guard::HeadGuard;
pub(crate) use self::head_guard::HeadLimits;
pub(crate) use self::https::serve_https;

/// Time a visitor gets to send a request's headers.
pub(crate) const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves visitors until `shutdown`, then lets open connections finish their request.
pub(crate) async fn serve(listener: TcpListener, ctx: Arc<Ctx>, shutdown: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (socket, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                tracing::warn!(%error, "http accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let ctx2 = Arc::clone(&ctx);
        route::place(
            &ctx,
            socket,
            peer,
            NamedBy::HostHeader,
            shutdown.clone(),
            move |socket, shutdown| visitor(socket, peer, ctx2, shutdown),
        );
    }
    tracing::debug!("http proxy stopped accepting");
}

/// Serves one plain HTTP visitor connection until it ends, or finishes its requests after
/// `shutdown`.
async fn visitor(socket: TcpStream, peer: SocketAddr, ctx: Arc<Ctx>, shutdown: CancellationToken) {
    let stall = ctx.config.visitor_stall_timeout;
    let limits = ctx.config.head_limits();
    let conn_state = Arc::new(ConnState::new(peer, false));
    let ctx2 = Arc::clone(&ctx);
    let service =
        service_fn(move |req| proxy::handle(Arc::clone(&ctx2), Arc::clone(&conn_state), req));
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true)
        .max_headers(limits.max_headers)
        .serve_connection(
            TokioIo::new(HeadGuard::new(StallGuard::new(socket, stall), limits)),
            service,
        )
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "http connection ended with an error");
            }
        }
        () = shutdown.cancelled() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
