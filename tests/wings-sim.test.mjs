// The Wings simulator on its own, against a tiny fake panel: a panel that
// answers as the contract says boots it cleanly, and each mistake a panel can
// make (a number for a string, a stringified object, a missing default
// allocation, 0-based pages, bad JWTs, ...) is refused or recorded the way
// Wings would take it. No Flamingo involved: this proves the simulator is
// strict before the whole-system tests trust it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { signJwt, startWings } from "./wings-sim/index.mjs";

const TOKEN_ID = "abcdefghijklmnop";
const TOKEN = "t".repeat(64);
const NODE = randomUUID();
const USER = randomUUID();

/** A server's settings and process configuration exactly as the contract's tables say. */
function goodServer(uuid = randomUUID(), overrides = {}) {
  return {
    uuid,
    settings: {
      id: 1,
      uuid,
      meta: { name: "Paper", description: "" },
      suspended: false,
      invocation: "java -Xmx{{SERVER_MEMORY}}M -jar {{SERVER_JARFILE}}",
      skip_egg_scripts: false,
      environment: { SERVER_JARFILE: "server.jar", MAX_PLAYERS: "20" },
      labels: {},
      allocations: { force_outgoing_ip: false, default: { ip: "0.0.0.0", port: 25565 }, mappings: { "0.0.0.0": [25565] } },
      build: { memory_limit: 1024, swap: 0, io_weight: 500, cpu_limit: 100, disk_space: 5120, threads: "", oom_killer: false },
      mounts: [],
      egg: { id: randomUUID(), file_denylist: [], features: { eula: ["You need to agree to the EULA"] } },
      container: { image: "ghcr.io/pelican-eggs/yolks:java_21" },
      ...overrides.settings,
    },
    process_configuration: {
      startup: { done: [")! For help, type "], user_interaction: [], strip_ansi: false },
      stop: { type: "command", value: "stop" },
      configs: [{ file: "server.properties", parser: "properties", replace: [{ match: "server-port", replace_with: "25565" }] }],
      ...overrides.process_configuration,
    },
  };
}

/**
 * A fake panel on 127.0.0.1: the remote API over `servers` (a Map uuid ->
 * {settings, process_configuration}), 1-based pages (page 0 answered as 1),
 * with hooks to break any answer. Records every request.
 */
async function startPanel() {
  const panel = {
    servers: new Map(),
    requests: [],
    hooks: {},
    sftp: null,
    expect: `Bearer ${TOKEN_ID}.${TOKEN}`,
  };
  const json = (res, status, value) => {
    const body = typeof value === "string" ? value : JSON.stringify(value);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body);
  };
  const http = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const url = new URL(req.url, "http://panel");
    const entry = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: Buffer.concat(chunks).toString() };
    panel.requests.push(entry);
    const hook = panel.hooks[`${req.method} ${url.pathname}`] ?? panel.hooks[req.method];
    if (hook) {
      const handled = await hook(entry, res, json);
      if (handled) return;
    }
    if (req.headers.authorization !== panel.expect) return json(res, 403, { errors: [{ code: "AccessDenied", status: "403", detail: "bad token" }] });
    const list = [...panel.servers.values()];
    let m;
    if (req.method === "GET" && url.pathname === "/api/remote/servers") {
      const per = Number(url.searchParams.get("per_page"));
      const page = Math.max(1, Number(url.searchParams.get("page")));
      const last = Math.max(1, Math.ceil(list.length / per));
      const data = list.slice((page - 1) * per, page * per);
      return json(res, 200, {
        data,
        meta: { current_page: page, from: data.length ? (page - 1) * per + 1 : 0, last_page: last, per_page: per, to: (page - 1) * per + data.length, total: list.length },
      });
    }
    if (req.method === "POST" && url.pathname === "/api/remote/servers/reset") return json(res, 204, "");
    if ((m = /^\/api\/remote\/servers\/([^/]+)$/.exec(url.pathname)) && req.method === "GET") {
      const s = panel.servers.get(m[1]);
      if (!s) return json(res, 404, { errors: [{ code: "NotFound", status: "404", detail: "no such server" }] });
      return json(res, 200, { settings: s.settings, process_configuration: s.process_configuration });
    }
    if ((m = /^\/api\/remote\/servers\/([^/]+)\/install$/.exec(url.pathname))) {
      if (req.method === "GET") return json(res, 200, { container_image: "ghcr.io/pelican-eggs/installers:debian", entrypoint: "bash", script: "#!/bin/bash\necho install" });
      return json(res, 204, "");
    }
    if (/^\/api\/remote\/servers\/[^/]+\/container\/status$/.test(url.pathname)) return json(res, 204, "");
    if (url.pathname === "/api/remote/activity") return json(res, 204, "");
    if (url.pathname === "/api/remote/sftp/auth") {
      const answer = panel.sftp?.(JSON.parse(entry.body));
      if (!answer) return json(res, 403, { errors: [{ code: "BadCredentials", status: "403", detail: "no" }] });
      return json(res, 200, answer);
    }
    json(res, 404, { errors: [{ code: "NotFound", status: "404", detail: "no route" }] });
  });
  await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
  panel.url = `http://127.0.0.1:${http.address().port}`;
  panel.stop = () => new Promise((r) => {
    http.closeAllConnections();
    http.close(() => r());
  });
  panel.reset = () => {
    panel.servers.clear();
    panel.requests.length = 0;
    panel.hooks = {};
    panel.sftp = null;
    panel.expect = `Bearer ${TOKEN_ID}.${TOKEN}`;
  };
  return panel;
}

