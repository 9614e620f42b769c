//! The console relay's protocol and rules (one Durable Object per game
//! server, `ConsoleRelay`, relays viewers' WebSockets to Wings'
//! `/api/servers/{uuid}/ws` over one shared upstream socket): the requests
//! edge-api sends the object, the frames both ways (contract section 6), and
//! what each viewer may see and send. Plain data, compiled natively too, so
//! the rules are tested here and edge-api's native tests speak the protocol.

use serde::{Deserialize, Serialize};

/// The header carrying a [`ConsoleJoin`] (JSON) on the upgrade edge-api
/// forwards to the object; only edge-api can reach the object.
pub const JOIN_HEADER: &str = "x-flamingo-console-join";
/// The object's path for a viewer's upgrade.
pub const JOIN_PATH: &str = "/console";
/// The object's path for a [`ConsoleRequest`] (POST, JSON).
pub const REQUEST_PATH: &str = "/console/request";
/// Wings' read limit; larger viewer frames are dropped.
pub const MAX_FRAME: usize = 4096;
/// Console lines kept for a viewer who joins (Wings' `send logs` gives 150).
pub const KEPT_LINES: usize = 150;
/// A viewer's socket closed because their access ended.
pub const CLOSE_ACCESS: u16 = 4403;
/// A suspended server's viewers (Wings uses 4409 too).
pub const CLOSE_SUSPENDED: u16 = 4409;
/// A deleted server's viewers.
pub const CLOSE_DELETED: u16 = 4410;

/// Where the upstream socket goes and how the object authenticates on it.
///
/// The node's token travels only on this internal request and stays in the
/// object's memory (never in its storage): the object signs a fresh
/// websocket JWT for every `auth` it sends, including the renewals it makes
/// on its own timer while no edge request is in flight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upstream {
    /// `http(s)://fqdn:port/api/servers/{uuid}/ws` (fetched with `Upgrade: websocket`).
    pub url: String,
    /// The panel's origin (the node config's `remote`), sent as `Origin` and `iss`.
    pub origin: String,
    /// The node's base URL (`aud`).
    pub audience: String,
    /// The node's token (HS256 key).
    pub node_token: String,
    /// The server's uuid (`server_uuid`).
    pub server_uuid: String,
    /// Whose uuid the shared socket's tokens carry (`user_uuid`): the
    /// server's owner, so removing a subuser on Wings never drops it.
    pub user_uuid: String,
    /// Token lifetime in seconds (10 minutes unless configured shorter).
    pub token_secs: u64,
}

/// One viewer joining, sent by edge-api after its authorization point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleJoin {
    /// The viewer's user id (closing a removed subuser's sockets).
    pub user_id: String,
    /// The viewer's Pelican permissions on the server (`*` for members who
    /// may change game servers, with the `admin.websocket.*` ones).
    pub permissions: Vec<String>,
    /// The upstream to use (replaces the object's when it changed).
    pub upstream: Upstream,
}

/// Requests edge-api sends to a server's relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConsoleRequest {
    /// Close the sockets of `user_id` (every viewer when `None`) with `code`
    /// and `reason`; with every viewer gone the upstream closes too.
    Close {
        /// Whose sockets; `None` for all.
        user_id: Option<String>,
        /// WebSocket close code.
        code: u16,
        /// Why, shown to the viewer.
        reason: String,
    },
    /// How many viewers and upstream sockets the relay holds.
    Status,
}

/// The relay's answer to [`ConsoleRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleStatus {
    /// Viewers connected.
    pub viewers: usize,
    /// Whether the upstream socket is authenticated.
    pub upstream: bool,
}

/// A console frame, as Wings sends and reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// The event name.
    pub event: String,
    /// Its arguments (left out when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
}

