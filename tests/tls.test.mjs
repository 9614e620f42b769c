// HTTPS on the tunnel host end to end, on loopback only. A real ACME server
// (Debian's Pebble, validating by TLS-ALPN-01 against the host's HTTPS port,
// with pebble-challtestsrv answering 127.0.0.1 for every name) issues a
// certificate for a tunnel opened with real OpenSSH `ssh -R`; a TLS client
// trusting Pebble's root sees a valid chain, HTTP/2 is negotiated and serves
// the app, a WebSocket and a streamed body work over HTTPS, a name that is
// neither open nor reserved gets no order and no certificate, and a tunnel
// bound on port 443 has plain HTTP redirected. Then a host serving a wildcard
// certificate from files picks a replaced pair up without dropping an open
// HTTP/2 connection.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import http2 from "node:http2";
import tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import WebSocket, { WebSocketServer } from "ws";
import { freePort, launch, startTunnelHost, waitFor } from "./lib/stack.mjs";

const run = promisify(execFile);
const DOMAIN = "flamingo.test";
const ONE_MB = 1024 * 1024;

let dir;
let app;
let dns;
let pebble;
let pebbleCa; // the CA of Pebble's own HTTPS listener (made here)
let pebbleMgmt;
let host;
let httpsPort;
let key;
const sshClients = [];

/** The app behind the tunnels: a page, a streaming echo and a WebSocket echo. */
async function startApp() {
  const server = createServer((req, res) => {
    if (req.url === "/echo") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      req.pipe(res);
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`hello over ${req.headers["x-forwarded-proto"]} for ${req.headers.host}`);
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (socket) => socket.on("message", (data, binary) => socket.send(data, { binary })));
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, wss, port: server.address().port };
}

/** A CA, and a leaf signed by it for `sans` (openssl `subjectAltName` syntax). */
async function makeCerts(prefix, sans) {
  const p = (n) => join(dir, `${prefix}-${n}`);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await run("openssl", ["req", "-x509", ...ec, "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2", "-subj", `/CN=${prefix} test ca`]);
  await run("openssl", ["req", ...ec, "-keyout", p("key.pem"), "-out", p("csr.pem"), "-subj", `/CN=${prefix}`]);
  await writeFile(p("ext.cnf"), `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  await run("openssl", [
    "x509", "-req", "-in", p("csr.pem"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial",
    "-out", p("cert.pem"), "-days", "2", "-extfile", p("ext.cnf"),
  ]);
  return { ca: p("ca.pem"), cert: p("cert.pem"), key: p("key.pem") };
}

async function keygen(name) {
  const path = join(dir, name);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path]);
  return { path, public: (await readFile(`${path}.pub`, "utf8")).trim() };
}

/** `ssh -N -R <name>:<port>:127.0.0.1:<app>` to `target` with the test key. */
function sshTunnel(target, name, port = 80) {
  const child = spawn(
    "ssh",
    [
      "-N", "-R", `${name}:${port}:127.0.0.1:${app.port}`,
      "-p", String(target.ports.ssh), "-i", key.path, "-F", "/dev/null",
      "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "StrictHostKeyChecking=no",
      "-o", "UserKnownHostsFile=/dev/null", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR",
      "ada@127.0.0.1",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  child.output = () => output;
  sshClients.push(child);
  return child;
}

async function waitForTunnel(target, name, child) {
  return waitFor(
    async () => (await (await fetch(`${target.adminUrl}/tunnels`)).json()).find((t) => t.name === name),
    { timeoutMs: 30_000, what: `tunnel ${name} open`, child },
  );
}

/** A metric of the host's Prometheus text. */
async function metric(target, name) {
  const text = await (await fetch(`${target.adminUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? NaN);
}

/** Opens TLS to 127.0.0.1:`port` for `servername`; resolves with the socket once authorized. */
function connectTls(port, servername, ca, alpn = ["h2", "http/1.1"]) {
  return new Promise((ok, fail) => {
    const socket = tls.connect({ host: "127.0.0.1", port, servername, ca, ALPNProtocols: alpn });
    socket.once("secureConnect", () => ok(socket));
    socket.once("error", fail);
  });
}

/** GET over HTTPS with `https` (HTTP/1.1), from the management API of Pebble or the host. */
function httpsGet(url, ca) {
  return new Promise((ok, fail) => {
    const req = httpsRequest(url, { ca }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => ok({ status: res.statusCode, body }));
    });
    req.on("error", fail);
    req.end();
  });
}

