//! The russh `Handler`: a thin layer turning SSH callbacks into registry and session calls.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use russh::keys::ssh_key::public::KeyData;
use russh::keys::{HashAlg, PublicKey};
use russh::server::{Auth, ChannelOpenHandle, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, MethodKind, MethodSet};

use crate::authority::{DeviceStart, DeviceStatus, KeyDecision, NameDecision};
use crate::error::{Error, Result};
use crate::event::CloseReason;
use crate::host::Ctx;
use crate::metrics::Metrics;
use crate::name;
use crate::registry::Takeover;
use crate::tcp;
use crate::tunnel::{Tunnel, TunnelKind, TunnelSpec};

use super::session::{SessionShared, SshLink};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Attempts at finding a free random name before giving up.
const RANDOM_NAME_ATTEMPTS: usize = 8;
/// Longest a device sign-in may wait for the user's approval.
pub(crate) const DEVICE_FLOW_MAX: Duration = Duration::from_secs(600);
/// Login grace added on top of a device sign-in's wait.
const DEVICE_FLOW_MARGIN: Duration = Duration::from_secs(30);

/// What the authority said about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Known(String),
    /// Its owner may not open tunnels; why.
    Refused(String),
    Unknown,
    /// The authority failed; refused without the device flow.
    Failed,
}

/// Handles one SSH connection's callbacks.
pub(crate) struct SshHandler {
    ctx: Arc<Ctx>,
    peer: SocketAddr,
    shared: Arc<SessionShared>,
    /// The user the last accepted key belongs to.
    user: Option<String>,
    /// Fingerprints of refused keys, shown to the user by keyboard-interactive.
    unknown_keys: Vec<String>,
    /// Why proven keys of members who may not open tunnels were refused, shown the same way.
    refusals: Vec<String>,
    /// The last key decided on, so an offer and its signature ask the authority once.
    last: Option<(KeyData, Verdict)>,
    /// An unknown key whose possession the client proved: the device flow signs it in.
    device_key: Option<PublicKey>,
    /// The device authorization shown to the user, waiting for approval.
    device: Option<DeviceStart>,
    /// This connection's place among the host's device sign-ins.
    device_permit: Option<super::device_flows::Permit>,
    /// When the connection task drops an unauthenticated connection; moved for the flow.
    login_deadline: watch::Sender<Instant>,
    /// Cancelled when the connection task gives up on this connection.
    gone: CancellationToken,
    /// The name the banner promised the first random-name HTTP tunnel of this connection.
    random_name: Option<String>,
}

impl SshHandler {
    pub(crate) fn new(
        ctx: Arc<Ctx>,
        peer: SocketAddr,
        shared: Arc<SessionShared>,
        login_deadline: watch::Sender<Instant>,
        gone: CancellationToken,
    ) -> Self {
        SshHandler {
            ctx,
            peer,
            shared,
            user: None,
            unknown_keys: Vec::new(),
            refusals: Vec::new(),
            last: None,
            device_key: None,
            device: None,
            device_permit: None,
            login_deadline,
            gone,
            random_name: None,
        }
    }

    async fn decide(&mut self, key: &PublicKey) -> Verdict {
        if let Some((data, verdict)) = &self.last
            && data == key.key_data()
        {
            return verdict.clone();
        }
        let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
        let verdict = match self.ctx.authority.decide(key).await {
            Ok(KeyDecision::Known { user }) => Verdict::Known(user),
            Ok(KeyDecision::Refused { user, reason }) => {
                Metrics::inc(&self.ctx.metrics().auth_failures);
                tracing::info!(peer = %self.peer, %fingerprint, %user, "ssh key refused: its owner may not open tunnels");
                Verdict::Refused(reason)
            }
            Ok(KeyDecision::Unknown) => {
                Metrics::inc(&self.ctx.metrics().auth_failures);
                tracing::info!(peer = %self.peer, %fingerprint, "unknown ssh key");
                if !self.unknown_keys.contains(&fingerprint) {
                    self.unknown_keys.push(fingerprint);
                }
                Verdict::Unknown
            }
            Err(error) => {
                Metrics::inc(&self.ctx.metrics().auth_failures);
                tracing::error!(peer = %self.peer, %error, "key authority failed");
                return Verdict::Failed;
            }
        };
        self.last = Some((key.key_data().clone(), verdict.clone()));
        verdict
    }

    /// Whether an unknown key should be asked to prove itself for the device flow: the
    /// authority runs one and no key is waiting for it yet.
    fn wants_device_key(&self) -> bool {
        self.device_key.is_none() && self.ctx.authority.supports_device_flow()
    }

