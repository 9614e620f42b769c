//! Nodes and allocations: validation, the token kept secret and sealed, the
//! configuration (config.yml parsing back with what Wings reads, the JSON
//! form for `wings configure`), token rotation, live system info, bulk
//! allocations with ranges.

use axum::http::{StatusCode, header};
use serde_json::{Value, json};

use crate::common::{
    add_member, add_user, api,
    game::{config_json, world},
    get, send, sign_in_as,
};

#[tokio::test]
async fn node_fields_are_checked_and_the_token_never_listed() {
    let w = world().await;
    let bad = w
        .call(
            "POST",
            "/nodes",
            Some(json!({"name": " ", "fqdn": "https://node.example.com/", "scheme": "ftp", "daemon_port": 70000, "sftp_port": 0, "upload_limit": 0})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.json);
    for field in [
        "name",
        "fqdn",
        "scheme",
        "daemon_port",
        "sftp_port",
        "upload_limit",
    ] {
        assert!(
            bad.json["error"]["fields"][field].is_string(),
            "{field}: {}",
            bad.json
        );
    }
    let shape = w
        .call(
            "POST",
            "/nodes",
            Some(json!({"name": "n", "fqdn": "a.example", "daemon_port": "8080"})),
        )
        .await;
    assert_eq!(shape.status, StatusCode::BAD_REQUEST);
    let list = w.call("GET", "/nodes", None).await;
    assert_eq!(list.status, StatusCode::OK);
    let node = &list.json[0];
    assert_eq!(node["name"], "node-1");
    assert_eq!(node["allocations"], 6);
    assert_eq!(node["allocations_used"], 0);
    assert!(node.get("token").is_none());
    assert!(
        !list.json.to_string().contains(&w.token),
        "the token is never listed"
    );
    let shown = w.call("GET", &format!("/nodes/{}", w.node_id), None).await;
    assert!(!shown.json.to_string().contains(&w.token));
    // Sealed at rest.
    let rows = w
        .platform
        .db
        .run(edge_api::platform::db::Statement::new(
            "SELECT token_sealed FROM nodes",
        ))
        .await
        .expect("rows")
        .rows;
    let sealed = rows[0]["token_sealed"].as_str().expect("sealed");
    assert!(!sealed.contains(&w.token));
    assert_eq!(w.token.len(), 64);
    assert_eq!(w.token_id.len(), 16);
}

#[tokio::test]
async fn config_yml_parses_back_with_what_wings_reads() {
    let w = world().await;
    let reply = send(
        &w.platform,
        api(
            "GET",
            &format!("/api/orgs/{}/nodes/{}/configuration", w.org, w.node_id),
            Some(&w.owner),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/yaml"))
    );
    // The body is YAML, not JSON: fetch it raw.
    let response = tower::ServiceExt::oneshot(
        edge_api::router(w.platform.clone()),
        api(
            "GET",
            &format!("/api/orgs/{}/nodes/{}/configuration", w.org, w.node_id),
            Some(&w.owner),
            None,
        ),
    )
    .await
    .expect("answer");
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("body")
        .to_bytes();
    let yaml: Value = serde_yaml_ng::from_slice(&bytes).expect("config.yml is YAML");
    assert_eq!(yaml["uuid"], w.node_id);
    assert_eq!(yaml["token_id"], w.token_id);
    assert_eq!(yaml["token"], w.token);
    assert_eq!(
        yaml["remote"], "http://localhost",
        "the panel origin, no trailing slash"
    );
    assert_eq!(yaml["api"]["host"], "0.0.0.0");
    assert!(yaml["api"]["port"].is_u64());
    assert_eq!(yaml["api"]["ssl"]["enabled"], false, "http scheme");
    assert_eq!(yaml["api"]["upload_limit"], 100);
    assert_eq!(yaml["system"]["data"], "/var/lib/pelican/volumes");
    assert_eq!(yaml["system"]["sftp"]["bind_port"], 2022);
    assert_eq!(yaml["allowed_mounts"], json!([]));
    assert_eq!(yaml["allowed_origins"], json!(["http://localhost"]));
    assert_eq!(
        yaml["remote_query"],
        json!({"timeout": 30, "boot_servers_per_page": 50})
    );

    let as_json = config_json(&w.platform, &w.owner, &w.org, &w.node_id).await;
    assert_eq!(as_json["config"], yaml);
    let install = as_json["install_command"]
        .as_str()
        .expect("install command");
    assert!(
        install.contains("/etc/pelican/config.yml")
            && install.contains("base64 -d")
            && !install.contains('\n')
    );
    assert!(
        as_json["configure_command"]
            .as_str()
            .expect("configure")
            .starts_with("wings configure")
    );
    assert_eq!(
        w.call(
            "GET",
            &format!("/nodes/{}/configuration?format=toml", w.node_id),
            None
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Viewers and operators never see the token.
    for role in ["viewer", "operator"] {
        let user = add_user(&w.platform, role, &format!("{role}@example.com")).await;
        add_member(&w.platform, &w.org_id, &user, role).await;
        let cookie = sign_in_as(&w.platform, &user).await;
        let reply = send(
            &w.platform,
            api(
                "GET",
                &format!("/api/orgs/{}/nodes/{}/configuration", w.org, w.node_id),
                Some(&cookie),
                None,
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn wings_configure_reads_it_with_an_api_key() {
    let w = world().await;
    let key = |cookie: String| {
        let platform = w.platform.clone();
        async move {
            let reply = send(
                &platform,
                api(
                    "POST",
                    "/api/me/api-keys",
                    Some(&cookie),
                    Some(json!({"name": "wings", "password": "correct horse battery"})),
                ),
            )
            .await;
            reply.json["token"].as_str().expect("token").to_owned()
        }
    };
    let owner_key = key(w.owner.clone()).await;
    let viewer = add_user(&w.platform, "Vi", "vi@example.com").await;
    add_member(&w.platform, &w.org_id, &viewer, "viewer").await;
    let viewer_key = key(sign_in_as(&w.platform, &viewer).await).await;
    let stranger = add_user(&w.platform, "St", "st@example.com").await;
    let stranger_key = key(sign_in_as(&w.platform, &stranger).await).await;
    let path = format!("/api/application/nodes/{}/configuration", w.node_id);
    for (token, status) in [
        (&owner_key, StatusCode::OK),
        (&viewer_key, StatusCode::FORBIDDEN),
        (&stranger_key, StatusCode::NOT_FOUND),
    ] {
        let mut request = get(&path);
        request.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("header"),
        );
        request
            .headers_mut()
            .insert(header::HOST, "localhost".parse().expect("host"));
        let reply = send(&w.platform, request).await;
        assert_eq!(reply.status, status, "{}", reply.json);
        if status == StatusCode::OK {
            assert_eq!(reply.json["token"], w.token);
            assert_eq!(reply.json["uuid"], w.node_id);
            assert_eq!(reply.json["system"]["sftp"]["bind_port"], 2022);
        }
    }
    assert_eq!(
        send(&w.platform, get(&path)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_rotated_token_replaces_the_old_one() {
    let w = world().await;
    let rotated = w
        .call("POST", &format!("/nodes/{}/token", w.node_id), None)
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.json);
    assert_ne!(rotated.json["token_id"], w.token_id);
    let old = w.remote("GET", "/api/remote/servers", None).await;
    assert_eq!(old.status, StatusCode::FORBIDDEN);
    let fresh = config_json(&w.platform, &w.owner, &w.org, &w.node_id).await;
    assert_ne!(fresh["config"]["token"], w.token);
    assert_eq!(fresh["config"]["token_id"], rotated.json["token_id"]);
}

#[tokio::test]
async fn live_system_info_comes_from_wings() {
    let w = world().await;
    w.wings.answer("GET", "/api/system", 200, json!({"architecture": "amd64", "cpu_count": 8, "kernel_version": "6.8", "os": "linux", "version": "1.0.0"}));
    w.wings.answer("GET", "/api/system/utilization", 200, json!({"memory_total": 100, "memory_used": 50, "swap_total": 0, "swap_used": 0,
        "load_average1": 0.5, "load_average5": 0.4, "load_average15": 0.3, "cpu_percent": 12.5, "disk_total": 1000, "disk_used": 10,
        "disk_details": [{"device": "/dev/sda1", "mountpoint": "/", "total_space": 1000, "used_space": 10, "tags": []}]}));
    let reply = w
        .call("GET", &format!("/nodes/{}/system", w.node_id), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["system"]["cpu_count"], 8);
    assert_eq!(reply.json["utilization"]["cpu_percent"], 12.5);
    assert!(reply.json["system_v2"]["docker"].is_object());
    let calls: Vec<String> = w
        .wings
        .seen()
        .iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert!(calls.contains(&"GET /api/system".to_owned()));
    assert!(calls.contains(&"GET /api/system/utilization".to_owned()));
    assert_eq!(
        w.wings.seen_at("GET", "/api/system").len(),
        2,
        "both shapes (?v=2 too)"
    );
    // A node answering as another node is refused.
    w.wings.connect(&w.platform, "someoneelse00000", &w.token);
    let reply = w
        .call("GET", &format!("/nodes/{}/system", w.node_id), None)
        .await;
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY);
    assert_eq!(reply.json["error"]["code"], "node_bad_answer");
}

#[tokio::test]
async fn allocations_take_ranges_in_bulk_and_refuse_bad_ports() {
    let w = world().await;
    let path = format!("/nodes/{}/allocations", w.node_id);
    let added = w
        .call("POST", &path, Some(json!({"ip": "192.0.2.10", "alias": "play.example.com", "ports": ["27015", "27020-27022"], "notes": "source"})))
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    let ports: Vec<i64> = added
        .json
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["port"].as_i64().expect("port"))
        .collect();
    assert_eq!(ports, [27015, 27020, 27021, 27022]);
    assert_eq!(added.json[0]["alias"], "play.example.com");
    for (ports, why) in [
        (json!(["65536"]), "past 65535"),
        (json!(["65530-65540"]), "range past 65535"),
        (json!(["27022"]), "already there"),
        (json!(["27030", "27030"]), "twice"),
        (json!(["20-10"]), "backwards"),
        (json!(["abc"]), "not a number"),
        (json!([]), "empty"),
    ] {
        let reply = w
            .call(
                "POST",
                &path,
                Some(json!({"ip": "192.0.2.10", "ports": ports})),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{why}: {}",
            reply.json
        );
        assert!(reply.json["error"]["fields"]["ports"].is_string(), "{why}");
    }
    let bad_ip = w
        .call(
            "POST",
            &path,
            Some(json!({"ip": "node.example.com", "ports": ["1"]})),
        )
        .await;
    assert!(bad_ip.json["error"]["fields"]["ip"].is_string());
    let list = w.call("GET", &path, None).await;
    assert_eq!(
        list.json.as_array().expect("list").len(),
        10,
        "nothing half-added"
    );

    let created = w.create_server("holder").await;
    let held = created["server"]["allocation"]["id"].as_str().expect("id");
    let busy = w.call("DELETE", &format!("{path}/{held}"), None).await;
    assert_eq!(busy.status, StatusCode::CONFLICT);
    let list = w.call("GET", &path, None).await;
    let free = list
        .json
        .as_array()
        .expect("list")
        .iter()
        .find(|a| a["server_id"].is_null())
        .expect("a free one")
        .clone();
    let noted = w
        .call(
            "PATCH",
            &format!("{path}/{}", free["id"].as_str().expect("id")),
            Some(json!({"notes": "spare"})),
        )
        .await;
    assert_eq!(noted.json["notes"], "spare");
    let gone = w
        .call(
            "DELETE",
            &format!("{path}/{}", free["id"].as_str().expect("id")),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let node = w.call("GET", &format!("/nodes/{}", w.node_id), None).await;
    assert_eq!(node.json["allocations_used"], 1);
    assert_eq!(
        w.call("DELETE", &format!("/nodes/{}", w.node_id), None)
            .await
            .status,
        StatusCode::CONFLICT,
        "servers on it"
    );
}

#[tokio::test]
async fn the_nodes_ips_come_from_wings() {
    let w = world().await;
    w.wings.answer(
        "GET",
        "/api/system/ips",
        200,
        json!({"ip_addresses": ["192.0.2.10", "2001:db8::1"]}),
    );
    let reply = w
        .call("GET", &format!("/nodes/{}/ips", w.node_id), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(
        reply.json,
        json!({"ip_addresses": ["192.0.2.10", "2001:db8::1"]})
    );
    assert_eq!(w.wings.seen_at("GET", "/api/system/ips").len(), 1);
}

#[tokio::test]
async fn a_change_wings_reads_is_pushed_to_the_node_at_its_old_address() {
    let w = world().await;
    let path = format!("/nodes/{}", w.node_id);
    // A change Wings does not read is not pushed.
    let renamed = w
        .call("PATCH", &path, Some(json!({"name": "renamed"})))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.json);
    assert!(
        renamed.json.get("config_push").is_none(),
        "{}",
        renamed.json
    );
    assert!(w.wings.seen_at("POST", "/api/update").is_empty());

    w.wings
        .answer("POST", "/api/update", 200, json!({"applied": true}));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let moved = w
        .call(
            "PATCH",
            &path,
            Some(json!({"upload_limit": 250, "sftp_port": 2222, "daemon_port": closed})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.json);
    assert_eq!(moved.json["config_push"], json!({"applied": true}));
    let pushed = w.wings.seen_at("POST", "/api/update");
    assert_eq!(
        pushed.len(),
        1,
        "sent to the old port, where Wings still listens"
    );
    let body = &pushed[0].body;
    assert_eq!(body["api"]["port"], closed);
    assert_eq!(body["api"]["upload_limit"], 250);
    assert_eq!(body["system"]["sftp"]["bind_port"], 2222);
    assert_eq!(body["uuid"], w.node_id.as_str());
    assert_eq!(body["token_id"], w.token_id.as_str());
    assert!(body["remote"].is_string());

    // Not applied, or not reachable: committed anyway, and the answer says so.
    let unreachable = w
        .call("PATCH", &path, Some(json!({"upload_limit": 300})))
        .await;
    assert_eq!(unreachable.status, StatusCode::OK, "{}", unreachable.json);
    assert_eq!(unreachable.json["upload_limit"], 300);
    assert_eq!(unreachable.json["config_push"]["applied"], false);
    assert!(
        unreachable.json["config_push"]["message"]
            .as_str()
            .expect("message")
            .contains("could not be reached"),
        "{}",
        unreachable.json
    );
}
