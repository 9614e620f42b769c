//! Users' SSH public keys: what lets `ssh -R ...` into a tunnel host sign
//! the user in. A key is identified by its SHA-256 fingerprint, exactly as
//! `ssh-keygen -lf` prints it (`SHA256:<base64 without padding>`), and
//! belongs to at most one user.
//!
//! Parsing is the small wire-format read needed to check a key line and
//! fingerprint it (length-prefixed strings, RFC 4253 §6.6); no signature is
//! ever verified here, so no SSH crypto crate is needed.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::StatusCode,
};
use base64::{
    Engine,
    engine::general_purpose::{STANDARD, STANDARD_NO_PAD},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{
    auth::Access,
    context::{Caller, RequestMeta},
    crypto,
    error::ApiError,
    extract::ApiJson,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, DbError, Statement},
    },
    record::audit,
    route::Route,
    validate::{self, Problems},
};

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Keys a user may register.
const MAX_KEYS: i64 = 100;
/// Longest key line accepted (a 16384-bit RSA key is about 2.8 KB).
const MAX_LINE: usize = 4096;

/// The SSH key routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/api/me/ssh-keys", Access::Session, list),
        Route::post("/api/me/ssh-keys", Access::Session, create),
        Route::delete("/api/me/ssh-keys/{id}", Access::Session, remove),
    ]
}

/// A checked OpenSSH public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedKey {
    /// Key type, e.g. `ssh-ed25519`.
    pub algorithm: String,
    /// `<algorithm> <base64>`, without the comment.
    pub public_key: String,
    /// `SHA256:<base64 without padding>`.
    pub fingerprint: String,
    /// The comment after the key, if any.
    pub comment: Option<String>,
}

/// Reads length-prefixed fields from a key blob.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn string(&mut self) -> Result<&'a [u8], String> {
        let truncated = || "is truncated".to_owned();
        let (len, rest) = self.0.split_first_chunk::<4>().ok_or_else(truncated)?;
        let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| truncated())?;
        if rest.len() < len {
            return Err(truncated());
        }
        let (field, rest) = rest.split_at(len);
        self.0 = rest;
        Ok(field)
    }

    fn end(&self) -> Result<(), String> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err("has trailing data".into())
        }
    }
}

/// The bits in an mpint (big-endian, possibly with a leading zero byte).
fn mpint_bits(bytes: &[u8]) -> usize {
    let bytes = match bytes.iter().position(|b| *b != 0) {
        Some(first) => &bytes[first..],
        None => return 0,
    };
    let lead = bytes.first().map_or(0, |b| 8 - b.leading_zeros() as usize);
    (bytes.len() - 1) * 8 + lead
}

/// Checks the blob's fields for its algorithm.
fn check_blob(algorithm: &str, blob: &[u8]) -> Result<(), String> {
    let mut r = Reader(blob);
    if r.string()? != algorithm.as_bytes() {
        return Err("its type does not match its data".into());
    }
    let ec_point = |r: &mut Reader, curve: &str, len: usize| -> Result<(), String> {
        if r.string()? != curve.as_bytes() {
            return Err("names the wrong curve".into());
        }
        let q = r.string()?;
        if q.len() != len || q.first() != Some(&4) {
            return Err("has a malformed curve point".into());
        }
        Ok(())
    };
    match algorithm {
        "ssh-ed25519" | "sk-ssh-ed25519@openssh.com" => {
            if r.string()?.len() != 32 {
                return Err("has a malformed Ed25519 key".into());
            }
        }
        "ecdsa-sha2-nistp256" | "sk-ecdsa-sha2-nistp256@openssh.com" => {
            ec_point(&mut r, "nistp256", 65)?;
        }
        "ecdsa-sha2-nistp384" => ec_point(&mut r, "nistp384", 97)?,
        "ecdsa-sha2-nistp521" => ec_point(&mut r, "nistp521", 133)?,
        "ssh-rsa" => {
            let e = r.string()?;
            let bits = mpint_bits(r.string()?);
            if mpint_bits(e) < 2 {
                return Err("has a malformed RSA key".into());
            }
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "is a {bits}-bit RSA key; use at least {MIN_RSA_BITS} bits, or Ed25519"
                ));
            }
            if bits > 16_384 {
                return Err("is an RSA key over 16384 bits".into());
            }
        }
        _ => return Err("is not a supported key type".into()),
    }
    if algorithm.starts_with("sk-") {
        // The FIDO application, e.g. `ssh:`.
        r.string()?;
    }
    r.end()
}

