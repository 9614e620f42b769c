// The console relay end to end: browsers' WebSockets to
// GET /api/orgs/{org}/servers/{server}/console under `wrangler dev` reach the
// strict Wings simulator through the server's relay Durable Object. Two
// viewers share ONE upstream socket; a viewer without control.console cannot
// send a command (the simulator never reads it); the console keeps streaming
// across token renewals on the same socket (the relay's tokens live 5 s, the
// simulator checks every second); a killed and restarted simulator shows
// "reconnecting" and recovers with its logs; suspending the server closes
// every viewer with 4409.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import WebSocket from "ws";
import { freePort, ROOT, startEdge, waitFor } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";
import { optionsFromConfig, readConfigYml, startWings } from "./wings-sim/index.mjs";

const PASSWORD = "correct horse battery";
const TOKEN_SECS = 5;
const SIM = { backoff: { initialMs: 50, maxIntervalMs: 200, maxElapsedMs: 2000 }, jwtCheckIntervalMs: 1000, jwtExpiringSeconds: 2 };

let edge;
let owner;
let org;
let node;
let config;
let sim;
let serverId;

/** A viewer: the relay socket with `who`'s session, and every frame it got. */
async function viewer(who) {
  const url = `${edge.url.replace("http", "ws")}/api/orgs/${org}/servers/${serverId}/console`;
  const ws = new WebSocket(url, { headers: { cookie: who.cookie, origin: edge.url } });
  const frames = [];
  const closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`console upgrade answered ${res.statusCode}`)));
    ws.once("error", reject);
  });
  return {
    ws,
    frames,
    closed,
    send: (event, ...args) => ws.send(JSON.stringify(args.length ? { event, args } : { event })),
    lines: () => frames.filter((f) => f.event === "console output").map((f) => f.args[0]),
    saw: (event) => frames.some((f) => f.event === event),
  };
}

/** The simulator's console sockets for the server that are still open. */
function upstreams() {
  return [...(sim.server(serverId)?.sockets ?? [])];
}

async function member(name, role) {
  const invite = await owner.post(`/api/orgs/${org}/invitations`, { role });
  assert.equal(invite.status, 201, JSON.stringify(invite.json));
  const who = client(edge.url, { ip: "192.0.2.71" });
  const email = `${name.toLowerCase()}@example.com`;
  const joined = await who.post(`/api/join/${invite.json.token}`, { name, email, password: PASSWORD });
  assert.equal(joined.status, 201, JSON.stringify(joined.json));
  if (!who.cookie) assert.equal((await who.post("/api/auth/login", { email, password: PASSWORD })).status, 200);
  return who;
}

