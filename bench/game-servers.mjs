// Game servers at scale: 500 servers on one node (created through the API;
// the Wings simulator answers, calls back and installs each), then how long
// the organization's server list and one server's page take through
// `wrangler dev`, against /api/health measured in the same run. The list is
// one D1 query whatever the count (no call to Wings per row), so its ratio
// to health should stay small.
// Run: scripts/with-tools.sh node bench/game-servers.mjs
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort, ROOT, startEdge } from "../tests/lib/stack.mjs";
import { client } from "../tests/lib/client.mjs";
import { optionsFromConfig, readConfigYml, startWings } from "../tests/wings-sim/index.mjs";

const SERVERS = Number(process.env.SERVERS ?? 500);
const ROUNDS = 30;
const WARMUP = 5;

const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const ms = (x) => `${x.toFixed(1)} ms`.padStart(10);

async function must(res, status, what) {
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json;
}

/** `ROUNDS` timed GETs of `path` (after `WARMUP`), each checked to answer 200. */
async function time(who, path) {
  const out = [];
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const t = performance.now();
    const res = await who.get(path);
    const took = performance.now() - t;
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    if (i >= WARMUP) out.push(took);
  }
  return out;
}

const edge = await startEdge();
let sim;
try {
  const owner = client(edge.url, { ip: "192.0.2.90" });
  const setup = await must(
    await owner.post("/api/setup", { name: "Bench", email: "bench@example.com", password: "correct horse battery", organization: "Bench" }),
    201,
    "setup",
  );
  const org = setup.memberships[0].slug;
  const node = await must(
    await owner.post(`/api/orgs/${org}/nodes`, { name: "sim", fqdn: "127.0.0.1", scheme: "http", daemon_port: await freePort() }),
    201,
    "node",
  );
  const yml = await fetch(`${edge.url}/api/orgs/${org}/nodes/${node.id}/configuration`, { headers: { cookie: owner.cookie, origin: edge.url } });
  const { config, errors } = readConfigYml(await yml.text());
  if (errors.length) throw new Error(`config.yml: ${errors.join("; ")}`);
  sim = await startWings(optionsFromConfig(config, { backoff: { initialMs: 50, maxIntervalMs: 500, maxElapsedMs: 5000 } }));
  await must(await owner.post(`/api/orgs/${org}/nodes/${node.id}/allocations`, { ip: "127.0.0.1", ports: ["20000-20999"] }), 201, "allocations");
  const eggFile = await readFile(join(ROOT, "edge-api/tests/fixtures/eggs/paper.ptdl_v2.json"), "utf8");
  const eggRes = await fetch(`${edge.url}/api/orgs/${org}/eggs/import`, {
    method: "POST",
    headers: { cookie: owner.cookie, origin: edge.url, "content-type": "application/json" },
    body: eggFile,
  });
  if (eggRes.status !== 201) throw new Error(`egg import answered ${eggRes.status}: ${await eggRes.text()}`);
  const egg = await eggRes.json();

  // One create at a time: two at once may pick the same free allocation
  // (answered 409 allocation_taken or 422), and on two cores it is no faster.
  const started = performance.now();
  const ids = [];
  for (let i = 0; i < SERVERS; i++) {
    const res = await owner.post(`/api/orgs/${org}/servers`, {
      name: `Bench ${i}`,
      node_id: node.id,
      egg_id: egg.id,
      auto_allocation: true,
      limits: { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100 },
      environment: {},
    });
    ids.push((await must(res, 201, `server ${i}`)).server.id);
  }
  await sim.idle();
  const createdIn = performance.now() - started;
  if (sim.problems.length) throw new Error(`the simulator saw problems: ${JSON.stringify(sim.problems.slice(0, 5))}`);
  if (sim.servers.size !== SERVERS) throw new Error(`Wings holds ${sim.servers.size} servers, not ${SERVERS}`);

  const wingsBefore = sim.received.length;
  const all = await owner.get(`/api/orgs/${org}/servers?limit=200`);
  if (all.json?.total !== SERVERS || all.json.items.length !== 200) throw new Error(`the list says total ${all.json?.total}, ${all.json?.items?.length} items`);
  const health = await time(owner, "/api/health");
  const rows = [
    ["GET /api/health", health],
    ["GET …/servers (first 50, the default)", await time(owner, `/api/orgs/${org}/servers`)],
    ["GET …/servers?limit=200", await time(owner, `/api/orgs/${org}/servers?limit=200`)],
    [`GET …/servers?limit=50&offset=${SERVERS - 50} (last page)`, await time(owner, `/api/orgs/${org}/servers?limit=50&offset=${SERVERS - 50}`)],
    ["GET …/servers?search=Bench 49", await time(owner, `/api/orgs/${org}/servers?search=${encodeURIComponent("Bench 49")}`)],
    ["GET …/servers/{id} (one server)", await time(owner, `/api/orgs/${org}/servers/${ids[Math.floor(ids.length / 2)]}`)],
  ];
  const wingsDuring = sim.received.length - wingsBefore;

  console.log(`${SERVERS} servers created in ${(createdIn / 1000).toFixed(1)} s (each called back and installed by the simulator)`);
  console.log(`${ROUNDS} rounds each (loopback, wrangler dev)${" ".repeat(22)}p50         p95   p50 / health`);
  const base = quantile(health, 0.5);
  for (const [name, xs] of rows) {
    console.log(`${name.padEnd(52)} ${ms(quantile(xs, 0.5))}  ${ms(quantile(xs, 0.95))}   ${(quantile(xs, 0.5) / base).toFixed(2)}x`);
  }
  console.log(`requests to Wings while timing: ${wingsDuring}`);
} finally {
  await sim?.stop();
  await edge.stop();
}
