//! The russh `Handler`: a thin layer turning SSH callbacks into registry and session calls.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;

use russh::keys::{HashAlg, PublicKey};
use russh::server::{Auth, ChannelOpenHandle, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, MethodKind, MethodSet};

use crate::authority::KeyDecision;
use crate::error::{Error, Result};
use crate::event::CloseReason;
use crate::host::Ctx;
use crate::metrics::Metrics;
use crate::name;
use crate::registry::Takeover;
use crate::tcp;
use crate::tunnel::{Tunnel, TunnelKind, TunnelSpec};

use super::session::{SessionShared, SshLink};

/// Attempts at finding a free random name before giving up.
const RANDOM_NAME_ATTEMPTS: usize = 8;

/// Handles one SSH connection's callbacks.
pub(crate) struct SshHandler {
    ctx: Arc<Ctx>,
    peer: SocketAddr,
    shared: Arc<SessionShared>,
    /// The user the last accepted key belongs to.
    user: Option<String>,
    /// Fingerprints of refused keys, shown to the user by keyboard-interactive.
    unknown_keys: Vec<String>,
}

impl SshHandler {
    pub(crate) fn new(ctx: Arc<Ctx>, peer: SocketAddr, shared: Arc<SessionShared>) -> Self {
        SshHandler {
            ctx,
            peer,
            shared,
            user: None,
            unknown_keys: Vec::new(),
        }
    }

    async fn decide(&mut self, key: &PublicKey) -> Option<String> {
        let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
        match self.ctx.authority.decide(key).await {
            Ok(KeyDecision::Known { user }) => Some(user),
            Ok(KeyDecision::Unknown) => {
                Metrics::inc(&self.ctx.metrics().auth_failures);
                tracing::info!(peer = %self.peer, %fingerprint, "unknown ssh key refused");
                if !self.unknown_keys.contains(&fingerprint) {
                    self.unknown_keys.push(fingerprint);
                }
                None
            }
            Err(error) => {
                Metrics::inc(&self.ctx.metrics().auth_failures);
                tracing::error!(peer = %self.peer, %error, "key authority failed");
                None
            }
        }
    }

    /// Rejects, offering keyboard-interactive only to explain refused keys.
    fn reject(&self) -> Auth {
        let methods: &[MethodKind] = if self.unknown_keys.is_empty() {
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
        &self,
        user: &str,
        address: &str,
        port: u32,
    ) -> Result<(Arc<Tunnel>, u32)> {
        match port {
            80 | 443 => self.open_http(user, address, port).map(|t| (t, port)),
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

    fn open_http(&self, user: &str, address: &str, port: u32) -> Result<Arc<Tunnel>> {
        let link = Arc::new(SshLink {
            session: Arc::clone(&self.shared),
            address: address.to_owned(),
            port,
        });
        let spec = |name: String| TunnelSpec {
            public_url: self.ctx.http_url(&name),
            name,
            kind: TunnelKind::Http,
            user: user.to_owned(),
            session: self.shared.id,
            client_addr: self.peer,
        };
        if !name::is_wildcard(address) {
            let name = name::validate(address, &self.ctx.config.domain)?;
            return self
                .ctx
                .registry
                .register(spec(name), link, Takeover::SameUser);
        }
        let mut last = Error::Internal("no random name found".into());
        for _ in 0..RANDOM_NAME_ATTEMPTS {
            let name = self.ctx.registry.unused_random_name();
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
        let (listener, bound) =
            tcp::bind(self.ctx.tcp_ip, self.ctx.config.tcp_port_range, requested).await?;
        let link = Arc::new(SshLink {
            session: Arc::clone(&self.shared),
            address: address.to_owned(),
            port: u32::from(bound),
        });
        let spec = TunnelSpec {
            name: format!("tcp-{bound}"),
            kind: TunnelKind::Tcp,
            user: user.to_owned(),
            session: self.shared.id,
            client_addr: self.peer,
            public_url: self.ctx.tcp_url(bound),
        };
        let tunnel = self.ctx.registry.register(spec, link, Takeover::Never)?;
        tcp::spawn_accept_loop(listener, Arc::clone(&tunnel), &self.ctx);
        Ok((tunnel, u32::from(bound)))
    }

    /// Prints a line into the shell channel, or keeps it until one opens.
    fn say(&self, session: &mut Session, message: String) {
        if let Some(channel) = self.shared.note(message.clone()) {
            let _ = session.data(channel, message.into_bytes());
        }
    }
}

/// Text shown by keyboard-interactive when every offered key was refused.
fn unknown_key_message(fingerprints: &[String]) -> String {
    // Device-flow hook: when the edge link exists, this is where an unknown key gets a
    // verification URL and code instead of a refusal; `auth_keyboard_interactive` would
    // then wait for the edge's approval and answer `Auth::Accept` with the user it names.
    format!(
        "tunnel-host: your SSH key is not registered here ({}). \
         Ask the administrator to add it to the authorized keys.",
        fingerprints.join(", ")
    )
}

impl russh::server::Handler for SshHandler {
    type Error = russh::Error;

    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(match self.decide(offer.public_key).await {
            Some(_) => Auth::Accept,
            None => self.reject(),
        })
    }

    async fn auth_publickey(
        &mut self,
        _user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        match self.decide(key.public_key).await {
            Some(user) => {
                self.user = Some(user);
                Ok(Auth::Accept)
            }
            None => Ok(self.reject()),
        }
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        _user: &str,
        _submethods: &str,
        response: Option<russh::server::Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        // Never authenticates: it only tells a user why their keys were refused.
        if self.unknown_keys.is_empty() || response.is_some() {
            return Ok(Auth::Reject {
                proceed_with_methods: Some(MethodSet::from(&[MethodKind::PublicKey][..])),
                partial_success: false,
            });
        }
        Ok(Auth::Partial {
            name: Cow::Borrowed(""),
            instructions: Cow::Owned(unknown_key_message(&self.unknown_keys)),
            prompts: Cow::Borrowed(&[]),
        })
    }

    async fn auth_succeeded(&mut self, session: &mut Session) -> Result<(), Self::Error> {
        let Some(user) = self.user.clone() else {
            // Unreachable: only `auth_publickey` accepts, and it sets the user.
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
                self.ctx.ssh_port, self.ctx.config.domain
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
