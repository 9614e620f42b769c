//! Server transfers (issue 13) between two fake Wings nodes: the body the
//! source is sent (and the destination's JWT in it), the destination's view
//! of the server, success moving it and failure restoring it, reports from
//! the wrong node, duplicates and late reports, cancel, Wings refusing,
//! field errors, and one allocation under a burst of transfers.

use axum::http::{StatusCode, header};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::common::{
    Reply, api,
    game::{World, config_json, world},
    get, send,
    wings::FakeWings,
    with_body,
};

/// Another node of the world's organization, on its own fake Wings.
struct Node {
    wings: FakeWings,
    id: String,
    token_id: String,
    token: String,
    port: u16,
    /// Its allocations (ports 30000-30005), by port.
    allocations: Vec<String>,
}

async fn add_node(w: &World, name: &str) -> Node {
    let (wings, port) = FakeWings::start().await;
    let node = w
        .call(
            "POST",
            "/nodes",
            Some(json!({"name": name, "fqdn": "127.0.0.1", "scheme": "http", "daemon_port": port})),
        )
        .await;
    assert_eq!(node.status, StatusCode::CREATED, "{}", node.json);
    let id = node.json["id"].as_str().expect("id").to_owned();
    let config = config_json(&w.platform, &w.owner, &w.org, &id).await;
    let token_id = config["config"]["token_id"]
        .as_str()
        .expect("token_id")
        .to_owned();
    let token = config["config"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    wings.connect(&w.platform, &token_id, &token);
    let added = w
        .call(
            "POST",
            &format!("/nodes/{id}/allocations"),
            Some(json!({"ip": "0.0.0.0", "ports": ["30000-30005"]})),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    let allocations = allocations_of(w, &id)
        .await
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect();
    Node {
        wings,
        id,
        token_id,
        token,
        port,
        allocations,
    }
}

async fn allocations_of(w: &World, node: &str) -> Vec<Value> {
    let list = w
        .call("GET", &format!("/nodes/{node}/allocations"), None)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    list.json.as_array().expect("allocations").clone()
}

async fn holder(w: &World, node: &str, allocation: &str) -> Value {
    allocations_of(w, node)
        .await
        .into_iter()
        .find(|a| a["id"] == allocation)
        .expect("allocation")["server_id"]
        .clone()
}

/// A request to the remote API as `token_id.token`.
async fn remote_as(w: &World, token_id: &str, token: &str, method: &str, path: &str) -> Reply {
    let mut request = if method == "GET" {
        get(path)
    } else {
        with_body(method, path, "null")
    };
    request.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {token_id}.{token}")
            .parse()
            .expect("header"),
    );
    send(&w.platform, request).await
}

/// An installed server on the world's node.
async fn installed(w: &World, name: &str) -> String {
    let created = w.create_server(name).await;
    let id = created["server"]["id"].as_str().expect("id").to_owned();
    let done = w
        .remote(
            "POST",
            &format!("/api/remote/servers/{id}/install"),
            Some(json!({"successful": true, "reinstall": false})),
        )
        .await;
    assert!(done.status.is_success(), "{}", done.json);
    id
}

async fn transfer(w: &World, server: &str, body: Value) -> Reply {
    w.call("POST", &format!("/servers/{server}/transfer"), Some(body))
        .await
}

/// Checks the HS256 signature with `key` (as the destination does) and returns the claims.
fn verify(jwt: &str, key: &str) -> Option<Value> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, p, s] = parts.as_slice() else {
        return None;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(format!("{h}.{p}").as_bytes());
    mac.verify_slice(&URL_SAFE_NO_PAD.decode(s).ok()?).ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()
}

async fn events_named(w: &World, name: &str) -> Vec<Value> {
    let events = w.call("GET", "/events?last_event_id=0", None).await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.json);
    events.json["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["event"] == name)
        .cloned()
        .collect()
}

