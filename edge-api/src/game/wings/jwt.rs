//! The JWTs Flamingo signs for Wings (contract section 5): HS256 keyed by
//! the node's token, whole-second `iat`/`nbf`/`exp`, `iss`/`aud`/`jti`, a
//! `scope`, and the claims each scope needs. Download and upload tokens
//! carry a fresh random `unique_id`, which Wings accepts once.

use jwt_simple::prelude::{Duration, HS256Key, JWTClaims, MACLike};
use serde::{Deserialize, Serialize};

use crate::{crypto, error::ApiError};

/// Console socket tokens live 10 minutes (renewed on the socket before they lapse).
pub const WEBSOCKET_SECS: u64 = 10 * 60;
/// Download and upload tokens live 15 minutes.
pub const TRANSFER_FILE_SECS: u64 = 15 * 60;
/// Server transfer tokens live 15 minutes.
pub const TRANSFER_SECS: u64 = 15 * 60;

/// What a token is for, as Wings names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The console socket's `auth` event.
    Websocket,
    /// `GET /download/file`.
    FileDownload,
    /// `POST /upload/file`.
    FileUpload,
    /// `GET /download/backup`.
    BackupDownload,
    /// `POST /api/transfers`.
    Transfer,
}

/// The custom claims of every token; unused ones are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WingsClaims {
    /// What the token is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// The server's uuid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_uuid: Option<String>,
    /// The user's uuid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_uuid: Option<String>,
    /// Console permissions (`websocket` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    /// The file (`file-download` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
    /// The backup (`backup-download` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_uuid: Option<String>,
    /// Single-use id (downloads and uploads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_id: Option<String>,
}

/// Signs tokens for one node at one instant.
pub struct Signer {
    key: HS256Key,
    issuer: String,
    audience: String,
    now_secs: u64,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer keyed by `node_token`, issued by the panel (`issuer`, its
    /// origin) for the node (`audience`, its base URL), at `now_ms`.
    pub fn new(node_token: &str, issuer: &str, audience: &str, now_ms: i64) -> Self {
        Signer {
            key: HS256Key::from_bytes(node_token.as_bytes()),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            now_secs: u64::try_from(now_ms.max(0) / 1000).unwrap_or(0),
        }
    }

    fn sign(
        &self,
        custom: WingsClaims,
        lifetime_secs: u64,
        subject: Option<&str>,
    ) -> Result<String, ApiError> {
        let now = Duration::from_secs(self.now_secs);
        let claims = JWTClaims {
            issued_at: Some(now),
            invalid_before: Some(now),
            expires_at: Some(Duration::from_secs(self.now_secs + lifetime_secs)),
            issuer: Some(self.issuer.clone()),
            subject: subject.map(str::to_owned),
            audiences: None,
            jwt_id: Some(crypto::uuid()?),
            nonce: None,
            custom,
        }
        .with_audience(&self.audience);
        self.key
            .authenticate(claims)
            .map_err(|e| ApiError::Internal(format!("signing a wings token: {e}")))
    }

    /// A console token for `user` on `server` with `permissions`.
    pub fn websocket(
        &self,
        server: &str,
        user: &str,
        permissions: &[String],
    ) -> Result<String, ApiError> {
        self.sign(
            WingsClaims {
                scope: Some(Scope::Websocket),
                server_uuid: Some(server.to_owned()),
                user_uuid: Some(user.to_owned()),
                permissions: Some(permissions.to_vec()),
                ..WingsClaims::default()
            },
            WEBSOCKET_SECS,
            None,
        )
    }

    /// A single-use download token for `file_path` of `server`.
    pub fn file_download(
        &self,
        server: &str,
        user: &str,
        file_path: &str,
    ) -> Result<String, ApiError> {
        self.sign(
            WingsClaims {
                scope: Some(Scope::FileDownload),
                server_uuid: Some(server.to_owned()),
                user_uuid: Some(user.to_owned()),
                file_path: Some(file_path.to_owned()),
                unique_id: Some(crypto::token()?),
                ..WingsClaims::default()
            },
            TRANSFER_FILE_SECS,
            None,
        )
    }

    /// A single-use upload token for `server`.
    pub fn file_upload(&self, server: &str, user: &str) -> Result<String, ApiError> {
        self.sign(
            WingsClaims {
                scope: Some(Scope::FileUpload),
                server_uuid: Some(server.to_owned()),
                user_uuid: Some(user.to_owned()),
                unique_id: Some(crypto::token()?),
                ..WingsClaims::default()
            },
            TRANSFER_FILE_SECS,
            None,
        )
    }

    /// A single-use download token for `backup` of `server`.
    pub fn backup_download(
        &self,
        server: &str,
        user: &str,
        backup: &str,
    ) -> Result<String, ApiError> {
        self.sign(
            WingsClaims {
                scope: Some(Scope::BackupDownload),
                server_uuid: Some(server.to_owned()),
                user_uuid: Some(user.to_owned()),
                backup_uuid: Some(backup.to_owned()),
                unique_id: Some(crypto::token()?),
                ..WingsClaims::default()
            },
            TRANSFER_FILE_SECS,
            None,
        )
    }

    /// A transfer token (`sub` = the server), signed with the destination
    /// node's token; the source sends it verbatim, so it comes as `Bearer …`.
    pub fn transfer(&self, server: &str) -> Result<String, ApiError> {
        let token = self.sign(
            WingsClaims {
                scope: Some(Scope::Transfer),
                ..WingsClaims::default()
            },
            TRANSFER_SECS,
            Some(server),
        )?;
        Ok(format!("Bearer {token}"))
    }
}
