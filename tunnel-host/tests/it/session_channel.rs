//! `ssh -R ... host` with a session channel: the URL is printed there and it stays open.

use crate::common;

use common::*;
use http::StatusCode;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test]
async fn the_public_url_is_printed_into_the_session() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let mut child = host
        .ssh(&alice, &["-T", "-R", &format!("shown:80:{}", app.addr)])
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let expected = format!(
        "tunnel ready: http://shown.localhost:{}",
        host.addrs.http.port()
    );
    tokio::time::timeout(PATIENCE, async {
        loop {
            let line = stdout
                .next_line()
                .await
                .unwrap()
                .expect("ssh prints the url");
            if line.trim_end() == expected {
                return;
            }
        }
    })
    .await
    .expect("url printed");
    // the session stays open and the tunnel serves
    let r = get(host.addrs.http, &host_header(&host, "shown"), "/")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(child.try_wait().unwrap().is_none());
}

#[tokio::test]
async fn a_session_without_tunnels_prints_usage_and_ends() {
    let host = TestHost::start().await;
    let alice = host.add_user("alice");
    let child = host.ssh(&alice, &["-T"]).spawn().unwrap();
    let out = tokio::time::timeout(PATIENCE, child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("no tunnel is open. usage: ssh -R myapp:80:localhost:3000"),
        "{text}"
    );
}

#[tokio::test]
async fn a_refused_forward_is_explained_in_the_session() {
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    // without ExitOnForwardFailure the session opens and shows why
    let child = host
        .ssh(
            &alice,
            &[
                "-T",
                "-o",
                "ExitOnForwardFailure=no",
                "-R",
                &format!("admin:80:{}", app.addr),
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
        text.contains("tunnel refused (admin:80): the name \"admin\" is reserved"),
        "{text} / {} / {:?}",
        String::from_utf8_lossy(&out.stderr),
        out.status
    );
}

/// What `child` wrote to stderr so far, after killing it.
async fn stderr_after_kill(mut child: tokio::process::Child) -> String {
    use tokio::io::AsyncReadExt;
    child.kill().await.unwrap();
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err).await;
    }
    err
}

#[tokio::test]
async fn ssh_n_users_see_where_their_tunnel_is_in_the_banner() {
    // `-N` opens no session channel, so "tunnel ready" has nowhere to go; OpenSSH prints
    // the pre-authentication banner on stderr, and it names the random name in advance.
    let host = TestHost::start().await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (child, random) = host
        .tunnel(&alice, &format!("80:{}", app.addr), |_| true)
        .await;
    let err = stderr_after_kill(child).await;
    assert!(
        err.contains(&format!(
            "-R 80:localhost:3000         ->  {}",
            random.public_url
        )),
        "the banner names the url the tunnel got ({}): {err}",
        random.public_url
    );
    let port = host.addrs.http.port();
    assert!(
        err.contains(&format!("http://<name>.localhost:{port}")),
        "{err}"
    );

    let (child, named) = host
        .tunnel(&alice, &format!("banner:80:{}", app.addr), |t| {
            t.name == "banner"
        })
        .await;
    assert_eq!(named.public_url, format!("http://banner.localhost:{port}"));
    let err = stderr_after_kill(child).await;
    assert!(
        err.contains(&format!(
            "-R <name>:80:localhost:3000  ->  http://<name>.localhost:{port}"
        )),
        "{err}"
    );
}

#[tokio::test]
async fn the_usage_hint_names_the_public_ssh_host_and_port() {
    let host = TestHost::start_with(&[
        "--public-ssh-host",
        "ssh.example.com",
        "--public-ssh-port",
        "2022",
    ])
    .await;
    let alice = host.add_user("alice");
    let child = host.ssh(&alice, &["-T"]).spawn().unwrap();
    let out = tokio::time::timeout(PATIENCE, child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("usage: ssh -R myapp:80:localhost:3000 -p 2022 ssh.example.com"),
        "{text}"
    );
}
