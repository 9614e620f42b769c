//! Tunnel hosts: the VPSes running `tunnel-host`, enrolled into an
//! organization. An admin creates a host and gets a one-time enrollment
//! token (24 h, stored hashed); the host exchanges it once for a long-lived
//! credential `fth_...` (stored hashed) that authenticates its later calls.
//!
//! Host calls carry no user, so their routes are [`Access::Public`] at the
//! guard and each handler authenticates the host with [`authenticate_host`].
//! The credential travels in the [`HOST_HEADER`] header: the guard reads any
//! `Authorization` header as a user's API key and would refuse `fth_`.
//!
//! Enrolling is single use: one D1 batch claims the host with
//! `UPDATE ... WHERE enrolled_at IS NULL` and writes the audit row with an
//! `INSERT ... SELECT` that only matches the host this request claimed; a
//! racing second request changes nothing and gets a 404.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
};
use durable_state::link::{LinkReply, LinkRequest, LinkStatus};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{node_names, ssh_key};
use crate::{
    auth::{self, Access, Action, Credential, Decision, Resource, Role, rate_limit},
    context::{Caller, OrgContext, RequestMeta},
    crypto,
    error::ApiError,
    extract::ApiJson,
    platform::{
        Platform,
        clock::{parse_rfc3339, rfc3339},
        db::{DatabaseExt, Statement},
    },
    record::{
        audit,
        events::{self, Audience, NewEvent},
    },
    route::Route,
    validate::{self, Problems},
};

/// Every host credential starts with this.
pub const PREFIX: &str = "fth_";
/// Every enrollment token starts with this, so it reads as what it is and, passed as
/// `--enroll <token>`, never begins with `-` (a bare base64url token does once in 64).
pub const ENROLLMENT_PREFIX: &str = "fte_";
/// The header a host sends its credential in: `X-Flamingo-Host: fth_...`.
pub const HOST_HEADER: &str = "x-flamingo-host";
/// How long an enrollment token stays valid.
pub const ENROLLMENT_TTL_MS: i64 = 24 * 3600 * 1000;
/// A host seen this recently is online.
pub const ONLINE_WINDOW_MS: i64 = 90_000;
/// `last_seen_at` is written at most this often per host.
const TOUCH_EVERY_MS: i64 = 30_000;
/// Hosts an organization may have.
const MAX_HOSTS: i64 = 100;

/// The tunnel host routes.
pub fn routes() -> Vec<Route> {
    use Access::{Org, Public};
    let fleet = |action| Org(Resource::Vps, action);
    vec![
        Route::get("/api/orgs/{org}/tunnel-hosts", fleet(Action::Read), list),
        Route::post("/api/orgs/{org}/tunnel-hosts", fleet(Action::Write), create),
        Route::delete(
            "/api/orgs/{org}/tunnel-hosts/{id}",
            fleet(Action::Write),
            remove,
        ),
        // Public at the guard: the token is the authentication.
        Route::post("/api/tunnel-hosts/enroll", Public, enroll),
        // Public at the guard: authenticated by `authenticate_host`.
        Route::post("/api/tunnel-hosts/keys/lookup", Public, lookup_key),
    ]
}

/// Whether a host has enrolled and been heard from lately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum HostStatus {
    /// Created, not enrolled yet.
    Pending,
    /// Called in within the last 90 seconds.
    Online,
    /// Enrolled, silent for more than 90 seconds.
    Offline,
}

/// A tunnel host as listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct TunnelHost {
    /// Host id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Computed from `last_seen_at` when read.
    pub status: HostStatus,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; last authenticated call (within 30 s).
    pub last_seen_at: Option<String>,
    /// RFC 3339.
    pub enrolled_at: Option<String>,
    /// Host name people pass to `ssh`, as the host last reported (none before it has).
    pub ssh_host: Option<String>,
    /// SSH port people pass to `ssh -p`, as the host last reported.
    pub ssh_port: Option<u16>,
    /// Tunnels are served as `<name>.<tunnel_domain>`, as the host last reported.
    pub tunnel_domain: Option<String>,
}

#[derive(Deserialize)]
struct HostRow {
    id: String,
    name: String,
    created_at: String,
    last_seen_at: Option<String>,
    enrolled_at: Option<String>,
}

