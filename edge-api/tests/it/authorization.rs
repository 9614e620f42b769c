//! The route × role matrix: every route of the router against every role, a
//! non-member, an anonymous caller and API keys, decided in one place.

use crate::common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use common::{add_member, add_user, api, platform, send, setup_owner, sign_in_as};
use edge_api::{
    auth::{Access, Credential, Decision, Role, decide},
    router::routes,
};
use serde_json::json;

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Principal {
    Anonymous,
    Stranger,
    Member(Role),
    Key(Role),
}

#[tokio::test]
async fn every_route_against_every_role() {
    let (platform, _) = platform();
    let (_, me) = setup_owner(&platform).await;
    let org_id = me["memberships"][0]["org_id"]
        .as_str()
        .expect("org id")
        .to_owned();
    let org_slug = me["memberships"][0]["slug"]
        .as_str()
        .expect("org slug")
        .to_owned();
    let owner_id = me["user"]["id"].as_str().expect("owner id").to_owned();

    let mut users = vec![(Role::Owner, owner_id)];
    for role in [Role::Admin, Role::Operator, Role::Viewer] {
        let id = add_user(
            &platform,
            role.as_str(),
            &format!("{}@example.com", role.as_str()),
        )
        .await;
        add_member(&platform, &org_id, &id, role.as_str()).await;
        users.push((role, id));
    }
    let stranger = add_user(&platform, "Stranger", "stranger@example.com").await;
    let user_of = |role: Role| {
        users
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, id)| id.clone())
            .expect("user")
    };

    // API keys for a viewer and an admin.
    let mut keys = Vec::new();
    for role in [Role::Viewer, Role::Admin] {
        let cookie = sign_in_as(&platform, &user_of(role)).await;
        let reply = send(
            &platform,
            api(
                "POST",
                "/api/me/api-keys",
                Some(&cookie),
                Some(json!({"name": "ci", "password": "correct horse battery"})),
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
        keys.push((
            role,
            reply.json["token"].as_str().expect("token").to_owned(),
        ));
    }

    let mut principals = vec![Principal::Anonymous, Principal::Stranger];
    principals.extend(Role::ALL.map(Principal::Member));
    principals.extend([Principal::Key(Role::Viewer), Principal::Key(Role::Admin)]);

    let mut checked = 0;
    let mut server_routes = 0;
    for route in routes() {
        // Server routes need a real server to decide on: subusers.rs checks
        // them as a matrix against one.
        if matches!(route.access, Access::Server(_)) {
            server_routes += 1;
            continue;
        }
        let path = route
            .path
            .replace("{org}", &org_slug)
            .replace("{user}", "00000000-0000-4000-8000-000000000001")
            .replace("{id}", "00000000-0000-4000-8000-000000000002")
            .replace("{token}", "not-a-real-token")
            .replace("{node}", "00000000-0000-4000-8000-000000000003")
            .replace("{allocation}", "00000000-0000-4000-8000-000000000004")
            .replace("{uuid}", "00000000-0000-4000-8000-000000000005");
        for principal in &principals {
            let (credential, role) = match principal {
                Principal::Anonymous => (Credential::Anonymous, None),
                Principal::Stranger => (Credential::Session, None),
                Principal::Member(role) => (Credential::Session, Some(*role)),
                Principal::Key(role) => (Credential::ApiKey, Some(*role)),
            };
            let body = (route.method != "GET").then(|| json!({}));
            let mut request = api(route.method.as_str(), &path, None, body);
            match principal {
                Principal::Anonymous => {}
                Principal::Stranger => {
                    let cookie = sign_in_as(&platform, &stranger).await;
                    request
                        .headers_mut()
                        .insert(header::COOKIE, cookie.parse().expect("cookie header"));
                }
                Principal::Member(role) => {
                    // A fresh session each time: some routes (logout) end it.
                    let cookie = sign_in_as(&platform, &user_of(*role)).await;
                    request
                        .headers_mut()
                        .insert(header::COOKIE, cookie.parse().expect("cookie header"));
                }
                Principal::Key(role) => {
                    let token = &keys.iter().find(|(r, _)| r == role).expect("key").1;
                    request.headers_mut().insert(
                        header::AUTHORIZATION,
                        format!("Bearer {token}").parse().expect("auth"),
                    );
                }
            }
            let reply = send(&platform, request).await;
            let expected = decide(route.access, credential, role);
            let what = format!(
                "{} {} as {principal:?}: {} {}",
                route.method, route.path, reply.status, reply.json
            );
            match expected {
                Decision::Allow => assert!(
                    ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&reply.status)
                        || !["unauthenticated", "forbidden"]
                            .contains(&reply.json["error"]["code"].as_str().unwrap_or("")),
                    "expected the handler to run; {what}"
                ),
                Decision::SignIn => assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}"),
                Decision::Deny => assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}"),
                Decision::Hide => {
                    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{what}");
                    assert_eq!(reply.json["error"]["code"], "not_found", "{what}");
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, (routes().len() - server_routes) * principals.len());
}

#[tokio::test]
async fn another_organizations_resources_answer_404_like_missing_ones() {
    let (platform, _) = platform();
    let (owner, _) = setup_owner(&platform).await;
    let other = add_user(&platform, "Bob", "bob@example.com").await;
    let bob = sign_in_as(&platform, &other).await;
    let created = send(
        &platform,
        api(
            "POST",
            "/api/orgs",
            Some(&bob),
            Some(json!({"name": "Bob Co"})),
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let bobs = created.json["slug"].as_str().expect("slug");

    let theirs = send(
        &platform,
        api(
            "GET",
            &format!("/api/orgs/{bobs}/members"),
            Some(&owner),
            None,
        ),
    )
    .await;
    let nowhere = send(
        &platform,
        api("GET", "/api/orgs/no-such-org/members", Some(&owner), None),
    )
    .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(theirs.json, nowhere.json, "existence must not leak");
}

#[tokio::test]
async fn cookie_writes_need_the_panels_origin_but_api_keys_do_not() {
    let (platform, _) = platform();
    let (owner, _) = setup_owner(&platform).await;
    let key = send(
        &platform,
        api(
            "POST",
            "/api/me/api-keys",
            Some(&owner),
            Some(json!({"name": "ci", "password": "correct horse battery"})),
        ),
    )
    .await;
    let token = key.json["token"].as_str().expect("token").to_owned();

    for origin in [None, Some("https://evil.example")] {
        let mut builder = Request::post("/api/orgs")
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, &owner);
        if let Some(origin) = origin {
            builder = builder.header(header::ORIGIN, origin);
        }
        let reply = send(
            &platform,
            builder
                .body(Body::from(r#"{"name":"x"}"#))
                .expect("request"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "origin {origin:?}");
        assert_eq!(reply.json["error"]["code"], "csrf");
    }
    let with_key = Request::post("/api/orgs")
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(r#"{"name":"Automation"}"#))
        .expect("request");
    // Creating organizations is for browser sessions; the key is refused by
    // role, not by the origin check.
    let reply = send(&platform, with_key).await;
    assert_eq!(reply.json["error"]["code"], "forbidden");
}

/// The backups routes (issue 14 item 3) against one server: each needs its
/// own `backup.*` permission of a subuser (lock and unlock: `backup.delete`),
/// a viewer reads but changes nothing, an operator does everything.
#[tokio::test]
async fn backup_routes_need_their_own_backup_permission() {
    use crate::common::game::world;
    let w = world().await;
    let created = w.create_server("guarded").await;
    let server = created["server"]["id"].as_str().expect("id").to_owned();
    let installed = w
        .remote(
            "POST",
            &format!("/api/remote/servers/{server}/install"),
            Some(json!({"successful": true, "reinstall": false})),
        )
        .await;
    assert!(installed.status.is_success());
    let base = format!("/api/orgs/{}/servers/{server}/backups", w.org);
    let made = send(
        &w.platform,
        api("POST", &base, Some(&w.owner), Some(json!({}))),
    )
    .await;
    let backup = made.json["id"].as_str().expect("backup").to_owned();
    let done = w
        .remote(
            "POST",
            &format!("/api/remote/backups/{backup}"),
            Some(json!({"checksum": "ab", "checksum_type": "sha1", "size": 1, "successful": true, "parts": null})),
        )
        .await;
    assert!(done.status.is_success());

    // (method, path, the permission it needs)
    let one = format!("{base}/{backup}");
    let routes: Vec<(&str, String, &str)> = vec![
        ("GET", base.clone(), "backup.read"),
        ("GET", one.clone(), "backup.read"),
        ("GET", format!("{one}/download"), "backup.download"),
        ("POST", format!("{one}/lock"), "backup.delete"),
        ("POST", format!("{one}/unlock"), "backup.delete"),
        ("POST", format!("{one}/restore"), "backup.restore"),
        ("POST", base.clone(), "backup.create"),
    ];
    let permissions = [
        "backup.read",
        "backup.create",
        "backup.delete",
        "backup.download",
        "backup.restore",
    ];
    for held in permissions {
        let email = format!("{}@example.com", held.replace('.', "-"));
        let id = add_user(&w.platform, &email, &email).await;
        let added = w
            .call(
                "POST",
                &format!("/servers/{server}/subusers"),
                Some(json!({"email": email, "permissions": [held]})),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
        let cookie = sign_in_as(&w.platform, &id).await;
        for (method, path, needs) in &routes {
            let body = (*method != "GET").then(|| json!({}));
            let reply = send(&w.platform, api(method, path, Some(&cookie), body)).await;
            let what = format!(
                "{method} {path} holding {held}: {} {}",
                reply.status, reply.json
            );
            if held == *needs {
                assert_ne!(reply.status, StatusCode::FORBIDDEN, "{what}");
                assert_ne!(reply.status, StatusCode::NOT_FOUND, "{what}");
            } else {
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}");
            }
        }
    }
    // Members: a viewer reads, an operator changes.
    for (role, may_change) in [("viewer", false), ("operator", true)] {
        let email = format!("{role}@example.com");
        let id = add_user(&w.platform, role, &email).await;
        add_member(&w.platform, &w.org_id, &id, role).await;
        let cookie = sign_in_as(&w.platform, &id).await;
        let list = send(&w.platform, api("GET", &base, Some(&cookie), None)).await;
        assert_eq!(list.status, StatusCode::OK, "{role}: {}", list.json);
        let lock = send(
            &w.platform,
            api(
                "POST",
                &format!("{one}/lock"),
                Some(&cookie),
                Some(json!({})),
            ),
        )
        .await;
        assert_eq!(
            lock.status == StatusCode::OK,
            may_change,
            "{role}: {} {}",
            lock.status,
            lock.json
        );
    }
    // Only this organization's members and the server's subusers see it at all.
    let stranger = add_user(&w.platform, "Stranger", "stranger@example.com").await;
    let cookie = sign_in_as(&w.platform, &stranger).await;
    let hidden = send(&w.platform, api("GET", &base, Some(&cookie), None)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let delete = send(&w.platform, api("DELETE", &one, Some(&cookie), None)).await;
    assert_eq!(delete.status, StatusCode::NOT_FOUND);
}
