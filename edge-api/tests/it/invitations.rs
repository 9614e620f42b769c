//! Invitations and joining: making, listing and revoking links; joining as a
//! new or a signed-in user; single use under concurrency; expiry; the link
//! as the credential (an email is only a note); the rate limit on guessing
//! tokens.

use crate::common;

use std::sync::Arc;

use async_trait::async_trait;
use axum::http::{StatusCode, header};
use common::{Reply, add_user, api, platform, send, session_cookie, setup_owner, sign_in_as};
use edge_api::{
    Platform,
    platform::db::{Database, DatabaseExt, DbError, Outcome, Statement},
};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";
const DAY_MS: i64 = 24 * 3600 * 1000;

/// A signed-in user: id and `flamingo_session=...` cookie.
struct User {
    id: String,
    cookie: String,
}

/// Sets Flamingo up with Ada as owner of "Ada Lab" (slug `ada-lab`).
async fn owner(platform: &Platform) -> User {
    let (cookie, me) = setup_owner(platform).await;
    User {
        id: me["user"]["id"].as_str().expect("user id").to_owned(),
        cookie,
    }
}

/// Invites to `org` as `by`; returns the reply (201 with the token).
async fn invite(platform: &Platform, by: &User, org: &str, body: Value) -> Reply {
    send(
        platform,
        api(
            "POST",
            &format!("/api/orgs/{org}/invitations"),
            Some(&by.cookie),
            Some(body),
        ),
    )
    .await
}

/// The token of a fresh viewer invitation to Ada Lab.
async fn viewer_token(platform: &Platform, by: &User) -> String {
    let reply = invite(platform, by, "ada-lab", json!({ "role": "viewer" })).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    reply.json["token"].as_str().expect("token").to_owned()
}

fn new_account(name: &str, email: &str) -> Value {
    json!({ "name": name, "email": email, "password": PASSWORD })
}

async fn join(platform: &Platform, token: &str, cookie: Option<&str>, body: Value) -> Reply {
    send(
        platform,
        api("POST", &format!("/api/join/{token}"), cookie, Some(body)),
    )
    .await
}

