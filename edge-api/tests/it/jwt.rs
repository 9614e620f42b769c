//! The JWTs Flamingo signs for Wings: HS256 keyed by the node token,
//! whole-second time claims, iss/aud/jti, the scope and its claims, a fresh
//! unique_id per single-use token.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use edge_api::game::wings::jwt::Signer;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

const TOKEN: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const NOW_MS: i64 = 1_795_341_600_123;

/// Checks the HS256 signature with `key` (as Wings does) and returns the claims.
fn verify(jwt: &str, key: &str) -> Value {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "{jwt}");
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
    assert_eq!(header["alg"], "HS256");
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("key");
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("b64");
    assert!(
        mac.verify_slice(&signature).is_ok(),
        "signed with the node token"
    );
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("claims")
}

fn signer() -> Signer {
    Signer::new(
        TOKEN,
        "https://panel.example.com",
        "https://node1.example.com:8080",
        NOW_MS,
    )
}

#[test]
fn websocket_tokens_carry_integer_times_and_permissions() {
    let jwt = signer()
        .websocket(
            "srv-uuid",
            "user-uuid",
            &["websocket.connect".into(), "control.console".into()],
        )
        .expect("signed");
    let claims = verify(&jwt, TOKEN);
    assert_eq!(claims["iat"], 1_795_341_600, "whole seconds, an integer");
    assert!(claims["iat"].is_u64() && claims["nbf"].is_u64() && claims["exp"].is_u64());
    assert_eq!(claims["nbf"], claims["iat"]);
    assert_eq!(claims["exp"], 1_795_341_600 + 600);
    assert_eq!(claims["iss"], "https://panel.example.com");
    assert_eq!(claims["aud"], "https://node1.example.com:8080");
    assert!(claims["jti"].is_string());
    assert_eq!(claims["scope"], "websocket");
    assert_eq!(claims["server_uuid"], "srv-uuid");
    assert_eq!(claims["user_uuid"], "user-uuid");
    assert_eq!(
        claims["permissions"],
        serde_json::json!(["websocket.connect", "control.console"])
    );
    assert!(claims.get("unique_id").is_none());
    // Another node's token does not verify it.
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut mac = Hmac::<Sha256>::new_from_slice(b"another node token").expect("key");
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    assert!(
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(parts[2]).expect("b64"))
            .is_err()
    );
}

#[test]
fn single_use_tokens_get_a_fresh_unique_id_and_their_claims() {
    let s = signer();
    let a = verify(
        &s.file_download("srv", "usr", "/logs/latest.log")
            .expect("signed"),
        TOKEN,
    );
    let b = verify(
        &s.file_download("srv", "usr", "/logs/latest.log")
            .expect("signed"),
        TOKEN,
    );
    assert_eq!(a["scope"], "file-download");
    assert_eq!(a["file_path"], "/logs/latest.log");
    assert_eq!(
        a["exp"].as_u64().expect("exp") - a["iat"].as_u64().expect("iat"),
        900
    );
    assert!(a["unique_id"].is_string());
    assert_ne!(a["unique_id"], b["unique_id"], "single use: never repeated");
    assert_ne!(a["jti"], b["jti"]);
    let up = verify(&s.file_upload("srv", "usr").expect("signed"), TOKEN);
    assert_eq!(up["scope"], "file-upload");
    assert!(up["unique_id"].is_string() && up["server_uuid"] == "srv" && up["user_uuid"] == "usr");
    let backup = verify(
        &s.backup_download("srv", "usr", "bk").expect("signed"),
        TOKEN,
    );
    assert_eq!(backup["scope"], "backup-download");
    assert_eq!(backup["backup_uuid"], "bk");
    assert!(backup["unique_id"].is_string());
}

#[test]
fn transfer_tokens_name_the_server_as_subject_and_come_with_bearer() {
    let header = signer().transfer("srv-uuid").expect("signed");
    let jwt = header
        .strip_prefix("Bearer ")
        .expect("sent verbatim as Authorization");
    let claims = verify(jwt, TOKEN);
    assert_eq!(claims["sub"], "srv-uuid");
    assert_eq!(claims["scope"], "transfer");
    assert!(claims["exp"].is_u64());
}