async fn activity(w: &World, server: &str) -> Vec<String> {
    let log = w
        .call("GET", &format!("/servers/{server}/activity"), None)
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.json);
    log.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["event"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_transfer_moves_the_server_once_the_destination_reports_success() {
    let w = world().await;
    let dest = add_node(&w, "node-2").await;
    let id = installed(&w, "moving").await;
    let before = w.call("GET", &format!("/servers/{id}"), None).await;
    let old_allocation = before.json["server"]["allocation"]["id"]
        .as_str()
        .expect("allocation")
        .to_owned();
    // A backup on the source's disk goes along.
    let backup = w
        .call("POST", &format!("/servers/{id}/backups"), Some(json!({})))
        .await;
    assert_eq!(backup.status, StatusCode::ACCEPTED, "{}", backup.json);
    let backup = backup.json["id"].as_str().expect("backup").to_owned();
    let done = w
        .remote(
            "POST",
            &format!("/api/remote/backups/{backup}"),
            Some(json!({"checksum": "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", "checksum_type": "sha1",
                        "size": 10, "successful": true, "parts": null})),
        )
        .await;
    assert!(done.status.is_success(), "{}", done.json);

    let new_default = dest.allocations[2].clone();
    let extra = dest.allocations[3].clone();
    let started = transfer(
        &w,
        &id,
        json!({"node_id": dest.id, "allocation_id": new_default, "additional_allocation_ids": [extra]}),
    )
    .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    assert_eq!(started.json["status"], "pending");
    assert_eq!(started.json["old_node_id"], w.node_id.as_str());
    assert_eq!(started.json["new_allocation_id"], new_default.as_str());
    // Both new allocations are the server's at once: nobody else can take them.
    assert_eq!(holder(&w, &dest.id, &new_default).await, id.as_str());
    assert_eq!(holder(&w, &dest.id, &extra).await, id.as_str());

    // The source was asked, as Wings' serverTransferRequest reads it.
    let asked = w
        .wings
        .seen_at("POST", &format!("/api/servers/{id}/transfer"));
    assert_eq!(asked.len(), 1);
    let body = &asked[0].body;
    assert_eq!(
        body["url"],
        format!("http://127.0.0.1:{}/api/transfers", dest.port)
    );
    assert_eq!(body["backups"], json!([backup]));
    assert_eq!(
        body["server"],
        json!({"uuid": id, "start_on_completion": false})
    );
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["backups", "server", "token", "url"]);
    let token = body["token"].as_str().expect("token");
    let jwt = token
        .strip_prefix("Bearer ")
        .expect("sent verbatim: Bearer …");
    assert!(
        verify(jwt, &w.token).is_none(),
        "not signed with the source's token"
    );
    let claims = verify(jwt, &dest.token).expect("signed with the destination's token");
    assert_eq!(claims["sub"], id.as_str());
    assert_eq!(claims["scope"], "transfer");
    assert!(claims["exp"].is_u64() && claims["iat"].is_u64());
    assert!(
        dest.wings.seen().is_empty(),
        "the panel never calls the destination"
    );

    // The destination fetches the server with its new allocations only.
    let seen_by_dest = remote_as(
        &w,
        &dest.token_id,
        &dest.token,
        "GET",
        &format!("/api/remote/servers/{id}"),
    )
    .await;
    assert_eq!(seen_by_dest.status, StatusCode::OK, "{}", seen_by_dest.json);
    let allocations = &seen_by_dest.json["settings"]["allocations"];
    assert_eq!(allocations["default"]["port"], 30002);
    assert_eq!(allocations["mappings"], json!({"0.0.0.0": [30002, 30003]}));
    let seen_by_source = w
        .remote("GET", &format!("/api/remote/servers/{id}"), None)
        .await;
    assert_eq!(
        seen_by_source.json["settings"]["allocations"]["mappings"],
        json!({"0.0.0.0": [25565]})
    );

    // Only the destination reports success, only the source failure.
    let path = |o: &str| format!("/api/remote/servers/{id}/transfer/{o}");
    let wrong = w.remote("POST", &path("success"), Some(Value::Null)).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.json);
    assert_eq!(wrong.json["errors"][0]["code"], "transfer_of_another_node");
    let wrong = remote_as(&w, &dest.token_id, &dest.token, "POST", &path("failure")).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.json);
    let third = add_node(&w, "node-3").await;
    let wrong = remote_as(&w, &third.token_id, &third.token, "POST", &path("success")).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.json);
    let still = w
        .call("GET", &format!("/servers/{id}/transfer"), None)
        .await;
    assert_eq!(still.json["transfer"]["status"], "pending");

    let ok = remote_as(&w, &dest.token_id, &dest.token, "POST", &path("success")).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.json);
    let after = w.call("GET", &format!("/servers/{id}"), None).await;
    assert_eq!(after.json["server"]["node_id"], dest.id.as_str());
    assert_eq!(
        after.json["server"]["allocation"]["id"],
        new_default.as_str()
    );
    assert_eq!(after.json["server"]["allocation"]["port"], 30002);
    assert_eq!(holder(&w, &w.node_id, &old_allocation).await, Value::Null);
    assert_eq!(holder(&w, &dest.id, &extra).await, id.as_str());
    // The old node is told to delete its copy; the backup now lives on the new node.
    assert_eq!(
        w.wings
            .seen_at("DELETE", &format!("/api/servers/{id}"))
            .len(),
        1
    );
    let backups = w.call("GET", &format!("/servers/{id}/backups"), None).await;
    assert_eq!(backups.json["items"][0]["status"], "completed");
    let download = w
        .call(
            "GET",
            &format!("/servers/{id}/backups/{backup}/download"),
            None,
        )
        .await;
    assert!(
        download.json["url"]
            .as_str()
            .expect("url")
            .starts_with(&format!("http://127.0.0.1:{}/download/backup", dest.port)),
        "{}",
        download.json
    );
    // The destination now lists it at boot, the source no longer does.
    let boot = remote_as(
        &w,
        &dest.token_id,
        &dest.token,
        "GET",
        "/api/remote/servers",
    )
    .await;
    assert_eq!(boot.json["meta"]["total"], 1);
    let boot = w.remote("GET", "/api/remote/servers", None).await;
    assert_eq!(boot.json["meta"]["total"], 0);

    let events = events_named(&w, "server.transfer").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["data"]["status"], "completed");
    assert_eq!(events[0]["data"]["new_node_id"], dest.id.as_str());
    let log = activity(&w, &id).await;
    assert!(log.contains(&"server:transfer.start".to_owned()), "{log:?}");
    assert!(
        log.contains(&"server:transfer.completed".to_owned()),
        "{log:?}"
    );

    // A duplicate success changes nothing; a late failure cannot undo it.
    let again = remote_as(&w, &dest.token_id, &dest.token, "POST", &path("success")).await;
    assert_eq!(again.status, StatusCode::NO_CONTENT, "{}", again.json);
    let late = w.remote("POST", &path("failure"), Some(Value::Null)).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.json);
    assert_eq!(late.json["errors"][0]["code"], "transfer_settled");
    let after = w.call("GET", &format!("/servers/{id}"), None).await;
    assert_eq!(after.json["server"]["node_id"], dest.id.as_str());
    assert_eq!(holder(&w, &dest.id, &new_default).await, id.as_str());
    assert_eq!(events_named(&w, "server.transfer").await.len(), 1);
    assert_eq!(
        w.wings
            .seen_at("DELETE", &format!("/api/servers/{id}"))
            .len(),
        1
    );
}