    /// Starts the device flow for the proven key; the instructions to show.
    async fn start_device_flow(&mut self, key: &PublicKey) -> String {
        let Some(permit) = self.ctx.device_flows.enter(self.peer.ip()) else {
            tracing::warn!(peer = %self.peer, "too many device sign-ins waiting; refused");
            return format!(
                "tunnel-host: your SSH key is not registered here ({}), and too many sign-ins \
                 are waiting for approval right now; try again in a few minutes.",
                self.unknown_keys.join(", ")
            );
        };
        self.device_permit = Some(permit);
        match self.ctx.authority.start_device(key).await {
            Ok(start) => {
                let wait = start.expires_in.min(DEVICE_FLOW_MAX);
                // The user needs time to open a browser: keep the connection that long.
                self.login_deadline
                    .send_replace(Instant::now() + wait + DEVICE_FLOW_MARGIN);
                tracing::info!(peer = %self.peer, "device sign-in started");
                let text = device_box(&start.verification_url, &start.user_code);
                self.device = Some(start);
                text
            }
            Err(error) => {
                self.device_permit = None;
                tracing::warn!(peer = %self.peer, %error, "device sign-in could not start");
                format!(
                    "tunnel-host: your SSH key is not registered here ({}), and signing it in \
                     through the panel is not possible right now; try again in a minute.",
                    self.unknown_keys.join(", ")
                )
            }
        }
    }

    /// Polls the edge until the user approves (the user), the codes expire, or time runs out.
    async fn wait_for_approval(&self, device: &DeviceStart) -> Option<String> {
        let until = Instant::now() + device.expires_in.min(DEVICE_FLOW_MAX);
        let mut warned = false;
        loop {
            if Instant::now() + device.interval > until {
                tracing::info!(peer = %self.peer, "device sign-in timed out");
                return None;
            }
            tokio::select! {
                () = self.gone.cancelled() => return None,
                () = tokio::time::sleep(device.interval) => {}
            }
            match self.ctx.authority.poll_device(&device.device_code).await {
                Ok(DeviceStatus::Approved { user }) => return Some(user),
                Ok(DeviceStatus::Pending) => {}
                Ok(DeviceStatus::Expired) => {
                    tracing::info!(peer = %self.peer, "device sign-in expired");
                    return None;
                }
                Err(error) => {
                    if !warned {
                        tracing::warn!(peer = %self.peer, %error, "device sign-in poll failed; retrying");
                        warned = true;
                    }
                }
            }
        }
    }

    /// Rejects, offering keyboard-interactive only to explain refused keys.
    fn reject(&self) -> Auth {
        let methods: &[MethodKind] = if self.unknown_keys.is_empty() && self.refusals.is_empty() {
            &[MethodKind::PublicKey]
        } else {
            &[MethodKind::PublicKey, MethodKind::KeyboardInteractive]
        };
        Auth::Reject {
            proceed_with_methods: Some(MethodSet::from(methods)),
            partial_success: false,
        }
    }

    /// Registers the forward the client asked for; returns the tunnel and the port to report.
    async fn open_forward(
        &mut self,
        user: &str,
        address: &str,
        port: u32,
    ) -> Result<(Arc<Tunnel>, u32)> {
        match port {
            80 | 443 => {
                let promised = if name::is_wildcard(address) {
                    self.random_name.take()
                } else {
                    None
                };
                self.open_http(user, address, port, promised)
                    .await
                    .map(|t| (t, port))
            }
            _ if name::is_wildcard(address) => self.open_tcp(user, address, port).await,
            _ => Err(Error::Invalid {
                field: "port",
                reason: format!(
                    "http tunnels use port 80, e.g. ssh -R {address}:80:localhost:3000; \
                     tcp tunnels use no name, e.g. ssh -R 0:localhost:5432"
                ),
            }),
        }
    }

