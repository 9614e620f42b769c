//! Lifecycle: the library stops on its shutdown future, and the real binary logs where it
//! listens, serves, and exits 0 on SIGTERM and on Ctrl-C (SIGINT).

use crate::common;

use std::process::Stdio;

use common::*;
use http::StatusCode;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

#[tokio::test]
async fn run_returns_ok_after_shutdown_and_closes_sessions() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (ssh, _) = host
        .tunnel(&alice, &format!("bye:80:{}", app.addr), |t| t.name == "bye")
        .await;
    let mut events = host.registry.subscribe();
    let http = host.addrs.http;
    host.stop().await.unwrap();
    match events.recv().await.unwrap() {
        tunnel_host::TunnelEvent::Closed { reason, .. } => {
            assert_eq!(reason, tunnel_host::CloseReason::Shutdown)
        }
        other => panic!("unexpected {other:?}"),
    }
    let (code, stderr) = exit_output(ssh).await;
    assert_eq!(code, Some(255));
    assert!(stderr.contains("shutting down"), "{stderr}");
    // no longer accepting
    assert!(tokio::net::TcpStream::connect(http).await.is_err());
}

async fn binary_stops_on(signal: &str) {
    require_ssh();
    let dir = tempfile::tempdir().unwrap();
    let alice = make_key(dir.path(), "alice");
    std::fs::write(
        dir.path().join("authorized_keys"),
        format!("{}\n", alice.public),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tunnel-host"))
        .args([
            "--ssh-addr",
            "127.0.0.1:0",
            "--http-addr",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir.path())
        // flags can come from the environment too
        .env("TUNNEL_HOST_ADMIN_ADDR", "127.0.0.1:0")
        .env("TUNNEL_HOST_LOG_FORMAT", "json")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let listening: serde_json::Value = tokio::time::timeout(PATIENCE, async {
        loop {
            let line = lines.next_line().await.unwrap().expect("the binary logs");
            let v: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not json ({e}): {line}"));
            assert_eq!(
                v["message"].as_str().unwrap(),
                v["message"].as_str().unwrap().to_lowercase()
            );
            if v["message"] == "tunnel host listening" {
                return v;
            }
        }
    })
    .await
    .expect("the binary says where it listens");
    assert_eq!(listening["level"], "INFO");
    let addr =
        |k: &str| -> std::net::SocketAddr { listening[k].as_str().unwrap().parse().unwrap() };
    let (ssh_addr, http_addr, admin_addr) = (addr("ssh"), addr("http"), addr("admin"));

    let r = get(admin_addr, "localhost", "/healthz").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // a real tunnel through the binary
    let app = spawn_app().await;
    let mut ssh = Command::new(SSH)
        .args([
            "-F",
            "/dev/null",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "ExitOnForwardFailure=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "IdentityAgent=none",
            "-i",
        ])
        .arg(&alice.path)
        .args(["-p", &ssh_addr.port().to_string(), "-N", "-R"])
        .arg(format!("bin:80:{}", app.addr))
        .arg("alice@127.0.0.1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let hh = format!("bin.localhost:{}", http_addr.port());
    wait_for("the tunnel through the binary", || {
        let hh = hh.clone();
        async move {
            let r = get(http_addr, &hh, "/").await.ok()?;
            (r.status() == StatusCode::OK).then_some(())
        }
    })
    .await;
    assert!(ssh.try_wait().unwrap().is_none());

    let pid = child.id().unwrap().to_string();
    // the shell's builtin kill: no procps needed
    let killed = Command::new("/bin/sh")
        .args(["-c", &format!("kill {signal} {pid}")])
        .status()
        .await
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(PATIENCE, child.wait())
        .await
        .expect("the binary exits")
        .unwrap();
    assert_eq!(status.code(), Some(0), "exit status after {signal}");
    let (code, _) = exit_output(ssh).await;
    assert_eq!(code, Some(255), "the ssh session was closed");
}

#[tokio::test]
async fn binary_exits_zero_on_sigterm() {
    binary_stops_on("-TERM").await;
}

#[tokio::test]
async fn binary_exits_zero_on_ctrl_c() {
    binary_stops_on("-INT").await;
}
