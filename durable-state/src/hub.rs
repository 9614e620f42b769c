//! One organization's event hub, as plain data: ids, the replay ring and the
//! subscribers. The Durable Object (wasm32) and edge-api's in-process stand-in
//! (native) both run exactly this; neither adds rules of its own.
//!
//! Rules:
//! - ids increase by one per event and never go back: the runtime persists
//!   [`Hub::head`] after each publish and passes it to [`Hub::new`];
//! - the ring holds the last [`RING_CAPACITY`] events, none older than
//!   [`RING_MAX_AGE_MS`];
//! - a subscriber with `Last-Event-ID` = n gets every event after n that it
//!   may see, when the ring still holds n + 1; otherwise (too old, an id the
//!   hub never gave, or more than fits its queue) it gets `reset`;
//! - each subscriber's queue holds at most [`QUEUE_FRAMES`] frames and
//!   [`QUEUE_BYTES`] bytes; a reader that falls that far behind gets `reset`
//!   and its stream ends (it reconnects and refetches);
//! - a stream ends after [`STREAM_KEEPALIVES`] keepalives (about ten
//!   minutes): the client reconnects with `Last-Event-ID` through the guard,
//!   so a revoked session or a changed role stops receiving events even
//!   when nobody calls `disconnect`;
//! - at most [`MAX_SUBSCRIBERS`] streams, and at most
//!   [`MAX_STREAMS_PER_USER`] of one user, so one member cannot take every
//!   place; one more is refused ([`Full`]) rather than closing an older one,
//!   which would reconnect and close another in turn (each browser tab has
//!   one stream per organization);
//! - event data at most [`MAX_DATA_BYTES`] (larger data is replaced by
//!   `{"truncated":true}`);
//! - each stream remembers the credential that opened it, so signing out,
//!   revoking a session or changing the password ends exactly those streams
//!   ([`Hub::disconnect`] with [`Streams`]).
//!
//! Worst-case memory: ring ≈ 1000 × 2 × 4 KiB, queues ≈ 256 × 256 KiB (frames
//! are shared between queues, so typically far less).

use std::collections::VecDeque;

use bytes::Bytes;
use serde_json::json;

use crate::{
    outlet::{Frames, Outlet, Refused, outlet},
    protocol::{
        Audience, Backlog, Credential, Event, EventDraft, Streams, Subscription, Visibility,
    },
    sse,
};

/// Events kept for replay.
pub const RING_CAPACITY: usize = 1000;
/// How long events are kept for replay.
pub const RING_MAX_AGE_MS: i64 = 10 * 60 * 1000;
/// Unread frames one subscriber may have queued.
pub const QUEUE_FRAMES: usize = 256;
/// Unread bytes one subscriber may have queued.
pub const QUEUE_BYTES: usize = 256 * 1024;
/// Open streams per organization.
pub const MAX_SUBSCRIBERS: usize = 256;
/// Open streams per user in one organization: a few browsers and scripts.
pub const MAX_STREAMS_PER_USER: usize = 8;
/// Largest event data, as compact JSON.
pub const MAX_DATA_BYTES: usize = 4 * 1024;
/// Seconds between keepalive comments while streams are open.
pub const KEEPALIVE_SECS: u64 = 25;
/// Keepalives after which a stream ends, so its client reconnects and is
/// authorized again (24 × 25 s = 10 minutes).
pub const STREAM_KEEPALIVES: u32 = 24;

/// The Durable Object's HTTP status for [`Full`].
pub const FULL_STATUS: u16 = 429;

/// Why a stream was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// The hub already has [`MAX_SUBSCRIBERS`] streams.
    Organization,
    /// The user already has [`MAX_STREAMS_PER_USER`] streams here.
    User,
}

impl std::fmt::Display for Full {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Full::Organization => write!(
                f,
                "this organization already has {MAX_SUBSCRIBERS} event streams"
            ),
            Full::User => write!(
                f,
                "this user already has {MAX_STREAMS_PER_USER} event streams here"
            ),
        }
    }
}

impl std::error::Error for Full {}

#[derive(Debug)]
struct Stored {
    event: Event,
    audience: Audience,
    at_ms: i64,
    frame: Bytes,
}