before(async () => {
  edge = await startEdge({ vars: { CONSOLE_TOKEN_SECS: String(TOKEN_SECS) } });
  owner = client(edge.url, { ip: "192.0.2.70" });
  const setup = await owner.post("/api/setup", { name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Games" });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;
  const port = await freePort();
  const created = await owner.post(`/api/orgs/${org}/nodes`, { name: "sim", fqdn: "127.0.0.1", scheme: "http", daemon_port: port, sftp_port: 2022 });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  node = created.json;
  const yml = await fetch(`${edge.url}/api/orgs/${org}/nodes/${node.id}/configuration`, { headers: { cookie: owner.cookie, origin: edge.url } });
  const read = readConfigYml(await yml.text());
  assert.deepEqual(read.errors, []);
  config = read.config;
  sim = await startWings(optionsFromConfig(config, SIM));
  assert.equal((await owner.post(`/api/orgs/${org}/nodes/${node.id}/allocations`, { ip: "127.0.0.1", ports: ["25565-25570"] })).status, 201);
  const egg = await fetch(`${edge.url}/api/orgs/${org}/eggs/import`, {
    method: "POST",
    headers: { cookie: owner.cookie, origin: edge.url, "content-type": "application/json" },
    body: await readFile(join(ROOT, "edge-api/tests/fixtures/eggs/paper.ptdl_v2.json"), "utf8"),
  });
  assert.equal(egg.status, 201);
  const server = await owner.post(`/api/orgs/${org}/servers`, {
    name: "Console",
    node_id: node.id,
    egg_id: (await egg.json()).id,
    auto_allocation: true,
    limits: { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100 },
    environment: { MINECRAFT_VERSION: "latest" },
    start_on_completion: false,
  });
  assert.equal(server.status, 201, JSON.stringify(server.json));
  serverId = (server.json.server ?? server.json).id;
  await sim.idle();
  await waitFor(async () => ((await owner.get(`/api/orgs/${org}/servers/${serverId}`)).json?.server ?? {}).status === null, { what: "installed" });
  assert.equal((await owner.post(`/api/orgs/${org}/servers/${serverId}/power`, { signal: "start" })).status, 202);
  await sim.idle();
  assert.equal(sim.server(serverId).state, "running");
});

after(async () => {
  await sim?.stop();
  await edge?.stop();
});

test("the console relay: one upstream for two viewers, permissions, renewals, reconnecting, suspension", async () => {
  // Not an upgrade: a JSON error, not a socket.
  const plain = await owner.get(`/api/orgs/${org}/servers/${serverId}/console`);
  assert.equal(plain.status, 400, JSON.stringify(plain.json));
  assert.equal(plain.json.error.code, "websocket_required");

  const reader = await member("Rita", "viewer");
  const a = await viewer(owner);
  const b = await viewer(reader);
  await waitFor(() => upstreams().length === 1 && upstreams()[0].listening, { what: "the relay's socket authenticated" });
  const upstream = upstreams()[0];
  assert.equal(upstream.ws.readyState, upstream.ws.OPEN);
  assert.equal(upstream.jwt.user_uuid.length > 0, true);
  const ws = sim.requestsTo("GET", `/api/servers/${serverId}/ws`);
  assert.equal(ws.length, 1, "one upstream connection for two viewers");
  assert.equal(ws[0].headers.origin, config.remote, "the panel's origin, as Wings expects");

  a.send("send command", "say hello both");
  await waitFor(() => a.lines().includes("> say hello both") && b.lines().includes("> say hello both"), { what: "both viewers see the command's output" });
  assert.deepEqual(sim.server(serverId).stdin.slice(-1), ["say hello both"]);

  // The read-only viewer's command never reaches Wings.
  const commands = () => upstream.received.filter((f) => f.event === "send command").map((f) => f.args.join(""));
  b.send("send command", "op rita");
  b.send("set state", "stop");
  a.send("send command", "after rita");
  await waitFor(() => a.lines().includes("> after rita"), { what: "the next allowed command" });
  assert.deepEqual(commands(), ["say hello both", "after rita"]);
  assert.ok(!sim.server(serverId).stdin.includes("op rita"));
  assert.equal(sim.server(serverId).state, "running", "the viewer's stop was not sent");
  assert.ok(!upstream.received.some((f) => f.event === "set state"));

  // Renewals: `auth` again on the same socket, streaming all along.
  const auths = () => upstream.received.filter((f) => f.event === "auth").length;
  await waitFor(() => auths() >= 3, { timeoutMs: 30_000, what: "two token renewals" });
  assert.equal(upstreams().length, 1);
  assert.equal(upstreams()[0], upstream, "renewed on the same socket");
  a.send("send command", "after renewals");
  await waitFor(() => b.lines().includes("> after renewals"), { what: "output after the renewals" });
  // each renewal is answered; the third answer may still be on its way when the output is
  await waitFor(() => upstream.sent.filter((f) => f.event === "auth success").length >= 3, {
    what: "each renewal answered",
  });
  assert.ok(![...a.frames, ...b.frames].some((f) => f.event === "jwt error" || f.event === "auth success"), "viewers never see the relay's tokens");

  // The node goes away and comes back on the same port.
  await sim.stop();
  await waitFor(() => a.saw("reconnecting") && b.saw("reconnecting"), { what: "reconnecting" });
  sim = await startWings(optionsFromConfig(config, SIM));
  await sim.server(serverId).power("start");
  await waitFor(() => a.saw("reconnected") && b.saw("reconnected"), { timeoutMs: 60_000, what: "reconnected" });
  const fresh = upstreams();
  assert.equal(fresh.length, 1, "one upstream again");
  await waitFor(() => fresh[0].received.some((f) => f.event === "send logs"), { what: "the relay asks for the logs again" });
  // The restarted server's log, sent again after `reconnected`.
  const logs = [...sim.server(serverId).console];
  assert.ok(logs.length >= 2, JSON.stringify(logs));
  const since = (v) => v.frames.slice(v.frames.findIndex((f) => f.event === "reconnected")).filter((f) => f.event === "console output").map((f) => f.args[0]);
  await waitFor(() => logs.every((l) => since(a).includes(l) && since(b).includes(l)), { what: "recent log lines" });
  a.send("send command", "back again");
  await waitFor(() => b.lines().includes("> back again"), { what: "streaming after the restart" });

  // Suspending closes both viewers at once, with a reason.
  const suspended = await owner.post(`/api/orgs/${org}/servers/${serverId}/suspend`);
  assert.equal(suspended.status, 200, JSON.stringify(suspended.json));
  const [ca, cb] = await Promise.all([a.closed, b.closed]);
  assert.deepEqual([ca.code, cb.code], [4409, 4409]);
  assert.match(ca.reason, /suspended/);
  const refused = await new Promise((resolve) => {
    const again = new WebSocket(`${edge.url.replace("http", "ws")}/api/orgs/${org}/servers/${serverId}/console`, { headers: { cookie: owner.cookie, origin: edge.url } });
    again.once("unexpected-response", (_req, res) => resolve(res.statusCode));
    again.once("open", () => resolve(101));
    again.once("error", () => resolve(0));
  });
  assert.equal(refused, 409, "a suspended server's console is refused");
  assert.deepEqual(sim.problems, [], JSON.stringify(sim.problems, null, 2));
});
