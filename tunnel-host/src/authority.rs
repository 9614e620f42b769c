//! Who owns an SSH key: the [`KeyAuthority`] seam and its authorized_keys file implementation.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use russh::keys::PublicKey;
use russh::keys::ssh_key::authorized_keys::Entry;
use russh::keys::ssh_key::public::KeyData;
use tokio::sync::Mutex;

use crate::error::{Error, Result};

/// What the host knows about a public key offered by a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyDecision {
    /// The key belongs to this user.
    Known {
        /// The user's name; tunnels and limits are per user.
        user: String,
    },
    /// The key belongs to this user, who may not open tunnels here (a viewer of the host's
    /// organization): refused once the client proved it holds the key, with `reason`.
    Refused {
        /// Whose key it is.
        user: String,
        /// Why, fit to show the user.
        reason: String,
    },
    /// Nobody registered this key. Refused, unless the authority runs a device flow (see
    /// `ssh::handler`, where keyboard-interactive shows either the refusal or the flow).
    Unknown,
}

/// Whether a user may bind a tunnel name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameDecision {
    /// The name is free for this user.
    Allowed,
    /// Someone else reserved the name.
    Reserved {
        /// Who holds the reservation, fit to show the user.
        by: String,
    },
}

/// A device authorization started for an unknown key: what the user must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceStart {
    /// Secret code the host polls with (never shown).
    pub device_code: String,
    /// Code the user types in the browser (`BCDF-GHJK`).
    pub user_code: String,
    /// Absolute URL where the user types the code.
    pub verification_url: String,
    /// How long the codes stay valid.
    pub expires_in: Duration,
    /// How long to wait between polls.
    pub interval: Duration,
}

/// Where a device authorization stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceStatus {
    /// The user has not approved yet.
    Pending,
    /// Approved: the key belongs to this user from now on.
    Approved {
        /// The owner of the session's tunnels.
        user: String,
    },
    /// The codes expired or were refused.
    Expired,
}

/// Decides who owns a public key, who may bind which name, and (optionally) lets a user
/// sign an unknown key in through a device flow. The authorized_keys file implements only
/// [`KeyAuthority::decide`]; the edge implements everything.
#[async_trait]
pub trait KeyAuthority: Send + Sync + 'static {
    /// Looks the key up.
    async fn decide(&self, key: &PublicKey) -> Result<KeyDecision>;

    /// Whether `user` may bind the tunnel name `name`. Default: always. An error means
    /// nobody could tell, and the name is refused.
    async fn may_bind(&self, _user: &str, _name: &str) -> Result<NameDecision> {
        Ok(NameDecision::Allowed)
    }

    /// Whether someone reserved the tunnel name `name`, so it may get a certificate before
    /// it is open. Default: no reservations. An error is taken as "no" by the caller.
    async fn is_reserved(&self, _name: &str) -> Result<bool> {
        Ok(false)
    }

    /// The only names `user` may bind, when their key is limited to some (a Wings node's key,
    /// as the edge says); `None` for everyone else. Such a user gets no random names or ports.
    async fn restricted_to(&self, _user: &str) -> Option<Vec<String>> {
        None
    }

    /// Whether [`KeyAuthority::start_device`] works. Default: no, unknown keys are refused.
    fn supports_device_flow(&self) -> bool {
        false
    }

    /// Starts a device authorization for an unknown key whose possession was proven.
    async fn start_device(&self, _key: &PublicKey) -> Result<DeviceStart> {
        Err(Error::Forbidden("this host has no device sign-in".into()))
    }

    /// Polls a device authorization started by [`KeyAuthority::start_device`].
    async fn poll_device(&self, _device_code: &str) -> Result<DeviceStatus> {
        Ok(DeviceStatus::Expired)
    }
}

/// Two authorities asked in order: the first that knows a key decides; both must allow a
/// name; the device flow is the first supporting one's. The host chains authorized_keys
/// before the edge.
pub struct Chain {
    first: Arc<dyn KeyAuthority>,
    then: Arc<dyn KeyAuthority>,
}

impl Chain {
    /// Asks `first`, then `then`.
    pub fn new(first: Arc<dyn KeyAuthority>, then: Arc<dyn KeyAuthority>) -> Chain {
        Chain { first, then }
    }