#[tokio::test]
async fn a_failure_from_the_source_restores_the_server_and_a_late_success_cannot_undo_it() {
    let w = world().await;
    let dest = add_node(&w, "node-2").await;
    let id = installed(&w, "staying").await;
    let started = transfer(
        &w,
        &id,
        json!({"node_id": dest.id, "auto_allocation": true}),
    )
    .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    let picked = started.json["new_allocation_id"]
        .as_str()
        .expect("picked")
        .to_owned();
    assert_eq!(picked, dest.allocations[0]);
    assert_eq!(holder(&w, &dest.id, &picked).await, id.as_str());

    let path = |o: &str| format!("/api/remote/servers/{id}/transfer/{o}");
    let failed = w.remote("POST", &path("failure"), Some(Value::Null)).await;
    assert_eq!(failed.status, StatusCode::NO_CONTENT, "{}", failed.json);
    assert_eq!(holder(&w, &dest.id, &picked).await, Value::Null);
    let shown = w.call("GET", &format!("/servers/{id}"), None).await;
    assert_eq!(shown.json["server"]["node_id"], w.node_id.as_str());
    let status = w
        .call("GET", &format!("/servers/{id}/transfer"), None)
        .await;
    assert_eq!(status.json["transfer"]["status"], "failed");
    assert!(status.json["transfer"]["error"].is_string());

    // Twice: acknowledged, nothing changes.
    let again = w.remote("POST", &path("failure"), Some(Value::Null)).await;
    assert_eq!(again.status, StatusCode::NO_CONTENT, "{}", again.json);
    // The destination, late: refused, the server stays.
    let late = remote_as(&w, &dest.token_id, &dest.token, "POST", &path("success")).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.json);
    assert_eq!(late.json["errors"][0]["code"], "transfer_settled");
    let shown = w.call("GET", &format!("/servers/{id}"), None).await;
    assert_eq!(shown.json["server"]["node_id"], w.node_id.as_str());
    assert_eq!(holder(&w, &dest.id, &picked).await, Value::Null);
    assert!(
        w.wings
            .seen_at("DELETE", &format!("/api/servers/{id}"))
            .is_empty()
    );
    let events = events_named(&w, "server.transfer").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["data"]["status"], "failed");
    assert!(
        activity(&w, &id)
            .await
            .contains(&"server:transfer.failed".to_owned())
    );

    // The allocation is free for a new transfer.
    let retried = transfer(
        &w,
        &id,
        json!({"node_id": dest.id, "allocation_id": picked}),
    )
    .await;
    assert_eq!(retried.status, StatusCode::ACCEPTED, "{}", retried.json);
    assert_eq!(holder(&w, &dest.id, &picked).await, id.as_str());
}

