//! The one typed configuration of the tunnel host, read from flags and `TUNNEL_HOST_*` env.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::http::HeadLimits;

/// Everything the tunnel host needs to run; built once in `main` and passed down.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "tunnel-host",
    version,
    about = "ssh -R tunnels to public http and tcp endpoints, with nothing to install"
)]
pub struct Config {
    /// Address the SSH server listens on.
    #[arg(long, env = "TUNNEL_HOST_SSH_ADDR", default_value = "0.0.0.0:2222")]
    pub ssh_addr: SocketAddr,

    /// Address the public HTTP proxy listens on; TCP tunnels bind on its IP.
    #[arg(long, env = "TUNNEL_HOST_HTTP_ADDR", default_value = "0.0.0.0:8080")]
    pub http_addr: SocketAddr,

    /// Address of the admin API (keep it on loopback). It has no credential and answers only
    /// requests addressed to `localhost` or an IP address, never another DNS name.
    #[arg(long, env = "TUNNEL_HOST_ADMIN_ADDR", default_value = "127.0.0.1:9090")]
    pub admin_addr: SocketAddr,

    /// Domain under which tunnels are served as `<name>.<domain>`.
    #[arg(long, env = "TUNNEL_HOST_DOMAIN", default_value = "localhost")]
    pub domain: String,

    /// Host name people pass to `ssh` to reach this host, shown in usage hints and sent to
    /// the edge for the panel's commands; defaults to `--domain`.
    #[arg(long, env = "TUNNEL_HOST_PUBLIC_SSH_HOST")]
    pub public_ssh_host: Option<String>,

    /// SSH port people pass to `ssh -p` (behind a NAT or a port forward); defaults to the
    /// SSH listener's port.
    #[arg(long, env = "TUNNEL_HOST_PUBLIC_SSH_PORT")]
    pub public_ssh_port: Option<u16>,

    /// Port shown in public URLs; defaults to the HTTP listener's port (omitted when 80).
    #[arg(long, env = "TUNNEL_HOST_PUBLIC_HTTP_PORT")]
    pub public_http_port: Option<u16>,

    /// Address of the public HTTPS proxy, used when certificates are configured
    /// (`--tls-cert`/`--tls-key` or `--acme-directory`); without them there is no HTTPS.
    #[arg(long, env = "TUNNEL_HOST_HTTPS_ADDR", default_value = "0.0.0.0:443")]
    pub https_addr: SocketAddr,

    /// Port shown in public `https://` URLs; defaults to the HTTPS listener's port (omitted
    /// when 443).
    #[arg(long, env = "TUNNEL_HOST_PUBLIC_HTTPS_PORT")]
    pub public_https_port: Option<u16>,

    /// PEM certificate chain served for every `<name>.<domain>` (a wildcard certificate for
    /// `*.<domain>`); reloaded when the file changes. Needs `--tls-key`.
    #[arg(long, env = "TUNNEL_HOST_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key of `--tls-cert` (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "TUNNEL_HOST_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// How often `--tls-cert` and `--tls-key` are checked for changes.
    #[arg(long, env = "TUNNEL_HOST_TLS_RELOAD_INTERVAL", default_value = "10s", value_parser = humantime::parse_duration)]
    pub tls_reload_interval: Duration,

    /// ACME directory URL (e.g. `https://acme-v02.api.letsencrypt.org/directory`): one
    /// certificate per tunnel name, obtained on demand by TLS-ALPN-01 on the HTTPS listener,
    /// only for names that are open or reserved. Certificates and the account live in
    /// `<data-dir>/acme/`.
    #[arg(long, env = "TUNNEL_HOST_ACME_DIRECTORY", conflicts_with = "tls_cert")]
    pub acme_directory: Option<String>,

    /// PEM root certificate the ACME directory's own HTTPS certificate chains to (a test CA
    /// such as Pebble's); defaults to the system's roots.
    #[arg(long, env = "TUNNEL_HOST_ACME_CA_ROOT")]
    pub acme_ca_root: Option<PathBuf>,

    /// Contact for the ACME account (`mailto:ops@example.com`).
    #[arg(long, env = "TUNNEL_HOST_ACME_CONTACT")]
    pub acme_contact: Option<String>,