    /// An HTTP tunnel named `address`, or for a wildcard the `promised` name (the banner's)
    /// when still free, else a random one.
    async fn open_http(
        &self,
        user: &str,
        address: &str,
        port: u32,
        mut promised: Option<String>,
    ) -> Result<Arc<Tunnel>> {
        let link = Arc::new(SshLink {
            session: Arc::clone(&self.shared),
            address: address.to_owned(),
            port,
            home: tokio::runtime::Handle::current(),
        });
        let spec = |name: String| TunnelSpec {
            public_url: self.ctx.http_url(&name),
            name,
            kind: TunnelKind::Http,
            user: user.to_owned(),
            session: self.shared.id,
            client_addr: self.peer,
            https_only: port == 443 && self.ctx.tls.is_some(),
        };
        if !name::is_wildcard(address) {
            let name = name::validate(address, &self.ctx.config.domain)?;
            match self.ctx.authority.may_bind(user, &name).await {
                Ok(NameDecision::Allowed) => {}
                Ok(NameDecision::Reserved { by }) => {
                    return Err(Error::Forbidden(format!("name reserved by {by}")));
                }
                Err(error) => {
                    // Fail closed: a reserved name must not be anyone's while the edge is away.
                    tracing::warn!(%error, %name, "name check failed; refusing the name");
                    return Err(Error::Forbidden(format!(
                        "the name {name} cannot be checked against the names reserved in the \
                         panel right now; try again in a minute, or ask for a random name \
                         (ssh -R 80:localhost:3000)"
                    )));
                }
            }
            return self
                .ctx
                .registry
                .register(spec(name), link, Takeover::SameUser);
        }
        if let Some(names) = self.ctx.authority.restricted_to(user).await {
            return Err(limited(&names));
        }
        let mut last = Error::Internal("no random name found".into());
        for _ in 0..RANDOM_NAME_ATTEMPTS {
            let name = promised
                .take()
                .unwrap_or_else(|| self.ctx.registry.unused_random_name());
            match self
                .ctx
                .registry
                .register(spec(name), link.clone(), Takeover::Never)
            {
                Err(Error::Conflict(reason)) => last = Error::Conflict(reason),
                other => return other,
            }
        }
        Err(last)
    }

    async fn open_tcp(&self, user: &str, address: &str, port: u32) -> Result<(Arc<Tunnel>, u32)> {
        let requested = match port {
            0 => None,
            p => Some(u16::try_from(p).map_err(|_| Error::Invalid {
                field: "port",
                reason: format!("{p} is not a tcp port"),
            })?),
        };
        let (listener, bound) = match requested {
            Some(port) => {
                // A port may be reserved (a Wings node's SFTP): checked like a name, before binding.
                self.may_take_port(user, port).await?;
                tcp::bind(self.ctx.tcp_ip, self.ctx.config.tcp_port_range, requested).await?
            }
            None => {
                if let Some(names) = self.ctx.authority.restricted_to(user).await {
                    return Err(limited(&names));
                }
                let mut last = Error::Internal("no free port found".into());
                let mut found = None;
                for _ in 0..RANDOM_NAME_ATTEMPTS {
                    let (listener, port) =
                        tcp::bind(self.ctx.tcp_ip, self.ctx.config.tcp_port_range, None).await?;
                    match self.may_take_port(user, port).await {
                        Ok(()) => {
                            found = Some((listener, port));
                            break;
                        }
                        Err(error) => last = error,
                    }
                }
                found.ok_or(last)?
            }
        };
        let link = Arc::new(SshLink {
            session: Arc::clone(&self.shared),
            address: address.to_owned(),
            port: u32::from(bound),
            home: tokio::runtime::Handle::current(),
        });
        let spec = TunnelSpec {
            name: format!("tcp-{bound}"),
            kind: TunnelKind::Tcp,
            user: user.to_owned(),
            session: self.shared.id,
            client_addr: self.peer,
            public_url: self.ctx.tcp_url(bound),
            https_only: false,
        };
        let tunnel = self.ctx.registry.register(spec, link, Takeover::Never)?;
        tcp::spawn_accept_loop(listener, Arc::clone(&tunnel), &self.ctx);
        Ok((tunnel, u32::from(bound)))
    }

    /// Whether `user` may take TCP port `port` (`tcp-<port>` as a name); fails closed.
    async fn may_take_port(&self, user: &str, port: u16) -> Result<()> {
        let name = format!("tcp-{port}");
        match self.ctx.authority.may_bind(user, &name).await {
            Ok(NameDecision::Allowed) => Ok(()),
            Ok(NameDecision::Reserved { by }) => {
                Err(Error::Forbidden(format!("port {port} is reserved by {by}")))
            }
            Err(error) => {
                tracing::warn!(%error, port, "port check failed; refusing the port");
                Err(Error::Forbidden(format!(
                    "port {port} cannot be checked against the ports reserved in the panel \
                     right now; try again in a minute"
                )))
            }
        }
    }

    /// Prints a line into the shell channel, or keeps it until one opens.
    fn say(&self, session: &mut Session, message: String) {
        if let Some(channel) = self.shared.note(message.clone()) {
            let _ = session.data(channel, message.into_bytes());
        }
    }
}