/// Parses one OpenSSH public key line (`ssh-ed25519 AAAA... comment`):
/// Ed25519, ECDSA P-256/384/521, RSA of at least [`MIN_RSA_BITS`], and the
/// FIDO `sk-` variants of Ed25519 and P-256.
pub fn parse(line: &str) -> Result<ParsedKey, String> {
    let line = line.trim();
    if line.is_empty() {
        return Err("must not be empty".into());
    }
    if line.len() > MAX_LINE || line.contains(['\n', '\r']) {
        return Err("must be one public key line, as in id_ed25519.pub".into());
    }
    if line.contains("PRIVATE KEY") {
        return Err("is a private key; paste the .pub file instead".into());
    }
    let mut parts = line.split_whitespace();
    let (Some(algorithm), Some(data)) = (parts.next(), parts.next()) else {
        return Err("must look like `ssh-ed25519 AAAA... comment`".into());
    };
    let comment = parts.collect::<Vec<_>>().join(" ");
    let blob = STANDARD
        .decode(data)
        .map_err(|_| "has key data that is not valid base64".to_owned())?;
    check_blob(algorithm, &blob)?;
    Ok(ParsedKey {
        algorithm: algorithm.to_owned(),
        public_key: format!("{algorithm} {}", STANDARD.encode(&blob)),
        fingerprint: fingerprint(&blob),
        comment: (!comment.is_empty()).then_some(comment),
    })
}

/// `SHA256:<base64 without padding>` of a key blob, as `ssh-keygen -l` prints it.
pub fn fingerprint(blob: &[u8]) -> String {
    format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(blob)))
}

/// Whether `value` looks like a fingerprint (cheap check before a lookup).
pub fn is_fingerprint(value: &str) -> bool {
    value.strip_prefix("SHA256:").is_some_and(|b64| {
        b64.len() == 43
            && b64
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/')
    })
}

/// A registered key as listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct SshKey {
    /// Key id.
    pub id: String,
    /// What the key is (laptop, CI...).
    pub name: String,
    /// Key type, e.g. `ssh-ed25519`.
    pub algorithm: String,
    /// `SHA256:...`, as `ssh-keygen -lf` prints it.
    pub fingerprint: String,
    /// RFC 3339.
    pub created_at: String,
}

/// `POST /api/me/ssh-keys` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewSshKey {
    /// What the key is.
    pub name: String,
    /// One OpenSSH public key line, e.g. the contents of `~/.ssh/id_ed25519.pub`.
    pub public_key: String,
}

/// 409 when a key already belongs to someone (whoever it is).
pub fn key_in_use() -> ApiError {
    ApiError::Conflict {
        code: "key_in_use",
        message: "This SSH key is already registered.".into(),
    }
}

const COLUMNS: &str = "id, name, algorithm, fingerprint, created_at";

/// The INSERT adding `key` for `user_id`.
pub fn insert(user_id: &str, key: &SshKey, parsed: &ParsedKey) -> Statement {
    Statement::new(
        "INSERT INTO ssh_keys (id, user_id, name, algorithm, public_key, fingerprint, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(key.id.as_str())
    .bind(user_id)
    .bind(key.name.as_str())
    .bind(key.algorithm.as_str())
    .bind(parsed.public_key.as_str())
    .bind(key.fingerprint.as_str())
    .bind(key.created_at.as_str())
}

/// The owner of the key with `fingerprint`, if anyone has it.
pub async fn owner_of(platform: &Platform, fingerprint: &str) -> Result<Option<String>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        user_id: String,
    }
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new("SELECT user_id FROM ssh_keys WHERE fingerprint = ?1").bind(fingerprint),
        )
        .await?;
    Ok(row.map(|r| r.user_id))
}

/// `GET /api/me/ssh-keys`: the caller's keys, newest first.
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<SshKey>>, ApiError> {
    let keys = platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM ssh_keys WHERE user_id = ?1 ORDER BY created_at DESC, id"
            ))
            .bind(caller.user_id.as_str()),
        )
        .await?;
    Ok(Json(keys))
}

