//! The device flow for SSH keys nobody has registered yet (after RFC 8628):
//! the tunnel host shows the user a short code, the user enters it at
//! `/activate` while signed in, and the key becomes theirs.
//!
//! 1. The host calls `POST /api/tunnel-hosts/device` with the key; KV gets
//!    `device:<sha256(device_code)>` (the record) and `user-code:<code>`
//!    (the index), both expiring after ten minutes.
//! 2. A signed-in member of the host's organization whose role may open
//!    tunnels there (operator and up) posts the code to `POST /api/activate`;
//!    the key is added to their account and the record marked approved.
//!    Sign-up stays closed: only existing users approve.
//! 3. The host polls `POST /api/tunnel-hosts/device/poll` until approved.
//!
//! Host routes are [`Access::Public`] at the guard and authenticate with
//! [`tunnel_host::authenticate_host`].

use axum::{
    Extension, Json,
    extract::State,
    http::{HeaderMap, StatusCode},
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    ssh_key::{self, SshKey},
    tunnel_host::{self, KeyOwner},
};
use crate::{
    auth::{Access, Decision, Role, rate_limit},
    context::{Caller, RequestMeta},
    crypto,
    error::ApiError,
    extract::ApiJson,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, DbError, Statement},
        kv::MIN_TTL_SECS,
    },
    record::audit,
    route::Route,
};

/// How long a device code lives, in seconds.
pub const EXPIRES_IN: u64 = 600;
/// How often the host should poll, in seconds.
pub const INTERVAL: u64 = 2;
/// Where the user enters the code.
pub const VERIFICATION_URI: &str = "/activate";
/// User codes use these letters only: no vowels (no words), no look-alikes
/// (0/O, 1/I/L, 5/S... are absent or unambiguous in upper case).
const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";

/// The device flow routes.
pub fn routes() -> Vec<Route> {
    use Access::{Public, Session};
    vec![
        // Public at the guard: authenticated by `authenticate_host`.
        Route::post("/api/tunnel-hosts/device", Public, start),
        // Public at the guard: authenticated by `authenticate_host`.
        Route::post("/api/tunnel-hosts/device/poll", Public, poll),
        Route::post("/api/activate", Session, activate),
    ]
}

/// What KV keeps about a device authorization.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Device {
    host_id: String,
    org_id: String,
    fingerprint: String,
    public_key: String,
    user_code: String,
    expires_at_ms: i64,
    approved: Option<KeyOwner>,
}

/// `POST /api/tunnel-hosts/device` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct DeviceRequest {
    /// `SHA256:...` of the key the client offered.
    pub fingerprint: String,
    /// The key as an OpenSSH public key line.
    pub public_key: String,
}

/// `POST /api/tunnel-hosts/device` response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct DeviceAuthorization {
    /// Secret the host polls with.
    pub device_code: String,
    /// What the user types at [`VERIFICATION_URI`], `ABCD-EFGH`.
    pub user_code: String,
    /// The panel path where the user enters the code.
    pub verification_uri: String,
    /// Seconds until the codes expire.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub expires_in: u64,
    /// Seconds the host should wait between polls.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub interval: u64,
}

/// `POST /api/tunnel-hosts/device/poll` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct DevicePoll {
    /// From [`DeviceAuthorization`].
    pub device_code: String,
}

/// `POST /api/tunnel-hosts/device/poll` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DeviceStatus {
    /// Nobody has entered the code yet.
    Pending,
    /// A member entered the code; the key is now theirs.
    Approved {
        /// The key's owner.
        user: KeyOwner,
    },
}

/// `POST /api/activate` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct Activation {
    /// The code the tunnel host showed, `ABCD-EFGH` (case and dash optional).
    pub code: String,
}

fn device_key(device_code: &str) -> String {
    format!("device:{}", crypto::sha256_hex(device_code.as_bytes()))
}

fn user_code_key(user_code: &str) -> String {
    format!("user-code:{user_code}")
}

/// A fresh `ABCD-EFGH` code from [`ALPHABET`] (about 34.6 bits).
fn new_user_code() -> Result<String, ApiError> {
    let mut letters = Vec::with_capacity(8);
    while letters.len() < 8 {
        // 240 is the largest multiple of 20 that fits a byte: no modulo bias.
        for byte in crypto::random_bytes::<16>()? {
            if byte < 240 && letters.len() < 8 {
                letters.push(char::from(ALPHABET[usize::from(byte % 20)]));
            }
        }
    }
    let code: String = letters.into_iter().collect();
    Ok(format!("{}-{}", &code[..4], &code[4..]))
}