#[derive(Debug)]
struct Subscriber {
    visibility: Visibility,
    /// What opened the stream.
    credential: Option<Credential>,
    outlet: Outlet,
    /// Keepalives sent so far.
    keepalives: u32,
}

/// What a subscriber missed.
enum Missed<'a> {
    Events(Vec<&'a Stored>),
    Reset,
}

/// One organization's events and streams.
#[derive(Debug, Default)]
pub struct Hub {
    head: u64,
    ring: VecDeque<Stored>,
    subscribers: Vec<Subscriber>,
}

impl Hub {
    /// A hub whose last given id was `head` (0 for a new organization).
    pub fn new(head: u64) -> Self {
        Hub {
            head,
            ..Hub::default()
        }
    }

    /// The last id given.
    pub fn head(&self) -> u64 {
        self.head
    }

    /// Open streams.
    pub fn subscribers(&self) -> usize {
        self.subscribers.len()
    }

    /// Events held for replay.
    pub fn held(&self) -> usize {
        self.ring.len()
    }

    /// Unread frames over every stream.
    pub fn queued(&self) -> usize {
        self.subscribers.iter().map(|s| s.outlet.len()).sum()
    }

    /// Numbers `draft`, keeps it for replay and queues it for every
    /// subscriber that may see it. Returns its id.
    pub fn publish(&mut self, draft: EventDraft) -> u64 {
        self.head += 1;
        let id = self.head;
        let data = if draft.data.to_string().len() > MAX_DATA_BYTES {
            json!({ "truncated": true })
        } else {
            draft.data
        };
        let frame = sse::frame(id, &draft.event, &data);
        let head = self.head;
        self.subscribers.retain(|s| {
            if !s.visibility.sees(&draft.audience) {
                return !s.outlet.is_gone();
            }
            deliver(&s.outlet, frame.clone(), head)
        });
        self.ring.push_back(Stored {
            event: Event {
                id,
                event: draft.event,
                data,
            },
            audience: draft.audience,
            at_ms: draft.at_ms,
            frame,
        });
        self.prune(draft.at_ms);
        id
    }

    /// Opens a stream: `retry`, then the missed events it may see (or
    /// `reset`), then `ready`, then live events.
    pub fn subscribe(&mut self, subscription: Subscription) -> Result<Frames, Full> {
        self.subscribers.retain(|s| !s.outlet.is_gone());
        if self.subscribers.len() >= MAX_SUBSCRIBERS {
            return Err(Full::Organization);
        }
        let user_id = &subscription.visibility.user_id;
        let theirs = self
            .subscribers
            .iter()
            .filter(|s| s.visibility.user_id == *user_id)
            .count();
        if theirs >= MAX_STREAMS_PER_USER {
            return Err(Full::User);
        }
        self.prune(subscription.now_ms);
        let (outlet, frames) = outlet(QUEUE_FRAMES, QUEUE_BYTES);
        let mut preamble = vec![sse::retry()];
        match self.missed(subscription.last_event_id, &subscription.visibility) {
            Missed::Events(events) => preamble.extend(events.iter().map(|s| s.frame.clone())),
            Missed::Reset => preamble.push(sse::reset(self.head)),
        }
        preamble.push(sse::ready(self.head));
        for frame in preamble {
            // Cannot fail: `missed` keeps the preamble within the queue.
            let _ = outlet.send(frame);
        }
        self.subscribers.push(Subscriber {
            visibility: subscription.visibility,
            credential: subscription.credential,
            outlet,
            keepalives: 0,
        });
        Ok(frames)
    }

    /// What [`Hub::subscribe`] would replay, as data.
    pub fn backlog(&mut self, subscription: &Subscription) -> Backlog {
        self.prune(subscription.now_ms);
        let (reset, events) =
            match self.missed(subscription.last_event_id, &subscription.visibility) {
                Missed::Events(events) => (false, events.iter().map(|s| s.event.clone()).collect()),
                Missed::Reset => (true, Vec::new()),
            };
        Backlog {
            last_event_id: self.head,
            reset,
            events,
        }
    }

    /// Ends the `streams` of `user_id`; returns how many.
    pub fn disconnect(&mut self, user_id: &str, streams: &Streams) -> usize {
        let before = self.subscribers.len();
        // Dropping an outlet ends its stream once the queued frames are read.
        self.subscribers
            .retain(|s| s.visibility.user_id != user_id || !streams.include(s.credential.as_ref()));
        before - self.subscribers.len()
    }

