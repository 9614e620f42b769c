// The foundation on the real runtimes: the Worker under `wrangler dev` with
// local D1, KV and Durable Objects, the web app as static assets, and
// tunnel-host's listeners and clean shutdown.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { d1, getWithHost, startEdge, startTunnelHost, wrangler } from "./lib/stack.mjs";

describe("edge under wrangler dev", () => {
  let edge;
  before(async () => {
    edge = await startEdge();
  });
  after(async () => {
    await edge?.stop();
  });

  test("health answers ok with every binding checked", async () => {
    const res = await fetch(`${edge.url}/api/health`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /application\/json/);
    const body = await res.json();
    assert.deepEqual(body.checks, { d1: "ok", durable_objects: "ok", kv: "ok" });
    assert.equal(body.status, "ok");
    assert.match(body.version, /^\d+\.\d+\.\d+/);
  });

  test("D1: each health check writes the probe row and reads it back", async () => {
    const [before] = await d1(edge, "SELECT checks FROM health_probe");
    await fetch(`${edge.url}/api/health`);
    const [row] = await d1(edge, "SELECT checks, checked_at FROM health_probe");
    assert.equal(row.checks, before.checks + 1);
    assert.ok(Math.abs(Date.parse(row.checked_at) - Date.now()) < 120_000, row.checked_at);
  });

  test("KV: the probe key is stored with a TTL", async () => {
    const keys = JSON.parse(await wrangler(["kv", "key", "list", "--binding", "KV", "--local", "--persist-to", edge.state]));
    const probe = keys.find((k) => k.name === "health:probe");
    assert.ok(probe, JSON.stringify(keys));
    const ttl = probe.expiration - Date.now() / 1000;
    assert.ok(ttl > 0 && ttl <= 61, `ttl ${ttl}`);
  });

  test("Durable Object: the hub keeps its ping count across requests", async () => {
    // The health check's round trip to the `health` hub counts in its storage;
    // a failing or stateless object would turn the check red.
    for (let i = 0; i < 3; i++) {
      const body = await (await fetch(`${edge.url}/api/health`)).json();
      assert.equal(body.checks.durable_objects, "ok");
    }
  });

  test("unknown API routes get the JSON error envelope", async () => {
    const res = await fetch(`${edge.url}/api/nope`);
    assert.equal(res.status, 404);
    assert.deepEqual((await res.json()).error.code, "not_found");
  });

  test("the web app is served at / with single-page fallback", async () => {
    for (const path of ["/", "/o/default", "/o/default/tunnels"]) {
      const res = await fetch(`${edge.url}${path}`);
      assert.equal(res.status, 200, path);
      const html = await res.text();
      assert.match(html, /<div id="root">/, path);
    }
  });
});

describe("tunnel-host", () => {
  test("binds its listeners, answers on each, and stops cleanly on SIGTERM", async () => {
    const host = await startTunnelHost();
    try {
      const banner = await new Promise((ok, fail) => {
        const socket = connect(host.ports.ssh, "127.0.0.1");
        socket.once("data", (d) => {
          socket.destroy();
          ok(d.toString());
        });
        socket.once("error", fail);
      });
      assert.match(banner, /^SSH-2\.0-/);
      const res = await getWithHost(host.ports.http, "nobody.localhost");
      assert.equal(res.status, 404);
      assert.equal((await fetch(`${host.adminUrl}/healthz`)).status, 200);
      const exit = new Promise((r) => host.child.once("exit", (code, signal) => r({ code, signal })));
      process.kill(host.child.pid, "SIGTERM");
      assert.deepEqual(await exit, { code: 0, signal: null });
      assert.match(host.child.output(), /listening/);
    } finally {
      await host.stop();
    }
  });
});
