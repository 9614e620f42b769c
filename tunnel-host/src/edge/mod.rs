//! The host's side of the edge (the Flamingo panel's API): enrollment, then key lookups,
//! reserved names and the device flow over HTTP, and the live link over a WebSocket.
//!
//! - [`credential`]: `<data-dir>/edge.json`, written once by enrolling.
//! - [`client`]: the HTTP calls, with timeouts, for `http://` and `https://` edges.
//! - [`authority`]: [`EdgeAuthority`], the edge as a [`crate::KeyAuthority`].
//! - [`link`]: the WebSocket reporting tunnels and obeying kicks.
//! - [`stats`]: which tunnels' counters moved, reported while the edge watches.

pub mod authority;
pub mod client;
pub mod credential;
pub mod link;
pub mod stats;

use std::time::{Duration, Instant};

use crate::config::Config;
use crate::error::{Error, Result};

use self::client::Enrollment;
use self::link::Backoff;

pub use self::authority::EdgeAuthority;
pub use self::client::EdgeClient;
pub use self::credential::Credential;
pub use self::link::LinkConfig;

/// An enrolled edge: what the authority and the link are built from.
#[derive(Debug, Clone)]
pub struct Edge {
    client: EdgeClient,
    credential: Credential,
    heartbeat: Duration,
}

/// Trades `token` for a credential. While the edge is unreachable or failing for now
/// (starting beside it, a deploy, a 5xx) this tries again with [`Backoff`] for up to
/// `retry_for`; a refusal (an unknown, used or expired token) fails at once.
async fn enroll(client: &EdgeClient, token: &str, retry_for: Duration) -> Result<Enrollment> {
    let started = Instant::now();
    let mut backoff = Backoff::new();
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        match client
            .enroll(token, hostname().as_deref(), env!("CARGO_PKG_VERSION"))
            .await
        {
            Ok(enrollment) => return Ok(enrollment),
            Err(Error::EdgeUnavailable(reason)) if started.elapsed() < retry_for => {
                let delay = backoff.next_delay();
                tracing::warn!(
                    %reason,
                    attempt = attempts,
                    retry_in = ?delay,
                    "could not enroll at the edge yet; trying again"
                );
                tokio::time::sleep(delay).await;
            }
            // An earlier attempt may have reached the edge and used the token before its
            // answer was lost.
            Err(Error::Forbidden(message)) if attempts > 1 => {
                return Err(Error::Forbidden(format!(
                    "{message} (after {attempts} attempts: if an earlier one reached the \
                     edge, it used the token then)"
                )));
            }
            Err(error) => return Err(error),
        }
    }
}

impl Edge {
    /// The edge from the config: `None` without `--edge`; otherwise the saved enrollment
    /// for that edge, or a new one made with `--enroll` (and saved as `edge.json`).
    pub async fn from_config(config: &Config) -> Result<Option<Edge>> {
        let Some(edge) = &config.edge else {
            return Ok(None);
        };
        let base = client::normalize_base(edge)?;
        let path = credential::path(&config.data_dir);
        let saved = credential::load(&path)?;
        let credential = match (saved, &config.enroll) {
            (Some(saved), token) if saved.edge == base => {
                if token.is_some() {
                    tracing::info!(
                        host_id = %saved.host_id,
                        "already enrolled at this edge; ignoring --enroll"
                    );
                }
                saved
            }
            (_, Some(token)) => {
                let client = EdgeClient::new(&base)?;
                let enrollment = enroll(&client, token.expose(), config.enroll_retry_for).await?;
                let credential = Credential {
                    edge: base.clone(),
                    host_id: enrollment.host_id,
                    org_id: enrollment.org_id,
                    credential: enrollment.credential,
                };
                credential::save(&path, &credential)?;
                tracing::info!(
                    edge = %base,
                    host_id = %credential.host_id,
                    org_id = %credential.org_id,
                    path = %path.display(),
                    "enrolled at the edge"
                );
                credential
            }
            (Some(saved), None) => {
                return Err(Error::Invalid {
                    field: "edge",
                    reason: format!(
                        "{} holds an enrollment at {}, not {base}; pass --enroll <token> \
                         (TUNNEL_HOST_ENROLL) to enroll at {base}",
                        path.display(),
                        saved.edge
                    ),
                });
            }
            (None, None) => {
                return Err(Error::Invalid {
                    field: "edge",
                    reason: format!(
                        "--edge needs an enrollment: pass --enroll <token> (TUNNEL_HOST_ENROLL) \
                         once; the credential is then kept in {}",
                        path.display()
                    ),
                });
            }
        };
        Ok(Some(Edge::new(credential, config.edge_heartbeat_interval)?))
    }

    /// An edge from a saved enrollment.
    pub fn new(credential: Credential, heartbeat: Duration) -> Result<Edge> {
        let client = EdgeClient::new(&credential.edge)?.with_credential(&credential.credential);
        Ok(Edge {
            client,
            credential,
            heartbeat,
        })
    }

    /// The enrollment in use.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// The HTTP client, carrying the credential.
    pub fn client(&self) -> &EdgeClient {
        &self.client
    }

    /// The edge as a key authority.
    pub fn authority(&self) -> EdgeAuthority {
        EdgeAuthority::new(self.client.clone())
    }

    /// The link's settings: `ws(s)://<edge>/api/tunnel-hosts/link`.
    pub fn link(&self) -> LinkConfig {
        let base = self.client.base();
        let url = match base.strip_prefix("https://") {
            Some(rest) => format!("wss://{rest}"),
            None => format!("ws://{}", base.trim_start_matches("http://")),
        };
        LinkConfig {
            url: format!("{url}{}", durable_state::link::LINK_PATH),
            credential: self.client.credential().unwrap_or_default().to_owned(),
            heartbeat: self.heartbeat,
            hostname: hostname(),
            address: None,
        }
    }
}

/// This machine's hostname, if the kernel says.
pub fn hostname() -> Option<String> {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential(edge: &str) -> Credential {
        Credential {
            edge: edge.into(),
            host_id: "h".into(),
            org_id: "o".into(),
            credential: "fth_x".into(),
        }
    }

    #[test]
    fn link_urls_follow_the_scheme() {
        let d = Duration::from_secs(30);
        let e = Edge::new(credential("http://127.0.0.1:8787"), d).unwrap();
        assert_eq!(e.link().url, "ws://127.0.0.1:8787/api/tunnel-hosts/link");
        assert_eq!(e.link().credential, "fth_x");
        let e = Edge::new(credential("https://panel.example.com"), d).unwrap();
        assert_eq!(
            e.link().url,
            "wss://panel.example.com/api/tunnel-hosts/link"
        );
        assert!(!format!("{:?}", e.link()).contains("fth_x"));
    }
}
