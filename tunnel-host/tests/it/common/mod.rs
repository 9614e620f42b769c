//! Shared helpers for the integration tests: an in-process host on 127.0.0.1:0, client keys,
//! the real OpenSSH client, a local app to tunnel to, and a small HTTP client.
#![allow(dead_code)]

pub mod fake_edge;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use clap::Parser;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tempfile::TempDir;
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tunnel_host::{Config, Host, ListenAddrs, Listeners, Registry, TunnelInfo};

/// The OpenSSH client the tests drive.
pub const SSH: &str = "/usr/bin/ssh";
/// How long any wait in the tests may take before it fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Fails with a clear message when OpenSSH is not installed.
pub fn require_ssh() {
    assert!(
        Path::new(SSH).exists() && Path::new("/usr/bin/ssh-keygen").exists(),
        "{SSH} or ssh-keygen is missing: the tunnel-host tests drive the real OpenSSH client; \
         install it with `apt-get install openssh-client`"
    );
}

/// Polls `check` every 20 ms until it yields a value; panics after [`PATIENCE`].
pub async fn wait_for<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A tunnel host running in this process.
pub struct TestHost {
    pub addrs: ListenAddrs,
    pub registry: Registry,
    pub dir: TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<tunnel_host::Result<()>>>,
}

/// A client key pair made by ssh-keygen, registered (or not) for `user`.
#[derive(Clone, Debug)]
pub struct ClientKey {
    pub user: String,
    pub path: PathBuf,
    pub public: String,
}

impl TestHost {
    /// A host with test defaults.
    pub async fn start() -> TestHost {
        Self::start_in(tempfile::tempdir().unwrap(), &[]).await
    }

    /// A host with extra flags.
    pub async fn start_with(args: &[&str]) -> TestHost {
        Self::start_in(tempfile::tempdir().unwrap(), args).await
    }

    /// A host using `dir` as its data dir (to restart on the same one).
    pub async fn start_in(dir: TempDir, args: &[&str]) -> TestHost {
        require_ssh();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "warn".into()),
            )
            .with_test_writer()
            .try_init();
        let data_dir = dir.path().to_str().unwrap().to_owned();
        let mut argv = vec![
            "tunnel-host",
            "--ssh-addr",
            "127.0.0.1:0",
            "--http-addr",
            "127.0.0.1:0",
            "--admin-addr",
            "127.0.0.1:0",
            "--data-dir",
            &data_dir,
            "--auth-rejection-delay",
            "20ms",
            "--shutdown-grace",
            "2s",
        ];
        argv.extend_from_slice(args);
        let config = Config::try_parse_from(argv).unwrap();
        let listeners = Listeners::bind(&config).await.unwrap();
        let addrs = listeners.local_addrs().unwrap();
        // Without --edge this is `Host::new`; with it, enrolls or loads edge.json.
        let host = Host::connect(config).await.unwrap();
        let registry = host.registry();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(host.run(listeners, async move {
            let _ = stopped.await;
        }));
        let admin = addrs.admin;
        wait_for("the admin api", || async move {
            let r = get(admin, "localhost", "/healthz").await.ok()?;
            (r.status() == StatusCode::OK).then_some(())
        })
        .await;
        TestHost {
            addrs,
            registry,
            dir,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Makes a key for `user` and adds it to the authorized keys.
    pub fn add_user(&self, user: &str) -> ClientKey {
        let key = make_key(self.dir.path(), user);
        let path = self.dir.path().join("authorized_keys");
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str(&key.public);
        text.push('\n');
        std::fs::write(path, text).unwrap();
        key
    }

    /// Makes a key nobody registered.
    pub fn stranger(&self, user: &str) -> ClientKey {
        make_key(self.dir.path(), user)
    }

    /// `ssh` with the test options, the key, and `args`, to user@127.0.0.1.
    pub fn ssh(&self, key: &ClientKey, args: &[&str]) -> Command {
        let mut c = Command::new(SSH);
        // `args` first: ssh keeps the first value it sees for an option.
        c.args(args)
            .args([
                "-F",
                "/dev/null",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "ExitOnForwardFailure=yes",
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "IdentityAgent=none",
                "-o",
                "PasswordAuthentication=no",
                "-o",
                "ConnectTimeout=10",
                "-i",
            ])
            .arg(&key.path)
            .arg("-p")
            .arg(self.addrs.ssh.port().to_string())
            .arg(format!("{}@127.0.0.1", key.user))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        c
    }

    /// Runs `ssh -N -R <forward>` and waits until the host lists a tunnel matching `found`.
    pub async fn tunnel(
        &self,
        key: &ClientKey,
        forward: &str,
        found: impl Fn(&TunnelInfo) -> bool,
    ) -> (Child, TunnelInfo) {
        let mut child = self.ssh(key, &["-N", "-R", forward]).spawn().unwrap();
        let info = self.wait_tunnel(&mut child, found).await;
        (child, info)
    }

    /// Waits until a tunnel matching `found` is listed; fails early if `child` exits.
    pub async fn wait_tunnel(
        &self,
        child: &mut Child,
        found: impl Fn(&TunnelInfo) -> bool,
    ) -> TunnelInfo {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(t) = self.registry.list().into_iter().find(|t| found(t)) {
                return t;
            }
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use tokio::io::AsyncReadExt;
                    let _ = e.read_to_string(&mut err).await;
                }
                panic!("ssh exited with {status} before the tunnel opened: {err}");
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for the tunnel"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the host as SIGTERM would and returns what `run` returned.
    pub async fn stop(mut self) -> tunnel_host::Result<()> {
        self.halt().await
    }

    /// Stops the host and starts a new one on the same data dir.
    pub async fn restart(self) -> TestHost {
        self.restart_with(&[]).await
    }

    /// Stops the host and starts a new one on the same data dir with `args`.
    pub async fn restart_with(mut self, args: &[&str]) -> TestHost {
        self.halt().await.unwrap();
        TestHost::start_in(self.dir, args).await
    }

    async fn halt(&mut self) -> tunnel_host::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let task = self.task.take().unwrap();
        tokio::time::timeout(PATIENCE, task)
            .await
            .expect("host stops in time")
            .unwrap()
    }
}

