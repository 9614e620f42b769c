// Server transfers (issue 13) end to end: Flamingo under `wrangler dev` and
// two Wings simulators. The panel asks the source node to push; the source
// POSTs the archive (and the backups on its disk) to the destination with the
// transfer JWT verbatim; the destination checks that JWT with its own key,
// fetches the server from the panel (with its new allocations), takes the
// archive and reports success; the server then runs from the new node and the
// old node deletes its copy. Also: the source failing, the destination
// refusing the archive (its own failure report is refused, the source's
// counts), a cancel while the source waits, and the simulator's own
// strictness (a wrong body type, a token signed with the wrong node's key).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "./lib/stack.mjs";
import { startGameFixture } from "./lib/game-fixture.mjs";
import { signJwt } from "./wings-sim/index.mjs";
import { Volume } from "./wings-sim/files.mjs";

let game;
let source;
let dest;

const api = (path) => game.api(path);

function clean(...sims) {
  for (const sim of sims) assert.deepEqual(sim.problems, [], JSON.stringify(sim.problems, null, 2));
}

async function settled(server) {
  return waitFor(
    async () => {
      const r = await game.owner.get(api(`/servers/${server}/transfer`));
      return r.json?.transfer && r.json.transfer.status !== "pending" ? r.json.transfer : null;
    },
    { what: `transfer of ${server} settled`, timeoutMs: 60_000 },
  );
}

async function events(name) {
  const r = await game.owner.get(api("/events?last_event_id=0"));
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.events.filter((e) => e.event === name);
}

async function allocation(node, id) {
  const r = await game.owner.get(api(`/nodes/${node}/allocations`));
  return r.json.find((a) => a.id === id);
}

before(async () => {
  game = await startGameFixture();
  source = game.nodes[0];
  dest = await game.addNode("sim-2", { ports: ["27015-27020"] });
});

after(async () => {
  await game?.stop();
});

test("a server moves to the other node with its files, backups and new allocation", async () => {
  const server = await game.createServer("moving");
  const onSource = source.sim.server(server.id);
  onSource.volume ??= new Volume();
  onSource.volume.write("/world/level.dat", Buffer.from("the world, before the move"));
  const backup = await game.owner.post(api(`/servers/${server.id}/backups`), { name: "before the move", adapter: "wings" });
  assert.equal(backup.status, 202, JSON.stringify(backup.json));
  await waitFor(async () => (await game.owner.get(api(`/servers/${server.id}/backups/${backup.json.id}`))).json?.status === "completed", { what: "backup" });

  const started = await game.owner.post(api(`/servers/${server.id}/transfer`), { node_id: dest.node.id, auto_allocation: true });
  assert.equal(started.status, 202, JSON.stringify(started.json));
  const done = await settled(server.id);
  assert.equal(done.status, "completed", JSON.stringify(done));

  // The source got Wings' body and pushed to the destination with the token verbatim.
  const asked = source.sim.requestsTo("POST", `/api/servers/${server.id}/transfer`);
  assert.equal(asked.length, 1);
  const body = JSON.parse(asked[0].body);
  assert.equal(body.url, `${dest.sim.url}/api/transfers`);
  assert.deepEqual(body.backups, [backup.json.id]);
  assert.deepEqual(body.server, { uuid: server.id, start_on_completion: false });
  const received = dest.sim.requestsTo("POST", "/api/transfers");
  assert.equal(received.length, 1);
  assert.equal(received[0].headers.authorization, body.token);
  assert.deepEqual(dest.sim.transfers.received.map((r) => [r.server, r.successful]), [[server.id, true]]);
  // Only the destination reported, success, and it was taken.
  assert.deepEqual(dest.sim.transfers.reports.map((r) => [r.outcome, r.status]), [["success", 204]]);
  assert.deepEqual(source.sim.transfers.reports, []);

  // The server is the destination's now, with an allocation of its own range.
  const shown = await game.owner.get(api(`/servers/${server.id}`));
  assert.equal(shown.json.server.node_id, dest.node.id);
  assert.equal(shown.json.server.allocation.id, done.new_allocation_id);
  const moved = dest.sim.server(server.id);
  assert.ok(moved, "the destination holds the server");
  assert.equal(moved.config.allocations.default.port, shown.json.server.allocation.port);
  assert.ok(moved.config.allocations.default.port >= 27015 && moved.config.allocations.default.port <= 27020);
  assert.deepEqual(Object.values(moved.config.allocations.mappings).flat(), [moved.config.allocations.default.port]);
  assert.equal(moved.volume.read("/world/level.dat").toString(), "the world, before the move");
  // The old node deleted its copy; its allocation is free again.
  assert.equal(source.sim.server(server.id), undefined);
  assert.equal(source.sim.requestsTo("DELETE", `/api/servers/${server.id}`).length, 1);
  assert.equal((await allocation(source.node.id, done.old_allocation_id)).server_id, null);
  assert.equal((await allocation(dest.node.id, done.new_allocation_id)).server_id, server.id);

  // The backup came along: downloaded from the new node.
  const link = await game.owner.get(api(`/servers/${server.id}/backups/${backup.json.id}/download`));
  assert.equal(link.status, 200, JSON.stringify(link.json));
  assert.ok(link.json.url.startsWith(`${dest.sim.url}/download/backup`), link.json.url);
  const archive = await fetch(link.json.url);
  assert.equal(archive.status, 200);

  // Power goes to the new node.
  const power = await game.owner.post(api(`/servers/${server.id}/power`), { signal: "start" });
  assert.equal(power.status, 202, JSON.stringify(power.json));
  await waitFor(async () => moved.state === "running", { what: "running on the new node" });

  const published = (await events("server.transfer")).filter((e) => e.data.server_id === server.id);
  assert.deepEqual(published.map((e) => e.data.status), ["completed"]);
  const log = await game.owner.get(api(`/servers/${server.id}/activity`));
  const names = log.json.items.map((e) => e.event);
  assert.ok(names.includes("server:transfer.start") && names.includes("server:transfer.completed"), JSON.stringify(names));
  clean(source.sim, dest.sim);
});

