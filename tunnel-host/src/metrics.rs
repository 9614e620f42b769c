//! Process-wide counters and their Prometheus text rendering.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters updated by every part of the host; rendered by `GET /metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Tunnels opened since start.
    pub tunnels_opened: AtomicU64,
    /// Upstream connections (SSH channels) opened through tunnels.
    pub connections: AtomicU64,
    /// Bytes from visitors into tunnels.
    pub bytes_in: AtomicU64,
    /// Bytes from clients out to visitors.
    pub bytes_out: AtomicU64,
    /// HTTP requests proxied to a tunnel.
    pub http_requests: AtomicU64,
    /// HTTP requests answered with an error page (400, 404, 413, 502).
    pub http_errors: AtomicU64,
    /// SSH connections accepted.
    pub ssh_connections: AtomicU64,
    /// SSH connections refused by the per-IP rate limit or the per-IP cap on unauthenticated
    /// connections.
    pub ssh_rate_limited: AtomicU64,
    /// Authenticated SSH sessions open now.
    pub ssh_sessions: AtomicU64,
    /// HTTP(S) visitor connections closed at once: their address had
    /// `--max-visitor-connections-per-ip` open.
    pub visitor_connections_refused: AtomicU64,
    /// Visitor connections served on the data-plane thread of the tunnel they asked for.
    pub visitor_connections_placed: AtomicU64,
    /// Visitor connections that named no live tunnel in their first bytes (or sent none
    /// within a second), served on the next thread in turn.
    pub visitor_connections_unplaced: AtomicU64,
    /// Failed authentication attempts (unknown keys, timeouts).
    pub auth_failures: AtomicU64,
    /// HTTPS requests proxied to a tunnel (also counted in `http_requests`).
    pub https_requests: AtomicU64,
    /// TLS handshakes that failed (no certificate for the name, bad client hello).
    pub tls_handshake_failures: AtomicU64,
    /// ACME orders placed.
    pub acme_orders: AtomicU64,
    /// ACME orders that failed.
    pub acme_order_failures: AtomicU64,
    /// Certificates obtained by ACME.
    pub acme_certificates: AtomicU64,
    /// Certificate requests refused: the name is neither open nor reserved.
    pub acme_names_refused: AtomicU64,
    /// Certificate requests held back by the rate limits (backoff, hourly cap).
    pub acme_rate_limited: AtomicU64,
}

/// Tunnels open at the moment of rendering, by kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenTunnels {
    /// HTTP tunnels open.
    pub http: usize,
    /// TCP tunnels open.
    pub tcp: usize,
}

impl Metrics {
    /// Adds one to a counter.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Subtracts one from a gauge, never below zero.
    pub fn dec(gauge: &AtomicU64) {
        let _ = gauge.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| v.checked_sub(1));
    }

    /// The Prometheus text exposition of all metrics.
    pub fn render(&self, open: OpenTunnels) -> String {
        let mut out = String::new();
        let mut gauge = |name: &str, help: &str, labels: &[(&str, u64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for (label, v) in labels {
                if label.is_empty() {
                    let _ = writeln!(out, "{name} {v}");
                } else {
                    let _ = writeln!(out, "{name}{{{label}}} {v}");
                }
            }
        };
        gauge(
            "tunnel_host_tunnels_open",
            "Tunnels open now.",
            &[
                ("kind=\"http\"", open.http as u64),
                ("kind=\"tcp\"", open.tcp as u64),
            ],
        );
        gauge(
            "tunnel_host_ssh_sessions",
            "Authenticated SSH sessions open now.",
            &[("", self.ssh_sessions.load(Ordering::Relaxed))],
        );
        let counters: [(&str, &str, &AtomicU64); 19] = [
            (
                "tunnel_host_tunnels_opened_total",
                "Tunnels opened since start.",
                &self.tunnels_opened,
            ),
            (
                "tunnel_host_connections_total",
                "Upstream connections opened through tunnels.",
                &self.connections,
            ),
            (
                "tunnel_host_bytes_in_total",
                "Bytes from visitors into tunnels.",
                &self.bytes_in,
            ),
            (
                "tunnel_host_bytes_out_total",
                "Bytes from tunnel clients out to visitors.",
                &self.bytes_out,
            ),
            (
                "tunnel_host_http_requests_total",
                "HTTP requests proxied to tunnels.",
                &self.http_requests,
            ),
            (
                "tunnel_host_http_errors_total",
                "HTTP requests answered with an error page.",
                &self.http_errors,
            ),
            (
                "tunnel_host_ssh_connections_total",
                "SSH connections accepted.",
                &self.ssh_connections,
            ),
            (
                "tunnel_host_ssh_rate_limited_total",
                "SSH connections refused by the per-IP rate limit or unauthenticated cap.",
                &self.ssh_rate_limited,
            ),
            (
                "tunnel_host_visitor_connections_refused_total",
                "HTTP(S) visitor connections refused by the per-IP cap.",
                &self.visitor_connections_refused,
            ),
            (
                "tunnel_host_visitor_connections_placed_total",
                "Visitor connections served on their tunnel's data-plane thread.",
                &self.visitor_connections_placed,
            ),
            (
                "tunnel_host_visitor_connections_unplaced_total",
                "Visitor connections that named no live tunnel in their first bytes.",
                &self.visitor_connections_unplaced,
            ),
            (
                "tunnel_host_auth_failures_total",
                "Failed SSH authentication attempts.",
                &self.auth_failures,
            ),
            (
                "tunnel_host_https_requests_total",
                "HTTPS requests proxied to tunnels.",
                &self.https_requests,
            ),
            (
                "tunnel_host_tls_handshake_failures_total",
                "TLS handshakes that failed.",
                &self.tls_handshake_failures,
            ),
            (
                "tunnel_host_acme_orders_total",
                "ACME orders placed.",
                &self.acme_orders,
            ),
            (
                "tunnel_host_acme_order_failures_total",
                "ACME orders that failed.",
                &self.acme_order_failures,
            ),
            (
                "tunnel_host_acme_certificates_total",
                "Certificates obtained by ACME.",
                &self.acme_certificates,
            ),
            (
                "tunnel_host_acme_names_refused_total",
                "Certificate requests for names neither open nor reserved.",
                &self.acme_names_refused,
            ),
            (
                "tunnel_host_acme_rate_limited_total",
                "Certificate requests held back by the rate limits.",
                &self.acme_rate_limited,
            ),
        ];
        for (name, help, counter) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        Metrics::inc(&m.auth_failures);
        Metrics::inc(&m.ssh_sessions);
        Metrics::dec(&m.ssh_sessions);
        Metrics::dec(&m.ssh_sessions);
        let text = m.render(OpenTunnels { http: 2, tcp: 1 });
        assert!(text.contains("tunnel_host_tunnels_open{kind=\"http\"} 2\n"));
        assert!(text.contains("tunnel_host_tunnels_open{kind=\"tcp\"} 1\n"));
        assert!(text.contains("tunnel_host_auth_failures_total 1\n"));
        assert!(text.contains("tunnel_host_ssh_sessions 0\n"));
        assert!(text.contains("# TYPE tunnel_host_bytes_in_total counter"));
    }
}
