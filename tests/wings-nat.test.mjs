// Wings behind NAT end to end: the Wings simulator listens on a loopback port
// Flamingo is never told (the node says wings.invalid:8080), and is reached
// only through a real OpenSSH `ssh -R` to a tunnel-host enrolled to the
// `wrangler dev` edge, run with the arguments the node's configuration gives
// (its own key, enrolled with the node token). A server on it is created and
// starts, its console streams through the relay and a file downloads through
// a signed URL, all at the tunnel address. A node key opens no other name or
// port, and a member's key cannot open the node's name or SFTP port.
//
// The Worker fetches `http://wings-nat.localhost:<tunnel-host http port>`
// (the plain HTTP listener; production uses https on 443): wrangler runs with
// a private /etc/hosts naming it (see startEdge's `hosts`).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, connect } from "node:net";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import WebSocket from "ws";
import { freePort, ROOT, startEdge, startTunnelHost, waitFor } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";
import { optionsFromConfig, readConfigYml, startWings } from "./wings-sim/index.mjs";

const run = promisify(execFile);
const PASSWORD = "correct horse battery";
const NAME = "wings-nat";

let dir;
let edge;
let owner;
let org;
let host;
let node;
let setup;
let sim;
let sftp;
let nodeKey;
let serverId;
const sshClients = [];

async function keygen(name) {
  const path = join(dir, name);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path]);
  return { path, public: (await readFile(`${path}.pub`, "utf8")).trim() };
}

/** Runs `ssh` with `args`, capturing its output. */
function ssh(args) {
  const child = spawn("ssh", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  child.output = () => output;
  child.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  sshClients.push(child);
  return child;
}

/** The configuration's ssh arguments, with this machine's paths and Wings' real loopback ports. */
function nodeArgs() {
  const args = [...setup.ssh_args];
  args[args.indexOf("-i") + 1] = nodeKey.path;
  return args.map((a) => {
    if (a.startsWith("UserKnownHostsFile=")) return `UserKnownHostsFile=${join(dir, "known_hosts")}`;
    if (a === `${NAME}:80:127.0.0.1:${node.daemon_port}`) return `${NAME}:80:127.0.0.1:${sim.port}`;
    if (a === `${setup.tunnel.sftp_port}:127.0.0.1:${node.sftp_port}`) return `${setup.tunnel.sftp_port}:127.0.0.1:${sftp.port}`;
    return a;
  });
}

/** `ssh -N -R <forward>` to the tunnel host with `key`; resolves with its exit code. */
function tryForward(key, forward) {
  return ssh([
    "-N", "-R", forward, "-p", String(host.ports.ssh), "-i", key.path,
    "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
    "-o", `UserKnownHostsFile=${join(dir, "known_hosts")}`, "-o", "ExitOnForwardFailure=yes",
    "wings@127.0.0.1",
  ]);
}

/** GET `path` from the tunnel host's HTTP listener as `<NAME>.localhost`. */
function viaTunnel(path) {
  return new Promise((ok, fail) => {
    const req = request(
      { host: "127.0.0.1", port: host.ports.http, path, headers: { host: `${NAME}.localhost:${host.ports.http}` } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => ok({ status: res.statusCode, body: Buffer.concat(chunks) }));
      },
    );
    req.on("error", fail);
    req.end();
  });
}

/** Whether a request the simulator received came through the tunnel host under the node's name. */
function throughTunnel(received) {
  const h = received.headers;
  return Boolean(h["x-forwarded-for"]) && (h["x-forwarded-host"] ?? h.host ?? "").startsWith(`${NAME}.localhost`);
}

