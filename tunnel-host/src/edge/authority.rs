//! [`EdgeAuthority`]: keys, reserved names and the device flow, answered by the edge.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use russh::keys::{HashAlg, PublicKey};
use tokio::sync::Mutex;

use crate::authority::{DeviceStart, DeviceStatus, KeyAuthority, KeyDecision, NameDecision};
use crate::error::{Error, Result};

use super::client::{DevicePoll, EdgeClient};

/// How long a positive key lookup is trusted, so a burst of connections asks once.
pub const LOOKUP_TTL: Duration = Duration::from_secs(60);
/// Cached lookups kept at most; the cache is cleared when full.
const MAX_CACHED: usize = 4096;
/// Poll interval bounds, whatever the edge says.
const MIN_INTERVAL: Duration = Duration::from_secs(1);
const MAX_INTERVAL: Duration = Duration::from_secs(30);

/// The edge as a [`KeyAuthority`]: the owner of a key is the panel user who registered it.
pub struct EdgeAuthority {
    client: EdgeClient,
    ttl: Duration,
    cache: Mutex<HashMap<String, (String, Instant)>>,
    /// Users whose keys the edge limited to some names (Wings nodes), with those names.
    restricted: Mutex<HashMap<String, Vec<String>>>,
}

impl EdgeAuthority {
    /// An authority asking the edge behind `client` (which must carry the credential).
    pub fn new(client: EdgeClient) -> EdgeAuthority {
        EdgeAuthority {
            client,
            ttl: LOOKUP_TTL,
            cache: Mutex::new(HashMap::new()),
            restricted: Mutex::new(HashMap::new()),
        }
    }

    async fn cached(&self, fingerprint: &str) -> Option<String> {
        let mut cache = self.cache.lock().await;
        match cache.get(fingerprint) {
            Some((user, at)) if at.elapsed() < self.ttl => Some(user.clone()),
            Some(_) => {
                cache.remove(fingerprint);
                None
            }
            None => None,
        }
    }

    async fn remember(&self, fingerprint: String, user: String) {
        let mut cache = self.cache.lock().await;
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(fingerprint, (user, Instant::now()));
    }
}

/// Why a member's key opens no tunnels, fit to show them: their role (when the edge named
/// one plainly), and what to ask for.
fn refusal(role: Option<&str>) -> String {
    let plain = |r: &&str| {
        !r.is_empty() && r.len() <= 32 && r.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    };
    match role.filter(plain) {
        Some(role) => format!(
            "your role in this tunnel host's organization is {role}, which may look at \
             tunnels but not open them; ask an admin of the organization for the operator role"
        ),
        None => "the Flamingo panel did not confirm that your role may open tunnels here \
                 (it may be older than this tunnel host); ask its administrator to update it"
            .to_owned(),
    }
}

fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

#[async_trait]
impl KeyAuthority for EdgeAuthority {
    async fn decide(&self, key: &PublicKey) -> Result<KeyDecision> {
        let fingerprint = fingerprint(key);
        if let Some(user) = self.cached(&fingerprint).await {
            return Ok(KeyDecision::Known { user });
        }
        match self.client.lookup_key(&fingerprint).await? {
            Some(found) if found.can_open_tunnels => {
                let user = found.user.id;
                if let Some(names) = found.only_names {
                    let mut restricted = self.restricted.lock().await;
                    if restricted.len() >= MAX_CACHED {
                        restricted.clear();
                    }
                    restricted.insert(user.clone(), names);
                }
                tracing::debug!(%fingerprint, %user, "key known at the edge");
                self.remember(fingerprint, user.clone()).await;
                Ok(KeyDecision::Known { user })
            }
            // Not cached: a member given tunnel access gets in on their next try.
            Some(found) => {
                tracing::info!(
                    %fingerprint,
                    user = %found.user.id,
                    role = found.role.as_deref().unwrap_or("unknown"),
                    "key known at the edge, but its owner may not open tunnels"
                );
                Ok(KeyDecision::Refused {
                    reason: refusal(found.role.as_deref()),
                    user: found.user.id,
                })
            }
            None => Ok(KeyDecision::Unknown),
        }
    }

    async fn may_bind(&self, user: &str, name: &str) -> Result<NameDecision> {
        // A limited key is answered here, so it stays limited while the edge is away.
        if let Some(names) = self.restricted_to(user).await
            && !names.iter().any(|n| n == name)
        {
            return Ok(NameDecision::Reserved {
                by: "nobody this key may act for (it opens only its node's names)".to_owned(),
            });
        }
        // An error goes up: a name nobody could check is refused, never allowed, or a
        // reserved name would be anyone's while the edge is away.
        let check = self.client.check_name(name, user).await?;
        Ok(if check.allowed {
            NameDecision::Allowed
        } else {
            NameDecision::Reserved {
                by: check
                    .reserved_by
                    .filter(|by| !by.trim().is_empty())
                    .unwrap_or_else(|| "another user".to_owned()),
            }
        })
    }

