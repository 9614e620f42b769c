//! Live events: one Server-Sent Events stream per organization, served by
//! that organization's event hub (a Durable Object named by the org id;
//! `durable_state::hub` holds the rules).
//!
//! - Mutations call [`publish`] right after their D1 batch commits. It never
//!   fails the request: a hub that does not answer is logged, and clients
//!   catch up on their next refetch.
//! - [`disconnect`] ends a user's streams when they are removed or their role
//!   changes; they reconnect (or are refused) through the guard again.
//!   [`end_session`] (signed out, session revoked), [`end_other_sessions`]
//!   (password changed) and [`end_api_key`] (key revoked) end the streams
//!   a credential opened, in every organization of the user. Each stream
//!   remembers its credential; a password change leaves API-key streams
//!   open, as it leaves the keys valid.
//! - `GET /api/orgs/{org}/events` ([`stream`]) with `Accept: text/event-stream`
//!   streams `id: N\nevent: <type>\ndata: <json>\n\n` frames, resuming after
//!   `Last-Event-ID` (or `?last_event_id=`): the missed events the caller may
//!   see, or `reset` when they are gone (refetch everything); an id that is
//!   not a whole number up to 2^53 − 1 is a 400. `ready` marks
//!   the stream live. Without that Accept it answers the same catch-up as
//!   JSON ([`EventPage`]), for scripts that poll.
//!
//! Who receives what is decided once, here: the caller's role becomes a
//! [`Visibility`] (the resources it may read and change) and each event
//! carries an [`Audience`].

use axum::{
    Extension, Json,
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};
use durable_state::{
    hub::KEEPALIVE_SECS,
    protocol::{self, Credential, EventDraft, Streams, Visibility},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

use super::audit;
use crate::{
    auth::{self, Action, Resource, Role},
    context::{Caller, OrgContext},
    error::ApiError,
    extract::ApiQuery,
    platform::{
        Platform,
        db::{DatabaseExt, Statement},
        objects::{HubReply, HubRequest, Subscription},
    },
};

/// Who may receive an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Members whose role may read this resource.
    Read(Resource),
    /// Members whose role may change this resource (e.g. invitations go
    /// to `Manage(Members)`).
    Manage(Resource),
    /// Only this user, whatever their role.
    User(String),
}

/// An event to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// `noun.verb`: `audit.created`, `tunnel.opened`, `tunnel.closed`,
    /// `host.online`, `host.offline`, `node.online`, `node.offline`,
    /// `server.state`, `server.stats`, ...
    pub event: String,
    /// The payload (compact JSON at most 4 KiB, else replaced by
    /// `{"truncated":true}`). Never secrets.
    pub data: Value,
    /// Who may receive it.
    pub audience: Audience,
}

/// Events a request queued for its organizations, published by the guard
/// once the handler has answered with success, that is after the D1 batch
/// that made the change has committed. [`audit::Entry`] queues
/// `audit.created` here, so every audited mutation publishes without
/// further code. A retried batch queues the same event again; the last one
/// queued for an action on a resource wins.
#[derive(Debug, Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<(String, NewEvent)>>>);

impl Outbox {
    /// Queues `event` for `org_id`.
    pub fn push(&self, org_id: &str, event: NewEvent) {
        let key = |org: &str, e: &NewEvent| {
            (
                org.to_owned(),
                e.event.clone(),
                e.data["action"].clone(),
                e.data["resource_id"].clone(),
            )
        };
        if let Ok(mut queued) = self.0.lock() {
            let new = key(org_id, &event);
            queued.retain(|(org, e)| key(org, e) != new);
            queued.push((org_id.to_owned(), event));
        }
    }

    /// Publishes and forgets what was queued, in order.
    pub async fn flush(&self, platform: &Platform) {
        let queued = self
            .0
            .lock()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default();
        for (org_id, event) in queued {
            publish(platform, &org_id, event).await;
        }
    }
}

/// The event type published for every audit entry.
pub const AUDIT_CREATED: &str = "audit.created";

impl NewEvent {
    /// An event of type `event`.
    pub fn new(event: impl Into<String>, data: Value, audience: Audience) -> Self {
        NewEvent {
            event: event.into(),
            data,
            audience,
        }
    }