impl HostRow {
    fn into_host(self, now_ms: i64) -> TunnelHost {
        let seen = self.last_seen_at.as_deref().and_then(parse_rfc3339);
        let status = match (&self.enrolled_at, seen) {
            (None, _) => HostStatus::Pending,
            (Some(_), Some(at)) if now_ms - at <= ONLINE_WINDOW_MS => HostStatus::Online,
            (Some(_), _) => HostStatus::Offline,
        };
        TunnelHost {
            id: self.id,
            name: self.name,
            status,
            created_at: self.created_at,
            last_seen_at: self.last_seen_at,
            enrolled_at: self.enrolled_at,
            ssh_host: None,
            ssh_port: None,
            tunnel_domain: None,
        }
    }
}

const COLUMNS: &str = "id, name, created_at, last_seen_at, enrolled_at";

/// `POST /api/orgs/{org}/tunnel-hosts` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewTunnelHost {
    /// Display name.
    pub name: String,
}

/// A host just created: the only time its enrollment token is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct CreatedTunnelHost {
    /// The host.
    pub host: TunnelHost,
    /// One-time token `fte_...` for `tunnel-host --edge <url> --enroll <token>`, valid 24 hours.
    pub enrollment_token: String,
}

/// `POST /api/tunnel-hosts/enroll` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// The token shown when the host was created.
    pub enrollment_token: String,
    /// The machine's hostname.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub hostname: Option<String>,
    /// The tunnel-host version.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub version: Option<String>,
}

/// `POST /api/tunnel-hosts/enroll` response: the only time the credential is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Enrollment {
    /// Host id.
    pub host_id: String,
    /// The organization it serves.
    pub org_id: String,
    /// `fth_...`; the host sends it in `X-Flamingo-Host` from now on.
    pub credential: String,
}

/// An authenticated tunnel host.
#[derive(Debug, Clone)]
pub struct HostCaller {
    /// Host id.
    pub host_id: String,
    /// The organization it serves.
    pub org_id: String,
    /// Display name.
    pub name: String,
}

/// A user as a host sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct KeyOwner {
    /// User id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
}

/// `POST /api/tunnel-hosts/keys/lookup` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct KeyLookup {
    /// `SHA256:...` of the key a client offered.
    pub fingerprint: String,
}

/// `POST /api/tunnel-hosts/keys/lookup` response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct KeyLookupResult {
    /// The key's owner, a member of the host's organization.
    pub user: KeyOwner,
    /// Their role in the host's organization; absent for a Wings node's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub role: Option<Role>,
    /// Whether that role may open tunnels ([`OPEN_TUNNELS`]); the host
    /// refuses the key when not, and a host that finds no answer here
    /// refuses it too.
    pub can_open_tunnels: bool,
    /// For a Wings node's key: the only names it may bind on this host
    /// (its API's HTTP name and `tcp-<sftp port>`); absent for a user's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub only_names: Option<Vec<String>>,
}

/// What opening a tunnel on a host asks of the key's owner: tunnel write
/// access in the host's organization, as the permission matrix says.
pub const OPEN_TUNNELS: Access = Access::Org(Resource::Tunnels, Action::Write);

/// The matrix's verdict on `role` (None: not a member) opening tunnels on
/// one of the organization's hosts, by [`auth::decide`]. An SSH key is a
/// credential of its owner like an API key, not a browser session.
pub fn may_open_tunnels(credential: Credential, role: Option<Role>) -> Decision {
    auth::decide(OPEN_TUNNELS, credential, role)
}

fn invalid_host() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_host_credential",
        message: "Send the host credential as X-Flamingo-Host: fth_...".into(),
    }
}