#[tokio::test]
async fn the_source_refusing_fails_the_transfer_at_once_and_frees_the_allocations() {
    let w = world().await;
    let dest = add_node(&w, "node-2").await;
    let id = installed(&w, "refused").await;
    w.wings.answer(
        "POST",
        &format!("/api/servers/{id}/transfer"),
        409,
        json!({"error": "A transfer is already in progress for this server."}),
    );
    let started = transfer(
        &w,
        &id,
        json!({"node_id": dest.id, "allocation_id": dest.allocations[1]}),
    )
    .await;
    assert_eq!(started.status, StatusCode::BAD_GATEWAY, "{}", started.json);
    assert_eq!(started.json["error"]["code"], "node_refused");
    assert!(
        started.json["error"]["message"]
            .as_str()
            .expect("message")
            .contains("already in progress")
    );
    assert_eq!(
        holder(&w, &dest.id, &dest.allocations[1]).await,
        Value::Null
    );
    let status = w
        .call("GET", &format!("/servers/{id}/transfer"), None)
        .await;
    assert_eq!(status.json["transfer"]["status"], "failed");
    let shown = w.call("GET", &format!("/servers/{id}"), None).await;
    assert_eq!(shown.json["server"]["node_id"], w.node_id.as_str());
}

#[tokio::test]
async fn cancelling_tells_the_source_and_restores() {
    let w = world().await;
    let dest = add_node(&w, "node-2").await;
    let id = installed(&w, "cancelled").await;
    let nothing = w
        .call("DELETE", &format!("/servers/{id}/transfer"), None)
        .await;
    assert_eq!(nothing.status, StatusCode::CONFLICT, "{}", nothing.json);
    assert_eq!(nothing.json["error"]["code"], "not_transferring");
    let started = transfer(
        &w,
        &id,
        json!({"node_id": dest.id, "allocation_id": dest.allocations[0]}),
    )
    .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    let cancelled = w
        .call("DELETE", &format!("/servers/{id}/transfer"), None)
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.json);
    assert_eq!(cancelled.json["status"], "cancelled");
    assert_eq!(
        w.wings
            .seen_at("DELETE", &format!("/api/servers/{id}/transfer"))
            .len(),
        1
    );
    assert_eq!(
        holder(&w, &dest.id, &dest.allocations[0]).await,
        Value::Null
    );
    // The source, its push stopped, reports failure: acknowledged, nothing changes.
    let reported = w
        .remote(
            "POST",
            &format!("/api/remote/servers/{id}/transfer/failure"),
            Some(Value::Null),
        )
        .await;
    assert_eq!(reported.status, StatusCode::NO_CONTENT, "{}", reported.json);
    let status = w
        .call("GET", &format!("/servers/{id}/transfer"), None)
        .await;
    assert_eq!(status.json["transfer"]["status"], "cancelled");
    assert!(
        activity(&w, &id)
            .await
            .contains(&"server:transfer.cancelled".to_owned())
    );

    // Wings answering that nothing is under way (it restarted) still cancels.
    let again = transfer(
        &w,
        &id,
        json!({"node_id": dest.id, "allocation_id": dest.allocations[0]}),
    )
    .await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.json);
    w.wings.answer(
        "DELETE",
        &format!("/api/servers/{id}/transfer"),
        409,
        json!({"error": "Server is not currently being transferred."}),
    );
    let cancelled = w
        .call("DELETE", &format!("/servers/{id}/transfer"), None)
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.json);
    assert_eq!(
        holder(&w, &dest.id, &dest.allocations[0]).await,
        Value::Null
    );
    // Wings refusing otherwise leaves it pending unless forced.
    let third = transfer(
        &w,
        &id,
        json!({"node_id": dest.id, "allocation_id": dest.allocations[0]}),
    )
    .await;
    assert_eq!(third.status, StatusCode::ACCEPTED, "{}", third.json);
    w.wings.answer(
        "DELETE",
        &format!("/api/servers/{id}/transfer"),
        500,
        json!({"error": "An unexpected error was encountered while processing this request"}),
    );
    let refused = w
        .call("DELETE", &format!("/servers/{id}/transfer"), None)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_GATEWAY, "{}", refused.json);
    let status = w
        .call("GET", &format!("/servers/{id}/transfer"), None)
        .await;
    assert_eq!(status.json["transfer"]["status"], "pending");
    let forced = w
        .call(
            "DELETE",
            &format!("/servers/{id}/transfer?force=true"),
            None,
        )
        .await;
    assert_eq!(forced.status, StatusCode::OK, "{}", forced.json);
    assert_eq!(forced.json["status"], "cancelled");
    assert!(
        dest.wings.seen().is_empty(),
        "the panel never calls the destination"
    );
}

