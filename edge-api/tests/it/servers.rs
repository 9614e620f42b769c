//! Game servers through the API against a fake Wings: create (row first,
//! Wings calls back), validation with field errors and no partial writes,
//! Wings refusing, the one-query list, actions, and delete.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::game::{World, world};

async fn count(w: &World, sql: &str) -> i64 {
    let rows = w
        .platform
        .db
        .run(edge_api::platform::db::Statement::new(sql))
        .await
        .expect("count")
        .rows;
    rows[0]["n"].as_i64().expect("n")
}

#[tokio::test]
async fn create_commits_the_row_before_wings_answers() {
    let w = world().await;
    let created = w.create_server("survival").await;
    let server = &created["server"];
    let id = server["id"].as_str().expect("id");
    assert_eq!(server["short_id"], &id[..8]);
    assert_eq!(server["status"], "installing");
    assert_eq!(server["docker_image"], "ghcr.io/pelican-eggs/yolks:java_21");
    assert_eq!(server["environment"]["SERVER_JARFILE"], "paper.jar");
    assert_eq!(
        server["environment"]["BUILD_NUMBER"], "latest",
        "defaults filled in"
    );
    assert_eq!(
        server["allocation"]["port"], 25565,
        "the first free allocation"
    );
    let calls = w.wings.seen_at("POST", "/api/servers");
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].body,
        json!({"uuid": id, "start_on_completion": true})
    );
    assert_eq!(
        calls[0].authorization.as_deref(),
        Some(format!("Bearer {}", w.token).as_str())
    );
    assert!(
        w.wings.callback(id).is_some(),
        "Wings could read the row while creating"
    );
    let taken = w
        .call("GET", &format!("/nodes/{}/allocations", w.node_id), None)
        .await;
    let held: Vec<&Value> = taken
        .json
        .as_array()
        .expect("list")
        .iter()
        .filter(|a| a["server_id"] == id)
        .collect();
    assert_eq!(held.len(), 1);
}