    fn device(&self) -> &dyn KeyAuthority {
        if self.first.supports_device_flow() {
            self.first.as_ref()
        } else {
            self.then.as_ref()
        }
    }
}

#[async_trait]
impl KeyAuthority for Chain {
    async fn decide(&self, key: &PublicKey) -> Result<KeyDecision> {
        match self.first.decide(key).await {
            Ok(known @ (KeyDecision::Known { .. } | KeyDecision::Refused { .. })) => {
                return Ok(known);
            }
            Ok(KeyDecision::Unknown) => {}
            Err(error) => tracing::warn!(%error, "first key authority failed; asking the next"),
        }
        self.then.decide(key).await
    }

    async fn may_bind(&self, user: &str, name: &str) -> Result<NameDecision> {
        match self.first.may_bind(user, name).await? {
            NameDecision::Allowed => self.then.may_bind(user, name).await,
            reserved => Ok(reserved),
        }
    }

    async fn is_reserved(&self, name: &str) -> Result<bool> {
        Ok(self.first.is_reserved(name).await? || self.then.is_reserved(name).await?)
    }

    async fn restricted_to(&self, user: &str) -> Option<Vec<String>> {
        match self.first.restricted_to(user).await {
            Some(names) => Some(names),
            None => self.then.restricted_to(user).await,
        }
    }

    fn supports_device_flow(&self) -> bool {
        self.first.supports_device_flow() || self.then.supports_device_flow()
    }

    async fn start_device(&self, key: &PublicKey) -> Result<DeviceStart> {
        self.device().start_device(key).await
    }

    async fn poll_device(&self, device_code: &str) -> Result<DeviceStatus> {
        self.device().poll_device(device_code).await
    }
}

/// Age after which an unchanged mtime and size mean an unchanged file.
const SETTLE: Duration = Duration::from_secs(2);

/// An OpenSSH-style authorized_keys file whose comment field names the user:
/// `ssh-ed25519 AAAA... alice`. Re-read whenever its size or mtime changes.
pub struct AuthorizedKeysFile {
    path: PathBuf,
    cache: Mutex<Option<Snapshot>>,
}

struct Snapshot {
    modified: Option<SystemTime>,
    len: u64,
    users: HashMap<KeyData, String>,
}

impl AuthorizedKeysFile {
    /// A file authority reading `path` (which need not exist yet).
    pub fn new(path: PathBuf) -> Self {
        AuthorizedKeysFile {
            path,
            cache: Mutex::new(None),
        }
    }

    async fn lookup(&self, key: &KeyData) -> Result<Option<String>> {
        let meta = match tokio::fs::metadata(&self.path).await {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("reading authorized keys metadata")(e)),
        };
        let (modified, len) = (meta.modified().ok(), meta.len());
        let mut cache = self.cache.lock().await;
        // A rewrite within the file system's mtime granularity keeps the same mtime, so a
        // file changed in the last seconds is always read again.
        let settled = modified
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > SETTLE);
        let fresh = settled
            && cache
                .as_ref()
                .is_some_and(|s| s.modified == modified && s.len == len);
        if !fresh {
            let text = tokio::fs::read_to_string(&self.path)
                .await
                .map_err(Error::io("reading authorized keys"))?;
            let users = parse(&text);
            tracing::info!(path = %self.path.display(), keys = users.len(), "authorized keys loaded");
            *cache = Some(Snapshot {
                modified,
                len,
                users,
            });
        }
        Ok(cache.as_ref().and_then(|s| s.users.get(key).cloned()))
    }
}

#[async_trait]
impl KeyAuthority for AuthorizedKeysFile {
    async fn decide(&self, key: &PublicKey) -> Result<KeyDecision> {
        Ok(match self.lookup(key.key_data()).await? {
            Some(user) => KeyDecision::Known { user },
            None => KeyDecision::Unknown,
        })
    }
}

