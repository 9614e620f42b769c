//! Request smuggling: conflicting or malformed framing is refused, and what reaches the
//! client's service is hyper's re-serialization, never the visitor's raw bytes.

use crate::common;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

async fn host_with_tunnel() -> (TestHost, App, String, tokio::process::Child) {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (ssh, _) = host
        .tunnel(&alice, &format!("victim:80:{}", app.addr), |t| {
            t.name == "victim"
        })
        .await;
    let hh = host_header(&host, "victim");
    (host, app, hh, ssh)
}

fn status_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or("")
}

#[tokio::test]
async fn conflicting_or_malformed_framing_is_rejected() {
    let (host, app, hh, _ssh) = host_with_tunnel().await;
    let smuggled = format!("GET /smuggled HTTP/1.1\r\nHost: {hh}\r\n\r\n");

    // CL.TE: RFC 9112 §6.1 lets a server process it by Transfer-Encoding alone if it
    // closes the connection afterwards; hyper does exactly that, so nothing after the
    // chunked body is ever read as a second request.
    let cl_te = format!(
        "POST /a HTTP/1.1\r\nHost: {hh}\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{smuggled}"
    );
    let answer = raw_exchange(host.addrs.http, cl_te.as_bytes()).await;
    assert!(
        status_line(&answer).starts_with("HTTP/1.1 400")
            || (answer.matches("HTTP/1.1 ").count() == 1 && answer.contains("connection: close")),
        "{answer}"
    );

    let attempts = [
        // two different Content-Length values
        format!(
            "POST /b HTTP/1.1\r\nHost: {hh}\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n{smuggled}"
        ),
        // Content-Length list with different values
        format!("POST /c HTTP/1.1\r\nHost: {hh}\r\nContent-Length: 0, 44\r\n\r\n{smuggled}"),
        // chunked not the final encoding
        format!(
            "POST /d HTTP/1.1\r\nHost: {hh}\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n{smuggled}"
        ),
        // obfuscated Transfer-Encoding
        format!(
            "POST /e HTTP/1.1\r\nHost: {hh}\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n{smuggled}"
        ),
        // whitespace before the colon
        format!(
            "POST /f HTTP/1.1\r\nHost: {hh}\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n{smuggled}"
        ),
        // malformed chunk size
        format!(
            "POST /g HTTP/1.1\r\nHost: {hh}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n{smuggled}"
        ),
        // chunk size with an overflowing length
        format!(
            "POST /h HTTP/1.1\r\nHost: {hh}\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n{smuggled}"
        ),
        // two Host headers
        format!("GET /i HTTP/1.1\r\nHost: {hh}\r\nHost: other.localhost\r\n\r\n{smuggled}"),
        // a negative length
        format!("POST /j HTTP/1.1\r\nHost: {hh}\r\nContent-Length: -1\r\n\r\n{smuggled}"),
    ];
    for attempt in &attempts {
        let answer = raw_exchange(host.addrs.http, attempt.as_bytes()).await;
        let status = status_line(&answer);
        assert!(
            status.starts_with("HTTP/1.1 400") || status.is_empty(),
            "accepted {attempt:?}: {answer}"
        );
    }
    let seen = app.seen.lock().unwrap().clone();
    assert!(
        seen.iter().all(|l| !l.contains("smuggled")),
        "a smuggled request reached the service: {seen:?}"
    );
}

#[tokio::test]
async fn upstream_receives_a_reserialized_request() {
    let host = TestHost::start().await;
    // a raw upstream that records the exact bytes it receives
    let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream_addr = upstream.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<String>();
    tokio::spawn(async move {
        let (mut socket, _) = upstream.accept().await.unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        // read until the chunked body's terminator
        while !buf.ends_with(b"0\r\n\r\n") {
            let n = socket.read(&mut chunk).await.unwrap();
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        socket
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            .await
            .unwrap();
        let _ = tx.send(String::from_utf8_lossy(&buf).into_owned());
    });
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("raw:80:{upstream_addr}"), |t| {
            t.name == "raw"
        })
        .await;
    let hh = host_header(&host, "raw");
    let visitor = format!(
        "POST http://{hh}/abs?q=1 HTTP/1.1\r\nHOST: {hh}\r\nX-Mixed-Case: v\r\nTransfer-Encoding: chunked\r\n\
         Connection: close, X-Drop\r\nX-Drop: 1\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n"
    );
    let answer = raw_exchange(host.addrs.http, visitor.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let received = rx.await.unwrap();
    let head = received.split("\r\n\r\n").next().unwrap().to_owned();
    assert!(
        head.starts_with("POST /abs?q=1 HTTP/1.1\r\n"),
        "origin-form: {received}"
    );
    assert!(head.contains("\r\nx-mixed-case: v"), "{received}");
    assert!(!head.to_ascii_lowercase().contains("x-drop"), "{received}");
    assert_eq!(
        head.to_ascii_lowercase()
            .matches("transfer-encoding: chunked")
            .count(),
        1,
        "{received}"
    );
    // the body is re-chunked by hyper: no chunk extensions, same data
    let body = &received[head.len() + 4..];
    assert!(!body.contains("ext=1"), "{received}");
    assert!(body.contains("abc") && body.contains("de"), "{received}");
}

#[tokio::test]
async fn an_absolute_form_target_is_routed_by_its_authority_not_a_conflicting_host() {
    let (host, victim_app, victim, _ssh) = host_with_tunnel().await;
    let other_app = spawn_labeled_app("other").await;
    let bob = host.add_user("bob");
    let (_other_ssh, _) = host
        .tunnel(&bob, &format!("other:80:{}", other_app.addr), |t| {
            t.name == "other"
        })
        .await;
    let other = host_header(&host, "other");
    // RFC 9112 §3.2.2: the target's authority wins, and the app sees it as Host.
    let request = format!(
        "GET http://{victim}/absolute HTTP/1.1\r\nHost: {other}\r\nConnection: close\r\n\r\n"
    );
    let answer = raw_exchange(host.addrs.http, request.as_bytes()).await;
    assert!(status_line(&answer).starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.ends_with(&format!("hello from /absolute via {victim} [app]")),
        "{answer}"
    );
    assert_eq!(
        *victim_app.seen.lock().unwrap(),
        ["GET /absolute"],
        "origin-form upstream"
    );
    assert!(other_app.seen.lock().unwrap().is_empty());
}
