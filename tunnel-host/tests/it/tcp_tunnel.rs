//! TCP tunnels: a port from the range, reported to the client, piping raw bytes.

use crate::common;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tunnel_host::TunnelKind;

async fn spawn_tcp_echo() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut r, mut w) = socket.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn port_zero_allocates_a_port_and_pipes_bytes() {
    let host = TestHost::start_with(&["--tcp-port-range", "21000-21999"]).await;
    let echo = spawn_tcp_echo().await;
    let alice = host.add_user("alice");
    let (mut ssh, info) = host
        .tunnel(&alice, &format!("0:{echo}"), |t| t.kind == TunnelKind::Tcp)
        .await;
    let port: u16 = info.public_url.rsplit(':').next().unwrap().parse().unwrap();
    assert!((21000..=21999).contains(&port));
    assert_eq!(info.name, format!("tcp-{port}"));
    assert_eq!(info.public_url, format!("tcp://localhost:{port}"));

    for round in 0..3u64 {
        let mut conn = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let payload = noise(100_000, round + 1);
        conn.write_all(&payload).await.unwrap();
        let mut back = vec![0u8; payload.len()];
        conn.read_exact(&mut back).await.unwrap();
        assert_eq!(back, payload);
    }
    assert_eq!(
        host.registry.find(&info.name).unwrap().info().connections,
        3
    );

    // OpenSSH learned the allocated port from the reply
    ssh.start_kill().unwrap();
    let (_, stderr) = exit_output(ssh).await;
    assert!(
        stderr.contains(&format!("Allocated port {port}")),
        "{stderr}"
    );
}

#[tokio::test]
async fn ports_outside_the_range_are_refused() {
    let host = TestHost::start_with(&["--tcp-port-range", "22000-22099"]).await;
    let echo = spawn_tcp_echo().await;
    let alice = host.add_user("alice");
    let ssh = host
        .ssh(&alice, &["-N", "-R", &format!("5999:{echo}")])
        .spawn()
        .unwrap();
    let (code, _) = exit_output(ssh).await;
    assert_eq!(code, Some(255));
    assert!(host.registry.list().is_empty());
}