impl Frame {
    /// A frame with `args`.
    pub fn new(event: &str, args: &[&str]) -> Self {
        Frame {
            event: event.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    /// The JSON text.
    pub fn text(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

/// The frame viewers get when the upstream is lost and the relay retries.
pub const RECONNECTING: &str = "reconnecting";
/// The frame viewers get when the upstream is back (logs follow).
pub const RECONNECTED: &str = "reconnected";
/// Wings' generic text for a `daemon error` without `admin.websocket.errors`.
pub const GENERIC_ERROR: &str = "an unexpected error was encountered while handling this request";

/// Whether `permissions` grant `permission` (`*` grants all but `admin.*`).
pub fn grants(permissions: &[String], permission: &str) -> bool {
    permissions
        .iter()
        .any(|p| p == permission || (p == "*" && !permission.starts_with("admin.")))
}

/// What the relay does with a frame from Wings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromWings {
    /// The token is about to lapse or has: sign a fresh one and `auth` again.
    Renew,
    /// Authenticated (first time or renewal): nothing for viewers.
    Authenticated,
    /// For viewers, each through [`for_viewer`].
    Broadcast(Frame),
}

/// Sorts a frame from Wings.
pub fn from_wings(frame: Frame) -> FromWings {
    match frame.event.as_str() {
        "token expiring" | "token expired" | "jwt error" => FromWings::Renew,
        "auth success" => FromWings::Authenticated,
        _ => FromWings::Broadcast(frame),
    }
}

/// The frame a viewer with `permissions` gets for `frame` from Wings, if any.
pub fn for_viewer(permissions: &[String], frame: &Frame) -> Option<Frame> {
    let needs = match frame.event.as_str() {
        "install output" => Some("admin.websocket.install"),
        "transfer logs" => Some("admin.websocket.transfer"),
        "backup completed" | "backup restore completed" => Some("backup.read"),
        _ if frame.event.starts_with("backup completed") => Some("backup.read"),
        _ => None,
    };
    if let Some(needs) = needs
        && !grants(permissions, needs)
    {
        return None;
    }
    if frame.event == "daemon error" && !grants(permissions, "admin.websocket.errors") {
        return Some(Frame::new("daemon error", &[GENERIC_ERROR]));
    }
    Some(frame.clone())
}

/// What the relay does with a frame from a viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromViewer {
    /// Send it upstream as is.
    Forward(Frame),
    /// Replay the kept console lines to this viewer only.
    Logs,
    /// Not allowed or not understood: dropped, never sent upstream.
    Drop,
}

/// Checks a viewer's frame against their permissions before anything goes
/// upstream (contract section 6). The viewer's own `auth` is dropped: the
/// edge authenticated them and the relay authenticates upstream.
pub fn from_viewer(permissions: &[String], text: &str) -> FromViewer {
    if text.len() > MAX_FRAME {
        return FromViewer::Drop;
    }
    let Ok(frame) = serde_json::from_str::<Frame>(text) else {
        return FromViewer::Drop;
    };
    let allowed = match frame.event.as_str() {
        "send command" => grants(permissions, "control.console"),
        "set state" => match frame.args.concat().as_str() {
            "start" => grants(permissions, "control.start"),
            "stop" | "kill" => grants(permissions, "control.stop"),
            "restart" => grants(permissions, "control.restart"),
            _ => false,
        },
        "send stats" => true,
        "send logs" => return FromViewer::Logs,
        _ => false,
    };
    if allowed {
        FromViewer::Forward(frame)
    } else {
        FromViewer::Drop
    }
}

/// The lines kept for new viewers and replays.
#[derive(Debug, Clone, Default)]
pub struct Backlog {
    lines: std::collections::VecDeque<String>,
}

impl Backlog {
    /// Keeps a console line (the oldest goes past [`KEPT_LINES`]).
    pub fn push(&mut self, line: &str) {
        if self.lines.len() == KEPT_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line.to_owned());
    }

    /// Whether no line is kept.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Forgets every line (before Wings sends its logs again).
    pub fn clear(&mut self) {
        self.lines.clear();
    }

    /// The kept lines as `console output` frames, oldest first.
    pub fn frames(&self) -> Vec<Frame> {
        self.lines
            .iter()
            .map(|l| Frame::new("console output", &[l]))
            .collect()
    }
}

/// The delay before reconnect attempt `attempt` (0-based): 1, 2, 4, 8 s, then 10 s.
pub fn backoff_ms(attempt: u32) -> u64 {
    (1_000u64 << attempt.min(4)).min(10_000)
}

/// When to renew a token of `lifetime_secs`: at four fifths of its life,
/// at least a second before it lapses.
pub fn renew_after_ms(lifetime_secs: u64) -> u64 {
    let life = lifetime_secs.max(2) * 1000;
    (life * 4 / 5).min(life - 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perms(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn star_grants_all_but_admin() {
        let star = perms(&["*"]);
        assert!(grants(&star, "control.console"));
        assert!(!grants(&star, "admin.websocket.install"));
        assert!(grants(
            &perms(&["*", "admin.websocket.install"]),
            "admin.websocket.install"
        ));
        assert!(!grants(&perms(&["websocket.connect"]), "control.console"));
    }

    #[test]
    fn viewer_frames_are_checked_before_going_upstream() {
        let reader = perms(&["websocket.connect"]);
        let console = perms(&["websocket.connect", "control.console", "control.stop"]);
        let command = r#"{"event":"send command","args":["say hi"]}"#;
        assert_eq!(from_viewer(&reader, command), FromViewer::Drop);
        assert!(matches!(
            from_viewer(&console, command),
            FromViewer::Forward(_)
        ));
        for (state, allowed) in [
            ("start", false),
            ("stop", true),
            ("kill", true),
            ("restart", false),
            ("explode", false),
        ] {
            let text = format!(r#"{{"event":"set state","args":["{state}"]}}"#);
            assert_eq!(
                matches!(from_viewer(&console, &text), FromViewer::Forward(_)),
                allowed,
                "{state}"
            );
        }
        assert_eq!(
            from_viewer(&console, r#"{"event":"auth","args":["x"]}"#),
            FromViewer::Drop
        );
        assert_eq!(
            from_viewer(&reader, r#"{"event":"send logs"}"#),
            FromViewer::Logs
        );
        assert_eq!(from_viewer(&console, "not json"), FromViewer::Drop);
        let long = format!(
            r#"{{"event":"send command","args":["{}"]}}"#,
            "x".repeat(MAX_FRAME)
        );
        assert_eq!(from_viewer(&console, &long), FromViewer::Drop);
    }

    #[test]
    fn wings_frames_are_filtered_per_viewer() {
        let star = perms(&["*"]);
        let admin = perms(&["*", "admin.websocket.install", "admin.websocket.errors"]);
        let install = Frame::new("install output", &["step 1"]);
        assert_eq!(for_viewer(&star, &install), None);
        assert_eq!(for_viewer(&admin, &install), Some(install.clone()));
        let error = Frame::new("daemon error", &["disk on fire"]);
        assert_eq!(
            for_viewer(&star, &error),
            Some(Frame::new("daemon error", &[GENERIC_ERROR]))
        );
        assert_eq!(for_viewer(&admin, &error), Some(error.clone()));
        let backup = Frame::new("backup completed", &["{}"]);
        assert_eq!(for_viewer(&perms(&["websocket.connect"]), &backup), None);
        assert_eq!(for_viewer(&star, &backup), Some(backup.clone()));
        let line = Frame::new("console output", &["hello"]);
        assert_eq!(
            for_viewer(&perms(&["websocket.connect"]), &line),
            Some(line.clone())
        );
    }

    #[test]
    fn renewals_and_retries_are_timed() {
        assert_eq!(
            from_wings(Frame::new("token expiring", &[])),
            FromWings::Renew
        );
        assert_eq!(
            from_wings(Frame::new("jwt error", &["jwt: exp claim is invalid"])),
            FromWings::Renew
        );
        assert_eq!(
            from_wings(Frame::new("auth success", &[])),
            FromWings::Authenticated
        );
        assert_eq!(renew_after_ms(600), 480_000);
        assert_eq!(renew_after_ms(4), 3_000);
        assert_eq!(
            (0..7).map(backoff_ms).collect::<Vec<_>>(),
            [1000, 2000, 4000, 8000, 10000, 10000, 10000]
        );
    }

    #[test]
    fn backlog_keeps_the_last_lines() {
        let mut backlog = Backlog::default();
        for i in 0..(KEPT_LINES + 5) {
            backlog.push(&i.to_string());
        }
        let frames = backlog.frames();
        assert_eq!(frames.len(), KEPT_LINES);
        assert_eq!(frames[0].args, ["5"]);
        assert_eq!(
            Frame::new("send logs", &[]).text(),
            r#"{"event":"send logs"}"#
        );
    }
}
