// The foundation on the real runtimes: the Worker under `wrangler dev` with
// local D1, KV and Durable Objects, the web app as static assets, security
// headers on both, bad input answered 4xx, and tunnel-host's listeners and
// clean shutdown.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { d1, getWithHost, startEdge, startTunnelHost, wrangler } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";

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

  test("bad input is a 4xx JSON error, never a 5xx", async () => {
    const owner = client(edge.url);
    const setup = await owner.post("/api/setup", {
      name: "Ada", email: "ada@example.com", password: "correct horse battery", organization: "Ada Lab",
    });
    assert.equal(setup.status, 201, JSON.stringify(setup.json));
    // Past KV's 512-byte key limit this was a 500.
    for (const id of ["a".repeat(513), "a".repeat(512), "nope"]) {
      const res = await owner.delete(`/api/auth/sessions/${id}`);
      assert.equal(res.status, 404, `${id.length} characters: ${res.status}`);
      assert.match(res.headers.get("content-type"), /application\/json/);
      assert.equal(res.json.error.code, "not_found");
    }
  });

  test("a body over 64 KiB is a JSON 413, whether it has a length or comes in chunks", async () => {
    const login = JSON.stringify({ email: "a@example.com", password: "x" });
    for (const size of [64 * 1024 + 1, 1024 * 1024]) {
      const body = `${login.slice(0, -1)},"pad":"${"x".repeat(size - login.length)}"}`;
      assert.ok(body.length > size - 1);
      for (let round = 0; round < 3; round++) {
        const sent = Buffer.from(body);
        const chunked = () =>
          new ReadableStream({
            start(controller) {
              for (let at = 0; at < sent.length; at += 16 * 1024) controller.enqueue(sent.subarray(at, at + 16 * 1024));
              controller.close();
            },
          });
        for (const [how, init] of [
          ["with Content-Length", { body: sent }],
          ["chunked", { body: chunked(), duplex: "half" }],
        ]) {
          const res = await fetch(`${edge.url}/api/auth/login`, {
            method: "POST",
            headers: { "content-type": "application/json", origin: edge.url },
            ...init,
          });
          const text = await res.text();
          assert.equal(res.status, 413, `${size} bytes ${how}, round ${round}: ${res.status} ${text.slice(0, 200)}`);
          assert.match(res.headers.get("content-type"), /application\/json/);
          assert.equal(JSON.parse(text).error.code, "payload_too_large");
        }
      }
    }
    // The limit itself still gets through to the handler.
    const fits = await fetch(`${edge.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "a@example.com", password: "x" }),
    });
    assert.equal(fits.status, 401);
  });

  test("API responses and the web app's files carry the security headers", async () => {
    const api = [`/api/health`, `/api/nope`];
    const app = ["/", "/login", "/o/default/tunnels", "/flamingo.svg", "/theme.js"];
    for (const path of [...api, ...app]) {
      const res = await fetch(`${edge.url}${path}`);
      await res.arrayBuffer();
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /frame-ancestors 'none'/, `${path}: ${csp}`);
      assert.match(csp, /object-src 'none'|default-src 'none'/, path);
      assert.equal(res.headers.get("x-frame-options"), "DENY", path);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.match(res.headers.get("referrer-policy") ?? "", /^(no-referrer|same-origin)$/, path);
    }
    // The app's policy allows no inline or foreign script, and the page has none.
    const page = await fetch(`${edge.url}/`);
    const csp = page.headers.get("content-security-policy");
    const directive = (name) => csp.split(";").map((d) => d.trim()).find((d) => d.startsWith(`${name} `));
    assert.equal(directive("script-src"), "script-src 'self'");
    assert.equal(directive("default-src"), "default-src 'self'");
    assert.match(csp, /base-uri 'self'/);
    assert.match(csp, /form-action 'self'/);
    assert.equal(page.headers.get("referrer-policy"), "same-origin");
    const html = await page.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
  });

  test("hashed assets are cached for a year, pages and unhashed files are revalidated", async () => {
    const html = await (await fetch(`${edge.url}/`)).text();
    const hashed = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(hashed.length >= 2, `the page loads its hashed script and styles: ${hashed}`);
    for (const path of hashed) {
      const res = await fetch(`${edge.url}${path}`);
      await res.arrayBuffer();
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable", path);
      // The security headers of every file still apply.
      assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/, path);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
    }
    for (const path of ["/", "/index.html", "/login", "/o/default/tunnels", "/theme.js", "/flamingo.svg", "/docs/api.txt"]) {
      const res = await fetch(`${edge.url}${path}`);
      await res.arrayBuffer();
      assert.equal(res.headers.get("cache-control"), "no-cache", path);
      assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/, path);
    }
  });

  test("the panel serves the API reference it links to", async () => {
    const res = await fetch(`${edge.url}/docs/api.txt`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await res.text();
    assert.match(text, /^# Flamingo API reference/);
    assert.match(text, /\| `DELETE` \| `\/api\/auth\/sessions` \| browser session \|/);
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
