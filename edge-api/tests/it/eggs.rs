//! Eggs: every fixture (real public eggs of each format, see
//! tests/fixtures/eggs/README.md) imports, exports as PLCN_v3 and imports
//! back to the same definition; the routes under `/api/orgs/{org}/eggs`.

use std::collections::BTreeMap;

use edge_api::{
    ApiError,
    game::egg::{
        EggDefinition,
        definition::ConfigParser,
        export::export,
        import::{import, looks_like_yaml},
        process::{self, process_configuration},
        rules,
    },
};
use serde_json::{Value, json};

/// Every fixture: file name and the format it is in.
const FIXTURES: &[(&str, &str)] = &[
    ("paper.plcn_v3.yaml", "PLCN_v3"),
    ("paper.ptdl_v2.json", "PTDL_v2"),
    ("garrys-mod.plcn_v3.yaml", "PLCN_v3"),
    ("counter-strike-2.ptdl_v2.json", "PTDL_v2"),
    ("nodejs-generic.plcn_v3.yaml", "PLCN_v3"),
    ("nodejs-generic.plcn_v1.json", "PLCN_v1"),
    ("python-generic.plcn_v2.json", "PLCN_v2"),
    ("factorio.ptdl_v1.json", "PTDL_v1"),
    ("mindustry.ptdl_v1.json", "PTDL_v1"),
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/eggs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn imported(name: &str) -> EggDefinition {
    let body = fixture(name);
    import(&body, looks_like_yaml(None, &body)).unwrap_or_else(|e| match e {
        ApiError::Invalid { fields } => panic!("{name}: {fields:?}"),
        other => panic!("{name}: {other:?}"),
    })
}

#[test]
fn every_fixture_imports_exports_and_imports_back_the_same() {
    for (name, format) in FIXTURES {
        let body = String::from_utf8(fixture(name)).expect("utf-8");
        assert!(body.contains(format), "{name} is a {format} file");
        let egg = imported(name);
        assert!(!egg.docker_images.is_empty(), "{name}");
        assert!(!egg.startup_commands.is_empty(), "{name}");
        assert!(!egg.variables.is_empty(), "{name}");
        for yaml in [false, true] {
            let file = export(&egg, "2026-12-01T12:00:00Z", yaml).expect("exports");
            let again = import(file.as_bytes(), yaml)
                .unwrap_or_else(|e| panic!("{name} (yaml: {yaml}) re-import: {e:?}\n{file}"));
            assert_eq!(again, egg, "{name} (yaml: {yaml})");
            let version = if yaml {
                "version: PLCN_v3"
            } else {
                "\"version\": \"PLCN_v3\""
            };
            assert!(file.contains(version), "{name}: {file}");
        }
    }
}

#[test]
fn paper_in_both_formats_is_the_same_egg() {
    let v3 = imported("paper.plcn_v3.yaml");
    let v2 = imported("paper.ptdl_v2.json");
    assert_eq!(v3.uuid, "5da37ef6-58da-4169-90a6-e683e1721247");
    assert_eq!(
        v3.docker_images, v2.docker_images,
        "same images, same order"
    );
    assert_eq!(
        v3.docker_images[0].label, "Java 21",
        "the file's first image stays first"
    );
    assert_eq!(v3.startup_commands, v2.startup_commands);
    // PTDL_v2's legacy placeholder is upgraded to the one PLCN_v3 writes.
    assert_eq!(v3.config.files, v2.config.files);
    let properties = &v3.config.files["server.properties"];
    assert_eq!(properties.parser, ConfigParser::Properties);
    assert_eq!(
        properties.find["server-port"],
        json!("{{server.allocations.default.port}}")
    );
    assert_eq!(
        v3.config.startup.done,
        vec![")! For help, type ".to_owned()]
    );
    assert_eq!(v3.config.stop, "stop");
    let jar = v3.variable("SERVER_JARFILE").expect("the jar variable");
    assert_eq!(
        v2.variable("SERVER_JARFILE").map(|v| &v.rules),
        Some(&jar.rules)
    );
    assert!(rules::check(&jar.rules, Some("server.jar")).is_ok());
    assert!(rules::check(&jar.rules, Some("server.zip")).is_err());
}

#[test]
fn older_formats_normalize_as_pelican_does() {
    let factorio = imported("factorio.ptdl_v1.json");
    assert_eq!(
        factorio.docker_images[0].label,
        factorio.docker_images[0].image
    );
    assert_eq!(factorio.startup_commands[0].name, "Default");
    let settings = &factorio.config.files["data/server-settings.json"];
    assert_eq!(settings.parser, ConfigParser::Json);
    assert_eq!(
        settings.find["name"],
        json!("{{server.environment.SERVER_NAME}}")
    );
    let mindustry = imported("mindustry.ptdl_v1.json");
    assert_eq!(
        mindustry.default_image(),
        Some("ghcr.io/pterodactyl/yolks:java_11")
    );
    let node = imported("nodejs-generic.plcn_v1.json");
    assert_eq!(node.config.stop, "^C");
    assert_eq!(node.config.startup.done.len(), 2);
    let python = imported("python-generic.plcn_v2.json");
    assert!(python.startup_commands[0].command.contains("python"));
}

#[test]
fn process_configuration_for_a_real_egg() {
    let paper = imported("paper.plcn_v3.yaml");
    let settings = json!({
        "allocations": { "default": { "ip": "203.0.113.7", "port": 25565 } },
        "build": { "memory_limit": 1024 },
        "environment": { "SERVER_JARFILE": "server.jar" },
    });
    let object = process_configuration(&paper, &process::flatten(&settings));
    assert_eq!(
        object["stop"],
        json!({ "type": "command", "value": "stop" })
    );
    assert_eq!(object["startup"]["done"], json!([")! For help, type "]));
    assert_eq!(object["startup"]["user_interaction"], json!([]));
    let configs = object["configs"].as_array().expect("configs");
    assert_eq!(configs.len(), 1);
    assert_eq!(configs[0]["file"], "server.properties");
    assert_eq!(configs[0]["parser"], "properties");
    let replaced: BTreeMap<&str, &Value> = configs[0]["replace"]
        .as_array()
        .expect("replace")
        .iter()
        .map(|r| (r["match"].as_str().expect("match"), &r["replace_with"]))
        .collect();
    assert_eq!(replaced["server-port"], &json!("25565"));
    assert_eq!(replaced["query.port"], &json!("25565"));
    assert_eq!(replaced["server-ip"], &json!(""));

    let node = imported("nodejs-generic.plcn_v1.json");
    let object = process_configuration(&node, &BTreeMap::new());
    assert_eq!(object["stop"], json!({ "type": "signal", "value": "C" }));
    assert_eq!(object["configs"], json!([]));
}

// ---- The routes ----

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use edge_api::{
    Platform,
    platform::db::{DatabaseExt, Statement},
};

use crate::common::{Reply, add_member, add_user, api, platform, send, setup_owner, sign_in_as};

const EGGS: &str = "/api/orgs/ada-lab/eggs";

/// A request carrying a raw egg file with `content_type`.
fn upload(cookie: &str, body: Vec<u8>, content_type: &str) -> Request<Body> {
    let mut request = api("POST", &format!("{EGGS}/import"), Some(cookie), None);
    request.headers_mut().insert(
        header::CONTENT_TYPE,
        content_type.parse().expect("media type"),
    );
    *request.body_mut() = Body::from(body);
    request
}

async fn import_fixture(platform: &Platform, cookie: &str, name: &str) -> Reply {
    let media = if name.ends_with(".yaml") {
        "application/yaml"
    } else {
        "application/json"
    };
    send(platform, upload(cookie, fixture(name), media)).await
}

/// The owner's cookie, the organization's id, and cookies for an admin,
/// an operator and a viewer.
async fn org_with_roles(platform: &Platform) -> (String, String, [String; 3]) {
    let (owner, me) = setup_owner(platform).await;
    let org_id = me["memberships"][0]["org_id"]
        .as_str()
        .expect("org id")
        .to_owned();
    let mut cookies = Vec::new();
    for role in ["admin", "operator", "viewer"] {
        let user = add_user(platform, role, &format!("{role}@example.com")).await;
        add_member(platform, &org_id, &user, role).await;
        cookies.push(sign_in_as(platform, &user).await);
    }
    let [admin, operator, viewer] = <[String; 3]>::try_from(cookies).expect("three cookies");
    (owner, org_id, [admin, operator, viewer])
}

async fn audit_actions(platform: &Platform, org_id: &str) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Row {
        action: String,
    }
    let rows: Vec<Row> = platform
        .db
        .all(
            Statement::new(
                "SELECT action FROM audit_log WHERE org_id = ?1 AND resource_type = 'egg' \
                 ORDER BY created_at, rowid",
            )
            .bind(org_id),
        )
        .await
        .expect("audit rows");
    rows.into_iter().map(|r| r.action).collect()
}