    /// `audit.created` for `entry` by `actor_id`, for everyone who may read
    /// the audit log (every member): the same facts the log lists.
    pub fn audit(entry: &audit::Entry<'_>, actor_id: Option<&str>) -> Self {
        NewEvent::new(
            AUDIT_CREATED,
            json!({
                "action": entry.action,
                "resource_type": entry.resource_type,
                "resource_id": entry.resource_id,
                "actor_id": actor_id,
                "metadata": entry.metadata,
            }),
            Audience::Read(Resource::Audit),
        )
    }
}

/// The resource's name on the wire (as serde spells it).
fn resource_name(resource: Resource) -> &'static str {
    match resource {
        Resource::Vps => "vps",
        Resource::Tunnels => "tunnels",
        Resource::GameServers => "game_servers",
        Resource::Nodes => "nodes",
        Resource::Members => "members",
        Resource::Settings => "settings",
        Resource::Audit => "audit",
    }
}

impl From<Audience> for protocol::Audience {
    fn from(audience: Audience) -> Self {
        match audience {
            Audience::Read(r) => protocol::Audience::Read(resource_name(r).to_owned()),
            Audience::Manage(r) => protocol::Audience::Manage(resource_name(r).to_owned()),
            Audience::User(id) => protocol::Audience::User(id),
        }
    }
}

/// What `user_id` with `role` may see: the resources the permission matrix
/// ([`auth::allows`]) lets them read and change.
pub fn visibility(role: Role, user_id: &str) -> Visibility {
    let names = |action: Action| {
        Resource::ALL
            .into_iter()
            .filter(|r| auth::allows(role, *r, action))
            .map(|r| resource_name(r).to_owned())
            .collect()
    };
    Visibility {
        user_id: user_id.to_owned(),
        read: names(Action::Read),
        manage: names(Action::Write),
    }
}

/// Sends `event` to the organization's live streams. Call it right after
/// the D1 batch that made the change commits; it never fails the request.
pub async fn publish(platform: &Platform, org_id: &str, event: NewEvent) {
    let draft = EventDraft {
        event: event.event,
        data: event.data,
        audience: event.audience.into(),
        at_ms: platform.clock.now_ms(),
    };
    publish_draft(platform, org_id, draft).await;
}

/// Publishes, in order, the events a Durable Object raised itself (the
/// tunnel link's `host.*` and `tunnel.*`, handed over through
/// `durable_state::relay`) exactly as [`publish`] does edge-api's own:
/// offered to webhooks, then sent to the hub. Never fails.
pub async fn relay(platform: &Platform, org_id: &str, events: Vec<EventDraft>) {
    for draft in events {
        publish_draft(platform, org_id, draft).await;
    }
}

/// The one way onto the live stream: every event the hub gets is offered to
/// the organization's webhooks first (one INSERT for the endpoints that
/// want it, none for events no endpoint can ask for; sent off the request
/// path).
async fn publish_draft(platform: &Platform, org_id: &str, draft: EventDraft) {
    crate::webhooks::outbox::enqueue(platform, org_id, &draft.event, &draft.data).await;
    let kind = draft.event.clone();
    match platform
        .objects
        .hub(org_id, HubRequest::Publish { event: draft })
        .await
    {
        Ok(HubReply::Published { .. }) => {}
        Ok(other) => log_failure("publish", &format!("{kind}: unexpected reply {other:?}")),
        Err(e) => log_failure("publish", &format!("{kind}: {e}")),
    }
}

/// Ends every live stream `user_id` has on the organization (after removing
/// them or changing their role). Never fails the request.
pub async fn disconnect(platform: &Platform, org_id: &str, user_id: &str) {
    end(platform, org_id, user_id, Streams::All).await;
}

/// Ends the streams that session `session_id` of `user_id` opened, in every
/// organization of theirs (signed out, or the session revoked). Never fails
/// the request.
pub async fn end_session(platform: &Platform, user_id: &str, session_id: &str) {
    let streams = Streams::OpenedWith(Credential::Session(session_id.to_owned()));
    end_everywhere(platform, user_id, streams).await;
}