#[tokio::test]
async fn bad_input_is_a_field_error_and_writes_nothing() {
    let w = world().await;
    let mut body = w.server_body("x");
    body["environment"] =
        json!({"SERVER_JARFILE": "a-name-much-longer-than-twenty.jar", "NOPE": "1"});
    body["limits"]["io"] = json!(5);
    body["limits"]["swap"] = json!(-2);
    body["limits"]["threads"] = json!("0-a");
    body["name"] = json!("");
    let reply = w.call("POST", "/servers", Some(body)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.json
    );
    let fields = &reply.json["error"]["fields"];
    for field in [
        "environment.SERVER_JARFILE",
        "environment.NOPE",
        "limits.io",
        "limits.swap",
        "limits.threads",
        "name",
    ] {
        assert!(fields[field].is_string(), "{field} in {fields}");
    }
    let mut body = w.server_body("x");
    body["node_id"] = json!("00000000-0000-4000-8000-000000000000");
    body["egg_id"] = json!("not-an-id");
    let reply = w.call("POST", "/servers", Some(body)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.json
    );
    assert!(reply.json["error"]["fields"]["node_id"].is_string());
    assert!(reply.json["error"]["fields"]["egg_id"].is_string());
    // An allocation of this node already taken.
    let first = w.create_server("first").await;
    let mut body = w.server_body("second");
    body.as_object_mut()
        .expect("object")
        .remove("auto_allocation");
    body["allocation_id"] = first["server"]["allocation"]["id"].clone();
    let reply = w.call("POST", "/servers", Some(body)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.json
    );
    assert!(reply.json["error"]["fields"]["allocation_id"].is_string());
    let mut body = w.server_body("typo");
    body["surprise"] = json!(true);
    assert_eq!(
        w.call("POST", "/servers", Some(body)).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(count(&w, "SELECT COUNT(*) AS n FROM servers").await, 1);
    assert_eq!(
        count(
            &w,
            "SELECT COUNT(*) AS n FROM allocations WHERE server_id IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(w.wings.seen_at("POST", "/api/servers").len(), 1);
}

#[tokio::test]
async fn a_server_wings_refuses_is_gone_and_the_answer_says_why() {
    let w = world().await;
    w.wings.answer(
        "POST",
        "/api/servers",
        422,
        json!({"error": "The data provided in the request could not be validated."}),
    );
    let reply = w
        .call("POST", "/servers", Some(w.server_body("refused")))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY, "{}", reply.json);
    assert_eq!(reply.json["error"]["code"], "node_refused");
    let message = reply.json["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("node-1") && message.contains("could not be validated"),
        "{message}"
    );
    assert_eq!(count(&w, "SELECT COUNT(*) AS n FROM servers").await, 0);
    assert_eq!(
        count(
            &w,
            "SELECT COUNT(*) AS n FROM allocations WHERE server_id IS NOT NULL"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn the_list_is_one_page_with_its_total_and_never_asks_wings() {
    let w = world().await;
    for name in ["charlie", "alpha", "bravo"] {
        w.create_server(name).await;
    }
    let before = w.wings.seen().len();
    let page = w.call("GET", "/servers?limit=2&offset=0", None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.json);
    assert_eq!(page.json["total"], 3);
    let names: Vec<&str> = page.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["alpha", "bravo"]);
    let rest = w.call("GET", "/servers?limit=2&offset=2", None).await;
    assert_eq!(rest.json["items"][0]["name"], "charlie");
    let found = w.call("GET", "/servers?search=RAV", None).await;
    assert_eq!(found.json["total"], 1);
    let empty = w.call("GET", "/servers?offset=10", None).await;
    assert_eq!(empty.json["total"], 3);
    assert_eq!(empty.json["items"], json!([]));
    assert_eq!(
        w.call("GET", "/servers?limit=0", None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(w.wings.seen().len(), before, "listing asks Wings nothing");
}

#[tokio::test]
async fn power_command_suspend_reinstall_build_startup_and_delete() {
    let w = world().await;
    let created = w.create_server("ops").await;
    let id = created["server"]["id"].as_str().expect("id").to_owned();
    let path = |rest: &str| format!("/servers/{id}{rest}");

    let power = w
        .call("POST", &path("/power"), Some(json!({"signal": "start"})))
        .await;
    assert_eq!(power.status, StatusCode::ACCEPTED, "{}", power.json);
    assert_eq!(
        w.wings.seen_at("POST", &format!("/api/servers/{id}/power"))[0].body["action"],
        "start"
    );
    assert_eq!(
        w.call("POST", &path("/power"), Some(json!({"signal": "explode"})))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let command = w
        .call(
            "POST",
            &path("/command"),
            Some(json!({"command": "say hi"})),
        )
        .await;
    assert_eq!(command.status, StatusCode::NO_CONTENT, "{}", command.json);
    assert_eq!(
        w.wings
            .seen_at("POST", &format!("/api/servers/{id}/commands"))[0]
            .body,
        json!({"commands": ["say hi"]})
    );
    assert_eq!(
        w.call("POST", &path("/command"), Some(json!({"command": "a\nb"})))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let suspended = w.call("POST", &path("/suspend"), None).await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.json);
    assert_eq!(suspended.json["status"], "suspended");
    assert_eq!(
        w.wings.callback(&id).expect("synced")["settings"]["suspended"],
        true,
        "sync made Wings read it"
    );
    let refused = w
        .call("POST", &path("/power"), Some(json!({"signal": "start"})))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    let back = w.call("POST", &path("/unsuspend"), None).await;
    assert_eq!(back.json["status"], Value::Null);
    assert_eq!(
        w.wings.callback(&id).expect("synced")["settings"]["suspended"],
        false
    );

    // A sync Wings refuses is undone.
    w.wings.answer(
        "POST",
        &format!("/api/servers/{id}/sync"),
        500,
        json!({"error": "boom"}),
    );
    let failed = w.call("POST", &path("/suspend"), None).await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY);
    let shown = w.call("GET", &path(""), None).await;
    assert_eq!(
        shown.json["server"]["status"],
        Value::Null,
        "the suspension was undone"
    );
    w.wings
        .answer("POST", &format!("/api/servers/{id}/sync"), 204, json!({}));

    let build = w
        .call("PUT", &path("/build"), Some(json!({"memory": 2048, "swap": -1, "disk": 0, "io": 1000, "cpu": 0, "threads": "0-1", "oom_killer": false})))
        .await;
    assert_eq!(build.status, StatusCode::OK, "{}", build.json);
    let settings = w.wings.callback(&id).expect("synced")["settings"]["build"].clone();
    assert_eq!(
        settings,
        json!({"memory_limit": 2048, "swap": -1, "io_weight": 1000, "cpu_limit": 0, "disk_space": 0, "threads": "0-1", "oom_killer": false})
    );
    assert_eq!(
        w.call(
            "PUT",
            &path("/build"),
            Some(json!({"memory": -5, "swap": 0, "disk": 0, "io": 100, "cpu": 0}))
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let startup = w
        .call("PUT", &path("/startup"), Some(json!({"environment": {"SERVER_JARFILE": "other.jar"}, "docker_image": "ghcr.io/pelican-eggs/yolks:java_17"})))
        .await;
    assert_eq!(startup.status, StatusCode::OK, "{}", startup.json);
    let settings = w.wings.callback(&id).expect("synced")["settings"].clone();
    assert_eq!(settings["environment"]["SERVER_JARFILE"], "other.jar");
    assert_eq!(
        settings["container"]["image"],
        "ghcr.io/pelican-eggs/yolks:java_17"
    );
    let bad = w
        .call(
            "PUT",
            &path("/startup"),
            Some(json!({"environment": {"SERVER_JARFILE": ""}})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.json);

    let renamed = w
        .call(
            "PATCH",
            &path(""),
            Some(json!({"name": "ops two", "description": "x"})),
        )
        .await;
    assert_eq!(renamed.json["name"], "ops two");

    let reinstall = w.call("POST", &path("/reinstall"), None).await;
    assert_eq!(reinstall.status, StatusCode::ACCEPTED, "{}", reinstall.json);
    assert_eq!(reinstall.json["status"], "installing");
    assert_eq!(
        w.wings
            .seen_at("POST", &format!("/api/servers/{id}/reinstall"))
            .len(),
        1
    );

    w.wings.answer("GET", &format!("/api/servers/{id}"), 200, json!({"state": "running", "is_suspended": false,
        "utilization": {"memory_bytes": 1, "memory_limit_bytes": 2, "cpu_absolute": 1.5, "network": {"rx_bytes": 3, "tx_bytes": 4},
                        "disk_io": {"read_bytes": 0, "write_bytes": 0}, "uptime": 10, "disk_bytes": 5, "state": "running"},
        "configuration": {}}));
    let resources = w.call("GET", &path("/resources"), None).await;
    assert_eq!(resources.status, StatusCode::OK, "{}", resources.json);
    assert_eq!(resources.json["state"], "running");
    assert_eq!(resources.json["utilization"]["network"]["tx_bytes"], 4);

    let deleted = w.call("DELETE", &path(""), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.json);
    assert_eq!(
        w.wings
            .seen_at("DELETE", &format!("/api/servers/{id}"))
            .len(),
        1
    );
    assert_eq!(count(&w, "SELECT COUNT(*) AS n FROM servers").await, 0);
    assert_eq!(
        count(
            &w,
            "SELECT COUNT(*) AS n FROM allocations WHERE server_id IS NOT NULL"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn delete_needs_force_when_the_node_is_gone() {
    let w = world().await;
    let created = w.create_server("orphan").await;
    let id = created["server"]["id"].as_str().expect("id").to_owned();
    // Point the node at a port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let moved = w
        .call(
            "PATCH",
            &format!("/nodes/{}", w.node_id),
            Some(json!({"daemon_port": closed})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.json);
    let refused = w.call("DELETE", &format!("/servers/{id}"), None).await;
    assert_eq!(refused.status, StatusCode::BAD_GATEWAY, "{}", refused.json);
    assert_eq!(refused.json["error"]["code"], "node_offline");
    assert!(
        refused.json["error"]["message"]
            .as_str()
            .expect("message")
            .contains("node-1")
    );
    assert_eq!(count(&w, "SELECT COUNT(*) AS n FROM servers").await, 1);
    let forced = w
        .call("DELETE", &format!("/servers/{id}?force=true"), None)
        .await;
    assert_eq!(forced.status, StatusCode::NO_CONTENT, "{}", forced.json);
    assert_eq!(count(&w, "SELECT COUNT(*) AS n FROM servers").await, 0);
}

#[tokio::test]
async fn a_node_in_maintenance_takes_no_new_servers() {
    let w = world().await;
    let on = w
        .call(
            "PATCH",
            &format!("/nodes/{}", w.node_id),
            Some(json!({"maintenance": true})),
        )
        .await;
    assert_eq!(on.json["maintenance"], true);
    let reply = w
        .call("POST", "/servers", Some(w.server_body("late")))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.json["error"]["fields"]["node_id"].is_string());
}

/// Every public egg of the fixtures, imported through the eggs API, makes a
/// server whose Wings configuration has the Go types Wings decodes.
#[tokio::test]
async fn servers_of_every_fixture_egg_have_wings_typed_settings() {
    let w = world().await;
    let more = w
        .call(
            "POST",
            &format!("/nodes/{}/allocations", w.node_id),
            Some(json!({"ip": "0.0.0.0", "ports": ["40000-40020"]})),
        )
        .await;
    assert_eq!(more.status, StatusCode::CREATED);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eggs");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 9);
    for file in files {
        let body = std::fs::read(&file).expect("read");
        let yaml = file.extension().is_some_and(|x| x == "yaml");
        let mut request =
            crate::common::with_body("POST", &format!("/api/orgs/{}/eggs/import", w.org), body);
        for (name, value) in [
            (
                "content-type",
                if yaml {
                    "application/yaml"
                } else {
                    "application/json"
                },
            ),
            ("cookie", w.owner.as_str()),
            ("host", "localhost"),
            ("origin", crate::common::ORIGIN),
        ] {
            request
                .headers_mut()
                .insert(name, value.parse().expect("header"));
        }
        let imported = crate::common::send(&w.platform, request).await;
        let name = file.display().to_string();
        if imported.status == StatusCode::CONFLICT {
            continue; // the same egg in another format (same uuid)
        }
        assert_eq!(
            imported.status,
            StatusCode::CREATED,
            "{name}: {}",
            imported.json
        );
        let egg_id = imported.json["id"].as_str().expect("egg id").to_owned();
        let mut body = w.server_body(&format!(
            "from {}",
            file.file_name().and_then(|f| f.to_str()).unwrap_or("egg")
        ));
        body["egg_id"] = json!(egg_id);
        // A value for each required variable the egg gives no default (a
        // password, a game token): what a person would type.
        let mut environment = serde_json::Map::new();
        for v in imported.json["definition"]["variables"]
            .as_array()
            .expect("variables")
        {
            let required = v["rules"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r == "required"));
            if required && v["default_value"].as_str().is_some_and(str::is_empty) {
                let length = v["rules"].as_array().into_iter().flatten().find_map(|r| {
                    let r = r.as_str()?;
                    r.strip_prefix("size:")
                        .or_else(|| r.strip_prefix("min:"))?
                        .parse::<usize>()
                        .ok()
                });
                let value = length.map_or_else(|| "abc123".to_owned(), |n| "a".repeat(n));
                environment.insert(
                    v["env_variable"].as_str().expect("env").to_owned(),
                    json!(value),
                );
            }
        }
        body["environment"] = Value::Object(environment);
        let created = w.call("POST", "/servers", Some(body)).await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{name}: {}",
            created.json
        );
        let id = created.json["server"]["id"].as_str().expect("id");
        let config = w.wings.callback(id).expect("called back");
        let s = &config["settings"];
        assert!(s["egg"]["id"].is_string(), "{name}");
        assert!(s["allocations"]["default"]["port"].is_u64(), "{name}");
        for (key, value) in s["environment"].as_object().expect("environment") {
            assert!(value.is_string(), "{name}: environment.{key} = {value}");
        }
        let p = &config["process_configuration"];
        assert!(
            p.is_object() && p["stop"]["type"].is_string(),
            "{name}: {p}"
        );
        for c in p["configs"].as_array().expect("configs") {
            assert!(
                c["file"].is_string() && c["parser"].is_string(),
                "{name}: {c}"
            );
        }
    }
}

/// Scripts drive game servers with API keys as the web app does.
#[tokio::test]
async fn api_keys_reach_game_servers() {
    use axum::http::header;
    let w = world().await;
    let key = crate::common::send(
        &w.platform,
        crate::common::api(
            "POST",
            "/api/me/api-keys",
            Some(&w.owner),
            Some(json!({"name": "ci", "password": "correct horse battery"})),
        ),
    )
    .await;
    let token = key.json["token"].as_str().expect("token").to_owned();
    let by_key = |method: &str, path: String, body: Option<Value>| {
        let mut request = match body {
            Some(b) => crate::common::with_body(method, &path, b.to_string()),
            None => {
                let mut r = crate::common::get(&path);
                *r.method_mut() = method.parse().expect("method");
                r
            }
        };
        request.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("auth"),
        );
        crate::common::send(&w.platform, request)
    };
    let created = by_key(
        "POST",
        format!("/api/orgs/{}/servers", w.org),
        Some(w.server_body("scripted")),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let id = created.json["server"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let power = by_key(
        "POST",
        format!("/api/orgs/{}/servers/{id}/power", w.org),
        Some(json!({"signal": "restart"})),
    )
    .await;
    assert_eq!(power.status, StatusCode::ACCEPTED, "{}", power.json);
    let list = by_key("GET", format!("/api/orgs/{}/servers", w.org), None).await;
    assert_eq!(list.json["total"], 1);
    let nodes = by_key("GET", format!("/api/orgs/{}/nodes", w.org), None).await;
    assert_eq!(nodes.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_automatic_allocations_each_get_a_free_one() {
    let w = world().await;
    // Six free allocations and six creates at once, each asking for any free one.
    let mut tasks = Vec::new();
    for i in 0..6 {
        let platform = w.platform.clone();
        let request = crate::common::api(
            "POST",
            &format!("/api/orgs/{}/servers", w.org),
            Some(&w.owner),
            Some(w.server_body(&format!("racer-{i}"))),
        );
        tasks.push(tokio::spawn(async move {
            crate::common::send(&platform, request).await
        }));
    }
    let mut ports = Vec::new();
    for task in tasks {
        let reply = task.await.expect("task");
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
        ports.push(
            reply.json["server"]["allocation"]["port"]
                .as_i64()
                .expect("port"),
        );
    }
    ports.sort_unstable();
    assert_eq!(ports, vec![25565, 25566, 25567, 25568, 25569, 25570]);
    // A seventh finds none left and says so on the field it asked with.
    let reply = w
        .call("POST", "/servers", Some(w.server_body("late")))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.json
    );
    assert!(reply.json["error"]["fields"]["auto_allocation"].is_string());
    assert_eq!(count(&w, "SELECT COUNT(*) AS n FROM servers").await, 6);
}

#[tokio::test]
async fn utilization_asks_each_node_once_and_reports_a_node_that_is_down() {
    let w = world().await;
    let first = w.create_server("alpha").await;
    let second = w.create_server("beta").await;
    let alpha = first["server"]["id"].as_str().expect("id").to_owned();
    let beta = second["server"]["id"].as_str().expect("id").to_owned();
    // A second node nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let down = w
        .call(
            "POST",
            "/nodes",
            Some(json!({"name": "node-down", "fqdn": "127.0.0.1", "scheme": "http", "daemon_port": closed})),
        )
        .await;
    assert_eq!(down.status, StatusCode::CREATED, "{}", down.json);
    let down_id = down.json["id"].as_str().expect("id").to_owned();
    let figures = |uuid: &str, state: &str, cpu: f64| {
        json!({
            "state": state,
            "is_suspended": false,
            "utilization": {
                "memory_bytes": 512, "memory_limit_bytes": 1024, "cpu_absolute": cpu,
                "network": {"rx_bytes": 7, "tx_bytes": 9},
                "disk_io": {"read_bytes": 0, "write_bytes": 0},
                "uptime": 60000, "disk_bytes": 4096, "state": state
            },
            "configuration": {"uuid": uuid}
        })
    };
    w.wings.answer(
        "GET",
        "/api/servers",
        200,
        json!([
            figures(&alpha, "running", 12.5),
            figures(&beta, "offline", 0.0),
            // A container Flamingo does not know is never reported.
            figures("6f1c2d57-7c1e-4a43-9d51-3a2c5f0e9b11", "running", 99.0),
        ]),
    );
    let reply = w.call("GET", "/servers/utilization", None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["nodes"][&w.node_id], json!({"online": true}));
    assert_eq!(reply.json["nodes"][&down_id]["online"], false);
    let error = reply.json["nodes"][&down_id]["error"]
        .as_str()
        .expect("a sentence");
    assert!(error.contains("node-down"), "{error}");
    let servers = reply.json["servers"].as_object().expect("servers");
    assert_eq!(servers.len(), 2, "{}", reply.json);
    assert_eq!(
        servers[&alpha],
        json!({"state": "running", "cpu_absolute": 12.5, "memory_bytes": 512, "memory_limit_bytes": 1024,
               "disk_bytes": 4096, "network_rx_bytes": 7, "network_tx_bytes": 9, "uptime_ms": 60000})
    );
    assert_eq!(servers[&beta]["state"], "offline");
    assert_eq!(
        w.wings.seen_at("GET", "/api/servers").len(),
        1,
        "one call for the whole node"
    );
    assert!(
        w.wings
            .seen()
            .iter()
            .all(|s| !s.path.starts_with(&format!("/api/servers/{alpha}"))),
        "never a call per server"
    );

    // A node answering with a rejected token is reported, not a failure of the page.
    w.wings.answer(
        "GET",
        "/api/servers",
        403,
        json!({"error": "You are not authorized to access this endpoint."}),
    );
    let reply = w.call("GET", "/servers/utilization", None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["nodes"][&w.node_id]["online"], false);
    assert!(
        reply.json["nodes"][&w.node_id]["error"]
            .as_str()
            .expect("sentence")
            .contains("restart Wings")
    );
    assert_eq!(reply.json["servers"], json!({}));
}

#[tokio::test]
async fn console_lines_and_install_output_come_from_wings() {
    let w = world().await;
    let created = w.create_server("logged").await;
    let id = created["server"]["id"].as_str().expect("id").to_owned();
    w.wings.answer(
        "GET",
        &format!("/api/servers/{id}/logs"),
        200,
        json!({"data": ["[Server] Done (1.2s)!", "> list"]}),
    );
    w.wings.answer(
        "GET",
        &format!("/api/servers/{id}/install-logs"),
        200,
        json!({"data": "installing\ndone\n"}),
    );
    let logs = w
        .call("GET", &format!("/servers/{id}/logs?size=2"), None)
        .await;
    assert_eq!(logs.status, StatusCode::OK, "{}", logs.json);
    assert_eq!(
        logs.json["data"],
        json!(["[Server] Done (1.2s)!", "> list"])
    );
    for (bad, status) in [
        ("0", StatusCode::UNPROCESSABLE_ENTITY),
        ("101", StatusCode::UNPROCESSABLE_ENTITY),
        ("x", StatusCode::BAD_REQUEST),
    ] {
        let refused = w
            .call("GET", &format!("/servers/{id}/logs?size={bad}"), None)
            .await;
        assert_eq!(refused.status, status, "{bad}: {}", refused.json);
    }
    let install = w
        .call("GET", &format!("/servers/{id}/install-logs"), None)
        .await;
    assert_eq!(install.status, StatusCode::OK, "{}", install.json);
    assert_eq!(install.json["data"], "installing\ndone\n");
}
