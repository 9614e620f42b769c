//! [`Watcher`]: the `--tls-cert`/`--tls-key` pair, loaded at start and again when it changes.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::error::Result;

use super::CertResolver;

/// A file's bytes when last read (a few kilobytes): any change means reload, even one
/// within the file system's timestamp granularity.
type Stamp = Option<Vec<u8>>;

/// Watches a certificate and key file pair and serves it as the wildcard certificate.
pub struct Watcher {
    cert: PathBuf,
    key: PathBuf,
    resolver: Arc<CertResolver>,
    seen: (Stamp, Stamp),
}

impl Watcher {
    /// Loads the pair once (failing when it cannot be read, so a typo stops the start).
    pub fn new(cert: PathBuf, key: PathBuf, resolver: Arc<CertResolver>) -> Result<Watcher> {
        let mut watcher = Watcher {
            cert,
            key,
            resolver,
            seen: (None, None),
        };
        watcher.seen = watcher.stamps();
        let loaded = super::load_files(&watcher.cert, &watcher.key)?;
        watcher.resolver.set_wildcard(loaded.key);
        Ok(watcher)
    }

    fn stamps(&self) -> (Stamp, Stamp) {
        let stamp = |p: &PathBuf| std::fs::read(p).ok();
        (stamp(&self.cert), stamp(&self.key))
    }

    /// Reloads the pair if either file changed; a pair that does not load (half written,
    /// key and certificate not yet both replaced) keeps the one before and is tried again.
    /// Returns whether a new certificate is served.
    pub fn check(&mut self) -> bool {
        let now = self.stamps();
        if now == self.seen {
            return false;
        }
        match super::load_files(&self.cert, &self.key) {
            Ok(loaded) => {
                self.seen = now;
                self.resolver.set_wildcard(loaded.key);
                tracing::info!(cert = %self.cert.display(), "tls certificate reloaded");
                true
            }
            Err(error) => {
                tracing::warn!(cert = %self.cert.display(), %error, "tls certificate changed but does not load; keeping the one before");
                false
            }
        }
    }

    /// Checks every `interval` until `stop`.
    pub async fn run(mut self, interval: Duration, stop: CancellationToken) {
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(interval) => {}
            }
            self.check();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::self_signed;

    fn served(resolver: &CertResolver) -> Vec<u8> {
        let key = resolver.pick(Some("app.t.test"), &[b"h2"]).unwrap();
        key.cert[0].to_vec()
    }

    #[test]
    fn a_replaced_pair_is_served_and_a_broken_one_keeps_the_old() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
        let (_, chain1, key1) = self_signed(&["*.t.test".into()]).unwrap();
        std::fs::write(&cert, &chain1).unwrap();
        std::fs::write(&key, &key1).unwrap();
        let resolver = Arc::new(CertResolver::new("t.test"));
        let mut w = Watcher::new(cert.clone(), key.clone(), Arc::clone(&resolver)).unwrap();
        let first = served(&resolver);
        assert!(!w.check(), "nothing changed");

        // only the certificate replaced: it does not fit the key, the old one stays
        let (_, chain2, key2) = self_signed(&["*.t.test".into(), "t.test".into()]).unwrap();
        std::fs::write(&cert, &chain2).unwrap();
        assert!(!w.check());
        assert_eq!(served(&resolver), first);
        // the key follows: now the new pair is served
        std::fs::write(&key, &key2).unwrap();
        assert!(w.check());
        assert_ne!(served(&resolver), first);
    }

    #[test]
    fn a_missing_pair_fails_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let resolver = Arc::new(CertResolver::new("t.test"));
        assert!(Watcher::new(dir.path().join("c"), dir.path().join("k"), resolver).is_err());
    }
}
