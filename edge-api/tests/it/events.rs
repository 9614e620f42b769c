//! Live events over the router: streams, replay, audiences, disconnects and
//! slow readers, against the in-process event hub.
// Helpers outside `#[test]` fns fail the test the same way.

use crate::common;

use std::time::Duration;

use axum::{
    body::Body,
    http::{HeaderValue, StatusCode, header},
};
use common::{add_member, add_user, api, platform, send, setup_owner, sign_in_as};
use edge_api::{
    Platform,
    auth::Resource,
    record::events::{self, Audience, NewEvent},
};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// How long a test waits for a frame that should come.
const PATIENCE: Duration = Duration::from_secs(5);
/// How long a test waits to be sure a frame does not come.
const QUIET: Duration = Duration::from_millis(200);

/// One SSE message.
#[derive(Debug, Clone, PartialEq)]
struct Message {
    id: Option<u64>,
    event: String,
    data: Value,
}

/// Reads SSE messages off a response body, skipping comments and `retry:`.
struct Sse {
    body: Body,
    buffer: String,
}

impl Sse {
    /// The next message, `None` when the stream ended; panics after
    /// `wait` without one.
    async fn next_within(&mut self, wait: Duration) -> Result<Option<Message>, ()> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut message = Message {
                    id: None,
                    event: "message".into(),
                    data: Value::Null,
                };
                let mut any = false;
                for line in block.lines() {
                    if let Some(id) = line.strip_prefix("id: ") {
                        message.id = id.parse().ok();
                        any = true;
                    } else if let Some(event) = line.strip_prefix("event: ") {
                        message.event = event.to_owned();
                        any = true;
                    } else if let Some(data) = line.strip_prefix("data: ") {
                        message.data = serde_json::from_str(data).expect("data is JSON");
                        any = true;
                    }
                }
                if any {
                    return Ok(Some(message));
                }
                continue;
            }
            match tokio::time::timeout(wait, self.body.frame()).await {
                Err(_) => return Err(()),
                Ok(None) => return Ok(None),
                Ok(Some(frame)) => {
                    let frame = frame.expect("body frame");
                    if let Ok(data) = frame.into_data() {
                        self.buffer
                            .push_str(std::str::from_utf8(&data).expect("utf-8"));
                    }
                }
            }
        }
    }

    /// The next message; fails the test if none comes or the stream ends.
    async fn next(&mut self) -> Message {
        match self.next_within(PATIENCE).await {
            Ok(Some(message)) => message,
            Ok(None) => panic!("the stream ended"),
            Err(()) => panic!("no message within {PATIENCE:?}"),
        }
    }

    /// The `ready` message that ends the preamble, returning its id.
    async fn ready(&mut self) -> u64 {
        let message = self.next().await;
        assert_eq!(message.event, "ready", "{message:?}");
        message.id.expect("ready has an id")
    }

    /// Whether the stream ends (rather than idles) soon.
    async fn ends(&mut self) -> bool {
        matches!(self.next_within(PATIENCE).await, Ok(None))
    }

    /// Whether nothing arrives for a moment.
    async fn is_quiet(&mut self) -> bool {
        self.next_within(QUIET).await.is_err()
    }
}

/// Opens `GET /api/orgs/{org}/events` as an `EventSource` would.
async fn subscribe(platform: &Platform, org: &str, cookie: &str, last: Option<&str>) -> Sse {
    open(platform, &format!("/api/orgs/{org}/events"), cookie, last).await
}

/// Opens `uri` with `Accept: text/event-stream` and `Last-Event-ID: last`.
async fn open(platform: &Platform, uri: &str, cookie: &str, last: Option<&str>) -> Sse {
    let mut request = api("GET", uri, Some(cookie), None);
    request.headers_mut().insert(
        header::ACCEPT,
        HeaderValue::from_static("text/event-stream"),
    );
    if let Some(last) = last {
        request
            .headers_mut()
            .insert("last-event-id", HeaderValue::from_str(last).expect("id"));
    }
    let response = edge_api::router(platform.clone())
        .oneshot(request)
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    Sse {
        body: response.into_body(),
        buffer: String::new(),
    }
}

