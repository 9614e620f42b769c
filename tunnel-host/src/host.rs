//! The tunnel host as a whole: bound listeners in, three servers run until shutdown.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use durable_state::link::HostAddress;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::authority::{AuthorizedKeysFile, Chain, KeyAuthority};
use crate::config::Config;
use crate::edge::{self, Edge};
use crate::error::{Error, Result};
use crate::event::CloseReason;
use crate::metrics::Metrics;
use crate::per_ip::PerIpCap;
use crate::registry::Registry;
use crate::shard::Shards;
use crate::tls::Tls;
use crate::tunnel::SessionId;
use crate::{admin, host_key, http, ssh};

/// The listening sockets, bound before `run` so tests can bind port 0.
#[derive(Debug)]
pub struct Listeners {
    /// SSH server.
    pub ssh: TcpListener,
    /// Public HTTP proxy.
    pub http: TcpListener,
    /// Public HTTPS proxy, when certificates are configured.
    pub https: Option<TcpListener>,
    /// Admin API.
    pub admin: TcpListener,
}

impl Listeners {
    /// Binds the addresses from the config.
    pub async fn bind(config: &Config) -> Result<Listeners> {
        Ok(Listeners {
            ssh: TcpListener::bind(config.ssh_addr)
                .await
                .map_err(Error::io("binding ssh listener"))?,
            http: TcpListener::bind(config.http_addr)
                .await
                .map_err(Error::io("binding http listener"))?,
            https: match config.tls_enabled() {
                true => Some(
                    TcpListener::bind(config.https_addr)
                        .await
                        .map_err(Error::io("binding https listener"))?,
                ),
                false => None,
            },
            admin: TcpListener::bind(config.admin_addr)
                .await
                .map_err(Error::io("binding admin listener"))?,
        })
    }

    /// The addresses actually bound (with real ports when 0 was asked for).
    pub fn local_addrs(&self) -> Result<ListenAddrs> {
        let addr = |l: &TcpListener, what| l.local_addr().map_err(Error::io(what));
        Ok(ListenAddrs {
            ssh: addr(&self.ssh, "reading ssh listener address")?,
            http: addr(&self.http, "reading http listener address")?,
            https: self
                .https
                .as_ref()
                .map(|l| addr(l, "reading https listener address"))
                .transpose()?,
            admin: addr(&self.admin, "reading admin listener address")?,
        })
    }
}

/// Where the host listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenAddrs {
    /// SSH server.
    pub ssh: SocketAddr,
    /// Public HTTP proxy.
    pub http: SocketAddr,
    /// Public HTTPS proxy, when certificates are configured.
    pub https: Option<SocketAddr>,
    /// Admin API.
    pub admin: SocketAddr,
}

/// A configured tunnel host, ready to run. Hand out its [`Registry`] before running to
/// watch events or send commands (the edge link does).
pub struct Host {
    config: Config,
    registry: Registry,
    authority: Arc<dyn KeyAuthority>,
    edge: Option<Edge>,
}

impl Host {
    /// A standalone host with the authorized_keys file authority from the config (the
    /// config's `--edge` is not looked at; see [`Host::connect`]).
    pub fn new(config: Config) -> Host {
        let metrics = Arc::new(Metrics::default());
        let registry = Registry::new(metrics, config.max_tunnels_per_user);
        let authority = Arc::new(AuthorizedKeysFile::new(config.authorized_keys_path()));
        Host {
            config,
            registry,
            authority,
            edge: None,
        }
    }

    /// A host as the config says: with `--edge`, enrolled (or loaded from `edge.json`) and
    /// connected to the edge; otherwise the same as [`Host::new`].
    pub async fn connect(config: Config) -> Result<Host> {
        let edge = Edge::from_config(&config).await?;
        let host = Host::new(config);
        Ok(match edge {
            Some(edge) => host.with_edge(edge),
            None => host,
        })
    }

    /// Reports to `edge` while running, and asks it about keys the current authority does
    /// not know (the current authority first), reserved names and the device flow.
    pub fn with_edge(mut self, edge: Edge) -> Host {
        let authority: Arc<dyn KeyAuthority> = Arc::new(edge.authority());
        self.authority = Arc::new(Chain::new(self.authority, authority));
        self.edge = Some(edge);
        self
    }

