//! Throughput and latency through tunnel-host (plain HTTP, and HTTPS with a self-signed
//! certificate from files, both HTTP/1.1), through plain OpenSSH `ssh -R` to a local sshd,
//! and directly, on loopback. Run it with `bench/tunnel.sh`, which builds it in release.
//!
//! Usage: `tunnel_bench [--host-bin PATH] [--bulk-mb N] [--requests N] [--runs N] [--no-sshd]`
//!
//! With `--host-bin` the tunnel host runs as its own process (the release binary), as sshd
//! does; without it, it runs inside this process and shares its runtime with the client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use clap::Parser;
use http::{Request, Response};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tunnel_host::{Config, Host, Listeners};

/// Whole-run limit, so the bench always ends.
const RUN_LIMIT: Duration = Duration::from_secs(600);

#[derive(Debug, Parser)]
struct Args {
    /// The tunnel-host binary to run as a separate process (else: in this process).
    #[arg(long)]
    host_bin: Option<PathBuf>,
    /// Size of the bulk download, in MiB.
    #[arg(long, default_value_t = 100)]
    bulk_mb: usize,
    /// Small keep-alive GETs for the latency figures.
    #[arg(long, default_value_t = 1000)]
    requests: usize,
    /// Bulk downloads per target (the best is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Skip the OpenSSH sshd comparison.
    #[arg(long)]
    no_sshd: bool,
    /// Force this cipher on both SSH clients (`ssh -c`, e.g. `aes256-gcm@openssh.com`);
    /// by default each side negotiates OpenSSH's default order.
    #[arg(long)]
    cipher: Option<String>,
}

/// The cipher forced with `--cipher`, read by every `ssh` the bench starts.
static CIPHER: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

struct Target {
    name: &'static str,
    addr: SocketAddr,
    host: String,
    /// TLS to this server name with this client config (HTTPS), else plain HTTP.
    tls: Option<(String, Arc<rustls::ClientConfig>)>,
}

struct Figures {
    name: &'static str,
    mib_per_s: f64,
    p50: Duration,
    p99: Duration,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _ = CIPHER.set(args.cipher.clone());
    tokio::time::timeout(RUN_LIMIT, bench(args))
        .await
        .context("the bench ran past its time limit")?
}

