//! Data-plane threads: one single-threaded tokio runtime per core, each the home of some
//! SSH sessions, so that a tunnel's bytes (the SSH session, its channels, the upstream HTTP
//! connection and the visitor's connection) stay on one thread.
//!
//! On a work-stealing runtime every chunk of a download crosses threads twice (the SSH
//! session's task wakes the upstream connection's task, which wakes the visitor's), and
//! the futex wake-ups and context switches cost more than the cipher. Here an SSH
//! connection is placed on the least loaded shard, and a visitor's connection is moved to
//! the shard of the tunnel it asks for (read from the request's `Host` or the TLS SNI
//! without consuming it: [`crate::http`]), so one tunnel moves data on one core and many
//! tunnels use them all.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::runtime::{Builder, Handle};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::error::{Error, Result};

/// How long a stopping shard gives its blocking work (file reads) to finish.
const STOP_WAIT: Duration = Duration::from_secs(1);

/// The data-plane runtimes, stopped when dropped.
pub(crate) struct Shards {
    shards: Vec<Shard>,
    next: AtomicUsize,
    stop: CancellationToken,
}

/// One data-plane runtime and how many SSH sessions live on it.
#[derive(Clone)]
pub(crate) struct Shard {
    handle: Handle,
    sessions: Arc<AtomicUsize>,
}

/// Counts an SSH session against its shard while alive.
pub(crate) struct SessionSlot(Arc<AtomicUsize>);

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Shards {
    /// Starts `count` shards (the machine's cores for 0), each a thread named
    /// `tunnel-data-<i>` running a current-thread runtime until [`Shards::stop`].
    pub(crate) fn start(count: usize) -> Result<Shards> {
        let count = match count {
            0 => thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let stop = CancellationToken::new();
        let mut shards = Vec::with_capacity(count);
        for i in 0..count {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            let stopped = stop.clone();
            thread::Builder::new()
                .name(format!("tunnel-data-{i}"))
                .spawn(move || {
                    let runtime = match Builder::new_current_thread().enable_all().build() {
                        Ok(runtime) => runtime,
                        Err(error) => {
                            let _ = tx.send(Err(error));
                            return;
                        }
                    };
                    let _ = tx.send(Ok(runtime.handle().clone()));
                    runtime.block_on(stopped.cancelled());
                    runtime.shutdown_timeout(STOP_WAIT);
                })
                .map_err(Error::io("starting a data-plane thread"))?;
            let handle = rx
                .recv()
                .map_err(|_| Error::Internal("a data-plane thread ended while starting".into()))?
                .map_err(Error::io("building a data-plane runtime"))?;
            shards.push(Shard {
                handle,
                sessions: Arc::new(AtomicUsize::new(0)),
            });
        }
        Ok(Shards {
            shards,
            next: AtomicUsize::new(0),
            stop,
        })
    }

    /// How many shards run.
    pub(crate) fn len(&self) -> usize {
        self.shards.len()
    }

    /// The shard with the fewest SSH sessions (the first of equals after the last pick),
    /// and a slot counting the new session there.
    pub(crate) fn for_session(&self) -> (&Shard, SessionSlot) {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.shards.len();
        let mut best = &self.shards[start % n];
        for i in 1..n {
            let shard = &self.shards[(start + i) % n];
            if shard.sessions.load(Ordering::Relaxed) < best.sessions.load(Ordering::Relaxed) {
                best = shard;
            }
        }
        best.sessions.fetch_add(1, Ordering::Relaxed);
        (best, SessionSlot(Arc::clone(&best.sessions)))
    }

    /// The next shard in turn, for a connection that names no tunnel.
    pub(crate) fn any(&self) -> &Shard {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.shards.len();
        &self.shards[i]
    }

    /// A token cancelled when the shards stop; cancelling it (or dropping it as a guard)
    /// stops them, and their threads drop the runtimes and whatever still runs on them.
    pub(crate) fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }
}

impl Drop for Shards {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Shard {
    /// Runs `task` on this shard, tracked by `tasks`.
    pub(crate) fn spawn<F>(&self, tasks: &TaskTracker, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        tasks.spawn_on(task, &self.handle);
    }

    /// This shard's runtime.
    pub(crate) fn handle(&self) -> &Handle {
        &self.handle
    }
}

/// Runs `task` on `home` if given (a tunnel's shard), else on the next shard in turn.
pub(crate) fn spawn_at<F>(shards: &Shards, home: Option<&Handle>, tasks: &TaskTracker, task: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    match home {
        Some(handle) => {
            tasks.spawn_on(task, handle);
        }
        None => shards.any().spawn(tasks, task),
    }
}

/// Takes `socket` off the reactor of the runtime that accepted it and runs `serve` with it
/// on `home` (else the next shard in turn), tracked by `tasks`.
pub(crate) fn serve_at<S, F>(
    shards: &Shards,
    home: Option<&Handle>,
    tasks: &TaskTracker,
    socket: TcpStream,
    peer: SocketAddr,
    serve: S,
) where
    S: FnOnce(TcpStream) -> F + Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let socket = match socket.into_std() {
        Ok(socket) => socket,
        Err(error) => {
            tracing::warn!(%peer, %error, "connection dropped: its socket could not move");
            return;
        }
    };
    spawn_at(shards, home, tasks, async move {
        match TcpStream::from_std(socket) {
            Ok(socket) => serve(socket).await,
            Err(error) => tracing::warn!(%peer, %error, "connection dropped"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_go_to_the_least_loaded_shard_and_leave_when_done() {
        let shards = Shards::start(2).unwrap();
        assert_eq!(shards.len(), 2);
        let (a, slot_a) = shards.for_session();
        let a = a.handle().id();
        let (b, slot_b) = shards.for_session();
        assert_ne!(
            a,
            b.handle().id(),
            "the second session goes to the empty shard"
        );
        drop(slot_a);
        let (c, _slot_c) = shards.for_session();
        assert_eq!(
            c.handle().id(),
            a,
            "the shard that emptied takes the next one"
        );
        drop(slot_b);
    }

    #[test]
    fn tasks_run_on_their_shard_thread_until_stopped() {
        let shards = Shards::start(2).unwrap();
        let tasks = TaskTracker::new();
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..4 {
            let tx = tx.clone();
            shards.any().spawn(&tasks, async move {
                let _ = tx.send(thread::current().name().map(str::to_owned));
            });
        }
        let mut names: Vec<_> = (0..4).map(|_| rx.recv().unwrap().unwrap()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names, ["tunnel-data-0", "tunnel-data-1"]);
        let stop = shards.stop_token();
        drop(shards);
        assert!(stop.is_cancelled());
    }

    #[test]
    fn a_task_with_a_home_runs_there() {
        let shards = Shards::start(2).unwrap();
        let tasks = TaskTracker::new();
        let (tx, rx) = std::sync::mpsc::channel();
        // a home is learnt the way a tunnel does: the runtime its session task runs on
        let tx2 = tx.clone();
        shards.shards[1].spawn(&tasks, async move {
            let _ = tx2.send(Handle::current());
        });
        let home = rx.recv().unwrap();
        let (named, rx) = std::sync::mpsc::channel();
        for _ in 0..4 {
            let named = named.clone();
            spawn_at(&shards, Some(&home), &tasks, async move {
                let _ = named.send(thread::current().name().map(str::to_owned));
            });
        }
        for _ in 0..4 {
            assert_eq!(rx.recv().unwrap().as_deref(), Some("tunnel-data-1"));
        }
        drop(tx);
    }
}