    /// Sends a keepalive comment on every stream, dropping those whose
    /// reader went away or fell behind, and ending those that reached
    /// [`STREAM_KEEPALIVES`]. Returns the streams left.
    pub fn keepalive(&mut self) -> usize {
        let head = self.head;
        self.subscribers.retain_mut(|s| {
            s.keepalives += 1;
            s.keepalives < STREAM_KEEPALIVES
                && deliver(&s.outlet, Bytes::from_static(sse::KEEPALIVE), head)
        });
        self.subscribers.len()
    }

    /// Drops events past the ring's count or age.
    fn prune(&mut self, now_ms: i64) {
        while self.ring.len() > RING_CAPACITY {
            self.ring.pop_front();
        }
        let oldest = now_ms.saturating_sub(RING_MAX_AGE_MS);
        while self.ring.front().is_some_and(|s| s.at_ms < oldest) {
            self.ring.pop_front();
        }
    }

    /// The events after `last` that `visibility` may see, or `Reset` when
    /// they are not all held (or would not fit a queue).
    fn missed(&self, last: Option<u64>, visibility: &Visibility) -> Missed<'_> {
        let Some(last) = last else {
            return Missed::Events(Vec::new());
        };
        if last > self.head {
            // Not an id this hub gave.
            return Missed::Reset;
        }
        if last == self.head {
            return Missed::Events(Vec::new());
        }
        match self.ring.front() {
            Some(oldest) if oldest.event.id <= last + 1 => {}
            _ => return Missed::Reset,
        }
        let events: Vec<&Stored> = self
            .ring
            .iter()
            .filter(|s| s.event.id > last && visibility.sees(&s.audience))
            .collect();
        // Room for `retry` and `ready` around the replay.
        let bytes: usize = events.iter().map(|s| s.frame.len()).sum();
        if events.len() + 2 > QUEUE_FRAMES || bytes + 256 > QUEUE_BYTES {
            return Missed::Reset;
        }
        Missed::Events(events)
    }
}

/// Queues `frame`; a reader that fell behind gets `reset` instead and is
/// dropped. Returns whether the subscriber stays.
fn deliver(outlet: &Outlet, frame: Bytes, head: u64) -> bool {
    match outlet.send(frame) {
        Ok(()) => true,
        Err(Refused::Full) => {
            outlet.finish_with(sse::reset(head));
            false
        }
        Err(Refused::Closed) => false,
    }
}

#[cfg(test)]
mod tests {
    use std::{
        pin::Pin,
        task::{Context, Poll, Waker},
    };

    use futures_core::Stream;
    use serde_json::Value;

    use super::*;

    const NOW: i64 = 1_795_341_600_000;

