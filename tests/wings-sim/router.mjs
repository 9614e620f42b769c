// Wings' HTTP API (router/router.go, router_system.go, router_server.go,
// middleware/middleware.go) with gin's behaviour: every answer carries
// X-Request-Id and the CORS headers, OPTIONS is 204, the bearer check runs
// before routing on the protected routes (so an unknown path without a token
// is 401), 401 + WWW-Authenticate: Bearer for a missing or non-Bearer header,
// 403 for a wrong token, then 404 for a server this node does not have.
// Bodies are bound like gin's BindJSON (one JSON value, Go-typed).
import { randomUUID, timingSafeEqual } from "node:crypto";
import { decodeJson } from "./gotype.mjs";
import { isUuidV4 } from "./decode.mjs";
import { CommandsRequest, DeauthorizeRequest, DenyRequest, PowerRequest, ServerDetails, UpdateConfiguration } from "./types.mjs";
import { SimServer } from "./server.mjs";
import { T } from "./gotype.mjs";
import { fileRoutes, tokenRoute } from "./files.mjs";
import { backupDownload, backupRoutes } from "./backups.mjs";
import { deleteIncoming, incomingTransfer, transferRoutes } from "./transfer.mjs";

const UNEXPECTED = "An unexpected error was encountered while processing this request";
const NOT_PARSABLE = "The data passed in the request was not in a parsable format. Please try again.";

/** Go's json.Marshal escaping of <, > and & (and U+2028/9). */
function goJson(value) {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

class Reply {
  constructor(res, requestId) {
    this.res = res;
    this.requestId = requestId;
    this.sent = null;
  }
  json(status, value) {
    const body = goJson(value);
    this.res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
    this.res.end(body);
    this.sent = { status, body };
  }
  status(status) {
    this.res.writeHead(status, { "Content-Length": 0 });
    this.res.end();
    this.sent = { status, body: "" };
  }
  text(status, body) {
    this.res.writeHead(status, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(body) });
    this.res.end(body);
    this.sent = { status, body };
  }
  /** middleware.CaptureAndAbort with a 200 writer: a 500 with the generic message and the request id. */
  fail(status = 500) {
    this.json(status, { error: UNEXPECTED, request_id: this.requestId });
  }
}

/**
 * gin's c.BindJSON: a missing or empty body is io.EOF (400, "not in a parsable
 * format"), a syntax or type error is a 400 with the generic message.
 */
function bind(spec, req, reply, wings, where) {
  const r = decodeJson(spec, req.bodyText, { trailing: "ignore" });
  if (r.errors.length) {
    wings.problem(where, `request body refused by Wings: ${r.errors[0]}`);
    if (r.eof) reply.json(400, { error: NOT_PARSABLE });
    else reply.json(400, { error: UNEXPECTED, request_id: reply.requestId });
    return null;
  }
  return r.value;
}

