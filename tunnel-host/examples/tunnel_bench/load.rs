//! The bench's SSH load generator, built on russh (not OpenSSH processes): thousands of
//! idle tunnels held by one process, each answering a request on its forwarded channel,
//! and a burst of new public-key logins to measure connections per second.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use russh::client::{self, ChannelOpenHandle, Handle, Msg, Session};
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{Channel, Disconnect};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What every forwarded channel answers: one small HTTP/1.1 response, then the end.
const ANSWER: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";

/// A russh client that trusts any host key (loopback bench) and answers forwarded channels.
struct Client;

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, _: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }

    async fn server_channel_open_forwarded_tcpip(
        &mut self,
        channel: Channel<Msg>,
        _connected_address: &str,
        _connected_port: u32,
        _originator_address: &str,
        _originator_port: u32,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        reply.accept().await;
        tokio::spawn(async move {
            let mut stream = channel.into_stream();
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(ANSWER).await;
            let _ = stream.shutdown().await;
        });
        Ok(())
    }
}

fn client_config() -> Arc<client::Config> {
    Arc::new(client::Config {
        nodelay: true,
        inactivity_timeout: None,
        ..client::Config::default()
    })
}

/// One authenticated session to `addr` as `user`.
async fn login(
    config: Arc<client::Config>,
    addr: SocketAddr,
    user: &str,
    key: Arc<PrivateKey>,
) -> anyhow::Result<Handle<Client>> {
    let mut handle = client::connect(config, addr, Client).await?;
    let auth = handle
        .authenticate_publickey(user, PrivateKeyWithHashAlg::new(key, None))
        .await?;
    if !auth.success() {
        bail!("public-key login as {user} refused");
    }
    Ok(handle)
}

/// Idle tunnels held open: one SSH session per tunnel, each with one `-R name:80` forward.
pub struct IdleTunnels {
    handles: Vec<Handle<Client>>,
    /// How long opening them all took.
    pub took: Duration,
}

impl IdleTunnels {
    /// Opens `count` tunnels named `{prefix}{i}`, `parallel` handshakes at a time.
    pub async fn open(
        addr: SocketAddr,
        user: &str,
        key: Arc<PrivateKey>,
        prefix: &str,
        count: usize,
        parallel: usize,
    ) -> anyhow::Result<Self> {
        let config = client_config();
        let started = Instant::now();
        let mut handles = Vec::with_capacity(count);
        let mut running = FuturesUnordered::new();
        let mut next = 0usize;
        while handles.len() < count {
            while next < count && running.len() < parallel {
                let (config, key, name) = (
                    Arc::clone(&config),
                    Arc::clone(&key),
                    format!("{prefix}{next}"),
                );
                let user = user.to_owned();
                running.push(async move {
                    let handle = login(config, addr, &user, key).await?;
                    handle
                        .tcpip_forward(name.clone(), 80)
                        .await
                        .with_context(|| format!("forward {name}"))?;
                    anyhow::Ok(handle)
                });
                next += 1;
            }
            let handle = running
                .next()
                .await
                .context("no handshake running")?
                .with_context(|| format!("idle tunnel {} of {count}", handles.len() + 1))?;
            handles.push(handle);
        }
        Ok(IdleTunnels {
            handles,
            took: started.elapsed(),
        })
    }

    /// How many are open.
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// Ends every session.
    pub async fn close(self) {
        for handle in self.handles {
            let _ = handle.disconnect(Disconnect::ByApplication, "", "en").await;
        }
    }
}

/// New SSH connections per second: `count` public-key logins (handshake, auth,
/// disconnect), `parallel` at a time. Returns logins per second.
pub async fn connection_rate(
    addr: SocketAddr,
    user: &str,
    key: Arc<PrivateKey>,
    count: usize,
    parallel: usize,
) -> anyhow::Result<f64> {
    let config = client_config();
    let started = Instant::now();
    let mut running = FuturesUnordered::new();
    let (mut next, mut done) = (0usize, 0usize);
    while done < count {
        while next < count && running.len() < parallel {
            let (config, key, user) = (Arc::clone(&config), Arc::clone(&key), user.to_owned());
            running.push(async move {
                let handle = login(config, addr, &user, key).await?;
                handle
                    .disconnect(Disconnect::ByApplication, "", "en")
                    .await?;
                anyhow::Ok(())
            });
            next += 1;
        }
        running.next().await.context("no login running")??;
        done += 1;
    }
    Ok(count as f64 / started.elapsed().as_secs_f64())
}