/** Whether `ssh` was refused the forward (exit 255, the host said why). */
async function refused(child) {
  const code = await Promise.race([child.exited, new Promise((r) => setTimeout(() => r("running"), 30_000))]);
  assert.equal(code, 255, child.output());
  assert.match(child.output(), /remote port forwarding failed/, child.output());
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "flamingo-nat-"));
  edge = await startEdge({ hosts: { [`${NAME}.localhost`]: "127.0.0.1" } });
  owner = client(edge.url, { ip: "192.0.2.90" });
  const made = await owner.post("/api/setup", { name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Home" });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  org = made.json.memberships[0].slug;

  // The tunnel host, enrolled; its TCP ports from a free loopback port up.
  const low = await freePort();
  const enroll = await owner.post(`/api/orgs/${org}/tunnel-hosts`, { name: "vps" });
  assert.equal(enroll.status, 201, JSON.stringify(enroll.json));
  host = await startTunnelHost({
    args: ["--edge", edge.url, "--enroll", enroll.json.enrollment_token, "--tcp-port-range", `${low}-${low + 20}`],
  });
  const hostId = enroll.json.host.id;
  await waitFor(async () => (await owner.get(`/api/orgs/${org}/tunnel-hosts`)).json[0]?.tunnel_domain, {
    what: "the host's address", child: host.child,
  });

  // A node Flamingo knows only as wings.invalid:8080, marked as reached through the host.
  const created = await owner.post(`/api/orgs/${org}/nodes`, { name: "home", fqdn: "wings.invalid", scheme: "https", daemon_port: 8080, sftp_port: 2022 });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  node = created.json;
  const marked = await owner.post(`/api/orgs/${org}/nodes/${node.id}/tunnel`, {
    tunnel_host_id: hostId, name: NAME, sftp_port: low + 5, http_port: host.ports.http,
  });
  assert.equal(marked.status, 201, JSON.stringify(marked.json));
  assert.equal(marked.json.api_url, `http://${NAME}.localhost:${host.ports.http}`);

  const json = await owner.get(`/api/orgs/${org}/nodes/${node.id}/configuration?format=json`);
  assert.equal(json.status, 200, JSON.stringify(json.json));
  setup = { ...json.json.tunnel, tunnel: marked.json };
  assert.equal(json.json.config.api.host, "127.0.0.1");
  const yml = await fetch(`${edge.url}/api/orgs/${org}/nodes/${node.id}/configuration`, { headers: { cookie: owner.cookie, origin: edge.url } });
  const read = readConfigYml(await yml.text());
  assert.deepEqual(read.errors, []);

  // The Wings machine: the simulator on a port of its own, an SFTP stand-in, its key enrolled with the node token.
  sim = await startWings(optionsFromConfig(read.config, { port: 0, backoff: { initialMs: 50, maxIntervalMs: 200, maxElapsedMs: 2000 } }));
  sftp = createServer((socket) => socket.end("SSH-2.0-wings-sftp-stand-in\r\n"));
  await new Promise((ok) => sftp.listen(0, "127.0.0.1", ok));
  sftp.port = sftp.address().port;
  nodeKey = await keygen("node");
  const key = await fetch(`${edge.url}/api/remote/tunnel-key`, {
    method: "POST",
    headers: { authorization: `Bearer ${read.config.token_id}.${read.config.token}`, "content-type": "application/json" },
    body: JSON.stringify({ public_key: nodeKey.public }),
  });
  assert.equal(key.status, 200, await key.text());

  // Exactly the configuration's ssh command (paths and Wings' real ports aside).
  const tunnel = ssh(nodeArgs());
  await waitFor(async () => (await viaTunnel("/api/system")).status === 401, { what: "Wings through the tunnel", child: tunnel, timeoutMs: 30_000 });
});