test("the source failing: the server stays and the new allocation is free again", async () => {
  const server = await game.createServer("stays");
  source.sim.wings.options.transferFails = "source";
  try {
    const started = await game.owner.post(api(`/servers/${server.id}/transfer`), { node_id: dest.node.id, auto_allocation: true });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const done = await settled(server.id);
    assert.equal(done.status, "failed", JSON.stringify(done));
    assert.equal((await allocation(dest.node.id, done.new_allocation_id)).server_id, null);
    const shown = await game.owner.get(api(`/servers/${server.id}`));
    assert.equal(shown.json.server.node_id, source.node.id);
    assert.ok(source.sim.server(server.id), "still on the source");
    assert.equal(dest.sim.server(server.id), undefined);
    assert.deepEqual(source.sim.transfers.reports.map((r) => [r.uuid, r.outcome, r.status]), [[server.id, "failure", 204]]);
  } finally {
    delete source.sim.wings.options.transferFails;
  }
  clean(source.sim, dest.sim);
});

test("the destination refusing the archive: its failure report is refused (403), the source's counts", async () => {
  const server = await game.createServer("refused");
  dest.sim.wings.options.transferFails = "destination";
  const before = dest.sim.transfers.reports.length;
  try {
    const started = await game.owner.post(api(`/servers/${server.id}/transfer`), { node_id: dest.node.id, auto_allocation: true });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const done = await settled(server.id);
    assert.equal(done.status, "failed", JSON.stringify(done));
    await source.sim.idle();
    const destReports = dest.sim.transfers.reports.slice(before).filter((r) => r.uuid === server.id);
    assert.deepEqual(destReports.map((r) => [r.outcome, r.status]), [["failure", 403]]);
    const sourceReports = source.sim.transfers.reports.filter((r) => r.uuid === server.id);
    assert.deepEqual(sourceReports.map((r) => [r.outcome, r.status]), [["failure", 204]]);
    assert.equal(dest.sim.server(server.id), undefined, "the destination dropped it");
    const shown = await game.owner.get(api(`/servers/${server.id}`));
    assert.equal(shown.json.server.node_id, source.node.id);
    assert.equal((await allocation(dest.node.id, done.new_allocation_id)).server_id, null);
  } finally {
    delete dest.sim.wings.options.transferFails;
  }
  clean(source.sim, dest.sim);
});

test("a cancel stops the source before it pushes; its late failure report changes nothing", async () => {
  const server = await game.createServer("cancelled");
  source.sim.wings.options.transferDelayMs = 30_000;
  try {
    const started = await game.owner.post(api(`/servers/${server.id}/transfer`), { node_id: dest.node.id, auto_allocation: true });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const cancelled = await game.owner.delete(api(`/servers/${server.id}/transfer`));
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.json));
    assert.equal(cancelled.json.status, "cancelled");
    await waitFor(async () => source.sim.transfers.reports.some((r) => r.uuid === server.id && r.status !== null), { what: "the source's report answered" });
    const reports = source.sim.transfers.reports.filter((r) => r.uuid === server.id);
    assert.deepEqual(reports.map((r) => [r.outcome, r.status]), [["failure", 204]]);
    assert.equal((await settled(server.id)).status, "cancelled");
    assert.equal(dest.sim.requestsTo("POST", "/api/transfers").filter((r) => r.at >= Date.parse(started.json.created_at)).length, 0);
    assert.equal((await allocation(dest.node.id, started.json.new_allocation_id)).server_id, null);
  } finally {
    delete source.sim.wings.options.transferDelayMs;
  }
  clean(source.sim, dest.sim);
});

test("the simulator refuses what Wings would: a wrong body type, a token of the wrong node", async () => {
  const server = await game.createServer("strict");
  // `backups` must be []string.
  const typed = await fetch(`${source.sim.url}/api/servers/${server.id}/transfer`, {
    method: "POST",
    headers: { authorization: `Bearer ${source.options.token}`, "content-type": "application/json" },
    body: JSON.stringify({ url: `${dest.sim.url}/api/transfers`, token: "Bearer x", backups: "all", server: { uuid: server.id, start_on_completion: false } }),
  });
  assert.equal(typed.status, 400);
  assert.equal(source.sim.problems.length, 1, JSON.stringify(source.sim.problems));
  source.sim.problems.length = 0;
  // A transfer token signed with the source's key, not the destination's.
  const now = Math.floor(Date.now() / 1000);
  const jwt = signJwt(source.options.token, { sub: server.id, scope: "transfer", iat: now, nbf: now, exp: now + 600 });
  const wrongKey = await fetch(`${dest.sim.url}/api/transfers`, { method: "POST", headers: { authorization: `Bearer ${jwt}` }, body: "" });
  assert.equal(wrongKey.status, 500);
  assert.match(dest.sim.problems[0]?.message ?? "", /HMAC/);
  dest.sim.problems.length = 0;
  assert.equal(dest.sim.server(server.id), undefined);
});
