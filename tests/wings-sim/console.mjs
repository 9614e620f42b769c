// The console socket /api/servers/{uuid}/ws (router_server_ws.go,
// websocket/websocket.go, listeners.go), kept small: the Origin check, 30
// sockets per server, 4409 for a suspended server, a 4096-byte read limit,
// the global 10-per-200-ms throttle, `auth` (and re-`auth` renewing the token
// with only `auth success`), `send command`, `set state`, `send logs`,
// `send stats`, and every outgoing frame replaced by `jwt error` once the
// token is no longer valid. Each socket keeps the frames it read
// (`received`) and sent (`sent`) for tests. The expiry check runs every `jwtCheckIntervalMs`
// (30 s in Wings) and says `token expiring` with <= 60 s left.
import { randomUUID } from "node:crypto";
import { WebSocketServer } from "ws";
import { decodeJson, T } from "./gotype.mjs";
import { ERR, TokenVerifier } from "./jwt.mjs";
import { POWER } from "./server.mjs";

const Message = T.struct("websocket.Message", { event: T.string, args: T.slice(T.string) });
const JWT_ERRORS = new Set([ERR.none, ERR.connect, ERR.mismatch, ERR.denylist, ERR.exp]);
const POWER_PERMISSIONS = { start: "control.start", stop: "control.stop", restart: "control.restart", kill: "control.stop" };

class ConsoleSocket {
  constructor(wings, server, ws, ip) {
    this.wings = wings;
    this.server = server;
    this.ws = ws;
    this.ip = ip;
    this.jwt = null;
    this.listening = false;
    this.sent = [];
    /** Frames read from the client (decoded), for tests. */
    this.received = [];
    this.bucket = { tokens: 10, at: Date.now() };
    this.throttled = false;
  }

