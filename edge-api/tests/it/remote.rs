//! The remote API Wings calls: node authentication with Wings' error body,
//! the paged boot list, one server's Go-typed settings, install, container
//! status, reset, activity and SFTP sign-in.

use std::collections::BTreeSet;

use axum::http::{StatusCode, header};
use serde_json::{Value, json};

use crate::common::{self, add_member, add_user, api, game::world, get, send};

#[tokio::test]
async fn node_auth_answers_like_wings_expects() {
    let w = world().await;
    let bare = send(&w.platform, get("/api/remote/servers")).await;
    assert_eq!(bare.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        bare.headers
            .get(header::WWW_AUTHENTICATE)
            .map(|v| v.to_str().ok()),
        Some(Some("Bearer"))
    );
    assert_eq!(bare.json["errors"][0]["status"], "401", "{}", bare.json);
    assert!(bare.json["errors"][0]["code"].is_string());
    assert!(bare.json["errors"][0]["detail"].is_string());

    for (bearer, status) in [
        ("Bearer no-dot-here".to_owned(), StatusCode::BAD_REQUEST),
        ("Basic abc.def".to_owned(), StatusCode::BAD_REQUEST),
        (
            format!("Bearer unknownunknown00.{}", w.token),
            StatusCode::FORBIDDEN,
        ),
        (
            format!("Bearer {}.{}x", w.token_id, w.token),
            StatusCode::FORBIDDEN,
        ),
        (format!("Bearer {}.", w.token_id), StatusCode::BAD_REQUEST),
    ] {
        let mut request = get("/api/remote/servers");
        request
            .headers_mut()
            .insert(header::AUTHORIZATION, bearer.parse().expect("header"));
        let reply = send(&w.platform, request).await;
        assert_eq!(reply.status, status, "{bearer}: {}", reply.json);
        assert_eq!(
            reply.json["errors"][0]["status"],
            status.as_u16().to_string()
        );
    }
    let ok = w.remote("GET", "/api/remote/servers", None).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
    // A user's API key is not a node's credential.
    let key = send(
        &w.platform,
        api(
            "POST",
            "/api/me/api-keys",
            Some(&w.owner),
            Some(json!({"name": "ci", "password": "correct horse battery"})),
        ),
    )
    .await;
    let mut request = get("/api/remote/servers");
    request.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {}", key.json["token"].as_str().expect("token"))
            .parse()
            .expect("header"),
    );
    assert!(send(&w.platform, request).await.status.is_client_error());
}

#[tokio::test]
async fn the_boot_list_pages_120_servers_each_exactly_once() {
    let w = world().await;
    let more = w
        .call(
            "POST",
            &format!("/nodes/{}/allocations", w.node_id),
            Some(json!({"ip": "0.0.0.0", "ports": ["30000-30119"]})),
        )
        .await;
    assert_eq!(more.status, StatusCode::CREATED, "{}", more.json);
    let mut created = BTreeSet::new();
    for i in 0..120 {
        let server = w.create_server(&format!("srv-{i:03}")).await;
        created.insert(server["server"]["id"].as_str().expect("id").to_owned());
    }
    // Wings asks for page 0 first: it is page 1.
    let first = w
        .remote("GET", "/api/remote/servers?page=0&per_page=50", None)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    let meta = &first.json["meta"];
    assert_eq!(meta["current_page"], 1);
    assert_eq!(meta["last_page"], 3);
    assert_eq!(meta["per_page"], 50);
    assert_eq!(meta["total"], 120);
    assert_eq!(meta["from"], 1);
    assert_eq!(meta["to"], 50);
    for field in [
        "current_page",
        "from",
        "last_page",
        "per_page",
        "to",
        "total",
    ] {
        assert!(
            meta[field].is_u64(),
            "{field} must be an unsigned int: {meta}"
        );
    }
    let mut seen = Vec::new();
    let mut collect = |page: &Value| {
        for entry in page["data"].as_array().expect("data") {
            seen.push(entry["uuid"].as_str().expect("uuid").to_owned());
            assert!(entry["settings"].is_object());
            assert!(entry["process_configuration"].is_object());
        }
    };
    collect(&first.json);
    // Then current_page + 1 ..= last_page.
    for page in 2..=3 {
        let reply = w
            .remote(
                "GET",
                &format!("/api/remote/servers?page={page}&per_page=50"),
                None,
            )
            .await;
        assert_eq!(reply.json["meta"]["current_page"], page);
        collect(&reply.json);
    }
    assert_eq!(seen.len(), 120, "every server once");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), created);
    // Past the end: empty, still well-formed.
    let past = w
        .remote("GET", "/api/remote/servers?page=9&per_page=50", None)
        .await;
    assert_eq!(past.json["data"], json!([]));
    assert_eq!(past.json["meta"]["from"], 0);
}

