// A strict stand-in for an unmodified Pelican Wings node, for whole-system
// tests (never part of the Worker). See /work/wt/STATUS-wings-sim.md, or the
// doc comment of startWings, for its API.
//
// Layout: json.mjs (JSON with number literals), gotype.mjs (Go-typed
// decoding), types.mjs (Wings' structs), decode.mjs (a server's configuration
// as Wings takes it), panel.mjs (Wings' client of the panel), jwt.mjs (token
// checks), server.mjs (one server), router.mjs (the HTTP API), console.mjs
// (the console socket), wings.mjs (the node).
import { createServer } from "node:http";
import { Wings } from "./wings.mjs";
import { attachConsole } from "./console.mjs";
import { handler } from "./router.mjs";

export { signJwt, TokenVerifier, JwtError } from "./jwt.mjs";
export { decodeJson, decodeNode, T } from "./gotype.mjs";
export { parseJson, fromPlain } from "./json.mjs";
export { ConfigYaml, Configuration, ProcessConfiguration } from "./types.mjs";
export { SFTP_USERNAME } from "./wings.mjs";

const SYSTEM = {
  information: {
    version: "1.0.0",
    docker: {
      version: "27.5.1",
      cgroups: { driver: "systemd", version: "2" },
      containers: { total: 0, running: 0, paused: 0, stopped: 0 },
      storage: { driver: "overlay2", filesystem: "extfs" },
      runc: { version: "1.2.4" },
    },
    system: { architecture: "amd64", cpu_threads: 4, memory_bytes: 8 * 1024 ** 3, kernel_version: "6.1.0-sim", os: "Debian GNU/Linux 12 (bookworm)", os_type: "linux" },
  },
  utilization: {
    memory_total: 8 * 1024 ** 3,
    memory_used: 2 * 1024 ** 3,
    swap_total: 1024 ** 3,
    swap_used: 0,
    load_average1: 0.5,
    load_average5: 0.4,
    load_average15: 0.3,
    cpu_percent: 12.5,
    disk_total: 100 * 1024 ** 3,
    disk_used: 10 * 1024 ** 3,
    disk_details: [{ device: "/dev/sda1", mountpoint: "/", total_space: 100 * 1024 ** 3, used_space: 10 * 1024 ** 3, tags: ["root"] }],
  },
  ips: ["127.0.0.1"],
};

/**
 * Starts a simulated Wings node on 127.0.0.1.
 *
 * Options: panelUrl (config `remote`), uuid, tokenId, token (required);
 * port (0 = any), boot (true: fetch the servers before serving, as Wings does),
 * version ("1.0.0", in the User-Agent), bootServersPerPage (50),
 * timeoutMs (30000), backoff ({initialMs 500, maxIntervalMs 12000, maxElapsedMs 30000}),
 * allowedOrigins ([]), sftpKeyOnly (false), ignorePanelConfigUpdates (false),
 * powerDelayMs / startDelayMs / installDelayMs (0), installSucceeds((server, script) => true),
 * jwtCheckIntervalMs (30000), jwtExpiringSeconds (60), customHeaders ({}), system (info answers).
 *
 * Returns { url, port, wings, servers, calls, received, problems, bootResult,
 * boot(), reboot(), idle(), server(uuid), sftpAuth(...), recordActivity(...),
 * flushActivity(), callsTo(method, path), requestsTo(method, path), stop() }.
 */
export async function startWings(options) {
  for (const k of ["panelUrl", "uuid", "tokenId", "token"]) if (!options?.[k]) throw new Error(`startWings: ${k} is required`);
  const opts = {
    port: 0,
    boot: true,
    version: "1.0.0",
    bootServersPerPage: 50,
    timeoutMs: 30_000,
    allowedOrigins: [],
    sftpKeyOnly: false,
    ignorePanelConfigUpdates: false,
    powerDelayMs: 0,
    startDelayMs: 0,
    installDelayMs: 0,
    installSucceeds: () => true,
    jwtCheckIntervalMs: 30_000,
    jwtExpiringSeconds: 60,
    customHeaders: {},
    system: SYSTEM,
    ...options,
    backoff: { initialMs: 500, maxIntervalMs: 12_000, maxElapsedMs: 30_000, ...options.backoff },
  };
  const wings = new Wings(opts);
  let release;
  wings.ready = new Promise((r) => (release = r));
  const http = createServer(handler(wings));
  const wss = attachConsole(wings, http);
  const sockets = new Set();
  http.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((ok, fail) => {
    http.once("error", fail);
    http.listen(opts.port, "127.0.0.1", ok);
  });
  const port = http.address().port;
  const bootOnce = async () => {
    wings.ready = new Promise((r) => (release = r));
    try {
      return await wings.boot();
    } finally {
      release();
    }
  };
  const api = {
    url: `http://127.0.0.1:${port}`,
    port,
    wings,
    get servers() {
      return wings.servers;
    },
    get calls() {
      return wings.calls;
    },
    get received() {
      return wings.received;
    },
    get problems() {
      return wings.problems;
    },
    get bootResult() {
      return wings.bootResult;
    },
    get tokens() {
      return wings.tokens;
    },
    /** Transfers (transfer.mjs): { outgoing, incoming, reports, pushes, received }. */
    get transfers() {
      return wings.transfers ?? { outgoing: new Map(), incoming: new Map(), reports: [], pushes: [], received: [] };
    },
    get bootedAt() {
      return wings.bootedAt;
    },
    /** Boots (again): fresh boot instant, denylists and server list. Rejects when Wings would exit. */
    boot: bootOnce,
    /** A restarted Wings: the token written by /api/update in force, console sockets closed, boots again. */
    async reboot() {
      wings.restart();
      for (const c of wings.consoleSockets) c.cancel();
      wings.consoleSockets = [];
      for (const s of wings.sftpSessions) s.open = false;
      return bootOnce();
    },
    idle: () => wings.idle(),
    server: (uuid) => wings.servers.get(uuid),
    sftpAuth: (args) => wings.sftpAuth(args),
    recordActivity: (args) => wings.recordActivity(args),
    flushActivity: () => wings.flushActivity(),
    callsTo: (method, path) => wings.callsTo(method, path),
    requestsTo: (method, path) => wings.requestsTo(method, path),
    async stop() {
      for (const c of wings.consoleSockets) c.cancel();
      wss.close();
      await wings.idle().catch(() => {});
      await new Promise((r) => {
        http.close(() => r());
        for (const s of sockets) s.destroy();
      });
    },
  };
  if (opts.boot) {
    try {
      await bootOnce();
    } catch (error) {
      await api.stop();
      throw error;
    }
  } else {
    release();
  }
  return api;
}

export { readConfigYml, optionsFromConfig } from "./config.mjs";
