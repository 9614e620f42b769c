// Webhooks end to end (issue 16): Flamingo under `wrangler dev` delivers an
// organization's events from its own timer (the Timer Durable Object's
// alarm). A receiver started by this test gets a server state change,
// signed per Standard Webhooks, and verifies it with the `standardwebhooks`
// library from npm using the secret shown once at creation; a receiver that
// answers 500 gets the retries (shortened with WEBHOOK_RETRY_SECONDS), then
// the delivery shows failed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { freePort, ROOT, startEdge, waitFor } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";
import { optionsFromConfig, readConfigYml, startWings } from "./wings-sim/index.mjs";

const PASSWORD = "correct horse battery";
const FIXTURES = join(ROOT, "edge-api/tests/fixtures/eggs");
const BACKOFF = { initialMs: 50, maxIntervalMs: 200, maxElapsedMs: 2000 };
const RETRIES = [1, 1];

let edge;
let owner;
let org;
let node;
let sim;
let egg;
const receivers = [];

/** An HTTP receiver on loopback answering `status`, keeping what it got. */
async function receiver(status) {
  const got = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    got.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "no");
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  receivers.push(server);
  return { got, url: `http://127.0.0.1:${server.address().port}/hook` };
}

async function raw(method, path, body, type) {
  const res = await fetch(`${edge.url}${path}`, {
    method,
    headers: { origin: edge.url, "cf-connecting-ip": "192.0.2.80", cookie: owner.cookie, "content-type": type },
    body,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, text, json };
}

function serverOf(res) {
  return res.json?.server ?? res.json ?? {};
}

before(async () => {
  edge = await startEdge({ vars: { WEBHOOK_RETRY_SECONDS: RETRIES.join(",") } });
  owner = client(edge.url, { ip: "192.0.2.80" });
  const setup = await owner.post("/api/setup", { name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Hooks" });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;
  const port = await freePort();
  const created = await owner.post(`/api/orgs/${org}/nodes`, { name: "sim", fqdn: "127.0.0.1", scheme: "http", daemon_port: port, sftp_port: 2022 });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  node = created.json;
  const yml = await raw("GET", `/api/orgs/${org}/nodes/${node.id}/configuration`, undefined, "application/json");
  const read = readConfigYml(yml.text);
  assert.deepEqual(read.errors, []);
  sim = await startWings(optionsFromConfig(read.config, { backoff: BACKOFF }));
  const allocations = await owner.post(`/api/orgs/${org}/nodes/${node.id}/allocations`, { ip: "127.0.0.1", ports: ["25565-25600"] });
  assert.equal(allocations.status, 201, JSON.stringify(allocations.json));
  const paper = await raw("POST", `/api/orgs/${org}/eggs/import`, await readFile(join(FIXTURES, "paper.ptdl_v2.json"), "utf8"), "application/json");
  assert.equal(paper.status, 201, paper.text);
  egg = { id: paper.json.id };
});

after(async () => {
  await sim?.stop();
  await edge?.stop();
  for (const r of receivers) await new Promise((ok) => r.close(ok));
});

test("a server state change reaches a receiver signed per Standard Webhooks; a receiver answering 500 gets retries, then the delivery shows failed", async () => {
  const good = await receiver(200);
  const bad = await receiver(500);
  const created = await owner.post(`/api/orgs/${org}/webhooks`, { url: good.url, events: ["server.state"] });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const { secret, webhook } = created.json;
  assert.match(secret, /^whsec_/);
  const failing = await owner.post(`/api/orgs/${org}/webhooks`, { url: bad.url, events: ["server.*"] });
  assert.equal(failing.status, 201, JSON.stringify(failing.json));
  const listed = await owner.get(`/api/orgs/${org}/webhooks`);
  assert.ok(!JSON.stringify(listed.json).includes(secret), "the secret is shown once, at creation");

  // A server, installed, then started: Wings pushes the state changes.
  const made = await owner.post(`/api/orgs/${org}/servers`, {
    name: "Hooked",
    node_id: node.id,
    egg_id: egg.id,
    auto_allocation: true,
    limits: { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100 },
    environment: {},
    start_on_completion: false,
  });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const id = serverOf(made).id;
  await waitFor(async () => serverOf(await owner.get(`/api/orgs/${org}/servers/${id}`)).status === null, { what: "installed" });
  assert.equal((await owner.post(`/api/orgs/${org}/servers/${id}/power`, { signal: "start" })).status, 202);

  const delivery = await waitFor(
    () => good.got.find((g) => JSON.parse(g.body).type === "server.state" && JSON.parse(g.body).data.state === "running"),
    { what: "the signed state change at the receiver", timeoutMs: 60_000 },
  );
  const verified = new Webhook(secret).verify(delivery.body, {
    "webhook-id": delivery.headers["webhook-id"],
    "webhook-timestamp": delivery.headers["webhook-timestamp"],
    "webhook-signature": delivery.headers["webhook-signature"],
  });
  assert.equal(verified.type, "server.state");
  assert.equal(verified.data.server_id, id);
  // A wrong secret does not verify.
  assert.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString("base64")}`).verify(delivery.body, delivery.headers));
  const shown = await waitFor(async () => {
    const res = await owner.get(`/api/orgs/${org}/webhooks/${webhook.id}/deliveries`);
    return res.json.items.find((d) => d.status === "succeeded") && res.json.items;
  }, { what: "the delivery recorded as succeeded" });
  assert.equal(shown.find((d) => d.status === "succeeded").response_status, 200);

  // The failing receiver: the first attempt and every retry, then failed.
  const failed = await waitFor(async () => {
    const res = await owner.get(`/api/orgs/${org}/webhooks/${failing.json.webhook.id}/deliveries`);
    return res.json.items.find((d) => d.status === "failed");
  }, { what: "a delivery failed after its retries", timeoutMs: 60_000 });
  assert.equal(failed.attempts, RETRIES.length + 1, JSON.stringify(failed));
  assert.equal(failed.response_status, 500);
  assert.match(failed.error, /500/);
  const tries = bad.got.filter((g) => g.headers["webhook-id"] === `msg_${failed.id.replaceAll("-", "")}`);
  assert.equal(tries.length, RETRIES.length + 1, "every attempt reached the receiver");
  assert.equal(new Set(tries.map((t) => t.body)).size, 1, "the same body each time");
});
