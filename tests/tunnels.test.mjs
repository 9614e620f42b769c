// Tunnels end to end: a real OpenSSH client (`ssh -R`) against tunnel-host
// enrolled to a `wrangler dev` edge. HTTP, a WebSocket echo and a 10 MB body
// go through `<name>.localhost`; the panel API lists the tunnel live and
// kicks it (the next request gets 502); an unknown key walks the device
// flow; a restarted tunnel-host keeps its host key and reconnects; a
// viewer's event stream never carries what only managers may see; and in
// Chromium the panel's tunnel list updates live and kicks with confirmation.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import WebSocket, { WebSocketServer } from "ws";
import { getWithHost, startEdge, startTunnelHost, waitFor } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";
import { openEvents } from "./lib/sse.mjs";
import { assertAccessible, launchBrowser, openPage, screenshots } from "./lib/browser.mjs";

const run = promisify(execFile);
const PASSWORD = "correct horse battery";
const TEN_MB = 10 * 1024 * 1024;

let edge;
let owner;
let ownerId;
let viewer;
let org;
let dir;
let app;
let host;
let ownerEvents;
let viewerEvents;
let adaKey;
const sshClients = [];

/** The app behind the tunnels: a page, a streaming echo and a WebSocket echo. */
async function startApp() {
  const server = createServer((req, res) => {
    if (req.url === "/echo") {
      const hash = createHash("sha256");
      req.on("data", (chunk) => hash.update(chunk));
      res.writeHead(200, { "content-type": "application/octet-stream" });
      req.pipe(res);
      return;
    }
    res.writeHead(200, { "content-type": "text/plain", "x-seen-host": req.headers.host ?? "" });
    res.end(`hello from behind the tunnel, forwarded for ${req.headers["x-forwarded-for"]}`);
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (socket) => socket.on("message", (data, binary) => socket.send(data, { binary })));
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, wss, port: server.address().port };
}

async function keygen(name) {
  const path = join(dir, name);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path]);
  return { path, public: (await readFile(`${path}.pub`, "utf8")).trim() };
}