/// A typed code in canonical form, or None when it cannot be one.
fn normalize(code: &str) -> Option<String> {
    let letters: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (letters.len() == 8 && letters.bytes().all(|b| ALPHABET.contains(&b)))
        .then(|| format!("{}-{}", &letters[..4], &letters[4..]))
}

async fn load(platform: &Platform, key: &str) -> Result<Option<Device>, ApiError> {
    let now = platform.clock.now_ms();
    Ok(platform
        .kv
        .get(key)
        .await?
        .and_then(|json| serde_json::from_str::<Device>(&json).ok())
        // KV expiry is eventual; the record's own deadline is exact.
        .filter(|d| d.expires_at_ms > now))
}

async fn store(platform: &Platform, key: &str, device: &Device) -> Result<(), ApiError> {
    let json = serde_json::to_string(device).map_err(|e| ApiError::Internal(e.to_string()))?;
    let left_ms = device.expires_at_ms - platform.clock.now_ms();
    let ttl = u64::try_from((left_ms + 999) / 1000)
        .unwrap_or(0)
        .max(MIN_TTL_SECS);
    platform.kv.put(key, &json, Some(ttl)).await?;
    Ok(())
}

/// `POST /api/tunnel-hosts/device` (host-authenticated): starts a device
/// authorization for a key the host did not recognise.
pub async fn start(
    State(platform): State<Platform>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<DeviceRequest>,
) -> Result<Json<DeviceAuthorization>, ApiError> {
    let host = tunnel_host::authenticate_host(&platform, tunnel_host::credential(&headers)).await?;
    // Anyone with a key pair can make a host start one of these: bounded per host.
    rate_limit::device_start(&platform, &host.host_id).await?;
    let parsed = ssh_key::parse(&body.public_key)
        .map_err(|problem| ApiError::field("public_key", problem))?;
    if parsed.fingerprint != body.fingerprint.trim() {
        return Err(ApiError::field("fingerprint", "does not match public_key"));
    }

    let mut user_code = new_user_code()?;
    for _ in 0..5 {
        if platform.kv.get(&user_code_key(&user_code)).await?.is_none() {
            break;
        }
        user_code = new_user_code()?;
    }
    let device_code = crypto::token()?;
    let device = Device {
        host_id: host.host_id,
        org_id: host.org_id,
        fingerprint: parsed.fingerprint,
        public_key: parsed.public_key,
        user_code: user_code.clone(),
        expires_at_ms: platform.clock.now_ms() + i64::try_from(EXPIRES_IN * 1000).unwrap_or(0),
        approved: None,
    };
    let record_key = device_key(&device_code);
    store(&platform, &record_key, &device).await?;
    platform
        .kv
        .put(&user_code_key(&user_code), &record_key, Some(EXPIRES_IN))
        .await?;
    Ok(Json(DeviceAuthorization {
        device_code,
        user_code,
        verification_uri: VERIFICATION_URI.to_owned(),
        expires_in: EXPIRES_IN,
        interval: INTERVAL,
    }))
}

/// `POST /api/tunnel-hosts/device/poll` (host-authenticated): pending,
/// approved with the key's owner, or 404 once expired.
pub async fn poll(
    State(platform): State<Platform>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<DevicePoll>,
) -> Result<Json<DeviceStatus>, ApiError> {
    let host = tunnel_host::authenticate_host(&platform, tunnel_host::credential(&headers)).await?;
    if body.device_code.len() > 128 {
        return Err(ApiError::NotFound);
    }
    let device = load(&platform, &device_key(&body.device_code))
        .await?
        .filter(|d| d.host_id == host.host_id)
        .ok_or(ApiError::NotFound)?;
    Ok(Json(match device.approved {
        Some(user) => DeviceStatus::Approved { user },
        None => DeviceStatus::Pending,
    }))
}

fn tunnels_read_only() -> ApiError {
    ApiError::Forbidden {
        code: "tunnels_read_only",
        message: "Your role in this tunnel host's organization may look at tunnels but not open \
                  them, so it cannot sign an SSH key in. Ask an admin for the operator role."
            .into(),
    }
}

