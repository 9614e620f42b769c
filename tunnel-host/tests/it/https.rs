//! HTTPS in process: a certificate from files serves HTTP/2 and HTTP/1.1 by ALPN with
//! `X-Forwarded-Proto: https`, a port-443 tunnel has plain HTTP redirected, a WebSocket
//! works over HTTP/2 (RFC 8441) to an app that speaks HTTP/1.1 Upgrade, and with ACME
//! only names open or reserved at the edge lead to an order (the ACME server here is
//! unreachable, so an order that is placed fails and is counted).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;

use crate::common;

use common::fake_edge::FakeEdge;
use common::*;

/// A TLS connection to the host's HTTPS listener for `name`, trusting `cert_pem`.
async fn tls(
    host: &TestHost,
    name: &str,
    cert_pem: &str,
    alpn: &[&[u8]],
) -> std::io::Result<TlsStream<TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(cert_pem.as_bytes()).unwrap())
        .unwrap();
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let stream = TcpStream::connect(host.addrs.https.unwrap()).await?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from(name.to_owned()).unwrap(), stream)
        .await
}

#[tokio::test]
async fn certificates_from_files_serve_http2_and_http1_and_port_443_tunnels_redirect() {
    let dir = tempfile::tempdir().unwrap();
    // (webpki takes no wildcard directly under a single label such as `localhost`)
    let names = ["web.localhost".into(), "safe.localhost".into()];
    let (_, cert_pem, key_pem) = tunnel_host::tls::self_signed(&names).unwrap();
    let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, &key_pem).unwrap();
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let host = TestHost::start_with(&[
        "--https-addr",
        "127.0.0.1:0",
        "--tls-cert",
        cert,
        "--tls-key",
        key,
    ])
    .await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let https_port = host.addrs.https.unwrap().port();
    let (_plain, info) = host
        .tunnel(&alice, &format!("web:80:{}", app.addr), |t| t.name == "web")
        .await;
    assert_eq!(
        info.public_url,
        format!("https://web.localhost:{https_port}")
    );

    // HTTP/2 by ALPN
    let stream = tls(&host, "web.localhost", &cert_pem, &[b"h2", b"http/1.1"])
        .await
        .unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (mut h2, conn) = hyper::client::conn::http2::handshake::<_, _, Full<Bytes>>(
        TokioExecutor::new(),
        TokioIo::new(stream),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let req = http::Request::builder()
        .uri(format!("https://web.localhost:{https_port}/headers"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = h2.send_request(req).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.version(), http::Version::HTTP_2);
    let text = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&text);
    assert!(text.contains("x-forwarded-proto: https"), "{text}");
    assert!(
        text.contains(&format!("host: web.localhost:{https_port}")),
        "{text}"
    );

    // HTTP/1.1 when the client offers only that
    let stream = tls(&host, "web.localhost", &cert_pem, &[b"http/1.1"])
        .await
        .unwrap();
    let (mut h1, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let response = send(&mut h1, request("GET", "web.localhost", "/x", Bytes::new()))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.body().as_ref(),
        b"hello from /x via web.localhost [app]"
    );
    // no HSTS unless configured
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none()
    );

    // a name outside the domain gets no certificate
    assert!(
        tls(&host, "web.example.com", &cert_pem, &[b"h2"])
            .await
            .is_err()
    );

    // port 443: plain HTTP redirects (method and body kept: 308), HTTPS serves
    let (_secure, _) = host
        .tunnel(&alice, &format!("safe:443:{}", app.addr), |t| {
            t.name == "safe"
        })
        .await;
    let response = get(host.addrs.http, &host_header(&host, "safe"), "/p?q=1")
        .await
        .unwrap();
    assert_eq!(response.status(), 308);
    assert_eq!(
        response.headers()["location"],
        format!("https://safe.localhost:{https_port}/p?q=1").as_str()
    );
    let response = get(host.addrs.http, &host_header(&host, "web"), "/p")
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        200,
        "port 80 tunnels stay on plain HTTP too"
    );
    let m = host.registry.metrics();
    assert_eq!(m.https_requests.load(Ordering::Relaxed), 2);
    assert!(m.tls_handshake_failures.load(Ordering::Relaxed) >= 1);
}

