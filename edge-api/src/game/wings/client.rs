//! The typed client for a node's bearer routes (contract section 4): the
//! node's token as `Authorization: Bearer`, a deadline on every call (a node
//! that is down never stalls a page), the answer's `User-Agent … (id:…)`
//! checked against the node, and failures as [`WingsError`]s.

use std::time::Duration;

use serde::{Serialize, de::DeserializeOwned};

use super::{
    error::WingsError,
    types::{
        Applied, Commands, CreateServer, Deauthorize, InstallLogs, Ips, Logs, Power, PowerSignal,
        ServerDetails, SystemV1, SystemV2, Utilization,
    },
};
use crate::platform::http::{Http, HttpError, HttpRequest, HttpResponse, Method};

/// How long a call may take unless the caller says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest Wings' message Flamingo repeats.
const MAX_MESSAGE: usize = 300;

/// Where a node is and how to prove Flamingo to it.
#[derive(Clone)]
pub struct NodeTarget {
    /// The node's name, for errors.
    pub name: String,
    /// `scheme://fqdn:port`, no trailing slash.
    pub base_url: String,
    /// The node's public token id (checked in Wings' `User-Agent`).
    pub token_id: String,
    /// The node's secret token.
    pub token: String,
}

impl std::fmt::Debug for NodeTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeTarget")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("token_id", &self.token_id)
            .finish_non_exhaustive()
    }
}

/// A client for one node.
pub struct Wings<'a> {
    http: &'a dyn Http,
    node: &'a NodeTarget,
    timeout: Duration,
}

