//! The events an endpoint may ask for, and how a subscription matches one.
//! Every event published through `record::events::publish` whose type is
//! listed here can be delivered; the rest (stats, enrollment dialogs) are
//! for open pages only.

use crate::record::events::AUDIT_CREATED;

/// The test event `POST …/webhooks/{webhook}/test` sends (to any endpoint).
pub const TEST_EVENT: &str = "webhook.test";

/// Deliverable event types, with what they mean.
pub const EVENTS: &[(&str, &str)] = &[
    ("server.state", "a game server started, stopped or crashed"),
    ("server.installed", "a game server finished installing"),
    ("server.backup", "a backup completed or failed"),
    ("server.backup_restore", "a backup was restored"),
    (
        "schedule.run",
        "a schedule ran, failed, or was skipped or missed",
    ),
    ("tunnel.opened", "a tunnel opened"),
    (
        "tunnel.closed",
        "a tunnel closed; data.reason says why (kicked, session_ended, ...)",
    ),
    ("host.online", "a tunnel host connected"),
    ("host.offline", "a tunnel host disconnected"),
    ("node.online", "a Wings node came back"),
    ("node.offline", "a Wings node stopped answering"),
    (
        AUDIT_CREATED,
        "anything written to the organization's log: members, roles, settings, servers",
    ),
];

/// Whether `event` can be delivered at all.
pub fn deliverable(event: &str) -> bool {
    EVENTS.iter().any(|(name, _)| *name == event)
}

/// Checks a subscription: `*`, a listed type, or `noun.*` for a listed noun.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    if pattern == "*" || deliverable(pattern) {
        return Ok(());
    }
    if let Some(noun) = pattern.strip_suffix(".*")
        && EVENTS
            .iter()
            .any(|(name, _)| name.split('.').next() == Some(noun))
    {
        return Ok(());
    }
    Err(format!(
        "{:?} is not an event (e.g. server.state, tunnel.*, or *)",
        pattern.chars().take(60).collect::<String>()
    ))
}

/// Whether `patterns` include `event`.
pub fn matches(patterns: &[String], event: &str) -> bool {
    patterns.iter().any(|p| {
        p == "*"
            || p == event
            || p.strip_suffix(".*")
                .is_some_and(|noun| event.split('.').next() == Some(noun))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_types_and_nouns() {
        let patterns = vec!["tunnel.*".to_owned(), "server.state".to_owned()];
        assert!(matches(&patterns, "tunnel.opened"));
        assert!(matches(&patterns, "server.state"));
        assert!(!matches(&patterns, "server.installed"));
        assert!(matches(&["*".to_owned()], "host.online"));
        assert!(check_pattern("tunnel.*").is_ok());
        assert!(check_pattern("server.stats").is_err());
        assert!(check_pattern("nope.*").is_err());
    }
}
