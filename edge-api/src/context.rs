//! The request context: who is calling, from where, and in which
//! organization. The guard ([`crate::auth::guard`]) builds it for every
//! request and puts it in the request's extensions; handlers of every area
//! read it from there.

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::{
    auth::{Credential, Role},
    record::events::Outbox,
};

/// The signed-in user behind a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Caller {
    /// User id.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// How they signed in.
    #[serde(skip, default = "anonymous")]
    pub credential: Credential,
    /// The session's public id, when signed in by cookie.
    pub session_id: Option<String>,
    /// The API key's id, when signed in by key.
    pub api_key_id: Option<String>,
}

fn anonymous() -> Credential {
    Credential::Anonymous
}

/// The organization named in the path, with the caller's role in it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgContext {
    /// Organization id.
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// The caller's role.
    pub role: Role,
}

/// Facts about the request the session and audit code need.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// Client IP (`CF-Connecting-IP`, set by Cloudflare).
    pub ip: Option<String>,
    /// `User-Agent`, shortened.
    pub user_agent: Option<String>,
    /// Whether the panel is served over https.
    pub secure: bool,
    /// The request's own origin (`scheme://host`), when known.
    pub origin: Option<String>,
    /// Events to publish once the request has succeeded.
    pub outbox: Outbox,
}

impl RequestMeta {
    /// Reads the client's address and browser, and the request's origin.
    pub fn from_request(uri: &axum::http::Uri, headers: &HeaderMap) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let secure = uri.scheme_str() == Some("https");
        let host = uri
            .authority()
            .map(|a| a.to_string())
            .or_else(|| text("host"));
        let scheme = uri.scheme_str().unwrap_or("http");
        RequestMeta {
            ip: text("cf-connecting-ip")
                .map(|ip| ip.trim().to_owned())
                .filter(|ip| !ip.is_empty()),
            user_agent: text("user-agent").map(|ua| ua.chars().take(200).collect()),
            secure,
            origin: host.map(|host| format!("{scheme}://{host}")),
            outbox: Outbox::default(),
        }
    }
}

/// The game server named in the path (`{server}`), with the caller's
/// standing on it; the guard puts it in the request for `Access::Server` routes.
#[derive(Debug, Clone)]
pub struct ServerContext {
    /// Server id (its uuid on Wings).
    pub id: String,
    /// Its organization.
    pub org_id: String,
    /// The caller's role in that organization, if a member.
    pub role: Option<Role>,
    /// The caller's permissions on the server (`["*"]` for its owner), if any.
    pub grants: Option<Vec<String>>,
    /// How the caller signed in.
    pub credential: Credential,
}

impl ServerContext {
    /// Whether the caller may use `permission` on this server, by
    /// [`crate::auth::decide_for`].
    pub fn may(&self, permission: &'static str) -> bool {
        crate::auth::decide_for(
            crate::auth::Access::Server(crate::auth::ServerNeed::Permission(permission)),
            self.credential,
            self.role,
            self.grants.as_deref(),
        ) == crate::auth::Decision::Allow
    }

    /// [`ServerContext::may`], or 403.
    pub fn require(&self, permission: &'static str) -> Result<(), crate::error::ApiError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(crate::error::ApiError::Forbidden {
                code: "forbidden",
                message: format!("This needs the {permission} permission on this server."),
            })
        }
    }
}