    /// Most new ACME orders per hour, over all names.
    #[arg(
        long,
        env = "TUNNEL_HOST_ACME_MAX_ORDERS_PER_HOUR",
        default_value_t = 20
    )]
    pub acme_max_orders_per_hour: usize,

    /// Wait after a failed order for a name before trying it again; doubles with each
    /// further failure, up to a day.
    #[arg(long, env = "TUNNEL_HOST_ACME_FAILURE_BACKOFF", default_value = "5m", value_parser = humantime::parse_duration)]
    pub acme_failure_backoff: Duration,

    /// A certificate is renewed when it has less than this left.
    #[arg(long, env = "TUNNEL_HOST_ACME_RENEW_BEFORE", default_value = "30d", value_parser = humantime::parse_duration)]
    pub acme_renew_before: Duration,

    /// How often certificates are checked for renewal.
    #[arg(long, env = "TUNNEL_HOST_ACME_RENEW_INTERVAL", default_value = "1h", value_parser = humantime::parse_duration)]
    pub acme_renew_interval: Duration,

    /// `Strict-Transport-Security: max-age=<seconds>` on HTTPS responses; off unless set
    /// (browsers remember it, so turn it on once HTTPS works for every name).
    #[arg(long, env = "TUNNEL_HOST_HSTS_MAX_AGE", value_parser = humantime::parse_duration)]
    pub hsts_max_age: Option<Duration>,

    /// Directory holding the persistent host key.
    #[arg(
        long,
        env = "TUNNEL_HOST_DATA_DIR",
        default_value = "./data/tunnel-host"
    )]
    pub data_dir: PathBuf,

    /// authorized_keys file (`ssh-ed25519 AAAA... username`); defaults to `<data-dir>/authorized_keys`.
    #[arg(long, env = "TUNNEL_HOST_AUTHORIZED_KEYS")]
    pub authorized_keys: Option<PathBuf>,

    /// Ports handed out to TCP tunnels, inclusive (`20000-20999`).
    #[arg(
        long,
        env = "TUNNEL_HOST_TCP_PORT_RANGE",
        default_value = "20000-20999"
    )]
    pub tcp_port_range: PortRange,

    /// Most tunnels one user may hold at once, over all their sessions.
    #[arg(long, env = "TUNNEL_HOST_MAX_TUNNELS_PER_USER", default_value_t = 10)]
    pub max_tunnels_per_user: usize,

    /// Most new SSH connections accepted from one IP address per minute.
    #[arg(long, env = "TUNNEL_HOST_MAX_CONNECTIONS_PER_IP", default_value_t = 30)]
    pub max_connections_per_ip: u32,

    /// Largest request body the HTTP proxy forwards (bytes; k, m, g suffixes allowed).
    #[arg(long, env = "TUNNEL_HOST_MAX_REQUEST_BODY", default_value = "64m")]
    pub max_request_body: ByteSize,

    /// Largest request head (request line and headers) a visitor may send over HTTP/1.1;
    /// larger heads are answered `431` (bytes; k, m, g suffixes allowed).
    #[arg(long, env = "TUNNEL_HOST_MAX_REQUEST_HEAD", default_value = "32k")]
    pub max_request_head: ByteSize,

    /// Most header lines in one request; more are answered `431`.
    #[arg(long, env = "TUNNEL_HOST_MAX_REQUEST_HEADERS", default_value_t = 100)]
    pub max_request_headers: usize,

    /// A request body that sends nothing for this long while it is read fails its
    /// connection, so a slow visitor cannot hold a request open forever.
    #[arg(long, env = "TUNNEL_HOST_REQUEST_BODY_IDLE_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
    pub request_body_idle_timeout: Duration,

    /// Slowest a request body may arrive, in bytes per second, counted over the time the
    /// proxy spends waiting for it (a slow tunnel does not count against the visitor) and
    /// checked once `--request-body-idle-timeout` of waiting has added up; a body
    /// trickling in slower ends its connection. 0 turns the check off (k, m suffixes).
    #[arg(long, env = "TUNNEL_HOST_MIN_REQUEST_BODY_RATE", default_value = "1k")]
    pub min_request_body_rate: ByteSize,

    /// Most HTTP and HTTPS visitor connections open at once from one IP address; more are
    /// closed as soon as they are accepted. 0 turns the cap off.
    #[arg(
        long,
        env = "TUNNEL_HOST_MAX_VISITOR_CONNECTIONS_PER_IP",
        default_value_t = 256
    )]
    pub max_visitor_connections_per_ip: usize,

    /// Most SSH connections from one IP address that have not yet authenticated; more
    /// are refused until some authenticate or end (`--login-grace-time` bounds each).
    #[arg(
        long,
        env = "TUNNEL_HOST_MAX_UNAUTHENTICATED_PER_IP",
        default_value_t = 10
    )]
    pub max_unauthenticated_per_ip: usize,

    /// Delay before answering a failed authentication attempt.
    #[arg(long, env = "TUNNEL_HOST_AUTH_REJECTION_DELAY", default_value = "1s", value_parser = humantime::parse_duration)]
    pub auth_rejection_delay: Duration,

    /// Authentication attempts allowed per connection.
    #[arg(long, env = "TUNNEL_HOST_MAX_AUTH_ATTEMPTS", default_value_t = 6)]
    pub max_auth_attempts: usize,

    /// Time a connection may take to authenticate before it is dropped.
    #[arg(long, env = "TUNNEL_HOST_LOGIN_GRACE_TIME", default_value = "30s", value_parser = humantime::parse_duration)]
    pub login_grace_time: Duration,

    /// An authenticated session holding no tunnel is closed after this long.
    #[arg(long, env = "TUNNEL_HOST_IDLE_TIMEOUT", default_value = "5m", value_parser = humantime::parse_duration)]
    pub idle_timeout: Duration,

    /// Interval of SSH keepalives; a client missing three in a row is dropped.
    #[arg(long, env = "TUNNEL_HOST_KEEPALIVE_INTERVAL", default_value = "30s", value_parser = humantime::parse_duration)]
    pub keepalive_interval: Duration,

    /// A visitor connection whose writes make no progress this long is closed, so a
    /// visitor who stops reading cannot stall the tunnel's SSH session.
    #[arg(long, env = "TUNNEL_HOST_VISITOR_STALL_TIMEOUT", default_value = "15s", value_parser = humantime::parse_duration)]
    pub visitor_stall_timeout: Duration,

    /// Data-plane threads, each the home of some SSH sessions and of their visitors'
    /// connections (0: one per core). One tunnel's traffic stays on one thread.
    #[arg(
        long,
        env = "TUNNEL_HOST_DATA_THREADS",
        default_value_t = 0,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=256)
    )]
    pub data_threads: usize,

    /// Time given to open connections to finish on shutdown.
    #[arg(long, env = "TUNNEL_HOST_SHUTDOWN_GRACE", default_value = "5s", value_parser = humantime::parse_duration)]
    pub shutdown_grace: Duration,

    /// The Flamingo edge (panel API) this host reports to, e.g. `https://panel.example.com`.
    /// Without it the host runs standalone on its authorized_keys file.
    #[arg(long, env = "TUNNEL_HOST_EDGE")]
    pub edge: Option<String>,

    /// One-time enrollment token from the panel; used once with `--edge`, after which the
    /// credential lives in `<data-dir>/edge.json` and the token is ignored.
    #[arg(long, env = "TUNNEL_HOST_ENROLL", hide_env_values = true)]
    pub enroll: Option<Secret>,

    /// How long `--enroll` keeps trying while the edge is unreachable or failing (5xx,
    /// 429), backing off between attempts; a refusal (an unknown token) fails at once.
    #[arg(long, env = "TUNNEL_HOST_ENROLL_RETRY_FOR", default_value = "2m", value_parser = humantime::parse_duration)]
    pub enroll_retry_for: Duration,

    /// Interval between the edge link's heartbeats.
    #[arg(long, env = "TUNNEL_HOST_EDGE_HEARTBEAT_INTERVAL", default_value = "30s", value_parser = humantime::parse_duration)]
    pub edge_heartbeat_interval: Duration,

    /// Log line format.
    #[arg(long, env = "TUNNEL_HOST_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
}