    async fn is_reserved(&self, name: &str) -> Result<bool> {
        // Asked for a user who holds nothing: refused exactly when a member reserved it.
        Ok(!self.client.check_name(name, "").await?.allowed)
    }

    async fn restricted_to(&self, user: &str) -> Option<Vec<String>> {
        self.restricted.lock().await.get(user).cloned()
    }

    fn supports_device_flow(&self) -> bool {
        true
    }

    async fn start_device(&self, key: &PublicKey) -> Result<DeviceStart> {
        let mut bare = key.clone();
        bare.set_comment("");
        let public_key = bare
            .to_openssh()
            .map_err(|e| Error::Internal(format!("encoding a public key: {e}")))?;
        let auth = self
            .client
            .start_device(&fingerprint(key), public_key.trim())
            .await?;
        Ok(DeviceStart {
            verification_url: self.client.absolute(&auth.verification_uri),
            device_code: auth.device_code,
            user_code: auth.user_code,
            expires_in: Duration::from_secs(auth.expires_in),
            interval: Duration::from_secs(auth.interval).clamp(MIN_INTERVAL, MAX_INTERVAL),
        })
    }

    async fn poll_device(&self, device_code: &str) -> Result<DeviceStatus> {
        Ok(match self.client.poll_device(device_code).await? {
            Some(DevicePoll::Pending) => DeviceStatus::Pending,
            Some(DevicePoll::Approved { user }) => DeviceStatus::Approved { user: user.id },
            None => DeviceStatus::Expired,
        })
    }
}

#[cfg(test)]
mod tests {
    use russh::keys::PrivateKey;
    use russh::keys::ssh_key::private::Ed25519Keypair;

    use super::*;

    /// An edge that is not there: a port nobody listens on.
    fn gone() -> EdgeAuthority {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let client = EdgeClient::new(&format!("http://{addr}"))
            .unwrap()
            .with_credential("fth_x");
        EdgeAuthority::new(client)
    }

    #[tokio::test]
    async fn an_unreachable_edge_allows_no_names_and_knows_no_keys() {
        let edge = gone();
        assert!(matches!(
            edge.may_bind("u-1", "myapp").await,
            Err(Error::EdgeUnavailable(_))
        ));
        let key = PrivateKey::from(Ed25519Keypair::from_seed(&[3; 32]))
            .public_key()
            .clone();
        assert!(matches!(
            edge.decide(&key).await,
            Err(Error::EdgeUnavailable(_))
        ));
        assert!(edge.start_device(&key).await.is_err());
    }

    #[test]
    fn refusals_name_a_plain_role_only() {
        assert!(refusal(Some("viewer")).contains("is viewer,"));
        for odd in [None, Some(""), Some("Viewer\r\nroot"), Some("x x")] {
            let text = refusal(odd);
            assert!(text.contains("did not confirm"), "{odd:?}: {text}");
            assert!(!text.contains('\n'));
        }
    }

    #[tokio::test]
    async fn a_limited_key_stays_limited_while_the_edge_is_away() {
        let edge = gone();
        let names = vec!["wings-a".to_owned(), "tcp-20022".to_owned()];
        edge.restricted
            .lock()
            .await
            .insert("node:1".into(), names.clone());
        assert_eq!(edge.restricted_to("node:1").await, Some(names));
        assert_eq!(edge.restricted_to("u-1").await, None);
        for other in ["myapp", "tcp-20023"] {
            assert!(
                matches!(
                    edge.may_bind("node:1", other).await,
                    Ok(NameDecision::Reserved { .. })
                ),
                "{other}"
            );
        }
        // Its own names are still checked with the edge, which is away: refused by the caller.
        assert!(edge.may_bind("node:1", "wings-a").await.is_err());
    }

    #[tokio::test]
    async fn positive_lookups_are_cached_until_they_expire() {
        let mut edge = gone();
        let key = PrivateKey::from(Ed25519Keypair::from_seed(&[4; 32]))
            .public_key()
            .clone();
        edge.remember(fingerprint(&key), "u-1".into()).await;
        assert_eq!(
            edge.decide(&key).await.unwrap(),
            KeyDecision::Known { user: "u-1".into() }
        );
        edge.ttl = Duration::ZERO;
        assert!(edge.decide(&key).await.is_err(), "expired: asks the edge");
    }
}
