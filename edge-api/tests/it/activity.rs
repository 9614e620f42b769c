//! A server's activity log: Flamingo's own entries and Wings' reports in one
//! list, newest first, filtered by event (exact or `prefix*`) and by user,
//! paginated with a total, and its query checked.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::game::world;

#[tokio::test]
async fn flamingo_actions_and_wings_reports_list_filtered_and_paginated() {
    let w = world().await;
    let created = w.create_server("logged").await;
    let id = created["server"]["id"].as_str().expect("id").to_owned();
    let entries: Vec<Value> = [
        ("server:power.start", "2026-11-22T10:00:00Z"),
        ("server:sftp.write", "2026-11-22T10:01:00Z"),
        ("server:sftp.delete", "2026-11-22T10:02:00Z"),
    ]
    .iter()
    .map(|(event, at)| {
        json!({"user": w.owner_id, "server": id, "event": event, "metadata": {"files": ["a"]},
               "ip": "192.0.2.9", "timestamp": at})
    })
    .chain([
        json!({"user": null, "server": id, "event": "server:crashed", "metadata": {},
                   "ip": "", "timestamp": "2026-11-22T10:03:00Z"}),
    ])
    .collect();
    let reply = w
        .remote(
            "POST",
            "/api/remote/activity",
            Some(json!({"data": entries})),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.json);
    // The rename happens after Wings' reports.
    w.clock.advance_ms(3_600_000);
    let renamed = w
        .call(
            "PATCH",
            &format!("/servers/{id}"),
            Some(json!({"name": "renamed"})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.json);

    let path = format!("/servers/{id}/activity");
    let all = w.call("GET", &path, None).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.json);
    assert_eq!(all.json["total"], 5);
    let items = all.json["items"].as_array().expect("items");
    assert_eq!(items[0]["event"], "server:settings.rename", "newest first");
    assert_eq!(items[0]["source"], "flamingo");
    assert_eq!(items[0]["user_name"], "Ada Owner");
    assert_eq!(items[1]["event"], "server:crashed");
    assert_eq!(items[1]["user_id"], Value::Null);
    assert_eq!(items[2]["metadata"]["files"][0], "a");

    let sftp = w
        .call("GET", &format!("{path}?event=server:sftp.*"), None)
        .await;
    assert_eq!(sftp.json["total"], 2, "{}", sftp.json);
    let one = w
        .call("GET", &format!("{path}?event=server:power.start"), None)
        .await;
    assert_eq!(one.json["total"], 1);
    assert_eq!(one.json["items"][0]["source"], "wings");
    let mine = w
        .call("GET", &format!("{path}?user_id={}", w.owner_id), None)
        .await;
    assert_eq!(mine.json["total"], 4, "the system event has no user");
    let page = w
        .call("GET", &format!("{path}?limit=2&offset=2"), None)
        .await;
    assert_eq!(page.json["items"].as_array().expect("items").len(), 2);
    assert_eq!(page.json["items"][0]["event"], "server:sftp.delete");
    assert_eq!(page.json["total"], 5);
    let past = w.call("GET", &format!("{path}?offset=10"), None).await;
    assert_eq!(past.json["total"], 5, "the total without rows");

    for (query, field) in [
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("user_id=x", "user_id"),
    ] {
        let reply = w.call("GET", &format!("{path}?{query}"), None).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(
            reply.json["error"]["fields"][field].is_string(),
            "{}",
            reply.json
        );
    }
}