impl Config {
    /// The authorized_keys path in effect.
    pub fn authorized_keys_path(&self) -> PathBuf {
        self.authorized_keys
            .clone()
            .unwrap_or_else(|| self.data_dir.join("authorized_keys"))
    }

    /// Whether the host serves HTTPS (certificates from files or by ACME).
    pub fn tls_enabled(&self) -> bool {
        self.tls_cert.is_some() || self.acme_directory.is_some()
    }

    /// The limits every HTTP/1.1 request head and body is checked against.
    pub(crate) fn head_limits(&self) -> HeadLimits {
        HeadLimits {
            max_head_bytes: usize::try_from(self.max_request_head.0).unwrap_or(usize::MAX),
            max_headers: self.max_request_headers,
            body_idle_timeout: self.request_body_idle_timeout,
            min_body_rate: self.min_request_body_rate.0,
        }
    }

    /// The host key path inside the data dir.
    pub fn host_key_path(&self) -> PathBuf {
        self.data_dir.join("ssh_host_ed25519_key")
    }
}

/// A secret from the command line or env; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl FromStr for Secret {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err("must not be empty".into());
        }
        Ok(Secret(s.to_owned()))
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Human-readable lines.
    Pretty,
}

/// An inclusive range of TCP ports, written `low-high`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    /// First port of the range.
    pub low: u16,
    /// Last port of the range (inclusive).
    pub high: u16,
}

