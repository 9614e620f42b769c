// Webhooks end to end (issue 16): Flamingo under `wrangler dev` delivers an
// organization's events from its own timer (the Timer Durable Object's
// alarm). A receiver started by this test gets a server state change,
// signed per Standard Webhooks, and verifies it with the `standardwebhooks`
// library from npm using the secret shown once at creation; a receiver that
// answers 500 gets the retries (shortened with WEBHOOK_RETRY_SECONDS), then
// the delivery shows failed. A real tunnel host enrolled to the edge and an
// `ssh -R` tunnel through it produce host.* and tunnel.* deliveries: the
// events the tunnel link raises itself, each delivered once, by the names
// the live stream gives them.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Webhook } from "standardwebhooks";
import { startGameFixture } from "./lib/game-fixture.mjs";
import { startEdge, startTunnelHost, waitFor } from "./lib/stack.mjs";

const RETRIES = [1, 1];

let edge;
let game;
let owner;
let org;
const receivers = [];
/** Stops what a test started (ssh, the tunnel host, its files), last first. */
const cleanups = [];

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

before(async () => {
  edge = await startEdge({ vars: { WEBHOOK_RETRY_SECONDS: RETRIES.join(",") } });
  game = await startGameFixture({ edge });
  ({ owner, org } = game);
});

after(async () => {
  for (const stop of cleanups.reverse()) await stop();
  await game?.stop();
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
  const { id } = await game.createServer("Hooked");
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

/** Verifies `got` (a receiver's request) with `secret`; the payload. */
function verified(secret, got) {
  return new Webhook(secret).verify(got.body, {
    "webhook-id": got.headers["webhook-id"],
    "webhook-timestamp": got.headers["webhook-timestamp"],
    "webhook-signature": got.headers["webhook-signature"],
  });
}

test("a real tunnel host and an ssh -R tunnel deliver host.* and tunnel.* events, signed, once each, by the live stream's names", async () => {
  const dir = await mkdtemp(join(tmpdir(), "flamingo-hooked-tunnel-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const hooked = await receiver(200);
  const created = await owner.post(`/api/orgs/${org}/webhooks`, { url: hooked.url, events: ["tunnel.*", "host.*"] });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const { secret, webhook } = created.json;
  const offlineOnly = await receiver(200);
  const filtered = await owner.post(`/api/orgs/${org}/webhooks`, { url: offlineOnly.url, events: ["host.offline"] });
  assert.equal(filtered.status, 201, JSON.stringify(filtered.json));
  const head = (await owner.get(`/api/orgs/${org}/events`)).json.last_event_id;

  // The host enrolls and connects: host.online.
  const enrolled = await owner.post(`/api/orgs/${org}/tunnel-hosts`, { name: "hooked" });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.json));
  const hostId = enrolled.json.host.id;
  const host = await startTunnelHost({ args: ["--edge", game.url, "--enroll", enrolled.json.enrollment_token] });
  let hostStopped = false;
  cleanups.push(() => (hostStopped ? undefined : host.stop()));
  const online = await waitFor(
    () => hooked.got.find((g) => JSON.parse(g.body).type === "host.online"),
    { what: "host.online at the receiver", timeoutMs: 60_000, child: host.child },
  );
  assert.equal(verified(secret, online).data.host_id, hostId);

  // A tunnel opens with the owner's key, then its ssh session ends.
  const key = join(dir, "ada");
  await promisify(execFile)("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f", key]);
  const added = await owner.post("/api/me/ssh-keys", { name: "laptop", public_key: (await readFile(`${key}.pub`, "utf8")).trim() });
  assert.equal(added.status, 201, JSON.stringify(added.json));
  const ssh = spawn(
    "ssh",
    [
      "-N", "-R", `hooked:80:127.0.0.1:${new URL(hooked.url).port}`,
      "-p", String(host.ports.ssh), "-i", key,
      "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=accept-new",
      "-o", `UserKnownHostsFile=${join(dir, "known_hosts")}`, "-o", "ExitOnForwardFailure=yes",
      "-o", "LogLevel=ERROR", "tunnel@127.0.0.1",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let sshOutput = "";
  ssh.stderr.on("data", (chunk) => (sshOutput += chunk));
  const sshExited = new Promise((ok) => ssh.once("exit", ok));
  cleanups.push(async () => {
    if (ssh.exitCode === null && ssh.signalCode === null) ssh.kill("SIGTERM");
    await sshExited;
  });
  const opened = await waitFor(
    () => hooked.got.find((g) => JSON.parse(g.body).type === "tunnel.opened"),
    { what: `tunnel.opened at the receiver (ssh said: ${sshOutput})`, timeoutMs: 60_000 },
  );
  const openedEvent = verified(secret, opened);
  assert.equal(openedEvent.data.name, "hooked");
  assert.equal(openedEvent.data.host_id, hostId);
  ssh.kill("SIGTERM");
  await sshExited;
  const closed = await waitFor(
    () => hooked.got.find((g) => JSON.parse(g.body).type === "tunnel.closed"),
    { what: "tunnel.closed at the receiver", timeoutMs: 60_000 },
  );
  assert.equal(verified(secret, closed).data.name, "hooked");

  // The host goes away: host.offline, to both endpoints.
  await host.stop();
  hostStopped = true;
  await waitFor(
    () => hooked.got.find((g) => JSON.parse(g.body).type === "host.offline"),
    { what: "host.offline at the receiver", timeoutMs: 120_000 },
  );
  const filteredGot = await waitFor(() => offlineOnly.got.length > 0 && offlineOnly.got, { what: "host.offline at the filtered receiver" });

  // What the live stream carried, by name, is what was delivered: once each.
  const page = await owner.get(`/api/orgs/${org}/events?last_event_id=${head}`);
  assert.equal(page.status, 200, JSON.stringify(page.json));
  assert.equal(page.json.reset, false);
  const streamed = page.json.events
    .map((e) => e.event)
    .filter((e) => (e.startsWith("tunnel.") || e.startsWith("host.")) && e !== "tunnel.stats");
  assert.deepEqual(streamed, ["host.online", "tunnel.opened", "tunnel.closed", "host.offline"]);
  const deliveries = await waitFor(async () => {
    const res = await owner.get(`/api/orgs/${org}/webhooks/${webhook.id}/deliveries`);
    return res.json.items.length === streamed.length && res.json.items.every((d) => d.status === "succeeded") && res.json.items;
  }, { what: "every delivery recorded as succeeded" });
  const ids = new Set(hooked.got.map((g) => g.headers["webhook-id"]));
  assert.equal(ids.size, hooked.got.length, "no delivery sent twice");
  const delivered = hooked.got.map((g) => verified(secret, g).type);
  assert.deepEqual([...delivered].sort(), [...streamed].sort());
  assert.deepEqual(deliveries.map((d) => d.event).sort(), [...streamed].sort());
  assert.deepEqual(filteredGot.map((g) => JSON.parse(g.body).type), ["host.offline"], "a subscription filters them");
});
