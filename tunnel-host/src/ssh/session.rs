//! State one SSH session shares between its handler, its tunnels' links and its task.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use russh::server::Handle;
use russh::{ChannelId, Disconnect};
use tokio::sync::watch;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::event::CloseReason;
use crate::stream::TunnelStream;
use crate::tunnel::{SessionId, TunnelInfo, TunnelLink};

/// How long the client gets to accept a forwarded-tcpip channel.
const CHANNEL_OPEN_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages kept for a shell channel that is not open yet.
const MAX_NOTES: usize = 32;

/// What the connection task watches to apply the login grace and idle timeouts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Phase {
    pub(crate) authenticated: bool,
    pub(crate) tunnels: usize,
}

/// One SSH session's shared state.
pub(crate) struct SessionShared {
    pub(crate) id: SessionId,
    handle: OnceLock<Handle>,
    state: Mutex<State>,
    phase: watch::Sender<Phase>,
}

#[derive(Default)]
struct State {
    user: Option<String>,
    /// `(address, port)` as the client asked in `tcpip-forward` → tunnel id.
    forwards: HashMap<(String, u32), Uuid>,
    /// The session channel running a shell or command, where messages are printed.
    shell: Option<ChannelId>,
    /// Messages waiting for a shell channel.
    notes: Vec<String>,
}

impl SessionShared {
    pub(crate) fn new(id: SessionId) -> Self {
        SessionShared {
            id,
            handle: OnceLock::new(),
            state: Mutex::new(State::default()),
            phase: watch::Sender::new(Phase::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<Phase> {
        self.phase.subscribe()
    }

    fn publish(&self, state: &State) {
        let phase = Phase {
            authenticated: state.user.is_some(),
            tunnels: state.forwards.len(),
        };
        self.phase.send_if_modified(|p| {
            let changed = *p != phase;
            *p = phase;
            changed
        });
    }

    /// Marks the session authenticated as `user`, reachable through `handle`.
    pub(crate) fn authenticated(&self, user: String, handle: Handle) {
        let _ = self.handle.set(handle);
        let mut state = self.state();
        state.user = Some(user);
        self.publish(&state);
    }

    pub(crate) fn user(&self) -> Option<String> {
        self.state().user.clone()
    }

    pub(crate) fn add_forward(&self, address: String, port: u32, tunnel: Uuid) {
        let mut state = self.state();
        state.forwards.insert((address, port), tunnel);
        self.publish(&state);
    }

    /// Forgets the forward the client cancelled; returns its tunnel.
    pub(crate) fn take_forward(&self, address: &str, port: u32) -> Option<Uuid> {
        let mut state = self.state();
        let id = state.forwards.remove(&(address.to_owned(), port));
        self.publish(&state);
        id
    }

    /// Forgets a tunnel the host closed; returns how many remain.
    fn forget_tunnel(&self, tunnel: Uuid) -> usize {
        let mut state = self.state();
        state.forwards.retain(|_, id| *id != tunnel);
        self.publish(&state);
        state.forwards.len()
    }

    /// Records the shell channel and returns the notes it should print first.
    pub(crate) fn open_shell(&self, channel: ChannelId) -> Vec<String> {
        let mut state = self.state();
        state.shell = Some(channel);
        std::mem::take(&mut state.notes)
    }

    pub(crate) fn shell(&self) -> Option<ChannelId> {
        self.state().shell
    }

    pub(crate) fn close_shell(&self, channel: ChannelId) {
        let mut state = self.state();
        if state.shell == Some(channel) {
            state.shell = None;
        }
    }

    /// Keeps a message for the shell channel if there is none yet; returns the channel if
    /// there is one, so the caller prints it now.
    pub(crate) fn note(&self, message: String) -> Option<ChannelId> {
        let mut state = self.state();
        if state.shell.is_none() && state.notes.len() < MAX_NOTES {
            state.notes.push(message);
        }
        state.shell
    }
}

/// The [`TunnelLink`] of one forward: opens `forwarded-tcpip` channels to the client.
pub(crate) struct SshLink {
    pub(crate) session: Arc<SessionShared>,
    /// Address and port exactly as the client will match them (allocated port for port 0).
    pub(crate) address: String,
    pub(crate) port: u32,
    /// The shard the session runs on.
    pub(crate) home: tokio::runtime::Handle,
}

#[async_trait]
impl TunnelLink for SshLink {
    fn home(&self) -> Option<tokio::runtime::Handle> {
        Some(self.home.clone())
    }

    async fn open(&self, originator: SocketAddr) -> Result<TunnelStream> {
        let handle = self
            .session
            .handle
            .get()
            .ok_or_else(|| Error::Upstream("ssh session not ready".into()))?;
        let open = handle.channel_open_forwarded_tcpip(
            self.address.clone(),
            self.port,
            originator.ip().to_string(),
            u32::from(originator.port()),
        );
        let channel = tokio::time::timeout(CHANNEL_OPEN_TIMEOUT, open)
            .await
            .map_err(|_| Error::Upstream("the ssh client did not open the channel in time".into()))?
            .map_err(|e| Error::Upstream(format!("the ssh client refused the channel: {e}")))?;
        Ok(Box::new(channel.into_stream()))
    }

    fn closed(&self, tunnel: &TunnelInfo, reason: &CloseReason) {
        let remaining = self.session.forget_tunnel(tunnel.id);
        let message = format!("tunnel {} closed: {reason}\r\n", tunnel.public_url);
        let shell = self.session.note(message.clone());
        let Some(handle) = self.session.handle.get().cloned() else {
            return;
        };
        let tell = async move {
            if let Some(channel) = shell {
                let _ = handle.data(channel, message.clone().into_bytes()).await;
            }
            if remaining == 0 {
                let _ = handle
                    .disconnect(
                        Disconnect::ByApplication,
                        message.trim_end().to_owned(),
                        String::new(),
                    )
                    .await;
            }
        };
        // bounded: a stalled session must not keep this task forever
        tokio::spawn(tokio::time::timeout(CHANNEL_OPEN_TIMEOUT, tell));
    }
}
