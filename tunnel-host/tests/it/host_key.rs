//! The host key persists: same fingerprint seen by OpenSSH across restarts, mode 0600.

use crate::common;

use std::os::unix::fs::PermissionsExt;

use common::*;
use tokio::process::Command;

/// The ED25519 fingerprint as `ssh-keyscan | ssh-keygen -lf -` reports it.
async fn scanned_fingerprint(host: &TestHost) -> String {
    let scan = Command::new("/usr/bin/ssh-keyscan")
        .args([
            "-t",
            "ed25519",
            "-p",
            &host.addrs.ssh.port().to_string(),
            "127.0.0.1",
        ])
        .output()
        .await
        .unwrap();
    let keys = String::from_utf8(scan.stdout).unwrap();
    assert!(keys.contains("ssh-ed25519"), "keyscan: {keys}");
    let path = host
        .dir
        .path()
        .join(format!("scan-{}", uuid::Uuid::new_v4()));
    std::fs::write(&path, &keys).unwrap();
    let out = Command::new("/usr/bin/ssh-keygen")
        .arg("-lf")
        .arg(&path)
        .output()
        .await
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace()
        .find(|w| w.starts_with("SHA256:"))
        .unwrap_or_else(|| panic!("no fingerprint in {text}"))
        .to_owned()
}

#[tokio::test]
async fn host_key_survives_a_restart() {
    let host = TestHost::start().await;
    let first = scanned_fingerprint(&host).await;
    let key_path = host.dir.path().join("ssh_host_ed25519_key");
    let mode = std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let on_disk = tunnel_host::host_key::load_or_generate(&key_path).unwrap();
    assert_eq!(tunnel_host::host_key::fingerprint(&on_disk), first);

    let restarted = host.restart().await;
    assert_eq!(scanned_fingerprint(&restarted).await, first);
    let mode = std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    let fresh = TestHost::start().await;
    assert_ne!(scanned_fingerprint(&fresh).await, first);
}
