//! Flamingo tunnel host: `ssh -R myapp:80:localhost:3000 -p 2222 host` and visitors reach
//! `http://myapp.<domain>:8080` (and `https://myapp.<domain>` with certificates configured),
//! with nothing to install on the user's side.
//!
//! Layout:
//! - [`config`]: the one typed config ([`Config`]), from flags and `TUNNEL_HOST_*` env.
//! - [`host`]: [`Listeners`], [`Host`] and [`run`], which serve until a shutdown future.
//! - `ssh`: the russh server, its handler, and per-session state (virtual binds).
//! - `http`: the public reverse proxy (HTTP, and HTTPS with HTTP/2 by ALPN) that reaches
//!   tunnels over `forwarded-tcpip` channels.
//! - `tcp`: TCP tunnels on ports from the configured range.
//! - [`tls`]: HTTPS certificates, from files or by ACME, behind one rustls resolver.
//! - [`admin`]: the loopback admin API (tunnels, kick, metrics, health).
//! - [`registry`], [`tunnel`], [`event`]: the tunnels, their events out and commands in;
//!   the seam the edge link subscribes to.
//! - [`authority`]: the [`KeyAuthority`] seam deciding who owns an SSH key and who may
//!   bind a name, with the authorized_keys file and a [`authority::Chain`] of two.
//! - [`edge`]: enrollment at the Flamingo edge, its HTTP API (the edge as an authority,
//!   with the device flow for unknown keys) and the link reporting tunnels live.
//! - [`host_key`], [`name`], [`rate_limit`], [`metrics`], [`stream`], [`stall`]: small parts.
//! - [`error`]: the crate's one error enum.
//!
//! Embedding (subscribe before running; `Host::connect` also sets up `--edge`):
//!
//! ```no_run
//! # async fn demo() -> tunnel_host::Result<()> {
//! use clap::Parser;
//!
//! let config = tunnel_host::Config::parse();
//! let listeners = tunnel_host::Listeners::bind(&config).await?;
//! let host = tunnel_host::Host::new(config);
//! let registry = host.registry();
//! let mut events = registry.subscribe(); // TunnelEvent::Opened / Closed, with counters
//! tokio::spawn(async move {
//!     while let Ok(event) = events.recv().await {
//!         println!("{}", serde_json::to_string(&event).unwrap_or_default());
//!     }
//! });
//! // commands come back the other way: registry.apply(Command::Kick { .. })
//! host.run(listeners, tunnel_host::shutdown_signal()).await
//! # }
//! ```

#![forbid(unsafe_code)]

pub mod admin;
pub mod authority;
pub mod config;
pub mod edge;
pub mod error;
pub mod event;
pub mod host;
pub mod host_key;
mod http;
pub mod logging;
pub mod metrics;
pub mod name;
mod per_ip;
pub mod rate_limit;
pub mod registry;
mod shard;
mod signal;
mod ssh;
pub mod stall;
pub mod stream;
mod tcp;
pub mod tls;
pub mod tunnel;

pub use authority::{AuthorizedKeysFile, KeyAuthority, KeyDecision, NameDecision};
pub use config::{Config, LogFormat};
pub use edge::Edge;
pub use error::{Error, Result};
pub use event::{CloseReason, Command, TunnelEvent};
pub use host::{Host, ListenAddrs, Listeners, run};
pub use registry::Registry;
pub use signal::shutdown_signal;
pub use tunnel::{TunnelInfo, TunnelKind};
