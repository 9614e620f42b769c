//! SSH keys: registering real keys made by `ssh-keygen` (fingerprints as
//! `ssh-keygen -lf` prints them), refusing bad lines and weak RSA, one owner
//! per key, listing, removing and auditing.

use crate::common;

use std::{
    path::PathBuf,
    process::Command,
    sync::atomic::{AtomicUsize, Ordering},
};

use axum::http::StatusCode;
use common::{Reply, add_user, api, platform, send, setup_owner, sign_in_as};
use edge_api::{
    Platform,
    platform::db::{DatabaseExt, Statement},
};
use serde_json::{Value, json};

/// A key pair made by `/usr/bin/ssh-keygen`: the `.pub` line and the
/// fingerprint `ssh-keygen -lf` prints for it.
struct Generated {
    line: String,
    fingerprint: String,
}

/// A fresh path for a key file: tests run in parallel, so every call gets
/// its own name.
fn scratch(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("flamingo-ssh-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{name}-{}", NEXT.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(path.with_extension("pub"));
    path
}

fn keygen(kind: &str, bits: Option<&str>) -> Generated {
    let path = scratch(&format!("{kind}-{}", bits.unwrap_or("default")));
    let mut command = Command::new("/usr/bin/ssh-keygen");
    command.args(["-q", "-N", "", "-C", "someone@laptop", "-t", kind, "-f"]);
    command.arg(&path);
    if let Some(bits) = bits {
        command.args(["-b", bits]);
    }
    let status = command.status().expect("ssh-keygen runs");
    assert!(status.success(), "ssh-keygen -t {kind}");
    let public = path.with_extension("pub");
    let line = std::fs::read_to_string(&public).expect("reads .pub");
    let printed = Command::new("/usr/bin/ssh-keygen")
        .arg("-lf")
        .arg(&public)
        .output()
        .expect("ssh-keygen -lf runs");
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&public);
    let printed = String::from_utf8(printed.stdout).expect("utf-8");
    // `256 SHA256:... someone@laptop (ED25519)`
    let fingerprint = printed
        .split_whitespace()
        .nth(1)
        .expect("a fingerprint")
        .to_owned();
    Generated {
        line: line.trim().to_owned(),
        fingerprint,
    }
}

async fn add_key(platform: &Platform, cookie: &str, name: &str, public_key: &str) -> Reply {
    send(
        platform,
        api(
            "POST",
            "/api/me/ssh-keys",
            Some(cookie),
            Some(json!({ "name": name, "public_key": public_key })),
        ),
    )
    .await
}

async fn rows(platform: &Platform, sql: &str) -> Vec<Value> {
    platform
        .db
        .all(Statement::new(sql))
        .await
        .expect("query runs")
}

#[tokio::test]
async fn fingerprints_match_ssh_keygen_for_every_supported_type() {
    let (platform, clock) = platform();
    let (cookie, _) = setup_owner(&platform).await;
    let kinds = [
        ("ed25519", None, "ssh-ed25519"),
        ("ecdsa", Some("256"), "ecdsa-sha2-nistp256"),
        ("ecdsa", Some("384"), "ecdsa-sha2-nistp384"),
        ("ecdsa", Some("521"), "ecdsa-sha2-nistp521"),
        ("rsa", Some("2048"), "ssh-rsa"),
        ("rsa", Some("3072"), "ssh-rsa"),
    ];
    for (kind, bits, algorithm) in kinds {
        let key = keygen(kind, bits);
        clock.advance_ms(1_000);
        let reply = add_key(&platform, &cookie, &format!("{kind} {bits:?}"), &key.line).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{kind}: {}", reply.json);
        assert_eq!(
            reply.json["fingerprint"], key.fingerprint,
            "{kind} {bits:?}"
        );
        assert_eq!(reply.json["algorithm"], algorithm);
    }
    let listed = send(
        &platform,
        api("GET", "/api/me/ssh-keys", Some(&cookie), None),
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK);
    let listed = listed.json.as_array().expect("a list").clone();
    assert_eq!(listed.len(), kinds.len());
    assert_eq!(listed[0]["algorithm"], "ssh-rsa", "newest first");
    // The stored key has no comment.
    let stored = rows(&platform, "SELECT public_key FROM ssh_keys").await;
    assert!(
        stored
            .iter()
            .all(|r| !r["public_key"].to_string().contains("someone@laptop"))
    );
}

