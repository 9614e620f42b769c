//! Tunnel hosts: creating, listing and deleting them; enrolling once (also
//! when raced); online/offline from the clock; host authentication; and key
//! lookups scoped to the host's organization.

use crate::common;

use std::sync::Arc;

use async_trait::async_trait;
use axum::{body::Body, http::Request, http::StatusCode};
use common::{Reply, add_member, add_user, api, platform, send, setup_owner, sign_in_as};
use edge_api::{
    Platform,
    platform::db::{Database, DatabaseExt, DbError, Outcome, Statement},
};
use serde_json::{Value, json};

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMZFfjTeUYQ2ux4nJizYRzXqhmeLM9EH8tg8oogmes2j test@example";
const KEY_FP: &str = "SHA256:KVKR0n14lhnrwoOHs8WIlK7eUlVDzc2zbLU8a9ROsYs";

/// A request from a tunnel host, with its credential when given.
fn from_host(uri: &str, credential: Option<&str>, body: Value) -> Request<Body> {
    let mut request = api("POST", uri, None, Some(body));
    if let Some(credential) = credential {
        request.headers_mut().insert(
            edge_api::tunnels::tunnel_host::HOST_HEADER,
            credential.parse().expect("header value"),
        );
    }
    request
}

async fn create_host(platform: &Platform, cookie: &str, name: &str) -> Reply {
    send(
        platform,
        api(
            "POST",
            "/api/orgs/ada-lab/tunnel-hosts",
            Some(cookie),
            Some(json!({ "name": name })),
        ),
    )
    .await
}

async fn enroll(platform: &Platform, token: &str) -> Reply {
    send(
        platform,
        api(
            "POST",
            "/api/tunnel-hosts/enroll",
            None,
            Some(json!({ "enrollment_token": token, "hostname": "vps-1", "version": "0.1.0" })),
        ),
    )
    .await
}

