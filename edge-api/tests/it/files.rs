//! A server's files through the API against a fake Wings: paths are
//! normalized and `..` refused with a field error before Wings is called,
//! the egg's deny-list is honoured, the contents cap is a clear 4xx, search
//! needs three characters, and signed URLs point at Wings' token routes with
//! single-use file tokens keyed by the node's token.

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{Value, json};

use crate::common::game::{World, world};

async fn server(w: &World) -> String {
    let created = w.create_server("files").await;
    created["server"]["id"].as_str().expect("id").to_owned()
}

fn file_calls(w: &World, server: &str) -> usize {
    let prefix = format!("/api/servers/{server}/files/");
    w.wings
        .seen()
        .iter()
        .filter(|s| s.path.starts_with(&prefix))
        .count()
}

#[tokio::test]
async fn dotdot_is_refused_at_the_edge_with_a_field_error() {
    let w = world().await;
    let id = server(&w).await;
    let cases: Vec<(&str, String, Option<Value>, &str)> = vec![
        (
            "GET",
            format!("/servers/{id}/files/list?directory=../etc"),
            None,
            "directory",
        ),
        (
            "GET",
            format!("/servers/{id}/files/contents?file=a/../../b"),
            None,
            "file",
        ),
        (
            "GET",
            format!("/servers/{id}/files/contents?file=/"),
            None,
            "file",
        ),
        (
            "GET",
            format!("/servers/{id}/files/download?file=..%2Fx"),
            None,
            "file",
        ),
        (
            "PUT",
            format!("/servers/{id}/files/rename"),
            Some(json!({"root": "/", "files": [{"from": "a", "to": "../a"}]})),
            "files.0.to",
        ),
        (
            "POST",
            format!("/servers/{id}/files/delete"),
            Some(json!({"root": "/", "files": []})),
            "files",
        ),
        (
            "POST",
            format!("/servers/{id}/files/delete"),
            Some(json!({"root": "..", "files": ["a"]})),
            "root",
        ),
        (
            "POST",
            format!("/servers/{id}/files/create-folder"),
            Some(json!({"path": "/", "name": "a/b"})),
            "name",
        ),
        (
            "POST",
            format!("/servers/{id}/files/chmod"),
            Some(json!({"root": "/", "files": [{"file": "a", "mode": "999"}]})),
            "files.0.mode",
        ),
        (
            "POST",
            format!("/servers/{id}/files/compress"),
            Some(json!({"root": "/", "files": ["a"], "extension": "rar"})),
            "extension",
        ),
        (
            "POST",
            format!("/servers/{id}/files/pull"),
            Some(json!({"url": "file:///etc/passwd", "directory": "/"})),
            "url",
        ),
        (
            "GET",
            format!("/servers/{id}/files/search?pattern=ab"),
            None,
            "pattern",
        ),
    ];
    for (method, path, body, field) in cases {
        let reply = w.call(method, &path, body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path}: {}",
            reply.json
        );
        assert!(
            reply.json["error"]["fields"][field].is_string(),
            "{method} {path}: {}",
            reply.json
        );
    }
    assert_eq!(file_calls(&w, &id), 0, "Wings never saw a refused path");
}

#[tokio::test]
async fn the_eggs_denylist_is_honoured() {
    let w = world().await;
    let id = server(&w).await;
    let reply = w
        .call(
            "GET",
            &format!("/servers/{id}/files/contents?file=/old.jar.bak"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.json);
    assert_eq!(reply.json["error"]["code"], "file_denied");
    let reply = w
        .call(
            "POST",
            &format!("/servers/{id}/files/delete"),
            Some(json!({"root": "/plugins", "files": ["ok.txt", "x.jar.bak"]})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.json);
    assert_eq!(file_calls(&w, &id), 0);

    // A listing leaves denied entries out.
    let stat = |name: &str, dir: bool| {
        json!({"name": name, "created": "2026-12-01T10:00:00Z", "modified": "2026-12-01T10:00:00Z",
               "mode": "-rw-r--r--", "mode_bits": "644", "size": 3, "directory": dir, "file": !dir,
               "symlink": false, "mime": "text/plain"})
    };
    w.wings.answer(
        "GET",
        &format!("/api/servers/{id}/files/list-directory"),
        200,
        json!([
            stat("world", true),
            stat("a.jar.bak", false),
            stat("server.properties", false)
        ]),
    );
    let reply = w
        .call("GET", &format!("/servers/{id}/files/list"), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let names: Vec<&str> = reply
        .json
        .as_array()
        .expect("list")
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["world", "server.properties"]);
}

#[tokio::test]
async fn contents_past_the_cap_are_a_clear_4xx() {
    let w = world().await;
    let id = server(&w).await;
    let big = vec![b'a'; edge_api::game::file::MAX_WRITE + 1];
    let path = format!("/api/orgs/{}/servers/{id}/files/contents?file=", w.org);
    let reply = crate::common::send(&w.platform, raw(&w, &format!("{path}/big.txt"), big)).await;
    assert!(
        reply.status.is_client_error(),
        "{} {}",
        reply.status,
        reply.json
    );
    assert_eq!(file_calls(&w, &id), 0, "nothing was written");
    let reply = crate::common::send(
        &w.platform,
        raw(&w, &format!("{path}/ok.txt"), b"motd=hi".to_vec()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.json);
    assert_eq!(
        w.wings
            .seen_at("POST", &format!("/api/servers/{id}/files/write"))
            .len(),
        1
    );
}

#[tokio::test]
async fn signed_urls_point_at_wings_with_single_use_file_tokens() {
    let w = world().await;
    let id = server(&w).await;
    let reply = w
        .call(
            "GET",
            &format!("/servers/{id}/files/download?file=world//level.dat"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let url = reply.json["url"].as_str().expect("url");
    assert!(url.contains("/download/file?token="), "{url}");
    let token = url.split("token=").nth(1).expect("token");
    let first = claims_of(token);
    assert_eq!(first["scope"], "file-download");
    assert_eq!(first["server_uuid"], id);
    assert_eq!(first["user_uuid"], w.owner_id);
    assert_eq!(first["file_path"], "/world/level.dat");
    let again = w
        .call(
            "GET",
            &format!("/servers/{id}/files/download?file=/world/level.dat"),
            None,
        )
        .await;
    let other = again.json["url"].as_str().expect("url");
    let other = claims_of(other.split("token=").nth(1).expect("token"));
    assert_ne!(
        first["unique_id"], other["unique_id"],
        "each URL is single-use"
    );

    let reply = w
        .call(
            "GET",
            &format!("/servers/{id}/files/upload?directory=plugins"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let url = reply.json["url"].as_str().expect("url");
    assert!(url.contains("/upload/file?token="), "{url}");
    assert!(url.ends_with("&directory=/plugins"), "{url}");
    let token = url
        .split("token=")
        .nth(1)
        .and_then(|t| t.split('&').next())
        .expect("token");
    assert_eq!(claims_of(token)["scope"], "file-upload");
    assert_eq!(file_calls(&w, &id), 0, "signing never calls Wings");
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64");
    serde_json::from_slice(&bytes).expect("claims")
}

/// A raw `PUT` of `body` as the owner's pages send it.
fn raw(w: &World, uri: &str, body: Vec<u8>) -> axum::http::Request<axum::body::Body> {
    let mut request = crate::common::api("PUT", uri, Some(&w.owner), None);
    *request.body_mut() = axum::body::Body::from(body);
    request
}