impl PortRange {
    /// Whether `port` lies in the range.
    pub fn contains(&self, port: u16) -> bool {
        (self.low..=self.high).contains(&port)
    }

    /// Number of ports in the range.
    pub fn len(&self) -> usize {
        usize::from(self.high - self.low) + 1
    }

    /// Always false: a range holds at least one port.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl FromStr for PortRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (low, high) = s
            .split_once('-')
            .ok_or_else(|| format!("expected low-high, got {s:?}"))?;
        let low: u16 = low.trim().parse().map_err(|e| format!("low port: {e}"))?;
        let high: u16 = high.trim().parse().map_err(|e| format!("high port: {e}"))?;
        if low == 0 || low > high {
            return Err(format!("invalid port range {low}-{high}"));
        }
        Ok(PortRange { low, high })
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.low, self.high)
    }
}

/// A byte count written as a plain number or with a k/m/g suffix (powers of 1024).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let lower = lower.trim_end_matches("ib").trim_end_matches('b');
        let (digits, shift) = match lower.chars().last() {
            Some('k') => (&lower[..lower.len() - 1], 10),
            Some('m') => (&lower[..lower.len() - 1], 20),
            Some('g') => (&lower[..lower.len() - 1], 30),
            _ => (lower, 0),
        };
        let n: u64 = digits
            .trim()
            .parse()
            .map_err(|e| format!("byte size {s:?}: {e}"))?;
        n.checked_mul(1u64 << shift)
            .map(ByteSize)
            .ok_or_else(|| format!("byte size {s:?} is too large"))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_documented_ones() {
        let c = Config::try_parse_from(["tunnel-host"]).unwrap();
        assert_eq!(c.ssh_addr.to_string(), "0.0.0.0:2222");
        assert_eq!(c.http_addr.to_string(), "0.0.0.0:8080");
        assert_eq!(c.admin_addr.to_string(), "127.0.0.1:9090");
        assert_eq!(c.domain, "localhost");
        assert_eq!(
            c.head_limits(),
            HeadLimits {
                max_head_bytes: 32 * 1024,
                max_headers: 100,
                body_idle_timeout: Duration::from_secs(30),
                min_body_rate: 1024,
            }
        );
        assert_eq!(c.max_unauthenticated_per_ip, 10);
        assert_eq!(c.max_visitor_connections_per_ip, 256);
        assert_eq!(c.data_threads, 0);
        assert!(Config::try_parse_from(["tunnel-host", "--data-threads", "257"]).is_err());
        assert_eq!(
            (c.public_ssh_host.as_deref(), c.public_ssh_port),
            (None, None)
        );
        assert_eq!(
            c.tcp_port_range,
            PortRange {
                low: 20000,
                high: 20999
            }
        );
        assert_eq!(c.max_request_body, ByteSize(64 << 20));
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert_eq!(
            c.authorized_keys_path(),
            PathBuf::from("./data/tunnel-host/authorized_keys")
        );
    }

    #[test]
    fn flags_override_defaults() {
        let c = Config::try_parse_from([
            "tunnel-host",
            "--ssh-addr",
            "127.0.0.1:0",
            "--tcp-port-range",
            "30000-30010",
            "--max-request-body",
            "10k",
            "--log-format",
            "json",
            "--idle-timeout",
            "90s",
            "--public-ssh-host",
            "ssh.example.com",
            "--public-ssh-port",
            "22",
        ])
        .unwrap();
        assert_eq!(c.public_ssh_host.as_deref(), Some("ssh.example.com"));
        assert_eq!(c.public_ssh_port, Some(22));
        assert_eq!(c.ssh_addr.port(), 0);
        assert_eq!(c.tcp_port_range.len(), 11);
        assert_eq!(c.max_request_body, ByteSize(10 * 1024));
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.idle_timeout, Duration::from_secs(90));
    }

    #[test]
    fn edge_flags_parse_and_the_token_stays_hidden() {
        let c = Config::try_parse_from(["tunnel-host"]).unwrap();
        assert!(c.edge.is_none() && c.enroll.is_none());
        assert_eq!(c.edge_heartbeat_interval, Duration::from_secs(30));
        assert_eq!(c.enroll_retry_for, Duration::from_secs(120));
        let c = Config::try_parse_from([
            "tunnel-host",
            "--edge",
            "https://panel.example.com",
            "--enroll",
            "fte_topsecret",
            "--edge-heartbeat-interval",
            "200ms",
        ])
        .unwrap();
        assert_eq!(c.edge.as_deref(), Some("https://panel.example.com"));
        assert_eq!(c.enroll.as_ref().map(Secret::expose), Some("fte_topsecret"));
        assert_eq!(c.edge_heartbeat_interval, Duration::from_millis(200));
        assert!(!format!("{c:?}").contains("topsecret"));
        assert!(Config::try_parse_from(["tunnel-host", "--enroll", " "]).is_err());
        // A token minted before the `fte_` prefix may start with `-`; `--enroll=` takes it.
        let c = Config::try_parse_from(["tunnel-host", "--enroll=-fX_9"]).unwrap();
        assert_eq!(c.enroll.as_ref().map(Secret::expose), Some("-fX_9"));
    }

    #[test]
    fn tls_flags_parse_and_exclude_each_other() {
        let c = Config::try_parse_from(["tunnel-host"]).unwrap();
        assert!(!c.tls_enabled());
        assert_eq!(c.https_addr.to_string(), "0.0.0.0:443");
        assert_eq!(c.hsts_max_age, None);
        assert_eq!(c.acme_max_orders_per_hour, 20);
        let c = Config::try_parse_from([
            "tunnel-host",
            "--tls-cert",
            "/c.pem",
            "--tls-key",
            "/k.pem",
            "--hsts-max-age",
            "1d",
        ])
        .unwrap();
        assert!(c.tls_enabled());
        assert_eq!(c.hsts_max_age, Some(Duration::from_secs(86400)));
        assert!(Config::try_parse_from(["tunnel-host", "--tls-cert", "/c.pem"]).is_err());
        assert!(
            Config::try_parse_from([
                "tunnel-host",
                "--tls-cert",
                "/c.pem",
                "--tls-key",
                "/k.pem",
                "--acme-directory",
                "https://acme.example/dir",
            ])
            .is_err()
        );
        let c = Config::try_parse_from([
            "tunnel-host",
            "--acme-directory",
            "https://acme.example/dir",
        ])
        .unwrap();
        assert!(c.tls_enabled());
    }

    #[test]
    fn port_ranges_are_validated() {
        assert!("20000-19999".parse::<PortRange>().is_err());
        assert!("0-10".parse::<PortRange>().is_err());
        assert!("abc".parse::<PortRange>().is_err());
        let r: PortRange = "5-5".parse().unwrap();
        assert!(r.contains(5) && !r.contains(6));
    }

    #[test]
    fn byte_sizes_parse_suffixes() {
        assert_eq!("123".parse::<ByteSize>().unwrap(), ByteSize(123));
        assert_eq!("2M".parse::<ByteSize>().unwrap(), ByteSize(2 << 20));
        assert_eq!("1GiB".parse::<ByteSize>().unwrap(), ByteSize(1 << 30));
        assert_eq!("4kb".parse::<ByteSize>().unwrap(), ByteSize(4096));
        assert!("lots".parse::<ByteSize>().is_err());
    }
}
