// The simulated node: its configuration, boot sequence, servers, token
// verifier, calls to the panel and everything it heard and said. The HTTP
// routes live in router.mjs, the console socket in console.mjs.
import { randomBytes } from "node:crypto";
import { PanelClient, PanelError } from "./panel.mjs";
import { decodeNode, zero } from "./gotype.mjs";
import { parseJson } from "./json.mjs";
import { ConfigurationError, decodeServer } from "./decode.mjs";
import { InstallationScript, RequestErrors, ServerConfigurationResponse, ServersPage, SftpAuthResponse, UpdateConfiguration } from "./types.mjs";
import { SimServer } from "./server.mjs";
import { TokenVerifier } from "./jwt.mjs";

/** sftp/server.go validUsernameRegexp. */
export const SFTP_USERNAME = /^(.+)\.([a-z0-9]{8})$/i;

export class Wings {
  constructor(options) {
    this.options = options;
    this.calls = [];
    this.received = [];
    this.problems = [];
    this.logs = [];
    this.servers = new Map();
    this.sftpSessions = [];
    this.deauthorizations = [];
    this.activity = [];
    this.pendingToken = null;
    this.configUpdates = [];
    this.consoleSockets = [];
    /** Requests from the panel not answered yet (a call's `during` lists them). */
    this.inFlight = new Set();
    this.pending = new Set();
    this.bootResult = null;
    /**
     * The configuration as written to disk: POST /api/update decodes into it.
     * Wings keeps using its boot-time token (bearer, JWT key, calls to the
     * panel) until it restarts; the answers' User-Agent shows the new token_id
     * at once. reboot() takes the token and token_id from here.
     */
    this.disk = zero(UpdateConfiguration);
    Object.assign(this.disk, { uuid: options.uuid, token_id: options.tokenId, token: options.token, allowed_origins: [...options.allowedOrigins] });
    this.disk.remote_query.bootserversperpage = options.bootServersPerPage;
    /** CORS takes the allowed origins once, when the router is built. */
    this.corsOrigins = [...options.allowedOrigins];
    this.connect();
  }

  /** The User-Agent of Wings' answers: the token_id as configured now. */
  get userAgent() {
    return `Pelican Wings/v${this.options.version} (id:${this.disk.token_id})`;
  }

  /** The client of the panel and the token checks, with the credentials in force (boot time). */
  connect() {
    const o = this.options;
    this.panel = new PanelClient({
      panelUrl: o.panelUrl,
      tokenId: o.tokenId,
      token: o.token,
      userAgent: `Pelican Wings/v${o.version} (id:${o.tokenId})`,
      timeoutMs: o.timeoutMs,
      backoff: o.backoff,
      customHeaders: o.customHeaders,
      record: (entry) => this.recordCall(entry),
      during: () => [...this.inFlight].map((r) => `${r.method} ${r.path}`),
    });
    this.tokens = new TokenVerifier({ key: o.token });
  }

  /** A restart: the token and token_id written by POST /api/update come into force. */
  restart() {
    this.options.token = this.disk.token;
    this.options.tokenId = this.disk.token_id;
    this.pendingToken = null;
    this.connect();
  }

  /**
   * Keeps a call to the panel; a 4xx whose body is not Wings' error shape
   * ({"errors":[{code,status,detail}]}, all strings) is a problem: Wings logs
   * "_MissingResponseCode" instead of the panel's reason.
   */
  recordCall(entry) {
    this.calls.push(entry);
    if (entry.status >= 400 && entry.status < 500) {
      let node;
      try {
        node = parseJson(entry.responseText);
      } catch {}
      const r = node === undefined ? null : decodeNode(RequestErrors, node);
      if (!r || r.errors.length || !r.value.errors?.length) {
        this.problem(`${entry.method} ${entry.path}`, `${entry.status} answer Wings cannot read as {"errors":[{code,status,detail}]}: ${entry.responseText.slice(0, 200)}`);
      }
    }
  }

  log(message, fields = {}) {
    this.logs.push({ at: Date.now(), message, ...fields });
  }

  problem(where, message) {
    this.problems.push({ where, message });
  }

  delay(ms) {
    return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
  }

  /** Tracks background work (installs, power actions, pushes) so idle() can wait for it. */
  background(promise) {
    const p = Promise.resolve(promise).catch((error) => this.log("background task failed", { error: error.message }));
    this.pending.add(p);
    p.finally(() => this.pending.delete(p));
    return p;
  }

