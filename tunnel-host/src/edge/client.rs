//! The edge's HTTP API as the host calls it: enroll, key lookup, reserved names, device flow.

use std::time::Duration;

use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};

/// Header carrying the host credential on every call after enrolling.
pub const HOST_HEADER: &str = "X-Flamingo-Host";
/// Longest any one call may take, connecting included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest the TCP and TLS connect may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What `POST /api/tunnel-hosts/enroll` returns.
#[derive(Debug, Clone, Deserialize)]
pub struct Enrollment {
    /// This host's id.
    pub host_id: String,
    /// The organization it serves.
    pub org_id: String,
    /// `fth_...`; never logged.
    pub credential: String,
}

/// A user as the edge describes them to a host.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EdgeUser {
    /// User id: the owner of this user's tunnels.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
}

/// What `POST /api/tunnel-hosts/keys/lookup` returns: whose key it is and whether their
/// role in the host's organization lets them open tunnels.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct KeyLookup {
    /// The key's owner, a member of the host's organization.
    pub user: EdgeUser,
    /// Their role there (`owner`, `admin`, `operator`, `viewer`); an edge older than this
    /// host does not send it.
    #[serde(default)]
    pub role: Option<String>,
    /// Whether that role may open tunnels, as the edge's permission matrix says. An edge
    /// that does not say is taken as saying no: the host fails closed.
    #[serde(default)]
    pub can_open_tunnels: bool,
    /// For a Wings node's key: the only tunnel names it may bind here (its API's HTTP name
    /// and `tcp-<port>` for its SFTP). Absent for a person's key.
    #[serde(default)]
    pub only_names: Option<Vec<String>>,
}

/// What `POST /api/tunnel-hosts/names/check` returns.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NameCheck {
    /// Whether the user may bind the name.
    pub allowed: bool,
    /// Who reserved it, when not allowed.
    #[serde(default)]
    pub reserved_by: Option<String>,
}

/// What `POST /api/tunnel-hosts/device` returns.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeviceAuthorization {
    /// Secret code the host polls with.
    pub device_code: String,
    /// Code the user types (`BCDF-GHJK`).
    pub user_code: String,
    /// Path (or URL) where the user types it.
    pub verification_uri: String,
    /// Seconds until the codes expire.
    pub expires_in: u64,
    /// Seconds between polls.
    pub interval: u64,
}

/// What `POST /api/tunnel-hosts/device/poll` returns.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DevicePoll {
    /// Not approved yet.
    Pending,
    /// Approved by this user.
    Approved {
        /// Who approved.
        user: EdgeUser,
    },
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

/// An HTTP client for one edge, with the host credential once enrolled.
#[derive(Clone)]
pub struct EdgeClient {
    base: String,
    http: reqwest::Client,
    credential: Option<String>,
}

impl std::fmt::Debug for EdgeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// `base` without trailing slashes, checked to be an http(s) URL.
pub fn normalize_base(base: &str) -> Result<String> {
    let base = base.trim().trim_end_matches('/');
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(base.to_owned())
        }
        _ => Err(Error::Invalid {
            field: "edge",
            reason: format!("expected an http:// or https:// URL, got {base:?}"),
        }),
    }
}

