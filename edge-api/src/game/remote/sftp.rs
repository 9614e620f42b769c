//! `POST /api/remote/sftp/auth`: Wings asks whether an SFTP user name
//! (`<email>.<8-character short server id>`) with a password, or with a
//! public key (an authorized_keys line), may open that server, and with
//! which permissions. Members who may change game servers, and the server's
//! owner, get `*`; subusers need `file.sftp` (Wings does not check it) and
//! get their permissions. Attempts are throttled per server and client IP.
//! Every refusal is a 4xx (Wings treats any 4xx as bad credentials).

use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};

use super::{RemoteResult, auth};
use crate::{
    auth::{
        Access, Credential, Decision, Role, ServerNeed, account::DUMMY_HASH, decide_for, rate_limit,
    },
    crypto,
    error::ApiError,
    extract::ApiJson,
    game::permission,
    platform::{
        Platform,
        db::{DatabaseExt, Statement},
    },
    tunnels::ssh_key,
};

/// `POST /api/remote/sftp/auth` body.
#[derive(Debug, Deserialize)]
pub struct SftpRequest {
    /// `password` or `public_key`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `<email>.<short server id>`.
    pub username: String,
    /// The password, or the offered key as an authorized_keys line.
    #[serde(default)]
    pub password: String,
    /// The client's `host:port`.
    #[serde(default)]
    pub ip: String,
    /// Wings' session id.
    #[serde(default)]
    pub session_id: String,
    /// The client's SSH version string.
    #[serde(default)]
    pub client_version: String,
}

/// The answer Wings expects.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct SftpGrant {
    /// The server's uuid.
    pub server: String,
    /// The user's uuid.
    pub user: String,
    /// What they may do.
    pub permissions: Vec<String>,
}

fn refused() -> ApiError {
    ApiError::Forbidden {
        code: "invalid_credentials",
        message: "The username or credentials are not valid for this server.".into(),
    }
}

/// Splits `<user>.<short id>` as Wings does (`^(?i)(.+)\.([a-z0-9]{8})$`).
pub fn split_username(username: &str) -> Option<(&str, String)> {
    let (user, short) = username.rsplit_once('.')?;
    let short = short.to_ascii_lowercase();
    let ok = !user.is_empty()
        && short.len() == 8
        && short
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    ok.then_some((user, short))
}

/// `host:port` (or `[v6]:port`) without the port.
fn client_ip(ip: &str) -> &str {
    match ip.parse::<std::net::SocketAddr>() {
        Ok(_) => ip.rsplit_once(':').map_or(ip, |(host, _)| {
            host.trim_start_matches('[').trim_end_matches(']')
        }),
        Err(_) => ip,
    }
}

/// `POST /api/remote/sftp/auth`.
pub async fn authenticate(
    State(platform): State<Platform>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SftpRequest>,
) -> RemoteResult<Json<SftpGrant>> {
    let node = auth::node(&platform, &headers).await?;
    let (user_part, short_id) = split_username(&body.username).ok_or_else(refused)?;
    if body.password.len() > 16 * 1024 || user_part.len() > 254 {
        return Err(refused().into());
    }
    #[derive(Deserialize)]
    struct ServerRow {
        id: String,
        org_id: String,
        owner_id: Option<String>,
        status: Option<String>,
    }
    let server: ServerRow = platform
        .db
        .first(
            Statement::new("SELECT id, org_id, owner_id, status FROM servers WHERE short_id = ?1 AND node_id = ?2")
                .bind(short_id.as_str())
                .bind(node.id.as_str()),
        )
        .await?
        .ok_or_else(refused)?;
    let ip = client_ip(&body.ip);
    let attempt = rate_limit::sftp(&platform, &server.id, (!ip.is_empty()).then_some(ip)).await?;

    #[derive(Deserialize)]
    struct UserRow {
        id: String,
        password_hash: String,
        role: Option<String>,
        permissions: Option<String>,
    }
    let user: Option<UserRow> = platform
        .db
        .first(
            Statement::new(
                "SELECT u.id, u.password_hash, m.role, su.permissions FROM users u \
                 LEFT JOIN memberships m ON m.user_id = u.id AND m.org_id = ?2 \
                 LEFT JOIN subusers su ON su.user_id = u.id AND su.server_id = ?3 \
                 WHERE u.email = ?1",
            )
            .bind(user_part.to_lowercase())
            .bind(server.org_id.as_str())
            .bind(server.id.as_str()),
        )
        .await?;
    let proven = match body.kind.as_str() {
        "password" => {
            let (ok, _) = crypto::verify_password(
                &body.password,
                user.as_ref().map_or(DUMMY_HASH, |u| &u.password_hash),
            )?;
            ok && user.is_some()
        }
        "public_key" => match (&user, ssh_key::parse(body.password.trim_end())) {
            (Some(u), Ok(key)) => ssh_key::owner_of(&platform, &key.fingerprint)
                .await?
                .is_some_and(|owner| owner == u.id),
            _ => false,
        },
        _ => false,
    };
    let Some(user) = user.filter(|_| proven) else {
        return Err(refused().into());
    };
    let role = user.role.as_deref().and_then(Role::parse);
    let grants = if server.owner_id.as_deref() == Some(user.id.as_str()) {
        Some(vec!["*".to_owned()])
    } else {
        user.permissions
            .as_deref()
            .map(|p| serde_json::from_str::<Vec<String>>(p).unwrap_or_default())
    };
    let sftp = Access::Server(ServerNeed::Permission(permission::SFTP));
    if decide_for(sftp, Credential::ApiKey, role, grants.as_deref()) != Decision::Allow {
        // The credentials were right: not a guess, so not counted.
        platform.db.batch(attempt.succeeded()).await?;
        return Err(ApiError::Forbidden {
            code: "sftp_not_permitted",
            message: "This user may not use SFTP on this server.".into(),
        }
        .into());
    }
    if server.status.as_deref() == Some("suspended") {
        platform.db.batch(attempt.succeeded()).await?;
        return Err(ApiError::Conflict {
            code: "server_suspended",
            message: "This server is suspended.".into(),
        }
        .into());
    }
    platform.db.batch(attempt.succeeded()).await?;
    let by_role = decide_for(
        Access::Server(ServerNeed::Org(crate::auth::Action::Write)),
        Credential::ApiKey,
        role,
        None,
    ) == Decision::Allow;
    let permissions = if by_role {
        vec!["*".to_owned()]
    } else {
        permission::for_wings(grants.as_deref().unwrap_or_default())
    };
    Ok(Json(SftpGrant {
        server: server.id,
        user: user.id,
        permissions,
    }))
}

#[cfg(test)]
mod tests {
    use super::{client_ip, split_username};

    #[test]
    fn usernames_split_like_wings() {
        assert_eq!(
            split_username("ada@example.com.1A2b3c4d"),
            Some(("ada@example.com", "1a2b3c4d".to_owned()))
        );
        assert_eq!(split_username("ada.1a2b3c4"), None);
        assert_eq!(split_username(".1a2b3c4d"), None);
        assert_eq!(split_username("ada"), None);
        assert_eq!(client_ip("192.0.2.7:50022"), "192.0.2.7");
        assert_eq!(client_ip("[2001:db8::1]:22"), "2001:db8::1");
        assert_eq!(client_ip("192.0.2.7"), "192.0.2.7");
    }
}