async fn bench(args: Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let bulk = Bytes::from(vec![b'x'; args.bulk_mb << 20]);
    let app = spawn_app(bulk.clone()).await?;
    let key = keygen(dir.path(), "bench")?;
    std::fs::write(dir.path().join("authorized_keys"), format!("{}\n", key.1))?;
    let (_, cert_pem, key_pem) = tunnel_host::tls::self_signed(&["bench.localhost".into()])?;
    std::fs::write(dir.path().join("tls-cert.pem"), &cert_pem)?;
    std::fs::write(dir.path().join("tls-key.pem"), &key_pem)?;
    let client_tls = client_config(&cert_pem)?;

    // tunnel-host, reached by the real OpenSSH client
    let host = start_tunnel_host(dir.path(), args.host_bin.as_deref()).await?;
    let mut th_ssh = ssh_client(&key.0, host.ssh.port(), "bench", &format!("bench:80:{app}"))?;
    let (http_addr, bench_host) = (host.http, format!("bench.localhost:{}", host.http.port()));
    wait_until("tunnel-host tunnel", &mut th_ssh, || {
        let bench_host = bench_host.clone();
        async move {
            match connect(http_addr, None).await {
                Ok(mut sender) => sender
                    .send_request(get(&bench_host, "/ok"))
                    .await
                    .is_ok_and(|r| r.status() == 200),
                Err(_) => false,
            }
        }
    })
    .await?;

    let mut targets = vec![
        Target {
            name: "direct",
            addr: app,
            host: app.to_string(),
            tls: None,
        },
        Target {
            name: "tunnel-host",
            addr: http_addr,
            host: bench_host.clone(),
            tls: None,
        },
        Target {
            name: "th-https",
            addr: host.https,
            host: "bench.localhost".into(),
            tls: Some(("bench.localhost".into(), client_tls)),
        },
    ];

    let mut sshd = None;
    let mut plain_ssh = None;
    if args.no_sshd {
        println!("openssh: skipped (--no-sshd)");
    } else {
        match start_sshd(dir.path(), &key).await {
            Ok((child, port)) => {
                sshd = Some(child);
                let forwarded = free_port().await?;
                let user = whoami();
                let mut client =
                    ssh_client(&key.0, port, &user, &format!("127.0.0.1:{forwarded}:{app}"))?;
                let addr: SocketAddr = ([127, 0, 0, 1], forwarded).into();
                wait_until("openssh forward", &mut client, || async move {
                    TcpStream::connect(addr).await.is_ok()
                })
                .await?;
                plain_ssh = Some(client);
                targets.push(Target {
                    name: "openssh",
                    addr,
                    host: addr.to_string(),
                    tls: None,
                });
            }
            Err(e) => println!("openssh: skipped ({e:#})"),
        }
    }

    println!(
        "\nbulk: GET of {} MiB (best of {}); latency: {} keep-alive GETs of 2 bytes; ssh cipher: {}\n",
        args.bulk_mb,
        args.runs,
        args.requests,
        args.cipher.as_deref().unwrap_or(
            "default (OpenSSH's order; chacha20-poly1305@openssh.com with both servers)"
        )
    );
    let mut results = Vec::new();
    for target in &targets {
        let figures = measure(target, bulk.len(), &args).await?;
        println!(
            "{:<12} {:>9.1} MiB/s   p50 {:>8.1} µs   p99 {:>8.1} µs",
            figures.name,
            figures.mib_per_s,
            micros(figures.p50),
            micros(figures.p99)
        );
        results.push(figures);
    }
    println!();
    let find = |name: &str| results.iter().find(|f| f.name == name);
    if let (Some(th), Some(direct)) = (find("tunnel-host"), find("direct")) {
        ratios("tunnel-host / direct", th, direct);
    }
    if let (Some(https), Some(http)) = (find("th-https"), find("tunnel-host")) {
        ratios("https / http (th)", https, http);
    }
    if let (Some(th), Some(plain)) = (find("tunnel-host"), find("openssh")) {
        ratios("tunnel-host / openssh", th, plain);
    }
    if let (Some(plain), Some(direct)) = (find("openssh"), find("direct")) {
        ratios("openssh / direct", plain, direct);
    }

    for mut child in [Some(th_ssh), plain_ssh, sshd].into_iter().flatten() {
        let _ = child.kill().await;
    }
    host.stop().await
}

/// A running tunnel host: its addresses and how to stop it.
struct RunningHost {
    ssh: SocketAddr,
    http: SocketAddr,
    https: SocketAddr,
    stop: Box<dyn FnOnce() -> tokio::task::JoinHandle<anyhow::Result<()>> + Send>,
}

impl RunningHost {
    async fn stop(self) -> anyhow::Result<()> {
        (self.stop)().await?
    }
}

