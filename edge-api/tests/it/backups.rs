//! Backups (issue 14 item 3) against the fake Wings: taken, locked,
//! refused deletion, unlocked, restored, downloaded and deleted; the limit
//! under a burst of concurrent creates; Wings refusing; the timeout; and
//! reports that arrive early, twice, late or from another node.

use std::time::Duration;

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{Value, json};

use crate::common::{
    api,
    game::{World, config_json, world},
    send,
};

/// An installed server.
async fn server(w: &World) -> String {
    let created = w.create_server("backed-up").await;
    let id = created["server"]["id"].as_str().expect("id").to_owned();
    let installed = w
        .remote(
            "POST",
            &format!("/api/remote/servers/{id}/install"),
            Some(json!({"successful": true, "reinstall": false})),
        )
        .await;
    assert!(installed.status.is_success(), "{}", installed.json);
    id
}

fn claims_of(url: &str) -> Value {
    let token = url.split("token=").nth(1).expect("token");
    let payload = token.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64");
    serde_json::from_slice(&bytes).expect("claims")
}

fn success() -> Value {
    json!({"checksum": "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", "checksum_type": "sha1",
           "size": 1234, "successful": true, "parts": null})
}

async fn events_named(w: &World, name: &str) -> Vec<Value> {
    events_since(w, 0, name).await
}

async fn last_event_id(w: &World) -> u64 {
    let events = w.call("GET", "/events?last_event_id=0", None).await;
    events.json["last_event_id"]
        .as_u64()
        .expect("last_event_id")
}