async fn hosts(platform: &Platform, cookie: &str) -> Vec<Value> {
    let reply = send(
        platform,
        api("GET", "/api/orgs/ada-lab/tunnel-hosts", Some(cookie), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    reply.json.as_array().expect("a list").clone()
}

async fn rows(platform: &Platform, sql: &str) -> Vec<Value> {
    platform
        .db
        .all(Statement::new(sql))
        .await
        .expect("query runs")
}

/// An owner, and a host of Ada Lab enrolled with its credential.
async fn enrolled(platform: &Platform) -> (String, Value, String) {
    let (cookie, me) = setup_owner(platform).await;
    let created = create_host(platform, &cookie, "edge-1").await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let token = created.json["enrollment_token"].as_str().expect("token");
    let enrolled = enroll(platform, token).await;
    assert_eq!(enrolled.status, StatusCode::CREATED, "{}", enrolled.json);
    let credential = enrolled.json["credential"]
        .as_str()
        .expect("credential")
        .to_owned();
    (cookie, me, credential)
}

#[tokio::test]
async fn hosts_are_created_enrolled_once_seen_and_deleted() {
    let (platform, clock) = platform();
    let (cookie, me) = setup_owner(&platform).await;
    let org_id = me["memberships"][0]["org_id"].as_str().expect("org id");

    let created = create_host(&platform, &cookie, "  edge-1  ").await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let host = &created.json["host"];
    assert_eq!(host["name"], "edge-1");
    assert_eq!(host["status"], "pending");
    assert_eq!(host["created_at"], "2026-11-22T10:00:00.000Z");
    assert!(host["last_seen_at"].is_null() && host["enrolled_at"].is_null());
    let host_id = host["id"].as_str().expect("id").to_owned();
    let token = created.json["enrollment_token"]
        .as_str()
        .expect("token")
        .to_owned();
    // `fte_` and 256 random bits: never a leading `-` that a command line reads as a flag.
    let secret = token.strip_prefix("fte_").expect("fte_ prefix");
    assert_eq!(secret.len(), 43);

    let bad = create_host(&platform, &cookie, " ").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json["error"]["fields"]["name"].is_string());

    // Only the token's hash is stored.
    let stored = rows(&platform, "SELECT enrollment_hash FROM tunnel_hosts").await;
    assert_eq!(
        stored[0]["enrollment_hash"],
        edge_api::crypto::sha256_hex(token.as_bytes())
    );

    clock.advance_ms(1_000);
    let enrolled = enroll(&platform, &token).await;
    assert_eq!(enrolled.status, StatusCode::CREATED, "{}", enrolled.json);
    assert_eq!(enrolled.json["host_id"], host_id.as_str());
    assert_eq!(enrolled.json["org_id"], org_id);
    let credential = enrolled.json["credential"].as_str().expect("credential");
    assert!(credential.starts_with("fth_") && credential.len() == 47);
    let stored = rows(
        &platform,
        "SELECT credential_hash, hostname, version FROM tunnel_hosts",
    )
    .await;
    assert_eq!(
        stored[0],
        json!({
            "credential_hash": edge_api::crypto::sha256_hex(credential.as_bytes()),
            "hostname": "vps-1",
            "version": "0.1.0",
        })
    );

    // The token works once.
    assert_eq!(
        enroll(&platform, &token).await.status,
        StatusCode::NOT_FOUND
    );

    let listed = hosts(&platform, &cookie).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["status"], "online");
    assert_eq!(listed[0]["enrolled_at"], "2026-11-22T10:00:01.000Z");
    assert_eq!(listed[0]["last_seen_at"], "2026-11-22T10:00:01.000Z");

    clock.advance_ms(90_000);
    assert_eq!(hosts(&platform, &cookie).await[0]["status"], "online");
    clock.advance_ms(1);
    assert_eq!(hosts(&platform, &cookie).await[0]["status"], "offline");

    // Any authenticated host call brings it back online.
    let lookup = send(
        &platform,
        from_host(
            "/api/tunnel-hosts/keys/lookup",
            Some(credential),
            json!({ "fingerprint": KEY_FP }),
        ),
    )
    .await;
    assert_eq!(lookup.status, StatusCode::NOT_FOUND);
    let listed = hosts(&platform, &cookie).await;
    assert_eq!(listed[0]["status"], "online");
    assert_eq!(listed[0]["last_seen_at"], "2026-11-22T10:01:31.001Z");

    // Deleting it kills the credential.
    let uri = format!("/api/orgs/ada-lab/tunnel-hosts/{host_id}");
    let deleted = send(&platform, api("DELETE", &uri, Some(&cookie), None)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let again = send(&platform, api("DELETE", &uri, Some(&cookie), None)).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(hosts(&platform, &cookie).await.is_empty());
    let refused = send(
        &platform,
        from_host(
            "/api/tunnel-hosts/keys/lookup",
            Some(credential),
            json!({ "fingerprint": KEY_FP }),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    let audit = rows(
        &platform,
        "SELECT org_id, actor_name, action, resource_id, metadata FROM audit_log \
         WHERE action LIKE 'tunnel_host.%' ORDER BY created_at",
    )
    .await;
    let actions: Vec<&str> = audit.iter().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(
        actions,
        [
            "tunnel_host.create",
            "tunnel_host.enroll",
            "tunnel_host.delete"
        ]
    );
    assert!(audit.iter().all(|r| r["org_id"] == org_id));
    assert!(audit.iter().all(|r| r["resource_id"] == host_id.as_str()));
    assert!(audit[1]["actor_name"].is_null(), "the host enrolls itself");
    assert!(
        !audit
            .iter()
            .any(|r| r.to_string().contains(&token) || r.to_string().contains(credential)),
        "no secrets in the audit log"
    );
}

#[tokio::test]
async fn other_organizations_hosts_are_invisible() {
    let (platform, _) = platform();
    let (ada, _) = setup_owner(&platform).await;
    let created = create_host(&platform, &ada, "edge-1").await;
    let host_id = created.json["host"]["id"].as_str().expect("id");
    let bob = add_user(&platform, "Bob", "bob@example.com").await;
    let bob = sign_in_as(&platform, &bob).await;
    let bobs = send(
        &platform,
        api(
            "POST",
            "/api/orgs",
            Some(&bob),
            Some(json!({"name": "Bob Co"})),
        ),
    )
    .await;
    assert_eq!(bobs.status, StatusCode::CREATED);
    let uri = format!("/api/orgs/bob-co/tunnel-hosts/{host_id}");
    let reply = send(&platform, api("DELETE", &uri, Some(&bob), None)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(hosts(&platform, &ada).await.len(), 1);
}

#[tokio::test]
async fn enrollment_tokens_expire_and_guesses_are_limited() {
    let (platform, clock) = platform();
    let (cookie, _) = setup_owner(&platform).await;
    let created = create_host(&platform, &cookie, "edge-1").await;
    let token = created.json["enrollment_token"].as_str().expect("token");
    clock.advance_ms(24 * 3600 * 1000);
    assert_eq!(enroll(&platform, token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(hosts(&platform, &cookie).await[0]["status"], "pending");

    for _ in 0..4 {
        assert_eq!(
            enroll(&platform, "guess").await.status,
            StatusCode::NOT_FOUND
        );
    }
    let limited = enroll(&platform, "another-guess").await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.json
    );
    assert!(limited.headers.contains_key("retry-after"));
}

/// Yields before every statement so requests joined with `tokio::join!`
/// interleave as they would on a real network.
struct Yielding(Arc<dyn Database>);

#[async_trait]
impl Database for Yielding {
    async fn run(&self, stmt: Statement) -> Result<Outcome, DbError> {
        tokio::task::yield_now().await;
        self.0.run(stmt).await
    }

    async fn batch(&self, stmts: Vec<Statement>) -> Result<Vec<Outcome>, DbError> {
        tokio::task::yield_now().await;
        self.0.batch(stmts).await
    }
}

#[tokio::test]
async fn a_token_raced_by_two_hosts_enrolls_exactly_one() {
    let (platform, _) = platform();
    let (cookie, _) = setup_owner(&platform).await;
    let created = create_host(&platform, &cookie, "edge-1").await;
    let token = created.json["enrollment_token"].as_str().expect("token");
    let platform = Platform {
        db: Arc::new(Yielding(platform.db.clone())),
        ..platform
    };
    let (a, b) = tokio::join!(enroll(&platform, token), enroll(&platform, token));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::NOT_FOUND]);
    let winner = if a.status == StatusCode::CREATED {
        a
    } else {
        b
    };
    let credential = winner.json["credential"].as_str().expect("credential");
    let stored = rows(&platform, "SELECT credential_hash FROM tunnel_hosts").await;
    assert_eq!(
        stored[0]["credential_hash"],
        edge_api::crypto::sha256_hex(credential.as_bytes()),
        "the credential handed out is the one stored"
    );
    let audit = rows(
        &platform,
        "SELECT id FROM audit_log WHERE action = 'tunnel_host.enroll'",
    )
    .await;
    assert_eq!(audit.len(), 1, "one enrollment, one audit row");
}

#[tokio::test]
async fn host_calls_need_a_valid_credential() {
    let (platform, _) = platform();
    let (_, _, credential) = enrolled(&platform).await;
    let body = json!({ "fingerprint": KEY_FP });
    let wrong = format!("fth_{}", "x".repeat(43));
    for bad in [
        None,
        Some("nonsense"),
        Some(wrong.as_str()),
        Some("flm_abc"),
    ] {
        let reply = send(
            &platform,
            from_host("/api/tunnel-hosts/keys/lookup", bad, body.clone()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{bad:?}");
        assert_eq!(reply.json["error"]["code"], "invalid_host_credential");
    }
    let ok = send(
        &platform,
        from_host("/api/tunnel-hosts/keys/lookup", Some(&credential), body),
    )
    .await;
    assert_eq!(
        ok.status,
        StatusCode::NOT_FOUND,
        "authenticated, key unknown"
    );
}

#[tokio::test]
async fn lookups_find_keys_of_the_hosts_members_only() {
    let (platform, _) = platform();
    let (_, me, credential) = enrolled(&platform).await;
    let org_id = me["memberships"][0]["org_id"].as_str().expect("org id");
    let lookup = |fingerprint: &str| {
        from_host(
            "/api/tunnel-hosts/keys/lookup",
            Some(&credential),
            json!({ "fingerprint": fingerprint }),
        )
    };

    // A key of a user who is not a member: unknown to this host.
    let eve = add_user(&platform, "Eve", "eve@example.com").await;
    let eve_cookie = sign_in_as(&platform, &eve).await;
    let added = send(
        &platform,
        api(
            "POST",
            "/api/me/ssh-keys",
            Some(&eve_cookie),
            Some(json!({ "name": "laptop", "public_key": KEY })),
        ),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    assert_eq!(
        send(&platform, lookup(KEY_FP)).await.status,
        StatusCode::NOT_FOUND
    );

    // Once she is a member (any role), it is hers; the host hears her role
    // and whether it opens tunnels (tunnels are read only for viewers).
    add_member(&platform, org_id, &eve, "viewer").await;
    let found = send(&platform, lookup(KEY_FP)).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.json);
    let user = json!({ "id": eve, "name": "Eve", "email": "eve@example.com" });
    assert_eq!(
        found.json,
        json!({ "user": user, "role": "viewer", "can_open_tunnels": false })
    );
    for (role, opens) in [("operator", true), ("admin", true), ("viewer", false)] {
        platform
            .db
            .run(
                Statement::new("UPDATE memberships SET role = ?1 WHERE user_id = ?2")
                    .bind(role)
                    .bind(eve.as_str()),
            )
            .await
            .expect("role changed");
        let found = send(&platform, lookup(KEY_FP)).await;
        assert_eq!(found.json["role"], role);
        assert_eq!(found.json["can_open_tunnels"], opens, "{role}");
    }

    for unknown in [
        "SHA256:DoToo7H6UGXZGqsUfH4TmEJRPANeo/CYmVWyQKhJDco",
        "md5:xx",
        "",
    ] {
        assert_eq!(
            send(&platform, lookup(unknown)).await.status,
            StatusCode::NOT_FOUND,
            "{unknown}"
        );
    }
}