/// The host credential in `headers`, if any.
pub fn credential(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(HOST_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The tunnel host behind a credential (`fth_...`), or 401. Touches
/// `last_seen_at` at most every 30 seconds, which is what makes it online.
pub async fn authenticate_host(
    platform: &Platform,
    bearer: Option<&str>,
) -> Result<HostCaller, ApiError> {
    let token = bearer
        .filter(|t| t.starts_with(PREFIX) && t.len() <= 128)
        .ok_or_else(invalid_host)?;
    #[derive(Deserialize)]
    struct Row {
        id: String,
        org_id: String,
        name: String,
        last_seen_at: Option<String>,
    }
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new(
                "SELECT id, org_id, name, last_seen_at FROM tunnel_hosts \
                 WHERE credential_hash = ?1 AND enrolled_at IS NOT NULL",
            )
            .bind(crypto::sha256_hex(token.as_bytes())),
        )
        .await?;
    let row = row.ok_or_else(invalid_host)?;
    let now = platform.clock.now_ms();
    let seen = row.last_seen_at.as_deref().and_then(parse_rfc3339);
    if seen.is_none_or(|at| now - at >= TOUCH_EVERY_MS) {
        platform
            .db
            .execute(
                Statement::new("UPDATE tunnel_hosts SET last_seen_at = ?1 WHERE id = ?2")
                    .bind(rfc3339(now))
                    .bind(row.id.as_str()),
            )
            .await?;
    }
    Ok(HostCaller {
        host_id: row.id,
        org_id: row.org_id,
        name: row.name,
    })
}

/// `GET /api/orgs/{org}/tunnel-hosts`: the organization's hosts, newest first.
pub async fn list(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
) -> Result<Json<Vec<TunnelHost>>, ApiError> {
    let rows: Vec<HostRow> = platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM tunnel_hosts WHERE org_id = ?1 ORDER BY created_at DESC, id"
            ))
            .bind(org.id.as_str()),
        )
        .await?;
    let now = platform.clock.now_ms();
    let enrolled = rows
        .iter()
        .filter(|r| r.enrolled_at.is_some())
        .map(|r| (r.id.clone(), r.name.clone()))
        .collect();
    let links: std::collections::HashMap<String, LinkStatus> =
        super::tunnel::statuses_of(&platform, enrolled, LinkRequest::Status)
            .await
            .into_iter()
            .map(|(id, _, status)| (id, status))
            .collect();
    Ok(Json(
        rows.into_iter()
            .map(|row| {
                let link = links.get(&row.id);
                let mut host = row.into_host(now);
                // `status` checked the address again; it is only ever a plain host name.
                if let Some(address) = link.and_then(|l| l.address.clone()) {
                    host.ssh_host = Some(address.ssh_host);
                    host.ssh_port = Some(address.ssh_port);
                    host.tunnel_domain = Some(address.tunnel_domain);
                }
                // Once a host has used its link, the link decides: online
                // while connected, last seen at its last frame.
                if let Some(at) = link.and_then(|l| l.last_seen_ms) {
                    let seen = rfc3339(at);
                    if host.last_seen_at.as_ref().is_none_or(|d| *d < seen) {
                        host.last_seen_at = Some(seen);
                    }
                    if host.status != HostStatus::Pending {
                        host.status = if link.is_some_and(|l| l.online) {
                            HostStatus::Online
                        } else {
                            HostStatus::Offline
                        };
                    }
                }
                host
            })
            .collect(),
    ))
}

/// `POST /api/orgs/{org}/tunnel-hosts`: a pending host and its enrollment token.
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    ApiJson(body): ApiJson<NewTunnelHost>,
) -> Result<(StatusCode, Json<CreatedTunnelHost>), ApiError> {
    let mut problems = Problems::new();
    problems.check("name", validate::name(&body.name));
    problems.finish()?;
    #[derive(Deserialize)]
    struct Count {
        hosts: i64,
    }
    let count: Option<Count> = platform
        .db
        .first(
            Statement::new("SELECT COUNT(*) AS hosts FROM tunnel_hosts WHERE org_id = ?1")
                .bind(org.id.as_str()),
        )
        .await?;
    if count.is_some_and(|c| c.hosts >= MAX_HOSTS) {
        return Err(ApiError::Conflict {
            code: "too_many_hosts",
            message: format!("An organization may have {MAX_HOSTS} tunnel hosts."),
        });
    }
    let now = platform.clock.now_ms();
    let token = format!("{ENROLLMENT_PREFIX}{}", crypto::token()?);
    let host = TunnelHost {
        id: crypto::uuid()?,
        name: body.name.trim().to_owned(),
        status: HostStatus::Pending,
        created_at: rfc3339(now),
        last_seen_at: None,
        enrolled_at: None,
        ssh_host: None,
        ssh_port: None,
        tunnel_domain: None,
    };
    let expires_at = rfc3339(now + ENROLLMENT_TTL_MS);
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "tunnel_host.create",
        resource_type: "tunnel_host",
        resource_id: &host.id,
        metadata: json!({ "name": host.name, "enrollment_expires_at": expires_at }),
    };
    platform
        .db
        .batch(vec![
            Statement::new(
                "INSERT INTO tunnel_hosts (id, org_id, name, enrollment_hash, enrollment_expires_at, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .bind(host.id.as_str())
            .bind(org.id.as_str())
            .bind(host.name.as_str())
            .bind(crypto::sha256_hex(token.as_bytes()))
            .bind(expires_at.as_str())
            .bind(host.created_at.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTunnelHost {
            host,
            enrollment_token: token,
        }),
    ))
}

