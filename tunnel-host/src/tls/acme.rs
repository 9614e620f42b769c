//! [`Acme`]: one certificate per tunnel name by ACME TLS-ALPN-01, only for names that are
//! open or reserved, within [`OrderLimits`], renewed before expiry, kept in the [`Store`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use instant_acme::{
    Account, AuthorizationStatus, ChallengeType, Identifier, NewAccount, NewOrder, OrderStatus,
    RetryPolicy,
};
use rustls::sign::CertifiedKey;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use crate::authority::KeyAuthority;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::event::TunnelEvent;
use crate::metrics::Metrics;
use crate::registry::{Lookup, Registry};
use crate::tunnel::TunnelKind;

use super::limits::{Held, OrderLimits};
use super::store::{AccountRecord, Store};
use super::{CertResolver, Loaded};

/// How long the ACME server may take to validate, and then to issue.
const POLL_TIMEOUT: Duration = Duration::from_secs(90);
/// How long an answer about a reservation is reused: visitors' handshakes for unknown names
/// must not turn into one edge request each.
const RESERVATION_TTL: Duration = Duration::from_secs(60);
/// Most reservation answers kept.
const RESERVATION_CAP: usize = 4096;

/// Obtains and renews certificates for tunnel names.
pub struct Acme {
    directory: String,
    ca_root: Option<PathBuf>,
    contact: Option<String>,
    domain: String,
    renew_before: Duration,
    renew_interval: Duration,
    resolver: Arc<CertResolver>,
    registry: Registry,
    authority: Arc<dyn KeyAuthority>,
    store: Store,
    limits: Mutex<OrderLimits>,
    account: tokio::sync::Mutex<Option<Account>>,
    /// One lock per name: at most one order in flight for it; later callers wait and then
    /// find the certificate.
    in_flight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    expiry: Mutex<HashMap<String, SystemTime>>,
    /// Recent answers of [`KeyAuthority::is_reserved`], with when they were given.
    reservations: Mutex<HashMap<String, (bool, Instant)>>,
}

/// Whether a certificate expiring at `not_after` should be renewed at `now`.
pub fn due(not_after: SystemTime, now: SystemTime, renew_before: Duration) -> bool {
    match not_after.duration_since(now) {
        Ok(left) => left < renew_before,
        Err(_) => true,
    }
}

impl Acme {
    /// The ACME client of the config, serving what the store holds through `resolver`.
    pub fn new(
        config: &Config,
        resolver: Arc<CertResolver>,
        registry: Registry,
        authority: Arc<dyn KeyAuthority>,
    ) -> Result<Acme> {
        let directory = config.acme_directory.clone().ok_or(Error::Invalid {
            field: "acme_directory",
            reason: "missing".into(),
        })?;
        let store = Store::new(config.data_dir.join("acme"));
        let mut expiry = HashMap::new();
        for (fqdn, Loaded { key, not_after }) in store.load_all() {
            resolver.set_name(&fqdn, key);
            expiry.insert(fqdn, not_after);
        }
        tracing::info!(%directory, certificates = expiry.len(), "acme certificates loaded");
        Ok(Acme {
            directory,
            ca_root: config.acme_ca_root.clone(),
            contact: config.acme_contact.clone(),
            domain: config.domain.trim_end_matches('.').to_ascii_lowercase(),
            renew_before: config.acme_renew_before,
            renew_interval: config.acme_renew_interval,
            limits: Mutex::new(OrderLimits::new(
                config.acme_max_orders_per_hour,
                config.acme_failure_backoff,
            )),
            resolver,
            registry,
            authority,
            store,
            account: tokio::sync::Mutex::new(None),
            in_flight: Mutex::new(HashMap::new()),
            expiry: Mutex::new(expiry),
            reservations: Mutex::new(HashMap::new()),
        })
    }

    fn metrics(&self) -> &Metrics {
        self.registry.metrics()
    }

    /// Whether `name` may have a certificate: an open HTTP tunnel has it, or someone
    /// reserved it. Anything else (and a reservation nobody can check) may not, so nobody
    /// can make the host order certificates for names of their choosing. Reservation
    /// answers are reused for [`RESERVATION_TTL`].
    pub async fn allowed(&self, name: &str) -> bool {
        if matches!(self.registry.lookup_http(name), Lookup::Live(_)) {
            return true;
        }
        let now = Instant::now();
        if let Some((reserved, at)) = lock(&self.reservations).get(name)
            && now.saturating_duration_since(*at) < RESERVATION_TTL
        {
            return *reserved;
        }
        let reserved = match self.authority.is_reserved(name).await {
            Ok(reserved) => reserved,
            Err(error) => {
                tracing::warn!(%name, %error, "reservation check failed; no certificate");
                false
            }
        };
        let mut answers = lock(&self.reservations);
        if answers.len() >= RESERVATION_CAP {
            answers.retain(|_, (_, at)| now.saturating_duration_since(*at) < RESERVATION_TTL);
            if answers.len() >= RESERVATION_CAP {
                answers.clear();
            }
        }
        answers.insert(name.to_owned(), (reserved, now));
        reserved
    }

