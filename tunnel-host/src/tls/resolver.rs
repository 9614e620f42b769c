//! [`CertResolver`]: which certificate a TLS handshake gets, by its server name.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// ALPN protocol of ACME TLS-ALPN-01 validation (RFC 8737).
pub const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";

/// Certificates for the HTTPS listener: one for every name (from files), one per name (from
/// ACME), and the short-lived TLS-ALPN-01 challenge certificates. A name with none gets no
/// certificate, so its handshake fails with an alert.
#[derive(Debug)]
pub struct CertResolver {
    domain: String,
    wildcard: RwLock<Option<Arc<CertifiedKey>>>,
    names: RwLock<HashMap<String, Arc<CertifiedKey>>>,
    challenges: RwLock<HashMap<String, Arc<CertifiedKey>>>,
}

impl CertResolver {
    /// An empty resolver for `<name>.<domain>`.
    pub fn new(domain: &str) -> CertResolver {
        CertResolver {
            domain: domain.trim_end_matches('.').to_ascii_lowercase(),
            wildcard: RwLock::new(None),
            names: RwLock::new(HashMap::new()),
            challenges: RwLock::new(HashMap::new()),
        }
    }

    /// The tunnel name a server name stands for (`myapp` for `myapp.<domain>`), if any.
    pub fn tunnel_name(&self, server_name: &str) -> Option<String> {
        let host = server_name.trim_end_matches('.').to_ascii_lowercase();
        let label = host.strip_suffix(&self.domain)?.strip_suffix('.')?;
        (!label.is_empty() && !label.contains('.')).then(|| label.to_owned())
    }

    /// Serves `key` for every `<name>.<domain>` (replacing the one before, so a reload
    /// takes effect at the next handshake while open connections go on).
    pub fn set_wildcard(&self, key: Arc<CertifiedKey>) {
        *write(&self.wildcard) = Some(key);
    }

    /// Serves `key` for the host name `fqdn` (`myapp.<domain>`).
    pub fn set_name(&self, fqdn: &str, key: Arc<CertifiedKey>) {
        write(&self.names).insert(fqdn.to_ascii_lowercase(), key);
    }

    /// The certificate held for `fqdn`, if any (the wildcard does not count).
    pub fn name(&self, fqdn: &str) -> Option<Arc<CertifiedKey>> {
        read(&self.names).get(&fqdn.to_ascii_lowercase()).cloned()
    }

    /// Answers TLS-ALPN-01 validation of `fqdn` with `key` until [`Self::clear_challenge`].
    pub fn set_challenge(&self, fqdn: &str, key: Arc<CertifiedKey>) {
        write(&self.challenges).insert(fqdn.to_ascii_lowercase(), key);
    }

    /// Stops answering validation of `fqdn`.
    pub fn clear_challenge(&self, fqdn: &str) {
        write(&self.challenges).remove(&fqdn.to_ascii_lowercase());
    }

    /// The certificate for a handshake naming `server_name` and offering `alpn`.
    pub fn pick(&self, server_name: Option<&str>, alpn: &[&[u8]]) -> Option<Arc<CertifiedKey>> {
        let fqdn = server_name?.trim_end_matches('.').to_ascii_lowercase();
        if alpn == [ACME_TLS_ALPN] {
            // RFC 8737 §3: the validation handshake offers only acme-tls/1, and is answered
            // with the challenge certificate or not at all.
            return read(&self.challenges).get(&fqdn).cloned();
        }
        if let Some(key) = read(&self.names).get(&fqdn) {
            return Some(Arc::clone(key));
        }
        self.tunnel_name(&fqdn)?;
        read(&self.wildcard).clone()
    }
}

impl ResolvesServerCert for CertResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let alpn: Vec<&[u8]> = hello.alpn().map(|a| a.collect()).unwrap_or_default();
        let picked = self.pick(hello.server_name(), &alpn);
        if picked.is_none() {
            tracing::debug!(server_name = ?hello.server_name(), "no certificate for this name");
        }
        picked
    }
}

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    // Writers only swap whole values in, so a poisoned lock holds a consistent value.
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::self_signed;

    fn key(name: &str) -> Arc<CertifiedKey> {
        Arc::new(self_signed(&[name.to_owned()]).unwrap().0)
    }

    #[test]
    fn server_names_map_to_tunnel_names() {
        let r = CertResolver::new("Tunnels.Example.com.");
        assert_eq!(
            r.tunnel_name("MyApp.tunnels.example.com").as_deref(),
            Some("myapp")
        );
        assert_eq!(r.tunnel_name("tunnels.example.com"), None);
        assert_eq!(r.tunnel_name("a.b.tunnels.example.com"), None);
        assert_eq!(r.tunnel_name("xtunnels.example.com"), None);
        assert_eq!(r.tunnel_name("myapp.example.org"), None);
    }

    #[test]
    fn a_name_gets_its_own_certificate_else_the_wildcard_else_none() {
        let r = CertResolver::new("t.test");
        let h2: &[&[u8]] = &[b"h2", b"http/1.1"];
        assert!(r.pick(Some("app.t.test"), h2).is_none());
        assert!(r.pick(None, h2).is_none());
        let wildcard = key("*.t.test");
        r.set_wildcard(Arc::clone(&wildcard));
        assert!(Arc::ptr_eq(
            &r.pick(Some("app.t.test"), h2).unwrap(),
            &wildcard
        ));
        // the wildcard covers one label under the domain, nothing else
        assert!(r.pick(Some("a.b.t.test"), h2).is_none());
        assert!(r.pick(Some("other.test"), h2).is_none());
        let own = key("app.t.test");
        r.set_name("app.t.test", Arc::clone(&own));
        assert!(Arc::ptr_eq(&r.pick(Some("APP.t.test."), h2).unwrap(), &own));
        assert!(Arc::ptr_eq(
            &r.pick(Some("web.t.test"), h2).unwrap(),
            &wildcard
        ));
    }

    #[test]
    fn validation_handshakes_get_only_the_challenge_certificate() {
        let r = CertResolver::new("t.test");
        r.set_name("app.t.test", key("app.t.test"));
        let acme: &[&[u8]] = &[ACME_TLS_ALPN];
        assert!(r.pick(Some("app.t.test"), acme).is_none());
        let challenge = key("app.t.test");
        r.set_challenge("app.t.test", Arc::clone(&challenge));
        assert!(Arc::ptr_eq(
            &r.pick(Some("app.t.test"), acme).unwrap(),
            &challenge
        ));
        // a visitor offering acme-tls/1 among others is a visitor
        let mixed: &[&[u8]] = &[b"h2", ACME_TLS_ALPN];
        assert!(!Arc::ptr_eq(
            &r.pick(Some("app.t.test"), mixed).unwrap(),
            &challenge
        ));
        r.clear_challenge("app.t.test");
        assert!(r.pick(Some("app.t.test"), acme).is_none());
    }
}
