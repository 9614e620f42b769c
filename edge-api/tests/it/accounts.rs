//! First run, sign-in, sessions, rate limits, the profile, API keys and the
//! audit log.

use crate::common;

use axum::http::{StatusCode, header};
use common::{
    START_MS, add_member, add_user, api, platform, send, session_cookie, setup_owner, sign_in_as,
};
use edge_api::platform::db::{DatabaseExt, Statement};
use serde_json::{Value, json};

fn login_body(email: &str, password: &str) -> Option<Value> {
    Some(json!({ "email": email, "password": password }))
}

#[allow(clippy::expect_used)]
fn from_ip(
    mut request: axum::http::Request<axum::body::Body>,
    ip: &str,
) -> axum::http::Request<axum::body::Body> {
    request
        .headers_mut()
        .insert("cf-connecting-ip", ip.parse().expect("ip header"));
    request
}

#[tokio::test]
async fn setup_creates_exactly_one_owner_even_when_raced() {
    let (platform, _) = platform();
    let status = send(&platform, api("GET", "/api/setup", None, None)).await;
    assert_eq!(status.json, json!({ "needed": true }));

    let attempt = |n: usize| {
        let body = json!({
            "name": format!("Owner {n}"), "email": format!("owner{n}@example.com"),
            "password": "correct horse battery", "organization": "Lab",
        });
        send(&platform, api("POST", "/api/setup", None, Some(body)))
    };
    let (a, b, c) = tokio::join!(attempt(1), attempt(2), attempt(3));
    let created = [&a, &b, &c]
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let refused = [&a, &b, &c]
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .count();
    assert_eq!(
        (created, refused),
        (1, 2),
        "{} {} {}",
        a.json,
        b.json,
        c.json
    );

    let users: Vec<Value> = platform
        .db
        .all(Statement::new("SELECT id FROM users"))
        .await
        .expect("users");
    let owners: Vec<Value> = platform
        .db
        .all(Statement::new(
            "SELECT user_id FROM memberships WHERE role = 'owner'",
        ))
        .await
        .expect("owners");
    assert_eq!((users.len(), owners.len()), (1, 1));
    assert_eq!(
        send(&platform, api("GET", "/api/setup", None, None))
            .await
            .json,
        json!({ "needed": false })
    );
    let again = attempt(4).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json["error"]["code"], "already_set_up");
}

#[tokio::test]
async fn setup_validates_every_field_at_once() {
    let (platform, _) = platform();
    let body = json!({ "name": " ", "email": "nope", "password": "short", "organization": "" });
    let reply = send(&platform, api("POST", "/api/setup", None, Some(body))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json["error"]["code"], "invalid");
    for field in ["name", "email", "password", "organization"] {
        assert!(
            reply.json["error"]["fields"][field].is_string(),
            "{field}: {}",
            reply.json
        );
    }
    let long = json!({ "name": "A", "email": "a@b.co", "password": "x".repeat(1025), "organization": "O" });
    let reply = send(&platform, api("POST", "/api/setup", None, Some(long))).await;
    assert_eq!(
        reply.json["error"]["fields"]["password"],
        "must be at most 1024 bytes"
    );
}