/// The refusal of a random name or port to a key limited to `names`.
fn limited(names: &[String]) -> Error {
    Error::Forbidden(format!(
        "this key opens only the names reserved for it ({})",
        names.join(", ")
    ))
}

/// The device-flow instructions: a box with the URL and the code, each on its own line
/// (`Open   <url>`, `Enter  <code>`), then a line saying the session waits.
pub(crate) fn device_box(url: &str, code: &str) -> String {
    let lines = [
        "This SSH key is new here.".to_owned(),
        format!("Open   {url}"),
        format!("Enter  {code}"),
    ];
    let width = lines
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(44);
    let rule = "─".repeat(width + 2);
    let mut text = format!("┌{rule}┐\n");
    for line in &lines {
        let pad = width - line.chars().count();
        text.push_str(&format!("│ {line}{} │\n", " ".repeat(pad)));
    }
    text.push_str(&format!("└{rule}┘\n"));
    text.push_str("Waiting for approval (up to 10 minutes)...");
    text
}

/// Text shown by keyboard-interactive when a proven key's owner may not open tunnels.
fn refusal_message(reasons: &[String]) -> String {
    format!(
        "tunnel-host: this SSH key may not open tunnels here: {}.",
        reasons.join("; ")
    )
}

/// Text shown by keyboard-interactive when every offered key was refused.
fn unknown_key_message(fingerprints: &[String]) -> String {
    format!(
        "tunnel-host: your SSH key is not registered here ({}). \
         Ask the administrator to add it to the authorized keys.",
        fingerprints.join(", ")
    )
}

impl russh::server::Handler for SshHandler {
    type Error = russh::Error;

    async fn authentication_banner(&mut self) -> Result<Option<String>, Self::Error> {
        let name = self.ctx.registry.unused_random_name();
        let text = super::banner::banner(&self.ctx, &name);
        self.random_name = Some(name);
        Ok(Some(text))
    }

    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(match self.decide(offer.public_key).await {
            // A refusal says something about the key's owner: only to whoever holds the key.
            Verdict::Known(_) | Verdict::Refused(_) => Auth::Accept,
            // Proof of possession first: let the client sign before any device flow.
            Verdict::Unknown if self.wants_device_key() => Auth::Accept,
            Verdict::Unknown | Verdict::Failed => self.reject(),
        })
    }

    async fn auth_publickey(
        &mut self,
        _user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        match self.decide(key.public_key).await {
            Verdict::Known(user) => {
                self.user = Some(user);
                Ok(Auth::Accept)
            }
            Verdict::Refused(reason) => {
                if !self.refusals.contains(&reason) {
                    self.refusals.push(reason);
                }
                Ok(self.reject())
            }
            Verdict::Unknown if self.wants_device_key() => {
                // Proven but unknown: kept for keyboard-interactive, after the client has
                // tried its other keys (one of them may be known).
                self.device_key = Some(key.public_key.clone());
                Ok(self.reject())
            }
            Verdict::Unknown | Verdict::Failed => Ok(self.reject()),
        }
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        _user: &str,
        _submethods: &str,
        response: Option<russh::server::Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        let refuse = Auth::Reject {
            proceed_with_methods: Some(MethodSet::from(&[MethodKind::PublicKey][..])),
            partial_success: false,
        };
        if response.is_some() {
            // The answer to the device-flow box (zero responses): wait for the approval.
            let Some(device) = self.device.take() else {
                return Ok(refuse);
            };
            let approved = self.wait_for_approval(&device).await;
            self.device_permit = None;
            return Ok(match approved {
                Some(user) => {
                    tracing::info!(peer = %self.peer, %user, "device sign-in approved");
                    self.user = Some(user);
                    Auth::Accept
                }
                None => refuse,
            });
        }
        if self.unknown_keys.is_empty() && self.refusals.is_empty() {
            return Ok(refuse);
        }
        let instructions = match self.device_key.clone() {
            // A member's key was refused: say why, and start no sign-in for another key.
            _ if !self.refusals.is_empty() => refusal_message(&self.refusals),
            Some(key) if self.device.is_none() => self.start_device_flow(&key).await,
            // Only ever one device flow per connection; otherwise only explain.
            _ => unknown_key_message(&self.unknown_keys),
        };
        Ok(Auth::Partial {
            name: Cow::Borrowed(""),
            instructions: Cow::Owned(instructions),
            prompts: Cow::Borrowed(&[]),
        })
    }

    async fn auth_succeeded(&mut self, session: &mut Session) -> Result<(), Self::Error> {
        let Some(user) = self.user.clone() else {
            // Unreachable: every accepting path sets the user first.
            session.disconnect(russh::Disconnect::ByApplication, "no user", "")?;
            return Ok(());
        };
        tracing::info!(peer = %self.peer, session = %self.shared.id, %user, "ssh session authenticated");
        Metrics::inc(&self.ctx.metrics().ssh_sessions);
        self.shared.authenticated(user, session.handle());
        Ok(())
    }

    async fn tcpip_forward(
        &mut self,
        address: &str,
        port: &mut u32,
        session: &mut Session,
    ) -> Result<bool, Self::Error> {
        let Some(user) = self.user.clone() else {
            return Ok(false);
        };
        match self.open_forward(&user, address, *port).await {
            Ok((tunnel, reported_port)) => {
                self.shared
                    .add_forward(address.to_owned(), reported_port, tunnel.id());
                if *port == 0 {
                    *port = reported_port;
                }
                self.say(
                    session,
                    format!("tunnel ready: {}\r\n", tunnel.spec().public_url),
                );
                Ok(true)
            }
            Err(error) => {
                tracing::info!(peer = %self.peer, %user, address, port = *port, %error, "tunnel refused");
                self.say(
                    session,
                    format!("tunnel refused ({address}:{port}): {error}\r\n"),
                );
                Ok(false)
            }
        }
    }

    async fn cancel_tcpip_forward(
        &mut self,
        address: &str,
        port: u32,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        let Some(id) = self.shared.take_forward(address, port) else {
            return Ok(false);
        };
        self.ctx.registry.close(id, CloseReason::Cancelled);
        Ok(true)
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // The channel object is dropped: its input arrives through `data` below, and a
        // reader nobody polls would stall the whole session.
        drop(channel);
        reply.accept().await;
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.start_shell(channel, session)
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.start_shell(channel, session)
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Ctrl-C, Ctrl-D or q in the shell close the session.
        if self.shared.shell() == Some(channel)
            && data.iter().any(|b| matches!(b, 0x03 | 0x04 | b'q'))
        {
            session.data(channel, b"closing tunnels, bye\r\n".to_vec())?;
            session.exit_status_request(channel, 0)?;
            session.eof(channel)?;
            session.close(channel)?;
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.shared.close_shell(channel);
        Ok(())
    }
}

