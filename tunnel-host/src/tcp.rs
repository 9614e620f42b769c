//! TCP tunnels: a port from the configured range, each connection piped through a channel.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use rand::RngExt;
use tokio::net::{TcpListener, TcpStream};

use crate::config::PortRange;
use crate::error::{Error, Result};
use crate::host::Ctx;
use crate::stall::StallGuard;
use crate::tunnel::Tunnel;

/// Binds `requested` (which must lie in `range`) or, for `None`, any free port of `range`.
pub(crate) async fn bind(
    ip: IpAddr,
    range: PortRange,
    requested: Option<u16>,
) -> Result<(TcpListener, u16)> {
    if let Some(port) = requested {
        if !range.contains(port) {
            return Err(Error::Forbidden(format!(
                "tcp tunnels use ports {range}; ask for port 0 to get a free one"
            )));
        }
        return match TcpListener::bind(SocketAddr::new(ip, port)).await {
            Ok(listener) => Ok((listener, port)),
            Err(_) => Err(Error::Conflict(format!("port {port} is in use"))),
        };
    }
    let offset = rand::rng().random_range(0..range.len());
    for i in 0..range.len() {
        let port = range.low + ((offset + i) % range.len()) as u16;
        if let Ok(listener) = TcpListener::bind(SocketAddr::new(ip, port)).await {
            return Ok((listener, port));
        }
    }
    Err(Error::Conflict(format!("no free port left in {range}")))
}

/// Accepts visitors on `listener` until the tunnel closes, piping each through the tunnel.
pub(crate) fn spawn_accept_loop(listener: TcpListener, tunnel: Arc<Tunnel>, ctx: &Arc<Ctx>) {
    let tasks = ctx.tasks.clone();
    let stall = ctx.config.visitor_stall_timeout;
    ctx.tasks.spawn(async move {
        loop {
            let accepted = tokio::select! {
                () = tunnel.closed() => break,
                accepted = listener.accept() => accepted,
            };
            match accepted {
                Ok((socket, peer)) => {
                    let _ = socket.set_nodelay(true);
                    let socket = StallGuard::new(socket, stall);
                    tasks.spawn(pipe(socket, peer, Arc::clone(&tunnel)));
                }
                Err(error) => {
                    tracing::warn!(name = tunnel.name(), %error, "tcp tunnel accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
        tracing::debug!(name = tunnel.name(), "tcp tunnel listener closed");
    });
}

async fn pipe(mut socket: StallGuard<TcpStream>, peer: SocketAddr, tunnel: Arc<Tunnel>) {
    let mut upstream = match tunnel.connect(peer).await {
        Ok(stream) => stream,
        Err(error) => {
            tracing::info!(name = tunnel.name(), %peer, %error, "tcp tunnel connection failed");
            return;
        }
    };
    tokio::select! {
        result = tokio::io::copy_bidirectional(&mut socket, &mut upstream) => {
            if let Err(error) = result {
                tracing::debug!(name = tunnel.name(), %peer, %error, "tcp tunnel connection ended");
            }
        }
        () = tunnel.closed() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn binds_inside_the_range() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        // find a free port to build a one-port range around
        let probe = TcpListener::bind((ip, 0)).await.unwrap();
        let port = probe.local_addr().unwrap().port();
        drop(probe);
        let range = PortRange {
            low: port,
            high: port,
        };
        let (first, bound) = bind(ip, range, None).await.unwrap();
        assert_eq!(bound, port);
        assert!(matches!(
            bind(ip, range, None).await,
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            bind(ip, range, Some(port)).await,
            Err(Error::Conflict(_))
        ));
        drop(first);
        let outside = if port > 1024 { port - 1 } else { port + 1 };
        assert!(matches!(
            bind(ip, range, Some(outside)).await,
            Err(Error::Forbidden(_))
        ));
    }
}
