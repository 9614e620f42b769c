//! The device flow for unknown SSH keys: a host asks for codes, a signed-in
//! member approves at /activate, the host polls; expiry on the clock,
//! non-members refused, codes single use, guesses limited, audit rows.

use crate::common;

use axum::{body::Body, http::Request, http::StatusCode};
use common::{Reply, add_member, add_user, api, platform, send, setup_owner, sign_in_as};
use edge_api::{
    Platform,
    platform::db::{DatabaseExt, Statement},
};
use serde_json::{Value, json};

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIONMqfAUefYTlvRLearIYl4yGQLAxicfuntld4KoOCzW k2";
const KEY_FP: &str = "SHA256:G0Vtgi/UT/NXLo1twHZ6tqILtvGLAtCvgahV7WIHqZk";
const OTHER_FP: &str = "SHA256:DoToo7H6UGXZGqsUfH4TmEJRPANeo/CYmVWyQKhJDco";

/// Ada Lab with Ada as owner, one enrolled host.
struct World {
    platform: Platform,
    clock: std::sync::Arc<edge_api::platform::native::ManualClock>,
    org_id: String,
    ada_id: String,
    ada: String,
    host: String,
}

async fn world() -> World {
    let (platform, clock) = platform();
    let (ada, me) = setup_owner(&platform).await;
    let created = send(
        &platform,
        api(
            "POST",
            "/api/orgs/ada-lab/tunnel-hosts",
            Some(&ada),
            Some(json!({ "name": "edge-1" })),
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let token = created.json["enrollment_token"].as_str().expect("token");
    let enrolled = send(
        &platform,
        api(
            "POST",
            "/api/tunnel-hosts/enroll",
            None,
            Some(json!({ "enrollment_token": token })),
        ),
    )
    .await;
    assert_eq!(enrolled.status, StatusCode::CREATED, "{}", enrolled.json);
    World {
        org_id: me["memberships"][0]["org_id"]
            .as_str()
            .expect("org")
            .to_owned(),
        ada_id: me["user"]["id"].as_str().expect("user").to_owned(),
        ada,
        host: enrolled.json["credential"]
            .as_str()
            .expect("credential")
            .to_owned(),
        platform,
        clock,
    }
}

fn from_host(uri: &str, credential: &str, body: Value) -> Request<Body> {
    let mut request = api("POST", uri, None, Some(body));
    request.headers_mut().insert(
        edge_api::tunnels::tunnel_host::HOST_HEADER,
        credential.parse().expect("header value"),
    );
    request
}

async fn start(w: &World) -> Reply {
    send(
        &w.platform,
        from_host(
            "/api/tunnel-hosts/device",
            &w.host,
            json!({ "fingerprint": KEY_FP, "public_key": KEY }),
        ),
    )
    .await
}

async fn poll(w: &World, device_code: &str) -> Reply {
    send(
        &w.platform,
        from_host(
            "/api/tunnel-hosts/device/poll",
            &w.host,
            json!({ "device_code": device_code }),
        ),
    )
    .await
}

async fn activate(platform: &Platform, cookie: &str, code: &str) -> Reply {
    send(
        platform,
        api(
            "POST",
            "/api/activate",
            Some(cookie),
            Some(json!({ "code": code })),
        ),
    )
    .await
}

async fn lookup(w: &World, fingerprint: &str) -> Reply {
    send(
        &w.platform,
        from_host(
            "/api/tunnel-hosts/keys/lookup",
            &w.host,
            json!({ "fingerprint": fingerprint }),
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
async fn a_member_approves_and_the_host_learns_whose_key_it_is() {
    let w = world().await;
    assert_eq!(lookup(&w, KEY_FP).await.status, StatusCode::NOT_FOUND);

    let started = start(&w).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.json);
    let user_code = started.json["user_code"].as_str().expect("user code");
    let device_code = started.json["device_code"].as_str().expect("device code");
    assert_eq!(user_code.len(), 9);
    assert_eq!(&user_code[4..5], "-");
    assert!(
        user_code
            .chars()
            .all(|c| c == '-' || "BCDFGHJKLMNPQRSTVWXZ".contains(c))
    );
    assert_eq!(started.json["verification_uri"], "/activate");
    assert_eq!(started.json["expires_in"], 600);
    assert_eq!(started.json["interval"], 2);

    let pending = poll(&w, device_code).await;
    assert_eq!(pending.status, StatusCode::OK);
    assert_eq!(pending.json, json!({ "status": "pending" }));

    // Typed in lower case without the dash: still the code.
    w.clock.advance_ms(30_000);
    let typed = user_code.replace('-', "").to_lowercase();
    let approved = activate(&w.platform, &w.ada, &typed).await;
    assert_eq!(approved.status, StatusCode::NO_CONTENT, "{}", approved.json);

    let user = json!({ "id": w.ada_id, "name": "Ada Owner", "email": "ada@example.com" });
    let done = poll(&w, device_code).await;
    assert_eq!(done.json, json!({ "status": "approved", "user": user }));
    assert_eq!(
        lookup(&w, KEY_FP).await.json,
        json!({ "user": user, "role": "owner", "can_open_tunnels": true })
    );

    let keys = send(
        &w.platform,
        api("GET", "/api/me/ssh-keys", Some(&w.ada), None),
    )
    .await;
    assert_eq!(keys.json[0]["name"], "added by device flow 2026-11-22");
    assert_eq!(keys.json[0]["fingerprint"], KEY_FP);

    // The code is single use.
    let replay = activate(&w.platform, &w.ada, user_code).await;
    assert_eq!(replay.status, StatusCode::NOT_FOUND);

    let audit = rows(
        &w.platform,
        "SELECT org_id, actor_id, action, metadata FROM audit_log WHERE action = 'ssh_key.add'",
    )
    .await;
    assert_eq!(audit.len(), 1);
    assert!(audit[0]["org_id"].is_null());
    assert_eq!(audit[0]["actor_id"], w.ada_id.as_str());
    let metadata: Value =
        serde_json::from_str(audit[0]["metadata"].as_str().expect("text")).expect("json");
    assert_eq!(metadata["via"], "device_flow");
    assert_eq!(metadata["fingerprint"], KEY_FP);
    assert!(!metadata.to_string().contains(device_code));
}

#[tokio::test]
async fn codes_expire_after_ten_minutes() {
    let w = world().await;
    let started = start(&w).await;
    let user_code = started.json["user_code"].as_str().expect("user code");
    let device_code = started.json["device_code"].as_str().expect("device code");
    w.clock.advance_ms(599_000);
    assert_eq!(poll(&w, device_code).await.status, StatusCode::OK);
    w.clock.advance_ms(1_000);
    assert_eq!(poll(&w, device_code).await.status, StatusCode::NOT_FOUND);
    let late = activate(&w.platform, &w.ada, user_code).await;
    assert_eq!(late.status, StatusCode::NOT_FOUND);
    assert!(
        rows(&w.platform, "SELECT id FROM ssh_keys")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn only_members_who_may_open_tunnels_may_approve() {
    let w = world().await;
    let started = start(&w).await;
    let user_code = started.json["user_code"].as_str().expect("user code");
    let device_code = started.json["device_code"].as_str().expect("device code");

    let eve = add_user(&w.platform, "Eve", "eve@example.com").await;
    let eve_cookie = sign_in_as(&w.platform, &eve).await;
    let refused = activate(&w.platform, &eve_cookie, user_code).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json["error"]["code"], "not_a_member");
    assert_eq!(poll(&w, device_code).await.json["status"], "pending");
    assert!(
        rows(&w.platform, "SELECT id FROM ssh_keys")
            .await
            .is_empty()
    );

    // Anonymous callers are sent to sign in; there is no sign-up here.
    let anonymous = send(
        &w.platform,
        api(
            "POST",
            "/api/activate",
            None,
            Some(json!({ "code": user_code })),
        ),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // A viewer is a member, but tunnels are read only for viewers and the
    // key would open them: refused, and the code stays usable.
    add_member(&w.platform, &w.org_id, &eve, "viewer").await;
    let viewer = activate(&w.platform, &eve_cookie, user_code).await;
    assert_eq!(viewer.status, StatusCode::FORBIDDEN, "{}", viewer.json);
    assert_eq!(viewer.json["error"]["code"], "tunnels_read_only");
    assert_eq!(poll(&w, device_code).await.json["status"], "pending");
    assert!(
        rows(&w.platform, "SELECT id FROM ssh_keys")
            .await
            .is_empty()
    );

    // An operator may.
    w.platform
        .db
        .run(
            Statement::new("UPDATE memberships SET role = 'operator' WHERE user_id = ?1")
                .bind(eve.as_str()),
        )
        .await
        .expect("role changed");
    let approved = activate(&w.platform, &eve_cookie, user_code).await;
    assert_eq!(approved.status, StatusCode::NO_CONTENT, "{}", approved.json);
    assert_eq!(poll(&w, device_code).await.json["user"]["id"], eve.as_str());
}

#[tokio::test]
async fn a_viewer_cannot_approve_even_their_own_key() {
    let w = world().await;
    let vic = add_user(&w.platform, "Vic", "vic@example.com").await;
    add_member(&w.platform, &w.org_id, &vic, "viewer").await;
    let vic_cookie = sign_in_as(&w.platform, &vic).await;
    let added = send(
        &w.platform,
        api(
            "POST",
            "/api/me/ssh-keys",
            Some(&vic_cookie),
            Some(json!({ "name": "laptop", "public_key": KEY })),
        ),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    let started = start(&w).await;
    let user_code = started.json["user_code"].as_str().expect("user code");
    let device_code = started.json["device_code"].as_str().expect("device code");
    let refused = activate(&w.platform, &vic_cookie, user_code).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.json);
    assert_eq!(refused.json["error"]["code"], "tunnels_read_only");
    assert_eq!(poll(&w, device_code).await.json["status"], "pending");
    // And the host hears the key is hers but opens no tunnels.
    let found = lookup(&w, KEY_FP).await;
    assert_eq!(found.json["user"]["id"], vic.as_str());
    assert_eq!(found.json["role"], "viewer");
    assert_eq!(found.json["can_open_tunnels"], false);
}

#[tokio::test]
async fn a_key_someone_else_owns_cannot_be_approved_by_another() {
    let w = world().await;
    let bob = add_user(&w.platform, "Bob", "bob@example.com").await;
    add_member(&w.platform, &w.org_id, &bob, "operator").await;
    let bob_cookie = sign_in_as(&w.platform, &bob).await;
    let added = send(
        &w.platform,
        api(
            "POST",
            "/api/me/ssh-keys",
            Some(&bob_cookie),
            Some(json!({ "name": "laptop", "public_key": KEY })),
        ),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED);
    let started = start(&w).await;
    let user_code = started.json["user_code"].as_str().expect("user code");
    let taken = activate(&w.platform, &w.ada, user_code).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.json["error"]["code"], "key_in_use");
    // Its owner approving is fine and adds nothing.
    let own = activate(&w.platform, &bob_cookie, user_code).await;
    assert_eq!(own.status, StatusCode::NO_CONTENT);
    assert_eq!(rows(&w.platform, "SELECT id FROM ssh_keys").await.len(), 1);
}

#[tokio::test]
async fn hosts_must_authenticate_and_send_a_matching_key() {
    let w = world().await;
    let mismatch = send(
        &w.platform,
        from_host(
            "/api/tunnel-hosts/device",
            &w.host,
            json!({ "fingerprint": OTHER_FP, "public_key": KEY }),
        ),
    )
    .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.json["error"]["fields"]["fingerprint"].is_string());
    let garbage = send(
        &w.platform,
        from_host(
            "/api/tunnel-hosts/device",
            &w.host,
            json!({ "fingerprint": KEY_FP, "public_key": "ssh-ed25519 AAAA" }),
        ),
    )
    .await;
    assert!(garbage.json["error"]["fields"]["public_key"].is_string());

    let started = start(&w).await;
    let device_code = started.json["device_code"].as_str().expect("device code");
    for credential in ["fth_wrong", "flm_nope"] {
        let reply = send(
            &w.platform,
            from_host(
                "/api/tunnel-hosts/device/poll",
                credential,
                json!({ "device_code": device_code }),
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{credential}");
    }
    let unauthenticated = send(
        &w.platform,
        api(
            "POST",
            "/api/tunnel-hosts/device",
            None,
            Some(json!({ "fingerprint": KEY_FP, "public_key": KEY })),
        ),
    )
    .await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        poll(&w, "not-a-device-code").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn another_host_cannot_poll_this_hosts_code() {
    let w = world().await;
    let started = start(&w).await;
    let device_code = started.json["device_code"].as_str().expect("device code");
    let created = send(
        &w.platform,
        api(
            "POST",
            "/api/orgs/ada-lab/tunnel-hosts",
            Some(&w.ada),
            Some(json!({ "name": "edge-2" })),
        ),
    )
    .await;
    let token = created.json["enrollment_token"].as_str().expect("token");
    let enrolled = send(
        &w.platform,
        api(
            "POST",
            "/api/tunnel-hosts/enroll",
            None,
            Some(json!({ "enrollment_token": token })),
        ),
    )
    .await;
    let other = enrolled.json["credential"].as_str().expect("credential");
    let reply = send(
        &w.platform,
        from_host(
            "/api/tunnel-hosts/device/poll",
            other,
            json!({ "device_code": device_code }),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn guessing_codes_is_limited() {
    let w = world().await;
    for guess in [
        "BBBB-BBBB",
        "CCCC-CCCC",
        "nonsense",
        "DDDD-DDDD",
        "FFFF-FFFF",
    ] {
        let reply = activate(&w.platform, &w.ada, guess).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{guess}");
    }
    let started = start(&w).await;
    let user_code = started.json["user_code"].as_str().expect("user code");
    let limited = activate(&w.platform, &w.ada, user_code).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    w.clock.advance_ms(15 * 60 * 1000);
    // The window passed, and so did the code's ten minutes.
    assert_eq!(
        activate(&w.platform, &w.ada, user_code).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_host_may_start_only_so_many_device_flows() {
    let w = world().await;
    for _ in 0..edge_api::auth::rate_limit::DEVICE_STARTS.max {
        assert_eq!(start(&w).await.status, StatusCode::OK);
    }
    let refused = start(&w).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.json
    );
    assert!(refused.headers.contains_key("retry-after"));
    w.clock
        .advance_ms(edge_api::auth::rate_limit::DEVICE_STARTS.window_ms);
    assert_eq!(start(&w).await.status, StatusCode::OK);
}
