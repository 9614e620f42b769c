//! The Wings client against a live HTTP server on 127.0.0.1: bearer,
//! deadline, Wings' refusals with their message, a node that is down, an
//! answer from another node, and how the API reports each.

use std::time::Duration;

use edge_api::{
    ApiError,
    game::wings::{NodeTarget, Wings, WingsError, types::PowerSignal},
    platform::native::Reqwest,
};
use serde_json::json;

use crate::common::wings::FakeWings;

fn target(port: u16) -> NodeTarget {
    NodeTarget {
        name: "node-7".into(),
        base_url: format!("http://127.0.0.1:{port}"),
        token_id: "abcdefghijklmnop".into(),
        token: "secret-token".into(),
    }
}

async fn fake() -> (FakeWings, NodeTarget) {
    let (wings, port) = FakeWings::start().await;
    let (platform, _) = crate::common::platform();
    wings.connect(&platform, "abcdefghijklmnop", "secret-token");
    (wings, target(port))
}

#[tokio::test]
async fn calls_carry_the_token_and_typed_bodies() {
    let (wings, node) = fake().await;
    let http = Reqwest::new().expect("client");
    let client = Wings::new(&http, &node);
    client
        .power("uuid-1", PowerSignal::Kill)
        .await
        .expect("202");
    client
        .commands("uuid-1", &["say hi".into()])
        .await
        .expect("204");
    client
        .deauthorize_user("user-1", &["uuid-1".into()])
        .await
        .expect("204");
    wings.answer("POST", "/api/update", 200, json!({"applied": true}));
    assert!(
        client
            .update_config(&json!({"debug": false}))
            .await
            .expect("applied")
            .applied
    );
    let power = &wings.seen_at("POST", "/api/servers/uuid-1/power")[0];
    assert_eq!(
        power.authorization.as_deref(),
        Some("Bearer secret-token"),
        "the token only, never token_id"
    );
    assert_eq!(power.body, json!({"action": "kill", "wait_seconds": 30}));
    assert_eq!(
        wings.seen_at("POST", "/api/deauthorize-user")[0].body,
        json!({"user": "user-1", "servers": ["uuid-1"]})
    );
}

#[tokio::test]
async fn a_slow_node_times_out_and_says_which() {
    let (wings, node) = fake().await;
    wings.slow("GET", "/api/system", Duration::from_secs(30));
    let http = Reqwest::new().expect("client");
    let outcome = Wings::new(&http, &node)
        .with_timeout(Duration::from_millis(200))
        .system()
        .await;
    assert_eq!(
        outcome,
        Err(WingsError::Timeout {
            node: "node-7".into()
        })
    );
    let api = ApiError::from(outcome.expect_err("timeout"));
    assert_eq!(api.status().as_u16(), 504);
    assert_eq!(api.code(), "node_timeout");
    assert!(api.to_string().contains("node-7"));
}

#[tokio::test]
async fn refusals_keep_wings_message_and_status() {
    let (wings, node) = fake().await;
    wings.answer(
        "POST",
        "/api/servers/uuid-1/commands",
        502,
        json!({"error": "Cannot send commands to a stopped server instance."}),
    );
    let http = Reqwest::new().expect("client");
    let outcome = Wings::new(&http, &node)
        .commands("uuid-1", &["x".into()])
        .await;
    let Err(WingsError::Refused {
        status,
        message,
        node: name,
    }) = outcome.clone()
    else {
        panic!("expected a refusal: {outcome:?}");
    };
    assert_eq!((status, name.as_str()), (502, "node-7"));
    assert_eq!(
        message,
        "Cannot send commands to a stopped server instance."
    );
    let api = ApiError::from(outcome.expect_err("refused"));
    assert_eq!(api.status().as_u16(), 502);
    assert_eq!(api.code(), "node_refused");
}

#[tokio::test]
async fn a_node_that_is_down_is_offline() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let node = target(port);
    let http = Reqwest::new().expect("client");
    let outcome = Wings::new(&http, &node).utilization().await;
    assert!(
        matches!(outcome, Err(WingsError::Offline { ref node, .. }) if node == "node-7"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn an_answer_from_another_node_is_refused() {
    let (wings, node) = fake().await;
    let (platform, _) = crate::common::platform();
    wings.connect(&platform, "zzzzzzzzzzzzzzzz", "secret-token");
    let http = Reqwest::new().expect("client");
    let outcome = Wings::new(&http, &node).system().await;
    assert!(
        matches!(outcome, Err(WingsError::BadAnswer { .. })),
        "{outcome:?}"
    );
    wings.answer("GET", "/api/system", 200, json!("not an object"));
    wings.connect(&platform, "abcdefghijklmnop", "secret-token");
    assert!(matches!(
        Wings::new(&http, &node).system().await,
        Err(WingsError::BadAnswer { .. })
    ));
}

#[tokio::test]
async fn a_rejected_token_says_wings_must_restart_with_the_new_configuration() {
    let (wings, node) = fake().await;
    // What Wings still on a rotated-away token answers: 403, naming its old token id.
    wings.connect(&crate::common::platform().0, "oldtokenid000000", "old");
    wings.answer(
        "GET",
        "/api/system",
        403,
        json!({"error": "You are not authorized to access this endpoint."}),
    );
    let http = Reqwest::new().expect("client");
    let outcome = Wings::new(&http, &node).system().await;
    assert_eq!(
        outcome.clone().expect_err("rejected"),
        WingsError::TokenRejected {
            node: "node-7".into(),
            status: 403
        }
    );
    let api = ApiError::from(outcome.expect_err("rejected"));
    assert_eq!(api.status().as_u16(), 502);
    assert_eq!(api.code(), "node_token_rejected");
    let body = api.to_string();
    assert!(
        body.contains("node-7") && body.contains("restart Wings"),
        "{body}"
    );
    // A 401 (no or ill-formed bearer) is the same refusal.
    wings.answer(
        "GET",
        "/api/system",
        401,
        json!({"error": "The required authorization heads were not present in the request."}),
    );
    assert_eq!(
        Wings::new(&http, &node)
            .system()
            .await
            .expect_err("rejected")
            .code(),
        "node_token_rejected"
    );
}