/// Generates an ed25519 key pair with ssh-keygen, commented with `user`.
pub fn make_key(dir: &Path, user: &str) -> ClientKey {
    let keys = dir.join("client-keys");
    std::fs::create_dir_all(&keys).unwrap();
    let path = keys.join(format!("{user}-{}", uuid::Uuid::new_v4()));
    let status = std::process::Command::new("/usr/bin/ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", user, "-f"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success(), "ssh-keygen failed");
    let public = std::fs::read_to_string(path.with_extension("pub"))
        .or_else(|_| std::fs::read_to_string(format!("{}.pub", path.display())))
        .unwrap()
        .trim()
        .to_owned();
    ClientKey {
        user: user.to_owned(),
        path,
        public,
    }
}

/// Reads everything `child` wrote to stderr after it exits (or is killed after `PATIENCE`).
pub async fn exit_output(mut child: Child) -> (Option<i32>, String) {
    use tokio::io::AsyncReadExt;
    let status = tokio::time::timeout(PATIENCE, child.wait())
        .await
        .expect("ssh exits in time")
        .unwrap();
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err).await;
    }
    (status.code(), err)
}

/// A local HTTP/1.1 app to tunnel to:
/// `/echo` streams the body back, `/headers` lists the request headers, `/bytes?n=N` sends
/// N bytes, anything else says `hello from <path> via <host> [<label>]`.
#[derive(Clone, Debug)]
pub struct App {
    pub addr: SocketAddr,
    /// Request lines (`GET /x`) in the order the app received them.
    pub seen: Arc<Mutex<Vec<String>>>,
}

/// Starts an [`App`] labelled `app`.
pub async fn spawn_app() -> App {
    spawn_labeled_app("app").await
}

/// Starts an [`App`] whose greeting carries `label`.
pub async fn spawn_labeled_app(label: &str) -> App {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = App {
        addr,
        seen: seen.clone(),
    };
    let label: Arc<str> = Arc::from(label);
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let (label, seen) = (label.clone(), seen.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req| serve_app(req, label.clone(), seen.clone()));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    app
}

type AppBody = http_body_util::combinators::BoxBody<Bytes, hyper::Error>;

async fn serve_app(
    req: Request<Incoming>,
    label: Arc<str>,
    seen: Arc<Mutex<Vec<String>>>,
) -> Result<Response<AppBody>, Infallible> {
    seen.lock()
        .unwrap()
        .push(format!("{} {}", req.method(), req.uri()));
    let full = |b: Bytes| Full::new(b).map_err(|never| match never {}).boxed();
    Ok(match req.uri().path() {
        "/echo" => Response::new(req.into_body().boxed()),
        "/headers" => {
            let mut text = String::new();
            for (k, v) in req.headers() {
                text.push_str(&format!("{}: {}\n", k, v.to_str().unwrap_or("?")));
            }
            Response::new(full(Bytes::from(text)))
        }
        "/bytes" => {
            let n: usize = req
                .uri()
                .query()
                .and_then(|q| q.strip_prefix("n="))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            Response::new(full(Bytes::from(vec![b'x'; n])))
        }
        path => Response::new(full(Bytes::from(format!(
            "hello from {path} via {} [{label}]",
            req.headers()
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or("-")
        )))),
    })
}

/// An HTTP/1.1 client connection to `addr` (keep-alive).
pub async fn connect(addr: SocketAddr) -> std::io::Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// Sends `req` on `sender` and collects the response.
pub async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    req: Request<Full<Bytes>>,
) -> std::io::Result<Response<Bytes>> {
    sender.ready().await.map_err(std::io::Error::other)?;
    let response = sender
        .send_request(req)
        .await
        .map_err(std::io::Error::other)?;
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map_err(std::io::Error::other)?
        .to_bytes();
    Ok(Response::from_parts(parts, body))
}

/// `GET path` with `Host: host` on a new connection to `addr`.
pub async fn get(addr: SocketAddr, host: &str, path: &str) -> std::io::Result<Response<Bytes>> {
    let mut sender = connect(addr).await?;
    send(&mut sender, request("GET", host, path, Bytes::new())).await
}

/// A request with a Host header and a body.
pub fn request(method: &str, host: &str, path: &str, body: Bytes) -> Request<Full<Bytes>> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("host", host)
        .body(Full::new(body))
        .unwrap()
}

/// The Host header for tunnel `name` on `host`.
pub fn host_header(host: &TestHost, name: &str) -> String {
    format!("{name}.localhost:{}", host.addrs.http.port())
}

/// Writes raw bytes to `addr` and reads the answer until the server closes.
pub async fn raw_exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut out))
        .await
        .expect("the server closes the connection")
        .unwrap_or_default();
    String::from_utf8_lossy(&out).into_owned()
}

/// A tiny deterministic pseudo-random byte generator (xorshift), for big test bodies.
pub fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}