impl EdgeClient {
    /// A client for the edge at `base` (`http://...` or `https://...`), not enrolled yet.
    pub fn new(base: &str) -> Result<EdgeClient> {
        let base = normalize_base(base)?;
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("flamingo-tunnel-host/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Internal(format!("building the edge http client: {e}")))?;
        Ok(EdgeClient {
            base,
            http,
            credential: None,
        })
    }

    /// The same client, sending `credential` as `X-Flamingo-Host`.
    pub fn with_credential(mut self, credential: &str) -> EdgeClient {
        self.credential = Some(credential.to_owned());
        self
    }

    /// The edge's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The host credential, if enrolled.
    pub(crate) fn credential(&self) -> Option<&str> {
        self.credential.as_deref()
    }

    /// A URL or path from the edge made absolute (`/activate` → `<base>/activate`).
    pub fn absolute(&self, uri: &str) -> String {
        if uri.starts_with("http://") || uri.starts_with("https://") {
            uri.to_owned()
        } else if uri.starts_with('/') {
            format!("{}{uri}", self.base)
        } else {
            format!("{}/{uri}", self.base)
        }
    }

    /// Trades a one-time enrollment token for a credential.
    pub async fn enroll(
        &self,
        token: &str,
        hostname: Option<&str>,
        version: &str,
    ) -> Result<Enrollment> {
        let mut body = json!({ "enrollment_token": token, "version": version });
        if let Some(hostname) = hostname {
            body["hostname"] = json!(hostname);
        }
        self.post("/api/tunnel-hosts/enroll", &body)
            .await?
            .ok_or_else(|| {
                Error::Forbidden(
                    "the edge does not know this enrollment token (unknown, used or expired); \
                     create a new one in the panel"
                        .into(),
                )
            })
    }

    /// The member who registered the key with this fingerprint (`SHA256:...`), if any, with
    /// whether they may open tunnels.
    pub async fn lookup_key(&self, fingerprint: &str) -> Result<Option<KeyLookup>> {
        self.post(
            "/api/tunnel-hosts/keys/lookup",
            &json!({ "fingerprint": fingerprint }),
        )
        .await
    }

    /// Whether user `user_id` may bind tunnel name `name`.
    pub async fn check_name(&self, name: &str, user_id: &str) -> Result<NameCheck> {
        self.post(
            "/api/tunnel-hosts/names/check",
            &json!({ "name": name, "user_id": user_id }),
        )
        .await?
        .ok_or_else(|| Error::Edge("names/check answered 404".into()))
    }

    /// Starts a device authorization for an unknown key.
    pub async fn start_device(
        &self,
        fingerprint: &str,
        public_key: &str,
    ) -> Result<DeviceAuthorization> {
        self.post(
            "/api/tunnel-hosts/device",
            &json!({ "fingerprint": fingerprint, "public_key": public_key }),
        )
        .await?
        .ok_or_else(|| Error::Edge("device authorization answered 404".into()))
    }

    /// Where a device authorization stands; `None` once it expired.
    pub async fn poll_device(&self, device_code: &str) -> Result<Option<DevicePoll>> {
        self.post(
            "/api/tunnel-hosts/device/poll",
            &json!({ "device_code": device_code }),
        )
        .await
    }

    /// POSTs JSON to `path`; 2xx → `Some(body)`, 404 → `None`, anything else an error.
    async fn post<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<Option<R>> {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(body);
        if let Some(credential) = &self.credential {
            request = request.header(HOST_HEADER, credential);
        }
        let response = request
            .send()
            .await
            .map_err(|e| Error::EdgeUnavailable(format!("POST {path}: {}", without_url(e))))?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if status.is_success() {
            return response.json::<R>().await.map(Some).map_err(|e| {
                Error::Edge(format!("POST {path}: bad response: {}", without_url(e)))
            });
        }
        let detail = response
            .json::<ErrorBody>()
            .await
            .map(|b| format!("{} ({})", b.error.message, b.error.code))
            .unwrap_or_default();
        Err(match status {
            StatusCode::UNAUTHORIZED => Error::Edge(format!(
                "POST {path}: the edge refused this host's credential {detail}; \
                 enroll again with --enroll"
            )),
            s if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => {
                Error::EdgeUnavailable(format!("POST {path}: {status} {detail}"))
            }
            _ => Error::Edge(format!("POST {path}: {status} {detail}")),
        })
    }
}

/// A reqwest error with its causes (`error sending request: ...: connection refused`),
/// without its URL (nothing secret, but noise in logs).
fn without_url(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_are_checked_and_trimmed() {
        assert_eq!(
            normalize_base("https://edge.example.com/").unwrap(),
            "https://edge.example.com"
        );
        assert_eq!(
            normalize_base("http://127.0.0.1:8787").unwrap(),
            "http://127.0.0.1:8787"
        );
        assert!(normalize_base("ftp://x").is_err());
        assert!(normalize_base("https://").is_err());
        assert!(normalize_base("edge.example.com").is_err());
    }

    #[test]
    fn relative_uris_become_absolute() {
        let c = EdgeClient::new("http://127.0.0.1:8787/").unwrap();
        assert_eq!(c.absolute("/activate"), "http://127.0.0.1:8787/activate");
        assert_eq!(c.absolute("activate"), "http://127.0.0.1:8787/activate");
        assert_eq!(c.absolute("https://x.y/activate"), "https://x.y/activate");
    }

    #[test]
    fn lookup_answers_parse_and_say_no_when_silent() {
        let l: KeyLookup = serde_json::from_str(
            r#"{"user":{"id":"u1","name":"Ada","email":"a@x"},"role":"operator","can_open_tunnels":true}"#,
        )
        .unwrap();
        assert!(l.can_open_tunnels);
        assert_eq!(l.role.as_deref(), Some("operator"));
        // An edge from before roles were sent: no tunnels.
        let old: KeyLookup =
            serde_json::from_str(r#"{"user":{"id":"u1","name":"Ada","email":"a@x"}}"#).unwrap();
        assert!(!old.can_open_tunnels);
        assert_eq!(old.role, None);
    }

    #[test]
    fn poll_answers_parse() {
        let p: DevicePoll = serde_json::from_str(r#"{"status":"pending"}"#).unwrap();
        assert_eq!(p, DevicePoll::Pending);
        let p: DevicePoll = serde_json::from_str(
            r#"{"status":"approved","user":{"id":"u1","name":"Ada","email":"a@x"}}"#,
        )
        .unwrap();
        assert!(matches!(p, DevicePoll::Approved { user } if user.id == "u1"));
    }
}