after(async () => {
  for (const child of sshClients) child.kill("SIGTERM");
  await sim?.stop();
  sftp?.close();
  await host?.stop();
  await edge?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("the configuration's ssh command and unit are what a Debian machine runs", () => {
  assert.match(setup.ssh_command, /^\/usr\/bin\/ssh -N -T /);
  assert.ok(setup.ssh_args.includes(`${NAME}:80:127.0.0.1:8080`), setup.ssh_args.join(" "));
  assert.ok(setup.ssh_args.includes(`${setup.tunnel.sftp_port}:127.0.0.1:2022`), setup.ssh_args.join(" "));
  assert.match(setup.systemd_unit, new RegExp(`^ExecStart=${setup.ssh_command.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`, "m"));
  assert.match(setup.systemd_unit, /^Restart=always$/m);
  assert.match(setup.setup_command, /\/api\/remote\/tunnel-key/);
});

test("a node reached only through ssh -R: a server is created and starts, its console streams, a file downloads", async () => {
  const system = await owner.get(`/api/orgs/${org}/nodes/${node.id}/system`);
  assert.equal(system.status, 200, JSON.stringify(system.json));
  const seen = sim.requestsTo("GET", "/api/system");
  assert.ok(seen.length > 0);
  assert.ok(throughTunnel(seen.at(-1)), "through the tunnel host");

  assert.equal((await owner.post(`/api/orgs/${org}/nodes/${node.id}/allocations`, { ip: "127.0.0.1", ports: ["25565"] })).status, 201);
  const egg = await fetch(`${edge.url}/api/orgs/${org}/eggs/import`, {
    method: "POST",
    headers: { cookie: owner.cookie, origin: edge.url, "content-type": "application/json" },
    body: await readFile(join(ROOT, "edge-api/tests/fixtures/eggs/paper.ptdl_v2.json"), "utf8"),
  });
  assert.equal(egg.status, 201);
  const server = await owner.post(`/api/orgs/${org}/servers`, {
    name: "Behind NAT", node_id: node.id, egg_id: (await egg.json()).id, auto_allocation: true,
    limits: { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100 }, environment: { MINECRAFT_VERSION: "latest" },
    start_on_completion: false,
  });
  assert.equal(server.status, 201, JSON.stringify(server.json));
  serverId = server.json.server.id;
  await sim.idle();
  await waitFor(async () => ((await owner.get(`/api/orgs/${org}/servers/${serverId}`)).json?.server ?? {}).status === null, { what: "installed" });
  await waitFor(async () => Math.floor(Date.now() / 1000) > Math.floor(sim.wings.bootedAt / 1000), { what: "a second past the node's boot" });
  assert.equal((await owner.post(`/api/orgs/${org}/servers/${serverId}/power`, { signal: "start" })).status, 202);
  await sim.idle();
  assert.equal(sim.server(serverId).state, "running");

  // The console through the relay, whose socket to Wings goes through the tunnel.
  const ws = new WebSocket(`${edge.url.replace("http", "ws")}/api/orgs/${org}/servers/${serverId}/console`, {
    headers: { cookie: owner.cookie, origin: edge.url },
  });
  const frames = [];
  ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`console upgrade answered ${res.statusCode}`)));
    ws.once("error", reject);
  });
  await waitFor(() => [...(sim.server(serverId)?.sockets ?? [])].length > 0, { what: "the relay's socket to Wings" });
  const upstream = sim.requestsTo("GET", `/api/servers/${serverId}/ws`).at(-1);
  assert.ok(throughTunnel(upstream), JSON.stringify(upstream.headers));
  await waitFor(() => frames.some((f) => f.event === "status"), { what: "the console's status" });
  ws.send(JSON.stringify({ event: "send command", args: ["say hello through the tunnel"] }));
  await waitFor(
    () => frames.some((f) => f.event === "console output" && f.args[0].includes("say hello through the tunnel")),
    { what: "the command's output through the relay" },
  );
  ws.close();

  // A file through a signed URL at the tunnel address.
  const s = sim.wings.servers.get(serverId);
  const { Volume } = await import("./wings-sim/files.mjs");
  s.volume ??= new Volume();
  s.volume.write("/logs/latest.log", "it works behind NAT\n");
  const down = await owner.get(`/api/orgs/${org}/servers/${serverId}/files/download?file=/logs/latest.log`);
  assert.equal(down.status, 200, JSON.stringify(down.json));
  const url = new URL(down.json.url);
  assert.equal(url.host, `${NAME}.localhost:${host.ports.http}`);
  const file = await viaTunnel(`${url.pathname}${url.search}`);
  assert.equal(file.status, 200);
  assert.equal(file.body.toString(), "it works behind NAT\n");

  // SFTP details are the tunnel host's TCP port, which reaches the Wings machine.
  const details = await owner.get(`/api/orgs/${org}/servers/${serverId}/sftp`);
  assert.equal(details.status, 200, JSON.stringify(details.json));
  assert.deepEqual(
    { host: details.json.host, port: details.json.port },
    { host: "localhost", port: setup.tunnel.sftp_port },
  );
  const banner = await new Promise((ok, fail) => {
    const socket = connect(details.json.port, "127.0.0.1");
    let text = "";
    socket.on("data", (c) => (text += c));
    socket.on("end", () => ok(text));
    socket.on("error", fail);
  });
  assert.match(banner, /^SSH-2\.0-wings-sftp-stand-in/);
  assert.deepEqual(sim.problems, [], JSON.stringify(sim.problems, null, 2));
});

test("a node key opens no other name or port", async () => {
  await refused(tryForward(nodeKey, `myapp:80:127.0.0.1:${sim.port}`));
  await refused(tryForward(nodeKey, `80:127.0.0.1:${sim.port}`));
  await refused(tryForward(nodeKey, `0:127.0.0.1:${sftp.port}`));
  await refused(tryForward(nodeKey, `${setup.tunnel.sftp_port + 1}:127.0.0.1:${sftp.port}`));
});

test("a member's key cannot open the node's name or its SFTP port", async () => {
  const adaKey = await keygen("ada");
  const added = await owner.post("/api/me/ssh-keys", { name: "laptop", public_key: adaKey.public });
  assert.equal(added.status, 201, JSON.stringify(added.json));
  // With the node's tunnel down, its names stay the node's.
  for (const child of sshClients.splice(0)) {
    child.kill("SIGTERM");
    await child.exited;
  }
  await waitFor(async () => (await viaTunnel("/api/system")).status !== 401, { what: "the node's tunnel closed" });
  await refused(tryForward(adaKey, `${NAME}:80:127.0.0.1:${sim.port}`));
  await refused(tryForward(adaKey, `${setup.tunnel.sftp_port}:127.0.0.1:${sftp.port}`));
  // Her own names still open.
  const mine = tryForward(adaKey, `adas-app:80:127.0.0.1:${sim.port}`);
  await waitFor(
    async () => (await owner.get(`/api/orgs/${org}/tunnels`)).json.some((t) => t.name === "adas-app"),
    { what: "her tunnel listed", child: mine, timeoutMs: 30_000 },
  );
});