/// Starts tunnel-host with `dir` as data dir: the binary if given, else in this process.
async fn start_tunnel_host(dir: &Path, bin: Option<&Path>) -> anyhow::Result<RunningHost> {
    let data_dir = dir.to_str().context("temp dir path")?.to_owned();
    let cert = format!("{data_dir}/tls-cert.pem");
    let key = format!("{data_dir}/tls-key.pem");
    let flags = [
        "--https-addr",
        "127.0.0.1:0",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--ssh-addr",
        "127.0.0.1:0",
        "--http-addr",
        "127.0.0.1:0",
        "--admin-addr",
        "127.0.0.1:0",
        "--log-format",
        "json",
        "--data-dir",
        &data_dir,
    ];
    if let Some(bin) = bin {
        let mut child = Command::new(bin)
            .args(flags)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().context("tunnel-host stdout")?;
        let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
        let listening = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await? {
                let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                if v["message"] == "tunnel host listening" {
                    return Ok(v);
                }
            }
            bail!("tunnel-host exited before listening")
        })
        .await
        .context("tunnel-host did not start")??;
        // keep draining its logs so it never blocks on a full pipe
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let addr = |k: &str| -> anyhow::Result<SocketAddr> {
            Ok(listening[k].as_str().context("listen address")?.parse()?)
        };
        let (ssh, http, https) = (addr("ssh")?, addr("http")?, addr("https")?);
        return Ok(RunningHost {
            ssh,
            http,
            https,
            stop: Box::new(move || {
                tokio::spawn(async move {
                    child.kill().await?;
                    Ok(())
                })
            }),
        });
    }
    let mut argv = vec!["tunnel-host"];
    argv.extend(flags);
    let config = Config::try_parse_from(argv)?;
    let listeners = Listeners::bind(&config).await?;
    let addrs = listeners.local_addrs()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(Host::new(config).run(listeners, async move {
        let _ = stopped.await;
    }));
    Ok(RunningHost {
        ssh: addrs.ssh,
        http: addrs.http,
        https: addrs.https.context("https listener")?,
        stop: Box::new(move || {
            let _ = stop.send(());
            tokio::spawn(async move { Ok(running.await??) })
        }),
    })
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn ratios(label: &str, a: &Figures, b: &Figures) {
    println!(
        "{label:<22} throughput x{:.2}   p50 x{:.2}   p99 x{:.2}",
        a.mib_per_s / b.mib_per_s,
        micros(a.p50) / micros(b.p50),
        micros(a.p99) / micros(b.p99)
    );
}

async fn measure(target: &Target, bulk_len: usize, args: &Args) -> anyhow::Result<Figures> {
    let mut best = 0f64;
    for _ in 0..args.runs.max(1) {
        let mut sender = connect(target.addr, target.tls.as_ref()).await?;
        let started = Instant::now();
        let response = sender
            .send_request(get(&target.host, &format!("/bytes?n={bulk_len}")))
            .await?;
        let mut body = response.into_body();
        let mut received = 0usize;
        while let Some(frame) = body.frame().await {
            if let Some(data) = frame?.data_ref() {
                received += data.len();
            }
        }
        let secs = started.elapsed().as_secs_f64();
        if received != bulk_len {
            bail!("{}: got {received} of {bulk_len} bytes", target.name);
        }
        best = best.max(bulk_len as f64 / secs / (1 << 20) as f64);
    }

    let mut sender = connect(target.addr, target.tls.as_ref()).await?;
    let mut samples = Vec::with_capacity(args.requests);
    for i in 0..args.requests + 20 {
        let started = Instant::now();
        sender.ready().await?;
        let response = sender.send_request(get(&target.host, "/ok")).await?;
        let body = response.into_body().collect().await?.to_bytes();
        let took = started.elapsed();
        if body.as_ref() != b"ok" {
            bail!("{}: unexpected body {body:?}", target.name);
        }
        if i >= 20 {
            samples.push(took); // the first 20 warm up
        }
    }
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    Ok(Figures {
        name: target.name,
        mib_per_s: best,
        p50: pick(0.50),
        p99: pick(0.99),
    })
}

fn get(host: &str, path: &str) -> Request<Empty<Bytes>> {
    Request::builder()
        .uri(path)
        .header("host", host)
        .body(Empty::new())
        .unwrap()
}

/// An HTTP/1.1 connection to `addr`, over TLS when `tls` is given.
async fn connect(
    addr: SocketAddr,
    tls: Option<&(String, Arc<rustls::ClientConfig>)>,
) -> anyhow::Result<hyper::client::conn::http1::SendRequest<Empty<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let Some((name, config)) = tls else {
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        return Ok(sender);
    };
    let server_name = rustls::pki_types::ServerName::try_from(name.clone())?;
    let stream = tokio_rustls::TlsConnector::from(Arc::clone(config))
        .connect(server_name, stream)
        .await?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