/// `DELETE /api/orgs/{org}/tunnel-hosts/{id}`: forgets a host; its
/// credential stops working at once.
pub async fn remove(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let row: Option<HostRow> = platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM tunnel_hosts WHERE id = ?1 AND org_id = ?2"
            ))
            .bind(id.as_str())
            .bind(org.id.as_str()),
        )
        .await?;
    let row = row.ok_or(ApiError::NotFound)?;
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "tunnel_host.delete",
        resource_type: "tunnel_host",
        resource_id: &row.id,
        metadata: json!({ "name": row.name, "enrolled": row.enrolled_at.is_some() }),
    };
    platform
        .db
        .batch(vec![
            Statement::new("DELETE FROM tunnel_hosts WHERE id = ?1 AND org_id = ?2")
                .bind(row.id.as_str())
                .bind(org.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    // Its credential no longer works; drop the socket it may still hold.
    match platform.objects.link(&row.id, LinkRequest::Forget).await {
        Ok(LinkReply::Forgotten) => {}
        Ok(other) => crate::error::log_error("forget host", &format!("unexpected reply {other:?}")),
        Err(e) => crate::error::log_error("forget host", &e.to_string()),
    }
    Ok(StatusCode::NO_CONTENT)
}

/// An optional short text field reported by a host: trimmed, at most 100
/// characters, no control characters.
fn reported(field: &str, value: &Option<String>, problems: &mut Problems) -> Option<String> {
    let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    problems.check(field, validate::name(value));
    Some(value.to_owned())
}

/// `POST /api/tunnel-hosts/enroll`: exchanges a one-time enrollment token
/// for the host's credential. Unknown, used and expired tokens get the same
/// 404; misses are rate limited per IP ([`rate_limit::TOKENS`]).
pub async fn enroll(
    State(platform): State<Platform>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<EnrollRequest>,
) -> Result<(StatusCode, Json<Enrollment>), ApiError> {
    let mut problems = Problems::new();
    let hostname = reported("hostname", &body.hostname, &mut problems);
    let version = reported("version", &body.version, &mut problems);
    problems.finish()?;

    let hash = crypto::sha256_hex(body.enrollment_token.as_bytes());
    let attempt = rate_limit::token(&platform, "enroll", meta.ip.as_deref()).await?;
    let now = rfc3339(platform.clock.now_ms());
    #[derive(Deserialize)]
    struct Pending {
        id: String,
        org_id: String,
        name: String,
    }
    let pending: Option<Pending> = if body.enrollment_token.len() <= 128 {
        platform
            .db
            .first(
                Statement::new(
                    "SELECT id, org_id, name FROM tunnel_hosts WHERE enrollment_hash = ?1 \
                     AND enrolled_at IS NULL AND enrollment_expires_at > ?2",
                )
                .bind(hash.as_str())
                .bind(now.as_str()),
            )
            .await?
    } else {
        None
    };
    let Some(pending) = pending else {
        return Err(ApiError::NotFound);
    };
    attempt.forgive(&platform).await?;

    let hostname_shown = hostname.clone();
    let credential = format!("{PREFIX}{}", crypto::token()?);
    let credential_hash = crypto::sha256_hex(credential.as_bytes());
    let entry = audit::Entry {
        org_id: Some(&pending.org_id),
        action: "tunnel_host.enroll",
        resource_type: "tunnel_host",
        resource_id: &pending.id,
        metadata: json!({ "name": pending.name, "hostname": hostname, "version": version }),
    };
    // The audit row only for the host this request claimed (see the module docs).
    let audit_row = entry
        .statement_if(
            "EXISTS (SELECT 1 FROM tunnel_hosts WHERE id = ?11 AND credential_hash = ?12)",
            &platform,
            None,
            &meta,
        )?
        .bind(pending.id.as_str())
        .bind(credential_hash.as_str());
    let outcomes = platform
        .db
        .batch(vec![
            Statement::new(
                "UPDATE tunnel_hosts SET credential_hash = ?1, enrolled_at = ?2, last_seen_at = ?2, \
                 hostname = ?3, version = ?4 \
                 WHERE id = ?5 AND enrolled_at IS NULL AND enrollment_expires_at > ?2",
            )
            .bind(credential_hash.as_str())
            .bind(now.as_str())
            .bind(hostname)
            .bind(version)
            .bind(pending.id.as_str()),
            audit_row,
        ])
        .await?;
    if outcomes.first().is_none_or(|o| o.changes != 1) {
        // Another request enrolled this host first.
        return Err(ApiError::NotFound);
    }
    // For whoever is waiting on the enrollment dialog: only those who may
    // create hosts see it (everyone gets `host.online` when it connects).
    events::publish(
        &platform,
        &pending.org_id,
        NewEvent::new(
            "tunnel_host.enrolled",
            json!({ "host_id": pending.id, "name": pending.name, "hostname": hostname_shown }),
            Audience::Manage(Resource::Vps),
        ),
    )
    .await;
    Ok((
        StatusCode::CREATED,
        Json(Enrollment {
            host_id: pending.id,
            org_id: pending.org_id,
            credential,
        }),
    ))
}

/// The member of `org_id` who owns the key with `fingerprint`, with their
/// role, if any.
pub async fn member_with_key(
    platform: &Platform,
    org_id: &str,
    fingerprint: &str,
) -> Result<Option<(KeyOwner, Role)>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        name: String,
        email: String,
        role: String,
    }
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new(
                "SELECT u.id, u.name, u.email, m.role FROM ssh_keys k \
                 JOIN users u ON u.id = k.user_id \
                 JOIN memberships m ON m.user_id = u.id AND m.org_id = ?2 \
                 WHERE k.fingerprint = ?1",
            )
            .bind(fingerprint)
            .bind(org_id),
        )
        .await?;
    row.map(|r| {
        let role = Role::parse(&r.role)
            .ok_or_else(|| ApiError::Internal(format!("stored role {:?}", r.role)))?;
        let owner = KeyOwner {
            id: r.id,
            name: r.name,
            email: r.email,
        };
        Ok((owner, role))
    })
    .transpose()
}