#[tokio::test]
async fn bad_transfers_get_field_errors_and_busy_servers_409() {
    let w = world().await;
    let dest = add_node(&w, "node-2").await;
    let id = installed(&w, "checked").await;
    let other = installed(&w, "other").await;
    let field = |r: &Reply, name: &str| r.json["error"]["fields"][name].as_str().map(str::to_owned);

    let unknown = transfer(
        &w,
        &id,
        json!({"node_id": "00000000-0000-4000-8000-000000000009", "auto_allocation": true}),
    )
    .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.json
    );
    assert!(field(&unknown, "node_id").is_some(), "{}", unknown.json);
    let same = transfer(
        &w,
        &id,
        json!({"node_id": w.node_id, "auto_allocation": true}),
    )
    .await;
    assert_eq!(
        same.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        same.json
    );
    assert!(
        field(&same, "node_id")
            .expect("node_id")
            .contains("already")
    );
    let missing = transfer(&w, &id, json!({"node_id": dest.id})).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field(&missing, "allocation_id").is_some(),
        "{}",
        missing.json
    );
    let both = transfer(
        &w,
        &id,
        json!({"node_id": dest.id, "allocation_id": dest.allocations[0], "auto_allocation": true}),
    )
    .await;
    assert!(field(&both, "allocation_id").is_some(), "{}", both.json);
    // An allocation of the source node, and a duplicate in the extra list.
    let own = w.call("GET", &format!("/servers/{other}"), None).await;
    let own_allocation = own.json["server"]["allocation"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let wrong = transfer(
        &w,
        &id,
        json!({"node_id": dest.id, "allocation_id": own_allocation,
               "additional_allocation_ids": [dest.allocations[1], dest.allocations[1], "nope"]}),
    )
    .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.json
    );
    assert!(
        field(&wrong, "allocation_id")
            .expect("allocation_id")
            .contains("destination")
    );
    assert!(
        field(&wrong, "additional_allocation_ids.0").is_none(),
        "{}",
        wrong.json
    );
    assert!(
        field(&wrong, "additional_allocation_ids.1").is_some(),
        "{}",
        wrong.json
    );
    assert!(
        field(&wrong, "additional_allocation_ids.2").is_some(),
        "{}",
        wrong.json
    );
    let extra_field = transfer(
        &w,
        &id,
        json!({"node_id": dest.id, "auto_allocation": true, "force": true}),
    )
    .await;
    assert!(extra_field.status.is_client_error(), "{}", extra_field.json);

    // Maintenance.
    let paused = w
        .call(
            "PATCH",
            &format!("/nodes/{}", dest.id),
            Some(json!({"maintenance": true})),
        )
        .await;
    assert_eq!(paused.status, StatusCode::OK, "{}", paused.json);
    let maintenance = transfer(
        &w,
        &id,
        json!({"node_id": dest.id, "auto_allocation": true}),
    )
    .await;
    assert!(
        field(&maintenance, "node_id")
            .expect("node_id")
            .contains("maintenance")
    );
    let resumed = w
        .call(
            "PATCH",
            &format!("/nodes/{}", dest.id),
            Some(json!({"maintenance": false})),
        )
        .await;
    assert_eq!(resumed.status, StatusCode::OK, "{}", resumed.json);

    // Taken by another server.
    let first = transfer(
        &w,
        &other,
        json!({"node_id": dest.id, "allocation_id": dest.allocations[4]}),
    )
    .await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.json);
    let taken = transfer(
        &w,
        &id,
        json!({"node_id": dest.id, "allocation_id": dest.allocations[4]}),
    )
    .await;
    assert_eq!(
        taken.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        taken.json
    );
    assert!(
        field(&taken, "allocation_id")
            .expect("allocation_id")
            .contains("taken")
    );
    // Transferring already.
    let twice = transfer(
        &w,
        &other,
        json!({"node_id": dest.id, "allocation_id": dest.allocations[5]}),
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.json);
    assert_eq!(twice.json["error"]["code"], "transfer_in_progress");
    assert_eq!(
        holder(&w, &dest.id, &dest.allocations[5]).await,
        Value::Null
    );
    // Not installed yet.
    let fresh = w.create_server("fresh").await;
    let fresh = fresh["server"]["id"].as_str().expect("id");
    let installing = transfer(
        &w,
        fresh,
        json!({"node_id": dest.id, "auto_allocation": true}),
    )
    .await;
    assert_eq!(
        installing.status,
        StatusCode::CONFLICT,
        "{}",
        installing.json
    );
    assert_eq!(installing.json["error"]["code"], "server_not_installed");
    // Nothing of this reached Wings but the one transfer that started.
    assert_eq!(
        w.wings
            .seen()
            .iter()
            .filter(|s| s.path.ends_with("/transfer"))
            .count(),
        1
    );
}