/// An organization with its owner signed in.
struct Org {
    platform: Platform,
    clock: std::sync::Arc<edge_api::platform::native::ManualClock>,
    id: String,
    slug: String,
    owner_id: String,
    owner: String,
}

async fn org() -> Org {
    let (platform, clock) = platform();
    let (owner, me) = setup_owner(&platform).await;
    Org {
        id: me["memberships"][0]["org_id"]
            .as_str()
            .expect("org id")
            .to_owned(),
        slug: me["memberships"][0]["slug"]
            .as_str()
            .expect("slug")
            .to_owned(),
        owner_id: me["user"]["id"].as_str().expect("user id").to_owned(),
        owner,
        platform,
        clock,
    }
}

impl Org {
    /// A new member with `role`: (user id, cookie).
    async fn member(&self, name: &str, role: &str) -> (String, String) {
        let id = add_user(&self.platform, name, &format!("{name}@example.com")).await;
        add_member(&self.platform, &self.id, &id, role).await;
        let cookie = sign_in_as(&self.platform, &id).await;
        (id, cookie)
    }

    async fn publish(&self, event: &str, audience: Audience) {
        events::publish(
            &self.platform,
            &self.id,
            NewEvent::new(event, json!({ "what": event }), audience),
        )
        .await;
    }

    async fn audit(&self, n: u32) {
        self.publish(
            &format!("audit.created.{n}"),
            Audience::Read(Resource::Audit),
        )
        .await;
    }
}

fn names(messages: &[Message]) -> Vec<&str> {
    messages.iter().map(|m| m.event.as_str()).collect()
}

#[tokio::test]
async fn two_subscribers_receive_published_events_in_order() {
    let org = org().await;
    let mut first = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    let mut second = subscribe(&org.platform, &org.id, &org.owner, None).await;
    let head = first.ready().await;
    assert_eq!(second.ready().await, head);

    for n in 1..=3 {
        org.audit(n).await;
    }
    for stream in [&mut first, &mut second] {
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(stream.next().await);
        }
        assert_eq!(
            names(&got),
            ["audit.created.1", "audit.created.2", "audit.created.3"]
        );
        let ids: Vec<u64> = got.iter().filter_map(|m| m.id).collect();
        assert_eq!(ids, [head + 1, head + 2, head + 3]);
        assert_eq!(got[0].data, json!({ "what": "audit.created.1" }));
    }
}

#[tokio::test]
async fn the_audit_event_carries_the_entry() {
    let org = org().await;
    let mut stream = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    stream.ready().await;
    let entry = edge_api::record::audit::Entry {
        org_id: Some(&org.id),
        action: "organization.update",
        resource_type: "organization",
        resource_id: &org.id,
        metadata: json!({ "to": "New name" }),
    };
    let event = NewEvent::audit(&entry, Some(&org.owner_id));
    events::publish(&org.platform, &org.id, event).await;
    let message = stream.next().await;
    assert_eq!(message.event, "audit.created");
    assert_eq!(message.data["action"], "organization.update");
    assert_eq!(message.data["actor_id"], org.owner_id.as_str());
    assert_eq!(message.data["metadata"]["to"], "New name");
}

#[tokio::test]
async fn last_event_id_replays_exactly_the_missed_events() {
    let org = org().await;
    let mut stream = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    let head = stream.ready().await;
    org.audit(1).await;
    let seen = stream.next().await;
    drop(stream);
    for n in 2..=4 {
        org.audit(n).await;
    }

    let last = seen.id.expect("id").to_string();
    let mut again = subscribe(&org.platform, &org.slug, &org.owner, Some(&last)).await;
    let mut replayed = Vec::new();
    for _ in 0..3 {
        replayed.push(again.next().await);
    }
    assert_eq!(
        names(&replayed),
        ["audit.created.2", "audit.created.3", "audit.created.4"]
    );
    assert_eq!(again.ready().await, head + 4);
    assert!(again.is_quiet().await, "nothing after ready");

    // `?last_event_id=` works for clients that cannot set the header, and
    // the header wins when both are sent (a reconnecting browser keeps the
    // first URL).
    let uri = format!("/api/orgs/{}/events?last_event_id={}", org.slug, head + 3);
    let mut by_query = open(&org.platform, &uri, &org.owner, None).await;
    assert_eq!(by_query.next().await.event, "audit.created.4");
    assert_eq!(by_query.ready().await, head + 4);
    let newer = (head + 4).to_string();
    let mut by_header = open(&org.platform, &uri, &org.owner, Some(&newer)).await;
    assert_eq!(by_header.ready().await, head + 4);
}

