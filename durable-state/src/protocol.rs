//! Messages from edge-api to the Durable Objects, sent as JSON bodies of
//! `POST https://object/<kind>`.
//!
//! The event hub knows nothing of roles: edge-api turns a member's role into
//! a [`Visibility`] (which resources they may read and manage) when they
//! subscribe, and tags each event with an [`Audience`] when it publishes.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A request to an event hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HubRequest {
    /// Liveness round trip; the hub counts pings in its storage.
    Ping,
    /// Numbers an event, keeps it for replay and sends it to every
    /// subscriber who may see it. Answered by [`HubReply::Published`].
    Publish {
        /// The event.
        event: EventDraft,
    },
    /// Opens a stream: answered not with a [`HubReply`] but with a
    /// `text/event-stream` body that stays open (see [`crate::sse`]).
    Subscribe(Subscription),
    /// The events a subscriber missed, as JSON instead of a stream.
    /// Answered by [`HubReply::Backlog`].
    Poll(Subscription),
    /// Ends streams of one user: all of them (removed, or their role
    /// changed) or those of some credentials (signed out, a session
    /// revoked, the password changed). Answered by [`HubReply::Disconnected`].
    Disconnect {
        /// Whose streams to end.
        user_id: String,
        /// Which of them.
        #[serde(default)]
        streams: Streams,
    },
}

/// The credential a stream was opened with, so that ending the credential
/// ends its streams too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    /// A browser session, by its public id (the hash of the cookie's secret).
    Session(String),
    /// A personal API key, by its id.
    ApiKey(String),
}

/// Which of a user's streams [`HubRequest::Disconnect`] ends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Streams {
    /// Every stream of the user, whatever opened it.
    #[default]
    All,
    /// The streams opened with this credential (signed out, revoked).
    OpenedWith(Credential),
    /// The streams opened with any session but this one (the password
    /// changed there); streams of API keys stay, as the keys do, unless the
    /// keys were revoked with it.
    OtherSessions {
        /// The session whose streams stay, if any.
        keep: Option<String>,
        /// Whether streams opened with API keys end too.
        #[serde(default)]
        and_api_keys: bool,
    },
}

impl Streams {
    /// Whether a stream opened with `credential` is one of these.
    pub fn include(&self, credential: Option<&Credential>) -> bool {
        match self {
            Streams::All => true,
            Streams::OpenedWith(wanted) => credential == Some(wanted),
            Streams::OtherSessions { keep, and_api_keys } => match credential {
                Some(Credential::Session(id)) => keep.as_deref() != Some(id.as_str()),
                Some(Credential::ApiKey(_)) => *and_api_keys,
                None => false,
            },
        }
    }
}

/// An event hub's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HubReply {
    /// Answer to [`HubRequest::Ping`]: pings seen so far, this one included.
    Pong {
        /// Pings counted in durable storage.
        count: u64,
    },
    /// Answer to [`HubRequest::Publish`]: the id given to the event.
    Published {
        /// The event's id.
        id: u64,
    },
    /// Answer to [`HubRequest::Poll`].
    Backlog(Backlog),
    /// Answer to [`HubRequest::Disconnect`]: how many streams were ended.
    Disconnected {
        /// Streams ended.
        streams: u64,
    },
}

/// Who may receive an event. Resources are edge-api's
/// `auth::Resource` names (`tunnels`, `members`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Members whose role may read this resource.
    Read(String),
    /// Members whose role may change this resource.
    Manage(String),
    /// Only this user.
    User(String),
}

/// What one subscriber may see, computed by edge-api from their role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visibility {
    /// The subscriber.
    pub user_id: String,
    /// Resources their role may read.
    pub read: BTreeSet<String>,
    /// Resources their role may change.
    pub manage: BTreeSet<String>,
}

impl Visibility {
    /// Whether an event for `audience` may be sent to this subscriber.
    pub fn sees(&self, audience: &Audience) -> bool {
        match audience {
            Audience::Read(resource) => self.read.contains(resource),
            Audience::Manage(resource) => self.manage.contains(resource),
            Audience::User(user_id) => *user_id == self.user_id,
        }
    }
}

/// An event before the hub numbers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDraft {
    /// `noun.verb`, e.g. `audit.created`, `tunnel.opened`.
    pub event: String,
    /// The payload sent as the SSE `data:` line.
    pub data: Value,
    /// Who may receive it.
    pub audience: Audience,
    /// When it happened (ms since the epoch, the API's clock); replay keeps
    /// events for [`crate::hub::RING_MAX_AGE_MS`] after this.
    pub at_ms: i64,
}

