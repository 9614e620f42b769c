//! Authentication: only registered keys get in, and unknown ones hear why.

use crate::common;

use common::*;

#[tokio::test]
async fn unknown_key_is_refused_with_a_clear_message() {
    let host = TestHost::start().await;
    host.add_user("alice");
    let stranger = host.stranger("mallory");
    let child = host
        .ssh(&stranger, &["-N", "-R", "evil:80:127.0.0.1:9"])
        .spawn()
        .unwrap();
    let (code, stderr) = exit_output(child).await;
    assert_eq!(code, Some(255), "ssh must fail: {stderr}");
    assert!(stderr.contains("not registered"), "stderr: {stderr}");
    assert!(host.registry.list().is_empty());
}

#[tokio::test]
async fn a_known_key_after_an_unknown_one_still_gets_in() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let old = host.stranger("alice");
    // the unknown key is offered first; the client must then try the registered one
    let mut child = host
        .ssh(
            &old,
            &[
                "-i",
                alice.path.to_str().unwrap(),
                "-N",
                "-R",
                &format!("two:80:{}", app.addr),
            ],
        )
        .spawn()
        .unwrap();
    let info = host.wait_tunnel(&mut child, |t| t.name == "two").await;
    assert_eq!(info.user, "alice");
}

#[tokio::test]
async fn authorized_keys_changes_apply_without_restart() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (first, _) = host
        .tunnel(&alice, &format!("k1:80:{}", app.addr), |t| t.name == "k1")
        .await;
    drop(first);
    // remove alice: her key is refused from the next connection on
    std::fs::write(host.dir.path().join("authorized_keys"), "").unwrap();
    let child = host
        .ssh(&alice, &["-N", "-R", &format!("k2:80:{}", app.addr)])
        .spawn()
        .unwrap();
    let (code, stderr) = exit_output(child).await;
    assert_eq!(code, Some(255));
    assert!(stderr.contains("not registered"), "{stderr}");
}