/** The routes: [method, pattern, handler, { protected, server }]. */
function routes(wings) {
  const system = wings.options.system;
  return [
    ["POST", "/api/update", updateConfiguration],
    ["GET", "/api/system", (req, reply) => {
      if (req.query.get("v") === "2") return reply.json(200, system.information);
      const s = system.information.system;
      reply.json(200, { architecture: s.architecture, cpu_count: s.cpu_threads, kernel_version: s.kernel_version, os: s.os_type, version: system.information.version });
    }],
    ["GET", "/api/system/utilization", (req, reply) => reply.json(200, system.utilization)],
    ["GET", "/api/system/ips", (req, reply) => reply.json(200, { ip_addresses: system.ips })],
    ["GET", "/api/servers", (req, reply) => reply.json(200, [...wings.servers.values()].map((s) => s.apiResponse()))],
    ["POST", "/api/servers", createServer],
    ["POST", "/api/deauthorize-user", deauthorize],
    ["GET", "/api/servers/:server", (req, reply, s) => reply.json(200, s.apiResponse())],
    ["DELETE", "/api/servers/:server", deleteServer],
    ["GET", "/api/servers/:server/logs", (req, reply, s) => {
      let size = Number.parseInt(req.query.get("size") ?? "100", 10);
      if (!/^[+-]?\d+$/.test(req.query.get("size") ?? "100")) size = 0;
      if (size <= 0 || size > 100) size = 100;
      reply.json(200, { data: s.console.slice(-size) });
    }],
    ["GET", "/api/servers/:server/install-logs", (req, reply, s) => {
      if (s.installLog === null) return reply.json(500, { error: "failed to read the log for the installation process." });
      const parts = s.installLog.split("| Script Output\n| ------------------------------\n");
      reply.json(200, { data: parts.length >= 2 ? parts.slice(1).join("| Script Output\n| ------------------------------\n") : s.installLog });
    }],
    ["POST", "/api/servers/:server/power", power],
    ["POST", "/api/servers/:server/commands", commands],
    ["POST", "/api/servers/:server/install", (req, reply, s) => {
      wings.background(s.sync().then(() => s.install(false)));
      reply.status(202);
    }],
    ["POST", "/api/servers/:server/reinstall", (req, reply, s) => {
      if (s.powerLock > 0) return reply.json(409, { error: "Cannot execute server reinstall event while another power action is running." });
      wings.background(s.install(true));
      reply.status(202);
    }],
    ["POST", "/api/servers/:server/sync", async (req, reply, s) => {
      try {
        await s.sync();
        reply.status(204);
      } catch {
        reply.fail();
      }
    }],
    ["POST", "/api/servers/:server/ws/deny", (req, reply) => {
      const body = bind(DenyRequest, req, reply, wings, "POST ws/deny");
      if (!body) return;
      for (const jti of body.jtis ?? []) wings.tokens.denyJti(jti);
      reply.status(204);
    }],
    // Files (files.mjs).
    ...fileRoutes(wings, (spec, req, reply, where) => bind(spec, req, reply, wings, where), T),
    // Backups (backups.mjs).
    ...backupRoutes(wings, (spec, req, reply, where) => bind(spec, req, reply, wings, where), T),
    // Transfers, the source's side (transfer.mjs).
    ...transferRoutes(wings, (spec, req, reply, where) => bind(spec, req, reply, wings, where), T),
  ];

  async function createServer(req, reply) {
    const details = bind(ServerDetails, req, reply, wings, "POST /api/servers");
    if (!details) return;
    if (!isUuidV4(details.uuid)) return reply.json(422, { error: "The data provided in the request could not be validated." });
    let out;
    try {
      out = await wings.fetchConfiguration(details.uuid);
    } catch {
      return reply.fail();
    }
    if (wings.servers.has(details.uuid)) wings.problem("POST /api/servers", `server ${details.uuid} created again while this node has it: Wings would hold it twice`);
    const s = new SimServer(wings, out.configuration, out.processConfiguration);
    wings.servers.set(s.id, s);
    wings.background(
      (async () => {
        if (!(await s.install(false))) return;
        if (details.start_on_completion) await s.power("start").catch((error) => wings.log("power action failed", { server: s.id, error: error.message }));
      })(),
    );
    reply.status(202);
  }

  function deleteServer(req, reply, s) {
    s.config.suspended = true;
    s.deleted = true;
    wings.publish(s, { event: "deleted", args: ["null"] });
    s.cancelSessions();
    if (s.state !== "offline") s.state = "offline";
    wings.servers.delete(s.id);
    reply.status(204);
  }

  function power(req, reply, s) {
    const body = bind(PowerRequest, req, reply, wings, `POST /api/servers/${s.id}/power`);
    if (!body) return;
    if (!["start", "stop", "restart", "kill"].includes(body.action)) {
      return reply.json(422, { error: 'The power action provided was not valid, should be one of "stop", "start", "restart", "kill"' });
    }
    if ((body.action === "start" || body.action === "restart") && s.suspended) {
      return reply.json(400, { error: "Cannot start or restart a server that is suspended." });
    }
    wings.background(s.power(body.action).catch((error) => wings.log("power action failed", { server: s.id, action: body.action, error: error.message })));
    reply.status(202);
  }

  function commands(req, reply, s) {
    if (s.state !== "running" && s.state !== "starting") {
      return reply.json(502, { error: "Cannot send commands to a stopped server instance." });
    }
    const body = bind(CommandsRequest, req, reply, wings, `POST /api/servers/${s.id}/commands`);
    if (!body) return;
    for (const line of body.commands ?? []) {
      s.stdin.push(line);
      s.output(`> ${line}`);
    }
    reply.status(204);
  }

  function deauthorize(req, reply) {
    const body = bind(DeauthorizeRequest, req, reply, wings, "POST /api/deauthorize-user");
    if (!body) return;
    wings.deauthorizations.push({ user: body.user, servers: body.servers, at: Date.now() });
    if ((body.servers ?? []).length > 0) {
      for (const id of body.servers) {
        const s = wings.servers.get(id);
        if (!s) continue;
        for (const socket of s.sockets) socket.cancel();
        s.cancelSessions(body.user);
        wings.tokens.denyForServer(s.id, body.user);
      }
    } else {
      for (const s of wings.servers.values()) {
        for (const socket of s.sockets) socket.cancel();
        s.cancelSessions(body.user);
      }
    }
    reply.status(204);
  }

  function updateConfiguration(req, reply) {
    if (wings.options.ignorePanelConfigUpdates) return reply.json(200, { applied: false });
    const r = decodeJson(UpdateConfiguration, req.bodyText, { trailing: "ignore", into: structuredClone(wings.disk) });
    if (r.errors.length) {
      wings.problem("POST /api/update", `request body refused by Wings: ${r.errors[0]}`);
      return r.eof ? reply.json(400, { error: NOT_PARSABLE }) : reply.json(400, { error: UNEXPECTED, request_id: reply.requestId });
    }
    wings.disk = r.value;
    wings.configUpdates.push(r.value);
    wings.pendingToken = r.value.token !== wings.options.token ? r.value.token : null;
    wings.options.allowedOrigins = r.value.allowed_origins ?? [];
    reply.json(200, { applied: true });
  }
}