/// Ends the streams of every session of `user_id` but `keep` (the password
/// changed there), in every organization of theirs; API-key streams stay
/// unless `and_api_keys` (the keys were revoked too). Never fails the request.
pub async fn end_other_sessions(
    platform: &Platform,
    user_id: &str,
    keep: Option<&str>,
    and_api_keys: bool,
) {
    let streams = Streams::OtherSessions {
        keep: keep.map(str::to_owned),
        and_api_keys,
    };
    end_everywhere(platform, user_id, streams).await;
}

/// Ends the streams that API key `key_id` of `user_id` opened, in every
/// organization of theirs (the key was revoked). Never fails the request.
pub async fn end_api_key(platform: &Platform, user_id: &str, key_id: &str) {
    let streams = Streams::OpenedWith(Credential::ApiKey(key_id.to_owned()));
    end_everywhere(platform, user_id, streams).await;
}

/// The organizations a user belongs to, whose hubs may hold their streams.
const USER_ORGS: &str = "SELECT org_id FROM memberships WHERE user_id = ?1";

async fn end_everywhere(platform: &Platform, user_id: &str, streams: Streams) {
    #[derive(Deserialize)]
    struct Row {
        org_id: String,
    }
    let orgs: Vec<Row> = match platform
        .db
        .all(Statement::new(USER_ORGS).bind(user_id))
        .await
    {
        Ok(orgs) => orgs,
        Err(e) => return log_failure("disconnect", &format!("listing organizations: {e}")),
    };
    let ends = orgs
        .iter()
        .map(|org| end(platform, &org.org_id, user_id, streams.clone()));
    futures_util::future::join_all(ends).await;
}

async fn end(platform: &Platform, org_id: &str, user_id: &str, streams: Streams) {
    let request = HubRequest::Disconnect {
        user_id: user_id.to_owned(),
        streams,
    };
    match platform.objects.hub(org_id, request).await {
        Ok(HubReply::Disconnected { .. }) => {}
        Ok(other) => log_failure("disconnect", &format!("unexpected reply {other:?}")),
        Err(e) => log_failure("disconnect", &e.to_string()),
    }
}

fn log_failure(what: &str, cause: &str) {
    crate::error::log_error(&format!("events {what}"), cause);
}

/// `GET /api/orgs/{org}/events` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// Resume after this id, for clients that cannot send `Last-Event-ID`
    /// (the header wins when both are present: a browser reconnecting keeps
    /// the first URL but sends the newer header).
    pub last_event_id: Option<String>,
}

/// One event, as `GET /api/orgs/{org}/events` lists it without streaming.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct OrgEvent {
    /// Increases by one per event in the organization.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub id: u64,
    /// `noun.verb`, e.g. `audit.created`.
    pub event: String,
    /// The payload.
    pub data: Value,
}

/// The events after the cursor that the caller may see.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct EventPage {
    /// The newest id; pass it as `last_event_id` next time.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub last_event_id: u64,
    /// The missed events are no longer held: refetch everything.
    pub reset: bool,
    /// Oldest first.
    pub events: Vec<OrgEvent>,
}

/// The largest id a client may send back: ids travel as JSON numbers, which
/// JavaScript holds exactly up to 2^53 − 1 (the hub never gets near it).
const MAX_EVENT_ID: u64 = (1 << 53) - 1;

/// `Last-Event-ID` from the header, else the query; empty is none. Anything
/// but a whole number up to [`MAX_EVENT_ID`] is an id the hub never gave
/// and no `EventSource` sends: a 400. A number past the hub's newest id
/// gets `reset`.
fn last_event_id(headers: &HeaderMap, cursor: &Cursor) -> Result<Option<u64>, ApiError> {
    let invalid = || ApiError::BadRequest {
        code: "invalid_last_event_id",
        message: format!("Last-Event-ID must be a whole number from 0 to {MAX_EVENT_ID}."),
    };
    let text = match headers.get("last-event-id") {
        Some(value) => Some(value.to_str().map_err(|_| invalid())?),
        None => cursor.last_event_id.as_deref(),
    };
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    match text.parse::<u64>() {
        Ok(id) if id <= MAX_EVENT_ID => Ok(Some(id)),
        _ => Err(invalid()),
    }
}

/// The credential a stream is opened with, so ending it ends the stream.
fn credential(caller: &Caller) -> Option<Credential> {
    match (&caller.session_id, &caller.api_key_id) {
        (Some(session), _) => Some(Credential::Session(session.clone())),
        (None, Some(key)) => Some(Credential::ApiKey(key.clone())),
        (None, None) => None,
    }
}

