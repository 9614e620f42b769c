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
import { Webhook } from "standardwebhooks";
import { startGameFixture } from "./lib/game-fixture.mjs";
import { startEdge, waitFor } from "./lib/stack.mjs";

const RETRIES = [1, 1];

let edge;
let game;
let owner;
let org;
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

before(async () => {
  edge = await startEdge({ vars: { WEBHOOK_RETRY_SECONDS: RETRIES.join(",") } });
  game = await startGameFixture({ edge });
  ({ owner, org } = game);
});

after(async () => {
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
