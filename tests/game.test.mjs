// Game servers end to end: Flamingo under `wrangler dev` drives the strict
// Wings simulator (tests/wings-sim) as it would drive an unmodified Wings
// node. The node's config.yml is read as Wings reads it and the simulator
// runs from it; eggs of every format import, export as PLCN_v3 and import
// again elsewhere unchanged, and a server of each runs on the simulator
// without a problem; a server is created (Wings calls back before it answers),
// installed, started, sent a command, suspended, unsuspended, reinstalled
// and deleted; the node boots with 120 servers and fetches each exactly
// once; SFTP logins are answered per the contract; a removed subuser is
// deauthorized on Wings; a node that is down is a 502 naming it. Every test
// ends with the simulator having recorded no problem: nothing Flamingo sent
// or answered was refused or mangled by Wings' Go decoding. The eggs are the
// eggs lane's public fixtures (edge-api/tests/fixtures/eggs), one of each format.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { d1, freePort, ROOT, startEdge, waitFor } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";
import { optionsFromConfig, readConfigYml, startWings } from "./wings-sim/index.mjs";
import YAML from "yaml";
import WebSocket from "ws";

const run = promisify(execFile);
const PASSWORD = "correct horse battery";
const FIXTURES = join(ROOT, "edge-api/tests/fixtures/eggs");
const BACKOFF = { initialMs: 50, maxIntervalMs: 200, maxElapsedMs: 2000 };

let edge;
let owner;
let org;
let node;
let config;
let sim;
let egg;
let dir;

