//! Every figure of issue 18, through tunnel-host (plain HTTP, and HTTPS with a self-signed
//! certificate from files, both HTTP/1.1), through plain OpenSSH `ssh -R` to a local sshd,
//! and directly, on loopback, in one run so both sides see the same machine load:
//!
//! - bulk download and upload through one tunnel, one stream (best of `--runs`), with the
//!   SSH cipher each side negotiated (read from `ssh -v`), and the server's CPU seconds per
//!   GB moved (tunnel-host's process vs sshd's processes, from `/proc`);
//! - 8 streams at once through one tunnel and through eight tunnels (aggregate);
//! - small keep-alive GETs paced at `--rate` per second, in blocks that take turns between
//!   the targets: p50/p99 and the latency added over the direct connection;
//! - `--idle-tunnels` idle tunnels held by a russh load generator (load.rs): tunnel-host's
//!   resident memory per tunnel, and a request to a random one;
//! - new SSH connections per second with public-key auth (russh client), tunnel-host vs sshd.
//!
//! Run it with `bench/tunnel.sh`, which builds it in release.
//!
//! With `--host-bin` the tunnel host runs as its own process (the release binary), as sshd
//! does; without it, it runs inside this process and shares its runtime with the client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod load;
mod procfs;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use clap::Parser;
use http::{Method, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncBufReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tunnel_host::{Config, Host, Listeners};

/// Whole-run limit, so the bench always ends.
const RUN_LIMIT: Duration = Duration::from_secs(600);
/// Streams at once for the parallel figures.
const STREAMS: usize = 8;

#[derive(Debug, Parser)]
struct Args {
    /// The tunnel-host binary to run as a separate process (else: in this process).
    #[arg(long)]
    host_bin: Option<PathBuf>,
    /// Size of the bulk download and upload, in MiB.
    #[arg(long, default_value_t = 200)]
    bulk_mb: usize,
    /// Small keep-alive GETs for the latency figures.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Pace of the small GETs, per second.
    #[arg(long, default_value_t = 1000)]
    rate: u32,
    /// Bulk transfers per target and direction (the best is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Skip the OpenSSH sshd comparison.
    #[arg(long)]
    no_sshd: bool,
    /// Force this cipher on both SSH clients (`ssh -c`, e.g. `aes128-gcm@openssh.com`);
    /// by default each side negotiates OpenSSH's default order.
    #[arg(long)]
    cipher: Option<String>,
    /// Idle tunnels the russh load generator holds open (0 skips the figure).
    #[arg(long, default_value_t = 10_000)]
    idle_tunnels: usize,
    /// New public-key logins per server for the connection-rate figure (0 skips it).
    #[arg(long, default_value_t = 400)]
    logins: usize,
    /// Only the bulk and latency figures (the run with a forced cipher uses this).
    #[arg(long)]
    bulk_only: bool,
}

/// The cipher forced with `--cipher`, read by every `ssh` the bench starts.
static CIPHER: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

struct Target {
    name: &'static str,
    addr: SocketAddr,
    host: String,
    /// TLS to this server name with this client config (HTTPS), else plain HTTP.
    tls: Option<(String, Arc<rustls::ClientConfig>)>,
    /// The server process whose CPU time is counted (with its children), if any.
    server_pid: Option<u32>,
    /// The cipher its ssh client negotiated, if it goes through SSH.
    cipher: Option<Cipher>,
}

/// The negotiated cipher, filled in from the ssh client's debug output.
type Cipher = Arc<Mutex<Option<String>>>;

struct Figures {
    name: &'static str,
    down: f64,
    up: f64,
    cpu_per_gb: Option<f64>,
    p50: Duration,
    p99: Duration,
    rate: f64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _ = CIPHER.set(args.cipher.clone());
    tokio::time::timeout(RUN_LIMIT, bench(args))
        .await
        .context("the bench ran past its time limit")?
}

/// Everything the bench started, killed at the end.
#[derive(Default)]
struct Children(Vec<Child>);

impl Children {
    async fn kill(self) {
        for mut child in self.0 {
            let _ = child.kill().await;
        }
    }
}

async fn bench(args: Args) -> anyhow::Result<()> {
    let mut children = Children::default();
    let result = run(&args, &mut children).await;
    children.kill().await;
    result
}

async fn run(args: &Args, children: &mut Children) -> anyhow::Result<()> {
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
    let host_pid = host.pid;
    let http_addr = host.http;
    let th_host = |name: &str| format!("{name}.localhost:{}", http_addr.port());
    let (th_ssh, th_cipher) =
        ssh_client(&key.0, host.ssh.port(), "bench", &format!("bench:80:{app}"))?;
    children.0.push(th_ssh);
    wait_http("tunnel-host tunnel", children, http_addr, th_host("bench")).await?;

    let mut targets = vec![
        Target {
            name: "direct",
            addr: app,
            host: app.to_string(),
            tls: None,
            server_pid: None,
            cipher: None,
        },
        Target {
            name: "tunnel-host",
            addr: http_addr,
            host: th_host("bench"),
            tls: None,
            server_pid: Some(host_pid),
            cipher: Some(Arc::clone(&th_cipher)),
        },
        Target {
            name: "th-https",
            addr: host.https,
            host: "bench.localhost".into(),
            tls: Some(("bench.localhost".into(), client_tls)),
            server_pid: Some(host_pid),
            cipher: Some(Arc::clone(&th_cipher)),
        },
    ];

    let mut sshd = None;
    if args.no_sshd {
        println!("openssh: skipped (--no-sshd)");
    } else {
        match start_sshd(dir.path(), &key).await {
            Ok((child, port)) => {
                let pid = child.id().context("sshd pid")?;
                children.0.push(child);
                let (addr, cipher) = openssh_forward(children, &key.0, port, app).await?;
                sshd = Some((pid, port));
                targets.push(Target {
                    name: "openssh",
                    addr,
                    host: addr.to_string(),
                    tls: None,
                    server_pid: Some(pid),
                    cipher: Some(cipher),
                });
            }
            Err(e) => println!("openssh: skipped ({e:#})"),
        }
    }

    println!(
        "\nbulk: {} MiB down (GET) and up (POST), one stream, best of {} rounds that interleave the targets; latency: {} keep-alive GETs \
         of 2 bytes paced at {}/s in blocks of 100 that take turns; ssh cipher forced: {}\n",
        args.bulk_mb,
        args.runs,
        args.requests,
        args.rate,
        args.cipher.as_deref().unwrap_or("no (each side's default)")
    );
    println!(
        "{:<12} {:>10} {:>10} {:>11} {:>9} {:>9} {:>7}  cipher",
        "target", "down MiB/s", "up MiB/s", "cpu s/GB", "p50 µs", "p99 µs", "req/s"
    );
    // Bulk rounds interleave the targets (each round: every target once, down then up), so
    // a slow spell of the machine falls on all of them, not on one.
    let mut bulks = vec![Bulk::default(); targets.len()];
    for _ in 0..args.runs.max(1) {
        for (target, acc) in targets.iter().zip(bulks.iter_mut()) {
            bulk_round(target, &bulk, acc).await?;
        }
    }
    let latency = latencies(&targets, args).await?;
    let mut results = Vec::new();
    for ((target, acc), latency) in targets.iter().zip(bulks).zip(latency) {
        let f = figures(target, acc, latency);
        let cipher = match &target.cipher {
            Some(c) => c.lock().unwrap().clone().unwrap_or_else(|| "?".into()),
            None => "-".into(),
        };
        println!(
            "{:<12} {:>10.1} {:>10.1} {:>11} {:>9.1} {:>9.1} {:>7.0}  {cipher}",
            f.name,
            f.down,
            f.up,
            f.cpu_per_gb.map_or("-".into(), |c| format!("{c:.2}")),
            micros(f.p50),
            micros(f.p99),
            f.rate,
        );
        results.push(f);
    }
    println!();
    let find = |name: &str| results.iter().find(|f| f.name == name);
    if let (Some(th), Some(plain)) = (find("tunnel-host"), find("openssh")) {
        ratios("tunnel-host / openssh", th, plain);
    }
    if let (Some(https), Some(http)) = (find("th-https"), find("tunnel-host")) {
        ratios("https / http (th)", https, http);
    }
    if let Some(direct) = find("direct") {
        for name in ["tunnel-host", "th-https", "openssh"] {
            if let Some(f) = find(name) {
                println!(
                    "added latency {name:<11} p50 {:>7.1} µs   p99 {:>7.1} µs   (target: p50 <= 300, p99 <= 2000)",
                    micros(f.p50) - micros(direct.p50),
                    micros(f.p99) - micros(direct.p99)
                );
            }
        }
    }
    if args.bulk_only {
        return Ok(());
    }

    // eight streams at once: through one tunnel, and through eight tunnels
    println!(
        "\n{STREAMS} streams at once, {} MiB each, aggregate MiB/s (best of {} interleaved rounds):",
        args.bulk_mb / 4,
        args.runs
    );
    let per_stream = bulk.len() / 4;
    let mut th_many = vec![(http_addr, th_host("bench"))];
    for i in 1..STREAMS {
        let name = format!("bench{i}");
        let (child, _) = ssh_client(
            &key.0,
            host.ssh.port(),
            "bench",
            &format!("{name}:80:{app}"),
        )?;
        children.0.push(child);
        wait_http("tunnel-host tunnel", children, http_addr, th_host(&name)).await?;
        th_many.push((http_addr, th_host(&name)));
    }
    let mut ssh_many = Vec::new();
    if let Some((_, port)) = sshd {
        ssh_many.push((targets[3].addr, targets[3].host.clone()));
        for _ in 1..STREAMS {
            let (addr, _) = openssh_forward(children, &key.0, port, app).await?;
            ssh_many.push((addr, addr.to_string()));
        }
    }
    let direct_one = vec![(app, app.to_string())];
    let mut rows = vec![
        ("direct", direct_one.clone(), direct_one),
        ("tunnel-host", th_many[..1].to_vec(), th_many),
    ];
    if !ssh_many.is_empty() {
        rows.push(("openssh", ssh_many[..1].to_vec(), ssh_many));
    }
    // interleaved like the bulk rounds: each round runs every row once, both ways
    let mut best = vec![(0f64, 0f64); rows.len()];
    for _ in 0..args.runs.max(1) {
        for ((_, one, many), (a, b)) in rows.iter().zip(best.iter_mut()) {
            *a = a.max(parallel(one, per_stream).await?);
            *b = b.max(parallel(many, per_stream).await?);
        }
    }
    let mut agg = Vec::new();
    for ((name, _, _), (a, b)) in rows.iter().zip(best) {
        println!("{name:<12} one tunnel {a:>8.1}   eight tunnels {b:>8.1}");
        agg.push((*name, a, b));
    }
    if let (Some(th), Some(os)) = (
        agg.iter().find(|r| r.0 == "tunnel-host"),
        agg.iter().find(|r| r.0 == "openssh"),
    ) {
        println!(
            "tunnel-host / openssh  one tunnel x{:.2}   eight tunnels x{:.2}   (target: >= 1.5)",
            th.1 / os.1,
            th.2 / os.2
        );
    }

    // new SSH connections per second, public-key auth, russh client
    let private = Arc::new(russh::keys::load_secret_key(&key.0, None)?);
    if args.logins > 0 {
        let th =
            load::connection_rate(host.ssh, "bench", Arc::clone(&private), args.logins, 8).await?;
        let mut line = format!(
            "\nnew ssh logins/s ({} each, 8 at a time): tunnel-host {th:.0}",
            args.logins
        );
        if let Some((_, port)) = sshd {
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let os = load::connection_rate(addr, &whoami(), Arc::clone(&private), args.logins, 8)
                .await?;
            line += &format!("   sshd {os:.0}   ratio x{:.2}", th / os);
        }
        println!("{line}");
    }

    // idle tunnels held by the russh load generator
    if args.idle_tunnels > 0 {
        let before = procfs::rss_kib(host_pid).context("tunnel-host rss")?;
        let idle =
            load::IdleTunnels::open(host.ssh, "bench", private, "idle", args.idle_tunnels, 32)
                .await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after = procfs::rss_kib(host_pid).context("tunnel-host rss")?;
        let pick = rand::random_range(0..idle.len());
        let mut sender = connect(http_addr, None).await?;
        let started = Instant::now();
        let response = sender
            .send_request(get(&th_host(&format!("idle{pick}")), "/ok"))
            .await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        let took = started.elapsed();
        let per = (after.saturating_sub(before)) as f64 / idle.len() as f64;
        println!(
            "\nidle tunnels: {} held by one russh client (opened in {:.1} s); tunnel-host rss {} -> {} MiB, \
             {per:.1} KiB per tunnel (target: <= 64); request to idle{pick}: {status} {:?} in {:.1} ms",
            idle.len(),
            idle.took.as_secs_f64(),
            before / 1024,
            after / 1024,
            String::from_utf8_lossy(&body),
            took.as_secs_f64() * 1e3
        );
        if status != 200 || body.as_ref() != b"ok" {
            bail!("the request to idle tunnel {pick} was not answered");
        }
        idle.close().await;
    }
    host.stop().await
}

/// `ssh -R` from a free loopback port to `app` through sshd on `port`; returns the port's address.
async fn openssh_forward(
    children: &mut Children,
    key: &Path,
    port: u16,
    app: SocketAddr,
) -> anyhow::Result<(SocketAddr, Cipher)> {
    let forwarded = free_port().await?;
    let (child, cipher) = ssh_client(
        key,
        port,
        &whoami(),
        &format!("127.0.0.1:{forwarded}:{app}"),
    )?;
    children.0.push(child);
    let addr: SocketAddr = ([127, 0, 0, 1], forwarded).into();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).await.is_err() {
        exited(children, "openssh forward")?;
        if Instant::now() > deadline {
            bail!("openssh forward: not ready after 20 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok((addr, cipher))
}

/// Fails if the last child started has exited.
fn exited(children: &mut Children, what: &str) -> anyhow::Result<()> {
    if let Some(child) = children.0.last_mut()
        && let Some(status) = child.try_wait()?
    {
        bail!("{what}: exited with {status}");
    }
    Ok(())
}

/// Waits until `host` answers `/ok` through tunnel-host's HTTP listener.
async fn wait_http(
    what: &str,
    children: &mut Children,
    addr: SocketAddr,
    host: String,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut sender) = connect(addr, None).await
            && sender
                .send_request(get(&host, "/ok"))
                .await
                .is_ok_and(|r| r.status() == 200)
        {
            return Ok(());
        }
        exited(children, what)?;
        if Instant::now() > deadline {
            bail!("{what}: not ready after 20 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A running tunnel host: its addresses, its process id and how to stop it.
struct RunningHost {
    pid: u32,
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
/// Its per-IP and per-user limits are lifted: every bench client comes from 127.0.0.1 as
/// one user.
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
        "--max-connections-per-ip",
        "4000000000",
        "--max-unauthenticated-per-ip",
        "100000",
        "--max-tunnels-per-user",
        "100000",
        "--max-request-body",
        "4g",
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
        let pid = child.id().context("tunnel-host pid")?;
        let stdout = child.stdout.take().context("tunnel-host stdout")?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
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
            pid,
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
        pid: std::process::id(),
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
    let cpu = match (a.cpu_per_gb, b.cpu_per_gb) {
        (Some(x), Some(y)) if y > 0.0 => format!("x{:.2}", x / y),
        _ => "-".into(),
    };
    println!(
        "{label:<22} down x{:.2}   up x{:.2}   cpu/GB {cpu}   p50 x{:.2}   p99 x{:.2}",
        a.down / b.down,
        a.up / b.up,
        micros(a.p50) / micros(b.p50),
        micros(a.p99) / micros(b.p99)
    );
}

/// One GET of `n` bytes on a new connection; returns the bytes received.
async fn download(
    addr: SocketAddr,
    host: &str,
    tls: Option<&(String, Arc<rustls::ClientConfig>)>,
    n: usize,
) -> anyhow::Result<usize> {
    let mut sender = connect(addr, tls).await?;
    let response = sender
        .send_request(get(host, &format!("/bytes?n={n}")))
        .await?;
    let mut body = response.into_body();
    let mut received = 0usize;
    while let Some(frame) = body.frame().await {
        if let Some(data) = frame?.data_ref() {
            received += data.len();
        }
    }
    if received != n {
        bail!("{host}: got {received} of {n} bytes");
    }
    Ok(received)
}

/// `STREAMS` GETs of `n` bytes at once over `targets` (round robin); aggregate MiB/s.
async fn parallel(targets: &[(SocketAddr, String)], n: usize) -> anyhow::Result<f64> {
    let started = Instant::now();
    let tasks: Vec<_> = (0..STREAMS)
        .map(|i| {
            let (addr, host) = targets[i % targets.len()].clone();
            tokio::spawn(async move { download(addr, &host, None, n).await })
        })
        .collect();
    let mut total = 0usize;
    for task in tasks {
        total += task.await??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64() / (1 << 20) as f64)
}

/// One target's bulk figures so far: best download and upload, and the server's CPU time
/// over the bytes it moved.
#[derive(Default, Clone, Copy)]
struct Bulk {
    down: f64,
    up: f64,
    cpu: f64,
    moved: usize,
}

/// One download and one upload of `bulk` through `target`, added to `acc`.
async fn bulk_round(target: &Target, bulk: &Bytes, acc: &mut Bulk) -> anyhow::Result<()> {
    let tls = target.tls.as_ref();
    let cpu = || target.server_pid.map(procfs::cpu_seconds);
    let cpu_before = cpu();
    let started = Instant::now();
    acc.moved += download(target.addr, &target.host, tls, bulk.len()).await?;
    acc.down = acc
        .down
        .max(bulk.len() as f64 / started.elapsed().as_secs_f64() / (1 << 20) as f64);

    let mut sender = connect(target.addr, tls).await?;
    let started = Instant::now();
    let request = Request::builder()
        .method(Method::POST)
        .uri("/sink")
        .header("host", &target.host)
        .body(Full::new(bulk.clone()))?;
    let response = sender.send_request(request).await?;
    let body = response.into_body().collect().await?.to_bytes();
    if body.as_ref() != bulk.len().to_string().as_bytes() {
        bail!("{}: upload answered {body:?}", target.name);
    }
    acc.moved += bulk.len();
    acc.up = acc
        .up
        .max(bulk.len() as f64 / started.elapsed().as_secs_f64() / (1 << 20) as f64);
    if let (Some(a), Some(b)) = (cpu_before, cpu()) {
        acc.cpu += b - a;
    }
    Ok(())
}

/// Small keep-alive GETs per block of the latency figures: each target gets a block in
/// turn, so a slow spell of the machine (they last seconds here) falls on all of them.
const LATENCY_BLOCK: usize = 100;

/// One target's latency samples so far, and the time its blocks took.
struct Latency {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    samples: Vec<Duration>,
    paced: Duration,
}

/// Small keep-alive GETs through every target, one every 1/rate s (a late one starts at
/// once), in blocks of [`LATENCY_BLOCK`] that take turns.
async fn latencies(targets: &[Target], args: &Args) -> anyhow::Result<Vec<Latency>> {
    let interval = Duration::from_secs_f64(1.0 / f64::from(args.rate.max(1)));
    let mut all = Vec::new();
    for target in targets {
        let mut sender = connect(target.addr, target.tls.as_ref()).await?;
        for _ in 0..20 {
            one_get(&mut sender, target).await?; // warm-up
        }
        all.push(Latency {
            sender,
            samples: Vec::with_capacity(args.requests),
            paced: Duration::ZERO,
        });
    }
    let mut left = args.requests.max(1);
    while left > 0 {
        let block = left.min(LATENCY_BLOCK);
        for (target, l) in targets.iter().zip(all.iter_mut()) {
            let paced_start = Instant::now();
            for i in 0..block {
                let due = paced_start + interval * i as u32;
                let now = Instant::now();
                if due > now {
                    // a tokio timer has 1 ms steps; a thread sleep is finer
                    tokio::task::block_in_place(|| std::thread::sleep(due - now));
                }
                l.samples.push(one_get(&mut l.sender, target).await?);
            }
            l.paced += paced_start.elapsed();
        }
        left -= block;
    }
    Ok(all)
}

/// One small GET on `sender`, checked; how long it took.
async fn one_get(
    sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    target: &Target,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    sender.ready().await?;
    let response = sender.send_request(get(&target.host, "/ok")).await?;
    let body = response.into_body().collect().await?.to_bytes();
    let took = started.elapsed();
    if body.as_ref() != b"ok" {
        bail!("{}: unexpected body {body:?}", target.name);
    }
    Ok(took)
}

/// The figures of `target`: its bulk figures and latency samples from the interleaved rounds.
fn figures(target: &Target, bulk: Bulk, mut latency: Latency) -> Figures {
    let cpu_per_gb = target
        .server_pid
        .map(|_| bulk.cpu / (bulk.moved as f64 / 1e9));
    let samples = &mut latency.samples;
    let rate = samples.len() as f64 / latency.paced.as_secs_f64();
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    Figures {
        name: target.name,
        down: bulk.down,
        up: bulk.up,
        cpu_per_gb,
        p50: pick(0.50),
        p99: pick(0.99),
        rate,
    }
}

fn get(host: &str, path: &str) -> Request<Full<Bytes>> {
    Request::builder()
        .uri(path)
        .header("host", host)
        .body(Full::new(Bytes::new()))
        .unwrap()
}

/// An HTTP/1.1 connection to `addr`, over TLS when `tls` is given.
async fn connect(
    addr: SocketAddr,
    tls: Option<&(String, Arc<rustls::ClientConfig>)>,
) -> anyhow::Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>> {
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

/// The app behind every path: `GET /bytes?n=N` (N up to the bulk size), `POST /sink`
/// (answers how many bytes it read) and `/ok`.
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
                        let body = match req.uri().path() {
                            "/bytes" => {
                                let n = req
                                    .uri()
                                    .query()
                                    .and_then(|q| q.strip_prefix("n="))
                                    .and_then(|n| n.parse::<usize>().ok())
                                    .unwrap_or(0)
                                    .min(bulk.len());
                                bulk.slice(..n)
                            }
                            "/sink" => {
                                let mut body = req.into_body();
                                let mut n = 0usize;
                                while let Some(Ok(frame)) = body.frame().await {
                                    n += frame.data_ref().map_or(0, Bytes::len);
                                }
                                Bytes::from(n.to_string())
                            }
                            _ => Bytes::from_static(b"ok"),
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

/// `/usr/bin/ssh -N -R forward`; the cipher it negotiates is read from its debug output.
fn ssh_client(key: &Path, port: u16, user: &str, forward: &str) -> anyhow::Result<(Child, Cipher)> {
    let mut child = Command::new("/usr/bin/ssh")
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
            "LogLevel=DEBUG1",
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
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting /usr/bin/ssh")?;
    let cipher: Cipher = Arc::default();
    let stderr = child.stderr.take().context("ssh stderr")?;
    let found = Arc::clone(&cipher);
    tokio::spawn(async move {
        // "debug1: kex: server->client cipher: chacha20-poly1305@openssh.com MAC: ..."
        let mut lines = tokio::io::BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.split("server->client cipher: ").nth(1) {
                let name = rest.split_whitespace().next().unwrap_or("?").to_owned();
                *found.lock().unwrap() = Some(name);
            }
        }
    });
    Ok((child, cipher))
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
    // MaxStartups: the connection-rate figure keeps 8 handshakes in flight, which the
    // default (10:30:100) would start dropping at random
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\n\
             PidFile {}\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
             AllowTcpForwarding yes\nGatewayPorts no\nLogLevel ERROR\nMaxStartups 100\n",
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
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).await.is_err() {
        if let Some(status) = child.try_wait()? {
            bail!("sshd exited with {status}");
        }
        if Instant::now() > deadline {
            bail!("sshd: not ready after 20 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok((child, port))
}
