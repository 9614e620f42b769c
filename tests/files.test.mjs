// A server's files end to end: Flamingo under `wrangler dev` drives the
// Wings simulator's in-memory volume. A file round-trips through a signed
// upload and download URL straight to Wings and each URL is refused the
// second time (single use); a directory of 10,000 entries lists in one
// response; search finds one file among them; edits, moves, copies,
// archives and deletes reach the volume; `..` is refused before Wings sees it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort, ROOT, startEdge, waitFor } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";
import { optionsFromConfig, readConfigYml, startWings } from "./wings-sim/index.mjs";
import { Volume } from "./wings-sim/files.mjs";

const PASSWORD = "correct horse battery";
let edge;
let owner;
let org;
let sim;
let server;

function files(tail) {
  return `/api/orgs/${org}/servers/${server}/files/${tail}`;
}

function clean() {
  assert.deepEqual(sim.problems, [], JSON.stringify(sim.problems, null, 2));
}

before(async () => {
  edge = await startEdge();
  owner = client(edge.url, { ip: "192.0.2.70" });
  const setup = await owner.post("/api/setup", { name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Files" });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;
  const port = await freePort();
  const node = await owner.post(`/api/orgs/${org}/nodes`, { name: "sim", fqdn: "127.0.0.1", scheme: "http", daemon_port: port });
  assert.equal(node.status, 201, JSON.stringify(node.json));
  const yml = await fetch(`${edge.url}/api/orgs/${org}/nodes/${node.json.id}/configuration`, { headers: { origin: edge.url, cookie: owner.cookie, "cf-connecting-ip": "192.0.2.70" } });
  const read = readConfigYml(await yml.text());
  assert.deepEqual(read.errors, []);
  sim = await startWings(optionsFromConfig(read.config, { backoff: { initialMs: 50, maxIntervalMs: 200, maxElapsedMs: 2000 } }));
  const alloc = await owner.post(`/api/orgs/${org}/nodes/${node.json.id}/allocations`, { ip: "127.0.0.1", ports: ["25565"] });
  assert.equal(alloc.status, 201, JSON.stringify(alloc.json));
  const eggFile = await readFile(join(ROOT, "edge-api/tests/fixtures/eggs/paper.ptdl_v2.json"), "utf8");
  const egg = await fetch(`${edge.url}/api/orgs/${org}/eggs/import`, { method: "POST", headers: { origin: edge.url, cookie: owner.cookie, "cf-connecting-ip": "192.0.2.70", "content-type": "application/json" }, body: eggFile });
  assert.equal(egg.status, 201);
  const eggId = (await egg.json()).id;
  const created = await owner.post(`/api/orgs/${org}/servers`, {
    name: "files", node_id: node.json.id, egg_id: eggId, auto_allocation: true,
    limits: { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100 }, environment: {}, start_on_completion: false,
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  server = created.json.server.id;
  // Wings refuses tokens issued in its boot second.
  await waitFor(async () => Math.floor(Date.now() / 1000) > Math.floor(sim.wings.bootedAt / 1000), { what: "a second past the node's boot" });
  await waitFor(async () => ((r) => (r.json?.server ?? r.json)?.status === null)(await owner.get(`/api/orgs/${org}/servers/${server}`)), { what: "installed" });
});

after(async () => {
  await sim?.stop();
  await edge?.stop();
});

test("a file round-trips through signed upload and download URLs, each usable once", async () => {
  const up = await owner.get(`${files("upload")}?directory=world`);
  assert.equal(up.status, 200, JSON.stringify(up.json));
  const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
  const send = () => {
    const form = new FormData();
    form.append("files", new Blob([bytes]), "level.dat");
    return fetch(up.json.url, { method: "POST", body: form });
  };
  const sent = await send();
  assert.equal(sent.status, 200, await sent.text());
  assert.equal((await send()).status, 403, "an upload URL works once");

  const down = await owner.get(`${files("download")}?file=/world/level.dat`);
  assert.equal(down.status, 200, JSON.stringify(down.json));
  const first = await fetch(down.json.url);
  assert.equal(first.status, 200);
  assert.deepEqual(Buffer.from(await first.arrayBuffer()), bytes, "the same bytes come back");
  assert.equal((await fetch(down.json.url)).status, 403, "a download URL works once");

  const listed = await owner.get(`${files("list")}?directory=/world`);
  assert.equal(listed.status, 200);
  assert.equal(listed.json.find((e) => e.name === "level.dat")?.size, bytes.length);
  clean();
});

test("a directory of 10,000 entries lists in one response and search finds one", async () => {
  const s = sim.wings.servers.get(server);
  s.volume ??= new Volume();
  for (let i = 0; i < 10_000; i++) s.volume.write(`/many/entry-${String(i).padStart(5, "0")}.txt`, `n${i}`);
  s.volume.write("/many/needle-here.cfg", "x");
  const listed = await owner.get(`${files("list")}?directory=many`);
  assert.equal(listed.status, 200);
  assert.equal(listed.json.length, 10_001);
  const found = await owner.get(`${files("search")}?directory=/&pattern=needle`);
  assert.equal(found.status, 200, JSON.stringify(found.json));
  assert.deepEqual(found.json.map((e) => e.name), ["many/needle-here.cfg"]);
  const short = await owner.get(`${files("search")}?pattern=ne`);
  assert.equal(short.status, 422);
  assert.ok(short.json.error.fields.pattern);
  clean();
});

test("edits, moves, copies, archives, modes and deletes reach the volume", async () => {
  const put = await fetch(`${edge.url}${files("contents")}?file=/server.properties`, {
    method: "PUT", headers: { origin: edge.url, cookie: owner.cookie, "cf-connecting-ip": "192.0.2.70", "content-type": "text/plain" }, body: "motd=hello\n",
  });
  assert.equal(put.status, 204);
  const got = await fetch(`${edge.url}${files("contents")}?file=server.properties`, { headers: { origin: edge.url, cookie: owner.cookie, "cf-connecting-ip": "192.0.2.70" } });
  assert.equal(got.status, 200);
  assert.equal(await got.text(), "motd=hello\n");
  assert.equal((await owner.post(files("create-folder"), { path: "/", name: "config" })).status, 204);
  assert.equal((await owner.put(files("rename"), { root: "/", files: [{ from: "server.properties", to: "config/server.properties" }] })).status, 204);
  assert.equal((await owner.post(files("copy"), { location: "/config/server.properties" })).status, 204);
  const zip = await owner.post(files("compress"), { root: "/config", files: ["server.properties"], name: "props", extension: "tar.gz" });
  assert.equal(zip.status, 200, JSON.stringify(zip.json));
  assert.equal(zip.json.name, "props.tar.gz");
  assert.equal((await owner.post(files("delete"), { root: "/config", files: ["server.properties"] })).status, 204);
  assert.equal((await owner.post(files("decompress"), { root: "/config", file: "props.tar.gz" })).status, 204);
  assert.equal((await owner.post(files("chmod"), { root: "/config", files: [{ file: "server.properties", mode: "600" }] })).status, 204);
  const listed = await owner.get(`${files("list")}?directory=/config`);
  const byName = Object.fromEntries(listed.json.map((e) => [e.name, e]));
  assert.equal(byName["server.properties"].mode_bits, "600");
  assert.ok(byName["server copy.properties"], JSON.stringify(listed.json));
  const before = sim.received.length;
  const bad = await owner.get(`${files("contents")}?file=../../etc/passwd`);
  assert.equal(bad.status, 422);
  assert.ok(bad.json.error.fields.file);
  assert.equal(sim.received.length, before, "Wings never saw it");
  const missing = await owner.get(`${files("contents")}?file=/nope.txt`);
  assert.equal(missing.status, 404);
  clean();
});