/** `ssh -N -R <name>:80:127.0.0.1:<app>` to the tunnel host with `key`. */
function sshTunnel(name, key, extra = []) {
  const child = spawn(
    "ssh",
    [
      "-N", "-R", `${name}:80:127.0.0.1:${app.port}`,
      "-p", String(host.ports.ssh), "-i", key.path,
      "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=accept-new",
      "-o", `UserKnownHostsFile=${join(dir, "known_hosts")}`, "-o", "ExitOnForwardFailure=yes",
      "-o", "ServerAliveInterval=5", "-o", "LogLevel=INFO",
      ...extra,
      "tunnel@127.0.0.1",
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

async function tunnels() {
  const res = await owner.get(`/api/orgs/${org}/tunnels`);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json;
}

async function tunnelNamed(name, child) {
  let found;
  await waitFor(
    async () => {
      found = (await tunnels()).find((t) => t.name === name);
      return found;
    },
    { timeoutMs: 30_000, what: `tunnel ${name} listed`, child },
  );
  return found;
}

async function hostStatus() {
  const res = await owner.get(`/api/orgs/${org}/tunnel-hosts`);
  return res.json[0]?.status;
}

/** Reads `stream` until an event of type `until`; returns every type seen. */
async function readUntil(stream, until) {
  const seen = [];
  for (;;) {
    const message = await stream.next({ timeoutMs: 30_000 });
    assert.ok(message, `stream ended before ${until}; saw ${seen.join(", ")}`);
    seen.push(message.event);
    if (message.event === until) return { seen, message };
  }
}

/** Sends `body` through the tunnel's `/echo` and returns what came back. */
function echo(port, hostname, body) {
  return new Promise((ok, fail) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/echo", method: "POST", headers: { host: hostname, "content-length": body.length } },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => ok({ status: res.statusCode, body: Buffer.concat(chunks) }));
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "flamingo-tunnels-"));
  edge = await startEdge();
  owner = client(edge.url, { ip: "198.51.100.30" });
  const setup = await owner.post("/api/setup", {
    name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Lab",
  });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;
  ownerId = setup.json.user.id;

  const invite = await owner.post(`/api/orgs/${org}/invitations`, { role: "viewer" });
  viewer = client(edge.url, { ip: "198.51.100.31" });
  const joined = await viewer.post(`/api/join/${invite.json.token}`, { name: "Vic", email: "vic@example.com", password: PASSWORD });
  assert.equal(joined.status, 201, JSON.stringify(joined.json));
  if (!viewer.cookie) assert.equal((await viewer.post("/api/auth/login", { email: "vic@example.com", password: PASSWORD })).status, 200);

  const stream = (who) => openEvents(`${edge.url}/api/orgs/${org}/events`, { headers: { cookie: who.cookie } });
  ownerEvents = await stream(owner);
  viewerEvents = await stream(viewer);
  for (const s of [ownerEvents, viewerEvents]) assert.equal((await s.next()).event, "ready");

  app = await startApp();
});

after(async () => {
  for (const child of sshClients) child.kill("SIGTERM");
  ownerEvents?.close();
  viewerEvents?.close();
  await host?.stop();
  app?.wss.close();
  app?.server.close();
  await edge?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("an enrolled tunnel host comes online, and only managers hear of the enrollment", async () => {
  const created = await owner.post(`/api/orgs/${org}/tunnel-hosts`, { name: "local" });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  assert.match(created.json.enrollment_token, /^fte_[A-Za-z0-9_-]{43}$/);
  host = await startTunnelHost({ args: ["--edge", edge.url, "--enroll", created.json.enrollment_token] });
  await waitFor(async () => (await hostStatus()) === "online", { timeoutMs: 30_000, what: "host online", child: host.child });

  const managers = await readUntil(ownerEvents, "host.online");
  assert.ok(managers.seen.includes("tunnel_host.enrolled"), managers.seen.join(", "));
  const viewers = await readUntil(viewerEvents, "host.online");
  assert.ok(!viewers.seen.includes("tunnel_host.enrolled"), viewers.seen.join(", "));
  assert.ok(viewers.seen.includes("audit.created"), "viewers still read the audit log");

  // The credential is on disk, owner-only; the token does not work twice.
  const stored = JSON.parse(await readFile(join(host.dataDir, "edge.json"), "utf8"));
  assert.match(stored.credential, /^fth_/);
  const again = await fetch(`${edge.url}/api/tunnel-hosts/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ enrollment_token: created.json.enrollment_token }),
  });
  assert.equal(again.status, 404);
});

test("ssh -R serves HTTP, a WebSocket and a 10 MB body through <name>.localhost", async () => {
  const key = await keygen("ada");
  adaKey = key;
  const added = await owner.post("/api/me/ssh-keys", { name: "laptop", public_key: key.public });
  assert.equal(added.status, 201, JSON.stringify(added.json));

  const ssh = sshTunnel("myapp", key);
  const listed = await tunnelNamed("myapp", ssh);
  assert.equal(listed.user.id, ownerId);
  assert.equal(listed.user.name, "Ada");
  assert.equal(listed.host.online, true);
  const opened = await readUntil(ownerEvents, "tunnel.opened");
  assert.equal(opened.message.data.name, "myapp");

  const page = await getWithHost(host.ports.http, "myapp.localhost");
  assert.equal(page.status, 200, page.body);
  assert.match(page.body, /^hello from behind the tunnel, forwarded for 127\.0\.0\.1/);

  const socket = new WebSocket(`ws://127.0.0.1:${host.ports.http}/ws`, { headers: { host: "myapp.localhost" } });
  await new Promise((ok, fail) => {
    socket.once("open", ok);
    socket.once("error", fail);
  });
  for (const text of ["ping", "a".repeat(70_000)]) {
    const back = new Promise((ok) => socket.once("message", (data) => ok(data.toString())));
    socket.send(text);
    assert.equal(await back, text);
  }
  socket.close();

  const body = randomBytes(TEN_MB);
  const echoed = await echo(host.ports.http, "myapp.localhost", body);
  assert.equal(echoed.status, 200);
  assert.equal(echoed.body.length, TEN_MB);
  assert.equal(createHash("sha256").update(echoed.body).digest("hex"), createHash("sha256").update(body).digest("hex"));
});

test("a kick from the panel closes the tunnel; the next request gets 502", async () => {
  const [tunnel] = (await tunnels()).filter((t) => t.name === "myapp");
  assert.ok(tunnel, "myapp is open");
  const denied = await viewer.delete(`/api/orgs/${org}/tunnels/${tunnel.id}`);
  assert.equal(denied.status, 403);

  const kicked = await owner.delete(`/api/orgs/${org}/tunnels/${tunnel.id}`);
  assert.equal(kicked.status, 204, JSON.stringify(kicked.json));
  const after = await getWithHost(host.ports.http, "myapp.localhost");
  assert.equal(after.status, 502, after.body);
  assert.ok(!(await tunnels()).some((t) => t.id === tunnel.id), "no longer listed");
  const closed = await readUntil(ownerEvents, "tunnel.closed");
  assert.equal(closed.message.data.name, "myapp");
  const audit = await owner.get(`/api/orgs/${org}/audit`);
  assert.ok(audit.json.items.some((e) => e.action === "tunnel.kick" && e.metadata.name === "myapp"));
});

test("an unknown key walks the device flow and then gets its tunnel", async () => {
  const key = await keygen("newcomer");
  const ssh = sshTunnel("newapp", key);
  let code;
  await waitFor(
    () => {
      code = ssh.output().match(/\b([B-DF-HJ-NP-TV-Z]{4}-[B-DF-HJ-NP-TV-Z]{4})\b/)?.[1];
      return code;
    },
    { timeoutMs: 30_000, what: "a device code from ssh", child: ssh },
  );
  assert.match(ssh.output(), new RegExp(`${edge.url}/activate`));
  assert.equal((await owner.post("/api/activate", { code: "BCDF-GHJK" })).status, 404);
  const approved = await owner.post("/api/activate", { code: code.toLowerCase() });
  assert.equal(approved.status, 204, JSON.stringify(approved.json));

  const listed = await tunnelNamed("newapp", ssh);
  assert.equal(listed.user.id, ownerId);
  const page = await getWithHost(host.ports.http, "newapp.localhost");
  assert.equal(page.status, 200);
  const keys = await owner.get("/api/me/ssh-keys");
  assert.equal(keys.json.length, 2, "the new key is now the owner's");
});

test("a restarted tunnel host keeps its host key and reconnects with its stored credential", async () => {
  const scan = async () => (await run("ssh-keyscan", ["-t", "ed25519", "-p", String(host.ports.ssh), "127.0.0.1"])).stdout.split(/\s+/)[2];
  const before = await scan();
  assert.match(before, /^AAAA/);
  const { dataDir } = host;
  await host.child.stopGroup();
  await waitFor(async () => (await hostStatus()) === "offline", { timeoutMs: 120_000, what: "host offline" });

  host = await startTunnelHost({ dataDir, args: ["--edge", edge.url] });
  assert.equal(await scan(), before);
  await waitFor(async () => (await hostStatus()) === "online", { timeoutMs: 30_000, what: "host back online", child: host.child });
  // The client that pinned the key in known_hosts connects again, strictly.
  const key = await keygen("ada-again");
  assert.equal((await owner.post("/api/me/ssh-keys", { name: "desktop", public_key: key.public })).status, 201);
  const ssh = sshTunnel("again", key, ["-o", "StrictHostKeyChecking=yes"]);
  await tunnelNamed("again", ssh);
});

test("the panel's tunnel list updates live, and a kick asks first", async () => {
  const browser = await launchBrowser();
  try {
    const tab = await openPage(browser, edge.url);
    const [name, value] = owner.cookie.split("=");
    await tab.context.addCookies([{ name, value, url: edge.url }]);
    await tab.page.goto(`/o/${org}/tunnels`);
    await tab.page.getByRole("heading", { level: 1, name: "Tunnels" }).waitFor();
    // Each tunnel shows its full public URL as the link.
    await tab.page.getByRole("link", { name: `http://again.localhost:${host.ports.http}`, exact: true }).waitFor();

    // A tunnel opened now shows up without a reload.
    sshTunnel("liveapp", adaKey);
    const row = tab.page
      .getByRole("row")
      .filter({ has: tab.page.getByRole("link", { name: `http://liveapp.localhost:${host.ports.http}`, exact: true }) });
    await row.waitFor({ timeout: 30_000 });
    await screenshots(tab.page, "tunnels-live");
    await assertAccessible(tab.page, "tunnels-live");

    await row.getByRole("button", { name: "Kick liveapp" }).click();
    const dialog = tab.page.getByRole("alertdialog");
    await dialog.getByRole("button", { name: "Kick tunnel" }).click();
    // While the dialog is open (or closing) the page behind it is aria-hidden,
    // so no row matches by role: only once it is gone does "detached" mean the
    // list dropped the tunnel.
    await dialog.waitFor({ state: "detached" });
    await tab.page.getByText("Kicked liveapp").waitFor();
    await row.waitFor({ state: "detached", timeout: 30_000 });
    // The edge lists a tunnel until the host reports it closed, and the host
    // reports that after it stopped routing to it.
    await waitFor(async () => !(await tunnels()).some((t) => t.name === "liveapp"), { what: "liveapp unlisted" });
    assert.equal((await getWithHost(host.ports.http, "liveapp.localhost")).status, 502);
    tab.assertClean();
  } finally {
    await browser.close();
  }
});

test("after the edge restarts, a host whose link died with it reads offline at once", async () => {
  assert.equal(await hostStatus(), "online");
  const { dataDir } = host;
  // The edge stops first, so its link object never sees the socket close;
  // then the host stops while the edge is away.
  await edge.stop({ keepState: true });
  await host.child.stopGroup();
  edge = await startEdge({ state: edge.state, port: Number(new URL(edge.url).port) });

  // Without the socket the link is offline now, not when the 90 s alarm fires.
  assert.equal(await hostStatus(), "offline");
  const listed = await owner.get(`/api/orgs/${org}/tunnels`);
  assert.equal(listed.status, 200);
  assert.ok(listed.json.length > 0, "the host's last reported tunnels stay listed");
  assert.ok(listed.json.every((t) => t.host.online === false), JSON.stringify(listed.json));

  // The host comes back with its stored credential and reports what it serves now.
  host = await startTunnelHost({ dataDir, args: ["--edge", edge.url] });
  await waitFor(async () => (await hostStatus()) === "online", { timeoutMs: 30_000, what: "host back online", child: host.child });
  await waitFor(async () => (await owner.get(`/api/orgs/${org}/tunnels`)).json.length === 0, {
    timeoutMs: 30_000, what: "the stale tunnels replaced by the host's hello",
  });
});