let panel;
const started = [];

async function wings(options = {}) {
  const w = await startWings({ panelUrl: panel.url, uuid: NODE, tokenId: TOKEN_ID, token: TOKEN, backoff: { initialMs: 20, maxIntervalMs: 50, maxElapsedMs: 400 }, ...options });
  started.push(w);
  return w;
}

/** A call to the simulator's HTTP API with the node token (or `auth`). */
async function call(w, method, path, body, { auth = `Bearer ${TOKEN}`, raw } = {}) {
  const res = await fetch(`${w.url}${path}`, {
    method,
    headers: { ...(auth ? { authorization: auth } : {}), "content-type": "application/json" },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

async function until(probe, what, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

before(async () => {
  panel = await startPanel();
});

after(async () => {
  for (const w of started) await w.stop();
  await panel.stop();
});

describe("boot", () => {
  test("a correct panel with 120 servers: page 0, then pages 2 and 3, each server once, then reset with null", async () => {
    panel.reset();
    for (let i = 0; i < 120; i++) {
      const s = goodServer();
      panel.servers.set(s.uuid, s);
    }
    const w = await wings();
    await w.idle();
    const pages = w.callsTo("GET", "/api/remote/servers").map((c) => c.query.page).sort();
    assert.deepEqual(pages, ["0", "2", "3"]);
    for (const c of w.callsTo("GET", "/api/remote/servers")) assert.equal(c.query.per_page, "50");
    assert.equal(w.bootResult.loaded.length, 120);
    assert.deepEqual(new Set(w.bootResult.loaded), new Set(panel.servers.keys()));
    assert.deepEqual(w.bootResult.skipped, []);
    const resets = w.callsTo("POST", "/api/remote/servers/reset");
    assert.equal(resets.length, 1);
    assert.equal(resets[0].body, "null");
    const c = w.calls[0];
    assert.equal(c.headers.Authorization, `Bearer ${TOKEN_ID}.${TOKEN}`);
    assert.equal(c.headers["User-Agent"], `Pelican Wings/v1.0.0 (id:${TOKEN_ID})`);
    assert.equal(c.headers.Accept, "application/json");
    assert.equal(c.headers["Content-Type"], "application/json");
    assert.deepEqual(w.problems, []);
  });

  test("a panel answering page=0 as page 0 makes Wings fetch page 1 again: listed twice", async () => {
    panel.reset();
    for (let i = 0; i < 60; i++) {
      const s = goodServer();
      panel.servers.set(s.uuid, s);
    }
    panel.hooks["GET /api/remote/servers"] = (entry, res, json) => {
      if (entry.query.page !== "0") return false;
      const list = [...panel.servers.values()].slice(0, 50);
      json(res, 200, { data: list, meta: { current_page: 0, from: 1, last_page: 2, per_page: 50, to: 50, total: 60 } });
      return true;
    };
    const w = await wings();
    assert.deepEqual(w.callsTo("GET", "/api/remote/servers").map((c) => c.query.page).sort(), ["0", "1", "2"]);
    assert.ok(w.problems.some((p) => /listed more than once/.test(p.message)), JSON.stringify(w.problems));
  });

  test("one page: no further page is fetched", async () => {
    panel.reset();
    const s = goodServer();
    panel.servers.set(s.uuid, s);
    const w = await wings();
    assert.equal(w.callsTo("GET", "/api/remote/servers").length, 1);
    assert.deepEqual(w.bootResult.loaded, [s.uuid]);
  });

  test("each server is decoded on its own: the bad ones are skipped with Go's error, the good one loads", async () => {
    panel.reset();
    const good = goodServer();
    const cases = {
      stringified: goodServer(undefined, {}),
      noDefault: goodServer(),
      memoryString: goodServer(),
      ioWeight: goodServer(),
      noParser: goodServer(),
      notV4: goodServer("00000000-0000-1000-8000-000000000000"),
      noProcess: goodServer(),
    };
    cases.stringified.process_configuration = JSON.stringify(cases.stringified.process_configuration);
    delete cases.noDefault.settings.allocations.default;
    cases.memoryString.settings.build.memory_limit = "1024";
    cases.ioWeight.settings.build.io_weight = 70000;
    cases.noParser.process_configuration.configs = [{ file: "server.properties", replace: [] }];
    delete cases.noProcess.process_configuration;
    for (const s of [good, ...Object.values(cases)]) panel.servers.set(s.uuid, s);
    const w = await wings();
    assert.deepEqual(w.bootResult.loaded, [good.uuid]);
    const why = Object.fromEntries(w.bootResult.skipped.map((s) => [s.uuid, s.error]));
    assert.match(why[cases.stringified.uuid], /cannot unmarshal string into Go value of type remote\.ProcessConfiguration/);
    assert.match(why[cases.noDefault.uuid], /allocations\.default is missing/);
    assert.match(why[cases.memoryString.uuid], /cannot unmarshal string into Go struct field Configuration\.build\.memory_limit of type int64/);
    assert.match(why[cases.ioWeight.uuid], /cannot unmarshal number 70000 into Go struct field Configuration\.build\.io_weight of type uint16/);
    assert.match(why[cases.noParser.uuid], /missing required 'parser' key/);
    assert.match(why[cases.notV4.uuid], /not a UUIDv4/);
    assert.match(why[cases.noProcess.uuid], /unexpected end of JSON input/);
  });

  test("what Wings accepts but gets wrong is recorded: numbers in environment, a numeric egg id, a bad stop signal", async () => {
    panel.reset();
    const s = goodServer();
    s.settings.environment = { SERVER_PORT: 25565, MAX_PLAYERS: 20, ENABLED: true, NAME: "x" };
    s.settings.egg.id = 7;
    s.process_configuration.stop = { type: "signal", value: "SIGHUP" };
    panel.servers.set(s.uuid, s);
    const w = await wings();
    assert.deepEqual(w.bootResult.loaded, [s.uuid]);
    const text = w.problems.map((p) => p.message).join("\n");
    assert.match(text, /environment\.SERVER_PORT is a JSON number, not a string: Wings formats it as "25565\.000000"/);
    assert.match(text, /environment\.ENABLED is a JSON bool/);
    assert.match(text, /egg did not decode .*drops its features/);
    assert.match(text, /stop signal "SIGHUP"/);
    const server = w.server(s.uuid);
    assert.equal(server.config.egg.features, null);
    assert.ok(server.environment().includes("MAX_PLAYERS=20.000000"));
    assert.ok(server.environment().includes("SERVER_PORT=25565"));
    assert.ok(server.environment().includes("NAME=x"));
  });

  test("Go's leniency: unknown keys ignored, keys matched case-insensitively, null leaves a struct at its zero value", async () => {
    panel.reset();
    const s = goodServer();
    s.settings.flamingo_extra = { anything: 1 };
    s.settings.MOUNTS = null;
    s.settings.build = null;
    s.settings.Meta = { Name: "Upper" };
    panel.servers.set(s.uuid, s);
    const w = await wings();
    assert.deepEqual(w.bootResult.loaded, [s.uuid]);
    const c = w.server(s.uuid).config;
    assert.equal(c.meta.name, "Upper");
    assert.equal(c.build.memory_limit, 0);
    assert.equal(c.crash_detection_enabled, true);
    assert.deepEqual(w.problems, []);
  });

  test("a page Go cannot decode, a 4xx, or a fractional meta field fails the boot as Wings exits", async () => {
    panel.reset();
    panel.servers.set("x", goodServer());
    panel.hooks["GET /api/remote/servers"] = (entry, res, json) => {
      json(res, 200, { data: [], meta: { current_page: 1, from: 0, last_page: 1.5, per_page: 50, to: 0, total: 0 } });
      return true;
    };
    const w1 = await wings({ boot: false });
    await assert.rejects(w1.boot(), /cannot unmarshal number 1\.5 into Go struct field getServersPaged\.meta\.last_page of type uint/);
    panel.hooks["GET /api/remote/servers"] = (entry, res, json) => (json(res, 401, { errors: [{ code: "Unauthorized", status: "401", detail: "who" }] }), true);
    const w2 = await wings({ boot: false });
    await assert.rejects(w2.boot(), /Error response from Panel: Unauthorized: who \(HTTP\/401\)/);
    assert.equal(w2.callsTo("GET", "/api/remote/servers").length, 1, "a 4xx is not retried");
  });

  test("5xx and network errors are retried with backoff; the reset succeeds on the second try", async () => {
    panel.reset();
    let n = 0;
    panel.hooks["POST /api/remote/servers/reset"] = (entry, res, json) => (++n === 1 ? (json(res, 503, ""), true) : false);
    const w = await wings();
    await w.idle();
    assert.deepEqual(w.callsTo("POST", "/api/remote/servers/reset").map((c) => c.status), [503, 204]);
    assert.deepEqual(w.problems, []);
  });
});

describe("bearer routes", () => {
  let w;
  let s;
  before(async () => {
    panel.reset();
    s = goodServer();
    panel.servers.set(s.uuid, s);
    w = await wings();
  });

  test("401 with WWW-Authenticate without or with a non-Bearer header, 403 for a wrong token, User-Agent on answers", async () => {
    for (const auth of [null, "Basic abc", "Bearer"]) {
      const r = await call(w, "GET", "/api/system", undefined, { auth });
      assert.equal(r.status, 401, String(auth));
      assert.equal(r.headers.get("www-authenticate"), "Bearer");
    }
    const wrong = await call(w, "GET", "/api/system", undefined, { auth: `Bearer ${TOKEN_ID}.${TOKEN}` });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.headers.get("www-authenticate"), null);
    const ok = await call(w, "GET", "/api/system");
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("user-agent"), `Pelican Wings/v1.0.0 (id:${TOKEN_ID})`);
    assert.deepEqual(Object.keys(ok.json), ["architecture", "cpu_count", "kernel_version", "os", "version"]);
    const v2 = await call(w, "GET", "/api/system?v=2");
    assert.deepEqual(Object.keys(v2.json), ["version", "docker", "system"]);
    assert.equal((await call(w, "GET", "/api/system/utilization")).json.disk_details.length, 1);
    assert.deepEqual((await call(w, "GET", "/api/system/ips")).json, { ip_addresses: ["127.0.0.1"] });
    const unknownNoAuth = await call(w, "GET", "/api/nothing", undefined, { auth: null });
    assert.equal(unknownNoAuth.status, 401, "gin runs the bearer check before the 404 handler");
    const unknown = await call(w, "GET", "/api/nothing");
    assert.equal(unknown.status, 404);
    assert.equal(unknown.text, "404 page not found");
  });

  test("404 for a server this node does not have; 422 for a bad power action; 400 for a body Go cannot bind", async () => {
    assert.equal((await call(w, "GET", `/api/servers/${randomUUID()}`)).status, 404);
    assert.equal((await call(w, "POST", `/api/servers/${s.uuid}/power`, { action: "explode" })).status, 422);
    const typed = await call(w, "POST", `/api/servers/${s.uuid}/power`, { action: "start", wait_seconds: "30" });
    assert.equal(typed.status, 400);
    assert.equal((await call(w, "POST", `/api/servers/${s.uuid}/power`, undefined, { raw: "" })).json.error, "The data passed in the request was not in a parsable format. Please try again.");
    assert.equal((await call(w, "POST", "/api/servers", { uuid: "not-a-uuid", start_on_completion: false })).status, 422);
    assert.equal((await call(w, "POST", "/api/servers", { uuid: randomUUID(), start_on_completion: "yes" })).status, 400);
    assert.ok(w.problems.some((p) => /wait_seconds of type int/.test(p.message)));
  });

  test("502 for a command while offline; start, command, stop with a container status push per change", async () => {
    assert.equal((await call(w, "POST", `/api/servers/${s.uuid}/commands`, { commands: ["say hi"] })).status, 502);
    assert.equal((await call(w, "POST", `/api/servers/${s.uuid}/power`, { action: "start" })).status, 202);
    await w.idle();
    assert.equal(w.server(s.uuid).state, "running");
    assert.equal((await call(w, "POST", `/api/servers/${s.uuid}/commands`, { commands: ["say hi"] })).status, 204);
    assert.deepEqual(w.server(s.uuid).stdin, ["say hi"]);
    assert.equal((await call(w, "POST", `/api/servers/${s.uuid}/power`, { action: "stop" })).status, 202);
    await w.idle();
    const pushes = w.callsTo("POST", `/api/remote/servers/${s.uuid}/container/status`).map((c) => JSON.parse(c.body));
    assert.deepEqual(pushes.map((p) => `${p.data.previous_state}>${p.data.new_state}`), ["offline>starting", "starting>running", "running>stopping", "stopping>offline"]);
    assert.equal(w.callsTo("GET", `/api/remote/servers/${s.uuid}`).length, 1, "start syncs first");
    assert.deepEqual(w.server(s.uuid).stdin, ["say hi", "stop"], "the egg's stop command went to stdin");
    const logs = await call(w, "GET", `/api/servers/${s.uuid}/logs?size=2`);
    assert.equal(logs.json.data.length, 2);
    const one = await call(w, "GET", `/api/servers/${s.uuid}`);
    assert.deepEqual(Object.keys(one.json), ["state", "is_suspended", "utilization", "configuration"]);
    assert.equal(one.json.configuration.uuid, s.uuid);
  });

  test("400 to start a suspended server; sync picks the suspension up; 409 for a reinstall during a power action", async () => {
    panel.servers.get(s.uuid).settings.suspended = true;
    assert.equal((await call(w, "POST", `/api/servers/${s.uuid}/sync`)).status, 204);
    assert.equal((await call(w, "POST", `/api/servers/${s.uuid}/power`, { action: "start" })).status, 400);
    panel.servers.get(s.uuid).settings.suspended = false;
    assert.equal((await call(w, "POST", `/api/servers/${s.uuid}/sync`)).status, 204);
    const w2 = await wings({ powerDelayMs: 300 });
    assert.equal((await call(w2, "POST", `/api/servers/${s.uuid}/power`, { action: "start" })).status, 202);
    assert.equal((await call(w2, "POST", `/api/servers/${s.uuid}/reinstall`)).status, 409);
    await w2.idle();
    assert.equal((await call(w2, "POST", `/api/servers/${s.uuid}/reinstall`)).status, 202);
    await w2.idle();
    const installs = w2.callsTo("POST", `/api/remote/servers/${s.uuid}/install`).map((c) => JSON.parse(c.body));
    assert.deepEqual(installs, [{ successful: true, reinstall: true }]);
    assert.equal(w2.server(s.uuid).state, "offline", "a reinstall stops the server first");
  });

  test("sync fails with 500 when the panel's answer does not decode (a stringified process_configuration)", async () => {
    const broken = { ...panel.servers.get(s.uuid), process_configuration: JSON.stringify(s.process_configuration) };
    panel.servers.set(s.uuid, broken);
    try {
      assert.equal((await call(w, "POST", `/api/servers/${s.uuid}/sync`)).status, 500);
      assert.ok(w.problems.some((p) => /cannot unmarshal string into Go struct field ServerConfigurationResponse\.process_configuration of type remote\.ProcessConfiguration/.test(p.message)));
    } finally {
      panel.servers.set(s.uuid, s);
    }
  });

  test("POST /api/update decodes json tags: applied, a new token pending; a wrong type is 400", async () => {
    const r = await call(w, "POST", "/api/update", { token: "n".repeat(64), api: { port: 8080, upload_limit: 100 }, allowed_origins: ["http://x"] });
    assert.deepEqual(r.json, { applied: true });
    assert.equal(w.wings.pendingToken, "n".repeat(64));
    assert.equal((await call(w, "POST", `/api/servers/${s.uuid}/sync`)).status, 204, "the old token stays in use until a restart");
    assert.equal((await call(w, "POST", "/api/update", { api: { port: "8080" } })).status, 400);
  });
});

describe("configuration pushes", () => {
  test("a token pushed by /api/update is written but used only after a restart; the User-Agent shows a new token_id at once", async () => {
    panel.reset();
    const w = await wings();
    const fresh = "n".repeat(64);
    assert.deepEqual((await call(w, "POST", "/api/update", { token_id: "newid", token: fresh })).json, { applied: true });
    const now = await call(w, "GET", "/api/system");
    assert.equal(now.status, 200, "the boot-time token is still the one in force");
    assert.equal(now.headers.get("user-agent"), "Pelican Wings/v1.0.0 (id:newid)");
    assert.equal((await call(w, "GET", "/api/system", undefined, { auth: `Bearer ${fresh}` })).status, 403);
    assert.deepEqual((await call(w, "POST", "/api/update", { api: { port: 8080 } })).json, { applied: true });
    assert.equal(w.wings.disk.token, fresh, "keys absent from a push keep their values");
    panel.expect = `Bearer newid.${fresh}`;
    const before = w.calls.length;
    await w.reboot();
    await w.idle();
    assert.deepEqual(w.calls.slice(before).map((c) => `${c.method} ${c.path} ${c.status}`), ["GET /api/remote/servers 200", "POST /api/remote/servers/reset 204"], "the record goes on across a restart");
    assert.equal((await call(w, "GET", "/api/system")).status, 403);
    assert.equal((await call(w, "GET", "/api/system", undefined, { auth: `Bearer ${fresh}` })).status, 200);
    assert.equal(w.calls.at(-1).headers.Authorization, `Bearer newid.${fresh}`);
    assert.equal(w.calls.at(-1).headers["User-Agent"], "Pelican Wings/v1.0.0 (id:newid)");
    assert.deepEqual(w.problems, []);
  });

  test("a 4xx from the panel that is not Wings' error shape is recorded; a failed install report too", async () => {
    panel.reset();
    const s = goodServer();
    panel.servers.set(s.uuid, s);
    const w = await wings();
    panel.hooks["POST /api/remote/sftp/auth"] = (entry, res, json) => (json(res, 403, { error: { code: "forbidden", message: "no" } }), true);
    const r = await w.sftpAuth({ username: `ada.${s.uuid.slice(0, 8)}`, password: "x" });
    assert.equal(r.reason, "invalid credentials");
    assert.ok(w.problems.some((p) => /403 answer Wings cannot read/.test(p.message)), JSON.stringify(w.problems));
    panel.hooks[`POST /api/remote/servers/${s.uuid}/install`] = (entry, res, json) => (json(res, 422, { errors: [{ code: "bad", status: "422", detail: "no" }] }), true);
    assert.equal((await call(w, "POST", `/api/servers/${s.uuid}/reinstall`)).status, 202);
    await w.idle();
    assert.ok(w.problems.some((p) => /install.*Wings only logs it/.test(`${p.where} ${p.message}`)), JSON.stringify(w.problems));
  });
});

describe("create and install", () => {
  test("POST /api/servers calls back before answering 202, installs, reports, starts on completion", async () => {
    panel.reset();
    const w = await wings();
    const s = goodServer();
    panel.servers.set(s.uuid, s);
    const r = await call(w, "POST", "/api/servers", { uuid: s.uuid, start_on_completion: true });
    assert.equal(r.status, 202);
    assert.deepEqual(w.callsTo("GET", `/api/remote/servers/${s.uuid}`)[0].during, ["POST /api/servers"], "the callback came before the 202");
    await w.idle();
    const order = w.calls.map((c) => `${c.method} ${c.path}`).filter((p) => p.includes(s.uuid));
    assert.deepEqual(order.slice(0, 3), [`GET /api/remote/servers/${s.uuid}`, `GET /api/remote/servers/${s.uuid}/install`, `POST /api/remote/servers/${s.uuid}/install`]);
    assert.deepEqual(JSON.parse(w.callsTo("POST", `/api/remote/servers/${s.uuid}/install`)[0].body), { successful: true, reinstall: false });
    assert.equal(w.server(s.uuid).state, "running");
    assert.equal((await call(w, "GET", `/api/servers/${s.uuid}/install-logs`)).json.data.split("\n")[0], "#!/bin/bash");
    assert.deepEqual(w.problems, []);
  });

  test("a create whose callback does not decode is a 500 and adds nothing; a failed install reports successful false", async () => {
    panel.reset();
    const w = await wings({ installSucceeds: () => false });
    const bad = goodServer();
    bad.settings.environment = JSON.stringify(bad.settings.environment);
    panel.servers.set(bad.uuid, bad);
    assert.equal((await call(w, "POST", "/api/servers", { uuid: bad.uuid, start_on_completion: false })).status, 500);
    assert.equal(w.server(bad.uuid), undefined);
    const other = goodServer();
    panel.servers.set(other.uuid, other);
    assert.equal((await call(w, "POST", "/api/servers", { uuid: other.uuid, start_on_completion: true })).status, 202);
    await w.idle();
    assert.deepEqual(JSON.parse(w.callsTo("POST", `/api/remote/servers/${other.uuid}/install`)[0].body), { successful: false, reinstall: false });
    assert.equal(w.server(other.uuid).state, "offline", "no start after a failed install");
    const mismatch = goodServer();
    panel.servers.set(mismatch.uuid, { ...mismatch, settings: { ...mismatch.settings, uuid: randomUUID() } });
    assert.equal((await call(w, "POST", "/api/servers", { uuid: mismatch.uuid, start_on_completion: false })).status, 500);
  });

  test("skip_egg_scripts: no install script is fetched but the outcome is still reported; DELETE removes the server", async () => {
    panel.reset();
    const w = await wings();
    const s = goodServer(undefined, { settings: { skip_egg_scripts: true } });
    panel.servers.set(s.uuid, s);
    assert.equal((await call(w, "POST", "/api/servers", { uuid: s.uuid, start_on_completion: false })).status, 202);
    await w.idle();
    assert.equal(w.callsTo("GET", `/api/remote/servers/${s.uuid}/install`).length, 0);
    assert.equal(w.callsTo("POST", `/api/remote/servers/${s.uuid}/install`).length, 1);
    assert.equal((await call(w, "DELETE", `/api/servers/${s.uuid}`)).status, 204);
    assert.equal((await call(w, "GET", `/api/servers/${s.uuid}`)).status, 404);
  });
});

describe("tokens and the console socket", () => {
  let w;
  let s;
  const claims = (extra = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: panel.url, aud: [w.url], jti: randomUUID(), iat: now + 1, nbf: now, exp: now + 600, scope: "websocket", server_uuid: s.uuid, user_uuid: USER, permissions: ["websocket.connect", "control.console"], ...extra };
  };
  const open = async () => {
    const ws = new WebSocket(`${w.url.replace("http", "ws")}/api/servers/${s.uuid}/ws`, { origin: panel.url });
    const frames = [];
    ws.on("message", (d) => frames.push(JSON.parse(d.toString())));
    await new Promise((ok, fail) => (ws.once("open", ok), ws.once("error", fail)));
    return { ws, frames, send: (event, ...args) => ws.send(JSON.stringify({ event, args })) };
  };

  before(async () => {
    panel.reset();
    s = goodServer();
    panel.servers.set(s.uuid, s);
    w = await wings({ jwtCheckIntervalMs: 100 });
  });

  test("a good token: auth success, then status and stats; re-auth renews with only auth success", async () => {
    const c = await open();
    c.send("auth", signJwt(TOKEN, claims()));
    await until(() => c.frames.length >= 3, "three frames");
    assert.deepEqual(c.frames.map((f) => f.event), ["auth success", "status", "stats"]);
    assert.deepEqual(c.frames[1].args, ["offline"]);
    c.send("auth", signJwt(TOKEN, claims()));
    await until(() => c.frames.length >= 4, "renewal");
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(c.frames.slice(3).map((f) => f.event), ["auth success"]);
    c.ws.close();
  });

  test("refused tokens: expired, iat in the boot second, wrong scope, no connect permission, wrong key, fractional time, no exp", async () => {
    const boot = Math.floor(w.bootedAt / 1000);
    const cases = [
      [claims({ exp: Math.floor(Date.now() / 1000) - 1 }), "jwt error", /jwt: exp claim is invalid/],
      [claims({ iat: boot }), "jwt error", /created too far in past \(denylist\)/],
      [claims({ iat: undefined }), "jwt error", /denylist/],
      [claims({ scope: "file-download" }), "jwt error", /missing connect permission/],
      [claims({ permissions: ["control.console"] }), "jwt error", /missing connect permission/],
      [claims({ exp: undefined }), "jwt error", /exp claim is invalid/],
    ];
    for (const [payload, event, message] of cases) {
      const c = await open();
      c.send("auth", signJwt(TOKEN, payload));
      await until(() => c.frames.length >= 1, "an answer");
      assert.equal(c.frames[0].event, event, JSON.stringify(payload));
      assert.match(c.frames[0].args[0], message);
      c.ws.close();
    }
    for (const token of [signJwt("wrong key", claims()), signJwt(TOKEN, claims({ exp: Date.now() / 1000 + 600.5 })), signJwt(TOKEN, claims(), { alg: "none" })]) {
      const c = await open();
      c.send("auth", token);
      await until(() => c.frames.length >= 1, "an answer");
      assert.equal(c.frames[0].event, "daemon error");
      c.ws.close();
    }
    const c = await open();
    c.send("send command", "say before auth");
    await until(() => c.frames.length >= 1, "an answer");
    assert.deepEqual(c.frames[0], { event: "jwt error", args: ["jwt: no jwt present"] });
    c.ws.close();
  });

  test("send command needs control.console and a running server; it is recorded as activity and flushed to the panel", async () => {
    await call(w, "POST", `/api/servers/${s.uuid}/power`, { action: "start" });
    await w.idle();
    const viewer = await open();
    viewer.send("auth", signJwt(TOKEN, claims({ permissions: ["websocket.connect"] })));
    await until(() => viewer.frames.length >= 2, "auth");
    viewer.send("send command", "op me");
    const operator = await open();
    operator.send("auth", signJwt(TOKEN, claims()));
    await until(() => operator.frames.length >= 2, "auth");
    operator.send("send command", "say hello");
    await until(() => w.server(s.uuid).stdin.includes("say hello"), "the command on stdin");
    assert.ok(!w.server(s.uuid).stdin.includes("op me"));
    await until(() => operator.frames.some((f) => f.event === "console output" && f.args[0] === "> say hello"), "console output");
    const sent = await w.flushActivity();
    assert.equal(sent.length, 1);
    const body = JSON.parse(w.callsTo("POST", "/api/remote/activity").at(-1).body);
    assert.deepEqual(Object.keys(body.data[0]), ["user", "server", "event", "metadata", "ip", "timestamp"]);
    assert.equal(body.data[0].event, "server:console.command");
    assert.deepEqual(body.data[0].metadata, { command: "say hello" });
    assert.equal(body.data[0].user, USER);
    viewer.ws.close();
    operator.ws.close();
  });

  test("token expiring with <= 60 s left, then jwt error in place of frames once expired", async () => {
    const c = await open();
    const now = Math.floor(Date.now() / 1000);
    c.send("auth", signJwt(TOKEN, claims({ exp: now + 2 })));
    await until(() => c.frames.some((f) => f.event === "token expiring"), "token expiring");
    await until(() => c.frames.some((f) => f.event === "jwt error" && f.args[0] === "jwt: exp claim is invalid"), "jwt error after expiry", 6000);
    c.ws.close();
  });

  test("deauthorize-user closes the user's sockets and SFTP and denies their earlier tokens, not later ones", async () => {
    panel.sftp = (req) => ({ server: s.uuid, user: USER, permissions: ["file.sftp", "file.read"] });
    const login = await w.sftpAuth({ username: `ada.${s.uuid.slice(0, 8)}`, password: "pw" });
    assert.equal(login.ok, true);
    const c = await open();
    const old = claims({ iat: Math.floor(Date.now() / 1000) });
    c.send("auth", signJwt(TOKEN, old));
    await until(() => c.frames.length >= 2, "auth");
    const closed = new Promise((r) => c.ws.once("close", r));
    assert.equal((await call(w, "POST", "/api/deauthorize-user", { user: USER, servers: [s.uuid] })).status, 204);
    await closed;
    assert.equal(login.session.open, false);
    const again = await open();
    again.send("auth", signJwt(TOKEN, old));
    await until(() => again.frames.length >= 1, "an answer");
    assert.match(again.frames[0].args[0], /denylist/);
    const deniedAt = w.wings.deauthorizations.at(-1).at;
    again.send("auth", signJwt(TOKEN, claims({ iat: Math.floor(deniedAt / 1000) + 1 })));
    await until(() => again.frames.length >= 2, "a second answer");
    assert.equal(again.frames[1].event, "auth success");
    again.ws.close();
  });

  test("the Origin must be the panel's (or allowed); a suspended server closes with 4409", async () => {
    const bad = new WebSocket(`${w.url.replace("http", "ws")}/api/servers/${s.uuid}/ws`, { origin: "http://evil.example" });
    const status = await new Promise((r) => bad.once("unexpected-response", (req, res) => r(res.statusCode)));
    assert.equal(status, 403);
    panel.servers.get(s.uuid).settings.suspended = true;
    await call(w, "POST", `/api/servers/${s.uuid}/sync`);
    const ws = new WebSocket(`${w.url.replace("http", "ws")}/api/servers/${s.uuid}/ws`, { origin: panel.url });
    const code = await new Promise((r) => ws.once("close", (c) => r(c)));
    assert.equal(code, 4409);
    panel.servers.get(s.uuid).settings.suspended = false;
    await call(w, "POST", `/api/servers/${s.uuid}/sync`);
  });
});

describe("sftp auth", () => {
  let w;
  let s;
  before(async () => {
    panel.reset();
    s = goodServer();
    panel.servers.set(s.uuid, s);
    w = await wings();
  });

  test("a username not in <user>.<8 chars> form is refused without asking the panel", async () => {
    const before = w.callsTo("POST", "/api/remote/sftp/auth").length;
    for (const username of ["ada", "ada.1234567", "ada.123456789", ".12345678"]) {
      const r = await w.sftpAuth({ username, password: "x" });
      assert.deepEqual([r.ok, r.askedPanel], [false, false], username);
    }
    assert.equal(w.callsTo("POST", "/api/remote/sftp/auth").length, before);
  });

  test("the request Wings sends; a 4xx is bad credentials; an answer without file.sftp is recorded", async () => {
    panel.sftp = (req) => (req.password === "right" ? { server: s.uuid, user: USER, permissions: ["file.sftp"] } : null);
    const bad = await w.sftpAuth({ username: `ada.${s.uuid.slice(0, 8)}`, password: "wrong" });
    assert.deepEqual([bad.ok, bad.reason, bad.status], [false, "invalid credentials", 403]);
    assert.equal(w.callsTo("POST", "/api/remote/sftp/auth").length, 1, "a 4xx is not retried");
    const good = await w.sftpAuth({ type: "public_key", username: `ADA.${s.uuid.slice(0, 8).toUpperCase()}`, password: "right" });
    assert.equal(good.ok, true);
    const body = JSON.parse(w.callsTo("POST", "/api/remote/sftp/auth").at(-1).body);
    assert.deepEqual(Object.keys(body), ["type", "username", "password", "ip", "session_id", "client_version"]);
    assert.equal(body.type, "public_key");
    assert.equal(Buffer.from(body.client_version, "base64").toString(), "SSH-2.0-OpenSSH_9.2p1");
    assert.deepEqual(w.problems, []);
    panel.sftp = () => ({ server: s.uuid, user: USER, permissions: ["file.read"] });
    await w.sftpAuth({ username: `ada.${s.uuid.slice(0, 8)}`, password: "x" });
    assert.ok(w.problems.some((p) => /without file\.sftp/.test(p.message)));
    panel.sftp = () => ({ server: s.uuid, user: 5, permissions: ["file.sftp"] });
    const typed = await w.sftpAuth({ username: `ada.${s.uuid.slice(0, 8)}`, password: "x" });
    assert.equal(typed.ok, false);
    assert.ok(w.problems.some((p) => /SftpAuthResponse\.user of type string/.test(p.message)));
  });
});

describe("config.yml", () => {
  test("read as yaml.v2 does: exact keys, a quoted port refused, scalars taken as strings; options follow it", async () => {
    const { readConfigYml, optionsFromConfig } = await import("./wings-sim/index.mjs");
    const good = [
      `uuid: ${NODE}`,
      "token_id: 12345",
      `token: ${TOKEN}`,
      `remote: ${panel.url}`,
      "api:",
      "  host: 0.0.0.0",
      "  port: 8080",
      "  ssl:",
      "    enabled: false",
      "    cert: /etc/letsencrypt/live/x/fullchain.pem",
      "    key: /etc/letsencrypt/live/x/privkey.pem",
      "  upload_limit: 100",
      "system:",
      "  data: /var/lib/pelican/volumes",
      "  sftp:",
      "    bind_port: 2022",
      "allowed_mounts: []",
      `allowed_origins: [${panel.url}]`,
      "remote_query:",
      "  timeout: 30",
      "  boot_servers_per_page: 50",
      "unknown_key: ignored",
    ].join("\n");
    const r = readConfigYml(good);
    assert.deepEqual(r.errors, []);
    assert.equal(r.config.token_id, "12345");
    assert.equal(r.config.api.port, 8080);
    assert.equal(r.config.system.sftp.bind_port, 2022);
    const o = optionsFromConfig(r.config);
    assert.deepEqual([o.panelUrl, o.uuid, o.tokenId, o.port, o.bootServersPerPage, o.timeoutMs], [panel.url, NODE, "12345", 8080, 50, 30000]);
    assert.deepEqual(o.allowedOrigins, [panel.url]);
    assert.match(readConfigYml(good.replace("port: 8080", 'port: "8080"')).errors[0], /cannot unmarshal string into Go struct field Configuration\.api\.port of type int/);
    assert.match(readConfigYml(good.replace("  upload_limit: 100", "  upload_limit: 1.5")).errors[0], /upload_limit of type int64/);
    assert.equal(readConfigYml(good.replace("uuid:", "UUID:")).config.uuid, "", "yaml.v2 matches keys exactly");
    assert.deepEqual(readConfigYml("- a\n- b").errors, ["yaml: the document is not a mapping"]);
  });
});