/// A numbered event, as a subscriber receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Increases by one per event in the organization, never reused.
    pub id: u64,
    /// `noun.verb`.
    pub event: String,
    /// The payload.
    pub data: Value,
}

/// A subscriber and where it left off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    /// What it may see.
    pub visibility: Visibility,
    /// What it was opened with, when known; [`Streams`] selects by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Credential>,
    /// The last event id it received (`Last-Event-ID`), if any. Events after
    /// it are replayed, or `reset` is sent when they are no longer held.
    pub last_event_id: Option<u64>,
    /// Now (ms since the epoch, the API's clock).
    pub now_ms: i64,
}

/// The events a subscriber missed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backlog {
    /// The newest id the hub has given; resume from here.
    pub last_event_id: u64,
    /// True when the missed events are no longer held: refetch everything.
    pub reset: bool,
    /// The missed events it may see, oldest first (empty on reset).
    pub events: Vec<Event>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_have_stable_json() {
        assert_eq!(
            serde_json::to_string(&HubRequest::Ping).ok().as_deref(),
            Some(r#"{"type":"ping"}"#)
        );
        let pong: HubReply = serde_json::from_str(r#"{"type":"pong","count":3}"#)
            .unwrap_or(HubReply::Pong { count: 0 });
        assert_eq!(pong, HubReply::Pong { count: 3 });
    }

    #[test]
    fn subscriptions_and_audiences_have_stable_json() {
        let subscribe = HubRequest::Subscribe(Subscription {
            visibility: Visibility {
                user_id: "u1".into(),
                read: BTreeSet::from(["audit".into()]),
                manage: BTreeSet::new(),
            },
            credential: Some(Credential::Session("s1".into())),
            last_event_id: Some(7),
            now_ms: 1,
        });
        assert_eq!(
            serde_json::to_value(&subscribe).ok(),
            Some(json!({
                "type": "subscribe",
                "visibility": { "user_id": "u1", "read": ["audit"], "manage": [] },
                "credential": { "session": "s1" },
                "last_event_id": 7,
                "now_ms": 1,
            }))
        );
        assert_eq!(
            serde_json::to_value(Audience::Manage("members".into())).ok(),
            Some(json!({ "manage": "members" }))
        );
    }

    #[test]
    fn disconnects_select_streams_by_credential() {
        // A disconnect without `streams` (as role changes send it) ends all.
        let old: HubRequest =
            serde_json::from_value(json!({ "type": "disconnect", "user_id": "u" }))
                .unwrap_or(HubRequest::Ping);
        assert_eq!(
            old,
            HubRequest::Disconnect {
                user_id: "u".into(),
                streams: Streams::All
            }
        );
        let this = Credential::Session("a".into());
        let other = Credential::Session("b".into());
        let key = Credential::ApiKey("k".into());
        let opened_with = Streams::OpenedWith(this.clone());
        assert!(opened_with.include(Some(&this)));
        assert!(!opened_with.include(Some(&other)));
        assert!(!opened_with.include(None));
        let others = Streams::OtherSessions {
            keep: Some("a".into()),
            and_api_keys: false,
        };
        assert!(!others.include(Some(&this)));
        assert!(others.include(Some(&other)));
        assert!(!others.include(Some(&key)));
        let and_keys = Streams::OtherSessions {
            keep: Some("a".into()),
            and_api_keys: true,
        };
        assert!(!and_keys.include(Some(&this)));
        assert!(and_keys.include(Some(&other)));
        assert!(and_keys.include(Some(&key)));
        assert!(!and_keys.include(None));
        assert!(Streams::All.include(None));
    }

    #[test]
    fn visibility_decides_by_audience() {
        let viewer = Visibility {
            user_id: "v".into(),
            read: BTreeSet::from(["members".into(), "audit".into()]),
            manage: BTreeSet::new(),
        };
        assert!(viewer.sees(&Audience::Read("members".into())));
        assert!(!viewer.sees(&Audience::Manage("members".into())));
        assert!(!viewer.sees(&Audience::Read("tunnels".into())));
        assert!(viewer.sees(&Audience::User("v".into())));
        assert!(!viewer.sees(&Audience::User("someone else".into())));
    }
}
