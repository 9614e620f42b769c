// A game-server stack for browser tests: `wrangler dev`, an owner signed up
// through the API, simulated Wings nodes configured from the panel's own
// config.yml, an egg imported from edge-api/tests/fixtures/eggs, and servers
// created through the API (installed by the simulator). Pages then sign in
// through the real form with `signIn(page)`.
//
//   const game = await startGameFixture();
//   const server = await game.createServer("survival");
//   await game.signIn(page);            // lands on the dashboard
//   ...
//   await game.stop();                  // every simulator, then wrangler
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { client } from "./client.mjs";
import { freePort, ROOT, startEdge, waitFor } from "./stack.mjs";
import { optionsFromConfig, readConfigYml, startWings } from "../wings-sim/index.mjs";

export const OWNER = { name: "Ada Lovelace", email: "ada@example.com", password: "correct horse battery", org: "Ada Games" };
const IP = "192.0.2.80";
/** Server limits small enough for hundreds on one simulated node. */
export const LIMITS = { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100 };

/**
 * Starts the stack: `edge` (startEdge's, or yours), the owner and their
 * organization, one simulated node ("sim-1", ports 25565-26564 free) and the
 * egg from `eggFile`. Answers the fixture:
 * - `edge`, `url`, `org` (slug), `owner` (an API client signed in as the owner), `node` (the node's JSON),
 *   `sim` (its simulator: startWings' answer), `egg` (the egg's JSON), `nodes` (every node added, with its `sim`)
 * - `addNode(name, {ports, start})`: another node with its own simulator (`start: false` leaves it down)
 * - `importEgg(file)`: another egg from edge-api/tests/fixtures/eggs
 * - `createServer(name, {node, egg, startOnCompletion, wait})`: a server through the API, waited for until installed
 * - `createServers(count, {prefix, node, concurrency})`: many at once (names `<prefix>-0001`, ...)
 * - `waitInstalled(id)`, `stopNode(node)` (its simulator goes away: the node is offline), `api(path)`: the URL
 * - `signIn(page)`: through the sign-in form, landing on the dashboard
 * - `stop()`: every simulator, then the edge (when the fixture started it)
 */
export async function startGameFixture({ edge, eggFile = "paper.ptdl_v2.json", owner: who = OWNER } = {}) {
  const ownEdge = !edge;
  edge ??= await startEdge();
  const owner = client(edge.url, { ip: IP });
  const nodes = [];
  const fixture = { edge, url: edge.url, owner, nodes, account: who };
  try {
    const setup = await owner.post("/api/setup", { name: who.name, email: who.email, password: who.password, organization: who.org });
    assert.equal(setup.status, 201, JSON.stringify(setup.json));
    const org = setup.json.memberships[0].slug;
    fixture.org = org;

    fixture.addNode = async (name, { ports = ["25565-26564"], start = true } = {}) => {
      const port = await freePort();
      const created = await owner.post(`/api/orgs/${org}/nodes`, { name, fqdn: "127.0.0.1", scheme: "http", daemon_port: port });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const node = created.json;
      const alloc = await owner.post(`/api/orgs/${org}/nodes/${node.id}/allocations`, { ip: "127.0.0.1", ports });
      assert.equal(alloc.status, 201, JSON.stringify(alloc.json));
      const yml = await fetch(`${edge.url}/api/orgs/${org}/nodes/${node.id}/configuration`, {
        headers: { origin: edge.url, cookie: owner.cookie, "cf-connecting-ip": IP },
      });
      assert.equal(yml.status, 200);
      const read = readConfigYml(await yml.text());
      assert.deepEqual(read.errors, []);
      const options = optionsFromConfig(read.config, { backoff: { initialMs: 50, maxIntervalMs: 200, maxElapsedMs: 2000 } });
      const entry = { node, sim: null, options };
      if (start) entry.sim = await startWings(options);
      nodes.push(entry);
      return entry;
    };

    fixture.importEgg = async (file) => {
      const body = await readFile(join(ROOT, "edge-api/tests/fixtures/eggs", file), "utf8");
      const res = await fetch(`${edge.url}/api/orgs/${org}/eggs/import`, {
        method: "POST",
        headers: { origin: edge.url, cookie: owner.cookie, "cf-connecting-ip": IP, "content-type": "application/json" },
        body,
      });
      const json = await res.json();
      assert.equal(res.status, 201, JSON.stringify(json));
      return json;
    };

    fixture.waitInstalled = (id) =>
      waitFor(
        async () => {
          const r = await owner.get(`/api/orgs/${org}/servers/${id}`);
          return r.status === 200 && r.json.server.status === null;
        },
        { what: `server ${id} installed` },
      );

    fixture.createServer = async (name, { node = fixture.node, egg = fixture.egg, startOnCompletion = false, wait = true } = {}) => {
      const created = await owner.post(`/api/orgs/${org}/servers`, {
        name,
        node_id: node.id,
        egg_id: egg.id,
        auto_allocation: true,
        limits: LIMITS,
        environment: {},
        start_on_completion: startOnCompletion,
      });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      if (wait) await fixture.waitInstalled(created.json.server.id);
      return created.json.server;
    };

    fixture.createServers = async (count, { prefix = "server", node = fixture.node, concurrency = 6 } = {}) => {
      const out = new Array(count);
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const i = next++;
          out[i] = await fixture.createServer(`${prefix}-${String(i + 1).padStart(4, "0")}`, { node, wait: false });
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
      return out;
    };

    fixture.stopNode = async (node) => {
      const entry = nodes.find((n) => n.node.id === node.id);
      await entry?.sim?.stop();
      if (entry) entry.sim = null;
    };

    fixture.api = (path) => `/api/orgs/${org}${path}`;

    fixture.signIn = async (page) => {
      await page.goto("/login");
      await page.getByLabel("Email", { exact: true }).fill(who.email);
      await page.getByLabel("Password", { exact: true }).fill(who.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    };

    fixture.stop = async () => {
      for (const n of nodes) await n.sim?.stop().catch(() => {});
      if (ownEdge) await edge.stop();
    };

    const first = await fixture.addNode("sim-1");
    fixture.node = first.node;
    fixture.sim = first.sim;
    fixture.egg = await fixture.importEgg(eggFile);
    // Wings refuses tokens issued in its boot second.
    await waitFor(async () => Math.floor(Date.now() / 1000) > Math.floor(first.sim.wings.bootedAt / 1000), {
      what: "a second past the node's boot",
    });
    return fixture;
  } catch (error) {
    for (const n of nodes) await n.sim?.stop().catch(() => {});
    if (ownEdge) await edge.stop();
    throw error;
  }
}
