//! HTTP through a tunnel: requests and headers, keep-alive, big streamed bodies, error pages.

use std::sync::atomic::Ordering;

use crate::common;

use bytes::Bytes;
use common::*;
use http::StatusCode;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn get_through_named_tunnel() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, info) = host
        .tunnel(&alice, &format!("myapp:80:{}", app.addr), |t| {
            t.name == "myapp"
        })
        .await;
    assert_eq!(info.user, "alice");
    assert_eq!(
        info.public_url,
        format!("http://myapp.localhost:{}", host.addrs.http.port())
    );
    let r = get(host.addrs.http, &host_header(&host, "myapp"), "/hi?x=1")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.body(),
        &Bytes::from(format!(
            "hello from /hi via {} [app]",
            host_header(&host, "myapp")
        ))
    );
    assert_eq!(*app.seen.lock().unwrap(), vec!["GET /hi?x=1".to_owned()]);
}

#[tokio::test]
async fn forwarded_headers_set_and_hop_by_hop_removed() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("hdrs:80:{}", app.addr), |t| {
            t.name == "hdrs"
        })
        .await;
    let mut sender = connect(host.addrs.http).await.unwrap();
    let mut req = request("GET", &host_header(&host, "hdrs"), "/headers", Bytes::new());
    let h = req.headers_mut();
    h.insert("connection", "keep-alive, x-private".parse().unwrap());
    h.insert("x-private", "secret".parse().unwrap());
    h.insert("keep-alive", "timeout=5".parse().unwrap());
    h.insert("proxy-authorization", "Basic Zm9vOmJhcg==".parse().unwrap());
    h.insert("x-forwarded-for", "6.6.6.6".parse().unwrap());
    h.insert("x-custom", "kept".parse().unwrap());
    let r = send(&mut sender, req).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let seen = String::from_utf8(r.body().to_vec()).unwrap();
    assert!(seen.contains("x-forwarded-for: 127.0.0.1\n"), "{seen}");
    assert!(seen.contains("x-forwarded-proto: http\n"), "{seen}");
    assert!(
        seen.contains(&format!(
            "x-forwarded-host: {}\n",
            host_header(&host, "hdrs")
        )),
        "{seen}"
    );
    assert!(
        seen.contains(&format!("host: {}\n", host_header(&host, "hdrs"))),
        "{seen}"
    );
    assert!(seen.contains("x-custom: kept\n"), "{seen}");
    for gone in ["x-private", "keep-alive", "proxy-authorization", "6.6.6.6"] {
        assert!(!seen.contains(gone), "{gone} leaked upstream: {seen}");
    }
}

#[tokio::test]
async fn keep_alive_reuses_one_connection_and_one_channel() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("ka:80:{}", app.addr), |t| t.name == "ka")
        .await;
    let mut sender = connect(host.addrs.http).await.unwrap();
    for i in 0..5 {
        let r = send(
            &mut sender,
            request(
                "GET",
                &host_header(&host, "ka"),
                &format!("/{i}"),
                Bytes::new(),
            ),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers().get("connection"), None);
    }
    let info = host.registry.find("ka").unwrap().info();
    assert_eq!(info.requests, 5);
    assert_eq!(
        info.connections, 1,
        "one upstream channel for one keep-alive connection"
    );
    assert!(info.bytes_in > 0 && info.bytes_out > 0);
}

#[tokio::test]
async fn ten_megabyte_body_round_trips_intact() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("big:80:{}", app.addr), |t| t.name == "big")
        .await;
    let body = noise(10 * 1024 * 1024, 0x5eed);
    let sent = Sha256::digest(&body);
    let mut sender = connect(host.addrs.http).await.unwrap();
    let r = send(
        &mut sender,
        request(
            "POST",
            &host_header(&host, "big"),
            "/echo",
            Bytes::from(body),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.body().len(), 10 * 1024 * 1024);
    assert_eq!(Sha256::digest(r.body()), sent);
    let info = host.registry.find("big").unwrap().info();
    assert!(info.bytes_in >= 10 * 1024 * 1024 && info.bytes_out >= 10 * 1024 * 1024);
}