/** One HTTP/2 request on `session`; resolves with status, headers and the body. */
function h2Request(session, path, { method = "GET", body } = {}) {
  return new Promise((ok, fail) => {
    const stream = session.request({ ":method": method, ":path": path });
    const chunks = [];
    let headers;
    stream.on("response", (h) => (headers = h));
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => ok({ status: headers?.[":status"], headers, body: Buffer.concat(chunks) }));
    stream.on("error", fail);
    stream.end(body);
  });
}

function h2Connect(port, servername, ca) {
  const session = http2.connect(`https://${servername}:${port}`, {
    createConnection: () => tls.connect({ host: "127.0.0.1", port, servername, ca, ALPNProtocols: ["h2"] }),
  });
  return new Promise((ok, fail) => {
    session.once("connect", () => ok(session));
    session.once("error", fail);
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "flamingo-tls-"));
  app = await startApp();
  key = await keygen("ada");

  // DNS: every name is 127.0.0.1 (and has no IPv6 address).
  const [dnsPort, dnsMgmt, acmePort, mgmtPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  dns = launch("pebble-challtestsrv", [
    "-dns01", `127.0.0.1:${dnsPort}`, "-management", `127.0.0.1:${dnsMgmt}`,
    "-http01", "", "-https01", "", "-tlsalpn01", "", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
  ]);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${dnsMgmt}/`)).status > 0, { what: "pebble-challtestsrv", child: dns });

  // Pebble validates TLS-ALPN-01 on the tunnel host's HTTPS port.
  httpsPort = await freePort();
  const pebbleTls = await makeCerts("pebble", "IP:127.0.0.1,DNS:localhost");
  pebbleCa = await readFile(pebbleTls.ca, "utf8");
  const config = join(dir, "pebble.json");
  await writeFile(config, JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`,
      managementListenAddress: `127.0.0.1:${mgmtPort}`,
      certificate: pebbleTls.cert,
      privateKey: pebbleTls.key,
      httpPort: await freePort(),
      tlsPort: httpsPort,
      ocspResponderURL: "",
      externalAccountBindingRequired: false,
    },
  }));
  pebble = launch("pebble", ["-config", config, "-dnsserver", `127.0.0.1:${dnsPort}`], {
    env: { ...process.env, PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" },
  });
  pebbleMgmt = `https://127.0.0.1:${mgmtPort}`;
  await waitFor(async () => (await httpsGet(`https://127.0.0.1:${acmePort}/dir`, pebbleCa)).status === 200, {
    what: "pebble", child: pebble, timeoutMs: 30_000,
  });

  const dataDir = await mkdtemp(join(tmpdir(), "flamingo-tunnel-"));
  await writeFile(join(dataDir, "authorized_keys"), `${key.public.split(" ").slice(0, 2).join(" ")} ada\n`);
  host = await startTunnelHost({
    dataDir,
    args: [
      "--domain", DOMAIN, "--https-addr", `127.0.0.1:${httpsPort}`,
      "--acme-directory", `https://127.0.0.1:${acmePort}/dir`, "--acme-ca-root", pebbleTls.ca,
    ],
  });
  host.ownedDir = dataDir;
});

