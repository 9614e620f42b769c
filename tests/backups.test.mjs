// Backups end to end: Flamingo under `wrangler dev` drives the Wings
// simulator, once with Wings' own disk (the `wings` adapter) and once with
// S3 against a real S3-compatible server (moto): a backup is taken, locked,
// refused deletion, unlocked, restored (truncating) and downloaded, then
// deleted. Also: the per-server limit under a burst of concurrent creates,
// a node that refuses, a backup that never reports in time (failed by the
// timeout, then completed by its late report), and a report that reaches
// Flamingo before the create call has returned, twice.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort, ROOT, startEdge, waitFor } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";
import { openEvents } from "./lib/sse.mjs";
import { startS3 } from "./lib/s3.mjs";
import { optionsFromConfig, readConfigYml, startWings } from "./wings-sim/index.mjs";
import { Volume } from "./wings-sim/files.mjs";

const PASSWORD = "correct horse battery";
/** Small parts, so an archive of a few KiB travels in several. */
const PART_SIZE = 1024;
const TIMEOUT_SECS = 5;
let edge;
let s3;
let owner;
let org;
let sim;
let server;
let stream;

const base = () => `/api/orgs/${org}/servers/${server}/backups`;
const sha1 = (b) => createHash("sha1").update(b).digest("hex");

function clean() {
  assert.deepEqual(sim.problems, [], JSON.stringify(sim.problems, null, 2));
}

function volume() {
  const s = sim.wings.servers.get(server);
  s.volume ??= new Volume();
  return s.volume;
}

/** A few KiB that do not compress, and a config file. */
function seedVolume() {
  const world = Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 7919 + (i >> 3) * 104729) % 256));
  volume().write("/world/level.dat", world);
  volume().write("/server.properties", "motd=before");
  return world;
}

async function settled(id) {
  return waitFor(async () => {
    const r = await owner.get(`${base()}/${id}`);
    return r.json?.status !== "pending" && r.json?.status !== "restoring" ? r.json : null;
  }, { what: `backup ${id} settled`, timeoutMs: 60_000 });
}

/** The next `server.backup` event for `id` on the owner's stream. */
async function backupEvent(id, name = "server.backup") {
  for (;;) {
    const m = await stream.next({ timeoutMs: 60_000 });
    if (m?.event === name && m.data.backup_id === id) return m.data;
  }
}