#[tokio::test]
async fn error_pages_for_unknown_names_and_bad_hosts() {
    let host = TestHost::start().await;
    let r = get(host.addrs.http, &host_header(&host, "nobody"), "/")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    assert!(String::from_utf8_lossy(r.body()).contains("Tunnel not found"));

    let r = get(host.addrs.http, "localhost", "/").await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let r = get(host.addrs.http, "example.com", "/").await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let raw = raw_exchange(
        host.addrs.http,
        b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(raw.starts_with("HTTP/1.1 400"), "{raw}");
}

#[tokio::test]
async fn bad_gateway_when_the_local_service_is_down() {
    let host = TestHost::start().await;
    // a port with nothing listening: the ssh client refuses the channel
    let dead = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap()
    };
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("down:80:{dead}"), |t| t.name == "down")
        .await;
    let r = get(host.addrs.http, &host_header(&host, "down"), "/")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert!(String::from_utf8_lossy(r.body()).contains("could not reach its service"));
}

#[tokio::test]
async fn request_bodies_over_the_limit_get_413() {
    let host = TestHost::start_with(&["--max-request-body", "1k"]).await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("lim:80:{}", app.addr), |t| t.name == "lim")
        .await;
    let hh = host_header(&host, "lim");

    // declared too large: refused before anything is sent upstream
    let mut sender = connect(host.addrs.http).await.unwrap();
    let r = send(
        &mut sender,
        request("POST", &hh, "/echo", Bytes::from(vec![1u8; 2048])),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // chunked, so only counted while streaming
    let chunk = "a".repeat(1500);
    let raw = format!(
        "POST /echo HTTP/1.1\r\nHost: {hh}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    let answer = raw_exchange(host.addrs.http, raw.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // within the limit passes
    let r = send(
        &mut connect(host.addrs.http).await.unwrap(),
        request("POST", &hh, "/echo", Bytes::from(vec![7u8; 1000])),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.body().len(), 1000);
}

#[tokio::test]
async fn a_visitor_who_stops_reading_does_not_stall_the_tunnel() {
    let host = TestHost::start_with(&["--visitor-stall-timeout", "300ms"]).await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("stall:80:{}", app.addr), |t| {
            t.name == "stall"
        })
        .await;
    let hh = host_header(&host, "stall");
    // ask for far more than the socket and channel buffers hold, then never read
    let mut greedy = tokio::net::TcpStream::connect(host.addrs.http)
        .await
        .unwrap();
    tokio::io::AsyncWriteExt::write_all(
        &mut greedy,
        format!("GET /bytes?n={} HTTP/1.1\r\nHost: {hh}\r\n\r\n", 96 << 20).as_bytes(),
    )
    .await
    .unwrap();
    // wait until every buffer on the way is full and the response stops moving
    let mut last = 0;
    let mut still = 0;
    while still < 3 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let now = host.registry.find("stall").unwrap().info().bytes_out;
        still = if now == last && now > 0 { still + 1 } else { 0 };
        last = now;
    }
    // other visitors still get through
    let r = tokio::time::timeout(PATIENCE, get(host.addrs.http, &hh, "/after"))
        .await
        .expect("the tunnel is not stalled")
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    drop(greedy);
}

#[tokio::test]
async fn visitors_are_placed_on_their_tunnels_data_thread() {
    let host = TestHost::start_with(&["--data-threads", "2"]).await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    // two SSH sessions: one on each data thread
    let (_one, _) = host
        .tunnel(&alice, &format!("one:80:{}", app.addr), |t| t.name == "one")
        .await;
    let (_two, _) = host
        .tunnel(&alice, &format!("two:80:{}", app.addr), |t| t.name == "two")
        .await;
    let m = host.registry.metrics();
    let (placed, unplaced) = (
        m.visitor_connections_placed.load(Ordering::Relaxed),
        m.visitor_connections_unplaced.load(Ordering::Relaxed),
    );
    for name in ["one", "two", "one", "two"] {
        let r = get(host.addrs.http, &host_header(&host, name), "/hi")
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = get(host.addrs.http, &host_header(&host, "nobody"), "/hi")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "served where it landed");
    assert_eq!(
        m.visitor_connections_placed.load(Ordering::Relaxed),
        placed + 4
    );
    assert_eq!(
        m.visitor_connections_unplaced.load(Ordering::Relaxed),
        unplaced + 1
    );
}
