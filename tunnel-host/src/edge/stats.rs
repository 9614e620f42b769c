//! Live counters for the edge: while someone watches (the edge sent `Watch`), the link
//! sends the counters of the tunnels that moved since they were last reported, at most
//! one frame every [`INTERVAL`] and none when nothing moved. Unwatched, counters ride
//! on the heartbeat alone.

use std::collections::HashMap;
use std::time::Duration;

use durable_state::link::{HostMessage, LinkStats, LinkTunnel, MAX_STATS, STATS_INTERVAL_MS};
use tokio::time::Instant;

use crate::tunnel::TunnelInfo;

/// Least time between two stats frames.
pub const INTERVAL: Duration = Duration::from_millis(STATS_INTERVAL_MS);
/// Longest watch the host accepts, whatever the edge asks.
pub const MAX_WATCH: Duration = Duration::from_secs(300);

type Counters = (u64, u64, u64);

/// What one link session last told the edge about each tunnel's counters, and until
/// when someone watches.
#[derive(Debug, Default)]
pub struct Stats {
    watched_until: Option<Instant>,
    reported: HashMap<String, Counters>,
}

fn counters(t: &LinkTunnel) -> Counters {
    (t.bytes_in, t.bytes_out, t.requests)
}

impl Stats {
    /// The edge asked for moving counters for `for_secs` from `now` (capped at
    /// [`MAX_WATCH`]).
    pub fn watch(&mut self, for_secs: u64, now: Instant) {
        self.watched_until = Some(now + Duration::from_secs(for_secs).min(MAX_WATCH));
    }

    /// Whether someone watches at `now`.
    pub fn watched(&self, now: Instant) -> bool {
        self.watched_until.is_some_and(|until| now < until)
    }

    /// Notes the counters a frame going to the edge carries.
    pub fn note(&mut self, message: &HostMessage) {
        match message {
            HostMessage::Hello { tunnels, .. } => {
                self.reported = tunnels
                    .iter()
                    .map(|t| (t.id.clone(), counters(t)))
                    .collect();
            }
            HostMessage::Opened { tunnel } => {
                self.reported.insert(tunnel.id.clone(), counters(tunnel));
            }
            HostMessage::Closed { tunnel, .. } => {
                self.reported.remove(&tunnel.id);
            }
            HostMessage::Heartbeat { tunnels } => {
                for t in tunnels {
                    self.reported.insert(t.id.clone(), counters(t));
                }
            }
            HostMessage::Stats { tunnels } => {
                for t in tunnels {
                    self.reported
                        .insert(t.id.clone(), (t.bytes_in, t.bytes_out, t.requests));
                }
            }
        }
    }

    /// The stats frame for `tunnels` (the registry's list): the counters of at most
    /// [`MAX_STATS`] tunnels that moved since last noted; `None` when none did. The
    /// rest follow in the next frame, since they still differ from what was noted.
    pub fn frame(&self, tunnels: &[TunnelInfo]) -> Option<HostMessage> {
        let moved: Vec<LinkStats> = tunnels
            .iter()
            .filter_map(|info| {
                let id = info.id.to_string();
                let now = (info.bytes_in, info.bytes_out, info.requests);
                (self.reported.get(&id) != Some(&now)).then_some(LinkStats {
                    id,
                    bytes_in: now.0,
                    bytes_out: now.1,
                    requests: now.2,
                })
            })
            .take(MAX_STATS)
            .collect();
        (!moved.is_empty()).then_some(HostMessage::Stats { tunnels: moved })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edge::link::link_tunnel;
    use crate::tunnel::{SessionId, TunnelKind};

    fn info(n: u128, requests: u64) -> TunnelInfo {
        TunnelInfo {
            id: uuid::Uuid::from_u128(n),
            name: format!("t{n}"),
            kind: TunnelKind::Http,
            user: "u-1".into(),
            session: SessionId(1),
            client_addr: "127.0.0.1:5000".into(),
            public_url: format!("http://t{n}.localhost:8080"),
            opened_at: "2026-11-22T10:00:00Z".into(),
            bytes_in: requests * 10,
            bytes_out: requests * 100,
            requests,
            connections: 0,
        }
    }

    fn ids(message: Option<HostMessage>) -> Vec<String> {
        match message {
            Some(HostMessage::Stats { tunnels }) => tunnels.into_iter().map(|t| t.id).collect(),
            Some(other) => panic!("not stats: {other:?}"),
            None => vec![],
        }
    }

    #[test]
    fn only_moved_counters_are_sent_and_nothing_when_idle() {
        let mut stats = Stats::default();
        let open = [info(1, 0), info(2, 0)];
        stats.note(&HostMessage::Hello {
            version: "x".into(),
            hostname: None,
            address: None,
            tunnels: open.iter().map(link_tunnel).collect(),
        });
        assert!(stats.frame(&open).is_none(), "nothing moved");
        let moved = [info(1, 3), info(2, 0)];
        let frame = stats.frame(&moved);
        assert_eq!(ids(frame.clone()), [uuid::Uuid::from_u128(1).to_string()]);
        let Some(HostMessage::Stats { tunnels }) = &frame else {
            unreachable!()
        };
        assert_eq!(
            (
                tunnels[0].bytes_in,
                tunnels[0].bytes_out,
                tunnels[0].requests
            ),
            (30, 300, 3)
        );
        // Until sent and noted it stays due; afterwards nothing is.
        assert!(stats.frame(&moved).is_some());
        if let Some(frame) = &frame {
            stats.note(frame);
        }
        assert!(stats.frame(&moved).is_none());
        // A tunnel reported with zeros when it opened, which moved since.
        let later = info(3, 1);
        stats.note(&HostMessage::Opened {
            tunnel: link_tunnel(&info(3, 0)),
        });
        assert_eq!(
            ids(stats.frame(&[later])),
            [uuid::Uuid::from_u128(3).to_string()]
        );
        // A closed tunnel is forgotten.
        stats.note(&HostMessage::Closed {
            tunnel: link_tunnel(&info(3, 1)),
            reason: "session_ended".into(),
        });
        assert!(
            !stats
                .reported
                .contains_key(&uuid::Uuid::from_u128(3).to_string())
        );
    }

    #[test]
    fn frames_are_bounded_and_the_rest_follow() {
        let mut stats = Stats::default();
        let busy: Vec<TunnelInfo> = (0..MAX_STATS as u128 + 7).map(|n| info(n, 1)).collect();
        let first = stats.frame(&busy);
        assert_eq!(ids(first.clone()).len(), MAX_STATS);
        if let Some(frame) = &first {
            stats.note(frame);
        }
        assert_eq!(ids(stats.frame(&busy)).len(), 7);
    }

    #[test]
    fn a_watch_lapses_and_is_capped() {
        let mut stats = Stats::default();
        let now = Instant::now();
        assert!(!stats.watched(now));
        stats.watch(60, now);
        assert!(stats.watched(now + Duration::from_secs(59)));
        assert!(!stats.watched(now + Duration::from_secs(60)));
        stats.watch(u64::MAX / 2, now);
        assert!(!stats.watched(now + MAX_WATCH));
    }
}