fn wants_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/event-stream"))
}

/// `GET /api/orgs/{org}/events`: the caller's live event stream, or with no
/// `Accept: text/event-stream`, what they missed as JSON.
pub async fn stream(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    Extension(caller): Extension<Caller>,
    ApiQuery(cursor): ApiQuery<Cursor>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let subscription = Subscription {
        visibility: visibility(org.role, &caller.user_id),
        credential: credential(&caller),
        last_event_id: last_event_id(&headers, &cursor)?,
        now_ms: platform.clock.now_ms(),
    };
    if wants_stream(&headers) {
        let body: Body = platform
            .objects
            .subscribe(&org.id, subscription)
            .await
            .map_err(|e| ApiError::Upstream(e.to_string()))?
            // Streams whose client went away are noticed within a few
            // keepalives, freeing their places.
            .ok_or(ApiError::RateLimited {
                retry_after: 3 * KEEPALIVE_SECS,
            })?;
        let mut response = body.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        // Tells buffering proxies (nginx) to pass frames straight through.
        headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
        return Ok(response);
    }
    match platform
        .objects
        .hub(&org.id, HubRequest::Poll(subscription))
        .await
        .map_err(|e| ApiError::Upstream(e.to_string()))?
    {
        HubReply::Backlog(backlog) => {
            let page = EventPage {
                last_event_id: backlog.last_event_id,
                reset: backlog.reset,
                events: backlog
                    .events
                    .into_iter()
                    .map(|e| OrgEvent {
                        id: e.id,
                        event: e.event,
                        data: e.data,
                    })
                    .collect(),
            };
            let mut response = Json(page).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        other => Err(ApiError::Upstream(format!(
            "event hub answered a poll with {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_are_the_apis_names() {
        for resource in Resource::ALL {
            assert_eq!(
                serde_json::to_value(resource).ok(),
                Some(Value::from(resource_name(resource)))
            );
        }
        let distinct: std::collections::BTreeSet<_> =
            Resource::ALL.into_iter().map(resource_name).collect();
        assert_eq!(distinct.len(), Resource::ALL.len());
    }

    #[test]
    fn visibility_follows_the_permission_matrix() {
        let viewer = visibility(Role::Viewer, "v");
        assert_eq!(viewer.read.len(), Resource::ALL.len());
        assert!(viewer.manage.is_empty());
        let operator = visibility(Role::Operator, "o");
        assert_eq!(
            operator
                .manage
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            vec!["game_servers", "tunnels"]
        );
        let admin = visibility(Role::Admin, "a");
        assert!(admin.sees(&Audience::Manage(Resource::Members).into()));
        assert!(!admin.sees(&Audience::Manage(Resource::Audit).into()));
        assert!(!admin.sees(&Audience::User("v".into()).into()));
    }

    #[test]
    fn the_cursor_prefers_the_header_and_refuses_garbage() {
        let mut headers = HeaderMap::new();
        let query = Cursor {
            last_event_id: Some("3".into()),
        };
        assert_eq!(last_event_id(&headers, &query).ok(), Some(Some(3)));
        headers.insert("last-event-id", HeaderValue::from_static("9"));
        assert_eq!(last_event_id(&headers, &query).ok(), Some(Some(9)));
        let max = MAX_EVENT_ID.to_string();
        for bad in [
            "nope",
            "-1",
            "+1",
            "1.5",
            "9007199254740992",
            "99999999999999999999",
        ] {
            headers.insert("last-event-id", HeaderValue::from_static(bad));
            assert!(last_event_id(&headers, &query).is_err(), "{bad}");
            let cursor = Cursor {
                last_event_id: Some(bad.into()),
            };
            assert!(last_event_id(&HeaderMap::new(), &cursor).is_err(), "{bad}");
        }
        let cursor = Cursor {
            last_event_id: Some(max),
        };
        assert_eq!(
            last_event_id(&HeaderMap::new(), &cursor).ok(),
            Some(Some(MAX_EVENT_ID))
        );
        let empty = Cursor {
            last_event_id: Some(String::new()),
        };
        assert_eq!(last_event_id(&HeaderMap::new(), &empty).ok(), Some(None));
    }
}
