//! Upstream HTTP/1.1 connections over tunnel channels, one kept per visitor connection.

use std::net::SocketAddr;
use std::sync::Arc;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::error::Error;
use crate::tunnel::Tunnel;

use super::proxy::ProxyBody;

/// Why a request could not be sent upstream.
#[derive(Debug)]
pub(crate) enum UpstreamError {
    /// No channel to the client could be opened.
    Open(Error),
    /// The upstream HTTP exchange failed.
    Http(hyper::Error),
}

/// Per visitor connection: the upstream connection reused for its keep-alive requests.
pub(crate) struct ConnState {
    pub(crate) peer: SocketAddr,
    /// Whether the visitor came over TLS.
    pub(crate) secure: bool,
    cached: Mutex<Option<Cached>>,
}

struct Cached {
    tunnel: Uuid,
    sender: SendRequest<ProxyBody>,
}

impl ConnState {
    pub(crate) fn new(peer: SocketAddr, secure: bool) -> Self {
        ConnState {
            peer,
            secure,
            cached: Mutex::new(None),
        }
    }

    /// Sends `req` on this visitor's upstream connection to `tunnel`, opening one if there
    /// is none or it went stale (a request not yet sent is retried on the new one).
    pub(crate) async fn send(
        &self,
        tunnel: &Arc<Tunnel>,
        mut req: Request<ProxyBody>,
    ) -> Result<Response<Incoming>, UpstreamError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_mut()
            && c.tunnel == tunnel.id()
            && !c.sender.is_closed()
            && c.sender.ready().await.is_ok()
        {
            match c.sender.try_send_request(req).await {
                Ok(response) => return Ok(response),
                Err(mut e) => match e.take_message() {
                    Some(unsent) => req = unsent,
                    None => {
                        *cached = None;
                        return Err(UpstreamError::Http(e.into_error()));
                    }
                },
            }
        }
        *cached = None;
        let mut sender = open(tunnel, self.peer).await?;
        let response = sender
            .send_request(req)
            .await
            .map_err(UpstreamError::Http)?;
        *cached = Some(Cached {
            tunnel: tunnel.id(),
            sender,
        });
        Ok(response)
    }
}

/// Opens a fresh upstream connection (upgrades always use one of their own).
pub(crate) async fn open(
    tunnel: &Arc<Tunnel>,
    peer: SocketAddr,
) -> Result<SendRequest<ProxyBody>, UpstreamError> {
    let stream = tunnel.connect(peer).await.map_err(UpstreamError::Open)?;
    let (mut sender, conn) = http1::Builder::new()
        .handshake::<_, ProxyBody>(TokioIo::new(stream))
        .await
        .map_err(UpstreamError::Http)?;
    let tunnel = Arc::clone(tunnel);
    tokio::spawn(async move {
        tokio::select! {
            result = conn.with_upgrades() => {
                if let Err(error) = result {
                    tracing::debug!(name = tunnel.name(), %error, "upstream connection ended");
                }
            }
            // Dropping the connection closes its channel, failing what is in flight.
            () = tunnel.closed() => {}
        }
    });
    sender.ready().await.map_err(UpstreamError::Http)?;
    Ok(sender)
}
