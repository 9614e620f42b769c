//! Enrolling at the edge: edge.json is written once, a used token is harmless on restart,
//! an edge failing for now is tried again (for a while), and a missing or refused
//! enrollment is a clear startup error.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::Ordering;

use clap::Parser;
use common::fake_edge::{CREDENTIAL, FakeEdge, HOST_ID, ORG_ID};
use common::*;
use durable_state::link::HostMessage;
use tunnel_host::{Config, Error, Host};

#[tokio::test]
async fn enrolling_writes_edge_json_and_a_used_token_is_harmless() {
    let edge = FakeEdge::start(&["fte_one"]).await;
    let args = ["--edge", &edge.url, "--enroll", "fte_one"];
    let host = TestHost::start_with(&args).await;

    let path = host.dir.path().join("edge.json");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(saved["edge"], edge.url.as_str());
    assert_eq!(saved["host_id"], HOST_ID);
    assert_eq!(saved["org_id"], ORG_ID);
    assert_eq!(saved["credential"], CREDENTIAL);
    let enrolls = edge.state.enrolls.lock().unwrap().clone();
    assert_eq!(enrolls.len(), 1);
    assert_eq!(enrolls[0]["enrollment_token"], "fte_one");
    assert_eq!(enrolls[0]["version"], env!("CARGO_PKG_VERSION"));
    edge.wait_frame("the first hello", 0, |f| {
        matches!(f, HostMessage::Hello { .. })
    })
    .await;

    // The same script again: the token is used up, but edge.json makes it irrelevant.
    let host = host.restart_with(&args).await;
    wait_for("a second link", || async {
        (edge.links() >= 2).then_some(())
    })
    .await;
    assert_eq!(
        edge.state.enrolls.lock().unwrap().len(),
        1,
        "no second enroll"
    );
    let hellos = edge
        .frames()
        .iter()
        .filter(|f| matches!(f, HostMessage::Hello { .. }))
        .count();
    assert!(hellos >= 1);
    assert_eq!(
        edge.state
            .unauthorized
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    host.stop().await.unwrap();
}

fn config(dir: &std::path::Path, args: &[&str]) -> Config {
    let data_dir = dir.to_str().unwrap();
    let mut argv = vec!["tunnel-host", "--data-dir", data_dir];
    argv.extend_from_slice(args);
    Config::try_parse_from(argv).unwrap()
}

/// The error `Host::connect` fails with for `args`, data in `dir`.
async fn connect_error(dir: &std::path::Path, args: &[&str]) -> Error {
    Host::connect(config(dir, args))
        .await
        .err()
        .expect("Host::connect failed")
}

#[tokio::test]
async fn edge_without_an_enrollment_is_a_clear_error() {
    let edge = FakeEdge::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let error = connect_error(dir.path(), &["--edge", &edge.url]).await;
    let text = error.to_string();
    assert!(text.contains("--enroll"), "{text}");
    assert!(!dir.path().join("edge.json").exists());
}

#[tokio::test]
async fn an_unknown_token_fails_without_leaking_it() {
    let edge = FakeEdge::start(&["fte_good"]).await;
    let dir = tempfile::tempdir().unwrap();
    let error = connect_error(
        dir.path(),
        &["--edge", &edge.url, "--enroll", "fte_wrong_secret"],
    )
    .await;
    let text = error.to_string();
    assert!(text.contains("enrollment token"), "{text}");
    assert!(!text.contains("fte_wrong_secret"), "{text}");
    assert!(!dir.path().join("edge.json").exists());
    // A refusal is final: it is not tried again.
    assert_eq!(edge.state.enrolls.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn an_edge_failing_for_now_is_tried_again_until_it_enrolls() {
    let edge = FakeEdge::start(&["fte_patient"]).await;
    edge.state.enrolls_failing.store(2, Ordering::SeqCst);
    let args = ["--edge", &edge.url, "--enroll", "fte_patient"];
    let host = TestHost::start_with(&args).await;

    assert_eq!(edge.state.enrolls.lock().unwrap().len(), 3);
    let saved = std::fs::read_to_string(host.dir.path().join("edge.json")).unwrap();
    assert!(saved.contains(CREDENTIAL), "{saved}");
    edge.wait_frame("the first hello", 0, |f| {
        matches!(f, HostMessage::Hello { .. })
    })
    .await;
    host.stop().await.unwrap();
}

#[tokio::test]
async fn enrolling_gives_up_after_enroll_retry_for() {
    let edge = FakeEdge::start(&["fte_late"]).await;
    edge.state
        .enrolls_failing
        .store(usize::MAX, Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--edge",
        &edge.url,
        "--enroll",
        "fte_late",
        "--enroll-retry-for",
        "0s",
    ];
    let error = connect_error(dir.path(), &args).await;
    assert!(matches!(error, Error::EdgeUnavailable(_)), "{error}");
    assert!(error.to_string().contains("503"), "{error}");
    assert_eq!(edge.state.enrolls.lock().unwrap().len(), 1);
    assert!(!dir.path().join("edge.json").exists());
}

#[tokio::test]
async fn a_token_used_by_an_attempt_whose_answer_was_lost_says_so() {
    let edge = FakeEdge::start(&["fte_lost"]).await;
    edge.state.enrolls_lost.store(1, Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let error = connect_error(dir.path(), &["--edge", &edge.url, "--enroll", "fte_lost"]).await;
    let text = error.to_string();
    assert!(text.contains("create a new one in the panel"), "{text}");
    assert!(text.contains("after 2 attempts"), "{text}");
    assert!(!text.contains("fte_lost"), "{text}");
    assert_eq!(edge.state.enrolls.lock().unwrap().len(), 2);
    assert!(!dir.path().join("edge.json").exists());
}

#[tokio::test]
async fn a_bad_edge_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let error = connect_error(
        dir.path(),
        &["--edge", "panel.example.com", "--enroll", "x"],
    )
    .await;
    assert!(error.to_string().contains("http"), "{error}");
}
