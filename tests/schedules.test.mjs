// Schedules end to end (issue 16): Flamingo under `wrangler dev` runs a
// game server's schedules on its own timer (the Timer Durable Object's
// alarm), with no browser open and nothing polling it. A schedule set to
// run every minute sends its command to the Wings simulator and then, after
// the task's delay, asks for a backup; a disabled schedule does not run; a
// schedule that runs only when the server is online skips an offline
// server and records why. The simulator does not play backups until the
// backups lane's tests/wings-sim/backups.mjs is merged: this file asserts
// the node received the backup request (and tolerates the simulator's
// "not simulated" note for that route only).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort, ROOT, startEdge, waitFor } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";
import { openEvents } from "./lib/sse.mjs";
import { optionsFromConfig, readConfigYml, startWings } from "./wings-sim/index.mjs";

const PASSWORD = "correct horse battery";
const FIXTURES = join(ROOT, "edge-api/tests/fixtures/eggs");
const BACKOFF = { initialMs: 50, maxIntervalMs: 200, maxElapsedMs: 2000 };
/** A minute boundary, the run and the delayed task, on a loaded machine. */
const RUN_DEADLINE_MS = 150_000;
const BACKUP_DELAY_SECONDS = 3;

let edge;
let owner;
let org;
let node;
let sim;
let egg;

/** A raw body (an egg file) to `path` with the owner's session. */
async function raw(method, path, body, type) {
  const res = await fetch(`${edge.url}${path}`, {
    method,
    headers: { origin: edge.url, "cf-connecting-ip": "192.0.2.70", cookie: owner.cookie, "content-type": type },
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

/** A server, installed; started when `running`. */
async function server(name, { running }) {
  const created = await owner.post(`/api/orgs/${org}/servers`, {
    name,
    node_id: node.id,
    egg_id: egg.id,
    auto_allocation: true,
    limits: { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100 },
    environment: {},
    start_on_completion: false,
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const id = serverOf(created).id;
  await waitFor(async () => serverOf(await owner.get(`/api/orgs/${org}/servers/${id}`)).status === null, { what: `${name} installed` });
  if (running) {
    assert.equal((await owner.post(`/api/orgs/${org}/servers/${id}/power`, { signal: "start" })).status, 202);
    await waitFor(async () => sim.server(id)?.state === "running", { what: `${name} running` });
  }
  return id;
}

async function schedule(server, body) {
  const res = await owner.post(`/api/orgs/${org}/servers/${server}/schedules`, body);
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json;
}

async function runs(server, id) {
  const res = await owner.get(`/api/orgs/${org}/servers/${server}/schedules/${id}`);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json.runs;
}

/** Nothing went wrong on the simulator, but for the backup route it does not play yet. */
function clean() {
  const problems = sim.problems.filter((p) => !(/\/backup$/.test(p.where) && /not simulated/.test(p.message)));
  assert.deepEqual(problems, [], JSON.stringify(problems, null, 2));
}

before(async () => {
  edge = await startEdge();
  owner = client(edge.url, { ip: "192.0.2.70" });
  const setup = await owner.post("/api/setup", { name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Schedules" });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;
  const port = await freePort();
  const created = await owner.post(`/api/orgs/${org}/nodes`, { name: "sim", fqdn: "127.0.0.1", scheme: "http", daemon_port: port, sftp_port: 2022 });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  node = created.json;
  const yml = await raw("GET", `/api/orgs/${org}/nodes/${node.id}/configuration`, undefined, "application/json");
  assert.equal(yml.status, 200, yml.text);
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
});

test("on the platform's timer: an every-minute schedule sends its command then asks for a backup after the delay; a disabled one does not run; only-when-online skips an offline server and says why", async () => {
  const online = await server("Online", { running: true });
  const offline = await server("Offline", { running: false });
  // The owner's live stream, open from before the schedules exist.
  const live = await openEvents(`${edge.url}/api/orgs/${org}/events`, { headers: { cookie: owner.cookie } });
  assert.equal((await live.next()).event, "ready");

  const every = await schedule(online, {
    name: "every minute",
    cron: "* * * * *",
    tasks: [
      { action: "command", payload: "say scheduled hello" },
      { action: "backup", payload: "logs/", delay_seconds: BACKUP_DELAY_SECONDS },
    ],
  });
  assert.ok(every.next_run_at, JSON.stringify(every));
  const disabled = await schedule(online, {
    name: "disabled",
    cron: "* * * * *",
    enabled: false,
    tasks: [{ action: "command", payload: "say never" }],
  });
  assert.equal(disabled.next_run_at, null);
  const onlyOnline = await schedule(offline, {
    name: "only when online",
    cron: "* * * * *",
    only_when_online: true,
    tasks: [{ action: "command", payload: "say offline" }],
  });

  const commandsTo = (id) => sim.requestsTo("POST", `/api/servers/${id}/commands`).map((r) => JSON.parse(r.body).commands).flat();
  await waitFor(() => commandsTo(online).includes("say scheduled hello"), { what: "the scheduled command on the simulator", timeoutMs: RUN_DEADLINE_MS });
  const backups = await waitFor(() => {
    const seen = sim.requestsTo("POST", `/api/servers/${online}/backup`);
    return seen.length > 0 && seen;
  }, { what: "the backup request after the task's delay", timeoutMs: 60_000 });
  const backup = JSON.parse(backups[0].body);
  assert.equal(backup.adapter, "wings");
  assert.match(backup.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(backup.ignore, "logs/");
  // The command reached Wings before the backup request.
  const command = sim.requestsTo("POST", `/api/servers/${online}/commands`).find((r) => r.body.includes("scheduled hello"));
  assert.ok(sim.received.indexOf(command) < sim.received.indexOf(backups[0]), "command first, then the backup");

  // The run is over and kept with each task's result.
  const [run] = await waitFor(async () => {
    const list = await runs(online, every.id);
    return list.length > 0 && list[0].status !== "running" && list;
  }, { what: "the run finished" });
  assert.equal(run.trigger, "cron");
  assert.deepEqual(run.results.map((r) => r.action), ["command", "backup"]);
  assert.equal(run.results[0].ok, true, JSON.stringify(run));

  // Only when online: skipped, saying why; its command never went out.
  const [skipped] = await waitFor(async () => {
    const list = await runs(offline, onlyOnline.id);
    return list.length > 0 && list;
  }, { what: "the offline server's run recorded", timeoutMs: RUN_DEADLINE_MS });
  assert.equal(skipped.status, "skipped", JSON.stringify(skipped));
  assert.match(skipped.reason, /offline.*only while it is online/);
  assert.deepEqual(commandsTo(offline), []);

  // The disabled schedule's minute has passed too: no run, no command.
  assert.deepEqual(await runs(online, disabled.id), []);
  assert.ok(!commandsTo(online).includes("say never"));

  // Each run was published live.
  const published = new Set();
  const deadline = Date.now() + 90_000;
  while (!(published.has(every.id) && published.has(onlyOnline.id)) && Date.now() < deadline) {
    const message = await live.next({ timeoutMs: Math.max(1, deadline - Date.now()) });
    if (message === null) break;
    if (message.event !== "schedule.run") continue;
    const data = typeof message.data === "string" ? JSON.parse(message.data) : message.data;
    published.add(data.schedule_id);
  }
  live.close();
  assert.ok(published.has(every.id) && published.has(onlyOnline.id), `schedule.run events: ${[...published].join(", ")}`);
  assert.ok(!published.has(disabled.id));
  clean();
});
