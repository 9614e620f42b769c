//! The console relay's edge side: the upgrade route refuses what is not an
//! upgrade and a suspended server, and suspending, deleting and removing a
//! subuser tell the server's relay to close the affected viewers at once.

use axum::http::{StatusCode, header};
use durable_state::console::{CLOSE_ACCESS, CLOSE_DELETED, CLOSE_SUSPENDED, ConsoleRequest};
use serde_json::json;

use crate::common::{add_user, api, game::world, send};

fn close(user_id: Option<&str>, code: u16, reason: &str) -> ConsoleRequest {
    ConsoleRequest::Close {
        user_id: user_id.map(str::to_owned),
        code,
        reason: reason.to_owned(),
    }
}

#[tokio::test]
async fn the_console_route_wants_an_upgrade_and_an_unsuspended_server() {
    let w = world().await;
    let created = w.create_server("console").await;
    let id = created["server"]["id"].as_str().expect("id").to_owned();
    let plain = w.call("GET", &format!("/servers/{id}/console"), None).await;
    assert_eq!(plain.status, StatusCode::BAD_REQUEST, "{}", plain.json);
    assert_eq!(plain.json["error"]["code"], "websocket_required");

    assert_eq!(
        w.call("POST", &format!("/servers/{id}/suspend"), None)
            .await
            .status,
        StatusCode::OK
    );
    let mut upgrade = api(
        "GET",
        &format!("/api/orgs/{}/servers/{id}/console", w.org),
        Some(&w.owner),
        None,
    );
    upgrade
        .headers_mut()
        .insert(header::UPGRADE, "websocket".parse().expect("header"));
    let refused = send(&w.platform, upgrade).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.json);
    assert_eq!(refused.json["error"]["code"], "server_suspended");
}

#[tokio::test]
async fn suspending_deleting_and_removing_a_subuser_close_viewers() {
    let w = world().await;
    let created = w.create_server("watched").await;
    let id = created["server"]["id"].as_str().expect("id").to_owned();
    assert_eq!(w.objects.console_requests().expect("requests"), vec![]);

    let sam = add_user(&w.platform, "Sam", "sam@example.com").await;
    let added = w
        .call(
            "POST",
            &format!("/servers/{id}/subusers"),
            Some(json!({"email": "sam@example.com", "permissions": ["websocket.connect"]})),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    let removed = w
        .call("DELETE", &format!("/servers/{id}/subusers/{sam}"), None)
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.json);
    assert_eq!(
        w.objects.console_requests().expect("requests"),
        vec![(
            id.clone(),
            close(
                Some(&sam),
                CLOSE_ACCESS,
                "your access to this server was removed"
            )
        )]
    );

    let suspended = w
        .call("POST", &format!("/servers/{id}/suspend"), None)
        .await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.json);
    // Suspending again changes nothing and closes nothing more.
    w.call("POST", &format!("/servers/{id}/suspend"), None)
        .await;
    assert_eq!(
        w.objects.console_requests().expect("requests"),
        vec![(
            id.clone(),
            close(None, CLOSE_SUSPENDED, "the server is suspended")
        )]
    );
    w.call("POST", &format!("/servers/{id}/unsuspend"), None)
        .await;
    assert_eq!(w.objects.console_requests().expect("requests"), vec![]);

    let deleted = w.call("DELETE", &format!("/servers/{id}"), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.json);
    assert_eq!(
        w.objects.console_requests().expect("requests"),
        vec![(id, close(None, CLOSE_DELETED, "the server was deleted"))]
    );
}

#[tokio::test]
async fn a_rotated_token_reaches_the_relays_of_the_nodes_servers() {
    let w = world().await;
    let first = w.create_server("one").await;
    let second = w.create_server("two").await;
    let rotated = w
        .call("POST", &format!("/nodes/{}/token", w.node_id), None)
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.json);
    let fresh = crate::common::game::config_json(&w.platform, &w.owner, &w.org, &w.node_id).await;
    let token = fresh["config"]["token"].as_str().expect("token").to_owned();
    assert_ne!(token, w.token);
    let mut told: Vec<String> = w
        .objects
        .console_requests()
        .expect("requests")
        .into_iter()
        .map(|(server, request)| match request {
            ConsoleRequest::Rekey { node_token } => {
                assert_eq!(node_token.0, token, "the new token");
                assert_eq!(format!("{node_token:?}"), "NodeKey(..)", "never printed");
                server
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    told.sort();
    let mut servers = vec![
        first["server"]["id"].as_str().expect("id").to_owned(),
        second["server"]["id"].as_str().expect("id").to_owned(),
    ];
    servers.sort();
    assert_eq!(told, servers, "every server of the node, once");
}
