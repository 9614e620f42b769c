//! Keys, names and sign-in through the edge: keys registered in the panel get in, names
//! reserved in the panel are refused to others, and an unknown key signs in with a code.

use crate::common;

use common::fake_edge::{FakeEdge, fingerprint};
use common::*;
use tokio::io::{AsyncBufReadExt, BufReader};

async fn host_at(edge: &FakeEdge) -> TestHost {
    host_with(edge, &[]).await
}

async fn host_with(edge: &FakeEdge, extra: &[&str]) -> TestHost {
    edge.state.tokens.lock().unwrap().push("fte_auth".into());
    let mut args = vec!["--edge", &edge.url, "--enroll", "fte_auth"];
    args.extend_from_slice(extra);
    TestHost::start_with(&args).await
}

#[tokio::test]
async fn a_key_registered_at_the_edge_gets_in() {
    let edge = FakeEdge::start(&[]).await;
    let host = host_at(&edge).await;
    let app = spawn_app().await;
    let ada = host.stranger("ada");
    edge.add_key(&ada.public, "u-ada");
    let (_ssh, info) = host
        .tunnel(&ada, &format!("adas:80:{}", app.addr), |t| t.name == "adas")
        .await;
    assert_eq!(info.user, "u-ada");
    // A second connection with the same key is answered from the cache.
    let (_ssh2, _) = host
        .tunnel(&ada, &format!("adas2:80:{}", app.addr), |t| {
            t.name == "adas2"
        })
        .await;
    assert_eq!(
        edge.state.lookups.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    // authorized_keys still comes first and still works
    let alice = host.add_user("alice");
    let (_ssh, info) = host
        .tunnel(&alice, &format!("alices:80:{}", app.addr), |t| {
            t.name == "alices"
        })
        .await;
    assert_eq!(info.user, "alice");
}

#[tokio::test]
async fn a_name_reserved_in_the_panel_is_refused_to_others() {
    let edge = FakeEdge::start(&[]).await;
    let host = host_at(&edge).await;
    let app = spawn_app().await;
    edge.reserve("taken", "u-ada", "Ada Lovelace");
    let bob = host.add_user("bob");
    let child = host
        .ssh(&bob, &["-N", "-R", &format!("taken:80:{}", app.addr)])
        .spawn()
        .unwrap();
    let (code, stderr) = exit_output(child).await;
    assert_eq!(code, Some(255));
    assert!(stderr.contains("remote port forwarding failed"), "{stderr}");
    assert!(host.registry.find("taken").is_none());

    // The owner may bind it.
    let ada = host.stranger("ada");
    edge.add_key(&ada.public, "u-ada");
    let (_ssh, info) = host
        .tunnel(&ada, &format!("taken:80:{}", app.addr), |t| {
            t.name == "taken"
        })
        .await;
    assert_eq!(info.user, "u-ada");
}

#[tokio::test]
async fn an_unknown_key_signs_in_through_the_device_flow() {
    let edge = FakeEdge::start(&[]).await;
    // A short login grace: the device flow must extend it while the user is in the browser.
    let host = host_with(&edge, &["--login-grace-time", "2s"]).await;
    let app = spawn_app().await;
    let newcomer = host.stranger("newcomer");
    let mut child = host
        .ssh(&newcomer, &["-N", "-R", &format!("fresh:80:{}", app.addr)])
        .spawn()
        .unwrap();

    // The box arrives on stderr; the code sits on its own `Enter  XXXX-XXXX` line.
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut shown = Vec::new();
    let code = tokio::time::timeout(PATIENCE, async {
        while let Some(line) = lines.next_line().await.unwrap() {
            shown.push(line.clone());
            if let Some(code) = user_code(&line) {
                return code;
            }
        }
        panic!("ssh ended without a code: {shown:#?}");
    })
    .await
    .expect("the device box is shown");
    let text = shown.join("\n");
    assert!(text.contains("This SSH key is new here."), "{text}");
    assert!(text.contains(&format!("{}/activate", edge.url)), "{text}");
    assert!(host.registry.list().is_empty());

    // Approve only after the ordinary login grace has passed.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let device = edge.approve(&code, "u-newcomer");
    assert_eq!(device.fingerprint, fingerprint(&newcomer.public));
    let sent_key = device
        .public_key
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>();
    let own_key = newcomer
        .public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>();
    assert_eq!(sent_key, own_key);

    let info = host.wait_tunnel(&mut child, |t| t.name == "fresh").await;
    assert_eq!(info.user, "u-newcomer");
    // One failure for the unknown key, none for an expired login grace.
    assert_eq!(
        host.registry
            .metrics()
            .auth_failures
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    let r = get(host.addrs.http, &host_header(&host, "fresh"), "/")
        .await
        .unwrap();
    assert_eq!(r.status(), http::StatusCode::OK);
}

#[tokio::test]
async fn a_known_key_after_an_unknown_one_skips_the_device_flow() {
    let edge = FakeEdge::start(&[]).await;
    let host = host_at(&edge).await;
    let app = spawn_app().await;
    let old = host.stranger("ada");
    let ada = host.stranger("ada");
    edge.add_key(&ada.public, "u-ada");
    // `-i` in the extra args comes first, so the unknown key is offered first.
    let mut child = host
        .ssh(
            &ada,
            &[
                "-i",
                old.path.to_str().unwrap(),
                "-N",
                "-R",
                &format!("second:80:{}", app.addr),
            ],
        )
        .spawn()
        .unwrap();
    let info = host.wait_tunnel(&mut child, |t| t.name == "second").await;
    assert_eq!(info.user, "u-ada");
    assert!(edge.state.devices.lock().unwrap().is_empty());
    assert_eq!(
        host.registry
            .metrics()
            .auth_failures
            .load(std::sync::atomic::Ordering::Relaxed),
        1,
        "the unknown key was tried first"
    );
}

/// `XXXX-XXXX` after `Enter` on a line of the device box.
fn user_code(line: &str) -> Option<String> {
    let rest = line.split("Enter").nth(1)?.trim_start();
    let code: String = rest.chars().take(9).collect();
    let ok = code.len() == 9
        && code.chars().enumerate().all(|(i, c)| match i {
            4 => c == '-',
            _ => c.is_ascii_uppercase(),
        });
    ok.then_some(code)
}

#[tokio::test]
async fn a_viewers_key_gets_no_tunnel_and_hears_why() {
    let edge = FakeEdge::start(&[]).await;
    let host = host_at(&edge).await;
    let app = spawn_app().await;
    let vic = host.stranger("vic");
    edge.add_key(&vic.public, "u-vic");
    edge.set_role("u-vic", "viewer");
    let child = host
        .ssh(&vic, &["-N", "-R", &format!("vics:80:{}", app.addr)])
        .spawn()
        .unwrap();
    let (code, stderr) = exit_output(child).await;
    assert_eq!(code, Some(255), "{stderr}");
    assert!(
        stderr.contains("this SSH key may not open tunnels here")
            && stderr.contains("role in this tunnel host's organization is viewer"),
        "{stderr}"
    );
    assert!(host.registry.list().is_empty());
    assert!(
        edge.state.devices.lock().unwrap().is_empty(),
        "a known key starts no device sign-in"
    );

    // Made an operator, the same key gets in on the next try: refusals are not cached.
    edge.set_role("u-vic", "operator");
    let (_ssh, info) = host
        .tunnel(&vic, &format!("vics:80:{}", app.addr), |t| t.name == "vics")
        .await;
    assert_eq!(info.user, "u-vic");
}

#[tokio::test]
async fn an_edge_that_does_not_say_whether_a_key_may_open_tunnels_is_taken_as_no() {
    let edge = FakeEdge::start(&[]).await;
    let host = host_at(&edge).await;
    let app = spawn_app().await;
    let ada = host.stranger("ada");
    edge.add_key(&ada.public, "u-ada");
    edge.state
        .lookups_without_role
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let child = host
        .ssh(&ada, &["-N", "-R", &format!("adas:80:{}", app.addr)])
        .spawn()
        .unwrap();
    let (code, stderr) = exit_output(child).await;
    assert_eq!(code, Some(255), "{stderr}");
    assert!(
        stderr.contains("did not confirm that your role"),
        "{stderr}"
    );
    assert!(host.registry.list().is_empty());
}

#[tokio::test]
async fn a_name_the_edge_cannot_check_is_refused() {
    let edge = FakeEdge::start(&[]).await;
    let host = host_at(&edge).await;
    let app = spawn_app().await;
    edge.reserve("taken", "u-ada", "Ada Lovelace");
    edge.state
        .names_failing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let bob = host.add_user("bob");
    let child = host
        .ssh(&bob, &["-N", "-R", &format!("taken:80:{}", app.addr)])
        .spawn()
        .unwrap();
    let (code, stderr) = exit_output(child).await;
    assert_eq!(code, Some(255), "{stderr}");
    assert!(stderr.contains("remote port forwarding failed"), "{stderr}");
    assert!(host.registry.find("taken").is_none());

    // The session says why, and a random name (nothing to check) still works.
    let child = host
        .ssh(
            &bob,
            &[
                "-T",
                "-o",
                "ExitOnForwardFailure=no",
                "-R",
                &format!("free:80:{}", app.addr),
            ],
        )
        .spawn()
        .unwrap();
    let out = tokio::time::timeout(PATIENCE, child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("tunnel refused (free:80): the name free cannot be checked"),
        "{text}"
    );
    assert!(host.registry.find("free").is_none());
    let (_ssh, info) = host
        .tunnel(&bob, &format!("80:{}", app.addr), |t| t.user == "bob")
        .await;
    assert_eq!(info.kind, tunnel_host::TunnelKind::Http);
}