/// `POST /api/me/ssh-keys`: registers a public key for the caller.
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<NewSshKey>,
) -> Result<(StatusCode, Json<SshKey>), ApiError> {
    let mut problems = Problems::new();
    problems.check("name", validate::name(&body.name));
    let parsed = parse(&body.public_key);
    if let Err(problem) = &parsed {
        problems.add("public_key", problem.clone());
    }
    problems.finish()?;
    let parsed = parsed.map_err(ApiError::Internal)?;

    #[derive(Deserialize)]
    struct Count {
        keys: i64,
    }
    let count: Option<Count> = platform
        .db
        .first(
            Statement::new("SELECT COUNT(*) AS keys FROM ssh_keys WHERE user_id = ?1")
                .bind(caller.user_id.as_str()),
        )
        .await?;
    if count.is_some_and(|c| c.keys >= MAX_KEYS) {
        return Err(ApiError::Conflict {
            code: "too_many_keys",
            message: format!("You may register {MAX_KEYS} SSH keys; remove some first."),
        });
    }
    let key = SshKey {
        id: crypto::uuid()?,
        name: body.name.trim().to_owned(),
        algorithm: parsed.algorithm.clone(),
        fingerprint: parsed.fingerprint.clone(),
        created_at: rfc3339(platform.clock.now_ms()),
    };
    let entry = audit::Entry {
        org_id: None,
        action: "ssh_key.add",
        resource_type: "ssh_key",
        resource_id: &key.id,
        metadata: json!({ "name": key.name, "fingerprint": key.fingerprint, "via": "panel" }),
    };
    let batch = vec![
        insert(&caller.user_id, &key, &parsed),
        entry.by(&platform, &caller, &meta)?,
    ];
    match platform.db.batch(batch).await {
        Ok(_) => Ok((StatusCode::CREATED, Json(key))),
        Err(DbError::Constraint(m)) if m.contains("fingerprint") => Err(key_in_use()),
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /api/me/ssh-keys/{id}`: removes one of the caller's keys.
pub async fn remove(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let key: Option<SshKey> = platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM ssh_keys WHERE id = ?1 AND user_id = ?2"
            ))
            .bind(id.as_str())
            .bind(caller.user_id.as_str()),
        )
        .await?;
    let key = key.ok_or(ApiError::NotFound)?;
    let entry = audit::Entry {
        org_id: None,
        action: "ssh_key.remove",
        resource_type: "ssh_key",
        resource_id: &key.id,
        metadata: json!({ "name": key.name, "fingerprint": key.fingerprint }),
    };
    platform
        .db
        .batch(vec![
            Statement::new("DELETE FROM ssh_keys WHERE id = ?1 AND user_id = ?2")
                .bind(key.id.as_str())
                .bind(caller.user_id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ssh-keygen -lf` of this key prints
    /// `256 SHA256:KVKR0n14lhnrwoOHs8WIlK7eUlVDzc2zbLU8a9ROsYs test@example (ED25519)`.
    const ED25519: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMZFfjTeUYQ2ux4nJizYRzXqhmeLM9EH8tg8oogmes2j test@example";

    fn blob(fields: &[&[u8]]) -> String {
        let mut out = Vec::new();
        for f in fields {
            out.extend_from_slice(&u32::try_from(f.len()).unwrap_or(0).to_be_bytes());
            out.extend_from_slice(f);
        }
        STANDARD.encode(out)
    }

    #[test]
    fn parses_ed25519_with_comment() {
        let key = parse(ED25519).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(key.algorithm, "ssh-ed25519");
        assert_eq!(key.comment.as_deref(), Some("test@example"));
        assert_eq!(
            key.fingerprint,
            "SHA256:KVKR0n14lhnrwoOHs8WIlK7eUlVDzc2zbLU8a9ROsYs"
        );
        assert!(is_fingerprint(&key.fingerprint));
        assert!(!key.public_key.contains("test@example"));
    }

    #[test]
    fn refuses_bad_lines() {
        let short_rsa = format!("ssh-rsa {}", blob(&[b"ssh-rsa", &[1, 0, 1], &[0x80; 128]]));
        let mismatch = format!("ssh-rsa {}", blob(&[b"ssh-ed25519", &[7; 32]]));
        let trailing = format!("ssh-ed25519 {}", blob(&[b"ssh-ed25519", &[7; 32], b"x"]));
        let dss = format!("ssh-dss {}", blob(&[b"ssh-dss", &[7; 32]]));
        for bad in [
            "",
            "ssh-ed25519",
            "ssh-ed25519 !!!notbase64",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            &short_rsa,
            &mismatch,
            &trailing,
            &dss,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse(&short_rsa).is_err_and(|e| e.contains("1024-bit")));
    }

    #[test]
    fn counts_mpint_bits() {
        assert_eq!(mpint_bits(&[0, 0x80, 0]), 16);
        assert_eq!(mpint_bits(&[1, 0, 1]), 17);
        assert_eq!(mpint_bits(&[0]), 0);
    }
}
