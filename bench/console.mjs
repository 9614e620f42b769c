// Console output latency: a line the Wings simulator writes to a running
// server's console, timed until it arrives on a direct connection to the
// simulator's socket (authenticated with the ticket from
// GET …/servers/{server}/websocket, as a browser reaching Wings would) and on
// a viewer of Flamingo's relay (GET …/servers/{server}/console under
// `wrangler dev`), in the same run and for the same lines; prints the ratio.
// Run: scripts/with-tools.sh node bench/console.mjs
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import WebSocket from "ws";
import { freePort, ROOT, startEdge, waitFor } from "../tests/lib/stack.mjs";
import { client } from "../tests/lib/client.mjs";
import { optionsFromConfig, readConfigYml, startWings } from "../tests/wings-sim/index.mjs";

const ROUNDS = 200;
const WARMUP = 20;

const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const ms = (x) => `${x.toFixed(2)} ms`.padStart(10);

/** Resolves with the time each awaited console line arrives on `ws`. */
function arrivals(ws) {
  const waiting = new Map();
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.event !== "console output") return;
    const resolve = waiting.get(frame.args[0]);
    if (resolve) {
      waiting.delete(frame.args[0]);
      resolve(performance.now());
    }
  });
  return (line) => new Promise((resolve) => waiting.set(line, resolve));
}

function open(url, headers) {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`${url} answered ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

const edge = await startEdge();
let sim;
const sockets = [];
try {
  const owner = client(edge.url, { ip: "192.0.2.90" });
  const setup = await owner.post("/api/setup", { name: "Bench", email: "bench@example.com", password: "correct horse battery", organization: "Bench" });
  const org = setup.json.memberships[0].slug;
  const port = await freePort();
  const node = (await owner.post(`/api/orgs/${org}/nodes`, { name: "sim", fqdn: "127.0.0.1", scheme: "http", daemon_port: port, sftp_port: 2022 })).json;
  const yml = await fetch(`${edge.url}/api/orgs/${org}/nodes/${node.id}/configuration`, { headers: { cookie: owner.cookie, origin: edge.url } });
  const { config } = readConfigYml(await yml.text());
  sim = await startWings(optionsFromConfig(config));
  await owner.post(`/api/orgs/${org}/nodes/${node.id}/allocations`, { ip: "127.0.0.1", ports: ["25565"] });
  const egg = await fetch(`${edge.url}/api/orgs/${org}/eggs/import`, {
    method: "POST",
    headers: { cookie: owner.cookie, origin: edge.url, "content-type": "application/json" },
    body: await readFile(join(ROOT, "edge-api/tests/fixtures/eggs/paper.ptdl_v2.json"), "utf8"),
  });
  const created = await owner.post(`/api/orgs/${org}/servers`, {
    name: "Bench", node_id: node.id, egg_id: (await egg.json()).id, auto_allocation: true,
    limits: { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100 }, environment: { MINECRAFT_VERSION: "latest" }, start_on_completion: false,
  });
  if (created.status !== 201) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.json)}`);
  const id = (created.json.server ?? created.json).id;
  await sim.idle();
  await waitFor(async () => ((await owner.get(`/api/orgs/${org}/servers/${id}`)).json?.server ?? {}).status === null, { what: "installed" });
  await owner.post(`/api/orgs/${org}/servers/${id}/power`, { signal: "start" });
  await sim.idle();
  const server = sim.server(id);

  const ticket = (await owner.get(`/api/orgs/${org}/servers/${id}/websocket`)).json;
  const direct = await open(ticket.socket, { origin: config.remote });
  sockets.push(direct);
  direct.send(JSON.stringify({ event: "auth", args: [ticket.token] }));
  const relay = await open(`${edge.url.replace("http", "ws")}/api/orgs/${org}/servers/${id}/console`, { cookie: owner.cookie, origin: edge.url });
  sockets.push(relay);
  await waitFor(() => [...server.sockets].filter((s) => s.listening).length === 2, { what: "both sockets authenticated" });
  const onDirect = arrivals(direct);
  const onRelay = arrivals(relay);

  const directMs = [];
  const relayMs = [];
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const line = `bench line ${round}`;
    const d = onDirect(line);
    const r = onRelay(line);
    const sent = performance.now();
    server.output(line);
    const [at, via] = await Promise.all([d, r]);
    if (round >= WARMUP) {
      directMs.push(at - sent);
      relayMs.push(via - sent);
    }
  }
  const row = (name, xs) => console.log(`${name.padEnd(22)} p50 ${ms(quantile(xs, 0.5))}  p95 ${ms(quantile(xs, 0.95))}  max ${ms(Math.max(...xs))}`);
  console.log(`console output latency, ${ROUNDS} lines (after ${WARMUP} warm-up), simulator -> client on loopback`);
  row("direct to Wings", directMs);
  row("through the relay", relayMs);
  console.log(`ratio relay/direct: p50 ${(quantile(relayMs, 0.5) / quantile(directMs, 0.5)).toFixed(1)}x, p95 ${(quantile(relayMs, 0.95) / quantile(directMs, 0.95)).toFixed(1)}x`);
} finally {
  for (const ws of sockets) ws.terminate();
  await sim?.stop();
  await edge.stop();
}