    /// Replaces the key authority (the edge will plug its own in here).
    pub fn with_authority(mut self, authority: Arc<dyn KeyAuthority>) -> Host {
        self.authority = authority;
        self
    }

    /// The registry this host will use.
    pub fn registry(&self) -> Registry {
        self.registry.clone()
    }

    /// Serves on `listeners` until `shutdown` resolves, then closes every session and
    /// waits (at most the configured grace) for connections to finish.
    pub async fn run(
        self,
        listeners: Listeners,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<()> {
        let addrs = listeners.local_addrs()?;
        let host_key = host_key::load_or_generate(&self.config.host_key_path())?;
        let ssh_config = Arc::new(ssh::server_config(&self.config, host_key));
        let address = public_address(&self.config, addrs.ssh.port())?;
        let stop = CancellationToken::new();
        let servers = TaskTracker::new();
        let shards = Shards::start(self.config.data_threads)?;
        // However `run` ends (or is dropped), the data-plane threads end with it.
        let _stop_shards = shards.stop_token().drop_guard();
        let tls = Tls::start(
            &self.config,
            &self.registry,
            Arc::clone(&self.authority),
            &servers,
            &stop,
        )?
        .map(Arc::new);
        if tls.is_some() != listeners.https.is_some() {
            return Err(Error::Invalid {
                field: "https_addr",
                reason: "an https listener goes with --tls-cert or --acme-directory".into(),
            });
        }
        let ctx = Arc::new(Ctx {
            http_port: self.config.public_http_port.unwrap_or(addrs.http.port()),
            https_port: addrs
                .https
                .map(|a| self.config.public_https_port.unwrap_or(a.port())),
            tls,
            ssh_host: address.ssh_host.clone(),
            ssh_port: address.ssh_port,
            tcp_ip: addrs.http.ip(),
            device_flows: ssh::DeviceFlows::default(),
            visitors_per_ip: PerIpCap::new(self.config.max_visitor_connections_per_ip),
            config: self.config,
            registry: self.registry,
            authority: self.authority,
            tasks: TaskTracker::new(),
            shards,
            next_session: AtomicU64::new(1),
        });
        servers.spawn(ssh::serve(
            listeners.ssh,
            Arc::clone(&ctx),
            ssh_config,
            stop.clone(),
        ));
        servers.spawn(http::serve(listeners.http, Arc::clone(&ctx), stop.clone()));
        if let (Some(listener), Some(tls)) = (listeners.https, ctx.tls.clone()) {
            servers.spawn(http::serve_https(
                listener,
                Arc::clone(&ctx),
                tls,
                stop.clone(),
            ));
        }
        servers.spawn(admin::serve(
            listeners.admin,
            admin::router(ctx.registry.clone(), addrs.admin.ip()),
            stop.clone(),
        ));
        if let Some(edge) = &self.edge {
            tracing::info!(edge = %edge.credential().edge, host_id = %edge.credential().host_id, "reporting to the edge");
            let mut link = edge.link();
            link.address = Some(address);
            servers.spawn(edge::link::run(link, ctx.registry.clone(), stop.clone()));
        }
        servers.close();
        let https = addrs
            .https
            .map_or_else(|| "off".to_owned(), |a| a.to_string());
        tracing::info!(ssh = %addrs.ssh, http = %addrs.http, %https, admin = %addrs.admin, data_threads = ctx.shards.len(), "tunnel host listening");

        shutdown.await;
        tracing::info!("tunnel host shutting down");
        let closed = ctx.registry.close_all(CloseReason::Shutdown);
        stop.cancel();
        servers.wait().await;
        ctx.tasks.close();
        let grace = ctx.config.shutdown_grace;
        if tokio::time::timeout(grace, ctx.tasks.wait()).await.is_err() {
            tracing::warn!(grace = ?grace, "connections still open after the shutdown grace; dropping them");
        }
        tracing::info!(tunnels_closed = closed, "tunnel host stopped");
        Ok(())
    }
}

/// Where people reach the host: `--public-ssh-host` (else `--domain`), `--public-ssh-port`
/// (else the port the SSH listener got) and `--domain`; refused unless each is a plain host
/// name, as the panel turns them into a command to copy.
pub fn public_address(config: &Config, ssh_listen_port: u16) -> Result<HostAddress> {
    let address = HostAddress {
        ssh_host: config
            .public_ssh_host
            .clone()
            .unwrap_or_else(|| config.domain.clone()),
        ssh_port: config.public_ssh_port.unwrap_or(ssh_listen_port),
        tunnel_domain: config.domain.clone(),
    };
    if !address.sane() {
        return Err(Error::Invalid {
            field: "public_ssh_host",
            reason: format!(
                "--public-ssh-host {:?}, --public-ssh-port {} and --domain {:?} must be plain \
                 host names (letters, digits, '-', '.') or IP addresses and a port above 0",
                address.ssh_host, address.ssh_port, address.tunnel_domain
            ),
        });
    }
    Ok(address)
}

/// Runs a host as the config says ([`Host::connect`]): the library's entry point.
pub async fn run(
    config: Config,
    listeners: Listeners,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<()> {
    Host::connect(config).await?.run(listeners, shutdown).await
}

/// What the servers share while running.
pub(crate) struct Ctx {
    pub(crate) config: Config,
    pub(crate) registry: Registry,
    pub(crate) authority: Arc<dyn KeyAuthority>,
    /// Every connection task, waited for at shutdown.
    pub(crate) tasks: TaskTracker,
    /// Port shown in public HTTP URLs.
    pub(crate) http_port: u16,
    /// Port shown in public HTTPS URLs, when the host serves HTTPS.
    pub(crate) https_port: Option<u16>,
    /// Certificates for the HTTPS listener.
    pub(crate) tls: Option<Arc<Tls>>,
    /// SSH host people connect to, shown in usage hints.
    pub(crate) ssh_host: String,
    /// SSH port people connect to, shown in usage hints.
    pub(crate) ssh_port: u16,
    /// IP that TCP tunnels bind on.
    pub(crate) tcp_ip: IpAddr,
    /// Device sign-ins waiting for approval.
    pub(crate) device_flows: ssh::DeviceFlows,
    /// The data-plane threads SSH sessions and visitors' connections run on.
    pub(crate) shards: Shards,
    /// Visitor connections open per IP address (HTTP and HTTPS together).
    pub(crate) visitors_per_ip: PerIpCap,
    next_session: AtomicU64,
}

impl Ctx {
    pub(crate) fn next_session_id(&self) -> SessionId {
        SessionId(self.next_session.fetch_add(1, Ordering::Relaxed))
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        self.registry.metrics()
    }

    /// Where visitors reach a tunnel: `https://<name>.<domain>[:port]` when the host serves
    /// HTTPS, else `http://<name>.<domain>[:port]`.
    pub(crate) fn http_url(&self, name: &str) -> String {
        match self.https_port {
            Some(port) => self.https_url(name, port),
            None => match self.http_port {
                80 => format!("http://{name}.{}", self.config.domain),
                port => format!("http://{name}.{}:{port}", self.config.domain),
            },
        }
    }

    /// `https://<name>.<domain>[:port]`.
    pub(crate) fn https_url(&self, name: &str, port: u16) -> String {
        match port {
            443 => format!("https://{name}.{}", self.config.domain),
            port => format!("https://{name}.{}:{port}", self.config.domain),
        }
    }

    /// `tcp://<domain>:<port>`.
    pub(crate) fn tcp_url(&self, port: u16) -> String {
        format!("tcp://{}:{port}", self.config.domain)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn the_public_address_defaults_to_the_domain_and_the_bound_port() {
        let config = Config::try_parse_from(["tunnel-host", "--domain", "t.example.com"]).unwrap();
        let a = public_address(&config, 40022).unwrap();
        assert_eq!(
            (a.ssh_host.as_str(), a.ssh_port, a.tunnel_domain.as_str()),
            ("t.example.com", 40022, "t.example.com")
        );
        let config = Config::try_parse_from([
            "tunnel-host",
            "--domain",
            "t.example.com",
            "--public-ssh-host",
            "ssh.example.com",
            "--public-ssh-port",
            "22",
        ])
        .unwrap();
        let a = public_address(&config, 40022).unwrap();
        assert_eq!((a.ssh_host.as_str(), a.ssh_port), ("ssh.example.com", 22));
        let config =
            Config::try_parse_from(["tunnel-host", "--public-ssh-host", "x;reboot"]).unwrap();
        assert!(matches!(
            public_address(&config, 22),
            Err(Error::Invalid {
                field: "public_ssh_host",
                ..
            })
        ));
    }
}