before(async () => {
  s3 = await startS3({ minPartSize: 256 });
  edge = await startEdge({
    vars: {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKey,
      S3_SECRET_ACCESS_KEY: s3.secretKey,
      S3_PATH_STYLE: "true",
      S3_PART_SIZE: String(PART_SIZE),
      BACKUP_TIMEOUT_SECS: String(TIMEOUT_SECS),
    },
  });
  owner = client(edge.url, { ip: "192.0.2.80" });
  const setup = await owner.post("/api/setup", { name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Backups" });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;
  const port = await freePort();
  const node = await owner.post(`/api/orgs/${org}/nodes`, { name: "sim", fqdn: "127.0.0.1", scheme: "http", daemon_port: port });
  assert.equal(node.status, 201, JSON.stringify(node.json));
  const yml = await fetch(`${edge.url}/api/orgs/${org}/nodes/${node.json.id}/configuration`, { headers: { origin: edge.url, cookie: owner.cookie, "cf-connecting-ip": "192.0.2.80" } });
  const read = readConfigYml(await yml.text());
  assert.deepEqual(read.errors, []);
  // The S3 server is on loopback, which Wings refuses as a restore source: allowed here only.
  sim = await startWings(optionsFromConfig(read.config, { backoff: { initialMs: 50, maxIntervalMs: 200, maxElapsedMs: 2000 }, backupDownloadAllowlist: ["127.0.0.1"] }));
  const alloc = await owner.post(`/api/orgs/${org}/nodes/${node.json.id}/allocations`, { ip: "127.0.0.1", ports: ["25565"] });
  assert.equal(alloc.status, 201, JSON.stringify(alloc.json));
  const eggFile = await readFile(join(ROOT, "edge-api/tests/fixtures/eggs/paper.ptdl_v2.json"), "utf8");
  const egg = await fetch(`${edge.url}/api/orgs/${org}/eggs/import`, { method: "POST", headers: { origin: edge.url, cookie: owner.cookie, "cf-connecting-ip": "192.0.2.80", "content-type": "application/json" }, body: eggFile });
  assert.equal(egg.status, 201);
  const eggId = (await egg.json()).id;
  const created = await owner.post(`/api/orgs/${org}/servers`, {
    name: "backups", node_id: node.json.id, egg_id: eggId, auto_allocation: true,
    limits: { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100, backup_limit: 5 }, environment: {}, start_on_completion: false,
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  server = created.json.server.id;
  assert.equal(created.json.server.limits.backup_limit, 5);
  // Wings refuses tokens issued in its boot second.
  await waitFor(async () => Math.floor(Date.now() / 1000) > Math.floor(sim.wings.bootedAt / 1000), { what: "a second past the node's boot" });
  await waitFor(async () => ((r) => (r.json?.server ?? r.json)?.status === null)(await owner.get(`/api/orgs/${org}/servers/${server}`)), { what: "installed" });
  stream = await openEvents(`${edge.url}/api/orgs/${org}/events`, { headers: { cookie: owner.cookie } });
  assert.equal(stream.status, 200);
});

after(async () => {
  stream?.close();
  await sim?.stop();
  await edge?.stop();
  await s3?.stop();
});

for (const adapter of ["wings", "s3"]) {
  test(`${adapter} adapter: taken, locked, refused deletion, unlocked, restored and downloaded`, async () => {
    const world = seedVolume();
    const made = await owner.post(base(), { name: `before update (${adapter})`, ignored: "*.log\ncache/", adapter });
    assert.equal(made.status, 202, JSON.stringify(made.json));
    const id = made.json.id;
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const event = await backupEvent(id);
    assert.equal(event.status, "completed", JSON.stringify(event));
    const done = await settled(id);
    assert.equal(done.status, "completed", JSON.stringify(done));
    assert.equal(done.is_successful, true);
    assert.equal(done.adapter, adapter);
    assert.equal(done.checksum_type, "sha1");
    assert.ok(done.size_bytes > PART_SIZE * 2, `an archive of several parts: ${done.size_bytes}`);
    assert.equal(event.checksum, done.checksum);
    if (adapter === "s3") {
      const asked = sim.wings.calls.filter((c) => c.method === "GET" && c.path === `/api/remote/backups/${id}`);
      assert.equal(asked.length, 1);
      assert.equal(asked[0].query.size, String(done.size_bytes));
      assert.ok((await s3.keys()).includes(`backups/${server}/${id}.tar.gz`), "the archive is in the bucket");
      assert.deepEqual(await s3.openUploads(), [], "Flamingo completed the multipart upload");
    } else {
      assert.equal(sha1(sim.wings.backups.get(id).archive), done.checksum);
    }

    const locked = await owner.post(`${base()}/${id}/lock`);
    assert.equal(locked.json.is_locked, true, JSON.stringify(locked.json));
    const refused = await owner.delete(`${base()}/${id}`);
    assert.equal(refused.status, 409);
    assert.equal(refused.json.error.code, "backup_locked");
    const unlocked = await owner.post(`${base()}/${id}/unlock`);
    assert.equal(unlocked.json.is_locked, false);

    // Change the files, then restore over them (truncating: the new file goes).
    volume().write("/server.properties", "motd=after");
    volume().write("/junk.txt", "made after the backup");
    const restoring = await owner.post(`${base()}/${id}/restore`, { truncate: true });
    assert.equal(restoring.status, 202, JSON.stringify(restoring.json));
    const restored = await backupEvent(id, "server.backup_restore");
    assert.equal(restored.successful, true, JSON.stringify(sim.wings.logs.slice(-5)));
    assert.equal((await settled(id)).status, "completed");
    assert.equal(volume().read("/server.properties").toString(), "motd=before");
    assert.deepEqual(volume().read("/world/level.dat"), world);
    assert.equal(volume().read("/junk.txt"), null, "truncated before restoring");
    await waitFor(async () => (await owner.get(`/api/orgs/${org}/servers/${server}`)).json.server.status === null, { what: "server ready again" });

    const link = await owner.get(`${base()}/${id}/download`);
    assert.equal(link.status, 200, JSON.stringify(link.json));
    const got = await fetch(link.json.url);
    assert.equal(got.status, 200);
    const bytes = Buffer.from(await got.arrayBuffer());
    assert.equal(sha1(bytes), done.checksum, "the archive downloaded is the one Wings reported");
    if (adapter === "wings") {
      assert.match(link.json.url, /\/download\/backup\?token=/);
      assert.equal((await fetch(link.json.url)).status, 403, "a download URL works once");
    } else {
      assert.ok(link.json.url.startsWith(`${s3.endpoint}/${s3.bucket}/backups/`), link.json.url);
      assert.match(link.json.url, /X-Amz-Expires=300/);
      assert.doesNotMatch(link.json.url, new RegExp(s3.secretKey));
    }

    const deleted = await owner.delete(`${base()}/${id}`);
    assert.equal(deleted.status, 204, JSON.stringify(deleted.json));
    if (adapter === "s3") assert.ok(!(await s3.keys()).includes(`backups/${server}/${id}.tar.gz`), "the archive left the bucket");
    else assert.equal(sim.wings.backups.has(id), false, "the archive left the node");
    clean();
  });
}

test("a burst of concurrent creates never passes the server's backup limit", async () => {
  const limits = { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100, backup_limit: 2 };
  const build = await owner.put(`/api/orgs/${org}/servers/${server}/build`, limits);
  assert.equal(build.status, 200, JSON.stringify(build.json));
  const existing = (await owner.get(base())).json;
  const room = 2 - existing.counted;
  const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => owner.post(base(), { name: `burst ${i}` })));
  const accepted = replies.filter((r) => r.status === 202);
  assert.equal(accepted.length, room, JSON.stringify(replies.map((r) => r.json)));
  for (const r of replies.filter((x) => x.status !== 202)) {
    assert.equal(r.status, 409, JSON.stringify(r.json));
    assert.equal(r.json.error.code, "backup_limit_reached");
  }
  for (const r of accepted) await settled(r.json.id);
  const list = (await owner.get(base())).json;
  assert.equal(list.counted, 2);
  assert.equal(list.backup_limit, 2);
  // Make room again for the tests after this one.
  for (const b of list.items) assert.equal((await owner.delete(`${base()}/${b.id}`)).status, 204);
  assert.equal((await owner.put(`/api/orgs/${org}/servers/${server}/build`, { ...limits, backup_limit: 5 })).status, 200);
  clean();
});

test("a node that refuses fails the backup, and the answer names it", async () => {
  sim.wings.options.backupRefuses = "not enough disk space";
  try {
    const made = await owner.post(base(), { name: "refused" });
    assert.equal(made.status, 502, JSON.stringify(made.json));
    assert.equal(made.json.error.code, "node_refused");
    assert.match(made.json.error.message, /sim/);
    assert.match(made.json.error.message, /not enough disk space/);
    const row = (await owner.get(base())).json.items.find((b) => b.name === "refused");
    assert.equal(row.status, "failed");
    assert.match(row.error, /not enough disk space/);
    const event = await backupEvent(row.id);
    assert.equal(event.status, "failed");
  } finally {
    delete sim.wings.options.backupRefuses;
  }
});

test("a backup that never reports in time is failed, and its late report still completes it", async () => {
  sim.wings.options.backupDelayMs = (TIMEOUT_SECS + 4) * 1000;
  let id;
  try {
    const made = await owner.post(base(), { name: "slow" });
    assert.equal(made.status, 202, JSON.stringify(made.json));
    id = made.json.id;
  } finally {
    delete sim.wings.options.backupDelayMs;
  }
  // Reading the backups fails it once the timeout has passed.
  const failed = await waitFor(async () => {
    const r = (await owner.get(`${base()}/${id}`)).json;
    return r.status === "failed" ? r : null;
  }, { what: "the timeout", timeoutMs: 60_000 });
  assert.equal(failed.error, "timeout");
  const timedOut = await backupEvent(id);
  assert.equal(timedOut.status, "failed");
  const late = await backupEvent(id);
  assert.equal(late.status, "completed", JSON.stringify(late));
  assert.equal((await owner.get(`${base()}/${id}`)).json.status, "completed");
  assert.equal((await owner.delete(`${base()}/${id}`)).status, 204);
  clean();
});

test("a report that arrives before the create call returns, and again, is kept once", async () => {
  Object.assign(sim.wings.options, { backupReportBeforeAnswer: true, backupReportTwice: true });
  try {
    const made = await owner.post(base(), { name: "early" });
    assert.equal(made.status, 202, JSON.stringify(made.json));
    assert.equal(made.json.status, "completed", "Wings reported before answering: the create call shows it");
    const id = made.json.id;
    const reports = sim.wings.backupReports.filter((r) => r.uuid === id);
    assert.equal(reports.length, 2);
    const answered = sim.wings.calls.filter((c) => c.method === "POST" && c.path === `/api/remote/backups/${id}`).map((c) => c.status);
    assert.deepEqual(answered, [204, 204], "both acknowledged, so Wings keeps the archive");
    const event = await backupEvent(id);
    assert.equal(event.status, "completed");
    const shown = (await owner.get(`${base()}/${id}`)).json;
    assert.equal(shown.status, "completed");
    assert.equal(shown.checksum, sha1(sim.wings.backups.get(id).archive));
  } finally {
    delete sim.wings.options.backupReportBeforeAnswer;
    delete sim.wings.options.backupReportTwice;
  }
  clean();
});
