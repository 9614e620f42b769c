//! SSH hardening seen from the real client: strict kex, no compression, publickey only,
//! attempt limits, login grace, idle sessions, and the per-IP connection limit.

use crate::common;

use common::*;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

#[tokio::test]
async fn strict_kex_no_compression_publickey_only() {
    let host = TestHost::start().await;
    let alice = host.add_user("alice");
    let app = spawn_app().await;
    let mut child = host
        .ssh(
            &alice,
            &["-vvv", "-C", "-N", "-R", &format!("probe:80:{}", app.addr)],
        )
        .spawn()
        .unwrap();
    host.wait_tunnel(&mut child, |t| t.name == "probe").await;
    child.start_kill().unwrap();
    let (_, log) = exit_output(child).await;
    assert!(log.contains("will use strict KEX ordering"), "{log}");
    assert!(log.contains("kex-strict-s-v00@openssh.com"), "{log}");
    assert!(
        log.contains("compression ctos: none\n") || log.contains("compression ctos: none\r\n"),
        "{log}"
    );
    assert!(log.contains("compression stoc: none"), "{log}");
    assert!(log.contains("MAC: <implicit> compression: none"), "{log}");
    assert!(
        log.contains("Authentications that can continue: publickey\n")
            || log.contains("Authentications that can continue: publickey\r\n"),
        "{log}"
    );
    assert!(
        !log.contains(",ssh-rsa>"),
        "sha-1 rsa signatures are offered: {log}"
    );
}

#[tokio::test]
async fn password_authentication_is_not_offered() {
    let host = TestHost::start().await;
    let alice = host.add_user("alice");
    let child = host
        .ssh(
            &alice,
            &[
                "-o",
                "PreferredAuthentications=password,keyboard-interactive",
                "-N",
            ],
        )
        .spawn()
        .unwrap();
    let (code, stderr) = exit_output(child).await;
    assert_eq!(code, Some(255));
    assert!(stderr.contains("Permission denied (publickey)"), "{stderr}");
}

#[tokio::test]
async fn too_many_refused_keys_disconnect() {
    let host = TestHost::start_with(&["--max-auth-attempts", "2"]).await;
    let keys: Vec<ClientKey> = (0..4).map(|i| host.stranger(&format!("s{i}"))).collect();
    let mut args: Vec<String> = Vec::new();
    for k in &keys[1..] {
        args.push("-i".into());
        args.push(k.path.to_str().unwrap().into());
    }
    args.push("-N".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let child = host.ssh(&keys[0], &args).spawn().unwrap();
    let (code, stderr) = exit_output(child).await;
    assert_eq!(code, Some(255));
    assert!(
        stderr.contains("Too many authentication attempts"),
        "{stderr}"
    );
}

#[tokio::test]
async fn silent_connections_are_dropped_after_the_login_grace() {
    let host = TestHost::start_with(&["--login-grace-time", "300ms"]).await;
    let mut stream = TcpStream::connect(host.addrs.ssh).await.unwrap();
    let mut seen = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut seen))
        .await
        .expect("the server hangs up on a silent client")
        .unwrap_or_default();
    assert!(String::from_utf8_lossy(&seen).starts_with("SSH-2.0-flamingo-tunnel-host"));
}

#[tokio::test]
async fn sessions_without_a_tunnel_time_out() {
    let host = TestHost::start_with(&["--idle-timeout", "300ms"]).await;
    let alice = host.add_user("alice");
    let child = host.ssh(&alice, &["-N"]).spawn().unwrap();
    let (code, stderr) = exit_output(child).await;
    assert_eq!(code, Some(255));
    assert!(stderr.contains("session idle without a tunnel"), "{stderr}");
}

#[tokio::test]
async fn new_connections_per_ip_are_limited() {
    let host = TestHost::start_with(&["--max-connections-per-ip", "2"]).await;
    let mut banner = [0u8; 8];
    let mut first = TcpStream::connect(host.addrs.ssh).await.unwrap();
    first.read_exact(&mut banner).await.unwrap();
    assert_eq!(&banner, b"SSH-2.0-");
    let mut second = TcpStream::connect(host.addrs.ssh).await.unwrap();
    second.read_exact(&mut banner).await.unwrap();
    let mut third = TcpStream::connect(host.addrs.ssh).await.unwrap();
    let mut seen = Vec::new();
    tokio::time::timeout(PATIENCE, third.read_to_end(&mut seen))
        .await
        .expect("the third connection is closed")
        .unwrap_or_default();
    assert!(seen.is_empty(), "got {:?}", String::from_utf8_lossy(&seen));
    let metrics = get(host.addrs.admin, "localhost", "/metrics")
        .await
        .unwrap();
    let text = String::from_utf8_lossy(metrics.body());
    assert!(
        text.contains("tunnel_host_ssh_rate_limited_total 1\n"),
        "{text}"
    );
}