fn not_a_member() -> ApiError {
    ApiError::Forbidden {
        code: "not_a_member",
        message: "This tunnel host belongs to an organization you are not a member of.".into(),
    }
}

/// `POST /api/activate`: the signed-in user approves a device code; the key
/// becomes theirs. Unknown and expired codes are 404 and count against the
/// user and the IP.
pub async fn activate(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<Activation>,
) -> Result<StatusCode, ApiError> {
    let attempt = rate_limit::activate(&platform, &caller.user_id, meta.ip.as_deref()).await?;
    let found = match normalize(&body.code) {
        Some(code) => match platform.kv.get(&user_code_key(&code)).await? {
            Some(record_key) => load(&platform, &record_key)
                .await?
                .filter(|d| d.approved.is_none() && d.user_code == code)
                .map(|d| (record_key, d)),
            None => None,
        },
        None => None,
    };
    let Some((record_key, mut device)) = found else {
        return Err(ApiError::NotFound);
    };
    attempt.forgive(&platform).await?;

    // Approving binds a key that opens tunnels on the host: the caller needs
    // the matrix's tunnel write access in the host's organization.
    #[derive(Deserialize)]
    struct Member {
        role: String,
    }
    let member: Option<Member> = platform
        .db
        .first(
            Statement::new("SELECT role FROM memberships WHERE org_id = ?1 AND user_id = ?2")
                .bind(device.org_id.as_str())
                .bind(caller.user_id.as_str()),
        )
        .await?;
    let role = member.as_ref().and_then(|m| Role::parse(&m.role));
    match tunnel_host::may_open_tunnels(caller.credential, role) {
        Decision::Allow => {}
        Decision::Hide => return Err(not_a_member()),
        Decision::Deny => return Err(tunnels_read_only()),
        Decision::SignIn => {
            return Err(ApiError::Unauthorized {
                code: "unauthenticated",
                message: "Sign in first.".into(),
            });
        }
    }

    match ssh_key::owner_of(&platform, &device.fingerprint).await? {
        Some(owner) if owner == caller.user_id => {}
        Some(_) => return Err(ssh_key::key_in_use()),
        None => add_key(&platform, &caller, &meta, &device).await?,
    }

    device.approved = Some(KeyOwner {
        id: caller.user_id.clone(),
        name: caller.name.clone(),
        email: caller.email.clone(),
    });
    store(&platform, &record_key, &device).await?;
    platform
        .kv
        .delete(&user_code_key(&device.user_code))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds the device's key to the caller's account, audited.
async fn add_key(
    platform: &Platform,
    caller: &Caller,
    meta: &RequestMeta,
    device: &Device,
) -> Result<(), ApiError> {
    let parsed = ssh_key::parse(&device.public_key).map_err(ApiError::Internal)?;
    let now = platform.clock.now_ms();
    let key = SshKey {
        id: crypto::uuid()?,
        name: format!("added by device flow {}", &rfc3339(now)[..10]),
        algorithm: parsed.algorithm.clone(),
        fingerprint: parsed.fingerprint.clone(),
        created_at: rfc3339(now),
    };
    let entry = audit::Entry {
        org_id: None,
        action: "ssh_key.add",
        resource_type: "ssh_key",
        resource_id: &key.id,
        metadata: json!({
            "name": key.name,
            "fingerprint": key.fingerprint,
            "via": "device_flow",
            "host_id": device.host_id,
        }),
    };
    let batch = vec![
        ssh_key::insert(&caller.user_id, &key, &parsed),
        entry.by(platform, caller, meta)?,
    ];
    match platform.db.batch(batch).await {
        Ok(_) => Ok(()),
        Err(DbError::Constraint(m)) if m.contains("fingerprint") => Err(ssh_key::key_in_use()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_two_groups_of_four_unambiguous_letters() {
        for _ in 0..50 {
            let code = new_user_code().unwrap_or_default();
            assert_eq!(code.len(), 9, "{code}");
            assert_eq!(normalize(&code).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn typed_codes_are_normalized() {
        assert_eq!(normalize(" bcdf ghjk ").as_deref(), Some("BCDF-GHJK"));
        assert_eq!(normalize("bcdf-ghjk").as_deref(), Some("BCDF-GHJK"));
        assert_eq!(normalize("BCDF-GHJ"), None);
        assert_eq!(normalize("ABCD-EFGH"), None, "vowels are never issued");
    }
}
