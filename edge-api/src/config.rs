//! Instance configuration, read once per request by the platform adapter.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::{crypto::Sealer, error::ApiError};

/// Settings and keys the domain needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seals key material at rest (`FLAMINGO_SECRET_KEY`: 32 bytes, base64url).
    pub sealer: Sealer,
    /// The panel's public origin (`https://panel.example.com`,
    /// `PUBLIC_ORIGIN`). Required in production; without it only requests
    /// to a loopback host (`wrangler dev`, tests) take their own origin as
    /// the panel's (see [`Config::expected_origin`]).
    pub origin: Option<String>,
    /// Game-server backups: the default adapter, S3 storage, the timeout.
    pub backups: BackupConfig,
}

/// How game-server backups are stored and how long Wings may take.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupConfig {
    /// `wings` (the node's disk) or `s3` (`BACKUP_ADAPTER`, default `wings`).
    pub default_adapter: String,
    /// A backup that has not reported after this long is failed
    /// (`BACKUP_TIMEOUT_SECS`, default 6 hours).
    pub timeout_ms: i64,
    /// S3-compatible storage (Cloudflare R2 in production), when configured.
    pub s3: Option<S3Config>,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig {
            default_adapter: "wings".into(),
            timeout_ms: 6 * 3600 * 1000,
            s3: None,
        }
    }
}

/// An S3-compatible bucket: `S3_ENDPOINT`, `S3_REGION` (default `auto`, as
/// R2 wants), `S3_BUCKET`, `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY` (a
/// secret), `S3_PATH_STYLE` (`true` for path-style URLs), `S3_PART_SIZE`
/// (bytes per multipart part, default 5 GiB, at least 5 MiB on real S3).
#[derive(Clone, PartialEq)]
pub struct S3Config {
    /// `https://<account>.r2.cloudflarestorage.com`.
    pub endpoint: String,
    /// Region.
    pub region: String,
    /// Bucket name.
    pub bucket: String,
    /// Access key id.
    pub access_key: String,
    /// Secret access key (never logged or returned).
    pub secret_key: String,
    /// Path-style (`endpoint/bucket/key`) rather than virtual-host URLs.
    pub path_style: bool,
    /// Bytes per part of a multipart upload.
    pub part_size: u64,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("path_style", &self.path_style)
            .field("part_size", &self.part_size)
            .finish_non_exhaustive()
    }
}

impl BackupConfig {
    /// Reads the settings through `get` (an environment lookup); a bad
    /// value is an error naming the variable, never its content.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut config = BackupConfig::default();
        let get = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(adapter) = get("BACKUP_ADAPTER") {
            if adapter != "wings" && adapter != "s3" {
                return Err("BACKUP_ADAPTER must be wings or s3".into());
            }
            config.default_adapter = adapter;
        }
        if let Some(secs) = get("BACKUP_TIMEOUT_SECS") {
            let secs: i64 = secs
                .parse()
                .ok()
                .filter(|s| *s > 0)
                .ok_or("BACKUP_TIMEOUT_SECS must be a positive number of seconds")?;
            config.timeout_ms = secs.saturating_mul(1000);
        }
        if let (Some(endpoint), Some(bucket)) = (get("S3_ENDPOINT"), get("S3_BUCKET")) {
            let part_size = match get("S3_PART_SIZE") {
                Some(v) => v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("S3_PART_SIZE must be a positive number of bytes")?,
                None => 5 * 1024 * 1024 * 1024,
            };
            config.s3 = Some(S3Config {
                endpoint: endpoint.trim_end_matches('/').to_owned(),
                region: get("S3_REGION").unwrap_or_else(|| "auto".into()),
                bucket,
                access_key: get("S3_ACCESS_KEY_ID").ok_or("S3_ACCESS_KEY_ID is not set")?,
                secret_key: get("S3_SECRET_ACCESS_KEY").ok_or("S3_SECRET_ACCESS_KEY is not set")?,
                path_style: get("S3_PATH_STYLE").is_some_and(|v| v == "true" || v == "1"),
                part_size,
            });
        }
        if config.default_adapter == "s3" && config.s3.is_none() {
            return Err("BACKUP_ADAPTER is s3 but S3_ENDPOINT and S3_BUCKET are not set".into());
        }
        Ok(config)
    }
}

impl Config {
    /// Builds the config from the secret key's base64url text.
    pub fn from_secret(secret_key: &str, origin: Option<String>) -> Result<Self, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(secret_key.trim().trim_end_matches('='))
            .map_err(|e| format!("FLAMINGO_SECRET_KEY is not base64url: {e}"))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "FLAMINGO_SECRET_KEY must hold exactly 32 bytes".to_owned())?;
        let origin = origin
            .map(|o| o.trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty());
        Ok(Config {
            sealer: Sealer::new(&key),
            origin,
            backups: BackupConfig::default(),
        })
    }

    /// The origin cookie-authenticated writes must come from: `PUBLIC_ORIGIN`,
    /// else the request's own origin when it names a loopback host (local
    /// development and tests). Any other request without `PUBLIC_ORIGIN` is
    /// refused as misconfigured: trusting its `Host` header would let
    /// whatever sits in front of the Worker decide what counts as the panel.
    pub fn expected_origin<'a>(
        &'a self,
        request_origin: Option<&'a str>,
    ) -> Result<Option<&'a str>, ApiError> {
        match (self.origin.as_deref(), request_origin) {
            (Some(origin), _) => Ok(Some(origin)),
            (None, Some(own)) if is_loopback(own) => Ok(Some(own)),
            (None, _) => Err(ApiError::Misconfigured("PUBLIC_ORIGIN is not set")),
        }
    }
}

/// Whether `origin` (`scheme://host[:port]`) names this machine:
/// `localhost`, `*.localhost`, `127.0.0.0/8` or `[::1]`.
fn is_loopback(origin: &str) -> bool {
    let Some((_, authority)) = origin.split_once("://") else {
        return false;
    };
    let host = match authority.strip_prefix('[') {
        Some(v6) => return v6.split_once(']').is_some_and(|(ip, _)| ip == "::1"),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(origin: Option<&str>) -> Config {
        let key = URL_SAFE_NO_PAD.encode([7u8; 32]);
        Config::from_secret(&key, origin.map(str::to_owned)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn public_origin_is_required_beyond_loopback() {
        let set = config(Some("https://panel.example.com/"));
        assert_eq!(
            set.expected_origin(Some("https://evil.example")).ok(),
            Some(Some("https://panel.example.com"))
        );
        let unset = config(None);
        for local in [
            "http://127.0.0.1:8787",
            "http://localhost",
            "http://app.localhost:5173",
            "http://[::1]:8787",
        ] {
            assert_eq!(unset.expected_origin(Some(local)).ok(), Some(Some(local)));
        }
        for remote in [
            "https://panel.example.com",
            "http://localhost.example.com",
            "http://10.0.0.1",
            "http://[::2]",
            "localhost",
        ] {
            assert!(unset.expected_origin(Some(remote)).is_err(), "{remote}");
        }
        assert!(unset.expected_origin(None).is_err());
    }
}