/// A client trusting only `cert_pem`, speaking HTTP/1.1 (as the plain figures do).
fn client_config(cert_pem: &str) -> anyhow::Result<Arc<rustls::ClientConfig>> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_slice(cert_pem.as_bytes())?)?;
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The app behind every path: `/bytes?n=N` (N up to the bulk size) and `/ok`.
async fn spawn_app(bulk: Bytes) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let _ = socket.set_nodelay(true);
            let bulk = bulk.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let bulk = bulk.clone();
                    async move {
                        let body = if req.uri().path() == "/bytes" {
                            let n = req
                                .uri()
                                .query()
                                .and_then(|q| q.strip_prefix("n="))
                                .and_then(|n| n.parse::<usize>().ok())
                                .unwrap_or(0)
                                .min(bulk.len());
                            bulk.slice(..n)
                        } else {
                            Bytes::from_static(b"ok")
                        };
                        Ok::<_, Infallible>(Response::new(Full::new(body)))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    Ok(addr)
}

/// An ed25519 key pair: (private key path, public key line).
fn keygen(dir: &Path, comment: &str) -> anyhow::Result<(PathBuf, String)> {
    let path = dir.join(format!("key-{comment}"));
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
        .arg(&path)
        .status()
        .context("running ssh-keygen")?;
    if !status.success() {
        bail!("ssh-keygen failed");
    }
    let public = std::fs::read_to_string(format!("{}.pub", path.display()))?;
    Ok((path, public.trim().to_owned()))
}

fn ssh_client(key: &Path, port: u16, user: &str, forward: &str) -> anyhow::Result<Child> {
    Command::new("/usr/bin/ssh")
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
            "LogLevel=ERROR",
            "-i",
        ])
        .arg(key)
        .args(
            CIPHER
                .get()
                .and_then(Option::as_deref)
                .map(|c| ["-c", c])
                .into_iter()
                .flatten(),
        )
        .args(["-p", &port.to_string(), "-N", "-R", forward])
        .arg(format!("{user}@127.0.0.1"))
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting /usr/bin/ssh")
}

async fn wait_until<F, Fut>(what: &str, child: &mut Child, mut ready: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready().await {
        if let Some(status) = child.try_wait()? {
            bail!("{what}: ssh exited with {status}");
        }
        if Instant::now() > deadline {
            bail!("{what}: not ready after 20 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

async fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port())
}

fn whoami() -> String {
    std::env::var("USER").unwrap_or_else(|_| "root".to_owned())
}

/// Starts Debian's sshd on a loopback port with a throwaway config and host key.
async fn start_sshd(dir: &Path, key: &(PathBuf, String)) -> anyhow::Result<(Child, u16)> {
    let sshd = Path::new("/usr/sbin/sshd");
    if !sshd.exists() {
        bail!("/usr/sbin/sshd missing (apt-get install openssh-server)");
    }
    let sshd_dir = dir.join("sshd");
    std::fs::create_dir_all(&sshd_dir)?;
    let host_key = sshd_dir.join("host_key");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&host_key)
        .status()?;
    if !status.success() {
        bail!("ssh-keygen for the sshd host key failed");
    }
    let authorized = sshd_dir.join("authorized_keys");
    std::fs::write(&authorized, format!("{}\n", key.1))?;
    std::fs::create_dir_all("/run/sshd").context("creating /run/sshd (run as root)")?;
    let port = free_port().await?;
    let config = sshd_dir.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\n\
             PidFile {}\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
             AllowTcpForwarding yes\nGatewayPorts no\nLogLevel ERROR\n",
            host_key.display(),
            authorized.display(),
            sshd_dir.join("sshd.pid").display()
        ),
    )?;
    let mut child = Command::new(sshd)
        .arg("-D")
        .arg("-e")
        .arg("-f")
        .arg(&config)
        .stdin(Stdio::null())
        // sshd -e logs the readiness probe's bare connect as an error; keep quiet
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting sshd")?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    wait_until("sshd", &mut child, || async move {
        TcpStream::connect(addr).await.is_ok()
    })
    .await?;
    Ok((child, port))
}
