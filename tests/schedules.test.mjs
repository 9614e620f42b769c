// Schedules end to end (issue 16): Flamingo under `wrangler dev` runs a
// game server's schedules on its own timer (the Timer Durable Object's
// alarm), with no browser open and nothing polling it. A schedule set to
// run every minute sends its command to the Wings simulator and then, after
// the task's delay, asks for a backup; a disabled schedule does not run; a
// schedule that runs only when the server is online skips an offline
// server and records why. The backup task goes through the same
// `game::backup::create` as the API; this file asserts the node received
// the backup request (and still tolerates a "not simulated" note for that
// route, from before the simulator played backups).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startGameFixture } from "./lib/game-fixture.mjs";
import { waitFor } from "./lib/stack.mjs";
import { openEvents } from "./lib/sse.mjs";

/** A minute boundary, the run and the delayed task, on a loaded machine. */
const RUN_DEADLINE_MS = 150_000;
const BACKUP_DELAY_SECONDS = 3;

let game;
let edge;
let owner;
let org;
let sim;

/** A server, installed; started when `running`. */
async function server(name, { running }) {
  const { id } = await game.createServer(name);
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

/** Nothing went wrong on the simulator (a "not simulated" backup note tolerated, as before). */
function clean() {
  const problems = sim.problems.filter((p) => !(/\/backup$/.test(p.where) && /not simulated/.test(p.message)));
  assert.deepEqual(problems, [], JSON.stringify(problems, null, 2));
}

before(async () => {
  game = await startGameFixture();
  ({ edge, owner, org, sim } = game);
});

after(async () => {
  await game?.stop();
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