#[tokio::test]
async fn with_acme_only_open_or_reserved_names_lead_to_an_order() {
    let edge = FakeEdge::start(&[]).await;
    edge.state.tokens.lock().unwrap().push("fte_tls".into());
    edge.reserve("kept", "u-ada", "Ada");
    let host = TestHost::start_with(&[
        "--edge",
        &edge.url,
        "--enroll",
        "fte_tls",
        "--https-addr",
        "127.0.0.1:0",
        // nothing listens here: an order that is placed fails at once
        "--acme-directory",
        "http://127.0.0.1:9/directory",
    ])
    .await;
    let m = host.registry.metrics();
    let self_signed = tunnel_host::tls::self_signed(&["x".into()]).unwrap().1;

    // neither open nor reserved: no order, and the handshake fails
    assert!(
        tls(&host, "random.localhost", &self_signed, &[b"h2"])
            .await
            .is_err()
    );
    assert_eq!(m.acme_orders.load(Ordering::Relaxed), 0);
    assert_eq!(m.acme_names_refused.load(Ordering::Relaxed), 1);

    // reserved in the panel: ordered (and failed, the server being away), then backed off
    assert!(
        tls(&host, "kept.localhost", &self_signed, &[b"h2"])
            .await
            .is_err()
    );
    assert_eq!(m.acme_orders.load(Ordering::Relaxed), 1);
    assert_eq!(m.acme_order_failures.load(Ordering::Relaxed), 1);
    assert!(
        tls(&host, "kept.localhost", &self_signed, &[b"h2"])
            .await
            .is_err()
    );
    assert_eq!(m.acme_orders.load(Ordering::Relaxed), 1, "backed off");
    assert_eq!(m.acme_rate_limited.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn a_websocket_works_over_http2_to_an_app_speaking_http1_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let (_, cert_pem, key_pem) = tunnel_host::tls::self_signed(&["ws.localhost".into()]).unwrap();
    let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, &key_pem).unwrap();
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let host = TestHost::start_with(&[
        "--https-addr",
        "127.0.0.1:0",
        "--tls-cert",
        cert,
        "--tls-key",
        key,
    ])
    .await;
    let echo = crate::websocket::spawn_ws_echo().await;
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("ws:80:{echo}"), |t| t.name == "ws")
        .await;
    let https_port = host.addrs.https.unwrap().port();
    let stream = tls(&host, "ws.localhost", &cert_pem, &[b"h2"])
        .await
        .unwrap();
    let (mut h2, conn) = hyper::client::conn::http2::handshake::<_, _, Full<Bytes>>(
        TokioExecutor::new(),
        TokioIo::new(stream),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    // One plain request first, so the server's SETTINGS (with extended CONNECT) are in.
    let plain = http::Request::builder()
        .uri(format!("https://ws.localhost:{https_port}/"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    let _ = h2.send_request(plain).await.unwrap();

    let mut connect = http::Request::builder()
        .method(http::Method::CONNECT)
        .uri(format!("https://ws.localhost:{https_port}/socket"))
        .header("sec-websocket-version", "13")
        .body(Full::new(Bytes::new()))
        .unwrap();
    connect
        .extensions_mut()
        .insert(hyper::ext::Protocol::from_static("websocket"));
    let response = h2.send_request(connect).await.unwrap();
    assert_eq!(response.status(), 200);
    let upgraded = hyper::upgrade::on(response).await.unwrap();
    let mut ws = tokio_tungstenite::WebSocketStream::from_raw_socket(
        TokioIo::new(upgraded),
        Role::Client,
        None,
    )
    .await;
    ws.send(Message::text("over h2")).await.unwrap();
    assert_eq!(ws.next().await.unwrap().unwrap(), Message::text("over h2"));
    let blob = noise(128 * 1024, 3);
    ws.send(Message::binary(blob.clone())).await.unwrap();
    assert_eq!(ws.next().await.unwrap().unwrap(), Message::binary(blob));
    ws.close(None).await.unwrap();
}