async fn events_since(w: &World, last: u64, name: &str) -> Vec<Value> {
    let events = w
        .call("GET", &format!("/events?last_event_id={last}"), None)
        .await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.json);
    events.json["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["event"] == name)
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_backup_is_taken_locked_refused_deletion_unlocked_restored_downloaded_and_deleted() {
    let w = world().await;
    let id = server(&w).await;
    let base = format!("/servers/{id}/backups");

    let created = w
        .call(
            "POST",
            &base,
            Some(
                json!({"name": "before update", "ignored": "*.log\r\ncache/", "is_locked": false}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.json);
    assert_eq!(created.json["status"], "pending");
    assert_eq!(created.json["adapter"], "wings");
    let backup = created.json["id"].as_str().expect("id").to_owned();
    let asked = w
        .wings
        .seen_at("POST", &format!("/api/servers/{id}/backup"));
    assert_eq!(asked.len(), 1);
    assert_eq!(
        asked[0].body,
        json!({"adapter": "wings", "uuid": backup, "ignore": "*.log\ncache/"})
    );

    let reported = w
        .remote(
            "POST",
            &format!("/api/remote/backups/{backup}"),
            Some(success()),
        )
        .await;
    assert_eq!(reported.status, StatusCode::NO_CONTENT, "{}", reported.json);
    let list = w.call("GET", &base, None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    assert_eq!(list.json["backup_limit"], 3);
    assert_eq!(list.json["counted"], 1);
    let item = &list.json["items"][0];
    assert_eq!(item["status"], "completed");
    assert_eq!(item["is_successful"], true);
    assert_eq!(item["checksum"], "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3");
    assert_eq!(item["size_bytes"], 1234);
    assert!(item["completed_at"].is_string());
    let published = events_named(&w, "server.backup").await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["data"]["backup_id"], backup.as_str());
    assert_eq!(published[0]["data"]["status"], "completed");

    let locked = w
        .call("POST", &format!("{base}/{backup}/lock"), Some(json!({})))
        .await;
    assert_eq!(locked.status, StatusCode::OK, "{}", locked.json);
    assert_eq!(locked.json["is_locked"], true);
    let refused = w.call("DELETE", &format!("{base}/{backup}"), None).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.json);
    assert_eq!(refused.json["error"]["code"], "backup_locked");
    assert!(
        w.wings
            .seen_at("DELETE", &format!("/api/servers/{id}/backup/{backup}"))
            .is_empty()
    );
    let unlocked = w
        .call("POST", &format!("{base}/{backup}/unlock"), Some(json!({})))
        .await;
    assert_eq!(unlocked.json["is_locked"], false, "{}", unlocked.json);

    let restoring = w
        .call(
            "POST",
            &format!("{base}/{backup}/restore"),
            Some(json!({"truncate": true})),
        )
        .await;
    assert_eq!(restoring.status, StatusCode::ACCEPTED, "{}", restoring.json);
    assert_eq!(restoring.json["status"], "restoring");
    let asked = w.wings.seen_at(
        "POST",
        &format!("/api/servers/{id}/backup/{backup}/restore"),
    );
    assert_eq!(
        asked[0].body,
        json!({"adapter": "wings", "truncate_directory": true})
    );
    let shown = w.call("GET", &format!("/servers/{id}"), None).await;
    assert_eq!(shown.json["server"]["status"], "restoring_backup");
    let again = w
        .call("POST", &format!("{base}/{backup}/restore"), Some(json!({})))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.json);
    let done = w
        .remote(
            "POST",
            &format!("/api/remote/backups/{backup}/restore"),
            Some(json!({"successful": true})),
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.json);
    let shown = w.call("GET", &format!("{base}/{backup}"), None).await;
    assert_eq!(shown.json["status"], "completed", "{}", shown.json);
    let server_now = w.call("GET", &format!("/servers/{id}"), None).await;
    assert_eq!(server_now.json["server"]["status"], Value::Null);
    let restored = events_named(&w, "server.backup_restore").await;
    assert_eq!(restored.len(), 1);
    assert_eq!(restored[0]["data"]["successful"], true);

    let download = w
        .call("GET", &format!("{base}/{backup}/download"), None)
        .await;
    assert_eq!(download.status, StatusCode::OK, "{}", download.json);
    let url = download.json["url"].as_str().expect("url");
    assert!(url.contains("/download/backup?token="), "{url}");
    let claims = claims_of(url);
    assert_eq!(claims["scope"], "backup-download");
    assert_eq!(claims["backup_uuid"], backup.as_str());
    assert_eq!(claims["server_uuid"], id.as_str());
    assert_eq!(claims["user_uuid"], w.owner_id.as_str());
    let second = w
        .call("GET", &format!("{base}/{backup}/download"), None)
        .await;
    assert_ne!(
        claims_of(second.json["url"].as_str().expect("url"))["unique_id"],
        claims["unique_id"],
        "each URL is its own single-use token"
    );

    let deleted = w.call("DELETE", &format!("{base}/{backup}"), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.json);
    assert_eq!(
        w.wings
            .seen_at("DELETE", &format!("/api/servers/{id}/backup/{backup}"))
            .len(),
        1
    );
    let gone = w.call("GET", &format!("{base}/{backup}"), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_burst_of_concurrent_creates_never_passes_the_limit() {
    let w = world().await;
    let id = server(&w).await;
    let build = w
        .call(
            "PUT",
            &format!("/servers/{id}/build"),
            Some(json!({"memory": 1024, "swap": 0, "disk": 2048, "io": 500, "cpu": 100, "backup_limit": 2})),
        )
        .await;
    assert_eq!(build.status, StatusCode::OK, "{}", build.json);
    assert_eq!(build.json["limits"]["backup_limit"], 2, "{}", build.json);
    // Wings answers slowly, so every create is in flight at once.
    w.wings.slow(
        "POST",
        &format!("/api/servers/{id}/backup"),
        Duration::from_millis(200),
    );
    let path = format!("/api/orgs/{}/servers/{id}/backups", w.org);
    let burst = (0..8).map(|i| {
        send(
            &w.platform,
            api(
                "POST",
                &path,
                Some(&w.owner),
                Some(json!({"name": format!("b{i}")})),
            ),
        )
    });
    let replies = futures_util::future::join_all(burst).await;
    let accepted = replies
        .iter()
        .filter(|r| r.status == StatusCode::ACCEPTED)
        .count();
    assert_eq!(
        accepted,
        2,
        "{:?}",
        replies.iter().map(|r| &r.json).collect::<Vec<_>>()
    );
    for r in replies.iter().filter(|r| r.status != StatusCode::ACCEPTED) {
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
        assert_eq!(r.json["error"]["code"], "backup_limit_reached");
    }
    let list = w.call("GET", &format!("/servers/{id}/backups"), None).await;
    assert_eq!(list.json["items"].as_array().expect("items").len(), 2);

    // A failed backup does not count.
    let first = list.json["items"][0]["id"].as_str().expect("id").to_owned();
    let failed = w
        .remote(
            "POST",
            &format!("/api/remote/backups/{first}"),
            Some(json!({"checksum": "", "checksum_type": "", "size": 0, "successful": false, "parts": null})),
        )
        .await;
    assert_eq!(failed.status, StatusCode::NO_CONTENT);
    let another = w
        .call("POST", &format!("/servers/{id}/backups"), Some(json!({})))
        .await;
    assert_eq!(another.status, StatusCode::ACCEPTED, "{}", another.json);
}

#[tokio::test]
async fn a_refusing_node_fails_the_backup_and_the_answer_names_it() {
    let w = world().await;
    let id = server(&w).await;
    w.wings.answer(
        "POST",
        &format!("/api/servers/{id}/backup"),
        500,
        json!({"error": "disk full"}),
    );
    let created = w
        .call("POST", &format!("/servers/{id}/backups"), Some(json!({})))
        .await;
    assert_eq!(created.status, StatusCode::BAD_GATEWAY, "{}", created.json);
    assert_eq!(created.json["error"]["code"], "node_refused");
    let message = created.json["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("node-1") && message.contains("disk full"),
        "{message}"
    );
    let list = w.call("GET", &format!("/servers/{id}/backups"), None).await;
    let item = &list.json["items"][0];
    assert_eq!(item["status"], "failed", "{}", list.json);
    assert!(item["error"].as_str().expect("error").contains("disk full"));
    assert_eq!(list.json["counted"], 0);
    let published = events_named(&w, "server.backup").await;
    assert_eq!(published[0]["data"]["status"], "failed");
}

#[tokio::test]
async fn a_report_before_the_create_call_returns_is_kept() {
    let w = world().await;
    let id = server(&w).await;
    w.wings.slow(
        "POST",
        &format!("/api/servers/{id}/backup"),
        Duration::from_millis(500),
    );
    let path = format!("/api/orgs/{}/servers/{id}/backups", w.org);
    let create = tokio::spawn({
        let platform = w.platform.clone();
        let owner = w.owner.clone();
        async move { send(&platform, api("POST", &path, Some(&owner), Some(json!({})))).await }
    });
    // The row is committed before Wings is asked: it shows while Wings works.
    let mut backup = None;
    for _ in 0..100 {
        let list = w.call("GET", &format!("/servers/{id}/backups"), None).await;
        if let Some(b) = list.json["items"][0]["id"].as_str() {
            backup = Some(b.to_owned());
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let backup = backup.expect("the row exists before Wings answers");
    let reported = w
        .remote(
            "POST",
            &format!("/api/remote/backups/{backup}"),
            Some(success()),
        )
        .await;
    assert_eq!(reported.status, StatusCode::NO_CONTENT, "{}", reported.json);
    let created = create.await.expect("joins");
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.json);
    assert_eq!(created.json["status"], "completed", "{}", created.json);
    let shown = w
        .call("GET", &format!("/servers/{id}/backups/{backup}"), None)
        .await;
    assert_eq!(shown.json["status"], "completed");
}

#[tokio::test]
async fn duplicate_late_and_foreign_reports_never_lose_the_status() {
    let w = world().await;
    let id = server(&w).await;
    let created = w
        .call("POST", &format!("/servers/{id}/backups"), Some(json!({})))
        .await;
    let backup = created.json["id"].as_str().expect("id").to_owned();

    // Never reported: failed after the timeout, when backups are read.
    let before = last_event_id(&w).await;
    w.clock.advance_ms(6 * 3600 * 1000 + 1);
    let shown = w
        .call("GET", &format!("/servers/{id}/backups/{backup}"), None)
        .await;
    assert_eq!(shown.json["status"], "failed", "{}", shown.json);
    assert_eq!(shown.json["error"], "timeout");
    let published = events_since(&w, before, "server.backup").await;
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0]["data"]["error"], "timeout");

    // Another node may not report on it.
    let other = w
        .call(
            "POST",
            "/nodes",
            Some(json!({"name": "node-2", "fqdn": "127.0.0.2", "scheme": "http", "daemon_port": 8080})),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.json);
    let other_id = other.json["id"].as_str().expect("id");
    let config = config_json(&w.platform, &w.owner, &w.org, other_id).await;
    let bearer = format!(
        "Bearer {}.{}",
        config["config"]["token_id"].as_str().expect("token_id"),
        config["config"]["token"].as_str().expect("token")
    );
    let mut foreign = crate::common::with_body(
        "POST",
        &format!("/api/remote/backups/{backup}"),
        success().to_string(),
    );
    foreign
        .headers_mut()
        .insert("authorization", bearer.parse().expect("header"));
    let refused = send(&w.platform, foreign).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.json);
    assert_eq!(refused.json["errors"][0]["code"], "backup_of_another_node");

    // A late report is still the truth.
    let late = w
        .remote(
            "POST",
            &format!("/api/remote/backups/{backup}"),
            Some(success()),
        )
        .await;
    assert_eq!(late.status, StatusCode::NO_CONTENT, "{}", late.json);
    let shown = w
        .call("GET", &format!("/servers/{id}/backups/{backup}"), None)
        .await;
    assert_eq!(shown.json["status"], "completed", "{}", shown.json);
    assert_eq!(shown.json["error"], Value::Null);

    // A duplicate (here a contradicting one) changes nothing, and is acknowledged.
    let duplicate = w
        .remote(
            "POST",
            &format!("/api/remote/backups/{backup}"),
            Some(json!({"checksum": "", "checksum_type": "", "size": 0, "successful": false, "parts": null})),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::NO_CONTENT);
    let shown = w
        .call("GET", &format!("/servers/{id}/backups/{backup}"), None)
        .await;
    assert_eq!(shown.json["status"], "completed");
    assert_eq!(shown.json["size_bytes"], 1234);
    let unknown = w
        .remote(
            "POST",
            "/api/remote/backups/00000000-0000-4000-8000-00000000000f",
            Some(success()),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_requests_are_4xx_and_s3_needs_configuring() {
    let w = world().await;
    let id = server(&w).await;
    let base = format!("/servers/{id}/backups");
    let s3 = w.call("POST", &base, Some(json!({"adapter": "s3"}))).await;
    assert_eq!(s3.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s3.json);
    assert!(s3.json["error"]["fields"]["adapter"].is_string());
    let odd = w
        .call("POST", &base, Some(json!({"name": "x", "color": "red"})))
        .await;
    assert!(odd.status.is_client_error(), "{}", odd.json);
    let long = w
        .call("POST", &base, Some(json!({"name": "n".repeat(300)})))
        .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    let created = w.call("POST", &base, Some(json!({}))).await;
    let backup = created.json["id"].as_str().expect("id").to_owned();
    for (method, tail) in [("GET", "/download"), ("POST", "/restore")] {
        let reply = w
            .call(
                method,
                &format!("{base}/{backup}{tail}"),
                (method == "POST").then(|| json!({})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{tail}: {}", reply.json);
        assert_eq!(reply.json["error"]["code"], "backup_not_ready");
    }
    let busy = w.call("DELETE", &format!("{base}/{backup}"), None).await;
    assert_eq!(busy.json["error"]["code"], "backup_busy");
    let parts = w
        .remote(
            "GET",
            &format!("/api/remote/backups/{backup}?size=10"),
            None,
        )
        .await;
    assert_eq!(parts.status, StatusCode::BAD_REQUEST, "{}", parts.json);
    let missing = w.call("GET", &format!("{base}/not-a-uuid"), None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_restore_cut_short_by_a_wings_restart_frees_the_backup() {
    let w = world().await;
    let id = server(&w).await;
    let base = format!("/servers/{id}/backups");
    let created = w.call("POST", &base, Some(json!({}))).await;
    let backup = created.json["id"].as_str().expect("id").to_owned();
    w.remote(
        "POST",
        &format!("/api/remote/backups/{backup}"),
        Some(success()),
    )
    .await;
    let restoring = w
        .call("POST", &format!("{base}/{backup}/restore"), Some(json!({})))
        .await;
    assert_eq!(restoring.status, StatusCode::ACCEPTED, "{}", restoring.json);
    // Wings restarts and never reports the restore; after boot it resets its servers.
    let reset = w
        .remote("POST", "/api/remote/servers/reset", Some(Value::Null))
        .await;
    assert!(reset.status.is_success(), "{}", reset.json);
    let shown = w.call("GET", &format!("{base}/{backup}"), None).await;
    assert_eq!(shown.json["status"], "completed", "{}", shown.json);
    let again = w
        .call("POST", &format!("{base}/{backup}/restore"), Some(json!({})))
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.json);
}