/// Parses authorized_keys text into key → user; bad lines are logged and skipped.
fn parse(text: &str) -> HashMap<KeyData, String> {
    let mut users = HashMap::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let lineno = index + 1;
        let entry: Entry = match line.parse() {
            Ok(entry) => entry,
            Err(e) => {
                tracing::warn!(line = lineno, error = %e, "skipping unparsable authorized key");
                continue;
            }
        };
        let user = entry
            .public_key()
            .comment()
            .as_str_lossy()
            .trim()
            .to_owned();
        if !valid_user(&user) {
            tracing::warn!(
                line = lineno,
                "skipping authorized key without a valid user name"
            );
            continue;
        }
        users.insert(entry.public_key().key_data().clone(), user);
    }
    users
}

fn valid_user(user: &str) -> bool {
    !user.is_empty()
        && user.len() <= 64
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
}

#[cfg(test)]
mod tests {
    use russh::keys::PrivateKey;
    use russh::keys::ssh_key::private::Ed25519Keypair;

    use super::*;

    fn key(seed: u8) -> PublicKey {
        PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]))
            .public_key()
            .clone()
    }

    fn line(k: &PublicKey, user: &str) -> String {
        let mut k = k.clone();
        k.set_comment(user);
        k.to_openssh().unwrap()
    }

    #[tokio::test]
    async fn known_and_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("authorized_keys");
        let text = format!(
            "# comment\n\n{}\nnot a key\n{}\n",
            line(&key(1), "alice"),
            line(&key(2), "")
        );
        std::fs::write(&path, text).unwrap();
        let authority = AuthorizedKeysFile::new(path);
        assert_eq!(
            authority.decide(&key(1)).await.unwrap(),
            KeyDecision::Known {
                user: "alice".into()
            }
        );
        assert_eq!(
            authority.decide(&key(2)).await.unwrap(),
            KeyDecision::Unknown
        );
        assert_eq!(
            authority.decide(&key(3)).await.unwrap(),
            KeyDecision::Unknown
        );
    }

    #[tokio::test]
    async fn file_changes_are_picked_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("authorized_keys");
        let authority = AuthorizedKeysFile::new(path.clone());
        assert_eq!(
            authority.decide(&key(4)).await.unwrap(),
            KeyDecision::Unknown
        );
        std::fs::write(&path, line(&key(4), "bob")).unwrap();
        assert_eq!(
            authority.decide(&key(4)).await.unwrap(),
            KeyDecision::Known { user: "bob".into() }
        );
        let both = format!("{}\n{}\n", line(&key(4), "bob"), line(&key(5), "carol"));
        std::fs::write(&path, both).unwrap();
        assert_eq!(
            authority.decide(&key(5)).await.unwrap(),
            KeyDecision::Known {
                user: "carol".into()
            }
        );
    }

    struct Fixed(KeyDecision, NameDecision);

    #[async_trait]
    impl KeyAuthority for Fixed {
        async fn decide(&self, _key: &PublicKey) -> Result<KeyDecision> {
            Ok(self.0.clone())
        }
        async fn may_bind(&self, _user: &str, _name: &str) -> Result<NameDecision> {
            Ok(self.1.clone())
        }
    }

    #[tokio::test]
    async fn a_chain_asks_in_order() {
        let known = |u: &str| KeyDecision::Known { user: u.into() };
        let reserved = NameDecision::Reserved { by: "Ada".into() };
        let file = Arc::new(Fixed(known("alice"), NameDecision::Allowed));
        let edge = Arc::new(Fixed(known("u-1"), reserved.clone()));
        let chain = Chain::new(file, edge.clone());
        assert_eq!(chain.decide(&key(1)).await.unwrap(), known("alice"));
        assert_eq!(chain.may_bind("alice", "x").await.unwrap(), reserved);
        assert!(!chain.supports_device_flow());
        let nobody = Arc::new(Fixed(KeyDecision::Unknown, NameDecision::Allowed));
        let chain = Chain::new(nobody, edge);
        assert_eq!(chain.decide(&key(1)).await.unwrap(), known("u-1"));
        assert!(chain.start_device(&key(1)).await.is_err());
        assert_eq!(chain.poll_device("x").await.unwrap(), DeviceStatus::Expired);
    }

    #[test]
    fn user_names_are_checked() {
        assert!(valid_user("alice"));
        assert!(valid_user("a.b-c_d@host"));
        assert!(!valid_user(""));
        assert!(!valid_user("bad user"));
        assert!(!valid_user(&"x".repeat(65)));
    }
}