    /// Makes sure `name` (a tunnel name) has a certificate that is not due for renewal,
    /// ordering one if it is allowed and the limits let it. Returns whether a certificate
    /// is held afterwards (an old one still counts while it is valid).
    pub async fn ensure(&self, name: &str) -> bool {
        let fqdn = format!("{name}.{}", self.domain);
        if self.fresh(&fqdn) {
            return true;
        }
        if !self.allowed(name).await {
            Metrics::inc(&self.metrics().acme_names_refused);
            tracing::info!(%name, "no certificate: the name is neither open nor reserved");
            return self.resolver.name(&fqdn).is_some();
        }
        let lock = Arc::clone(
            lock(&self.in_flight)
                .entry(fqdn.clone())
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(()))),
        );
        let _one_at_a_time = lock.lock().await;
        if self.fresh(&fqdn) {
            return true;
        }
        match self.order(&fqdn).await {
            Ok(()) | Err(Error::RateLimited { .. }) => {}
            Err(error) => tracing::warn!(%fqdn, %error, "certificate order failed"),
        }
        self.resolver.name(&fqdn).is_some()
    }

    /// Whether `fqdn` has a certificate not yet due for renewal.
    fn fresh(&self, fqdn: &str) -> bool {
        lock(&self.expiry)
            .get(fqdn)
            .is_some_and(|at| !due(*at, SystemTime::now(), self.renew_before))
            && self.resolver.name(fqdn).is_some()
    }

    async fn order(&self, fqdn: &str) -> Result<()> {
        let placed = lock(&self.limits).try_place(fqdn, Instant::now());
        if let Err(held) = placed {
            Metrics::inc(&self.metrics().acme_rate_limited);
            let retry_after = match held {
                Held::Backoff(d) | Held::HourlyCap(d) => d,
            };
            tracing::debug!(%fqdn, ?held, "certificate order held back by the rate limits");
            return Err(Error::RateLimited { retry_after });
        }
        Metrics::inc(&self.metrics().acme_orders);
        tracing::info!(%fqdn, "ordering a certificate");
        match self.issue(fqdn).await {
            Ok((chain, key)) => {
                let loaded = super::parse_pem(chain.as_bytes(), key.as_bytes())?;
                self.store.save(fqdn, &chain, &key)?;
                self.resolver.set_name(fqdn, loaded.key);
                lock(&self.expiry).insert(fqdn.to_owned(), loaded.not_after);
                lock(&self.limits).succeeded(fqdn);
                Metrics::inc(&self.metrics().acme_certificates);
                tracing::info!(%fqdn, "certificate obtained");
                Ok(())
            }
            Err(error) => {
                lock(&self.limits).failed(fqdn, Instant::now());
                Metrics::inc(&self.metrics().acme_order_failures);
                Err(error)
            }
        }
    }

    /// The account, loaded from the store or created (and saved) on first use.
    async fn account(&self) -> Result<Account> {
        let mut held = self.account.lock().await;
        if let Some(account) = held.as_ref() {
            return Ok(account.clone());
        }
        let builder = || {
            match &self.ca_root {
                Some(root) => Account::builder_with_root(root),
                None => Account::builder(),
            }
            .map_err(acme_error)
        };
        let account = match self.store.load_account() {
            Some(record) if record.directory == self.directory => builder()?
                .from_credentials(record.credentials)
                .await
                .map_err(acme_error)?,
            _ => {
                let contact: Vec<&str> = self.contact.iter().map(String::as_str).collect();
                let (account, credentials) = builder()?
                    .create(
                        &NewAccount {
                            contact: &contact,
                            terms_of_service_agreed: true,
                            only_return_existing: false,
                        },
                        self.directory.clone(),
                        None,
                    )
                    .await
                    .map_err(acme_error)?;
                self.store.save_account(&AccountRecord {
                    directory: self.directory.clone(),
                    credentials,
                })?;
                tracing::info!(directory = %self.directory, "acme account created");
                account
            }
        };
        *held = Some(account.clone());
        Ok(account)
    }

    /// One order for `fqdn` through TLS-ALPN-01: (certificate chain PEM, key PEM).
    async fn issue(&self, fqdn: &str) -> Result<(String, String)> {
        let account = self.account().await?;
        let identifiers = [Identifier::Dns(fqdn.to_owned())];
        let mut order = account
            .new_order(&NewOrder::new(&identifiers))
            .await
            .map_err(acme_error)?;
        let _challenge = Challenge {
            resolver: &self.resolver,
            fqdn,
        };
        {
            let mut authorizations = order.authorizations();
            while let Some(authorization) = authorizations.next().await {
                let mut authorization = authorization.map_err(acme_error)?;
                match authorization.status {
                    AuthorizationStatus::Valid => continue,
                    AuthorizationStatus::Pending => {}
                    other => {
                        return Err(Error::Upstream(format!("acme authorization is {other:?}")));
                    }
                }
                let mut challenge = authorization
                    .challenge(ChallengeType::TlsAlpn01)
                    .ok_or_else(|| Error::Upstream("acme offers no tls-alpn-01".into()))?;
                let digest = challenge.key_authorization().digest();
                let key = challenge_certificate(fqdn, digest.as_ref())?;
                self.resolver.set_challenge(fqdn, Arc::new(key));
                challenge.set_ready().await.map_err(acme_error)?;
            }
        }
        let retries = RetryPolicy::new().timeout(POLL_TIMEOUT);
        let status = order.poll_ready(&retries).await.map_err(acme_error)?;
        if status != OrderStatus::Ready {
            return Err(Error::Upstream(format!("acme order is {status:?}")));
        }
        let key = order.finalize().await.map_err(acme_error)?;
        let chain = order.poll_certificate(&retries).await.map_err(acme_error)?;
        Ok((chain, key))
    }

    /// Orders for HTTP tunnels as they open (so the first visitor rarely waits) and renews
    /// what is due every renew interval, until `stop`.
    pub async fn run(self: Arc<Self>, stop: CancellationToken) {
        let mut events = self.registry.subscribe();
        let mut tick = tokio::time::interval(self.renew_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let tasks = tokio_util::task::TaskTracker::new();
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                event = events.recv() => match event {
                    Ok(TunnelEvent::Opened { tunnel }) if tunnel.kind == TunnelKind::Http => {
                        let me = Arc::clone(&self);
                        tasks.spawn(async move { me.ensure(&tunnel.name).await });
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                },
                _ = tick.tick() => {
                    let me = Arc::clone(&self);
                    tasks.spawn(async move { me.renew_due().await });
                }
            }
        }
        tasks.close();
        // Orders in flight are abandoned at shutdown; the next start tries again.
    }

    /// Renews every certificate due whose name may still have one.
    async fn renew_due(&self) {
        let now = SystemTime::now();
        let due_names: Vec<String> = lock(&self.expiry)
            .iter()
            .filter(|(_, at)| due(**at, now, self.renew_before))
            .filter_map(|(fqdn, _)| self.resolver.tunnel_name(fqdn))
            .collect();
        for name in due_names {
            tracing::info!(%name, "renewing a certificate");
            self.ensure(&name).await;
        }
    }
}