/// `POST /api/tunnel-hosts/keys/lookup` (host-authenticated): who owns a
/// key, among the host's organization's members, with their role and
/// whether it lets them open tunnels; 404 otherwise.
pub async fn lookup_key(
    State(platform): State<Platform>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<KeyLookup>,
) -> Result<Json<KeyLookupResult>, ApiError> {
    let host = authenticate_host(&platform, credential(&headers)).await?;
    if !ssh_key::is_fingerprint(&body.fingerprint) {
        return Err(ApiError::NotFound);
    }
    // A node's key first: whoever holds its private key is the node machine.
    if let Some(node) =
        node_names::key(&platform, &host.org_id, &host.host_id, &body.fingerprint).await?
    {
        return Ok(Json(KeyLookupResult {
            user: KeyOwner {
                id: node_names::node_user(&node.node_id),
                name: format!("Wings node {}", node.node_name),
                email: String::new(),
            },
            role: None,
            can_open_tunnels: !node.names.is_empty(),
            only_names: Some(node.names),
        }));
    }
    let owner = if ssh_key::is_fingerprint(&body.fingerprint) {
        member_with_key(&platform, &host.org_id, &body.fingerprint).await?
    } else {
        None
    };
    let (user, role) = owner.ok_or(ApiError::NotFound)?;
    Ok(Json(KeyLookupResult {
        user,
        role: Some(role),
        can_open_tunnels: may_open_tunnels(Credential::ApiKey, Some(role)) == Decision::Allow,
        only_names: None,
    }))
}