  raw(message) {
    const frame = message.args && message.args.length ? message : { event: message.event };
    this.sent.push(frame);
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** TokenValid. */
  tokenError() {
    const j = this.jwt;
    if (!j) return ERR.none;
    try {
      this.wings.tokens.checkExp(j);
    } catch (error) {
      return error.message;
    }
    if (this.wings.tokens.denylisted(j)) return ERR.denylist;
    if (!this.wings.tokens.hasPermission(j, "websocket.connect") || !TokenVerifier.hasScope(j, "websocket")) return ERR.connect;
    if (this.server.id !== j.server_uuid) return ERR.mismatch;
    return null;
  }

  /** SendJson: a server event, or `jwt error` in its place. */
  event(message) {
    if (!this.listening) return;
    const err = this.tokenError();
    if (err) return this.raw({ event: "jwt error", args: [err] });
    if (message.event === "install output" && !this.wings.tokens.hasPermission(this.jwt, "admin.websocket.install")) return;
    if (message.event.startsWith("backup completed") && !this.wings.tokens.hasPermission(this.jwt, "backup.read")) return;
    if (message.event === "transfer logs" && !this.wings.tokens.hasPermission(this.jwt, "admin.websocket.transfer")) return;
    this.raw(message);
  }

  errorFrame(err) {
    const jwtError = JWT_ERRORS.has(err.message);
    let text = "an unexpected error was encountered while handling this request";
    if (jwtError || (this.jwt && this.wings.tokens.hasPermission(this.jwt, "admin.websocket.errors"))) text = err.message;
    this.raw({ event: jwtError ? "jwt error" : "daemon error", args: [`Error Event [${randomUUID()}]: ${text}`] });
  }

  /** Closes the connection without a close frame (gorilla's Connection.Close). */
  cancel() {
    this.ws.terminate();
  }

  allow() {
    const now = Date.now();
    this.bucket.tokens = Math.min(10, this.bucket.tokens + (now - this.bucket.at) / 200);
    this.bucket.at = now;
    if (this.bucket.tokens < 1) return false;
    this.bucket.tokens -= 1;
    return true;
  }

  async inbound(data, isBinary) {
    if (!this.allow()) {
      if (!this.throttled) {
        this.throttled = true;
        this.raw({ event: "throttled", args: ["global"] });
      }
      return;
    }
    this.throttled = false;
    if (isBinary) return;
    const r = decodeJson(Message, data.toString("utf8"));
    if (r.errors.length) return;
    const m = r.value;
    this.received.push({ event: m.event, args: m.args ?? [] });
    try {
      await this.handle(m);
    } catch (error) {
      if (error.message === POWER.suspended) return this.cancel();
      this.errorFrame(error);
    }
  }

  async handle(m) {
    if (this.server.suspended) throw new Error(POWER.suspended);
    if (m.event !== "auth") {
      const err = this.tokenError();
      if (err) return this.raw({ event: "jwt error", args: [err] });
    }
    const args = (m.args ?? []).join("");
    switch (m.event) {
      case "auth": {
        const claims = this.wings.tokens.websocket(args);
        const first = this.jwt === null;
        this.jwt = claims;
        this.raw({ event: "auth success" });
        if (!first) return;
        this.listening = true;
        this.timer = setInterval(() => this.checkExpiry(), this.wings.options.jwtCheckIntervalMs);
        this.event({ event: "status", args: [this.server.state] });
        if (this.server.state === "offline" && !this.server.installing) this.event({ event: "stats", args: [JSON.stringify(this.server.stats())] });
        return;
      }
      case "set state": {
        const permission = POWER_PERMISSIONS[args];
        if (permission && !this.wings.tokens.hasPermission(this.jwt, permission)) return;
        try {
          await this.server.power(args);
        } catch (error) {
          if (error.message === POWER.locked) return this.event({ event: "daemon error", args: [`Error Event [${randomUUID()}]: ${POWER.locked}`] });
          throw error;
        }
        this.wings.recordActivity({ user: this.jwt.user_uuid, server: this.server.id, event: `server:power.${args}`, ip: this.ip });
        return;
      }
      case "send logs":
        if (this.server.state !== "running" && this.server.state !== "starting") return;
        for (const line of this.server.console.slice(-150)) this.event({ event: "console output", args: [line] });
        return;
      case "send stats":
        return this.event({ event: "stats", args: [JSON.stringify(this.server.stats())] });
      case "send command":
        if (!this.wings.tokens.hasPermission(this.jwt, "control.console")) return;
        if (this.server.state === "offline") return;
        this.server.stdin.push(args);
        this.server.output(`> ${args}`);
        this.wings.recordActivity({ user: this.jwt.user_uuid, server: this.server.id, event: "server:console.command", metadata: { command: args }, ip: this.ip });
        return;
      default:
        return;
    }
  }

  checkExpiry() {
    if (!this.jwt) return;
    const left = this.jwt.exp - Math.floor(Date.now() / 1000);
    if (left <= 0) this.event({ event: "token expired" });
    else if (left <= this.wings.options.jwtExpiringSeconds) this.event({ event: "token expiring" });
  }

  closed() {
    clearInterval(this.timer);
    this.server.sockets.delete(this);
  }
}

/** Attaches the console socket to `http` (a node:http server) for `wings`. */
export function attachConsole(wings, http) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  http.on("upgrade", async (req, socket, head) => {
    const url = new URL(req.url, "http://wings");
    const m = /^\/api\/servers\/([^/]+)\/ws$/.exec(url.pathname);
    wings.received.push({ method: "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: "", at: Date.now(), upgrade: true });
    await wings.ready;
    const refuse = (status, body) => {
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    const server = m ? wings.servers.get(decodeURIComponent(m[1])) : undefined;
    if (!server) return refuse("404 Not Found", JSON.stringify({ error: "The requested resource does not exist on this instance." }));
    if (server.sockets.size >= 30) return refuse("400 Bad Request", JSON.stringify({ error: "Too many open websocket connections." }));
    const origin = req.headers.origin ?? "";
    const allowed = origin === wings.options.panelUrl || wings.options.allowedOrigins.some((o) => o === "*" || o === origin);
    if (!allowed) return refuse("403 Forbidden", "Forbidden\n");
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (server.suspended) {
        ws.close(4409, "server is suspended");
        return;
      }
      const c = new ConsoleSocket(wings, server, ws, req.socket.remoteAddress ?? "");
      server.sockets.add(c);
      wings.consoleSockets.push(c);
      ws.on("message", (data, isBinary) => c.inbound(data, isBinary));
      ws.on("close", () => c.closed());
      ws.on("error", () => c.closed());
    });
  });
  return wss;
}