#[tokio::test]
async fn bad_bodies_get_clear_4xx_errors() {
    let (platform, _) = platform();
    let cases = [
        ("{not json", StatusCode::BAD_REQUEST, "malformed_json"),
        (
            r#"{"email": 5, "password": "x"}"#,
            StatusCode::BAD_REQUEST,
            "invalid_json_shape",
        ),
        (
            r#"{"email": "a@b.co", "password": "x", "admin": true}"#,
            StatusCode::BAD_REQUEST,
            "invalid_json_shape",
        ),
    ];
    for (body, status, code) in cases {
        let mut request = api("POST", "/api/auth/login", None, None);
        request.headers_mut().insert(
            header::CONTENT_TYPE,
            "application/json".parse().expect("header"),
        );
        *request.body_mut() = axum::body::Body::from(body);
        let reply = send(&platform, request).await;
        assert_eq!(
            (reply.status, reply.json["error"]["code"].as_str()),
            (status, Some(code)),
            "{body}: {}",
            reply.json
        );
    }
    let huge = json!({ "email": "a@b.co", "password": "x".repeat(70_000) });
    let reply = send(&platform, api("POST", "/api/auth/login", None, Some(huge))).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    let mut no_type = api("POST", "/api/auth/login", None, None);
    *no_type.body_mut() = axum::body::Body::from("{}");
    assert_eq!(
        send(&platform, no_type).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
}

#[tokio::test]
async fn login_sets_a_fresh_hardened_cookie_and_logout_kills_the_session() {
    let (platform, _) = platform();
    let (setup_cookie, _) = setup_owner(&platform).await;
    let reply = send(
        &platform,
        api(
            "POST",
            "/api/auth/login",
            None,
            login_body("ADA@example.com", "correct horse battery"),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let set = reply.headers[header::SET_COOKIE].to_str().expect("ascii");
    for flag in [
        "HttpOnly",
        "Secure",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=604800",
    ] {
        assert!(set.contains(flag), "{flag} in {set}");
    }
    let cookie = session_cookie(&reply);
    assert_ne!(cookie, setup_cookie, "a new id at every login");
    assert_eq!(cookie.len(), "flamingo_session=".len() + 43, "256-bit id");
    assert_eq!(reply.json["memberships"][0]["role"], "owner");

    // KV holds only the hash of the id.
    let secret = cookie.trim_start_matches("flamingo_session=");
    let keys = platform.kv.list("session:").await.expect("kv list");
    assert!(keys.iter().all(|k| !k.name.contains(secret)));
    assert!(keys.iter().any(|k| k.name
        == format!(
            "session:{}",
            edge_api::crypto::sha256_hex(secret.as_bytes())
        )));

    assert_eq!(
        send(&platform, api("GET", "/api/auth/me", Some(&cookie), None))
            .await
            .status,
        StatusCode::OK
    );
    let out = send(
        &platform,
        api("POST", "/api/auth/logout", Some(&cookie), None),
    )
    .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(
        out.headers[header::SET_COOKIE]
            .to_str()
            .expect("ascii")
            .contains("Max-Age=0")
    );
    assert_eq!(
        send(&platform, api("GET", "/api/auth/me", Some(&cookie), None))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(
            &platform,
            api("GET", "/api/auth/me", Some(&setup_cookie), None)
        )
        .await
        .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_emails_fail_like_wrong_passwords() {
    let (platform, _) = platform();
    setup_owner(&platform).await;
    let reply = send(
        &platform,
        api(
            "POST",
            "/api/auth/login",
            None,
            login_body("nobody@example.com", "correct horse battery"),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json["error"]["code"], "invalid_credentials");
}

#[tokio::test]
async fn login_rehashes_passwords_made_with_old_parameters() {
    use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
    let (platform, _) = platform();
    setup_owner(&platform).await;
    let weak = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(8_192, 1, 1, None).expect("params"),
    );
    let old: argon2::password_hash::phc::PasswordHash = weak
        .hash_password_with_salt(b"correct horse battery", &[3; 16])
        .expect("hash");
    platform
        .db
        .execute(Statement::new("UPDATE users SET password_hash = ?1").bind(old.to_string()))
        .await
        .expect("update");
    let reply = send(
        &platform,
        api(
            "POST",
            "/api/auth/login",
            None,
            login_body("ada@example.com", "correct horse battery"),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let row: Value = platform
        .db
        .first(Statement::new("SELECT password_hash FROM users"))
        .await
        .expect("row")
        .expect("user");
    assert!(
        row["password_hash"]
            .as_str()
            .expect("text")
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
    );
}

#[tokio::test]
async fn sessions_are_listed_revoked_and_ended_by_a_password_change() {
    let (platform, clock) = platform();
    let (first, _) = setup_owner(&platform).await;
    clock.advance_ms(1000);
    let second = session_cookie(
        &send(
            &platform,
            api(
                "POST",
                "/api/auth/login",
                None,
                login_body("ada@example.com", "correct horse battery"),
            ),
        )
        .await,
    );
    let third = session_cookie(
        &send(
            &platform,
            api(
                "POST",
                "/api/auth/login",
                None,
                login_body("ada@example.com", "correct horse battery"),
            ),
        )
        .await,
    );

    let list = send(
        &platform,
        api("GET", "/api/auth/sessions", Some(&first), None),
    )
    .await;
    let sessions = list.json.as_array().expect("array");
    assert_eq!(sessions.len(), 3);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(sessions.iter().all(|s| s["ip"] == "192.0.2.1"));

    let second_id =
        edge_api::crypto::sha256_hex(second.trim_start_matches("flamingo_session=").as_bytes());
    let revoked = send(
        &platform,
        api(
            "DELETE",
            &format!("/api/auth/sessions/{second_id}"),
            Some(&first),
            None,
        ),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        send(&platform, api("GET", "/api/auth/me", Some(&second), None))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let wrong = send(&platform, api("PUT", "/api/auth/password", Some(&first), Some(json!({"current_password": "not it at all", "new_password": "a brand new passphrase"})))).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.json["error"]["fields"]["current_password"].is_string());
    let changed = send(&platform, api("PUT", "/api/auth/password", Some(&first), Some(json!({"current_password": "correct horse battery", "new_password": "a brand new passphrase"})))).await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.json);
    assert_eq!(
        send(&platform, api("GET", "/api/auth/me", Some(&third), None))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&platform, api("GET", "/api/auth/me", Some(&first), None))
            .await
            .status,
        StatusCode::OK
    );
    let old = send(
        &platform,
        api(
            "POST",
            "/api/auth/login",
            None,
            login_body("ada@example.com", "correct horse battery"),
        ),
    )
    .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_all_other_sessions_keeps_only_the_one_asking() {
    let (platform, _) = platform();
    let (first, me) = setup_owner(&platform).await;
    let owner_id = me["user"]["id"].as_str().expect("owner id").to_owned();
    let second = sign_in_as(&platform, &owner_id).await;
    let third = sign_in_as(&platform, &owner_id).await;
    let other_user = add_user(&platform, "Grace", "grace@example.com").await;
    let theirs = sign_in_as(&platform, &other_user).await;

    let reply = send(
        &platform,
        api("DELETE", "/api/auth/sessions", Some(&first), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["ended"], 2);
    for (cookie, status) in [
        (&first, StatusCode::OK),
        (&second, StatusCode::UNAUTHORIZED),
        (&third, StatusCode::UNAUTHORIZED),
        (&theirs, StatusCode::OK),
    ] {
        let me = send(&platform, api("GET", "/api/auth/me", Some(cookie), None)).await;
        assert_eq!(me.status, status, "{}", me.json);
    }
    let list = send(
        &platform,
        api("GET", "/api/auth/sessions", Some(&first), None),
    )
    .await;
    let sessions = list.json.as_array().expect("array");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["current"], true);

    // Nothing else left to end: still a success, with nothing ended.
    let again = send(
        &platform,
        api("DELETE", "/api/auth/sessions", Some(&first), None),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.json);
    assert_eq!(again.json["ended"], 0);
}

#[tokio::test]
async fn sessions_slide_and_expire_after_seven_idle_days() {
    let (platform, clock) = platform();
    let (cookie, _) = setup_owner(&platform).await;
    clock.advance_ms(6 * 24 * 3600 * 1000);
    assert_eq!(
        send(&platform, api("GET", "/api/auth/me", Some(&cookie), None))
            .await
            .status,
        StatusCode::OK
    );
    clock.advance_ms(6 * 24 * 3600 * 1000);
    assert_eq!(
        send(&platform, api("GET", "/api/auth/me", Some(&cookie), None))
            .await
            .status,
        StatusCode::OK,
        "slid"
    );
    clock.advance_ms(7 * 24 * 3600 * 1000 + 1000);
    assert_eq!(
        send(&platform, api("GET", "/api/auth/me", Some(&cookie), None))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn api_keys_are_shown_once_hashed_ip_limited_and_revocable() {
    let (platform, clock) = platform();
    let (owner, me) = setup_owner(&platform).await;
    let org = me["memberships"][0]["slug"]
        .as_str()
        .expect("slug")
        .to_owned();
    let bad = send(
        &platform,
        api(
            "POST",
            "/api/me/api-keys",
            Some(&owner),
            Some(
                json!({"name": "ci", "allowed_ips": ["nope"], "password": "correct horse battery"}),
            ),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let created = send(
        &platform,
        api(
            "POST",
            "/api/me/api-keys",
            Some(&owner),
            Some(json!({"name": "ci", "allowed_ips": ["203.0.113.0/24"], "password": "correct horse battery"})),
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let token = created.json["token"].as_str().expect("token").to_owned();
    assert!(token.starts_with("flm_"));
    let stored: Value = platform
        .db
        .first(Statement::new("SELECT * FROM api_keys"))
        .await
        .expect("row")
        .expect("key");
    assert!(
        !stored.to_string().contains(&token[4..]),
        "only a hash is stored"
    );

    let with_key = |ip: &str| {
        let mut request = from_ip(
            api("GET", &format!("/api/orgs/{org}/members"), None, None),
            ip,
        );
        request.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("header"),
        );
        request
    };
    let allowed = send(&platform, with_key("203.0.113.9")).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.json);
    let elsewhere = send(&platform, with_key("198.51.100.1")).await;
    assert_eq!(
        (elsewhere.status, elsewhere.json["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("ip_not_allowed"))
    );

    let listed = send(
        &platform,
        api("GET", "/api/me/api-keys", Some(&owner), None),
    )
    .await;
    assert_eq!(
        listed.json[0]["last_used_at"],
        edge_api::platform::clock::rfc3339(START_MS)
    );
    assert!(listed.json[0].get("token").is_none());
    clock.advance_ms(1000);
    let id = listed.json[0]["id"].as_str().expect("id");
    assert_eq!(
        send(
            &platform,
            api(
                "DELETE",
                &format!("/api/me/api-keys/{id}"),
                Some(&owner),
                None
            )
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let revoked = send(&platform, with_key("203.0.113.9")).await;
    assert_eq!(
        (revoked.status, revoked.json["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_api_key"))
    );
    let garbage = send(&platform, {
        let mut r = api("GET", "/api/auth/me", None, None);
        r.headers_mut()
            .insert(header::AUTHORIZATION, "Bearer flm_nope".parse().expect("h"));
        r
    })
    .await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn members_roles_change_but_the_owner_is_protected_and_everything_is_audited() {
    let (platform, clock) = platform();
    let (owner, me) = setup_owner(&platform).await;
    let org_id = me["memberships"][0]["org_id"]
        .as_str()
        .expect("org")
        .to_owned();
    let org = me["memberships"][0]["slug"]
        .as_str()
        .expect("slug")
        .to_owned();
    let owner_id = me["user"]["id"].as_str().expect("id").to_owned();
    let admin_id = add_user(&platform, "Ann Admin", "ann@example.com").await;
    let viewer_id = add_user(&platform, "Vic Viewer", "vic@example.com").await;
    add_member(&platform, &org_id, &admin_id, "admin").await;
    add_member(&platform, &org_id, &viewer_id, "viewer").await;
    let admin = sign_in_as(&platform, &admin_id).await;

    let demote_owner = send(
        &platform,
        api(
            "PATCH",
            &format!("/api/orgs/{org}/members/{owner_id}"),
            Some(&admin),
            Some(json!({"role": "viewer"})),
        ),
    )
    .await;
    assert_eq!(
        (
            demote_owner.status,
            demote_owner.json["error"]["code"].as_str()
        ),
        (StatusCode::FORBIDDEN, Some("owner_protected"))
    );
    let remove_owner = send(
        &platform,
        api(
            "DELETE",
            &format!("/api/orgs/{org}/members/{owner_id}"),
            Some(&admin),
            None,
        ),
    )
    .await;
    assert_eq!(remove_owner.status, StatusCode::FORBIDDEN);
    let make_owner = send(
        &platform,
        api(
            "PATCH",
            &format!("/api/orgs/{org}/members/{viewer_id}"),
            Some(&admin),
            Some(json!({"role": "owner"})),
        ),
    )
    .await;
    assert_eq!(make_owner.status, StatusCode::UNPROCESSABLE_ENTITY);

    clock.advance_ms(1000);
    let promoted = send(
        &platform,
        api(
            "PATCH",
            &format!("/api/orgs/{org}/members/{viewer_id}"),
            Some(&admin),
            Some(json!({"role": "operator"})),
        ),
    )
    .await;
    assert_eq!(
        (promoted.status, promoted.json["role"].as_str()),
        (StatusCode::OK, Some("operator"))
    );
    clock.advance_ms(1000);
    assert_eq!(
        send(
            &platform,
            api(
                "DELETE",
                &format!("/api/orgs/{org}/members/{viewer_id}"),
                Some(&owner),
                None
            )
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let members = send(
        &platform,
        api(
            "GET",
            &format!("/api/orgs/{org}/members"),
            Some(&owner),
            None,
        ),
    )
    .await;
    let roles: Vec<&str> = members
        .json
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|m| m["role"].as_str())
        .collect();
    assert_eq!(roles, ["owner", "admin"]);

    let audit = send(
        &platform,
        api("GET", &format!("/api/orgs/{org}/audit"), Some(&owner), None),
    )
    .await;
    assert_eq!(audit.status, StatusCode::OK);
    let actions: Vec<&str> = audit.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        ["member.remove", "member.role_change", "instance.setup"]
    );
    assert_eq!(audit.json["total"], 3);
    let first = &audit.json["items"][1];
    assert_eq!(first["actor_name"], "Ann Admin");
    assert_eq!(first["resource_id"], viewer_id.as_str());
    assert_eq!(
        first["metadata"],
        json!({"from": "viewer", "to": "operator"})
    );
    assert_eq!(first["ip"], "192.0.2.1");

    let by_actor = send(
        &platform,
        api(
            "GET",
            &format!("/api/orgs/{org}/audit?actor={admin_id}"),
            Some(&owner),
            None,
        ),
    )
    .await;
    assert_eq!(by_actor.json["total"], 1);
    let by_prefix = send(
        &platform,
        api(
            "GET",
            &format!("/api/orgs/{org}/audit?action=member.*&limit=1"),
            Some(&owner),
            None,
        ),
    )
    .await;
    assert_eq!(
        (
            by_prefix.json["total"].as_i64(),
            by_prefix.json["items"].as_array().map(Vec::len)
        ),
        (Some(2), Some(1))
    );
    let page2 = send(
        &platform,
        api(
            "GET",
            &format!("/api/orgs/{org}/audit?action=member.*&limit=1&offset=1"),
            Some(&owner),
            None,
        ),
    )
    .await;
    assert_eq!(page2.json["items"][0]["action"], "member.role_change");
    let since = edge_api::platform::clock::rfc3339(START_MS + 1500);
    let recent = send(
        &platform,
        api(
            "GET",
            &format!("/api/orgs/{org}/audit?since={since}"),
            Some(&owner),
            None,
        ),
    )
    .await;
    assert_eq!(recent.json["total"], 1);
    let bad = send(
        &platform,
        api(
            "GET",
            &format!("/api/orgs/{org}/audit?since=yesterday&limit=0"),
            Some(&owner),
            None,
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.json["error"]["fields"]["since"].is_string()
            && bad.json["error"]["fields"]["limit"].is_string()
    );
}

#[tokio::test]
async fn malformed_query_strings_get_the_json_envelope() {
    let (platform, _) = platform();
    let (owner, me) = setup_owner(&platform).await;
    let org = me["memberships"][0]["slug"].as_str().expect("slug");
    for query in ["limit=ten", "colour=pink"] {
        let reply = send(
            &platform,
            api(
                "GET",
                &format!("/api/orgs/{org}/audit?{query}"),
                Some(&owner),
                None,
            ),
        )
        .await;
        assert_eq!(
            (reply.status, reply.json["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_query")),
            "{query}"
        );
    }
}

/// `PATCH /api/auth/me` as `cookie` with `body`.
async fn patch_me(platform: &edge_api::Platform, cookie: &str, body: Value) -> common::Reply {
    send(
        platform,
        api("PATCH", "/api/auth/me", Some(cookie), Some(body)),
    )
    .await
}

#[tokio::test]
async fn changing_the_email_needs_the_current_password_and_wrong_ones_count() {
    // A borrowed session must not be enough to move the account to another
    // address (the email is what one signs in with, and what invitations
    // used to be bound to).
    let (platform, _) = platform();
    let (cookie, _) = setup_owner(&platform).await;

    let missing = patch_me(&platform, &cookie, json!({ "email": "eve@example.com" })).await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.json
    );
    assert!(missing.json["error"]["fields"]["current_password"].is_string());
    let empty = patch_me(
        &platform,
        &cookie,
        json!({ "email": "eve@example.com", "current_password": "" }),
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing is written, not even the name sent alongside.
    let wrong = patch_me(
        &platform,
        &cookie,
        json!({ "name": "Eve", "email": "eve@example.com", "current_password": "not the password" }),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.json["error"]["fields"]["current_password"],
        "is not your current password"
    );
    let me = send(&platform, api("GET", "/api/auth/me", Some(&cookie), None)).await;
    assert_eq!(
        (
            me.json["user"]["name"].as_str(),
            me.json["user"]["email"].as_str()
        ),
        (Some("Ada Owner"), Some("ada@example.com"))
    );

    // The name alone, or the same email, needs no password.
    let renamed = patch_me(
        &platform,
        &cookie,
        json!({ "name": "Ada L.", "email": "ada@example.com" }),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.json);
    assert_eq!(renamed.json["user"]["name"], "Ada L.");

    let moved = patch_me(
        &platform,
        &cookie,
        json!({ "email": " ada@lab.example ", "current_password": "correct horse battery" }),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.json);
    assert_eq!(moved.json["user"]["email"], "ada@lab.example");

    // Wrong passwords here count per account with the password change's:
    // after five (from another address), even the right one is refused there.
    for attempt in 1..=5 {
        let reply = send(
            &platform,
            from_ip(
                api(
                    "PATCH",
                    "/api/auth/me",
                    Some(&cookie),
                    Some(json!({ "email": "eve@example.com", "current_password": "guess guess guess" })),
                ),
                "198.51.100.7",
            ),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {attempt}"
        );
    }
    let limited = send(
        &platform,
        api(
            "PUT",
            "/api/auth/password",
            Some(&cookie),
            Some(json!({ "current_password": "correct horse battery", "new_password": "a brand new passphrase" })),
        ),
    )
    .await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.json
    );
}

/// `POST /api/me/api-keys` as `cookie` with `body`.
async fn create_key(platform: &edge_api::Platform, cookie: &str, body: Value) -> common::Reply {
    send(
        platform,
        api("POST", "/api/me/api-keys", Some(cookie), Some(body)),
    )
    .await
}

/// Whether `token` still authenticates.
async fn key_works(platform: &edge_api::Platform, token: &str) -> bool {
    let mut request = api("GET", "/api/auth/me", None, None);
    request.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("header"),
    );
    send(platform, request).await.status == StatusCode::OK
}

#[tokio::test]
async fn creating_an_api_key_needs_the_password_and_wrong_ones_count() {
    // A key outlives the session that makes it: a stolen session alone must
    // not be able to mint one.
    let (platform, _) = platform();
    let (cookie, _) = setup_owner(&platform).await;
    let missing = create_key(&platform, &cookie, json!({ "name": "ci" })).await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.json
    );
    assert!(missing.json["error"]["fields"]["password"].is_string());
    for attempt in 1..=5 {
        let wrong = create_key(
            &platform,
            &cookie,
            json!({ "name": "ci", "password": "not the password" }),
        )
        .await;
        assert_eq!(
            wrong.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {attempt}"
        );
        assert_eq!(
            wrong.json["error"]["fields"]["password"],
            "is not your current password"
        );
    }
    let keys: Vec<Value> = platform
        .db
        .all(Statement::new("SELECT id FROM api_keys"))
        .await
        .expect("keys");
    assert!(keys.is_empty(), "no key was made");
    let limited = create_key(
        &platform,
        &cookie,
        json!({ "name": "ci", "password": "correct horse battery" }),
    )
    .await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.json
    );
}

#[tokio::test]
async fn a_password_change_can_revoke_every_api_key() {
    let (platform, clock) = platform();
    let (cookie, me) = setup_owner(&platform).await;
    let user_id = me["user"]["id"].as_str().expect("id").to_owned();
    let mut tokens = Vec::new();
    for name in ["ci", "backup"] {
        let made = create_key(
            &platform,
            &cookie,
            json!({ "name": name, "password": "correct horse battery" }),
        )
        .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
        tokens.push(made.json["token"].as_str().expect("token").to_owned());
    }
    let change = |from: &str, to: &str, revoke: Option<bool>| {
        let mut body = json!({ "current_password": from, "new_password": to });
        if let Some(revoke) = revoke {
            body["revoke_api_keys"] = json!(revoke);
        }
        send(
            &platform,
            api("PUT", "/api/auth/password", Some(&cookie), Some(body)),
        )
    };

    // Without the option (or with it off) keys keep working, as before.
    let kept = change("correct horse battery", "second horse battery", None).await;
    assert_eq!(kept.status, StatusCode::NO_CONTENT, "{}", kept.json);
    let kept = change("second horse battery", "third horse battery", Some(false)).await;
    assert_eq!(kept.status, StatusCode::NO_CONTENT, "{}", kept.json);
    for token in &tokens {
        assert!(key_works(&platform, token).await);
    }

    // A wrong current password revokes nothing.
    let wrong = change("not the password", "fourth horse battery", Some(true)).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(key_works(&platform, &tokens[0]).await);

    clock.advance_ms(1000);
    let revoked = change("third horse battery", "fourth horse battery", Some(true)).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.json);
    for token in &tokens {
        assert!(
            !key_works(&platform, token).await,
            "revoked with the password"
        );
    }
    let listed = send(
        &platform,
        api("GET", "/api/me/api-keys", Some(&cookie), None),
    )
    .await;
    assert_eq!(listed.json, json!([]));

    // Each key's revocation is audited, saying why.
    let audited: Vec<Value> = platform
        .db
        .all(Statement::new(
            "SELECT actor_id, resource_id, metadata FROM audit_log \
                 WHERE action = 'api_key.revoke' ORDER BY resource_id",
        ))
        .await
        .expect("audit");
    let mut ids: Vec<Value> = platform
        .db
        .all(Statement::new("SELECT id FROM api_keys ORDER BY id"))
        .await
        .expect("ids");
    assert_eq!(audited.len(), 2, "{audited:?}");
    for (entry, key) in audited.iter().zip(ids.drain(..)) {
        assert_eq!(entry["actor_id"], user_id.as_str());
        assert_eq!(entry["resource_id"], key["id"]);
        let metadata: Value =
            serde_json::from_str(entry["metadata"].as_str().expect("text")).expect("json");
        assert_eq!(metadata["reason"], "password_change");
    }

    // A key made afterwards, with the new password, works.
    let fresh = create_key(
        &platform,
        &cookie,
        json!({ "name": "ci", "password": "fourth horse battery" }),
    )
    .await;
    assert_eq!(fresh.status, StatusCode::CREATED, "{}", fresh.json);
    assert!(key_works(&platform, fresh.json["token"].as_str().expect("token")).await);
}
