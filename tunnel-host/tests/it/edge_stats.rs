//! Live counters: while the edge watches, requests through a tunnel reach the edge as
//! stats frames within a couple of seconds (heartbeats here are an hour apart, so
//! nothing else could carry them); unwatched or idle, no stats frame goes out at all.

use std::time::Duration;

use crate::common;

use common::fake_edge::FakeEdge;
use common::*;
use durable_state::link::HostMessage;
use http::StatusCode;
use tokio::time::{Instant, sleep, timeout};

/// How long counters may take to arrive while watched (a stats frame is due every second).
const LIVE: Duration = Duration::from_secs(5);
/// The window over which stats frames are counted.
const WINDOW: Duration = Duration::from_secs(3);

fn is_stats(f: &HostMessage) -> bool {
    matches!(f, HostMessage::Stats { .. })
}

/// The requests a stats frame reports for tunnel `id`, if it lists it.
fn requests_of(f: &HostMessage, id: &str) -> Option<u64> {
    match f {
        HostMessage::Stats { tunnels } => tunnels.iter().find(|t| t.id == id).map(|t| t.requests),
        _ => None,
    }
}

async fn requests(host: &TestHost, name: &str, n: usize) {
    let hh = host_header(host, name);
    for _ in 0..n {
        let r = get(host.addrs.http, &hh, "/").await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn counters_arrive_within_seconds_while_watched_and_not_at_all_otherwise() {
    let edge = FakeEdge::start(&["fte_stats"]).await;
    let host = TestHost::start_with(&[
        "--edge",
        &edge.url,
        "--enroll",
        "fte_stats",
        "--edge-heartbeat-interval",
        "1h",
    ])
    .await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, info) = host
        .tunnel(&alice, &format!("live:80:{}", app.addr), |t| {
            t.name == "live"
        })
        .await;
    let id = info.id.to_string();
    edge.wait_frame("opened", 0, |f| matches!(f, HostMessage::Opened { .. }))
        .await;

    // Nobody watches: traffic sends nothing.
    let from = edge.frames().len();
    requests(&host, "live", 3).await;
    sleep(WINDOW).await;
    assert_eq!(edge.count_frames(from, is_stats), 0, "{:?}", edge.frames());

    // Watched: what moved while unwatched goes out on demand, then new traffic follows.
    let from = edge.frames().len();
    edge.watch(60);
    timeout(
        LIVE,
        edge.wait_frame("the earlier requests, on demand", from, |f| {
            requests_of(f, &id) == Some(3)
        }),
    )
    .await
    .expect("counters within a couple of seconds of the watch");
    requests(&host, "live", 2).await;
    timeout(
        LIVE,
        edge.wait_frame("the new requests", from, |f| requests_of(f, &id) == Some(5)),
    )
    .await
    .expect("counters within a couple of seconds of the requests");

    // Busy: frames are coalesced, one per interval at most, however many requests.
    let from = edge.frames().len();
    let started = Instant::now();
    while started.elapsed() < WINDOW {
        requests(&host, "live", 5).await;
    }
    let elapsed = started.elapsed();
    let frames = edge.count_frames(from, is_stats);
    let most = elapsed.as_secs() as usize + 2;
    assert!(frames >= 1, "busy and watched, yet no stats");
    assert!(frames <= most, "{frames} stats frames in {elapsed:?}");
    let total = host.registry.find("live").unwrap().info().requests;
    timeout(
        LIVE,
        edge.wait_frame("the last of the burst", from, |f| {
            requests_of(f, &id) == Some(total)
        }),
    )
    .await
    .expect("the final count arrives");

    // Watched but idle: no frame when nothing moved.
    sleep(Duration::from_millis(1_500)).await;
    let from = edge.frames().len();
    sleep(WINDOW).await;
    assert_eq!(
        edge.count_frames(from, is_stats),
        0,
        "idle, yet stats were sent"
    );
    host.stop().await.unwrap();
}

#[tokio::test]
async fn a_lapsed_watch_stops_the_stats() {
    let edge = FakeEdge::start(&["fte_lapse"]).await;
    let host = TestHost::start_with(&[
        "--edge",
        &edge.url,
        "--enroll",
        "fte_lapse",
        "--edge-heartbeat-interval",
        "1h",
    ])
    .await;
    let app = spawn_app().await;
    let alice = host.add_user("alice");
    let (_ssh, info) = host
        .tunnel(&alice, &format!("lapse:80:{}", app.addr), |t| {
            t.name == "lapse"
        })
        .await;
    let id = info.id.to_string();
    edge.wait_frame("opened", 0, |f| matches!(f, HostMessage::Opened { .. }))
        .await;

    // Long enough that a loaded machine still reports within it; then it lapses.
    let watched_for = Duration::from_secs(5);
    let watched_at = Instant::now();
    edge.watch(watched_for.as_secs());
    requests(&host, "lapse", 1).await;
    timeout(
        LIVE,
        edge.wait_frame("the request", 0, |f| requests_of(f, &id) == Some(1)),
    )
    .await
    .expect("counters while watched");
    // The watch has lapsed: traffic goes unreported until the next heartbeat.
    tokio::time::sleep_until(watched_at + watched_for + Duration::from_millis(500)).await;
    let from = edge.frames().len();
    requests(&host, "lapse", 3).await;
    sleep(WINDOW).await;
    assert_eq!(edge.count_frames(from, is_stats), 0, "{:?}", edge.frames());
    host.stop().await.unwrap();
}