#[tokio::test]
async fn every_fixture_imports_through_the_api_and_exports_back() {
    let (platform, _) = platform();
    let (owner, _) = setup_owner(&platform).await;
    for (name, _) in FIXTURES {
        let reply = import_fixture(&platform, &owner, name).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{name}: {}", reply.json);
        let id = reply.json["id"].as_str().expect("id").to_owned();
        let definition: EggDefinition =
            serde_json::from_value(reply.json["definition"].clone()).expect("a definition");
        assert_eq!(definition, imported_keeping_uuid(name, &definition.uuid));

        for (query, media) in [
            ("", "application/json"),
            ("?format=yaml", "application/yaml"),
        ] {
            let request = api(
                "GET",
                &format!("{EGGS}/{id}/export{query}"),
                Some(&owner),
                None,
            );
            let response = tower::ServiceExt::oneshot(edge_api::router(platform.clone()), request)
                .await
                .expect("infallible");
            assert_eq!(response.status(), StatusCode::OK, "{name}");
            let headers = response.headers().clone();
            assert!(
                headers[header::CONTENT_TYPE]
                    .to_str()
                    .expect("ascii")
                    .starts_with(media),
                "{name}"
            );
            assert!(
                headers[header::CONTENT_DISPOSITION]
                    .to_str()
                    .expect("ascii")
                    .starts_with("attachment; filename=\"egg-"),
                "{name}"
            );
            let body = http_body_util::BodyExt::collect(response.into_body())
                .await
                .expect("body")
                .to_bytes();
            let again = import(&body, media == "application/yaml").expect("re-imports");
            assert_eq!(again, definition, "{name} {query}");
        }
        // Gone again, so fixtures of one egg in two formats each import.
        let deleted = send(
            &platform,
            api("DELETE", &format!("{EGGS}/{id}"), Some(&owner), None),
        )
        .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{name}");
    }

    // Listed by name; the same egg (by uuid) twice is a 409.
    for name in [
        "python-generic.plcn_v2.json",
        "nodejs-generic.plcn_v3.yaml",
        "factorio.ptdl_v1.json",
    ] {
        let reply = import_fixture(&platform, &owner, name).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{name}");
    }
    let twice = import_fixture(&platform, &owner, "nodejs-generic.plcn_v1.json").await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.json);
    assert_eq!(twice.json["error"]["code"], "egg_exists");
    let list = send(&platform, api("GET", EGGS, Some(&owner), None)).await;
    assert_eq!(list.status, StatusCode::OK);
    let names: Vec<&str> = list
        .json
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        vec!["Factorio", "node.js generic", "python generic"],
        "by name"
    );
}