    fn visibility(user_id: &str, read: &[&str], manage: &[&str]) -> Visibility {
        Visibility {
            user_id: user_id.into(),
            read: read.iter().map(|r| (*r).to_owned()).collect(),
            manage: manage.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    fn owner() -> Visibility {
        visibility("owner", &["audit", "members"], &["members"])
    }

    fn viewer() -> Visibility {
        visibility("viewer", &["audit", "members"], &[])
    }

    fn draft(event: &str, audience: Audience, at_ms: i64) -> EventDraft {
        EventDraft {
            event: event.into(),
            data: json!({ "n": event }),
            audience,
            at_ms,
        }
    }

    fn audit(at_ms: i64) -> EventDraft {
        draft("audit.created", Audience::Read("audit".into()), at_ms)
    }

    fn subscribe(hub: &mut Hub, who: Visibility, last: Option<u64>) -> Frames {
        open_with(hub, who, None, last).unwrap_or_else(|e| panic!("{e}"))
    }

    fn open_with(
        hub: &mut Hub,
        who: Visibility,
        credential: Option<Credential>,
        last: Option<u64>,
    ) -> Result<Frames, Full> {
        hub.subscribe(Subscription {
            visibility: who,
            credential,
            last_event_id: last,
            now_ms: NOW,
        })
    }

    fn session(id: &str) -> Option<Credential> {
        Some(Credential::Session(id.into()))
    }

    /// Parsed frames ready now: (id, event) pairs; comments as ("", ":").
    /// `None` marks the end of the stream.
    fn drain(frames: &mut Frames) -> (Vec<(String, String)>, bool) {
        let mut cx = Context::from_waker(Waker::noop());
        let mut out = Vec::new();
        loop {
            match Pin::new(&mut *frames).poll_next(&mut cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    let text = String::from_utf8_lossy(&frame).into_owned();
                    if text.starts_with("retry:") {
                        continue;
                    }
                    if text.starts_with(':') {
                        out.push((String::new(), ":".into()));
                        continue;
                    }
                    let field = |name: &str| {
                        text.lines()
                            .find_map(|l| l.strip_prefix(name))
                            .unwrap_or_default()
                            .to_owned()
                    };
                    out.push((field("id: "), field("event: ")));
                }
                Poll::Ready(None) => return (out, true),
                Poll::Pending => return (out, false),
            }
        }
    }

    fn pairs(list: &[(u64, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(id, e)| (id.to_string(), (*e).to_owned()))
            .collect()
    }

    #[test]
    fn every_subscriber_gets_events_in_order() {
        let mut hub = Hub::new(0);
        let mut a = subscribe(&mut hub, owner(), None);
        let mut b = subscribe(&mut hub, viewer(), None);
        assert_eq!(hub.publish(audit(NOW)), 1);
        assert_eq!(
            hub.publish(draft("x.two", Audience::Read("audit".into()), NOW)),
            2
        );
        let expected = pairs(&[(0, "ready"), (1, "audit.created"), (2, "x.two")]);
        assert_eq!(drain(&mut a), (expected.clone(), false));
        assert_eq!(drain(&mut b), (expected, false));
    }

    #[test]
    fn audiences_filter_what_each_subscriber_gets() {
        let mut hub = Hub::new(0);
        let mut admin = subscribe(&mut hub, owner(), None);
        let mut view = subscribe(&mut hub, viewer(), None);
        hub.publish(draft("invite", Audience::Manage("members".into()), NOW));
        hub.publish(draft("mine", Audience::User("viewer".into()), NOW));
        hub.publish(draft("theirs", Audience::User("owner".into()), NOW));
        hub.publish(draft("tunnel", Audience::Read("tunnels".into()), NOW));
        assert_eq!(
            drain(&mut admin).0,
            pairs(&[(0, "ready"), (1, "invite"), (3, "theirs")])
        );
        assert_eq!(drain(&mut view).0, pairs(&[(0, "ready"), (2, "mine")]));
    }

    #[test]
    fn last_event_id_replays_exactly_the_missed_visible_events() {
        let mut hub = Hub::new(0);
        for _ in 0..3 {
            hub.publish(audit(NOW));
        }
        hub.publish(draft("secret", Audience::Manage("members".into()), NOW));
        hub.publish(audit(NOW));
        let mut view = subscribe(&mut hub, viewer(), Some(1));
        assert_eq!(
            drain(&mut view).0,
            pairs(&[
                (2, "audit.created"),
                (3, "audit.created"),
                (5, "audit.created"),
                (5, "ready")
            ])
        );
        let mut current = subscribe(&mut hub, viewer(), Some(5));
        assert_eq!(drain(&mut current).0, pairs(&[(5, "ready")]));
        let backlog = hub.backlog(&Subscription {
            visibility: owner(),
            credential: None,
            last_event_id: Some(3),
            now_ms: NOW,
        });
        assert!(!backlog.reset);
        assert_eq!(backlog.last_event_id, 5);
        assert_eq!(
            backlog.events.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![4, 5]
        );
    }

    #[test]
    fn a_gap_older_than_the_ring_resets() {
        let mut hub = Hub::new(0);
        for _ in 0..RING_CAPACITY + 5 {
            hub.publish(audit(NOW));
        }
        assert_eq!(hub.held(), RING_CAPACITY);
        let head = hub.head();
        // The ring holds ids 6..=1005: 5 could resume, 4 cannot.
        let oldest_resumable = head - RING_CAPACITY as u64;
        let mut old = subscribe(&mut hub, viewer(), Some(oldest_resumable - 1));
        assert_eq!(
            drain(&mut old).0,
            pairs(&[(head, "reset"), (head, "ready")])
        );
        // Within the ring but more than a queue holds: reset too.
        let mut far = subscribe(&mut hub, viewer(), Some(oldest_resumable));
        assert_eq!(
            drain(&mut far).0,
            pairs(&[(head, "reset"), (head, "ready")])
        );
        let mut near = subscribe(&mut hub, viewer(), Some(head - 3));
        assert_eq!(drain(&mut near).0.len(), 4);
    }

    #[test]
    fn events_older_than_ten_minutes_are_not_replayed() {
        let mut hub = Hub::new(0);
        hub.publish(audit(NOW - RING_MAX_AGE_MS - 1));
        hub.publish(audit(NOW - 1000));
        let mut stale = subscribe(&mut hub, viewer(), Some(0));
        assert_eq!(drain(&mut stale).0, pairs(&[(2, "reset"), (2, "ready")]));
        let mut fresh = subscribe(&mut hub, viewer(), Some(1));
        assert_eq!(
            drain(&mut fresh).0,
            pairs(&[(2, "audit.created"), (2, "ready")])
        );
    }

    #[test]
    fn ids_from_a_previous_incarnation_reset_and_ids_never_go_back() {
        // The runtime restored head 40 but lost the ring.
        let mut hub = Hub::new(40);
        let mut behind = subscribe(&mut hub, viewer(), Some(39));
        assert_eq!(drain(&mut behind).0, pairs(&[(40, "reset"), (40, "ready")]));
        let mut ahead = subscribe(&mut hub, viewer(), Some(99));
        assert_eq!(drain(&mut ahead).0, pairs(&[(40, "reset"), (40, "ready")]));
        let mut level = subscribe(&mut hub, viewer(), Some(40));
        assert_eq!(drain(&mut level).0, pairs(&[(40, "ready")]));
        assert_eq!(hub.publish(audit(NOW)), 41);
    }

    #[test]
    fn disconnect_ends_only_that_users_streams() {
        let mut hub = Hub::new(0);
        let mut a = subscribe(&mut hub, viewer(), None);
        let mut b = subscribe(&mut hub, viewer(), None);
        let mut other = subscribe(&mut hub, owner(), None);
        assert_eq!(hub.disconnect("viewer", &Streams::All), 2);
        hub.publish(audit(NOW));
        assert_eq!(drain(&mut a), (pairs(&[(0, "ready")]), true));
        assert_eq!(drain(&mut b), (pairs(&[(0, "ready")]), true));
        assert_eq!(
            drain(&mut other),
            (pairs(&[(0, "ready"), (1, "audit.created")]), false)
        );
        assert_eq!(hub.subscribers(), 1);
    }

    #[test]
    fn a_slow_reader_gets_reset_and_is_dropped() {
        let mut hub = Hub::new(0);
        let mut slow = subscribe(&mut hub, viewer(), None);
        let mut fast = subscribe(&mut hub, viewer(), None);
        let mut seen = 0;
        for _ in 0..QUEUE_FRAMES * 2 {
            hub.publish(audit(NOW));
            seen += drain(&mut fast).0.len();
            assert!(hub.queued() <= QUEUE_FRAMES + 1);
        }
        assert_eq!(hub.subscribers(), 1);
        let head = hub.head();
        assert_eq!(seen, QUEUE_FRAMES * 2 + 1);
        let (got, ended) = drain(&mut slow);
        assert!(ended);
        assert_eq!(got.len(), 1, "only the reset is left");
        assert_eq!(got[0].1, "reset");
        assert!(got[0].0.parse::<u64>().is_ok_and(|id| id < head));
    }

    #[test]
    fn keepalives_reach_every_stream_and_gone_readers_are_reaped() {
        let mut hub = Hub::new(0);
        let mut a = subscribe(&mut hub, viewer(), None);
        let b = subscribe(&mut hub, owner(), None);
        drop(b);
        assert_eq!(hub.keepalive(), 1);
        assert_eq!(
            drain(&mut a).0,
            vec![("0".into(), "ready".into()), (String::new(), ":".into())]
        );
    }

    #[test]
    fn streams_end_after_a_while_so_clients_are_authorized_again() {
        let mut hub = Hub::new(0);
        let mut old = subscribe(&mut hub, viewer(), None);
        for _ in 1..STREAM_KEEPALIVES / 2 {
            hub.keepalive();
        }
        let mut young = subscribe(&mut hub, viewer(), None);
        assert!(!drain(&mut old).1);
        hub.keepalive();
        assert_eq!(hub.subscribers(), 2);
        for _ in 0..STREAM_KEEPALIVES / 2 {
            hub.keepalive();
        }
        assert_eq!(hub.subscribers(), 1);
        assert!(drain(&mut old).1, "the old stream ended");
        assert!(!drain(&mut young).1, "the young one goes on");
    }

    #[test]
    fn disconnect_by_credential_ends_only_those_streams() {
        let mut hub = Hub::new(0);
        let who = || viewer();
        let mut laptop = open_with(&mut hub, who(), session("laptop"), None).ok();
        let mut phone = open_with(&mut hub, who(), session("phone"), None).ok();
        let mut script =
            open_with(&mut hub, who(), Some(Credential::ApiKey("k".into())), None).ok();
        let mut theirs = open_with(&mut hub, owner(), session("laptop"), None).ok();
        let ended = |frames: &mut Option<Frames>| frames.as_mut().is_some_and(|f| drain(f).1);

        // Signing out on the phone ends the phone's stream only.
        let phone_out = Streams::OpenedWith(Credential::Session("phone".into()));
        assert_eq!(hub.disconnect("viewer", &phone_out), 1);
        assert!(ended(&mut phone));
        assert!(!ended(&mut laptop));
        // Another user's session with the same id is not theirs to end.
        assert!(!ended(&mut theirs));

        // A password change on the phone ends every other session's stream,
        // not the API key's.
        let mut phone = open_with(&mut hub, who(), session("phone"), None).ok();
        let others = Streams::OtherSessions {
            keep: Some("phone".into()),
            and_api_keys: false,
        };
        assert_eq!(hub.disconnect("viewer", &others), 1);
        assert!(ended(&mut laptop));
        assert!(!ended(&mut phone));
        assert!(!ended(&mut script));
        assert!(!ended(&mut theirs));
        let key = Streams::OpenedWith(Credential::ApiKey("k".into()));
        assert_eq!(hub.disconnect("viewer", &key), 1);
        assert!(ended(&mut script));
        assert_eq!(hub.subscribers(), 2);
    }

    #[test]
    fn one_user_gets_at_most_a_few_streams() {
        let mut hub = Hub::new(0);
        let mut theirs = Vec::new();
        for _ in 0..MAX_STREAMS_PER_USER {
            theirs.push(subscribe(&mut hub, viewer(), None));
        }
        assert_eq!(hub.subscribers(), MAX_STREAMS_PER_USER);
        assert_eq!(
            open_with(&mut hub, viewer(), session("s"), None).err(),
            Some(Full::User)
        );
        // Other members still get theirs.
        let _owner = subscribe(&mut hub, owner(), None);
        // A stream the user closed frees its place.
        theirs.pop();
        assert!(open_with(&mut hub, viewer(), None, None).is_ok());
        assert_eq!(hub.subscribers(), MAX_STREAMS_PER_USER + 1);
    }

    #[test]
    fn subscribers_and_data_are_bounded() {
        let mut hub = Hub::new(0);
        let mut open = Vec::new();
        for n in 0..MAX_SUBSCRIBERS {
            let who = visibility(
                &format!("user {}", n / MAX_STREAMS_PER_USER),
                &["audit"],
                &[],
            );
            open.push(subscribe(&mut hub, who, None));
        }
        let newcomer = || visibility("newcomer", &["audit"], &[]);
        assert_eq!(
            open_with(&mut hub, newcomer(), None, None).err(),
            Some(Full::Organization)
        );
        open.pop();
        assert!(open_with(&mut hub, newcomer(), None, None).is_ok());

        let big = EventDraft {
            data: Value::String("x".repeat(MAX_DATA_BYTES)),
            ..audit(NOW)
        };
        let id = hub.publish(big);
        let backlog = hub.backlog(&Subscription {
            visibility: viewer(),
            credential: None,
            last_event_id: Some(id - 1),
            now_ms: NOW,
        });
        assert_eq!(backlog.events[0].data, json!({ "truncated": true }));
    }
}