/// Clears the challenge certificate of `fqdn` however the order ends.
struct Challenge<'a> {
    resolver: &'a CertResolver,
    fqdn: &'a str,
}

impl Drop for Challenge<'_> {
    fn drop(&mut self) {
        self.resolver.clear_challenge(self.fqdn);
    }
}

/// The RFC 8737 validation certificate: `fqdn` and the critical acmeIdentifier extension
/// holding the key authorization's SHA-256 digest.
fn challenge_certificate(fqdn: &str, digest: &[u8]) -> Result<CertifiedKey> {
    let mut params = rcgen::CertificateParams::new(vec![fqdn.to_owned()])
        .map_err(|e| Error::Internal(format!("challenge certificate: {e}")))?;
    params.custom_extensions = vec![rcgen::CustomExtension::new_acme_identifier(digest)];
    Ok(super::signed(params)?.0)
}

fn acme_error(error: instant_acme::Error) -> Error {
    Error::Upstream(format!("acme: {error}"))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section is a single map or counter update.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use async_trait::async_trait;
    use clap::Parser;

    use super::*;
    use crate::event::CloseReason;
    use crate::registry::Takeover;
    use crate::stream::TunnelStream;
    use crate::tunnel::{SessionId, TunnelInfo, TunnelLink, TunnelSpec};

    const DAY: Duration = Duration::from_secs(86400);

    #[test]
    fn renewal_is_due_inside_the_window_and_after_expiry() {
        let now = SystemTime::now();
        assert!(!due(now + 60 * DAY, now, 30 * DAY));
        assert!(due(now + 29 * DAY, now, 30 * DAY));
        assert!(due(now - DAY, now, 30 * DAY));
    }

    struct Link;

    #[async_trait]
    impl TunnelLink for Link {
        async fn open(&self, _: SocketAddr) -> Result<TunnelStream> {
            Err(Error::Upstream("test".into()))
        }
        fn closed(&self, _: &TunnelInfo, _: &CloseReason) {}
    }

    struct Reserved(&'static str, std::sync::atomic::AtomicUsize);

    #[async_trait]
    impl KeyAuthority for Reserved {
        async fn decide(
            &self,
            _: &russh::keys::PublicKey,
        ) -> Result<crate::authority::KeyDecision> {
            Ok(crate::authority::KeyDecision::Unknown)
        }
        async fn is_reserved(&self, name: &str) -> Result<bool> {
            self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if name == "broken" {
                return Err(Error::EdgeUnavailable("down".into()));
            }
            Ok(name == self.0)
        }
    }

    fn acme(dir: &std::path::Path) -> (Acme, Registry) {
        let (acme, registry, _) = acme_asking(dir);
        (acme, registry)
    }

    /// An ACME client whose authority reserves `kept`, and that authority (counting calls).
    fn acme_asking(dir: &std::path::Path) -> (Acme, Registry, Arc<Reserved>) {
        let config = Config::try_parse_from([
            "tunnel-host",
            "--domain",
            "t.test",
            "--data-dir",
            dir.to_str().unwrap(),
            // nothing listens here: an order that is placed fails at once
            "--acme-directory",
            "http://127.0.0.1:9/directory",
            "--acme-failure-backoff",
            "1h",
        ])
        .unwrap();
        let registry = Registry::new(Arc::new(Metrics::default()), 10);
        let resolver = Arc::new(CertResolver::new("t.test"));
        let authority = Arc::new(Reserved("kept", Default::default()));
        let acme = Acme::new(&config, resolver, registry.clone(), authority.clone()).unwrap();
        (acme, registry, authority)
    }

    fn open(registry: &Registry, name: &str) {
        registry
            .register(
                TunnelSpec {
                    name: name.into(),
                    kind: TunnelKind::Http,
                    user: "alice".into(),
                    session: SessionId(1),
                    client_addr: "127.0.0.1:1".parse().unwrap(),
                    public_url: String::new(),
                    https_only: false,
                },
                Arc::new(Link),
                Takeover::SameUser,
            )
            .unwrap();
    }

    #[tokio::test]
    async fn only_open_or_reserved_names_may_have_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let (acme, registry) = acme(dir.path());
        open(&registry, "app");
        assert!(acme.allowed("app").await);
        assert!(acme.allowed("kept").await);
        assert!(!acme.allowed("random").await);
        assert!(!acme.allowed("broken").await, "fails closed");
    }

    #[tokio::test]
    async fn reservation_answers_are_reused_so_handshakes_do_not_each_ask_the_edge() {
        let dir = tempfile::tempdir().unwrap();
        let (acme, _, authority) = acme_asking(dir.path());
        for _ in 0..5 {
            assert!(!acme.allowed("random").await);
            assert!(acme.allowed("kept").await);
        }
        assert_eq!(authority.1.load(std::sync::atomic::Ordering::Relaxed), 2);
    }

    #[tokio::test]
    async fn a_name_neither_open_nor_reserved_places_no_order_and_failures_back_off() {
        let dir = tempfile::tempdir().unwrap();
        let (acme, registry) = acme(dir.path());
        assert!(!acme.ensure("random").await);
        let m = registry.metrics();
        let read = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(read(&m.acme_orders), 0);
        assert_eq!(read(&m.acme_names_refused), 1);
        // an allowed name orders; the server is unreachable, so it fails, then backs off
        assert!(!acme.ensure("kept").await);
        assert_eq!((read(&m.acme_orders), read(&m.acme_order_failures)), (1, 1));
        assert!(!acme.ensure("kept").await);
        assert_eq!(read(&m.acme_orders), 1, "held back, not ordered again");
        assert_eq!(read(&m.acme_rate_limited), 1);
    }

    #[tokio::test]
    async fn stored_certificates_are_served_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let (_, chain, key) = super::super::self_signed(&["app.t.test".into()]).unwrap();
        Store::new(dir.path().join("acme"))
            .save("app.t.test", &chain, &key)
            .unwrap();
        let (acme, registry) = acme(dir.path());
        assert!(acme.resolver.name("app.t.test").is_some());
        // fresh (rcgen's default validity runs to 4096), so no order even though it is open
        open(&registry, "app");
        assert!(acme.ensure("app").await);
        assert_eq!(
            registry
                .metrics()
                .acme_orders
                .load(std::sync::atomic::Ordering::Relaxed),
            0
        );
    }
}
