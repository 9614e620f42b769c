//! The websocket JWT the console relay signs for its upstream socket
//! (contract section 5): HS256 keyed by the node's token, whole-second
//! `iat`/`nbf`/`exp`, `iss` (the panel's origin), `aud` (the node), a `jti`,
//! scope `websocket`, `server_uuid`, `user_uuid` and `permissions`.

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::console::Upstream;

/// What the relay's socket may see: everything, admin frames included, so
/// that each viewer's share is decided in the relay.
pub const RELAY_PERMISSIONS: &[&str] = &[
    "*",
    "admin.websocket.install",
    "admin.websocket.errors",
    "admin.websocket.transfer",
];

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    aud: [&'a str; 1],
    jti: String,
    iat: u64,
    nbf: u64,
    exp: u64,
    scope: &'static str,
    server_uuid: &'a str,
    user_uuid: &'a str,
    permissions: &'static [&'static str],
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unpadded base64url.
fn b64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// A websocket token for `upstream` at `now_ms`; `jti` makes it unique.
pub fn sign(upstream: &Upstream, now_ms: i64, jti: &str) -> Result<String, String> {
    let now = u64::try_from(now_ms.max(0) / 1000).unwrap_or(0);
    let claims = Claims {
        iss: &upstream.origin,
        aud: [&upstream.audience],
        jti: jti.to_owned(),
        iat: now,
        nbf: now,
        exp: now + upstream.token_secs,
        scope: "websocket",
        server_uuid: &upstream.server_uuid,
        user_uuid: &upstream.user_uuid,
        permissions: RELAY_PERMISSIONS,
    };
    let payload = serde_json::to_vec(&claims).map_err(|e| e.to_string())?;
    let signed = format!(
        "{}.{}",
        b64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64url(&payload)
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(upstream.node_token.as_bytes())
        .map_err(|e| e.to_string())?;
    mac.update(signed.as_bytes());
    Ok(format!("{signed}.{}", b64url(&mac.finalize().into_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_is_unpadded() {
        assert_eq!(b64url(b""), "");
        assert_eq!(b64url(b"f"), "Zg");
        assert_eq!(b64url(b"fo"), "Zm8");
        assert_eq!(b64url(b"foo"), "Zm9v");
        assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn tokens_are_hs256_with_whole_seconds() {
        let upstream = Upstream {
            url: "http://127.0.0.1:8080/api/servers/s/ws".into(),
            origin: "http://panel".into(),
            audience: "http://127.0.0.1:8080".into(),
            node_token: "secret".into(),
            server_uuid: "s".into(),
            user_uuid: "u".into(),
            token_secs: 600,
        };
        let token = sign(&upstream, 1_700_000_000_999, "j1").unwrap_or_default();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], b64url(br#"{"alg":"HS256","typ":"JWT"}"#));
        let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
        assert_eq!(parts[2], b64url(&mac.finalize().into_bytes()));
        let claims = serde_json::to_string(&Claims {
            iss: "http://panel",
            aud: ["http://127.0.0.1:8080"],
            jti: "j1".into(),
            iat: 1_700_000_000,
            nbf: 1_700_000_000,
            exp: 1_700_000_600,
            scope: "websocket",
            server_uuid: "s",
            user_uuid: "u",
            permissions: RELAY_PERMISSIONS,
        })
        .unwrap();
        assert_eq!(parts[1], b64url(claims.as_bytes()));
    }
}