impl<'a> Wings<'a> {
    /// A client with the [`DEFAULT_TIMEOUT`].
    pub fn new(http: &'a dyn Http, node: &'a NodeTarget) -> Self {
        Wings {
            http,
            node,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The same client with another per-call timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn name(&self) -> String {
        self.node.name.clone()
    }

    /// Sends one call and checks status and identity; the raw answer.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<HttpResponse, WingsError> {
        let mut headers = vec![
            (
                "Authorization".to_owned(),
                format!("Bearer {}", self.node.token),
            ),
            ("Accept".to_owned(), "application/json".to_owned()),
            (
                "User-Agent".to_owned(),
                format!("Flamingo/{}", crate::VERSION),
            ),
        ];
        if body.is_some() {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        let request = HttpRequest {
            method,
            url: format!("{}{path}", self.node.base_url),
            headers,
            body,
            timeout: self.timeout,
        };
        let response = self.http.send(request).await.map_err(|e| match e {
            HttpError::Timeout => WingsError::Timeout { node: self.name() },
            HttpError::Unreachable(cause) | HttpError::Invalid(cause) => WingsError::Offline {
                node: self.name(),
                cause,
            },
        })?;
        // Wings' bearer check runs before anything else: 401 (no or ill-formed
        // header) or 403 (another token) means the node does not take the
        // panel's token, whatever node id its answer names (a rotated token
        // leaves Wings on the old pair until it restarts).
        if matches!(response.status, 401 | 403) {
            return Err(WingsError::TokenRejected {
                node: self.name(),
                status: response.status,
            });
        }
        self.check_identity(&response)?;
        if !(200..300).contains(&response.status) {
            return Err(WingsError::Refused {
                node: self.name(),
                status: response.status,
                message: message_of(&response.body),
            });
        }
        Ok(response)
    }

    /// Wings names its node in `User-Agent: Pelican Wings/v… (id:{token_id})`;
    /// an answer naming another node is refused (a DNS or proxy mix-up).
    fn check_identity(&self, response: &HttpResponse) -> Result<(), WingsError> {
        let Some(agent) = response.header("user-agent") else {
            return Ok(());
        };
        let Some(rest) = agent.split("(id:").nth(1) else {
            return Ok(());
        };
        let id = rest.split(')').next().unwrap_or_default().trim();
        if crate::crypto::constant_time_eq(id.as_bytes(), self.node.token_id.as_bytes()) {
            Ok(())
        } else {
            Err(WingsError::BadAnswer {
                node: self.name(),
                detail: format!("the answer came from node id {id:?}"),
            })
        }
    }

    async fn json<T: DeserializeOwned>(&self, method: Method, path: &str) -> Result<T, WingsError> {
        let response = self.call(method, path, None).await?;
        serde_json::from_slice(&response.body).map_err(|e| WingsError::BadAnswer {
            node: self.name(),
            detail: e.to_string(),
        })
    }

    pub(crate) async fn send<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<HttpResponse, WingsError> {
        let bytes = serde_json::to_vec(body).map_err(|e| WingsError::BadAnswer {
            node: self.name(),
            detail: format!("encoding the request: {e}"),
        })?;
        self.call(method, path, Some(bytes)).await
    }

    /// `GET /api/system`.
    pub async fn system(&self) -> Result<SystemV1, WingsError> {
        self.json(Method::Get, "/api/system").await
    }

    /// `GET /api/system?v=2`.
    pub async fn system_v2(&self) -> Result<SystemV2, WingsError> {
        self.json(Method::Get, "/api/system?v=2").await
    }

    /// `GET /api/system/utilization`.
    pub async fn utilization(&self) -> Result<Utilization, WingsError> {
        self.json(Method::Get, "/api/system/utilization").await
    }

    /// `GET /api/system/ips`.
    pub async fn ips(&self) -> Result<Ips, WingsError> {
        self.json(Method::Get, "/api/system/ips").await
    }

    /// `POST /api/update`: pushes a configuration (json tags of config.yml).
    pub async fn update_config(&self, config: &serde_json::Value) -> Result<Applied, WingsError> {
        let response = self.send(Method::Post, "/api/update", config).await?;
        serde_json::from_slice(&response.body).map_err(|e| WingsError::BadAnswer {
            node: self.name(),
            detail: e.to_string(),
        })
    }

    /// `POST /api/deauthorize-user`.
    pub async fn deauthorize_user(&self, user: &str, servers: &[String]) -> Result<(), WingsError> {
        self.send(
            Method::Post,
            "/api/deauthorize-user",
            &Deauthorize { user, servers },
        )
        .await
        .map(drop)
    }

    /// `POST /api/servers`: Wings calls back for the settings before it answers.
    pub async fn create_server(
        &self,
        uuid: &str,
        start_on_completion: bool,
    ) -> Result<(), WingsError> {
        self.send(
            Method::Post,
            "/api/servers",
            &CreateServer {
                uuid,
                start_on_completion,
            },
        )
        .await
        .map(drop)
    }

    /// `GET /api/servers`: every server the node holds, with its state and
    /// resource use (one call for the whole node).
    pub async fn servers(&self) -> Result<Vec<ServerDetails>, WingsError> {
        self.json(Method::Get, "/api/servers").await
    }

    /// `GET /api/servers/{uuid}`.
    pub async fn server(&self, uuid: &str) -> Result<ServerDetails, WingsError> {
        self.json(Method::Get, &format!("/api/servers/{uuid}"))
            .await
    }

    /// `DELETE /api/servers/{uuid}`.
    pub async fn delete_server(&self, uuid: &str) -> Result<(), WingsError> {
        self.call(Method::Delete, &format!("/api/servers/{uuid}"), None)
            .await
            .map(drop)
    }

    /// `POST /api/servers/{uuid}/sync`: Wings fetches the settings again.
    pub async fn sync(&self, uuid: &str) -> Result<(), WingsError> {
        self.call(Method::Post, &format!("/api/servers/{uuid}/sync"), None)
            .await
            .map(drop)
    }

    /// `POST /api/servers/{uuid}/power`.
    pub async fn power(&self, uuid: &str, action: PowerSignal) -> Result<(), WingsError> {
        self.send(
            Method::Post,
            &format!("/api/servers/{uuid}/power"),
            &Power {
                action,
                wait_seconds: 30,
            },
        )
        .await
        .map(drop)
    }

    /// `POST /api/servers/{uuid}/commands`.
    pub async fn commands(&self, uuid: &str, commands: &[String]) -> Result<(), WingsError> {
        self.send(
            Method::Post,
            &format!("/api/servers/{uuid}/commands"),
            &Commands { commands },
        )
        .await
        .map(drop)
    }

    /// `POST /api/servers/{uuid}/reinstall` (Pelican's reinstall; Wings'
    /// `/install` re-syncs and installs too, and the panel never needs it:
    /// a new server installs from `POST /api/servers`).
    pub async fn reinstall(&self, uuid: &str) -> Result<(), WingsError> {
        self.call(
            Method::Post,
            &format!("/api/servers/{uuid}/reinstall"),
            None,
        )
        .await
        .map(drop)
    }

    /// `GET /api/servers/{uuid}/logs?size=N` (at most 100 lines).
    pub async fn logs(&self, uuid: &str, size: u32) -> Result<Logs, WingsError> {
        self.json(
            Method::Get,
            &format!("/api/servers/{uuid}/logs?size={}", size.clamp(1, 100)),
        )
        .await
    }

    /// `GET /api/servers/{uuid}/install-logs`: the last install's script output.
    pub async fn install_logs(&self, uuid: &str) -> Result<InstallLogs, WingsError> {
        self.json(Method::Get, &format!("/api/servers/{uuid}/install-logs"))
            .await
    }
}

/// Wings' error message (`{"error": "..."}`), else the start of its body.
fn message_of(body: &[u8]) -> String {
    let text = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_owned());
    let text: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_MESSAGE)
        .collect();
    if text.is_empty() {
        "no message".into()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::message_of;

    #[test]
    fn wings_messages_are_read_from_their_error_field() {
        assert_eq!(
            message_of(br#"{"error":"The server is not running.","request_id":"x"}"#),
            "The server is not running."
        );
        assert_eq!(message_of(b"  plain\ntext "), "plaintext");
        assert_eq!(message_of(b""), "no message");
    }
}
