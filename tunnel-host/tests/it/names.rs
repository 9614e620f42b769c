//! Virtual binds: who may hold which name, takeovers, random names, reserved names, limits.

use crate::common;

use common::*;
use http::StatusCode;

#[tokio::test]
async fn a_name_held_by_another_user_is_refused() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let bob = host.add_user("bob");
    let (_alice_ssh, _) = host
        .tunnel(&alice, &format!("shared:80:{}", app.addr), |t| {
            t.name == "shared"
        })
        .await;
    let bob_ssh = host
        .ssh(&bob, &["-N", "-R", &format!("shared:80:{}", app.addr)])
        .spawn()
        .unwrap();
    let (code, stderr) = exit_output(bob_ssh).await;
    assert_eq!(code, Some(255));
    assert!(stderr.contains("remote port forwarding failed"), "{stderr}");
    let t = host.registry.find("shared").unwrap().info();
    assert_eq!(t.user, "alice");
}

#[tokio::test]
async fn the_same_user_takes_the_name_over_from_an_older_session() {
    let host = TestHost::start().await;
    let old_app = spawn_labeled_app("old").await;
    let new_app = spawn_labeled_app("new").await;
    let alice = host.add_user("alice");
    let (old_ssh, old) = host
        .tunnel(&alice, &format!("mine:80:{}", old_app.addr), |t| {
            t.name == "mine"
        })
        .await;
    let hh = host_header(&host, "mine");
    let r = get(host.addrs.http, &hh, "/").await.unwrap();
    assert!(String::from_utf8_lossy(r.body()).ends_with("[old]"));

    let (_new_ssh, new) = host
        .tunnel(&alice, &format!("mine:80:{}", new_app.addr), |t| {
            t.name == "mine" && t.id != old.id
        })
        .await;
    assert_ne!(new.session, old.session);
    let r = get(host.addrs.http, &hh, "/").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(String::from_utf8_lossy(r.body()).ends_with("[new]"));

    // the older session lost its only tunnel and was told so
    let (code, stderr) = exit_output(old_ssh).await;
    assert_eq!(code, Some(255));
    assert!(stderr.contains("taken over by a newer session"), "{stderr}");
    assert_eq!(host.registry.list().len(), 1);
}

#[tokio::test]
async fn no_name_gets_a_readable_random_one() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, info) = host
        .tunnel(&alice, &format!("80:{}", app.addr), |t| t.user == "alice")
        .await;
    let parts: Vec<&str> = info.name.split('-').collect();
    assert_eq!(parts.len(), 3, "{}", info.name);
    assert!(parts[0].chars().all(|c| c.is_ascii_lowercase()));
    assert!(parts[1].chars().all(|c| c.is_ascii_lowercase()));
    assert!(parts[2].parse::<u8>().is_ok());
    let r = get(host.addrs.http, &host_header(&host, &info.name), "/")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // an explicit wildcard address works the same way
    let (_ssh2, other) = host
        .tunnel(&alice, &format!("0.0.0.0:80:{}", app.addr), |t| {
            t.id != info.id
        })
        .await;
    assert_ne!(other.name, info.name);
}

#[tokio::test]
async fn reserved_and_invalid_names_are_refused() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    for name in ["admin", "www", "bad_name", "tcp-20001"] {
        let ssh = host
            .ssh(&alice, &["-N", "-R", &format!("{name}:80:{}", app.addr)])
            .spawn()
            .unwrap();
        let (code, stderr) = exit_output(ssh).await;
        assert_eq!(code, Some(255), "{name}: {stderr}");
    }
    assert!(host.registry.list().is_empty());
}

#[tokio::test]
async fn tunnels_per_user_are_limited() {
    let host = TestHost::start_with(&["--max-tunnels-per-user", "1"]).await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, _) = host
        .tunnel(&alice, &format!("one:80:{}", app.addr), |t| t.name == "one")
        .await;
    let second = host
        .ssh(&alice, &["-N", "-R", &format!("two:80:{}", app.addr)])
        .spawn()
        .unwrap();
    let (code, _) = exit_output(second).await;
    assert_eq!(code, Some(255));
    assert!(host.registry.find("two").is_none());
}