after(async () => {
  for (const child of sshClients) child.kill("SIGTERM");
  await host?.stop();
  if (host?.ownedDir) await rm(host.ownedDir, { recursive: true, force: true });
  await pebble?.stopGroup();
  await dns?.stopGroup();
  app?.wss.close();
  app?.server.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Pebble's root (and the intermediate it signs with), which issued the host's certificates. */
async function pebbleRoots() {
  const root = await httpsGet(`${pebbleMgmt}/roots/0`, pebbleCa);
  assert.equal(root.status, 200, root.body);
  return root.body;
}

test("an open tunnel gets a certificate from Pebble with a valid chain, and HTTP/2 serves it", async () => {
  const child = sshTunnel(host, "myapp");
  const info = await waitForTunnel(host, "myapp", child);
  assert.equal(info.public_url, `https://myapp.${DOMAIN}:${httpsPort}`, "the panel's link is https://");

  const roots = await pebbleRoots();
  const socket = await waitFor(() => connectTls(httpsPort, `myapp.${DOMAIN}`, roots), {
    what: "a certificate for myapp", child: host.child, timeoutMs: 90_000,
  });
  assert.equal(socket.authorized, true, String(socket.authorizationError));
  assert.equal(socket.alpnProtocol, "h2");
  const leaf = new X509Certificate(socket.getPeerX509Certificate().raw);
  assert.match(leaf.subjectAltName, new RegExp(`DNS:myapp\\.${DOMAIN.replace(".", "\\.")}`));
  assert.ok(leaf.checkIssued(leaf) === false, "not self-signed");
  socket.destroy();

  // The certificate and its key are stored owner-only in the data directory.
  const { stdout } = await run("stat", ["-c", "%a %n", join(host.dataDir, "acme/certs", `myapp.${DOMAIN}.key`), join(host.dataDir, "acme/account.json")]);
  for (const line of stdout.trim().split("\n")) assert.match(line, /^600 /);

  const session = await h2Connect(httpsPort, `myapp.${DOMAIN}`, roots);
  try {
    const page = await h2Request(session, "/");
    assert.equal(page.status, 200);
    assert.equal(page.body.toString(), `hello over https for myapp.${DOMAIN}:${httpsPort}`);
    // A streamed body both ways over HTTP/2.
    const body = Buffer.alloc(4 * ONE_MB, 7);
    const echoed = await h2Request(session, "/echo", { method: "POST", body });
    assert.equal(echoed.status, 200);
    assert.equal(createHash("sha256").update(echoed.body).digest("hex"), createHash("sha256").update(body).digest("hex"));
  } finally {
    session.close();
  }
  assert.equal(await metric(host, "tunnel_host_acme_certificates_total"), 1);
});

test("a WebSocket and a streamed body work over HTTPS (HTTP/1.1)", async () => {
  const roots = await pebbleRoots();
  const socket = new WebSocket(`wss://127.0.0.1:${httpsPort}/ws`, {
    headers: { host: `myapp.${DOMAIN}:${httpsPort}` },
    servername: `myapp.${DOMAIN}`,
    ca: roots,
  });
  await new Promise((ok, fail) => {
    socket.once("open", ok);
    socket.once("error", fail);
  });
  const back = new Promise((ok) => socket.once("message", (data) => ok(data.toString())));
  socket.send("hello over wss");
  assert.equal(await back, "hello over wss");
  const blob = Buffer.alloc(ONE_MB, 3);
  const blobBack = new Promise((ok) => socket.once("message", (data) => ok(data)));
  socket.send(blob);
  assert.deepEqual(await blobBack, blob);
  socket.close();

  const body = Buffer.alloc(2 * ONE_MB, 9);
  const echoed = await new Promise((ok, fail) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1", port: httpsPort, path: "/echo", method: "POST", servername: `myapp.${DOMAIN}`, ca: roots,
        headers: { host: `myapp.${DOMAIN}`, "transfer-encoding": "chunked" },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => ok({ status: res.statusCode, body: Buffer.concat(chunks), version: res.httpVersion }));
      },
    );
    req.on("error", fail);
    for (let i = 0; i < 8; i++) req.write(body.subarray(i * (body.length / 8), (i + 1) * (body.length / 8)));
    req.end();
  });
  assert.equal(echoed.status, 200);
  assert.equal(echoed.version, "1.1");
  assert.ok(echoed.body.equals(body));
});

test("a name that is neither open nor reserved gets no certificate order and no certificate", async () => {
  const roots = await pebbleRoots();
  const ordersBefore = await metric(host, "tunnel_host_acme_orders_total");
  const refusedBefore = await metric(host, "tunnel_host_acme_names_refused_total");
  for (const name of [`nobody.${DOMAIN}`, `random-${Date.now()}.${DOMAIN}`]) {
    await assert.rejects(connectTls(httpsPort, name, roots), (error) => {
      assert.match(String(error.code ?? error.message), /ERR_SSL|ECONNRESET|alert|handshake/i);
      return true;
    });
  }
  assert.equal(await metric(host, "tunnel_host_acme_orders_total"), ordersBefore, "no order placed");
  assert.equal(await metric(host, "tunnel_host_acme_names_refused_total"), refusedBefore + 2);
  assert.ok((await metric(host, "tunnel_host_tls_handshake_failures_total")) >= 2);
  // And the host still serves the open name.
  const socket = await connectTls(httpsPort, `myapp.${DOMAIN}`, roots);
  assert.equal(socket.authorized, true);
  socket.destroy();
});

