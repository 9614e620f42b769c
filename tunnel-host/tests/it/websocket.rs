//! Upgrades pass through the proxy: a WebSocket echo through a tunnel.

use crate::common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;

/// A WebSocket server echoing every data message.
pub(crate) async fn spawn_ws_echo() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(socket).await else {
                    return;
                };
                while let Some(Ok(msg)) = ws.next().await {
                    if (msg.is_text() || msg.is_binary()) && ws.send(msg).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn websocket_echo_through_the_tunnel() {
    let host = TestHost::start().await;
    let echo = spawn_ws_echo().await;
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("ws:80:{echo}"), |t| t.name == "ws")
        .await;

    let url = format!("ws://{}/socket", host_header(&host, "ws"));
    let stream = TcpStream::connect(host.addrs.http).await.unwrap();
    let (mut ws, response) = tokio_tungstenite::client_async(url, stream).await.unwrap();
    assert_eq!(response.status(), 101);

    ws.send(Message::text("hello through ssh")).await.unwrap();
    assert_eq!(
        ws.next().await.unwrap().unwrap(),
        Message::text("hello through ssh")
    );
    let blob: Vec<u8> = noise(256 * 1024, 7);
    ws.send(Message::binary(blob.clone())).await.unwrap();
    assert_eq!(ws.next().await.unwrap().unwrap(), Message::binary(blob));
    ws.close(None).await.unwrap();

    // the tunnel keeps serving plain HTTP after the upgrade
    let info = host.registry.find("ws").unwrap().info();
    assert_eq!(info.requests, 1);
    assert!(info.bytes_out > 256 * 1024);
}
