//! Subusers and server-level access: every server route against owner,
//! admin, operator, viewer, a subuser holding every permission, one holding
//! an unrelated one, a non-member, an anonymous caller and API keys, as
//! decided by `auth::decide_for`; and adding, changing and removing a
//! subuser (Wings deauthorizes them).

use axum::http::{StatusCode, header};
use edge_api::{
    auth::{Access, Credential, Decision, Role, decide_for},
    game::permission,
    router::routes,
};
use serde_json::json;

use crate::common::{add_member, add_user, api, game::world, send, sign_in_as};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Anonymous,
    Stranger,
    Member(Role),
    SubuserWith,
    SubuserWithout,
    ViewerKey,
}

#[tokio::test]
async fn every_server_route_against_every_standing() {
    let w = world().await;
    let created = w.create_server("matrix").await;
    let server = created["server"]["id"].as_str().expect("id").to_owned();
    // Deleting must not succeed mid-matrix: Wings refuses it.
    w.wings.answer(
        "DELETE",
        &format!("/api/servers/{server}"),
        500,
        json!({"error": "no"}),
    );

    let mut users = vec![(Who::Member(Role::Owner), w.owner_id.clone())];
    for role in [Role::Admin, Role::Operator, Role::Viewer] {
        let id = add_user(
            &w.platform,
            role.as_str(),
            &format!("{}@example.com", role.as_str()),
        )
        .await;
        add_member(&w.platform, &w.org_id, &id, role.as_str()).await;
        users.push((Who::Member(role), id));
    }
    let all: Vec<String> = permission::ALL.iter().map(|p| (*p).to_owned()).collect();
    for (who, email, perms) in [
        (Who::SubuserWith, "with@example.com", all.clone()),
        (
            Who::SubuserWithout,
            "without@example.com",
            vec!["activity.read".to_owned()],
        ),
    ] {
        let id = add_user(&w.platform, email, email).await;
        let reply = w
            .call(
                "POST",
                &format!("/servers/{server}/subusers"),
                Some(json!({"email": email, "permissions": perms})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
        users.push((who, id));
    }
    let stranger = add_user(&w.platform, "Stranger", "stranger@example.com").await;
    users.push((Who::Stranger, stranger));
    let viewer = users
        .iter()
        .find(|(w, _)| *w == Who::Member(Role::Viewer))
        .map(|(_, id)| id.clone())
        .expect("viewer");
    let viewer_cookie = sign_in_as(&w.platform, &viewer).await;
    let key = send(
        &w.platform,
        api(
            "POST",
            "/api/me/api-keys",
            Some(&viewer_cookie),
            Some(json!({"name": "ci", "password": "correct horse battery"})),
        ),
    )
    .await;
    let viewer_key = key.json["token"].as_str().expect("token").to_owned();

    let standing = |who: Who| -> (Credential, Option<Role>, Option<Vec<String>>) {
        match who {
            Who::Anonymous => (Credential::Anonymous, None, None),
            Who::Stranger => (Credential::Session, None, None),
            Who::Member(Role::Owner) => (
                Credential::Session,
                Some(Role::Owner),
                Some(vec!["*".into()]),
            ),
            Who::Member(role) => (Credential::Session, Some(role), None),
            Who::SubuserWith => (Credential::Session, None, Some(all.clone())),
            Who::SubuserWithout => (
                Credential::Session,
                None,
                Some(vec!["activity.read".into()]),
            ),
            Who::ViewerKey => (Credential::ApiKey, Some(Role::Viewer), None),
        }
    };
    let mut whos: Vec<Who> = users.iter().map(|(w, _)| *w).collect();
    whos.extend([Who::Anonymous, Who::ViewerKey]);
    let mut checked = 0;
    let server_routes: Vec<_> = routes()
        .into_iter()
        .filter(|r| matches!(r.access, Access::Server(_)))
        .collect();
    // 16 server routes, the console relay, then 14 files routes, the activity log and 8 backups routes (issue 14),
    // then the console and install logs, the SFTP details (issue 17), 9 schedule routes (issue 16)
    // and a server's transfer (issue 13; starting and cancelling one are admins' `nodes:write`).
    assert_eq!(server_routes.len(), 16 + 1 + 14 + 1 + 8 + 2 + 1 + 9 + 1);
    // Destructive routes last.
    let mut ordered: Vec<_> = server_routes
        .iter()
        .filter(|r| r.method != "DELETE")
        .collect();
    ordered.extend(server_routes.iter().filter(|r| r.method == "DELETE"));
    for route in ordered {
        let path = route
            .path
            .replace("{org}", &w.org)
            .replace("{server}", &server)
            .replace("{user}", "00000000-0000-4000-8000-000000000001")
            .replace("{schedule}", "00000000-0000-4000-8000-000000000002")
            .replace("{task}", "00000000-0000-4000-8000-000000000003");
        for who in &whos {
            let body = (route.method != "GET").then(|| json!({}));
            let mut request = api(route.method.as_str(), &path, None, body);
            match who {
                Who::Anonymous => {}
                Who::ViewerKey => {
                    request.headers_mut().insert(
                        header::AUTHORIZATION,
                        format!("Bearer {viewer_key}").parse().expect("auth"),
                    );
                }
                _ => {
                    let id = &users.iter().find(|(u, _)| u == who).expect("user").1;
                    let cookie = sign_in_as(&w.platform, id).await;
                    request
                        .headers_mut()
                        .insert(header::COOKIE, cookie.parse().expect("cookie"));
                }
            }
            let reply = send(&w.platform, request).await;
            let (credential, role, grants) = standing(*who);
            let expected = decide_for(route.access, credential, role, grants.as_deref());
            let what = format!(
                "{} {} as {who:?}: {} {}",
                route.method, route.path, reply.status, reply.json
            );
            match expected {
                Decision::Allow => assert!(
                    !["unauthenticated", "forbidden"]
                        .contains(&reply.json["error"]["code"].as_str().unwrap_or("")),
                    "expected the handler to run; {what}"
                ),
                Decision::SignIn => assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}"),
                Decision::Deny => assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}"),
                Decision::Hide => assert_eq!(reply.status, StatusCode::NOT_FOUND, "{what}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, server_routes.len() * whos.len());
}

#[test]
fn the_matrix_says_what_the_issue_asks() {
    use edge_api::auth::ServerNeed::{AnyOf, Look, Org, Permission};
    let s = |need| Access::Server(need);
    let session = Credential::Session;
    let console = s(Permission("control.console"));
    let with = vec!["control.console".to_owned(), "file.sftp".to_owned()];
    assert_eq!(
        decide_for(console, session, Some(Role::Operator), None),
        Decision::Allow
    );
    assert_eq!(
        decide_for(console, session, Some(Role::Viewer), None),
        Decision::Deny
    );
    assert_eq!(
        decide_for(console, session, Some(Role::Viewer), Some(&with)),
        Decision::Allow,
        "a viewer who is also a subuser"
    );
    assert_eq!(
        decide_for(console, session, None, Some(&with)),
        Decision::Allow
    );
    assert_eq!(
        decide_for(console, session, None, Some(&["file.read".into()])),
        Decision::Deny
    );
    assert_eq!(decide_for(console, session, None, None), Decision::Hide);
    assert_eq!(
        decide_for(console, Credential::Anonymous, None, None),
        Decision::SignIn
    );
    assert_eq!(
        decide_for(
            s(Permission("user.read")),
            session,
            Some(Role::Viewer),
            None
        ),
        Decision::Allow,
        "reads for every member"
    );
    assert_eq!(
        decide_for(s(Look), session, None, Some(&["file.read".into()])),
        Decision::Allow
    );
    assert_eq!(
        decide_for(
            s(Org(edge_api::auth::Action::Write)),
            session,
            None,
            Some(&["*".into()])
        ),
        Decision::Deny,
        "never subusers"
    );
    assert_eq!(
        decide_for(
            s(AnyOf(&["control.start", "control.stop"])),
            session,
            None,
            Some(&["control.stop".into()])
        ),
        Decision::Allow
    );
    assert_eq!(
        decide_for(
            s(Permission("admin.websocket.errors")),
            session,
            None,
            Some(&["*".into()])
        ),
        Decision::Deny,
        "* is not admin.*"
    );
}

#[tokio::test]
async fn subusers_are_added_checked_changed_and_deauthorized_on_removal() {
    let w = world().await;
    let created = w.create_server("shared").await;
    let server = created["server"]["id"].as_str().expect("id").to_owned();
    let path = format!("/servers/{server}/subusers");
    let bad = w.call("POST", &path, Some(json!({"email": "x@example.com", "permissions": ["control.console", "root.everything"]}))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json["error"]["fields"]["permissions"].is_string());
    let bad = w
        .call(
            "POST",
            &path,
            Some(json!({"email": "nope", "permissions": ["control.console"]})),
        )
        .await;
    assert!(bad.json["error"]["fields"]["email"].is_string());

    let sam = add_user(&w.platform, "Sam", "sam@example.com").await;
    let added = w.call("POST", &path, Some(json!({"email": "SAM@example.com", "permissions": ["control.console", "user.create", "websocket.connect"]}))).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    assert_eq!(added.json["user_id"], sam);
    assert_eq!(added.json["pending"], false);
    let again = w
        .call(
            "POST",
            &path,
            Some(json!({"email": "sam@example.com", "permissions": ["control.console"]})),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Sam, not a member, sees the server and may send commands, not power.
    let sam_cookie = sign_in_as(&w.platform, &sam).await;
    let as_sam = |method: &'static str, rest: String, body: Option<serde_json::Value>| {
        let platform = w.platform.clone();
        let cookie = sam_cookie.clone();
        let org = w.org.clone();
        async move {
            send(
                &platform,
                api(
                    method,
                    &format!("/api/orgs/{org}{rest}"),
                    Some(&cookie),
                    body,
                ),
            )
            .await
        }
    };
    let shown = as_sam("GET", format!("/servers/{server}"), None).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.json);
    assert_eq!(
        shown.json["permissions"],
        json!(["control.console", "user.create", "websocket.connect"])
    );
    assert_eq!(
        as_sam(
            "POST",
            format!("/servers/{server}/command"),
            Some(json!({"command": "list"}))
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        as_sam(
            "POST",
            format!("/servers/{server}/power"),
            Some(json!({"signal": "start"}))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        as_sam("GET", "/servers".into(), None).await.status,
        StatusCode::NOT_FOUND,
        "not a member of the organization"
    );
    // A subuser grants only what they hold.
    let escalate = as_sam(
        "POST",
        path.clone(),
        Some(json!({"email": "friend@example.com", "permissions": ["control.start"]})),
    )
    .await;
    assert_eq!(
        escalate.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        escalate.json
    );
    // An email without an account gets an invitation link, never a grant by
    // address: emails are not verified, so whoever took the address would
    // inherit the server.
    let invite = as_sam(
        "POST",
        path.clone(),
        Some(json!({"email": "friend@example.com", "permissions": ["control.console"]})),
    )
    .await;
    assert_eq!(invite.status, StatusCode::CREATED, "{}", invite.json);
    assert_eq!(invite.json["pending"], true);
    assert!(
        invite.json["url"]
            .as_str()
            .expect("url")
            .starts_with("/join/")
    );
    let friend = add_user(&w.platform, "Friend", "friend@example.com").await;
    let friend_cookie = sign_in_as(&w.platform, &friend).await;
    let seen = send(
        &w.platform,
        api(
            "GET",
            &format!("/api/orgs/{}/servers/{server}", w.org),
            Some(&friend_cookie),
            None,
        ),
    )
    .await;
    assert_eq!(seen.status, StatusCode::NOT_FOUND, "{}", seen.json);

    let changed = w
        .call(
            "PATCH",
            &format!("{path}/{sam}"),
            Some(json!({"permissions": ["control.start"]})),
        )
        .await;
    assert_eq!(changed.json["permissions"], json!(["control.start"]));
    let list = w.call("GET", &path, None).await;
    assert_eq!(
        list.json.as_array().expect("list").len(),
        2,
        "sam and the pending invitation: {}",
        list.json
    );

    let removed = w.call("DELETE", &format!("{path}/{sam}"), None).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.json);
    assert_eq!(
        removed.json,
        json!({"removed": true, "deauthorized": true, "message": null})
    );
    let told = w.wings.seen_at("POST", "/api/deauthorize-user");
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].body, json!({"user": sam, "servers": [server]}));
    assert_eq!(
        as_sam("GET", format!("/servers/{server}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// The token of an invitation's `/join/<token>` link.
fn token_of(reply: &serde_json::Value) -> String {
    reply["url"]
        .as_str()
        .and_then(|u| u.strip_prefix("/join/"))
        .expect("a /join/ link")
        .to_owned()
}

#[tokio::test]
async fn a_new_person_invited_to_one_server_joins_it_as_a_subuser_only() {
    let w = world().await;
    let created = w.create_server("invited").await;
    let server = created["server"]["id"].as_str().expect("id").to_owned();
    let other = w.create_server("not-invited").await;
    let other_id = other["server"]["id"].as_str().expect("id").to_owned();
    let path = format!("/servers/{server}/subusers");

    let invite = w
        .call(
            "POST",
            &path,
            Some(json!({"email": "New@Example.com", "permissions": ["control.console", "websocket.connect"]})),
        )
        .await;
    assert_eq!(invite.status, StatusCode::CREATED, "{}", invite.json);
    assert_eq!(invite.json["pending"], true);
    assert_eq!(invite.json["email"], "new@example.com");
    assert_eq!(invite.json["user_id"], serde_json::Value::Null);
    assert!(invite.json["expires_at"].is_string());
    let token = token_of(&invite.json);
    let id = invite.json["id"].as_str().expect("id").to_owned();
    // Only the hash is kept.
    let stored = w
        .platform
        .db
        .run(edge_api::platform::db::Statement::new(
            "SELECT token_hash FROM subuser_invitations",
        ))
        .await
        .expect("rows")
        .rows;
    assert_eq!(
        stored[0]["token_hash"],
        edge_api::crypto::sha256_hex(token.as_bytes())
    );
    // A second live invitation for the same email is refused.
    let twice = w
        .call(
            "POST",
            &path,
            Some(json!({"email": "new@example.com", "permissions": ["control.console"]})),
        )
        .await;
    assert_eq!(
        twice.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        twice.json
    );

    // Listed (no link), changed.
    let list = w.call("GET", &path, None).await;
    assert_eq!(list.json.as_array().expect("list").len(), 1);
    assert_eq!(list.json[0]["pending"], true);
    assert!(list.json[0].get("url").is_none(), "{}", list.json);
    let changed = w
        .call(
            "PATCH",
            &format!("{path}/{id}"),
            Some(json!({"permissions": ["control.console", "websocket.connect", "file.read"]})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.json);
    assert_eq!(changed.json["pending"], true);

    // The link previews as this server, not as a role in the organization.
    let preview = send(
        &w.platform,
        api("GET", &format!("/api/join/{token}"), None, None),
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.json);
    assert_eq!(preview.json["role"], serde_json::Value::Null);
    assert_eq!(preview.json["server"]["id"], server.as_str());
    assert_eq!(preview.json["server"]["name"], "invited");
    assert_eq!(
        preview.json["server"]["permissions"],
        json!(["control.console", "file.read", "websocket.connect"])
    );

    // Accepted as a new person: an account, signed in, a subuser of that one server.
    let joined = send(
        &w.platform,
        api(
            "POST",
            &format!("/api/join/{token}"),
            None,
            Some(json!({"name": "Newt", "email": "newt@example.com", "password": "correct horse battery"})),
        ),
    )
    .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.json);
    assert_eq!(
        joined.json["memberships"],
        json!([]),
        "not a member of the organization"
    );
    let newt = joined.json["user"]["id"].as_str().expect("user").to_owned();
    let cookie = crate::common::session_cookie(&joined);
    let as_newt = |method: &str, rest: &str, body: Option<serde_json::Value>| {
        api(
            method,
            &format!("/api/orgs/{}{rest}", w.org),
            Some(&cookie),
            body,
        )
    };
    let shown = send(
        &w.platform,
        as_newt("GET", &format!("/servers/{server}"), None),
    )
    .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.json);
    assert_eq!(
        shown.json["permissions"],
        json!(["control.console", "file.read", "websocket.connect"])
    );
    // Their list of shared servers holds that one server (not the other),
    // with its organization, so the web app can take them to it.
    let mine = send(
        &w.platform,
        api("GET", "/api/me/servers", Some(&cookie), None),
    )
    .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.json);
    let mine = mine.json.as_array().expect("list").clone();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["id"], server.as_str());
    assert_eq!(mine[0]["org"], w.org.as_str());
    assert_eq!(mine[0]["owner"], false);
    assert_eq!(
        mine[0]["permissions"],
        json!(["control.console", "file.read", "websocket.connect"])
    );
    assert!(mine.iter().all(|m| m["id"] != other_id.as_str()));
    // The organization's owner sees the servers they own, with every permission.
    let owner_cookie = sign_in_as(&w.platform, &w.owner_id).await;
    let owned = send(
        &w.platform,
        api("GET", "/api/me/servers", Some(&owner_cookie), None),
    )
    .await;
    assert_eq!(owned.status, StatusCode::OK, "{}", owned.json);
    let owned = owned.json.as_array().expect("list").clone();
    assert_eq!(owned.len(), 2, "{owned:?}");
    assert!(
        owned
            .iter()
            .all(|m| m["owner"] == true && m["permissions"] == json!(["*"])),
        "{owned:?}"
    );
    // Nobody signed in: 401.
    assert_eq!(
        send(&w.platform, api("GET", "/api/me/servers", None, None))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let command = send(
        &w.platform,
        as_newt(
            "POST",
            &format!("/servers/{server}/command"),
            Some(json!({"command": "list"})),
        ),
    )
    .await;
    assert_eq!(command.status, StatusCode::NO_CONTENT, "{}", command.json);
    let power = send(
        &w.platform,
        as_newt(
            "POST",
            &format!("/servers/{server}/power"),
            Some(json!({"signal": "start"})),
        ),
    )
    .await;
    assert_eq!(
        power.status,
        StatusCode::FORBIDDEN,
        "not granted: {}",
        power.json
    );
    for rest in [
        format!("/servers/{other_id}"),
        "/servers".to_owned(),
        "/nodes".to_owned(),
    ] {
        let hidden = send(&w.platform, as_newt("GET", &rest, None)).await;
        assert_eq!(
            hidden.status,
            StatusCode::NOT_FOUND,
            "{rest}: {}",
            hidden.json
        );
    }
    let list = w.call("GET", &path, None).await;
    assert_eq!(list.json.as_array().expect("list").len(), 1);
    assert_eq!(list.json[0]["user_id"], newt.as_str());
    assert_eq!(list.json[0]["pending"], false);

    // Single use.
    let again = send(
        &w.platform,
        api(
            "POST",
            &format!("/api/join/{token}"),
            None,
            Some(json!({"name": "Mallory", "email": "mallory@example.com", "password": "correct horse battery"})),
        ),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.json);

    // Revoked: the link stops working; an existing account accepts with `{}`.
    let second = w
        .call(
            "POST",
            &path,
            Some(json!({"email": "later@example.com", "permissions": ["file.read"]})),
        )
        .await;
    let second_token = token_of(&second.json);
    let second_id = second.json["id"].as_str().expect("id").to_owned();
    let revoked = w.call("DELETE", &format!("{path}/{second_id}"), None).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.json);
    assert_eq!(
        send(
            &w.platform,
            api("GET", &format!("/api/join/{second_token}"), None, None)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        w.wings.seen_at("POST", "/api/deauthorize-user").is_empty(),
        "a pending invitation has no sessions to end"
    );
    let third = w
        .call(
            "POST",
            &path,
            Some(json!({"email": "later@example.com", "permissions": ["file.read"]})),
        )
        .await;
    let third_token = token_of(&third.json);
    let kim = add_user(&w.platform, "Kim", "kim@example.com").await;
    let kim_cookie = sign_in_as(&w.platform, &kim).await;
    let accepted = send(
        &w.platform,
        api(
            "POST",
            &format!("/api/join/{third_token}"),
            Some(&kim_cookie),
            Some(json!({})),
        ),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.json);
    let kim_sees = send(
        &w.platform,
        api(
            "GET",
            &format!("/api/orgs/{}/servers/{server}", w.org),
            Some(&kim_cookie),
            None,
        ),
    )
    .await;
    assert_eq!(kim_sees.json["permissions"], json!(["file.read"]));

    // Expired links are refused and no longer listed.
    let fourth = w
        .call(
            "POST",
            &path,
            Some(json!({"email": "slow@example.com", "permissions": ["file.read"]})),
        )
        .await;
    let fourth_token = token_of(&fourth.json);
    w.clock.advance_ms(8 * 24 * 3600 * 1000);
    assert_eq!(
        send(
            &w.platform,
            api("GET", &format!("/api/join/{fourth_token}"), None, None)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let owner = sign_in_as(&w.platform, &w.owner_id).await;
    let list = send(
        &w.platform,
        api(
            "GET",
            &format!("/api/orgs/{}{path}", w.org),
            Some(&owner),
            None,
        ),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    assert!(
        list.json
            .as_array()
            .expect("list")
            .iter()
            .all(|s| s["pending"] == false),
        "{}",
        list.json
    );
}