#[tokio::test]
async fn only_admins_and_owners_transfer_and_cancel() {
    let w = world().await;
    let dest = add_node(&w, "node-2").await;
    let id = installed(&w, "guarded").await;
    let operator = crate::common::add_user(&w.platform, "Oper", "oper@example.com").await;
    crate::common::add_member(&w.platform, &w.org_id, &operator, "operator").await;
    let cookie = crate::common::sign_in_as(&w.platform, &operator).await;
    let as_operator = |method: &str, body: Option<Value>| {
        api(
            method,
            &format!("/api/orgs/{}/servers/{id}/transfer", w.org),
            Some(&cookie),
            body,
        )
    };
    let refused = send(
        &w.platform,
        as_operator(
            "POST",
            Some(json!({"node_id": dest.id, "auto_allocation": true})),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.json);
    let looked = send(&w.platform, as_operator("GET", None)).await;
    assert_eq!(looked.status, StatusCode::OK, "{}", looked.json);
    assert_eq!(looked.json["transfer"], Value::Null);
    let cancel = send(&w.platform, as_operator("DELETE", None)).await;
    assert_eq!(cancel.status, StatusCode::FORBIDDEN, "{}", cancel.json);
    assert!(
        w.wings
            .seen()
            .iter()
            .all(|s| !s.path.ends_with("/transfer"))
    );
}

/// The transfers at once, each on its own task.
async fn burst(w: &World, each: impl Iterator<Item = (String, Value)>) -> Vec<Reply> {
    let tasks: Vec<_> = each
        .map(|(id, body)| {
            let platform = w.platform.clone();
            let request = api(
                "POST",
                &format!("/api/orgs/{}/servers/{id}/transfer", w.org),
                Some(&w.owner),
                Some(body),
            );
            tokio::spawn(async move { send(&platform, request).await })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("task"));
    }
    replies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_transfers_assigns_each_allocation_to_one_server() {
    let w = world().await;
    let dest = add_node(&w, "node-2").await;
    let mut servers = Vec::new();
    for i in 0..6 {
        servers.push(installed(&w, &format!("burst-{i}")).await);
    }
    // Six servers want the same allocation at once: one gets it.
    let wanted = dest.allocations[0].clone();
    let replies = burst(
        &w,
        servers.iter().map(|id| {
            (
                id.clone(),
                json!({"node_id": dest.id, "allocation_id": wanted}),
            )
        }),
    )
    .await;
    let accepted: Vec<usize> = replies
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == StatusCode::ACCEPTED)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        accepted.len(),
        1,
        "{:?}",
        replies
            .iter()
            .map(|r| (r.status, r.json.clone()))
            .collect::<Vec<_>>()
    );
    for r in &replies {
        assert!(
            [
                StatusCode::ACCEPTED,
                StatusCode::CONFLICT,
                StatusCode::UNPROCESSABLE_ENTITY
            ]
            .contains(&r.status),
            "{} {}",
            r.status,
            r.json
        );
    }
    assert_eq!(
        holder(&w, &dest.id, &wanted).await,
        servers[accepted[0]].as_str()
    );
    // The other five pick automatically at once: five different free ones.
    let rest: Vec<&String> = servers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != accepted[0])
        .map(|(_, s)| s)
        .collect();
    let replies = burst(
        &w,
        rest.iter().map(|id| {
            (
                (*id).clone(),
                json!({"node_id": dest.id, "auto_allocation": true}),
            )
        }),
    )
    .await;
    let mut picked: Vec<String> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
            r.json["new_allocation_id"]
                .as_str()
                .expect("picked")
                .to_owned()
        })
        .collect();
    picked.sort();
    picked.dedup();
    assert_eq!(picked.len(), 5);
    for (id, allocation) in rest
        .iter()
        .zip(replies.iter().map(|r| r.json["new_allocation_id"].clone()))
    {
        let allocation = allocation.as_str().expect("id").to_owned();
        assert_eq!(holder(&w, &dest.id, &allocation).await, id.as_str());
    }
}