async fn preview(platform: &Platform, token: &str, cookie: Option<&str>) -> Reply {
    send(
        platform,
        api("GET", &format!("/api/join/{token}"), cookie, None),
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
async fn admins_make_list_and_revoke_invitations() {
    let (platform, clock) = platform();
    let ada = owner(&platform).await;

    let first = invite(&platform, &ada, "ada-lab", json!({ "role": "viewer" })).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    let token = first.json["token"].as_str().expect("token").to_owned();
    assert_eq!(token.len(), 43);
    assert_eq!(first.json["url"], format!("/join/{token}"));
    let created = &first.json["invitation"];
    assert_eq!(created["role"], "viewer");
    assert!(created["email"].is_null());
    assert_eq!(
        created["created_by"],
        json!({ "id": ada.id, "name": "Ada Owner" })
    );
    assert_eq!(created["created_at"], "2026-11-22T10:00:00.000Z");
    assert_eq!(
        created["expires_at"], "2026-11-29T10:00:00.000Z",
        "seven days by default"
    );

    clock.advance_ms(1_000);
    let body = json!({ "role": "admin", "email": " Bob@Example.com ", "expires_in_days": 3 });
    let second = invite(&platform, &ada, "ada-lab", body).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.json);
    assert_eq!(second.json["invitation"]["email"], "Bob@Example.com");
    assert_eq!(
        second.json["invitation"]["expires_at"],
        "2026-11-25T10:00:01.000Z"
    );

    let bad = invite(
        &platform,
        &ada,
        "ada-lab",
        json!({ "role": "owner", "email": "nope", "expires_in_days": 31 }),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["role", "email", "expires_in_days"] {
        assert!(
            bad.json["error"]["fields"][field].is_string(),
            "{field}: {}",
            bad.json
        );
    }

    // Only the hash of the token is stored.
    let stored = rows(
        &platform,
        "SELECT token_hash FROM invitations ORDER BY created_at",
    )
    .await;
    assert_eq!(
        stored[0]["token_hash"],
        edge_api::crypto::sha256_hex(token.as_bytes())
    );

    // Listed newest first, without tokens.
    let list = send(
        &platform,
        api(
            "GET",
            "/api/orgs/ada-lab/invitations",
            Some(&ada.cookie),
            None,
        ),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    let items = list.json.as_array().expect("a list");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], second.json["invitation"]["id"]);
    assert_eq!(items[1]["id"], created["id"]);
    assert!(!list.json.to_string().contains(&token));

    // Revoking hides it and kills the link; a second revoke finds nothing.
    let id = created["id"].as_str().expect("id");
    let uri = format!("/api/orgs/ada-lab/invitations/{id}");
    assert_eq!(
        send(&platform, api("DELETE", &uri, Some(&ada.cookie), None))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&platform, api("DELETE", &uri, Some(&ada.cookie), None))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let unknown = "/api/orgs/ada-lab/invitations/00000000-0000-4000-8000-000000000000";
    assert_eq!(
        send(&platform, api("DELETE", unknown, Some(&ada.cookie), None))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = send(
        &platform,
        api(
            "GET",
            "/api/orgs/ada-lab/invitations",
            Some(&ada.cookie),
            None,
        ),
    )
    .await;
    assert_eq!(list.json.as_array().map(Vec::len), Some(1));
    assert_eq!(
        preview(&platform, &token, None).await.status,
        StatusCode::NOT_FOUND
    );

    // Strangers see no organization; the audit log has each change.
    let anonymous = send(
        &platform,
        api("GET", "/api/orgs/ada-lab/invitations", None, None),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let audit = rows(
        &platform,
        "SELECT action, actor_id, resource_id FROM audit_log \
         WHERE action IN ('member.invite', 'invitation.revoke') ORDER BY rowid",
    )
    .await;
    let actions: Vec<&str> = audit.iter().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(
        actions,
        ["member.invite", "member.invite", "invitation.revoke"]
    );
    assert!(audit.iter().all(|r| r["actor_id"] == ada.id.as_str()));
    assert_eq!(audit[2]["resource_id"], id);
}

#[tokio::test]
async fn a_new_user_joins_once_and_is_signed_in() {
    let (platform, _clock) = platform();
    let ada = owner(&platform).await;
    let token = viewer_token(&platform, &ada).await;

    let shown = preview(&platform, &token, None).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.json);
    assert_eq!(
        shown.json["organization"],
        json!({ "name": "Ada Lab", "slug": "ada-lab" })
    );
    assert_eq!(shown.json["role"], "viewer");
    assert!(shown.json["signed_in_as"].is_null());
    assert_eq!(shown.json["expires_at"], "2026-11-29T10:00:00.000Z");

    // Missing fields are named.
    let empty = join(&platform, &token, None, json!({})).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "email", "password"] {
        assert!(empty.json["error"]["fields"][field].is_string(), "{field}");
    }
    // An existing account must sign in first.
    let taken = join(
        &platform,
        &token,
        None,
        new_account("Ada again", "ADA@example.com"),
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.json["error"]["code"], "email_taken");

    let joined = join(
        &platform,
        &token,
        None,
        new_account("Bob", "bob@example.com"),
    )
    .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.json);
    let bob_id = joined.json["user"]["id"]
        .as_str()
        .expect("user id")
        .to_owned();
    assert_eq!(joined.json["user"]["email"], "bob@example.com");
    assert_eq!(joined.json["memberships"][0]["slug"], "ada-lab");
    assert_eq!(joined.json["memberships"][0]["role"], "viewer");
    let bob = User {
        id: bob_id,
        cookie: session_cookie(&joined),
    };
    let me = send(
        &platform,
        api("GET", "/api/auth/me", Some(&bob.cookie), None),
    )
    .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["user"]["name"], "Bob");

    // The link is used up.
    assert_eq!(
        join(
            &platform,
            &token,
            None,
            new_account("Eve", "eve@example.com")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        preview(&platform, &token, None).await.status,
        StatusCode::NOT_FOUND
    );
    let members = rows(
        &platform,
        "SELECT user_id, role FROM memberships ORDER BY role",
    )
    .await;
    assert_eq!(
        members,
        [
            json!({ "user_id": ada.id, "role": "owner" }),
            json!({ "user_id": bob.id, "role": "viewer" })
        ]
    );
    let accepted = rows(
        &platform,
        "SELECT accepted_by, accepted_at FROM invitations",
    )
    .await;
    assert_eq!(accepted[0]["accepted_by"], bob.id.as_str());

    // A viewer may read invitations but not make them.
    let listed = send(
        &platform,
        api(
            "GET",
            "/api/orgs/ada-lab/invitations",
            Some(&bob.cookie),
            None,
        ),
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(
        invite(&platform, &bob, "ada-lab", json!({ "role": "viewer" }))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The join is audited with the new member as actor.
    let audit = rows(
        &platform,
        "SELECT org_id, actor_id, actor_name, resource_id, metadata FROM audit_log \
         WHERE action = 'member.join'",
    )
    .await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["actor_id"], bob.id.as_str());
    assert_eq!(audit[0]["actor_name"], "Bob");
    assert_eq!(audit[0]["resource_id"], bob.id.as_str());
    assert_eq!(audit[0]["org_id"], joined.json["memberships"][0]["org_id"]);
    let metadata: Value =
        serde_json::from_str(audit[0]["metadata"].as_str().expect("metadata")).expect("json");
    assert_eq!(metadata["new_account"], true);
    assert_eq!(metadata["role"], "viewer");
}

#[tokio::test]
async fn expired_invitations_cannot_be_used() {
    let (platform, clock) = platform();
    let ada = owner(&platform).await;
    let week = viewer_token(&platform, &ada).await;
    let month = invite(
        &platform,
        &ada,
        "ada-lab",
        json!({ "role": "operator", "expires_in_days": 30 }),
    )
    .await;
    let month = month.json["token"].as_str().expect("token").to_owned();

    clock.advance_ms(8 * DAY_MS);
    assert_eq!(
        preview(&platform, &week, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        join(
            &platform,
            &week,
            None,
            new_account("Bob", "bob@example.com")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let alive = preview(&platform, &month, None).await;
    assert_eq!(alive.status, StatusCode::OK);
    assert_eq!(alive.json["role"], "operator");
    let rows = rows(
        &platform,
        "SELECT COUNT(*) AS n FROM invitations WHERE accepted_at IS NULL",
    )
    .await;
    assert_eq!(rows[0]["n"], 2, "nothing was consumed");
}

#[tokio::test]
async fn the_link_is_the_credential_and_an_invitations_email_is_only_a_note() {
    // Flamingo sends no mail, so it cannot know who opens a link; an email
    // noted on an invitation must not pose as a check (anyone could make an
    // account with that address, or change theirs to it).
    let (platform, _clock) = platform();
    let ada = owner(&platform).await;
    let for_bob = |role: &str| json!({ "role": role, "email": "bob@example.com" });
    let first = invite(&platform, &ada, "ada-lab", for_bob("operator")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    assert_eq!(first.json["invitation"]["email"], "bob@example.com");
    let first = first.json["token"].as_str().expect("token").to_owned();
    let listed = send(
        &platform,
        api(
            "GET",
            "/api/orgs/ada-lab/invitations",
            Some(&ada.cookie),
            None,
        ),
    )
    .await;
    assert_eq!(
        listed.json[0]["email"], "bob@example.com",
        "members see the note"
    );

    // Whoever holds the link sees no address (it is not theirs to know, and
    // showing it would read as a condition)...
    let shown = preview(&platform, &first, None).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.json);
    assert!(shown.json.get("email").is_none(), "{}", shown.json);
    // ...and joins under any address, as the invitation's role.
    let eve = join(
        &platform,
        &first,
        None,
        new_account("Eve", "eve@example.com"),
    )
    .await;
    assert_eq!(eve.status, StatusCode::CREATED, "{}", eve.json);
    assert_eq!(eve.json["memberships"][0]["role"], "operator");

    // A signed-in user with another address joins as themselves too.
    let second = invite(&platform, &ada, "ada-lab", for_bob("viewer")).await;
    let second = second.json["token"].as_str().expect("token").to_owned();
    let vic_id = add_user(&platform, "Vic", "vic@example.com").await;
    let vic = sign_in_as(&platform, &vic_id).await;
    let joined = join(&platform, &second, Some(&vic), json!({})).await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.json);
    let members = rows(
        &platform,
        "SELECT u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id ORDER BY u.email",
    )
    .await;
    assert_eq!(
        members,
        [
            json!({ "email": "ada@example.com", "role": "owner" }),
            json!({ "email": "eve@example.com", "role": "operator" }),
            json!({ "email": "vic@example.com", "role": "viewer" }),
        ]
    );
}

#[tokio::test]
async fn a_signed_in_user_joins_as_themselves() {
    let (platform, _clock) = platform();
    let ada = owner(&platform).await;
    let bob_id = add_user(&platform, "Bob", "bob@example.com").await;
    let bob = User {
        cookie: sign_in_as(&platform, &bob_id).await,
        id: bob_id,
    };

    // Bob has an organization of his own and invites Ada to it.
    let org = send(
        &platform,
        api(
            "POST",
            "/api/orgs",
            Some(&bob.cookie),
            Some(json!({ "name": "Bob Works" })),
        ),
    )
    .await;
    assert_eq!(org.status, StatusCode::CREATED, "{}", org.json);
    let first = invite(
        &platform,
        &bob,
        "bob-works",
        json!({ "role": "admin", "email": "ADA@example.com" }),
    )
    .await;
    let first = first.json["token"].as_str().expect("token").to_owned();
    let second = invite(&platform, &bob, "bob-works", json!({ "role": "viewer" })).await;
    let second = second.json["token"].as_str().expect("token").to_owned();

    let shown = preview(&platform, &first, Some(&ada.cookie)).await;
    assert_eq!(
        shown.json["signed_in_as"],
        json!({ "name": "Ada Owner", "email": "ada@example.com" })
    );
    let joined = join(&platform, &first, Some(&ada.cookie), json!({})).await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.json);
    assert_eq!(joined.json["user"]["id"], ada.id.as_str());
    assert!(
        joined.headers.get(header::SET_COOKIE).is_none(),
        "the session stays"
    );
    let roles: Vec<(&str, &str)> = joined.json["memberships"]
        .as_array()
        .expect("memberships")
        .iter()
        .filter_map(|m| Some((m["slug"].as_str()?, m["role"].as_str()?)))
        .collect();
    assert_eq!(roles, [("ada-lab", "owner"), ("bob-works", "admin")]);

    // A second invitation to the same organization is refused, and stays usable.
    let again = join(&platform, &second, Some(&ada.cookie), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json["error"]["code"], "already_member");
    assert_eq!(
        preview(&platform, &second, None).await.status,
        StatusCode::OK
    );

    // A cross-site request with Ada's cookie is refused by the guard.
    let mut forged = api(
        "POST",
        &format!("/api/join/{second}"),
        Some(&ada.cookie),
        Some(json!({})),
    );
    forged.headers_mut().insert(
        header::ORIGIN,
        header::HeaderValue::from_static("https://evil.example"),
    );
    assert_eq!(send(&platform, forged).await.status, StatusCode::FORBIDDEN);

    let audit = rows(
        &platform,
        "SELECT actor_id, metadata FROM audit_log WHERE action = 'member.join'",
    )
    .await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["actor_id"], ada.id.as_str());
    assert!(
        audit[0]["metadata"]
            .as_str()
            .is_some_and(|m| m.contains("\"new_account\":false"))
    );
}

/// A database that yields before every call, so requests driven by
/// `tokio::join!` interleave as they would on a real network.
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
async fn two_racing_joins_make_exactly_one_membership() {
    let (mut platform, _clock) = platform();
    let ada = owner(&platform).await;
    let token = viewer_token(&platform, &ada).await;
    platform.db = Arc::new(Yielding(platform.db.clone()));

    let (a, b) = tokio::join!(
        join(
            &platform,
            &token,
            None,
            new_account("Bob", "bob@example.com")
        ),
        join(
            &platform,
            &token,
            None,
            new_account("Eve", "eve@example.com")
        ),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::NOT_FOUND],
        "{} / {}",
        a.json,
        b.json
    );

    // Both passed the token lookup (no failure was counted): the loser lost
    // in its batch, which rolled back whole: no account, no audit row.
    assert!(
        rows(&platform, "SELECT key FROM rate_limits")
            .await
            .is_empty()
    );
    let viewers = rows(
        &platform,
        "SELECT COUNT(*) AS n FROM memberships WHERE role = 'viewer'",
    )
    .await;
    assert_eq!(viewers[0]["n"], 1);
    assert_eq!(
        rows(&platform, "SELECT COUNT(*) AS n FROM users").await[0]["n"],
        2
    );
    assert_eq!(
        rows(
            &platform,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'member.join'"
        )
        .await[0]["n"],
        1
    );
}

#[tokio::test]
async fn guessing_tokens_is_rate_limited_per_ip() {
    let (platform, clock) = platform();
    let ada = owner(&platform).await;
    let token = viewer_token(&platform, &ada).await;

    for guess in 0..5 {
        let miss = preview(&platform, &format!("guess-{guess}"), None).await;
        assert_eq!(miss.status, StatusCode::NOT_FOUND);
        assert_eq!(miss.json["error"]["code"], "not_found");
    }
    // Even the right token is refused now, from this IP.
    let limited = preview(&platform, &token, None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers[header::RETRY_AFTER]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=900).contains(&retry), "{retry}");
    assert_eq!(
        join(&platform, &token, None, json!({})).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Another address is not affected; the window passes.
    let mut elsewhere = api("GET", &format!("/api/join/{token}"), None, None);
    elsewhere.headers_mut().insert(
        "cf-connecting-ip",
        header::HeaderValue::from_static("192.0.2.9"),
    );
    assert_eq!(send(&platform, elsewhere).await.status, StatusCode::OK);
    clock.advance_ms(15 * 60 * 1000);
    assert_eq!(
        preview(&platform, &token, None).await.status,
        StatusCode::OK
    );
}