#[tokio::test]
async fn bad_lines_and_weak_keys_are_refused_with_the_field_named() {
    let (platform, _) = platform();
    let (cookie, _) = setup_owner(&platform).await;
    let weak = keygen("rsa", Some("1024"));
    let private = "-----BEGIN OPENSSH PRIVATE KEY-----".to_owned();
    let ed = keygen("ed25519", None);
    let data = ed.line.split_whitespace().nth(1).expect("data").to_owned();
    for bad in [
        String::new(),
        "hello".into(),
        weak.line.clone(),
        private,
        format!("ssh-rsa {data}"),
        format!("ssh-ed25519 {}", &data[..data.len() - 8]),
        format!("ssh-ed25519 {data}\nssh-ed25519 {data}"),
    ] {
        let reply = add_key(&platform, &cookie, "laptop", &bad).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(
            reply.json["error"]["fields"]["public_key"].is_string(),
            "{bad:?}: {}",
            reply.json
        );
    }
    let weak_reply = add_key(&platform, &cookie, "old", &weak.line).await;
    let problem = weak_reply.json["error"]["fields"]["public_key"].to_string();
    assert!(problem.contains("1024-bit"), "{problem}");
    let unnamed = add_key(&platform, &cookie, " ", &ed.line).await;
    assert!(unnamed.json["error"]["fields"]["name"].is_string());
    let unknown_field = send(
        &platform,
        api(
            "POST",
            "/api/me/ssh-keys",
            Some(&cookie),
            Some(json!({ "name": "x", "public_key": ed.line, "user_id": "someone" })),
        ),
    )
    .await;
    assert_eq!(unknown_field.status, StatusCode::BAD_REQUEST);
    assert!(rows(&platform, "SELECT id FROM ssh_keys").await.is_empty());
}

#[tokio::test]
async fn a_key_belongs_to_one_user_and_removal_is_audited() {
    let (platform, clock) = platform();
    let (ada, me) = setup_owner(&platform).await;
    let ada_id = me["user"]["id"].as_str().expect("id");
    let key = keygen("ed25519", None);

    let added = add_key(&platform, &ada, "laptop", &key.line).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    let id = added.json["id"].as_str().expect("id").to_owned();
    assert_eq!(added.json["name"], "laptop");
    assert_eq!(added.json["created_at"], "2026-11-22T10:00:00.000Z");

    // Same key again, by Ada (another comment) or by Bob: taken.
    let recommented = format!(
        "{} other comment",
        key.line.rsplit_once(' ').expect("comment").0
    );
    let again = add_key(&platform, &ada, "again", &recommented).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json["error"]["code"], "key_in_use");
    let bob = add_user(&platform, "Bob", "bob@example.com").await;
    let bob = sign_in_as(&platform, &bob).await;
    let stolen = add_key(&platform, &bob, "mine", &key.line).await;
    assert_eq!(stolen.status, StatusCode::CONFLICT);
    assert_eq!(stolen.json["error"]["code"], "key_in_use");

    // Bob cannot see or remove Ada's key.
    let bobs = send(&platform, api("GET", "/api/me/ssh-keys", Some(&bob), None)).await;
    assert_eq!(bobs.json, json!([]));
    let uri = format!("/api/me/ssh-keys/{id}");
    assert_eq!(
        send(&platform, api("DELETE", &uri, Some(&bob), None))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    clock.advance_ms(1_000);
    assert_eq!(
        send(&platform, api("DELETE", &uri, Some(&ada), None))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&platform, api("DELETE", &uri, Some(&ada), None))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Free again: Bob may register it now.
    assert_eq!(
        add_key(&platform, &bob, "mine", &key.line).await.status,
        StatusCode::CREATED
    );

    let audit = rows(
        &platform,
        "SELECT org_id, actor_id, action, resource_id, metadata FROM audit_log \
         WHERE action LIKE 'ssh_key.%' ORDER BY created_at, action",
    )
    .await;
    assert_eq!(audit.len(), 3, "{audit:?}");
    assert_eq!(audit[0]["action"], "ssh_key.add");
    assert_eq!(audit[0]["actor_id"], ada_id);
    assert_eq!(audit[0]["resource_id"], id.as_str());
    assert!(audit[0]["metadata"].to_string().contains(&key.fingerprint));
    assert!(audit.iter().all(|r| r["org_id"].is_null()));
    assert_eq!(audit[1]["action"], "ssh_key.add");
    assert_eq!(audit[2]["action"], "ssh_key.remove");
    assert_eq!(audit[2]["resource_id"], id.as_str());
}
