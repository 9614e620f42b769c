//! The admin API over a real socket: list, kick (then 502 and the client told), metrics.

use crate::common;

use bytes::Bytes;
use common::*;
use http::StatusCode;

#[tokio::test]
async fn lists_tunnels_with_counters() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("listed:80:{}", app.addr), |t| {
            t.name == "listed"
        })
        .await;
    get(host.addrs.http, &host_header(&host, "listed"), "/")
        .await
        .unwrap();

    let r = get(host.addrs.admin, "localhost", "/tunnels")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/json");
    let list: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
    let t = &list[0];
    assert_eq!(t["name"], "listed");
    assert_eq!(t["kind"], "http");
    assert_eq!(t["user"], "alice");
    assert!(t["client_address"].is_null());
    assert!(t["client_addr"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert!(t["id"].as_str().unwrap().len() == 36);
    assert!(
        time_like(t["opened_at"].as_str().unwrap()),
        "opened_at is RFC 3339: {}",
        t["opened_at"]
    );
    assert_eq!(t["requests"], 1);
    assert!(t["bytes_in"].as_u64().unwrap() > 0);
    assert!(t["bytes_out"].as_u64().unwrap() > 0);
}

fn time_like(s: &str) -> bool {
    s.len() >= 20 && s.as_bytes()[4] == b'-' && s.contains('T') && s.ends_with('Z')
}

#[tokio::test]
async fn kick_closes_the_tunnel_then_502_and_the_client_is_told() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (ssh, _) = host
        .tunnel(&alice, &format!("kicked:80:{}", app.addr), |t| {
            t.name == "kicked"
        })
        .await;
    let hh = host_header(&host, "kicked");
    // a keep-alive visitor connection open across the kick
    let mut visitor = connect(host.addrs.http).await.unwrap();
    let r = send(&mut visitor, request("GET", &hh, "/", Bytes::new()))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut events = host.registry.subscribe();

    let mut admin = connect(host.addrs.admin).await.unwrap();
    let r = send(
        &mut admin,
        request(
            "DELETE",
            "localhost",
            "/tunnels/kicked?message=abuse",
            Bytes::new(),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    match events.recv().await.unwrap() {
        tunnel_host::TunnelEvent::Closed { tunnel, reason } => {
            assert_eq!(tunnel.name, "kicked");
            assert_eq!(
                reason,
                tunnel_host::CloseReason::Kicked {
                    message: "abuse".into()
                }
            );
        }
        other => panic!("unexpected event {other:?}"),
    }

    // next request, on the old connection or a new one: 502
    let r = send(&mut visitor, request("GET", &hh, "/", Bytes::new()))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    let r = get(host.addrs.http, &hh, "/").await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert!(String::from_utf8_lossy(r.body()).contains("Tunnel offline"));

    // the session held nothing else, so it was closed with the reason
    let (code, stderr) = exit_output(ssh).await;
    assert_eq!(code, Some(255));
    assert!(
        stderr.contains("closed by the administrator: abuse"),
        "{stderr}"
    );

    let r = send(
        &mut admin,
        request("DELETE", "localhost", "/tunnels/kicked", Bytes::new()),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn metrics_and_health() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let stranger = host.stranger("mallory");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("m:80:{}", app.addr), |t| t.name == "m")
        .await;
    let refused = host.ssh(&stranger, &["-N"]).spawn().unwrap();
    exit_output(refused).await;
    get(host.addrs.http, &host_header(&host, "m"), "/")
        .await
        .unwrap();

    let r = get(host.addrs.admin, "localhost", "/healthz")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let r = get(host.addrs.admin, "localhost", "/metrics")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = String::from_utf8(r.body().to_vec()).unwrap();
    let value = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing in {text}"))
    };
    assert_eq!(value("tunnel_host_tunnels_open{kind=\"http\"}"), 1);
    assert_eq!(value("tunnel_host_ssh_sessions"), 1);
    assert_eq!(value("tunnel_host_http_requests_total"), 1);
    assert_eq!(value("tunnel_host_connections_total"), 1);
    assert!(value("tunnel_host_auth_failures_total") >= 1);
    assert!(value("tunnel_host_bytes_in_total") > 0);
    assert!(value("tunnel_host_bytes_out_total") > 0);
}

#[tokio::test]
async fn a_rebound_dns_name_can_neither_list_nor_kick() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("kept:80:{}", app.addr), |t| {
            t.name == "kept"
        })
        .await;
    let port = host.addrs.admin.port();
    let rebound = format!("rebound.example:{port}");
    let r = get(host.addrs.admin, &rebound, "/tunnels").await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!String::from_utf8_lossy(r.body()).contains("kept"));
    let mut admin = connect(host.addrs.admin).await.unwrap();
    let r = send(
        &mut admin,
        request("DELETE", &rebound, "/tunnels/kept", Bytes::new()),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(host.registry.find("kept").is_some(), "not kicked");
    for name in [
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "localhost".into(),
    ] {
        let r = get(host.addrs.admin, &name, "/tunnels").await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{name}");
    }
}
