//! HTTPS certificates: from files (a wildcard, reloaded when it changes) or by ACME (one
//! per tunnel name, on demand), handed to rustls through one [`CertResolver`].
//!
//! - [`resolver`]: picks a handshake's certificate by server name and ALPN.
//! - [`files`]: `--tls-cert`/`--tls-key`, watched for changes.
//! - [`acme`]: orders by TLS-ALPN-01 for names that are open or reserved, renewals.
//! - [`limits`]: the ACME rate limits (per-name backoff, hourly cap).
//! - [`store`]: ACME certificates and account on disk.

pub mod acme;
pub mod files;
pub mod limits;
pub mod resolver;
pub mod store;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::authority::KeyAuthority;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::registry::Registry;

pub use self::acme::Acme;
pub use self::resolver::{ACME_TLS_ALPN, CertResolver};

/// A certificate with its key, ready for rustls, and when it expires.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Chain and signing key.
    pub key: Arc<CertifiedKey>,
    /// The end-entity certificate's `notAfter`.
    pub not_after: SystemTime,
}

/// What the HTTPS listener serves with.
pub struct Tls {
    /// The certificates.
    pub resolver: Arc<CertResolver>,
    /// For visitors: ALPN `h2` then `http/1.1`.
    pub visitors: Arc<ServerConfig>,
    /// For ACME validation handshakes: ALPN `acme-tls/1` only.
    pub validation: Arc<ServerConfig>,
    /// The ACME client, when certificates come from ACME.
    pub acme: Option<Arc<Acme>>,
}

impl Tls {
    /// Sets certificates up as the config says (`None` without `--tls-cert` or
    /// `--acme-directory`) and starts their background tasks (file watching, renewals,
    /// ordering for tunnels as they open) on `tasks` until `stop`.
    pub fn start(
        config: &Config,
        registry: &Registry,
        authority: Arc<dyn KeyAuthority>,
        tasks: &TaskTracker,
        stop: &CancellationToken,
    ) -> Result<Option<Tls>> {
        let resolver = Arc::new(CertResolver::new(&config.domain));
        let acme = if let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) {
            let watcher = files::Watcher::new(cert.clone(), key.clone(), Arc::clone(&resolver))?;
            tasks.spawn(watcher.run(config.tls_reload_interval, stop.clone()));
            None
        } else if config.acme_directory.is_some() {
            let acme = Arc::new(Acme::new(
                config,
                Arc::clone(&resolver),
                registry.clone(),
                authority,
            )?);
            tasks.spawn(Arc::clone(&acme).run(stop.clone()));
            Some(acme)
        } else {
            return Ok(None);
        };
        Ok(Some(Tls {
            visitors: Arc::new(server_config(
                &resolver,
                vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            )?),
            validation: Arc::new(server_config(&resolver, vec![ACME_TLS_ALPN.to_vec()])?),
            resolver,
            acme,
        }))
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn server_config(resolver: &Arc<CertResolver>, alpn: Vec<Vec<u8>>) -> Result<ServerConfig> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("tls versions: {e}")))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::clone(resolver) as Arc<dyn rustls::server::ResolvesServerCert>);
    config.alpn_protocols = alpn;
    Ok(config)
}

/// Parses a PEM certificate chain and its private key, checking they belong together.
pub fn parse_pem(chain_pem: &[u8], key_pem: &[u8]) -> Result<Loaded> {
    let invalid = |field: &'static str, reason: String| Error::Invalid { field, reason };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem)
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| invalid("tls_cert", format!("not a PEM certificate chain: {e}")))?;
    let first = chain
        .first()
        .ok_or_else(|| invalid("tls_cert", "holds no certificate".into()))?;
    let not_after = not_after(first)?;
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| invalid("tls_key", format!("not a PEM private key: {e}")))?;
    let key = CertifiedKey::from_der(chain, key, &provider())
        .map_err(|e| invalid("tls_key", format!("does not fit the certificate: {e}")))?;
    Ok(Loaded {
        key: Arc::new(key),
        not_after,
    })
}

/// Reads and parses a certificate chain file and its key file.
pub fn load_files(cert: &Path, key: &Path) -> Result<Loaded> {
    let chain = std::fs::read(cert).map_err(Error::io("reading the tls certificate"))?;
    let key = std::fs::read(key).map_err(Error::io("reading the tls key"))?;
    parse_pem(&chain, &key)
}

/// The `notAfter` of a DER certificate.
fn not_after(cert: &CertificateDer<'_>) -> Result<SystemTime> {
    let (_, parsed) =
        x509_parser::parse_x509_certificate(cert.as_ref()).map_err(|e| Error::Invalid {
            field: "tls_cert",
            reason: format!("unreadable certificate: {e}"),
        })?;
    let secs = parsed.validity().not_after.timestamp();
    Ok(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

/// A self-signed certificate for `names` with a fresh key: (rustls key, chain PEM, key PEM).
/// For tests and the bench, and the base of the TLS-ALPN-01 challenge certificate.
pub fn self_signed(names: &[String]) -> Result<(CertifiedKey, String, String)> {
    let params = rcgen::CertificateParams::new(names.to_vec())
        .map_err(|e| Error::Internal(format!("certificate names: {e}")))?;
    signed(params)
}

/// Self-signs `params` with a fresh key.
fn signed(params: rcgen::CertificateParams) -> Result<(CertifiedKey, String, String)> {
    let internal = |e: rcgen::Error| Error::Internal(format!("making a certificate: {e}"));
    let key = rcgen::KeyPair::generate().map_err(internal)?;
    let cert = params.self_signed(&key).map_err(internal)?;
    let der = PrivateKeyDer::Pkcs8(key.serialize_der().into());
    // Not `CertifiedKey::from_der`: its consistency check parses the certificate with webpki,
    // which refuses the TLS-ALPN-01 certificate's critical acmeIdentifier extension. The key
    // was made for this certificate just above.
    let signer = provider()
        .key_provider
        .load_private_key(der)
        .map_err(|e| Error::Internal(format!("loading a certificate key: {e}")))?;
    let certified = CertifiedKey::new(vec![cert.der().clone()], signer);
    Ok((certified, cert.pem(), key.serialize_pem()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_pairs_parse_and_mismatched_keys_are_refused() {
        let (_, chain, key) = self_signed(&["app.t.test".into()]).unwrap();
        let loaded = parse_pem(chain.as_bytes(), key.as_bytes()).unwrap();
        assert!(loaded.not_after > SystemTime::now());
        let (_, _, other_key) = self_signed(&["app.t.test".into()]).unwrap();
        assert!(matches!(
            parse_pem(chain.as_bytes(), other_key.as_bytes()),
            Err(Error::Invalid {
                field: "tls_key",
                ..
            })
        ));
        assert!(parse_pem(b"", key.as_bytes()).is_err());
        assert!(parse_pem(chain.as_bytes(), b"junk").is_err());
    }
}