#[tokio::test]
async fn settings_carry_wings_go_types() {
    let w = world().await;
    let server = w.create_server("typed").await;
    let id = server["server"]["id"].as_str().expect("id");
    // Wings called back before it answered the create.
    let fetched = w
        .wings
        .callback(id)
        .expect("wings fetched the settings during create");
    let reply = w
        .remote("GET", &format!("/api/remote/servers/{id}"), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(fetched, reply.json);
    let s = &reply.json["settings"];
    assert!(s["id"].is_u64(), "id is an int: {s}");
    assert_eq!(s["uuid"], id);
    assert!(uuid_v4(id));
    assert_eq!(s["meta"]["name"], "typed");
    assert!(s["meta"]["description"].is_string());
    assert_eq!(s["suspended"], false);
    assert_eq!(s["skip_egg_scripts"], false);
    assert_eq!(
        s["invocation"],
        "java -Xmx{{SERVER_MEMORY}}M -jar {{SERVER_JARFILE}}"
    );
    for (key, value) in s["environment"].as_object().expect("environment") {
        assert!(
            value.is_string(),
            "environment.{key} must be a string: {value}"
        );
    }
    assert_eq!(s["environment"]["SERVER_JARFILE"], "paper.jar");
    assert_eq!(s["environment"]["BUILD_NUMBER"], "latest");
    assert!(s["labels"].is_object());
    let allocations = &s["allocations"];
    assert_eq!(allocations["force_outgoing_ip"], false);
    assert_eq!(allocations["default"]["ip"], "0.0.0.0");
    assert!(allocations["default"]["port"].is_u64());
    assert_eq!(
        allocations["mappings"]["0.0.0.0"][0],
        allocations["default"]["port"]
    );
    let build = &s["build"];
    for field in ["memory_limit", "swap", "cpu_limit", "disk_space"] {
        assert!(build[field].is_i64(), "build.{field} is an int64");
    }
    let io = build["io_weight"].as_u64().expect("io_weight uint16");
    assert!((10..=1000).contains(&io));
    assert!(build["threads"].is_string());
    assert_eq!(build["oom_killer"], true);
    assert!(s["mounts"].is_array());
    assert_eq!(
        s["egg"]["id"], w.egg_uuid,
        "egg.id is the egg's uuid string"
    );
    assert_eq!(s["egg"]["file_denylist"], json!(["*.jar.bak"]));
    for (_, v) in s["egg"]["features"].as_object().expect("features map") {
        assert!(v.is_array());
    }
    assert_eq!(
        s["container"]["image"],
        "ghcr.io/pelican-eggs/yolks:java_21"
    );
    let p = &reply.json["process_configuration"];
    assert!(p.is_object(), "never a string");
    assert!(p["startup"]["done"].is_array());
    assert!(p["stop"].is_object());
    let config = &p["configs"][0];
    assert_eq!(config["file"], "server.properties");
    assert_eq!(config["parser"], "properties");
    let port = allocations["default"]["port"]
        .as_u64()
        .expect("port")
        .to_string();
    let replaced: Vec<&Value> = config["replace"]
        .as_array()
        .expect("replace")
        .iter()
        .collect();
    assert!(
        replaced.iter().any(|r| r["replace_with"] == port.as_str()),
        "the port placeholder is filled: {config}"
    );
    // Another node's server, or none, is a 404 in Wings' format.
    let missing = w
        .remote(
            "GET",
            "/api/remote/servers/00000000-0000-4000-8000-000000000009",
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json["errors"][0]["status"], "404");
}

fn uuid_v4(id: &str) -> bool {
    id.len() == 36 && id.as_bytes()[14] == b'4'
}

#[tokio::test]
async fn install_script_status_container_state_and_reset() {
    let w = world().await;
    let server = w.create_server("installing").await;
    let id = server["server"]["id"].as_str().expect("id").to_owned();
    assert_eq!(server["server"]["status"], "installing");
    let script = w
        .remote("GET", &format!("/api/remote/servers/{id}/install"), None)
        .await;
    assert_eq!(
        script.json["container_image"],
        "ghcr.io/pelican-eggs/installers:alpine"
    );
    assert_eq!(script.json["entrypoint"], "ash");
    assert_eq!(script.json["script"], "#!/bin/ash\necho installing\n");

    let done = w
        .remote(
            "POST",
            &format!("/api/remote/servers/{id}/install"),
            Some(json!({"successful": false, "reinstall": false})),
        )
        .await;
    assert!(done.status.is_success(), "{}", done.json);
    let shown = w.call("GET", &format!("/servers/{id}"), None).await;
    assert_eq!(shown.json["server"]["status"], "install_failed");
    w.remote(
        "POST",
        &format!("/api/remote/servers/{id}/install"),
        Some(json!({"successful": false, "reinstall": true})),
    )
    .await;
    let shown = w.call("GET", &format!("/servers/{id}"), None).await;
    assert_eq!(shown.json["server"]["status"], "reinstall_failed");
    w.remote(
        "POST",
        &format!("/api/remote/servers/{id}/install"),
        Some(json!({"successful": true, "reinstall": true})),
    )
    .await;
    let shown = w.call("GET", &format!("/servers/{id}"), None).await;
    assert_eq!(shown.json["server"]["status"], Value::Null);
    assert!(shown.json["server"]["installed_at"].is_string());

    let state = w
        .remote(
            "POST",
            &format!("/api/remote/servers/{id}/container/status"),
            Some(json!({"data": {"previous_state": "offline", "new_state": "running"}})),
        )
        .await;
    assert!(state.status.is_success(), "{}", state.json);
    let list = w.call("GET", "/servers", None).await;
    assert_eq!(list.json["items"][0]["container_state"], "running");
    // Published live, for the list to follow without asking Wings.
    let events = w.call("GET", "/events?last_event_id=0", None).await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.json);
    let state = events.json["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["event"] == "server.state")
        .expect("a server.state event")
        .clone();
    assert_eq!(state["data"]["server_id"], id.as_str());
    assert_eq!(state["data"]["state"], "running");
    assert_eq!(state["data"]["previous_state"], "offline");
    let bad = w
        .remote(
            "POST",
            &format!("/api/remote/servers/{id}/container/status"),
            Some(json!({"data": {"previous_state": "running", "new_state": "exploded"}})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A server left installing when Wings restarted: reset makes it failed.
    let stuck = w.create_server("stuck").await;
    let stuck_id = stuck["server"]["id"].as_str().expect("id");
    let reset = w
        .remote("POST", "/api/remote/servers/reset", Some(Value::Null))
        .await;
    assert!(reset.status.is_success());
    let shown = w.call("GET", &format!("/servers/{stuck_id}"), None).await;
    assert_eq!(shown.json["server"]["status"], "install_failed");
    let archive = w
        .remote(
            "POST",
            &format!("/api/remote/servers/{id}/archive"),
            Some(json!({"successful": true})),
        )
        .await;
    assert!(archive.status.is_success(), "{}", archive.json);
    // Reports on a server that is not being transferred (transfers.rs has the rest).
    for outcome in ["success", "failure"] {
        let reply = w
            .remote(
                "POST",
                &format!("/api/remote/servers/{id}/transfer/{outcome}"),
                Some(Value::Null),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{outcome}");
        assert_eq!(reply.json["errors"][0]["code"], "not_transferring");
    }
}

#[tokio::test]
async fn activity_is_stored_with_wings_event_names() {
    let w = world().await;
    let server = w.create_server("busy").await;
    let id = server["server"]["id"].as_str().expect("id");
    let entries: Vec<Value> = (0..3)
        .map(|i| {
            json!({"user": w.owner_id, "server": id, "event": "server:power.start",
                   "metadata": {"n": i}, "ip": "192.0.2.4", "timestamp": "2026-11-22T10:00:00Z"})
        })
        .chain([json!({"user": null, "server": id, "event": "server:crashed", "metadata": {},
                       "ip": "", "timestamp": "2026-11-22T10:01:00Z"})])
        .chain([json!({"user": null, "server": "00000000-0000-4000-8000-00000000000a", "event": "server:crashed",
                       "metadata": {}, "ip": "", "timestamp": "2026-11-22T10:01:00Z"})])
        .collect();
    let reply = w
        .remote(
            "POST",
            "/api/remote/activity",
            Some(json!({"data": entries})),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.json);
    let rows = w
        .platform
        .db
        .run(edge_api::platform::db::Statement::new(
            "SELECT event, source, user_id, created_at FROM server_activity WHERE source = 'wings' ORDER BY created_at",
        ))
        .await
        .expect("rows")
        .rows;
    assert_eq!(rows.len(), 4, "the unknown server's entry is skipped");
    assert_eq!(rows[0]["event"], "server:power.start");
    assert_eq!(rows[3]["event"], "server:crashed");
    assert_eq!(rows[3]["user_id"], Value::Null);
    let too_many: Vec<Value> = (0..101)
        .map(|_| json!({"user": null, "server": id, "event": "server:crashed", "metadata": {}, "ip": "", "timestamp": "2026-11-22T10:01:00Z"}))
        .collect();
    let reply = w
        .remote(
            "POST",
            "/api/remote/activity",
            Some(json!({"data": too_many})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn sftp(
    w: &common::game::World,
    kind: &str,
    username: &str,
    password: &str,
    ip: &str,
) -> common::Reply {
    w.remote(
        "POST",
        "/api/remote/sftp/auth",
        Some(
            json!({"type": kind, "username": username, "password": password, "ip": ip,
                    "session_id": "abc", "client_version": "SSH-2.0-OpenSSH_9.6"}),
        ),
    )
    .await
}

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIONMqfAUefYTlvRLearIYl4yGQLAxicfuntld4KoOCzW ada@laptop";

#[tokio::test]
async fn sftp_auth_by_password_key_and_permission() {
    let w = world().await;
    let server = w.create_server("files").await;
    let id = server["server"]["id"].as_str().expect("id").to_owned();
    let short = server["server"]["short_id"]
        .as_str()
        .expect("short")
        .to_owned();
    let owner_name = format!("ada@example.com.{short}");

    let ok = sftp(
        &w,
        "password",
        &owner_name,
        "correct horse battery",
        "192.0.2.9:50000",
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
    assert_eq!(
        ok.json,
        json!({"server": id, "user": w.owner_id, "permissions": ["*"]})
    );

    let wrong = sftp(
        &w,
        "password",
        &owner_name,
        "wrong horse battery",
        "192.0.2.9:50000",
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let unknown_server = sftp(
        &w,
        "password",
        "ada@example.com.zzzzzzzz",
        "correct horse battery",
        "192.0.2.9:1",
    )
    .await;
    assert_eq!(unknown_server.status, StatusCode::FORBIDDEN);
    let bad_name = sftp(
        &w,
        "password",
        "ada",
        "correct horse battery",
        "192.0.2.9:1",
    )
    .await;
    assert!(bad_name.status.is_client_error());

    // A public key registered to the user.
    let added = send(
        &w.platform,
        api(
            "POST",
            "/api/me/ssh-keys",
            Some(&w.owner),
            Some(json!({"name": "laptop", "public_key": KEY})),
        ),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    let by_key = sftp(
        &w,
        "public_key",
        &owner_name,
        &format!("{KEY}\n"),
        "192.0.2.9:50001",
    )
    .await;
    assert_eq!(by_key.status, StatusCode::OK, "{}", by_key.json);
    let other_key =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMZFfjTeUYQ2ux4nJizYRzXqhmeLM9EH8tg8oogmes2j eve@evil";
    let refused = sftp(
        &w,
        "public_key",
        &owner_name,
        &format!("{other_key}\n"),
        "192.0.2.9:50001",
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Subusers: with file.sftp they get their permissions, without it they are refused.
    for (email, perms, expected) in [
        (
            "sam@example.com",
            json!(["file.sftp", "file.read"]),
            StatusCode::OK,
        ),
        (
            "nia@example.com",
            json!(["file.read", "file.update"]),
            StatusCode::FORBIDDEN,
        ),
    ] {
        add_user(&w.platform, email, email).await;
        let sub = w
            .call(
                "POST",
                &format!("/servers/{id}/subusers"),
                Some(json!({"email": email, "permissions": perms})),
            )
            .await;
        assert_eq!(sub.status, StatusCode::CREATED, "{}", sub.json);
        let reply = sftp(
            &w,
            "password",
            &format!("{email}.{short}"),
            "correct horse battery",
            "192.0.2.10:2",
        )
        .await;
        assert_eq!(reply.status, expected, "{email}: {}", reply.json);
        if expected == StatusCode::OK {
            assert_eq!(reply.json["permissions"], json!(["file.read", "file.sftp"]));
        }
    }
    // A viewer of the organization may not SFTP (it writes files).
    let viewer = add_user(&w.platform, "Vic", "vic@example.com").await;
    add_member(&w.platform, &w.org_id, &viewer, "viewer").await;
    let reply = sftp(
        &w,
        "password",
        &format!("vic@example.com.{short}"),
        "correct horse battery",
        "192.0.2.11:2",
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sftp_guessing_is_throttled_per_server_and_ip() {
    let w = world().await;
    let server = w.create_server("guarded").await;
    let short = server["server"]["short_id"]
        .as_str()
        .expect("short")
        .to_owned();
    let name = format!("ada@example.com.{short}");
    for _ in 0..10 {
        let reply = sftp(
            &w,
            "password",
            &name,
            "wrong horse battery",
            "198.51.100.7:4000",
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
    }
    let limited = sftp(
        &w,
        "password",
        &name,
        "correct horse battery",
        "198.51.100.7:4001",
    )
    .await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.json
    );
    // Another IP is not held back.
    let other = sftp(
        &w,
        "password",
        &name,
        "correct horse battery",
        "198.51.100.8:4000",
    )
    .await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.json);
}