  /** Resolves once no background work is left (work started meanwhile included). */
  async idle() {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /**
   * Boots as Wings does (server.NewManager, then cmd/root.go): GET /servers?page=0,
   * then pages current_page+1..last_page in parallel only if last_page > 1, each
   * server decoded on its own (a bad one is skipped), then POST /servers/reset
   * with `null`. A failed page fails the boot (Wings exits).
   */
  async boot() {
    this.tokens = new TokenVerifier({ key: this.options.token });
    this.servers.clear();
    const result = { pages: [], loaded: [], skipped: [], error: null, reset: null };
    this.bootResult = result;
    try {
      const perPage = this.options.bootServersPerPage;
      const first = await this.fetchPage(0, perPage);
      result.pages.push(first.meta);
      let data = [...first.data];
      if (first.meta.last_page > 1) {
        const pages = [];
        for (let page = first.meta.current_page + 1; page <= first.meta.last_page; page++) pages.push(page);
        const rest = await Promise.all(pages.map((page) => this.fetchPage(page, perPage)));
        for (const r of rest) {
          result.pages.push(r.meta);
          data = data.concat(r.data);
        }
      }
      for (const raw of data) {
        try {
          const { configuration, processConfiguration, problems } = decodeServer(raw.settings, { processNode: raw.process_configuration });
          for (const p of problems) this.problem(`boot ${raw.uuid}`, p);
          if (this.servers.has(configuration.uuid)) {
            this.problem("boot", `server ${configuration.uuid} was listed more than once: Wings loads it twice`);
          }
          this.servers.set(configuration.uuid, new SimServer(this, configuration, processConfiguration));
          result.loaded.push(configuration.uuid);
        } catch (error) {
          if (!(error instanceof ConfigurationError)) throw error;
          result.skipped.push({ uuid: raw.uuid, error: error.message });
          this.problem(`boot ${raw.uuid}`, `skipped: ${error.message}`);
        }
      }
    } catch (error) {
      result.error = error.message;
      this.problem("boot", `failed to load server configurations: ${error.message}`);
      throw error;
    }
    this.bootedAt = Date.now();
    this.tokens = new TokenVerifier({ key: this.options.token, bootMs: this.bootedAt });
    result.reset = this.background(
      this.panel.post("/servers/reset", null).then(
        () => true,
        (error) => {
          this.problem("boot", `failed to reset server states on Panel: ${error.message}`);
          return false;
        },
      ),
    );
    return result;
  }

  async fetchPage(page, perPage) {
    const { node } = await this.panel.getJson("/servers", { page: String(page), per_page: String(perPage) });
    const r = decodeNode(ServersPage, node);
    if (r.errors.length) throw new Error(`remote: could not unmarshal response: ${r.errors[0]}`);
    return r.value;
  }

  /** GetServerConfiguration + decode: what create, sync, install and start use. */
  async fetchConfiguration(uuid) {
    const { node } = await this.panel.getJson(`/servers/${uuid}`);
    const r = decodeNode(ServerConfigurationResponse, node);
    if (r.errors.length) {
      this.problem(`GET /servers/${uuid}`, r.errors[0]);
      throw new ConfigurationError(`remote: could not unmarshal response: ${r.errors[0]}`);
    }
    for (const w of r.warnings) this.problem(`GET /servers/${uuid}`, w);
    try {
      const out = decodeServer(r.value.settings, { expectUuid: uuid, processDecoded: r.value.process_configuration });
      for (const p of out.problems) this.problem(`GET /servers/${uuid}`, p);
      return out;
    } catch (error) {
      this.problem(`GET /servers/${uuid}`, error.message);
      throw error;
    }
  }

  async fetchInstallScript(uuid) {
    const { node } = await this.panel.getJson(`/servers/${uuid}/install`);
    const r = decodeNode(InstallationScript, node);
    if (r.errors.length) {
      this.problem(`GET /servers/${uuid}/install`, r.errors[0]);
      throw new Error(`remote: could not unmarshal response: ${r.errors[0]}`);
    }
    return r.value;
  }

  /** Sends a console frame to every authenticated socket of `server`. */
  publish(server, message) {
    for (const socket of server.sockets) socket.event(message);
  }

  /**
   * An SFTP login as Wings' PasswordCallback / PublicKeyCallback makes it: the
   * username format first (refused without asking the panel), key_only for
   * passwords, then POST /sftp/auth. For a key, `password` is the
   * authorized_keys line ending in "\n". Resolves to { ok, reason, askedPanel, ... }.
   */
  async sftpAuth({ type = "password", username, password, ip = "127.0.0.1:40022", sessionId, clientVersion = "SSH-2.0-OpenSSH_9.2p1" }) {
    if (!SFTP_USERNAME.test(username)) return { ok: false, reason: "invalid format", askedPanel: false };
    if (type === "password" && this.options.sftpKeyOnly) return { ok: false, reason: "key only", askedPanel: false };
    const body = {
      type,
      username,
      password,
      ip,
      session_id: (sessionId ?? randomBytes(32)).toString("base64"),
      client_version: Buffer.from(clientVersion).toString("base64"),
    };
    let entry;
    try {
      entry = await this.panel.post("/sftp/auth", body);
    } catch (error) {
      if (error instanceof PanelError && error.status >= 400 && error.status < 500) {
        return { ok: false, reason: "invalid credentials", status: error.status, askedPanel: true };
      }
      return { ok: false, reason: `error: ${error.message}`, askedPanel: true };
    }
    let node;
    try {
      node = parseJson(entry.responseText);
    } catch (error) {
      this.problem("POST /sftp/auth", `answer is not JSON: ${error.message}`);
      return { ok: false, reason: "bad answer", askedPanel: true };
    }
    const r = decodeNode(SftpAuthResponse, node);
    if (r.errors.length) {
      this.problem("POST /sftp/auth", r.errors[0]);
      return { ok: false, reason: "bad answer", askedPanel: true };
    }
    const { server, user, permissions } = r.value;
    if (!user) this.problem("POST /sftp/auth", "answer has no user (contract: required)");
    const perms = permissions ?? [];
    if (!perms.includes("*") && !perms.includes("file.sftp")) {
      this.problem("POST /sftp/auth", `panel accepted a login without file.sftp (permissions ${JSON.stringify(perms)})`);
    }
    if (!this.servers.has(server)) return { ok: false, reason: "server not on this node", askedPanel: true, server, user, permissions: perms };
    const session = { server, user, permissions: perms, ip, open: true, openedAt: Date.now() };
    this.sftpSessions.push(session);
    return { ok: true, askedPanel: true, server, user, permissions: perms, session };
  }

  /** Queues an activity event (models.Activity) for the next flushActivity(). */
  recordActivity({ user = null, server, event, metadata = {}, ip = "127.0.0.1" }) {
    const host = ip.includes(":") && !ip.startsWith("[") && ip.split(":").length === 2 ? ip.split(":")[0] : ip;
    this.activity.push({ user: user || null, server, event, metadata: metadata ?? {}, ip: host, timestamp: goTime(new Date()) });
  }

  /** The activity cron: POST /activity in batches of up to 100 (activity_send_count); sent events are dropped. */
  async flushActivity() {
    const sent = [];
    while (this.activity.length) {
      const batch = this.activity.slice(0, 100);
      try {
        await this.panel.post("/activity", { data: batch });
      } catch (error) {
        this.problem("POST /activity", `Wings keeps the events and tries again in a minute: ${error.message}`);
        throw error;
      }
      this.activity.splice(0, batch.length);
      sent.push(batch);
    }
    return sent;
  }

  /** Outbound calls matching `method` and `path` (a string for an exact path, or a RegExp). */
  callsTo(method, path) {
    return this.calls.filter((c) => c.method === method && (path instanceof RegExp ? path.test(c.path) : c.path === path));
  }

  /** Inbound requests matching `method` and `path`. */
  requestsTo(method, path) {
    return this.received.filter((c) => c.method === method && (path instanceof RegExp ? path.test(c.path) : c.path === path));
  }
}

/** A time as Go's time.Time marshals it in UTC (RFC 3339 with up to nanoseconds, trailing zeros trimmed). */
export function goTime(date) {
  const nanos = String(Math.floor(Math.random() * 1e6)).padStart(6, "0");
  return date.toISOString().replace(/\.(\d{3})Z$/, (m, ms) => {
    const frac = `${ms}${nanos}`.replace(/0+$/, "");
    return frac ? `.${frac}Z` : "Z";
  });
}
