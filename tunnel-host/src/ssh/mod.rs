//! The SSH server: hardened russh config, the accept loop, and one task per connection.

mod banner;
mod device_flows;
mod handler;
mod session;

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::keys::{Algorithm, PrivateKey};
use russh::server::Config as RusshConfig;
use russh::{Disconnect, MethodKind, MethodSet, Preferred, SshId, compression, kex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::event::CloseReason;
use crate::host::Ctx;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;

pub(crate) use self::device_flows::DeviceFlows;
use self::handler::SshHandler;
use self::session::{Phase, SessionShared};
use crate::per_ip::{IpSlot, PerIpCap};

/// Keepalives a client may leave unanswered before it is dropped.
const KEEPALIVE_MAX: usize = 3;
/// Largest channel data packet the client may send us.
const MAX_PACKET: u32 = 64 * 1024;
/// How long a session told to disconnect may take to go.
const DISCONNECT_WAIT: Duration = Duration::from_secs(2);

/// The russh server config: publickey only, no compression, strict kex, our limits.
pub(crate) fn server_config(config: &Config, host_key: PrivateKey) -> RusshConfig {
    let mut kex_list: Vec<kex::Name> = Preferred::DEFAULT.kex.to_vec();
    // Terrapin (CVE-2023-48795): advertise OpenSSH strict key exchange.
    for marker in [
        kex::EXTENSION_OPENSSH_STRICT_KEX_AS_SERVER,
        kex::EXTENSION_SUPPORT_AS_SERVER,
    ] {
        if !kex_list.contains(&marker) {
            kex_list.push(marker);
        }
    }
    // No SHA-1: `ssh-rsa` signatures are refused (rsa-sha2-256/512 stay).
    let keys: Vec<Algorithm> = Preferred::DEFAULT
        .key
        .iter()
        .filter(|a| !matches!(a, Algorithm::Rsa { hash: None }))
        .cloned()
        .collect();
    let preferred = Preferred {
        kex: Cow::Owned(kex_list),
        key: Cow::Owned(keys),
        compression: Cow::Borrowed(&[compression::NONE]),
        ..Preferred::DEFAULT
    };
    RusshConfig {
        server_id: SshId::Standard(Cow::Borrowed("SSH-2.0-flamingo-tunnel-host")),
        methods: MethodSet::from(&[MethodKind::PublicKey][..]),
        auth_rejection_time: config.auth_rejection_delay,
        // OpenSSH starts with a "none" probe; answering it slowly would only slow everyone.
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![host_key],
        preferred,
        max_auth_attempts: config.max_auth_attempts,
        // A live client answers keepalives, which resets this; it only catches dead peers.
        inactivity_timeout: Some(config.keepalive_interval * (KEEPALIVE_MAX as u32 + 1)),
        keepalive_interval: Some(config.keepalive_interval),
        keepalive_max: KEEPALIVE_MAX,
        // Only applied by russh's own listener; `connection` sets it on our sockets.
        nodelay: true,
        window_size: 8 * 1024 * 1024,
        // What the client may put in one data packet (the app's responses): fewer, larger
        // packets mean fewer decryptions and channel messages per byte (default 32 KiB).
        maximum_packet_size: MAX_PACKET,
        channel_buffer_size: 256,
        ..RusshConfig::default()
    }
}

/// Accepts SSH connections until `shutdown`, refusing IPs over the per-minute limit.
pub(crate) async fn serve(
    listener: TcpListener,
    ctx: Arc<Ctx>,
    ssh_config: Arc<RusshConfig>,
    shutdown: CancellationToken,
) {
    let limiter = RateLimiter::new(ctx.config.max_connections_per_ip);
    let pending = PerIpCap::new(ctx.config.max_unauthenticated_per_ip);
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (socket, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                tracing::warn!(%error, "ssh accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if let Err(error) = limiter.check(peer.ip(), Instant::now()) {
            Metrics::inc(&ctx.metrics().ssh_rate_limited);
            tracing::warn!(%peer, %error, "ssh connection refused");
            continue;
        }
        let Some(slot) = pending.acquire(peer.ip()) else {
            Metrics::inc(&ctx.metrics().ssh_rate_limited);
            tracing::warn!(%peer, "ssh connection refused: too many unauthenticated from this address");
            continue;
        };
        Metrics::inc(&ctx.metrics().ssh_connections);
        // The session, its tunnels' channels and their visitors live on one shard.
        let (shard, placed) = ctx.shards.for_session();
        let (ctx2, ssh_config, shutdown) =
            (Arc::clone(&ctx), Arc::clone(&ssh_config), shutdown.clone());
        let home = Some(shard.handle());
        crate::shard::serve_at(
            &ctx.shards,
            home,
            &ctx.tasks,
            socket,
            peer,
            move |socket| async move {
                let _placed = placed;
                connection(socket, peer, slot, ctx2, ssh_config, shutdown).await;
            },
        );
    }
    tracing::debug!("ssh server stopped accepting");
}

/// Runs one SSH connection: login grace, idle timeout, shutdown, and cleanup of its tunnels.
async fn connection(
    socket: TcpStream,
    peer: SocketAddr,
    slot: IpSlot,
    ctx: Arc<Ctx>,
    ssh_config: Arc<RusshConfig>,
    shutdown: CancellationToken,
) {
    let _ = socket.set_nodelay(true);
    let session_id = ctx.next_session_id();
    let shared = Arc::new(SessionShared::new(session_id));
    let grace = ctx.config.login_grace_time;
    let started = tokio::time::Instant::now();
    // The handler moves this later while a device sign-in is waiting for the user.
    let (login_deadline, mut grace_until) = watch::channel(started + grace);
    let mut deadline_open = true;
    // Cancelled whenever this task ends, so a handler waiting on a device sign-in stops.
    let gone = CancellationToken::new();
    let _gone_on_return = gone.clone().drop_guard();
    let handler = SshHandler::new(
        Arc::clone(&ctx),
        peer,
        Arc::clone(&shared),
        login_deadline,
        gone,
    );
    let running = tokio::select! {
        () = shutdown.cancelled() => return,
        started = tokio::time::timeout(grace, russh::server::run_stream(ssh_config, socket, handler)) => match started {
            Ok(Ok(running)) => running,
            Ok(Err(error)) => {
                tracing::debug!(%peer, %error, "ssh handshake failed");
                return;
            }
            Err(_) => {
                Metrics::inc(&ctx.metrics().auth_failures);
                tracing::info!(%peer, "ssh handshake timed out");
                return;
            }
        },
    };
    tracing::debug!(%peer, session = %session_id, "ssh connection open");
    let handle = running.handle();
    tokio::pin!(running);
    let mut phase = shared.subscribe();
    let mut idle_since = tokio::time::Instant::now();
    let mut slot = Some(slot);
    let ended_by: Option<&str> = loop {
        let now_phase: Phase = *phase.borrow_and_update();
        if now_phase.authenticated {
            // Authenticated: no longer counted against the address's unauthenticated cap.
            slot = None;
        }
        let login_by = *grace_until.borrow_and_update();
        let deadline = if !now_phase.authenticated {
            Some((login_by, "authentication timed out"))
        } else if now_phase.tunnels == 0 {
            Some((
                idle_since + ctx.config.idle_timeout,
                "session idle without a tunnel",
            ))
        } else {
            None
        };
        let deadline_at = deadline.map(|(at, _)| at).unwrap_or(started);
        tokio::select! {
            result = &mut running => {
                if let Err(error) = result {
                    tracing::debug!(%peer, session = %session_id, %error, "ssh session ended with an error");
                }
                break None;
            }
            changed = phase.changed() => {
                if changed.is_err() {
                    break None;
                }
                if phase.borrow().tunnels == 0 {
                    idle_since = tokio::time::Instant::now();
                }
            }
            moved = grace_until.changed(), if deadline_open && !now_phase.authenticated => {
                deadline_open = moved.is_ok();
            }
            () = tokio::time::sleep_until(deadline_at), if deadline.is_some() => {
                let reason = deadline.map(|(_, reason)| reason).unwrap_or("timeout");
                if !now_phase.authenticated {
                    Metrics::inc(&ctx.metrics().auth_failures);
                }
                break Some(reason);
            }
            () = shutdown.cancelled() => break Some("the tunnel host is shutting down"),
        }
    };
    drop(slot);
    if let Some(reason) = ended_by {
        tracing::info!(%peer, session = %session_id, reason, "closing ssh session");
        let _ = tokio::time::timeout(DISCONNECT_WAIT, async {
            let _ = handle
                .disconnect(Disconnect::ByApplication, reason.to_owned(), String::new())
                .await;
            let _ = (&mut running).await;
        })
        .await;
    }
    let closed = ctx
        .registry
        .close_session(session_id, CloseReason::SessionEnded);
    let user = shared.user();
    if user.is_some() {
        // counted when the handler accepted the user
        Metrics::dec(&ctx.metrics().ssh_sessions);
    }
    tracing::info!(
        %peer,
        session = %session_id,
        user = user.as_deref().unwrap_or("-"),
        tunnels_closed = closed,
        "ssh session ended"
    );
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn config_is_hardened() {
        let config = Config::try_parse_from(["tunnel-host", "--max-auth-attempts", "4"]).unwrap();
        let key = PrivateKey::from(russh::keys::ssh_key::private::Ed25519Keypair::from_seed(
            &[9; 32],
        ));
        let c = server_config(&config, key);
        assert_eq!(&*c.methods, &[MethodKind::PublicKey]);
        assert_eq!(&*c.preferred.compression, &[compression::NONE]);
        assert!(
            c.preferred
                .kex
                .contains(&kex::EXTENSION_OPENSSH_STRICT_KEX_AS_SERVER)
        );
        assert!(!c.preferred.key.contains(&Algorithm::Rsa { hash: None }));
        assert_eq!(c.max_auth_attempts, 4);
        assert_eq!(c.auth_rejection_time, config.auth_rejection_delay);
        assert!(c.inactivity_timeout.is_some() && c.keepalive_interval.is_some());
    }
}