/// The fixture imported directly, with the uuid the API gave it (files
/// without a uuid get a new one each time).
fn imported_keeping_uuid(name: &str, uuid: &str) -> EggDefinition {
    let mut egg = imported(name);
    if !fixture_has_uuid(name) {
        egg.uuid = uuid.to_owned();
    }
    egg
}

fn fixture_has_uuid(name: &str) -> bool {
    String::from_utf8(fixture(name))
        .expect("utf-8")
        .contains("uuid")
}

#[tokio::test]
async fn bad_files_are_422_with_fields_and_write_nothing() {
    let (platform, _) = platform();
    let (owner, org_id) = {
        let (owner, me) = setup_owner(&platform).await;
        (
            owner,
            me["memberships"][0]["org_id"]
                .as_str()
                .expect("org")
                .to_owned(),
        )
    };
    let paper: Value = serde_json::from_slice(&fixture("paper.ptdl_v2.json")).expect("json");
    let mut unknown_version = paper.clone();
    unknown_version["meta"]["version"] = json!("PTDL_v0");
    let mut bad_rule = paper.clone();
    bad_rule["variables"][1]["rules"] = json!("nullable|string|required_if:FOO,1");
    let mut bad_regex = paper.clone();
    bad_regex["variables"][3]["rules"] = json!("required|regex:/^(?=lookahead)/");
    let mut no_parser = paper.clone();
    no_parser["config"]["files"] = json!("{\"server.properties\": {\"find\": {\"a\": \"b\"}}}");
    let mut no_images = paper.clone();
    no_images["docker_images"] = json!({});
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (b"".to_vec(), "application/json", "file"),
        (
            b"{\"hello\": \"world\"}".to_vec(),
            "application/json",
            "file",
        ),
        (b"{not json".to_vec(), "application/json", "file"),
        (b"- just\n- a list\n".to_vec(), "application/yaml", "file"),
        (b"key: [unclosed".to_vec(), "application/yaml", "file"),
        (vec![0xff, 0xfe, 0x00], "application/json", "file"),
        (
            unknown_version.to_string().into_bytes(),
            "application/json",
            "meta.version",
        ),
        (
            bad_rule.to_string().into_bytes(),
            "application/json",
            "variables.1.rules",
        ),
        (
            bad_regex.to_string().into_bytes(),
            "application/json",
            "variables.3.rules",
        ),
        (
            no_parser.to_string().into_bytes(),
            "application/json",
            "config.files.server.properties.parser",
        ),
        (
            no_images.to_string().into_bytes(),
            "application/json",
            "docker_images",
        ),
    ];
    for (body, media, field) in cases {
        let shown = String::from_utf8_lossy(&body)
            .chars()
            .take(60)
            .collect::<String>();
        let reply = send(&platform, upload(&owner, body, media)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{shown}: {}",
            reply.json
        );
        assert_eq!(reply.json["error"]["code"], "invalid", "{shown}");
        assert!(
            reply.json["error"]["fields"][field].is_string(),
            "{shown}: expected a problem with {field}: {}",
            reply.json
        );
    }
    let list = send(&platform, api("GET", EGGS, Some(&owner), None)).await;
    assert_eq!(list.json, json!([]), "nothing was written");
    assert!(audit_actions(&platform, &org_id).await.is_empty());

    // Past the 1 MiB limit: 413, not a 500.
    let mut huge = paper.clone();
    huge["description"] = json!("x".repeat(1024 * 1024));
    let reply = send(
        &platform,
        upload(&owner, huge.to_string().into_bytes(), "application/json"),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.json
    );
    // Under it but past the API's usual 64 KiB: accepted.
    let mut large = paper.clone();
    large["description"] = json!("x".repeat(200 * 1024));
    let reply = send(
        &platform,
        upload(&owner, large.to_string().into_bytes(), "application/json"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
}

#[tokio::test]
async fn create_update_delete_with_audit() {
    let (platform, _) = platform();
    let (owner, org_id, _) = org_with_roles(&platform).await;
    let mut definition = serde_json::to_value(imported("paper.plcn_v3.yaml")).expect("json");
    definition["uuid"] = json!("");
    let created = send(
        &platform,
        api("POST", EGGS, Some(&owner), Some(definition.clone())),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let id = created.json["id"].as_str().expect("id").to_owned();
    let uuid = created.json["definition"]["uuid"]
        .as_str()
        .expect("uuid")
        .to_owned();
    assert_ne!(uuid, "5da37ef6-58da-4169-90a6-e683e1721247", "a new uuid");

    // The same uuid twice in one organization: 409.
    definition["uuid"] = json!(uuid);
    let again = send(
        &platform,
        api("POST", EGGS, Some(&owner), Some(definition.clone())),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.json);
    assert_eq!(again.json["error"]["code"], "egg_exists");
    // An unknown field, or a bad rule: 4xx, nothing written.
    let mut unknown = definition.clone();
    unknown["colour"] = json!("red");
    let reply = send(&platform, api("POST", EGGS, Some(&owner), Some(unknown))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.json);
    let mut broken = definition.clone();
    broken["uuid"] = json!("");
    broken["variables"][0]["rules"] = json!(["required", "max:lots"]);
    broken["variables"][1]["env_variable"] = json!("SERVER_PORT");
    let reply = send(&platform, api("POST", EGGS, Some(&owner), Some(broken))).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.json
    );
    assert!(reply.json["error"]["fields"]["variables.0.rules"].is_string());
    assert!(reply.json["error"]["fields"]["variables.1.env_variable"].is_string());

    let one = format!("{EGGS}/{id}");
    let patch = json!({
        "name": "Paper (tuned)",
        "docker_images": [{ "label": "Java 25", "image": "ghcr.io/pelican-eggs/yolks:java_25" }],
        "update_url": "",
    });
    let updated = send(&platform, api("PATCH", &one, Some(&owner), Some(patch))).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.json);
    assert_eq!(updated.json["definition"]["name"], "Paper (tuned)");
    assert_eq!(updated.json["definition"]["uuid"], uuid, "the uuid stays");
    assert!(
        updated.json["definition"]
            .get("update_url")
            .is_none_or(Value::is_null)
    );
    let shown = send(&platform, api("GET", &one, Some(&owner), None)).await;
    assert_eq!(shown.json, updated.json);
    let loaded = edge_api::game::egg::load(platform.db.as_ref(), &org_id, &id)
        .await
        .expect("loads")
        .expect("exists");
    assert_eq!(
        loaded.definition.default_image(),
        Some("ghcr.io/pelican-eggs/yolks:java_25")
    );
    let bad = send(
        &platform,
        api(
            "PATCH",
            &one,
            Some(&owner),
            Some(json!({ "docker_images": [] })),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.json);
    let bad = send(
        &platform,
        api("PATCH", &one, Some(&owner), Some(json!({ "uuid": uuid }))),
    )
    .await;
    assert_eq!(
        bad.status,
        StatusCode::BAD_REQUEST,
        "uuid is not patchable: {}",
        bad.json
    );

    let export = send(
        &platform,
        api(
            "GET",
            &format!("{one}/export?format=toml"),
            Some(&owner),
            None,
        ),
    )
    .await;
    assert_eq!(export.status, StatusCode::UNPROCESSABLE_ENTITY);
    for missing in ["not-a-uuid", "0b5e6a3c-1d2f-4a5b-8c9d-0e1f2a3b4c5d"] {
        let reply = send(
            &platform,
            api("GET", &format!("{EGGS}/{missing}"), Some(&owner), None),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{missing}");
    }

    let deleted = send(&platform, api("DELETE", &one, Some(&owner), None)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.json);
    let gone = send(&platform, api("GET", &one, Some(&owner), None)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(
        audit_actions(&platform, &org_id).await,
        vec!["egg.create", "egg.update", "egg.delete"]
    );
    let imported = import_fixture(&platform, &owner, "mindustry.ptdl_v1.json").await;
    assert_eq!(imported.status, StatusCode::CREATED);
    assert_eq!(
        audit_actions(&platform, &org_id)
            .await
            .last()
            .map(String::as_str),
        Some("egg.import")
    );
}

#[tokio::test]
async fn an_egg_servers_use_cannot_be_deleted() {
    let (platform, _) = platform();
    let (owner, _) = setup_owner(&platform).await;
    let reply = import_fixture(&platform, &owner, "paper.plcn_v3.yaml").await;
    let id = reply.json["id"].as_str().expect("id").to_owned();
    // Stands in for the servers table: a row whose egg_id references the
    // egg without a cascade, as servers.egg_id does.
    platform
        .db
        .run(Statement::new(
            "CREATE TABLE egg_users_under_test (id TEXT PRIMARY KEY, egg_id TEXT NOT NULL REFERENCES eggs (id))",
        ))
        .await
        .expect("table");
    platform
        .db
        .run(
            Statement::new("INSERT INTO egg_users_under_test (id, egg_id) VALUES ('s1', ?1)")
                .bind(id.as_str()),
        )
        .await
        .expect("row");
    let one = format!("{EGGS}/{id}");
    let refused = send(&platform, api("DELETE", &one, Some(&owner), None)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.json);
    assert_eq!(refused.json["error"]["code"], "egg_in_use");
    let still = send(&platform, api("GET", &one, Some(&owner), None)).await;
    assert_eq!(still.status, StatusCode::OK);
    platform
        .db
        .run(Statement::new("DELETE FROM egg_users_under_test"))
        .await
        .expect("cleared");
    let deleted = send(&platform, api("DELETE", &one, Some(&owner), None)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.json);
}

#[tokio::test]
async fn everyone_reads_only_admins_write() {
    let (platform, _) = platform();
    let (owner, _, [admin, operator, viewer]) = org_with_roles(&platform).await;
    let made = import_fixture(&platform, &owner, "paper.plcn_v3.yaml").await;
    assert_eq!(made.status, StatusCode::CREATED);
    let id = made.json["id"].as_str().expect("id").to_owned();
    let one = format!("{EGGS}/{id}");
    let definition = made.json["definition"].clone();
    for cookie in [&admin, &operator, &viewer] {
        for path in [EGGS.to_owned(), one.clone(), format!("{one}/export")] {
            let reply = send(&platform, api("GET", &path, Some(cookie), None)).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}");
        }
    }
    for cookie in [&operator, &viewer] {
        let writes = [
            api("POST", EGGS, Some(cookie), Some(definition.clone())),
            upload(
                cookie,
                fixture("mindustry.ptdl_v1.json"),
                "application/json",
            ),
            api("PATCH", &one, Some(cookie), Some(json!({ "name": "Mine" }))),
            api("DELETE", &one, Some(cookie), None),
        ];
        for request in writes {
            let what = format!("{} {}", request.method(), request.uri());
            let reply = send(&platform, request).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{what}: {}",
                reply.json
            );
        }
    }
    // The admin may write.
    let renamed = send(
        &platform,
        api("PATCH", &one, Some(&admin), Some(json!({ "name": "Mine" }))),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.json);
    // Outsiders do not see the organization at all.
    let stranger = add_user(&platform, "Eve", "eve@example.com").await;
    let stranger = sign_in_as(&platform, &stranger).await;
    let reply = send(&platform, api("GET", EGGS, Some(&stranger), None)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = send(&platform, api("GET", EGGS, None, None)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}
