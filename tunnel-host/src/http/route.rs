//! Which data-plane shard a visitor's connection belongs on: the home of the tunnel its
//! first request names, read by peeking at the socket (nothing is consumed, so the head
//! gate and hyper, or rustls, read the same bytes afterwards on that shard).
//!
//! This is only placement. A connection whose first bytes are late, split, malformed or
//! for no live tunnel goes to the next shard in turn and is served (or refused) there the
//! same way; a keep-alive connection that later asks for another tunnel is still served,
//! across threads.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::uri::Authority;
use tokio::net::TcpStream;
use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;

use crate::host::Ctx;
use crate::metrics::Metrics;
use crate::registry::Lookup;
use crate::shard;

use super::proxy::{Target, target_of};

/// Where a new connection names its tunnel.
#[derive(Debug, Clone, Copy)]
pub(crate) enum NamedBy {
    /// The `Host` header of a plain HTTP/1.x request.
    HostHeader,
    /// The server name of a TLS client hello.
    ServerName,
}

/// Takes a visitor's connection just accepted from `peer`: refuses it if the address holds
/// `--max-visitor-connections-per-ip` already, else finds its tunnel's shard (`by`) and has
/// `serve` run it there, holding the address's place until it ends.
pub(crate) fn place<S, F>(
    ctx: &Arc<Ctx>,
    socket: TcpStream,
    peer: SocketAddr,
    by: NamedBy,
    shutdown: CancellationToken,
    serve: S,
) where
    S: FnOnce(TcpStream, CancellationToken) -> F + Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let Some(slot) = ctx.visitors_per_ip.acquire(peer.ip()) else {
        Metrics::inc(&ctx.metrics().visitor_connections_refused);
        tracing::debug!(%peer, ?by, "visitor connection refused: too many open from this address");
        return;
    };
    let _ = socket.set_nodelay(true);
    let ctx = Arc::clone(ctx);
    let tasks = ctx.tasks.clone();
    tasks.spawn(async move {
        let home = tokio::select! {
            () = shutdown.cancelled() => return,
            home = async {
                match by {
                    NamedBy::HostHeader => request_home(&socket, &ctx).await,
                    NamedBy::ServerName => hello_home(&socket, &ctx).await,
                }
            } => home,
        };
        Metrics::inc(match home {
            Some(_) => &ctx.metrics().visitor_connections_placed,
            None => &ctx.metrics().visitor_connections_unplaced,
        });
        shard::serve_at(
            &ctx.shards,
            home.as_ref(),
            &ctx.tasks,
            socket,
            peer,
            move |socket| async move {
                let _slot = slot;
                serve(socket, shutdown).await;
            },
        );
    });
}

/// How long a new connection's first bytes are waited for before it is placed anywhere.
const PEEK_WAIT: Duration = Duration::from_secs(1);
/// How much of a request head or a TLS client hello is looked at.
const PEEK_BYTES: usize = 4096;

/// The home of the tunnel named by the `Host` header of the request waiting on `socket`.
async fn request_home(socket: &TcpStream, ctx: &Ctx) -> Option<Handle> {
    let bytes = peek(socket).await?;
    home(ctx, host_header(&bytes)?)
}

/// The home of the tunnel named by the SNI of the TLS client hello waiting on `socket`.
async fn hello_home(socket: &TcpStream, ctx: &Ctx) -> Option<Handle> {
    let bytes = peek(socket).await?;
    let mut acceptor = rustls::server::Acceptor::default();
    acceptor.read_tls(&mut &bytes[..]).ok()?;
    let accepted = acceptor.accept().ok().flatten()?;
    let name = accepted.client_hello().server_name()?.to_owned();
    home(ctx, &name)
}

async fn peek(socket: &TcpStream) -> Option<Vec<u8>> {
    let mut buf = vec![0; PEEK_BYTES];
    let n = tokio::time::timeout(PEEK_WAIT, socket.peek(&mut buf))
        .await
        .ok()?
        .ok()?;
    buf.truncate(n);
    Some(buf)
}

fn home(ctx: &Ctx, authority: &str) -> Option<Handle> {
    let authority: Authority = authority.parse().ok()?;
    match target_of(authority.host(), &ctx.config.domain) {
        Target::Tunnel(name) => match ctx.registry.lookup_http(&name) {
            Lookup::Live(tunnel) => tunnel.home(),
            Lookup::Offline | Lookup::Unknown => None,
        },
        Target::Apex | Target::NoSuchName | Target::Bad => None,
    }
}

/// The value of the first `Host` header among the complete (CRLF-ended) header lines of
/// `head`, an HTTP/1.x request head or its start.
fn host_header(head: &[u8]) -> Option<&str> {
    let mut lines = head.split(|&b| b == b'\n');
    lines.next()?; // the request line
    let complete = head.len()
        - head
            .iter()
            .rev()
            .position(|&b| b == b'\n')
            .unwrap_or(head.len());
    let mut seen = head.iter().position(|&b| b == b'\n')? + 1;
    for line in lines {
        seen += line.len() + 1;
        if seen > complete {
            return None;
        }
        let line = line.strip_suffix(b"\r")?;
        if line.is_empty() {
            return None;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if line[..colon].eq_ignore_ascii_case(b"host") {
            return std::str::from_utf8(&line[colon + 1..]).ok().map(str::trim);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::host_header;

    #[test]
    fn the_host_header_is_read_from_complete_lines_only() {
        let head = b"GET / HTTP/1.1\r\nAccept: */*\r\nhOsT:  myapp.example.com:8080 \r\n\r\n";
        assert_eq!(host_header(head), Some("myapp.example.com:8080"));
        assert_eq!(host_header(b"GET / HTTP/1.1\r\nHost: myapp.exa"), None);
        assert_eq!(
            host_header(b"GET / HTTP/1.1\r\nAccept: x\r\n\r\nHost: a\r\n"),
            None
        );
        assert_eq!(host_header(b"GET / HTTP/1.1\r\nHost: a\nX: y\r\n"), None);
        assert_eq!(host_header(b"GET / HTTP/1.1\r\n"), None);
        assert_eq!(host_header(b""), None);
        assert_eq!(
            host_header(b"GET / HTTP/1.1\r\nHost: one\r\nHost: two\r\n"),
            Some("one"),
            "placement only: the head gate refuses two Hosts later"
        );
    }
}