/** A raw body (an egg file) to `path` with the owner's session. */
async function raw(method, path, body, type) {
  const res = await fetch(`${edge.url}${path}`, {
    method,
    headers: { origin: edge.url, "cf-connecting-ip": "192.0.2.60", cookie: owner.cookie, "content-type": type },
    body,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

/** The server object of a server answer ({server, allocations, permissions} or the server itself). */
function serverOf(res) {
  return res.json?.server ?? res.json ?? {};
}

/** Values for an egg's required variables that have no default, fitting their Laravel-style rules. */
function requiredValues(definition) {
  const out = {};
  for (const v of definition.variables) {
    if (v.default_value !== "" || !v.rules.includes("required")) continue;
    const rule = (name) => v.rules.find((r) => r === name || r.startsWith(`${name}:`))?.split(":").slice(1).join(":");
    if (rule("in") !== undefined) out[v.env_variable] = rule("in").split(",")[0];
    else if (v.rules.includes("boolean")) out[v.env_variable] = "1";
    else if (v.rules.includes("integer") || v.rules.includes("numeric")) out[v.env_variable] = rule("between")?.split(",")[0] ?? rule("min") ?? "1";
    else {
      const length = Number(rule("size") ?? Math.min(Math.max(Number(rule("min") ?? 6), 6), Number(rule("max") ?? 64)));
      out[v.env_variable] = "a1".repeat(length).slice(0, length);
    }
  }
  return out;
}

/** The simulator has seen nothing wrong; shows what it saw otherwise. */
function clean() {
  assert.deepEqual(sim.problems, [], JSON.stringify(sim.problems, null, 2));
}

/** A member invited with `role` who has signed in, as a client. */
async function member(name, role) {
  const invite = await owner.post(`/api/orgs/${org}/invitations`, { role });
  assert.equal(invite.status, 201, JSON.stringify(invite.json));
  const who = client(edge.url, { ip: "192.0.2.61" });
  const email = `${name.toLowerCase()}@example.com`;
  const joined = await who.post(`/api/join/${invite.json.token}`, { name, email, password: PASSWORD });
  assert.equal(joined.status, 201, JSON.stringify(joined.json));
  if (!who.cookie) assert.equal((await who.post("/api/auth/login", { email, password: PASSWORD })).status, 200);
  const me = await who.get("/api/auth/me");
  return { client: who, email, id: me.json.user?.id ?? me.json.id };
}

/** Creates a server on the node from `egg` with the first free allocation; answers the API's reply. */
function createServer(name, extra = {}) {
  return owner.post(`/api/orgs/${org}/servers`, {
    name,
    node_id: node.id,
    egg_id: egg.id,
    auto_allocation: true,
    limits: { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100 },
    environment: {},
    start_on_completion: false,
    ...extra,
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "flamingo-game-"));
  edge = await startEdge();
  owner = client(edge.url, { ip: "192.0.2.60" });
  const setup = await owner.post("/api/setup", { name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Games" });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;

  const port = await freePort();
  const created = await owner.post(`/api/orgs/${org}/nodes`, { name: "sim", fqdn: "127.0.0.1", scheme: "http", daemon_port: port, sftp_port: 2022 });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  node = created.json;
  assert.equal(node.token, undefined, "a node's token is never returned outside its configuration");
  const yml = await raw("GET", `/api/orgs/${org}/nodes/${node.id}/configuration`, undefined, "application/json");
  assert.equal(yml.status, 200, yml.text);
  const read = readConfigYml(yml.text);
  assert.deepEqual(read.errors, []);
  config = read.config;
  sim = await startWings(optionsFromConfig(config, { backoff: BACKOFF }));

  const allocations = await owner.post(`/api/orgs/${org}/nodes/${node.id}/allocations`, { ip: "127.0.0.1", ports: ["25565", "25570-25700"] });
  assert.equal(allocations.status, 201, JSON.stringify(allocations.json));
  const paper = await raw("POST", `/api/orgs/${org}/eggs/import`, await readFile(join(FIXTURES, "paper.ptdl_v2.json"), "utf8"), "application/json");
  assert.equal(paper.status, 201, paper.text);
  egg = { id: paper.json.id, uuid: paper.json.definition.uuid };
});

after(async () => {
  await sim?.stop();
  await edge?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("the node's config.yml holds what Wings reads, and the simulator boots from it", async () => {
  assert.equal(config.uuid, node.uuid ?? node.id);
  assert.match(config.token_id, /^\S{8,}$/);
  assert.match(config.token, /^\S{32,}$/);
  assert.equal(config.remote, edge.url, "the panel's URL, no trailing slash");
  assert.equal(config.api.port, node.daemon_port);
  assert.equal(config.api.ssl.enabled, false);
  assert.equal(config.api.upload_limit, 100);
  assert.equal(config.system.data, "/var/lib/pelican/volumes");
  assert.equal(config.system.sftp.bind_port, 2022);
  assert.deepEqual(config.allowed_mounts, []);
  assert.ok(config.allowed_origins.includes(edge.url), JSON.stringify(config.allowed_origins));
  assert.equal(config.remote_query.timeout, 30);
  assert.equal(config.remote_query.boot_servers_per_page, 50);
  const json = await owner.get(`/api/orgs/${org}/nodes/${node.id}/configuration?format=json`);
  assert.equal(json.status, 200, JSON.stringify(json.json));
  assert.equal(JSON.stringify(json.json).includes(config.token), true, "the JSON form carries the same token");

  // The boot the simulator made: page 0 of an empty node, then the reset.
  assert.deepEqual(sim.callsTo("GET", "/api/remote/servers").map((c) => [c.query.page, c.status]), [["0", 200]]);
  await sim.idle();
  assert.deepEqual(sim.callsTo("POST", "/api/remote/servers/reset").map((c) => c.status >= 200 && c.status < 300), [true]);
  assert.deepEqual(sim.bootResult.pages, [{ current_page: 1, from: 0, last_page: 1, per_page: 50, to: 0, total: 0 }]);

  // Live system information goes through Flamingo's Wings client.
  const system = await owner.get(`/api/orgs/${org}/nodes/${node.id}/system`);
  assert.equal(system.status, 200, JSON.stringify(system.json));
  assert.ok(sim.requestsTo("GET", "/api/system").length >= 1);
  assert.ok(sim.requestsTo("GET", "/api/system/utilization").length >= 1);
  for (const r of sim.received) assert.equal(r.headers.authorization, `Bearer ${config.token}`);
  clean();
});

test("one egg of each format imports, exports as PLCN_v3 (JSON and YAML) and imports again unchanged; a server of each is clean on Wings", async () => {
  const files = (await readdir(FIXTURES)).filter((f) => /\.(json|yaml)$/.test(f)).sort();
  const elsewhere = await owner.post("/api/orgs", { name: "Round trip" });
  assert.equal(elsewhere.status, 201, JSON.stringify(elsewhere.json));
  const other = elsewhere.json.slug;
  const formats = new Set();
  const seen = new Map([[egg.uuid, egg.id]]);
  for (const file of files) {
    const text = await readFile(join(FIXTURES, file), "utf8");
    // PTDL files may have no uuid (Flamingo then gives the egg one).
    const uuid = (file.endsWith(".yaml") ? YAML.parse(text) : JSON.parse(text)).uuid;
    const imported = await raw("POST", `/api/orgs/${org}/eggs/import`, text, file.endsWith(".yaml") ? "application/yaml" : "application/json");
    if (uuid && seen.has(uuid)) {
      assert.equal(imported.status, 409, `${file}: an egg with this uuid is already in: ${imported.text}`);
      continue;
    }
    assert.equal(imported.status, 201, `${file}: ${imported.text}`);
    if (uuid) assert.equal(imported.json.definition.uuid, uuid, `${file}: the egg keeps its uuid`);
    seen.set(imported.json.definition.uuid, imported.json.id);
    formats.add(file.split(".")[1]);
    const exported = await raw("GET", `/api/orgs/${org}/eggs/${imported.json.id}/export`, undefined, "application/json");
    assert.equal(exported.status, 200, file);
    const json = JSON.parse(exported.text);
    assert.equal(json.meta.version, "PLCN_v3", file);
    assert.equal(json.uuid, imported.json.definition.uuid, file);
    const yaml = await raw("GET", `/api/orgs/${org}/eggs/${imported.json.id}/export?format=yaml`, undefined, "application/json");
    assert.equal(yaml.status, 200, file);
    // As Pelican's exports: the JSON form keeps config.files/startup/logs as
    // JSON strings, the YAML form writes them out as mappings.
    const normal = (e) => {
      delete e.exported_at;
      for (const k of ["files", "startup", "logs"]) if (typeof e.config[k] === "string") e.config[k] = JSON.parse(e.config[k]);
      return e;
    };
    assert.deepEqual(normal(YAML.parse(yaml.text)), normal(structuredClone(json)), `${file}: the YAML export says what the JSON one says`);
    const again = await raw("POST", `/api/orgs/${other}/eggs/import`, exported.text, "application/json");
    assert.equal(again.status, 201, `${file} re-imported: ${again.text}`);
    assert.deepEqual(again.json.definition, imported.json.definition, `${file}: the export imports back to the same egg`);
  }
  assert.deepEqual([...formats].sort(), ["plcn_v1", "plcn_v2", "plcn_v3", "ptdl_v1", "ptdl_v2"]);
  const notAnEgg = await raw("POST", `/api/orgs/${org}/eggs/import`, JSON.stringify({ hello: "world" }), "application/json");
  assert.equal(notAnEgg.status, 422, notAnEgg.text);
  assert.equal(notAnEgg.json.error.code, "invalid");

  // A server of every egg: Wings decodes its settings and process configuration without a problem.
  for (const [uuid, eggId] of seen) {
    const definition = (await owner.get(`/api/orgs/${org}/eggs/${eggId}`)).json.definition;
    const created = await owner.post(`/api/orgs/${org}/servers`, {
      name: `Egg ${uuid.slice(0, 8)}`, node_id: node.id, egg_id: eggId, auto_allocation: true,
      limits: { memory: 2048, swap: 0, disk: 10240, io: 500, cpu: 200 }, environment: requiredValues(definition), start_on_completion: false,
    });
    assert.equal(created.status, 201, `${uuid}: ${JSON.stringify(created.json)}`);
    const id = serverOf(created).id;
    await sim.idle();
    assert.ok(sim.server(id), uuid);
    assert.equal(sim.server(id).config.egg.id, uuid);
    assert.ok(sim.server(id).process.configs !== null, uuid);
    assert.equal((await owner.delete(`/api/orgs/${org}/servers/${id}`)).status, 204);
  }
  clean();
});

test("a server's life on Wings: create, install, start, command, suspend, unsuspend, reinstall, delete", async () => {
  const created = await createServer("Paper one", { environment: { MINECRAFT_VERSION: "latest" } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const id = serverOf(created).id;
  // Wings called back for the configuration before it answered the create.
  const create = sim.requestsTo("POST", "/api/servers").at(-1);
  assert.deepEqual(JSON.parse(create.body), { uuid: id, start_on_completion: false });
  assert.equal(create.status, 202);
  assert.deepEqual(sim.callsTo("GET", `/api/remote/servers/${id}`)[0].during, ["POST /api/servers"], "called back before answering");
  assert.equal(sim.callsTo("GET", `/api/remote/servers/${id}`)[0].status, 200);
  await sim.idle();
  assert.deepEqual(sim.callsTo("POST", `/api/remote/servers/${id}/install`).map((c) => JSON.parse(c.body)), [{ successful: true, reinstall: false }]);
  assert.equal(sim.callsTo("POST", `/api/remote/servers/${id}/install`)[0].status < 300, true);
  const wingsServer = sim.server(id);
  assert.ok(wingsServer.environment().includes("MINECRAFT_VERSION=latest"), wingsServer.environment().join("\n"));
  assert.equal(wingsServer.config.egg.id, egg.uuid);
  await waitFor(async () => serverOf(await owner.get(`/api/orgs/${org}/servers/${id}`)).status === null, { what: "installed" });

  assert.equal((await owner.post(`/api/orgs/${org}/servers/${id}/power`, { signal: "start" })).status, 202);
  assert.deepEqual(JSON.parse(sim.requestsTo("POST", `/api/servers/${id}/power`).at(-1).body).action, "start");
  await sim.idle();
  assert.equal(wingsServer.state, "running");
  await waitFor(async () => serverOf(await owner.get(`/api/orgs/${org}/servers/${id}`)).container_state === "running", { what: "state running from the container status push" });
  assert.ok(sim.callsTo("POST", `/api/remote/servers/${id}/container/status`).every((c) => c.status < 300));
  const live = await owner.get(`/api/orgs/${org}/servers/${id}/resources`);
  assert.equal(live.status, 200, JSON.stringify(live.json));
  assert.deepEqual([live.json.state, live.json.is_suspended, live.json.utilization.memory_limit_bytes], ["running", false, 1024 * 1024 * 1024]);
  assert.equal(sim.requestsTo("GET", `/api/servers/${id}`).at(-1).status, 200);

  assert.equal((await owner.post(`/api/orgs/${org}/servers/${id}/command`, { command: "say hello" })).status, 204);
  assert.deepEqual(JSON.parse(sim.requestsTo("POST", `/api/servers/${id}/commands`).at(-1).body), { commands: ["say hello"] });
  assert.deepEqual(sim.server(id).stdin, ["say hello"]);

  const syncs = sim.requestsTo("POST", `/api/servers/${id}/sync`).length;
  const suspended = await owner.post(`/api/orgs/${org}/servers/${id}/suspend`);
  assert.equal(suspended.status, 200, JSON.stringify(suspended.json));
  assert.equal(sim.requestsTo("POST", `/api/servers/${id}/sync`).length, syncs + 1);
  assert.equal(sim.server(id).suspended, true, "suspend synced the config to Wings");
  const powers = sim.requestsTo("POST", `/api/servers/${id}/power`).length;
  const refused = await owner.post(`/api/orgs/${org}/servers/${id}/power`, { signal: "start" });
  assert.deepEqual([refused.status, refused.json.error.code], [409, "server_suspended"]);
  assert.equal((await owner.post(`/api/orgs/${org}/servers/${id}/unsuspend`)).status, 200);
  assert.equal(sim.server(id).suspended, false);
  assert.equal(sim.requestsTo("POST", `/api/servers/${id}/power`).length, powers, "nothing was sent to Wings while suspended");

  assert.equal((await owner.post(`/api/orgs/${org}/servers/${id}/reinstall`)).status, 202);
  await sim.idle();
  assert.deepEqual(sim.callsTo("POST", `/api/remote/servers/${id}/install`).map((c) => JSON.parse(c.body).reinstall), [false, true]);

  assert.equal((await owner.delete(`/api/orgs/${org}/servers/${id}`)).status, 204);
  assert.equal(sim.server(id), undefined);
  assert.equal((await owner.get(`/api/orgs/${org}/servers/${id}`)).status, 404);
  clean();
});

test("the node boots with 120 servers and fetches each exactly once", async () => {
  const ids = [];
  for (let i = 0; i < 120; i++) {
    const r = await createServer(`Boot ${i}`);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    ids.push(serverOf(r).id);
  }
  await sim.idle();
  const before = sim.calls.length;
  const result = await sim.reboot();
  await sim.idle();
  const boot = sim.calls.slice(before).filter((c) => c.path === "/api/remote/servers");
  assert.deepEqual(boot.map((c) => c.query.page).sort(), ["0", "2", "3"]);
  assert.deepEqual(result.skipped, []);
  assert.equal(new Set(result.loaded).size, result.loaded.length, "no server twice");
  for (const id of ids) assert.ok(result.loaded.includes(id), id);
  assert.equal(sim.calls.slice(before).filter((c) => c.path === "/api/remote/servers/reset").length, 1);
  clean();
});

test("live figures for the list: one GET /api/servers per node, a node that is down reported with a sentence", async () => {
  const started = await createServer("Figures");
  assert.equal(started.status, 201, JSON.stringify(started.json));
  const id = serverOf(started).id;
  await sim.idle();
  assert.equal((await owner.post(`/api/orgs/${org}/servers/${id}/power`, { signal: "start" })).status, 202);
  await sim.idle();
  const downPort = await freePort();
  const down = await owner.post(`/api/orgs/${org}/nodes`, { name: "sim-down", fqdn: "127.0.0.1", scheme: "http", daemon_port: downPort, sftp_port: 2022 });
  assert.equal(down.status, 201, JSON.stringify(down.json));
  const lists = sim.requestsTo("GET", "/api/servers").length;
  const singles = sim.received.filter((r) => r.method === "GET" && r.path.startsWith("/api/servers/")).length;
  const figures = await owner.get(`/api/orgs/${org}/servers/utilization`);
  assert.equal(figures.status, 200, JSON.stringify(figures.json));
  assert.deepEqual(figures.json.nodes[node.id], { online: true });
  assert.equal(figures.json.nodes[down.json.id].online, false);
  assert.match(figures.json.nodes[down.json.id].error, /sim-down could not be reached/);
  assert.equal(sim.requestsTo("GET", "/api/servers").length, lists + 1, "one call for the whole node");
  assert.equal(sim.received.filter((r) => r.method === "GET" && r.path.startsWith("/api/servers/")).length, singles, "never one per server");
  const total = (await owner.get(`/api/orgs/${org}/servers?limit=1`)).json.total;
  assert.equal(Object.keys(figures.json.servers).length, total, "every server of the node that answered");
  const mine = figures.json.servers[id];
  assert.equal(mine.state, "running");
  assert.equal(mine.memory_limit_bytes, 1024 * 1024 * 1024);
  for (const key of ["cpu_absolute", "memory_bytes", "disk_bytes", "network_rx_bytes", "network_tx_bytes", "uptime_ms"]) assert.equal(typeof mine[key], "number", key);
  assert.equal((await owner.post(`/api/orgs/${org}/servers/${id}/power`, { signal: "kill" })).status, 202);
  await sim.idle();
  assert.equal((await owner.delete(`/api/orgs/${org}/nodes/${down.json.id}`)).status, 204);
  clean();
});

test("SFTP auth: a password, a key, a subuser without file.sftp and a wrong password", async () => {
  const created = await createServer("Files");
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const { id, short_id: short } = serverOf(created);
  await sim.idle();
  assert.equal(short, id.slice(0, 8));

  const ok = await sim.sftpAuth({ username: `ada@example.com.${short}`, password: PASSWORD });
  assert.deepEqual([ok.ok, ok.server], [true, id], JSON.stringify(ok));
  assert.deepEqual(ok.permissions, ["*"]);

  const wrong = await sim.sftpAuth({ username: `ada@example.com.${short}`, password: "not it" });
  assert.deepEqual([wrong.ok, wrong.reason], [false, "invalid credentials"]);

  const keyPath = join(dir, "ada");
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f", keyPath]);
  const publicKey = (await readFile(`${keyPath}.pub`, "utf8")).trim();
  assert.equal((await owner.post("/api/me/ssh-keys", { name: "laptop", public_key: publicKey })).status, 201);
  const key = await sim.sftpAuth({ type: "public_key", username: `ada@example.com.${short}`, password: `${publicKey.split(" ").slice(0, 2).join(" ")}\n` });
  assert.deepEqual([key.ok, key.server], [true, id], JSON.stringify(key));

  const viewer = await member("Vera", "viewer");
  const sub = await owner.post(`/api/orgs/${org}/servers/${id}/subusers`, { email: viewer.email, permissions: ["control.console", "file.read"] });
  assert.equal(sub.status, 201, JSON.stringify(sub.json));
  const denied = await sim.sftpAuth({ username: `${viewer.email}.${short}`, password: PASSWORD });
  assert.deepEqual([denied.ok, denied.reason], [false, "invalid credentials"]);
  const allowed = await owner.patch(`/api/orgs/${org}/servers/${id}/subusers/${viewer.id}`, { permissions: ["file.sftp", "file.read"] });
  assert.equal(allowed.status, 200, JSON.stringify(allowed.json));
  const granted = await sim.sftpAuth({ username: `${viewer.email}.${short}`, password: PASSWORD });
  assert.equal(granted.ok, true, JSON.stringify(granted));
  assert.deepEqual([...granted.permissions].sort(), ["file.read", "file.sftp"]);
  clean();
});

test("a removed subuser is deauthorized on Wings: SFTP closed, earlier tokens denied", async () => {
  const created = await createServer("Shared");
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const id = serverOf(created).id;
  await sim.idle();
  const guest = await member("Gus", "viewer");
  assert.equal((await owner.post(`/api/orgs/${org}/servers/${id}/subusers`, { email: guest.email, permissions: ["file.sftp", "websocket.connect"] })).status, 201);
  const login = await sim.sftpAuth({ username: `${guest.email}.${id.slice(0, 8)}`, password: PASSWORD });
  assert.equal(login.ok, true, JSON.stringify(login));
  const removed = await owner.delete(`/api/orgs/${org}/servers/${id}/subusers/${guest.id}`);
  assert.equal(removed.status, 200, JSON.stringify(removed.json));
  assert.deepEqual(removed.json, { removed: true, deauthorized: true, message: null });
  const deauth = sim.requestsTo("POST", "/api/deauthorize-user").at(-1);
  assert.deepEqual(JSON.parse(deauth.body), { user: guest.id, servers: [id] });
  assert.equal(deauth.status, 204);
  assert.equal(login.session.open, false, "the SFTP session was closed");
  const again = await sim.sftpAuth({ username: `${guest.email}.${id.slice(0, 8)}`, password: PASSWORD });
  assert.equal(again.ok, false);
  clean();
});

test("a new person invited to one server: the /join link makes an account and a subuser of that server only", async () => {
  const created = await createServer("Invited");
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const { id, short_id: short } = serverOf(created);
  await sim.idle();
  const invite = await owner.post(`/api/orgs/${org}/servers/${id}/subusers`, { email: "nina@example.com", permissions: ["websocket.connect", "file.read", "file.sftp"] });
  assert.equal(invite.status, 201, JSON.stringify(invite.json));
  assert.deepEqual([invite.json.pending, invite.json.user_id], [true, null]);
  assert.match(invite.json.url, /^\/join\/\S{20,}$/);
  const token = invite.json.url.slice("/join/".length);
  const listed = await owner.get(`/api/orgs/${org}/servers/${id}/subusers`);
  assert.deepEqual(listed.json.map((s) => [s.email, s.pending, s.url]), [["nina@example.com", true, undefined]]);

  const nina = client(edge.url, { ip: "192.0.2.63" });
  const preview = await nina.get(`/api/join/${token}`);
  assert.equal(preview.status, 200, JSON.stringify(preview.json));
  assert.deepEqual([preview.json.role, preview.json.server.id, preview.json.server.name], [null, id, "Invited"]);
  const joined = await nina.post(`/api/join/${token}`, { name: "Nina", email: "nina@example.com", password: PASSWORD });
  assert.equal(joined.status, 201, JSON.stringify(joined.json));
  assert.deepEqual(joined.json.memberships, [], "a subuser, not a member");
  assert.ok(nina.cookie, "signed in");

  const page = await nina.get(`/api/orgs/${org}/servers/${id}`);
  assert.equal(page.status, 200, JSON.stringify(page.json));
  assert.deepEqual([...page.json.permissions].sort(), ["file.read", "file.sftp", "websocket.connect"]);
  const files = await nina.get(`/api/orgs/${org}/servers/${id}/files/list?directory=/`);
  assert.equal(files.status, 200, JSON.stringify(files.json));
  const sftp = await sim.sftpAuth({ username: `nina@example.com.${short}`, password: PASSWORD });
  assert.deepEqual([sftp.ok, sftp.server], [true, id], JSON.stringify(sftp));
  // What was not granted.
  const powers = sim.requestsTo("POST", `/api/servers/${id}/power`).length;
  assert.equal((await nina.post(`/api/orgs/${org}/servers/${id}/power`, { signal: "start" })).status, 403);
  assert.equal((await nina.post(`/api/orgs/${org}/servers/${id}/command`, { command: "op nina" })).status, 403);
  assert.equal(sim.requestsTo("POST", `/api/servers/${id}/power`).length, powers, "nothing reached Wings");
  assert.equal((await nina.get(`/api/orgs/${org}/servers`)).status, 404, "not the organization's list");
  assert.equal((await nina.get(`/api/orgs/${org}/servers/${serverOf(await createServer("Elsewhere")).id}`)).status, 404, "no other server");
  await sim.idle();
  // Single use.
  const other = client(edge.url, { ip: "192.0.2.64" });
  assert.equal((await other.post(`/api/join/${token}`, { name: "Eve", email: "eve@example.com", password: PASSWORD })).status, 404);
  const after = await owner.get(`/api/orgs/${org}/servers/${id}/subusers`);
  assert.deepEqual(after.json.map((s) => [s.email, s.pending]), [["nina@example.com", false]]);
  clean();
});

test("Wings' activity (Go's nanosecond timestamps, SFTP file lists, system events) lands in the server's log", async () => {
  const created = await createServer("Logged");
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const { id, owner_id: user } = serverOf(created);
  await sim.idle();
  sim.recordActivity({ user, server: id, event: "server:console.command", metadata: { command: "say hi" }, ip: "192.0.2.70:50123" });
  sim.recordActivity({ user, server: id, event: "server:sftp.write", metadata: { files: ["/server.properties"] }, ip: "192.0.2.70" });
  sim.recordActivity({ user: null, server: id, event: "server:crashed", metadata: {} });
  const sent = await sim.flushActivity();
  assert.equal(sent.length, 1);
  assert.ok(/\.\d{4,9}Z$/.test(sent[0][0].timestamp) || /:\d\dZ$/.test(sent[0][0].timestamp), sent[0][0].timestamp);
  assert.ok(sim.callsTo("POST", "/api/remote/activity").at(-1).status < 300);
  const rows = await d1(edge, `SELECT event, user_id, ip, metadata FROM server_activity WHERE server_id = '${id}' AND source = 'wings' ORDER BY event`);
  assert.deepEqual(rows.map((r) => [r.event, r.user_id, r.ip]), [
    ["server:console.command", user, "192.0.2.70"],
    ["server:crashed", null, "127.0.0.1"],
    ["server:sftp.write", user, "192.0.2.70"],
  ]);
  assert.deepEqual(JSON.parse(rows[2].metadata), { files: ["/server.properties"] });
  clean();
});

test("a failed install is install_failed; a server left installing when Wings restarts is reset as Pelican does", async () => {
  sim.wings.options.installSucceeds = () => false;
  let failed;
  try {
    failed = await createServer("Broken install");
    assert.equal(failed.status, 201, JSON.stringify(failed.json));
    await sim.idle();
  } finally {
    sim.wings.options.installSucceeds = () => true;
  }
  const failedId = serverOf(failed).id;
  assert.deepEqual(sim.callsTo("POST", `/api/remote/servers/${failedId}/install`).map((c) => JSON.parse(c.body)), [{ successful: false, reinstall: false }]);
  assert.equal(serverOf(await owner.get(`/api/orgs/${org}/servers/${failedId}`)).status, "install_failed");

  const stuck = await createServer("Stuck");
  const stuckId = serverOf(stuck).id;
  await sim.idle();
  await d1(edge, `UPDATE servers SET status = 'installing' WHERE id = '${stuckId}'`);
  await sim.reboot();
  await sim.idle();
  assert.equal(serverOf(await owner.get(`/api/orgs/${org}/servers/${stuckId}`)).status, "install_failed", "reset: installing becomes install_failed");
  clean();
});

/** A console viewer of `serverId` with the owner's session: the frames it got. */
async function viewer(serverId) {
  const ws = new WebSocket(`${edge.url.replace("http", "ws")}/api/orgs/${org}/servers/${serverId}/console`, { headers: { cookie: owner.cookie, origin: edge.url } });
  const frames = [];
  ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`console upgrade answered ${res.statusCode}`)));
    ws.once("error", reject);
  });
  return { ws, frames, saw: (event) => frames.some((f) => f.event === event) };
}

test("a rotated node token: the old one is refused in Wings' error shape, the new config.yml boots the node, an open console follows", async () => {
  const watched = serverOf(await createServer("Watched")).id;
  await sim.idle();
  await waitFor(async () => serverOf(await owner.get(`/api/orgs/${org}/servers/${watched}`)).status === null, { what: "installed" });
  const watcher = await viewer(watched);
  await waitFor(() => [...(sim.server(watched)?.sockets ?? [])].some((s) => s.jwt !== null), { what: "the relay authenticated upstream" });
  const rotated = await owner.post(`/api/orgs/${org}/nodes/${node.id}/token`);
  assert.equal(rotated.status, 200, JSON.stringify(rotated.json));
  assert.equal(rotated.json.token, undefined);
  const old = sim;
  await assert.rejects(old.reboot(), /HTTP\/40[13]/);
  const refusal = old.callsTo("GET", "/api/remote/servers").at(-1);
  assert.match(refusal.responseText, /"errors":\[\{"code":/);
  assert.deepEqual(old.problems.filter((p) => /cannot read/.test(p.message)), [], "the refusal is in the shape Wings reads");
  const system = await owner.get(`/api/orgs/${org}/nodes/${node.id}/system`);
  // Wings, still on the old token, refuses the new one with a 403 (whose
  // User-Agent names the old token_id): the answer says to restart Wings.
  assert.deepEqual([system.status, system.json.error.code], [502, "node_token_rejected"], JSON.stringify(system.json));
  assert.match(system.json.error.message, /sim rejected the panel's token.*restart Wings/);
  assert.equal(sim.requestsTo("GET", "/api/system").at(-1).status, 403);
  await old.stop();

  const yml = await raw("GET", `/api/orgs/${org}/nodes/${node.id}/configuration`, undefined, "application/json");
  const read = readConfigYml(yml.text);
  assert.deepEqual(read.errors, []);
  assert.notEqual(read.config.token, config.token);
  assert.notEqual(read.config.token_id, config.token_id);
  config = read.config;
  sim = await startWings(optionsFromConfig(config, { backoff: BACKOFF }));
  await sim.idle();
  assert.deepEqual(sim.bootResult.skipped, []);
  assert.ok(sim.bootResult.loaded.length >= 120);
  assert.equal((await owner.get(`/api/orgs/${org}/nodes/${node.id}/system`)).status, 200);
  // The open console's relay signs with the new token on its next connect,
  // with no new viewer joining.
  await waitFor(() => watcher.saw("reconnected"), { what: "the console reconnected with the rotated token", timeoutMs: 60_000 });
  assert.ok([...sim.server(watched).sockets].some((s) => s.jwt !== null), "authenticated on the restarted node");
  watcher.ws.close();
  clean();
});

test("a node that is down answers 502 naming it, without stalling the page", async () => {
  await sim.stop();
  const system = await owner.get(`/api/orgs/${org}/nodes/${node.id}/system`);
  assert.equal(system.status, 502, JSON.stringify(system.json));
  assert.equal(system.json.error.code, "node_offline");
  assert.match(system.json.error.message, /sim/);
  const list = await owner.get(`/api/orgs/${org}/servers`);
  assert.equal(list.status, 200, "the server list never asks Wings");
  assert.ok(list.json.total >= 120);
  const create = await createServer("Nowhere");
  assert.deepEqual([create.status, create.json.error.code], [502, "node_offline"], JSON.stringify(create.json));
  assert.equal((await owner.get(`/api/orgs/${org}/servers`)).json.total, list.json.total, "no half-created server is left");
});
