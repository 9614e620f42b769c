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
    if let Some(last) = last {
        request
            .headers_mut()
            .insert("last-event-id", HeaderValue::from_str(last).expect("id"));
    }
    open_request(platform, request).await
}

/// Sends `request` with `Accept: text/event-stream`; it must stream.
async fn open_request(platform: &Platform, mut request: axum::http::Request<Body>) -> Sse {
    request.headers_mut().insert(
        header::ACCEPT,
        HeaderValue::from_static("text/event-stream"),
    );
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

/// `GET /api/orgs/{org}/events` as an `EventSource` would, expecting a
/// refusal: its status and JSON body.
async fn refused(platform: &Platform, org: &str, cookie: &str) -> common::Reply {
    let mut request = api(
        "GET",
        &format!("/api/orgs/{org}/events"),
        Some(cookie),
        None,
    );
    request.headers_mut().insert(
        header::ACCEPT,
        HeaderValue::from_static("text/event-stream"),
    );
    send(platform, request).await
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
}

#[tokio::test]
async fn a_last_event_id_that_is_no_id_is_a_400() {
    let org = org().await;
    let uri = format!("/api/orgs/{}/events", org.slug);
    let too_big = (1u64 << 53).to_string();
    for bad in [
        "nope",
        "-1",
        "1e3",
        too_big.as_str(),
        "18446744073709551616",
    ] {
        // In the header and in the query, streaming and polling alike.
        let mut header_stream = api("GET", &uri, Some(&org.owner), None);
        header_stream
            .headers_mut()
            .insert("last-event-id", HeaderValue::from_str(bad).expect("header"));
        header_stream.headers_mut().insert(
            header::ACCEPT,
            HeaderValue::from_static("text/event-stream"),
        );
        let query = format!("{uri}?last_event_id={bad}");
        let query_poll = api("GET", &query, Some(&org.owner), None);
        for request in [header_stream, query_poll] {
            let reply = send(&org.platform, request).await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{bad}: {}",
                reply.json
            );
            assert_eq!(
                reply.json["error"]["code"], "invalid_last_event_id",
                "{bad}"
            );
        }
    }
    // The largest id a client can hold exactly is one the hub never gave: reset.
    let max = ((1u64 << 53) - 1).to_string();
    let mut far = subscribe(&org.platform, &org.slug, &org.owner, Some(&max)).await;
    assert_eq!(far.next().await.event, "reset");
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
    use durable_state::hub::{MAX_STREAMS_PER_USER, MAX_SUBSCRIBERS};
    let org = org().await;
    // Enough members to fill the organization, each with their own share.
    let mut cookies = vec![org.owner.clone()];
    for n in 1..MAX_SUBSCRIBERS.div_ceil(MAX_STREAMS_PER_USER) {
        cookies.push(org.member(&format!("m{n}"), "viewer").await.1);
    }
    let mut open = Vec::new();
    for n in 0..MAX_SUBSCRIBERS {
        let cookie = &cookies[n / MAX_STREAMS_PER_USER];
        open.push(subscribe(&org.platform, &org.slug, cookie, None).await);
    }
    let (_, late) = org.member("late", "viewer").await;
    let full = refused(&org.platform, &org.slug, &late).await;
    assert_eq!(full.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(full.json["error"]["code"], "rate_limited");
    assert!(full.headers.contains_key(header::RETRY_AFTER));

    // A client that goes away frees its place.
    open.pop();
    let mut again = subscribe(&org.platform, &org.slug, &late, None).await;
    again.ready().await;
}

#[tokio::test]
async fn one_member_cannot_take_every_place() {
    use durable_state::hub::MAX_STREAMS_PER_USER;
    let org = org().await;
    let (vic_id, viewer) = org.member("vic", "viewer").await;
    let mut theirs = Vec::new();
    for _ in 0..MAX_STREAMS_PER_USER {
        let mut stream = subscribe(&org.platform, &org.slug, &viewer, None).await;
        stream.ready().await;
        theirs.push(stream);
    }
    // The next one of theirs is refused, with the JSON envelope...
    let refused_reply = refused(&org.platform, &org.slug, &viewer).await;
    assert_eq!(refused_reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused_reply.json["error"]["code"], "rate_limited");
    assert!(refused_reply.headers.contains_key(header::RETRY_AFTER));
    // ...even from another session of theirs, while other members still
    // get theirs, and the open ones carry on.
    let other_session = sign_in_as(&org.platform, &vic_id).await;
    let again = refused(&org.platform, &org.slug, &other_session).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    let mut owner = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    owner.ready().await;
    org.audit(1).await;
    for stream in &mut theirs {
        assert_eq!(stream.next().await.event, "audit.created.1");
    }
    // Closing one frees a place for them.
    theirs.pop();
    let mut reopened = subscribe(&org.platform, &org.slug, &viewer, None).await;
    reopened.ready().await;
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

/// The public id of the session behind `cookie`.
async fn session_id(platform: &Platform, cookie: &str) -> String {
    let list = send(
        platform,
        api("GET", "/api/auth/sessions", Some(cookie), None),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    let sessions = list.json.as_array().expect("a list");
    let current = sessions
        .iter()
        .find(|s| s["current"] == true)
        .expect("the current session is listed");
    current["id"].as_str().expect("an id").to_owned()
}

/// A second organization of the owner's; returns its slug.
async fn second_org(org: &Org) -> String {
    let body = json!({ "name": "Second Lab" });
    let created = send(
        &org.platform,
        api("POST", "/api/orgs", Some(&org.owner), Some(body)),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    created.json["slug"].as_str().expect("slug").to_owned()
}

/// An API key of the owner's: (id, `Authorization` value).
async fn api_key(org: &Org) -> (String, String) {
    let body = json!({ "name": "script", "password": "correct horse battery" });
    let created = send(
        &org.platform,
        api("POST", "/api/me/api-keys", Some(&org.owner), Some(body)),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let id = created.json["id"].as_str().expect("id").to_owned();
    let token = created.json["token"].as_str().expect("token");
    (id, format!("Bearer {token}"))
}

/// The organization's stream opened with an API key.
async fn subscribe_with_key(platform: &Platform, org: &str, bearer: &str) -> Sse {
    let request = axum::http::Request::get(format!("/api/orgs/{org}/events"))
        .header(header::AUTHORIZATION, bearer)
        .header("cf-connecting-ip", "192.0.2.1")
        .body(Body::empty())
        .expect("valid request");
    open_request(platform, request).await
}

#[tokio::test]
async fn signing_out_ends_that_sessions_streams_in_every_organization() {
    let org = org().await;
    let second = second_org(&org).await;
    let other_session = sign_in_as(&org.platform, &org.owner_id).await;
    let mut here = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    let mut there = subscribe(&org.platform, &second, &org.owner, None).await;
    let mut elsewhere = subscribe(&org.platform, &org.slug, &other_session, None).await;
    for stream in [&mut here, &mut there, &mut elsewhere] {
        stream.ready().await;
    }

    let out = send(
        &org.platform,
        api("POST", "/api/auth/logout", Some(&org.owner), None),
    )
    .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(here.ends().await, "the signed-out session's stream ends");
    assert!(there.ends().await, "in the other organization too");
    org.audit(1).await;
    assert_eq!(elsewhere.next().await.event, "audit.created.1");
}

#[tokio::test]
async fn revoking_a_session_ends_its_streams() {
    let org = org().await;
    let laptop = sign_in_as(&org.platform, &org.owner_id).await;
    let laptop_id = session_id(&org.platform, &laptop).await;
    let mut revoked = subscribe(&org.platform, &org.slug, &laptop, None).await;
    let mut kept = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    revoked.ready().await;
    kept.ready().await;

    let uri = format!("/api/auth/sessions/{laptop_id}");
    let reply = send(&org.platform, api("DELETE", &uri, Some(&org.owner), None)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.json);
    assert!(revoked.ends().await, "the revoked session's stream ends");
    org.audit(1).await;
    assert_eq!(kept.next().await.event, "audit.created.1");
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_streams() {
    let org = org().await;
    let second = second_org(&org).await;
    let other = sign_in_as(&org.platform, &org.owner_id).await;
    let (_, bearer) = api_key(&org).await;
    let mut other_here = subscribe(&org.platform, &org.slug, &other, None).await;
    let mut other_there = subscribe(&org.platform, &second, &other, None).await;
    let mut current = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    let mut script = subscribe_with_key(&org.platform, &org.slug, &bearer).await;
    for stream in [&mut other_here, &mut other_there, &mut current, &mut script] {
        stream.ready().await;
    }

    let body = json!({
        "current_password": "correct horse battery",
        "new_password": "a new horse battery staple",
    });
    let changed = send(
        &org.platform,
        api("PUT", "/api/auth/password", Some(&org.owner), Some(body)),
    )
    .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.json);
    assert!(other_here.ends().await, "the other session's stream ends");
    assert!(other_there.ends().await, "in every organization");
    // The session that changed it, and the API key (still valid), go on.
    org.audit(1).await;
    assert_eq!(current.next().await.event, "audit.created.1");
    assert_eq!(script.next().await.event, "audit.created.1");
}

#[tokio::test]
async fn a_password_change_that_revokes_the_api_keys_ends_their_streams() {
    let org = org().await;
    let (_, bearer) = api_key(&org).await;
    let mut current = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    let mut script = subscribe_with_key(&org.platform, &org.slug, &bearer).await;
    for stream in [&mut current, &mut script] {
        stream.ready().await;
    }

    let body = json!({
        "current_password": "correct horse battery",
        "new_password": "a new horse battery staple",
        "revoke_api_keys": true,
    });
    let changed = send(
        &org.platform,
        api("PUT", "/api/auth/password", Some(&org.owner), Some(body)),
    )
    .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.json);
    assert!(script.ends().await, "the revoked key's stream ends");
    org.audit(1).await;
    assert_eq!(current.next().await.event, "audit.created.1");
}

#[tokio::test]
async fn signing_out_all_other_sessions_ends_their_streams_but_not_this_ones() {
    let org = org().await;
    let second = second_org(&org).await;
    let laptop = sign_in_as(&org.platform, &org.owner_id).await;
    let (_, bearer) = api_key(&org).await;
    let mut laptop_here = subscribe(&org.platform, &org.slug, &laptop, None).await;
    let mut laptop_there = subscribe(&org.platform, &second, &laptop, None).await;
    let mut current = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    let mut script = subscribe_with_key(&org.platform, &org.slug, &bearer).await;
    for stream in [
        &mut laptop_here,
        &mut laptop_there,
        &mut current,
        &mut script,
    ] {
        stream.ready().await;
    }

    let reply = send(
        &org.platform,
        api("DELETE", "/api/auth/sessions", Some(&org.owner), None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert!(laptop_here.ends().await, "the other session's stream ends");
    assert!(laptop_there.ends().await, "in every organization");
    org.audit(1).await;
    assert_eq!(current.next().await.event, "audit.created.1");
    assert_eq!(script.next().await.event, "audit.created.1");
}

#[tokio::test]
async fn revoking_an_api_key_ends_its_streams() {
    let org = org().await;
    let (key_id, bearer) = api_key(&org).await;
    let mut script = subscribe_with_key(&org.platform, &org.slug, &bearer).await;
    let mut browser = subscribe(&org.platform, &org.slug, &org.owner, None).await;
    script.ready().await;
    browser.ready().await;
    let uri = format!("/api/me/api-keys/{key_id}");
    let revoked = send(&org.platform, api("DELETE", &uri, Some(&org.owner), None)).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.json);
    assert!(script.ends().await, "the revoked key's stream ends");
    org.audit(1).await;
    assert_eq!(browser.next().await.event, "audit.created.1");
}