function match(pattern, path) {
  const p = pattern.split("/");
  const a = path.split("/");
  if (p.length !== a.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) {
      if (!a[i]) return null;
      params[p[i].slice(1)] = decodeURIComponent(a[i]);
    } else if (p[i] !== a[i]) return null;
  }
  return params;
}

/** Routes Wings has that the simulator does not play (diagnostics, docker, deleting every backup). */
const UNSIMULATED = [
  /^\/api\/servers\/[^/]+\/deleteAllBackups$/,
  /^\/api\/diagnostics$/,
  /^\/api\/system\/docker\//,
  /^\/(download|upload)\//,
];

/** The node's request handler (node:http), recording each request and its answer. */
export function handler(wings) {
  const table = routes(wings);
  return async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    req.body = Buffer.concat(chunks);
    req.bodyText = req.body.toString("utf8");
    const url = new URL(req.url, "http://wings");
    req.query = url.searchParams;
    const requestId = randomUUID();
    const reply = new Reply(res, requestId);
    res.setHeader("X-Request-Id", requestId);
    setCors(wings, req, res);
    const entry = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: req.bodyText, at: Date.now() };
    wings.received.push(entry);
    wings.inFlight.add(entry);
    try {
      await wings.ready;
      await dispatch(wings, table, req, reply, url.pathname);
    } catch (error) {
      wings.problem(`${req.method} ${url.pathname}`, `simulator error: ${error.stack}`);
      if (!reply.sent) reply.fail();
    }
    wings.inFlight.delete(entry);
    entry.status = reply.sent?.status;
    entry.responseText = reply.sent?.body;
  };
}

function setCors(wings, req, res) {
  const location = wings.options.panelUrl;
  res.setHeader("Access-Control-Allow-Origin", location);
  res.setHeader("Access-Control-Allow-Credentials", "true");
  res.setHeader("Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE, OPTIONS");
  res.setHeader("Access-Control-Allow-Headers", "Accept, Accept-Encoding, Authorization, Cache-Control, Content-Type, Content-Length, Origin, X-Real-IP, X-CSRF-Token");
  res.setHeader("Access-Control-Max-Age", "7200");
  const origin = req.headers.origin ?? "";
  if (origin !== location) {
    const o = wings.corsOrigins.find((x) => x === "*" || x === origin);
    if (o !== undefined) res.setHeader("Access-Control-Allow-Origin", o);
  }
}

async function dispatch(wings, table, req, reply, path) {
  if (req.method === "OPTIONS") return reply.status(204);
  // gin's RedirectTrailingSlash: 301 for GET, 307 otherwise, before any middleware.
  if (path.length > 1 && path.endsWith("/") && table.some(([m, p]) => m === req.method && match(p, path.slice(0, -1)))) {
    reply.res.setHeader("Location", path.slice(0, -1));
    return reply.status(req.method === "GET" ? 301 : 307);
  }
  // The signed-URL routes come before the bearer check (files.mjs).
  if (await tokenRoute(wings, req, reply, path)) return;
  if (req.method === "GET" && path === "/download/backup") return backupDownload(wings, req, reply);
  // The destination's side of a transfer: the transfer JWT, no bearer (transfer.mjs).
  if (req.method === "POST" && path === "/api/transfers") return incomingTransfer(wings, req, reply);
  // RequireAuthorization (engine-wide from here on, the 404 handler included).
  reply.res.setHeader("User-Agent", wings.userAgent);
  const auth = (req.headers.authorization ?? "").split(" ");
  const scheme = auth[0];
  const token = auth.length >= 2 ? auth.slice(1).join(" ") : null;
  if (token === null || scheme !== "Bearer") {
    reply.res.setHeader("WWW-Authenticate", "Bearer");
    return reply.json(401, { error: "The required authorization heads were not present in the request." });
  }
  const want = Buffer.from(wings.options.token);
  const got = Buffer.from(token);
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    return reply.json(403, { error: "You are not authorized to access this endpoint." });
  }
  if (req.method === "DELETE" && /^\/api\/transfers\/[^/]+$/.test(path)) return deleteIncoming(wings, req, reply, path);
  for (const [method, pattern, fn] of table) {
    if (method !== req.method) continue;
    const params = match(pattern, path);
    if (!params) continue;
    req.params = params;
    let server;
    if (params.server !== undefined) {
      server = wings.servers.get(params.server);
      if (!server) return reply.json(404, { error: "The requested resource does not exist on this instance." });
    }
    return fn(req, reply, server);
  }
  if (UNSIMULATED.some((r) => r.test(path))) {
    wings.problem(`${req.method} ${path}`, "route exists in Wings but is not simulated");
    return reply.json(501, { error: "not simulated" });
  }
  reply.text(404, "404 page not found");
}
