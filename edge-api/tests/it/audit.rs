//! The audit log's filters: several actions and prefixes at once (what a
//! filter by plain words sends), prefixes compared as text, and who acted.

use crate::common;

use axum::http::StatusCode;
use common::{add_member, add_user, api, platform, send, setup_owner};
use edge_api::platform::Platform;
use edge_api::platform::db::Statement;
use serde_json::Value;

/// Writes an entry by `actor_id` straight to the log, `n` ms after setup.
async fn entry(platform: &Platform, org_id: &str, actor: (&str, &str), action: &str, n: i64) {
    platform
        .db
        .run(
            Statement::new(
                "INSERT INTO audit_log (id, org_id, actor_id, actor_name, action, resource_type, resource_id, metadata, ip, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 'thing', 'id', '{}', NULL, ?6)",
            )
            .bind(edge_api::crypto::uuid().expect("uuid"))
            .bind(org_id)
            .bind(actor.0)
            .bind(actor.1)
            .bind(action)
            .bind(edge_api::platform::clock::rfc3339(common::START_MS + 60_000 + n)),
        )
        .await
        .expect("entry inserted");
}

fn actions(reply: &Value) -> Vec<String> {
    reply["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_action_filter_takes_several_actions_and_exact_prefixes() {
    let (platform, _) = platform();
    let (owner, me) = setup_owner(&platform).await;
    let org = me["memberships"][0]["slug"].as_str().expect("slug");
    let org_id = me["memberships"][0]["org_id"].as_str().expect("org id");
    let ada = me["user"]["id"].as_str().expect("user id");
    let by = (ada, "Ada Owner");
    for (n, action) in [
        "tunnel.kick",
        "tunnel_name.reserve",
        // Would match `tunnel_name.` if `_` were a LIKE wildcard.
        "tunnelxname.reserve",
        "member.join",
        "api_key.revoke",
        "invitation.revoke",
    ]
    .into_iter()
    .enumerate()
    {
        entry(&platform, org_id, by, action, n as i64).await;
    }
    let list = |query: &str| {
        api(
            "GET",
            &format!("/api/orgs/{org}/audit?{query}"),
            Some(&owner),
            None,
        )
    };

    let revoked = send(&platform, list("action=api_key.revoke,invitation.revoke")).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.json);
    assert_eq!(
        actions(&revoked.json),
        ["invitation.revoke", "api_key.revoke"]
    );
    assert_eq!(revoked.json["total"], 2);

    let mixed = send(&platform, list("action=tunnel_name.*,%20member.join")).await;
    assert_eq!(actions(&mixed.json), ["member.join", "tunnel_name.reserve"]);

    let one = send(&platform, list("action=tunnel.kick")).await;
    assert_eq!(actions(&one.json), ["tunnel.kick"]);

    let prefix = send(&platform, list("action=tunnel.")).await;
    assert_eq!(actions(&prefix.json), ["tunnel.kick"]);

    for bad in [
        "member.*.join",
        "Member.join",
        "member.join;drop",
        ",*",
        "a.b,c%25",
    ] {
        let reply = send(&platform, list(&format!("action={bad}"))).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            reply.json
        );
        assert!(reply.json["error"]["fields"]["action"].is_string(), "{bad}");
    }
    let many = vec!["member.join"; edge_api::record::audit::MAX_ACTIONS + 1].join(",");
    let too_many = send(&platform, list(&format!("action={many}"))).await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn entries_name_the_actors_email_to_tell_namesakes_apart() {
    let (platform, _) = platform();
    let (owner, me) = setup_owner(&platform).await;
    let org = me["memberships"][0]["slug"].as_str().expect("slug");
    let org_id = me["memberships"][0]["org_id"].as_str().expect("org id");
    let other = add_user(&platform, "Ada Owner", "ada.two@example.com").await;
    add_member(&platform, org_id, &other, "admin").await;
    entry(&platform, org_id, (&other, "Ada Owner"), "member.join", 1).await;

    let reply = send(
        &platform,
        api("GET", &format!("/api/orgs/{org}/audit"), Some(&owner), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let who: Vec<(&str, &str)> = reply.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["actor_name"].as_str().unwrap_or(""),
                e["actor_email"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        who,
        [
            ("Ada Owner", "ada.two@example.com"),
            ("Ada Owner", "ada@example.com")
        ]
    );
}