#[tokio::test]
async fn a_gap_older_than_the_ring_gives_reset() {
    let org = org().await;
    org.audit(1).await;
    let mut stream = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    let head = stream.ready().await;
    drop(stream);
    // Eleven minutes later the events before `head` have aged out.
    org.clock.advance_ms(11 * 60 * 1000);
    org.audit(2).await;
    let mut late = subscribe(
        &org.platform,
        &org.slug,
        &org.owner,
        Some(&(head - 1).to_string()),
    )
    .await;
    let reset = late.next().await;
    assert_eq!(reset.event, "reset");
    assert_eq!(reset.id, Some(head + 1));
    assert_eq!(late.ready().await, head + 1);

    // An id the hub never gave resets too.
    let mut bogus = subscribe(&org.platform, &org.slug, &org.owner, Some("999999")).await;
    assert_eq!(bogus.next().await.event, "reset");
    let mut garbage = subscribe(&org.platform, &org.slug, &org.owner, Some("abc")).await;
    assert_eq!(garbage.next().await.event, "reset");
}

#[tokio::test]
async fn each_member_receives_only_what_their_role_may_see() {
    let org = org().await;
    let (viewer_id, viewer) = org.member("vic", "viewer").await;
    let mut owner_stream = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    let mut viewer_stream = subscribe(&org.platform, &org.slug, &viewer, None).await;
    owner_stream.ready().await;
    viewer_stream.ready().await;

    org.publish("invitation.created", Audience::Manage(Resource::Members))
        .await;
    org.publish("for.owner", Audience::User(org.owner_id.clone()))
        .await;
    org.publish("for.viewer", Audience::User(viewer_id.clone()))
        .await;
    org.publish("tunnel.closed", Audience::Read(Resource::Tunnels))
        .await;
    org.publish("tunnel.changed", Audience::Manage(Resource::Tunnels))
        .await;
    org.audit(1).await;

    let mut owner_got = Vec::new();
    for _ in 0..5 {
        owner_got.push(owner_stream.next().await);
    }
    assert_eq!(
        names(&owner_got),
        [
            "invitation.created",
            "for.owner",
            "tunnel.closed",
            "tunnel.changed",
            "audit.created.1"
        ]
    );
    let mut viewer_got = Vec::new();
    for _ in 0..3 {
        viewer_got.push(viewer_stream.next().await);
    }
    assert_eq!(
        names(&viewer_got),
        ["for.viewer", "tunnel.closed", "audit.created.1"]
    );
    assert!(viewer_stream.is_quiet().await);

    // Replay applies the same rules (event 1 is the setup's own audit event).
    let mut replay = subscribe(&org.platform, &org.slug, &viewer, Some("1")).await;
    let mut replayed = Vec::new();
    for _ in 0..3 {
        replayed.push(replay.next().await);
    }
    assert_eq!(
        names(&replayed),
        ["for.viewer", "tunnel.closed", "audit.created.1"]
    );
}