impl SshHandler {
    fn start_shell(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), russh::Error> {
        session.channel_success(channel)?;
        let notes = self.shared.open_shell(channel);
        let mut text = String::from("flamingo tunnel host\r\n");
        for note in notes {
            text.push_str(&note);
        }
        let open = self
            .ctx
            .registry
            .list()
            .into_iter()
            .filter(|t| t.session == self.shared.id)
            .count();
        if open == 0 {
            text.push_str(&format!(
                "no tunnel is open. usage: ssh -R myapp:80:localhost:3000 -p {} {}\r\n",
                self.ctx.ssh_port, self.ctx.ssh_host
            ));
            session.data(channel, text.into_bytes())?;
            session.exit_status_request(channel, 1)?;
            session.eof(channel)?;
            return session.close(channel);
        }
        text.push_str("press ctrl-c to close the tunnels\r\n");
        session.data(channel, text.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_device_box_lines_up_and_keeps_the_code_on_its_own_line() {
        let text = device_box("http://127.0.0.1:8787/activate", "BCDF-GHJK");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        let widths: Vec<usize> = lines[..5].iter().map(|l| l.chars().count()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{text}");
        assert!(lines[0].starts_with('┌') && lines[4].starts_with('└'));
        assert!(lines[2].contains("Open   http://127.0.0.1:8787/activate"));
        assert!(lines[3].contains("Enter  BCDF-GHJK"));
        let long = device_box(
            &format!("https://{}.example.com/activate", "x".repeat(60)),
            "BCDF-GHJK",
        );
        let widths: Vec<usize> = long.lines().take(5).map(|l| l.chars().count()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{long}");
    }

    #[test]
    fn a_role_refusal_says_why() {
        let text = refusal_message(&["your role is viewer".into()]);
        assert_eq!(
            text,
            "tunnel-host: this SSH key may not open tunnels here: your role is viewer."
        );
    }

    #[test]
    fn the_refusal_names_the_keys() {
        let text = unknown_key_message(&["SHA256:abc".into()]);
        assert!(text.contains("not registered") && text.contains("SHA256:abc"));
    }
}