test("a tunnel bound on port 443 has plain HTTP redirected to HTTPS; port 80 tunnels do not", async () => {
  const child = sshTunnel(host, "secure", 443);
  await waitForTunnel(host, "secure", child);
  const plain = (name) =>
    new Promise((ok, fail) => {
      const req = httpRequest({ host: "127.0.0.1", port: host.ports.http, path: "/a/b?c=d", headers: { host: `${name}.${DOMAIN}` } }, (res) => {
        res.resume();
        res.on("end", () => ok({ status: res.statusCode, headers: res.headers }));
      });
      req.on("error", fail);
      req.end();
    });
  const redirected = await plain("secure");
  assert.equal(redirected.status, 308);
  assert.equal(redirected.headers.location, `https://secure.${DOMAIN}:${httpsPort}/a/b?c=d`);
  assert.equal((await plain("myapp")).status, 200);
  // HSTS is off unless configured.
  const roots = await pebbleRoots();
  const session = await waitFor(() => h2Connect(httpsPort, `secure.${DOMAIN}`, roots), {
    what: "a certificate for secure", child: host.child, timeoutMs: 90_000,
  });
  try {
    const page = await h2Request(session, "/");
    assert.equal(page.status, 200);
    assert.equal(page.headers["strict-transport-security"], undefined);
  } finally {
    session.close();
  }
});

test("a wildcard certificate from files is reloaded when replaced, without dropping open connections", async () => {
  const first = await makeCerts("files-a", `DNS:*.${DOMAIN}`);
  const second = await makeCerts("files-b", `DNS:*.${DOMAIN}`);
  const certPath = join(dir, "served-cert.pem");
  const keyPath = join(dir, "served-key.pem");
  await writeFile(certPath, await readFile(first.cert));
  await writeFile(keyPath, await readFile(first.key));
  const dataDir = await mkdtemp(join(tmpdir(), "flamingo-tunnel-"));
  await writeFile(join(dataDir, "authorized_keys"), `${key.public.split(" ").slice(0, 2).join(" ")} ada\n`);
  const port = await freePort();
  const files = await startTunnelHost({
    dataDir,
    args: [
      "--domain", DOMAIN, "--https-addr", `127.0.0.1:${port}`, "--public-https-port", "443",
      "--tls-cert", certPath, "--tls-key", keyPath, "--tls-reload-interval", "200ms", "--hsts-max-age", "1h",
    ],
  });
  try {
    const child = sshTunnel(files, "filed");
    const info = await waitForTunnel(files, "filed", child);
    assert.equal(info.public_url, `https://filed.${DOMAIN}`);
    const caA = await readFile(first.ca, "utf8");
    const caB = await readFile(second.ca, "utf8");

    const session = await h2Connect(port, `filed.${DOMAIN}`, caA);
    const before = await h2Request(session, "/");
    assert.equal(before.status, 200);
    assert.equal(before.headers["strict-transport-security"], "max-age=3600");

    await writeFile(certPath, await readFile(second.cert));
    await writeFile(keyPath, await readFile(second.key));
    const socket = await waitFor(() => connectTls(port, `filed.${DOMAIN}`, caB), {
      what: "the replaced certificate served", child: files.child, timeoutMs: 30_000,
    });
    assert.equal(socket.authorized, true);
    socket.destroy();
    await assert.rejects(connectTls(port, `filed.${DOMAIN}`, caA), "the old certificate is no longer served");

    // The HTTP/2 connection opened before the reload keeps working.
    const afterReload = await h2Request(session, "/");
    assert.equal(afterReload.status, 200);
    assert.equal(afterReload.body.toString(), `hello over https for filed.${DOMAIN}:${port}`);
    session.close();
  } finally {
    await files.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