#[tokio::test]
async fn without_the_event_stream_accept_the_catch_up_is_json() {
    let org = org().await;
    let (_, viewer) = org.member("vic", "viewer").await;
    org.publish("invitation.created", Audience::Manage(Resource::Members))
        .await;
    org.audit(1).await;
    // Event 1 is the setup's own audit event.
    let uri = format!("/api/orgs/{}/events?last_event_id=1", org.slug);
    let page = send(&org.platform, api("GET", &uri, Some(&viewer), None)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.json);
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(
        page.json,
        json!({
            "last_event_id": 3,
            "reset": false,
            "events": [{ "id": 3, "event": "audit.created.1", "data": { "what": "audit.created.1" } }],
        })
    );
    let fresh = send(
        &org.platform,
        api(
            "GET",
            &format!("/api/orgs/{}/events", org.slug),
            Some(&viewer),
            None,
        ),
    )
    .await;
    assert_eq!(
        fresh.json,
        json!({ "last_event_id": 3, "reset": false, "events": [] })
    );
    let unknown = send(
        &org.platform,
        api(
            "GET",
            &format!("/api/orgs/{}/events?since=1", org.slug),
            Some(&viewer),
            None,
        ),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn disconnect_ends_that_users_streams_only() {
    let org = org().await;
    let (viewer_id, viewer) = org.member("vic", "viewer").await;
    let mut first = subscribe(&org.platform, &org.slug, &viewer, None).await;
    let mut second = subscribe(&org.platform, &org.slug, &viewer, None).await;
    let mut owner = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    for stream in [&mut first, &mut second, &mut owner] {
        stream.ready().await;
    }
    events::disconnect(&org.platform, &org.id, &viewer_id).await;
    assert!(first.ends().await);
    assert!(second.ends().await);
    org.audit(1).await;
    assert_eq!(owner.next().await.event, "audit.created.1");
}

#[tokio::test]
async fn a_slow_reader_gets_reset_and_is_dropped() {
    let org = org().await;
    let mut slow = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    let mut fast = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    slow.ready().await;
    fast.ready().await;
    let total = 600;
    for n in 1..=total {
        org.audit(n).await;
        assert_eq!(fast.next().await.event, format!("audit.created.{n}"));
    }
    // The slow reader's queue was emptied and replaced by one `reset`, then
    // its stream ended: it reconnects and refetches.
    let reset = slow.next().await;
    assert_eq!(reset.event, "reset");
    assert!(slow.ends().await);
    // The others carry on.
    org.audit(total + 1).await;
    assert_eq!(
        fast.next().await.event,
        format!("audit.created.{}", total + 1)
    );
}

#[tokio::test]
async fn publishing_without_subscribers_or_hub_is_harmless() {
    let (platform, _) = platform();
    events::publish(
        &platform,
        "no-such-org",
        NewEvent::new("x.y", json!(null), Audience::Read(Resource::Audit)),
    )
    .await;
    events::disconnect(&platform, "no-such-org", "nobody").await;
}

#[tokio::test]
async fn streams_are_capped_and_closed_ones_free_their_place() {
    let org = org().await;
    let mut open = Vec::new();
    for _ in 0..durable_state::hub::MAX_SUBSCRIBERS {
        open.push(subscribe(&org.platform, &org.slug, &org.owner, None).await);
    }
    let mut request = api(
        "GET",
        &format!("/api/orgs/{}/events", org.slug),
        Some(&org.owner),
        None,
    );
    request.headers_mut().insert(
        header::ACCEPT,
        HeaderValue::from_static("text/event-stream"),
    );
    let refused = send(&org.platform, request).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.json["error"]["code"], "rate_limited");
    assert!(refused.headers.contains_key(header::RETRY_AFTER));

    // A client that goes away frees its place.
    open.pop();
    let mut again = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    again.ready().await;
}

#[tokio::test]
async fn every_audited_mutation_publishes_once_it_has_committed() {
    let org = org().await;
    let (_, viewer) = org.member("vic", "viewer").await;
    let mut stream = subscribe(&org.platform, &org.slug, &viewer, None).await;
    stream.ready().await;

    // An audited mutation publishes without code of its own for events.
    let invite = send(
        &org.platform,
        api(
            "POST",
            &format!("/api/orgs/{}/invitations", org.slug),
            Some(&org.owner),
            Some(json!({ "role": "viewer" })),
        ),
    )
    .await;
    assert_eq!(invite.status, StatusCode::CREATED, "{}", invite.json);
    let message = stream.next().await;
    assert_eq!(message.event, "audit.created");
    assert_eq!(message.data["action"], "member.invite");

    // A mutation that fails publishes nothing.
    let refused = send(
        &org.platform,
        api(
            "PATCH",
            &format!("/api/orgs/{}/members/{}", org.slug, org.owner_id),
            Some(&org.owner),
            Some(json!({ "role": "viewer" })),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        stream.next_within(QUIET).await.is_err(),
        "no event for a refused change"
    );
}
