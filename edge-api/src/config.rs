//! Instance configuration, read once per request by the platform adapter.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::crypto::Sealer;

/// Settings and keys the domain needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seals key material at rest (`FLAMINGO_SECRET_KEY`: 32 bytes, base64url).
    pub sealer: Sealer,
    /// The panel's public origin (`https://panel.example.com`), when set;
    /// otherwise the request's own origin is the panel's.
    pub origin: Option<String>,
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
        })
    }
}
