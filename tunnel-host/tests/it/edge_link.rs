//! The edge link: hello, opened/closed and heartbeats as tunnels come and go; kicks from
//! the edge close tunnels; a dropped link comes back with a fresh hello.

use crate::common;

use common::fake_edge::FakeEdge;
use common::*;
use durable_state::link::HostMessage;
use http::StatusCode;

/// A host enrolled at `edge`, with fast heartbeats.
async fn host_at(edge: &FakeEdge) -> TestHost {
    edge.state.tokens.lock().unwrap().push("fte_link".into());
    TestHost::start_with(&[
        "--edge",
        &edge.url,
        "--enroll",
        "fte_link",
        "--edge-heartbeat-interval",
        "100ms",
    ])
    .await
}

#[tokio::test]
async fn the_link_reports_hello_then_opened_heartbeats_and_closed() {
    let edge = FakeEdge::start(&[]).await;
    let host = host_at(&edge).await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");

    let (i, hello) = edge
        .wait_frame("hello", 0, |f| matches!(f, HostMessage::Hello { .. }))
        .await;
    assert_eq!(i, 0, "hello comes first");
    let HostMessage::Hello {
        version,
        tunnels,
        address,
        ..
    } = hello
    else {
        unreachable!()
    };
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    assert!(tunnels.is_empty());
    // Where people reach it: the domain, and the port the SSH listener really got.
    let address = address.expect("the hello says where the host listens");
    assert_eq!(
        (
            address.ssh_host.as_str(),
            address.ssh_port,
            address.tunnel_domain.as_str()
        ),
        ("localhost", host.addrs.ssh.port(), "localhost")
    );

    let (ssh, info) = host
        .tunnel(&alice, &format!("linked:80:{}", app.addr), |t| {
            t.name == "linked"
        })
        .await;
    let (_, opened) = edge
        .wait_frame(
            "opened",
            0,
            |f| matches!(f, HostMessage::Opened { tunnel } if tunnel.name == "linked"),
        )
        .await;
    let HostMessage::Opened { tunnel } = opened else {
        unreachable!()
    };
    assert_eq!(tunnel.id, info.id.to_string());
    assert_eq!(tunnel.user, "alice");
    assert_eq!(tunnel.kind, "http");
    assert_eq!(tunnel.public_url, info.public_url);

    // Traffic shows up in a later heartbeat's counters.
    let r = get(host.addrs.http, &host_header(&host, "linked"), "/")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    edge.wait_frame("a heartbeat with the request counted", 0, |f| {
        matches!(f, HostMessage::Heartbeat { tunnels }
            if tunnels.iter().any(|t| t.name == "linked" && t.requests == 1))
    })
    .await;

    drop(ssh);
    let (_, closed) = edge
        .wait_frame("closed", 0, |f| matches!(f, HostMessage::Closed { .. }))
        .await;
    let HostMessage::Closed { tunnel, reason } = closed else {
        unreachable!()
    };
    assert_eq!(tunnel.id, info.id.to_string());
    assert_eq!(reason, "session_ended");
    host.stop().await.unwrap();
}

#[tokio::test]
async fn a_kick_from_the_edge_closes_the_tunnel() {
    let edge = FakeEdge::start(&[]).await;
    let host = host_at(&edge).await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (ssh, info) = host
        .tunnel(&alice, &format!("kickme:80:{}", app.addr), |t| {
            t.name == "kickme"
        })
        .await;
    edge.wait_frame("opened", 0, |f| matches!(f, HostMessage::Opened { .. }))
        .await;
    let hh = host_header(&host, "kickme");
    assert_eq!(
        get(host.addrs.http, &hh, "/").await.unwrap().status(),
        StatusCode::OK
    );

    edge.kick(&info.id.to_string(), "abuse report");
    let (_, closed) = edge
        .wait_frame("closed by the kick", 0, |f| {
            matches!(f, HostMessage::Closed { .. })
        })
        .await;
    let HostMessage::Closed { tunnel, reason } = closed else {
        unreachable!()
    };
    assert_eq!(
        (tunnel.id, reason.as_str()),
        (info.id.to_string(), "kicked")
    );
    assert!(host.registry.find("kickme").is_none());
    let r = get(host.addrs.http, &hh, "/").await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);

    // The client was told why.
    let (_, stderr) = exit_output(ssh).await;
    assert!(stderr.contains("abuse report"), "{stderr}");
    host.stop().await.unwrap();
}

#[tokio::test]
async fn a_dropped_link_reconnects_with_a_fresh_hello() {
    let edge = FakeEdge::start(&[]).await;
    let host = host_at(&edge).await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, info) = host
        .tunnel(&alice, &format!("sticky:80:{}", app.addr), |t| {
            t.name == "sticky"
        })
        .await;
    edge.wait_frame("opened", 0, |f| matches!(f, HostMessage::Opened { .. }))
        .await;
    assert_eq!(edge.links(), 1);

    edge.drop_link();
    let seen = edge.frames().len();
    // The tunnel keeps serving while the link is down.
    let hh = host_header(&host, "sticky");
    assert_eq!(
        get(host.addrs.http, &hh, "/").await.unwrap().status(),
        StatusCode::OK
    );
    let (_, hello) = edge
        .wait_frame("a fresh hello", seen, |f| {
            matches!(f, HostMessage::Hello { .. })
        })
        .await;
    let HostMessage::Hello { tunnels, .. } = hello else {
        unreachable!()
    };
    assert_eq!(edge.links(), 2);
    assert_eq!(tunnels.len(), 1);
    assert_eq!(tunnels[0].id, info.id.to_string());
    host.stop().await.unwrap();
}

#[tokio::test]
async fn shutdown_reports_the_closes() {
    let edge = FakeEdge::start(&[]).await;
    let host = host_at(&edge).await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("bye:80:{}", app.addr), |t| t.name == "bye")
        .await;
    edge.wait_frame("opened", 0, |f| matches!(f, HostMessage::Opened { .. }))
        .await;
    host.stop().await.unwrap();
    edge.wait_frame(
        "closed by the shutdown",
        0,
        |f| matches!(f, HostMessage::Closed { reason, .. } if reason == "shutdown"),
    )
    .await;
}
