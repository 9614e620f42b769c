// Starts the real pieces for whole-system tests: `wrangler dev` (workerd with
// local D1, KV and Durable Objects) and tunnel-host, each on free loopback
// ports with its own state directory, and stops them afterwards.
import { spawn, execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

export const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

/** Ports this process has handed out: the kernel may offer a just-closed port again. */
const handedOut = new Set();

/**
 * A TCP port free on 127.0.0.1 right now, and never one this process handed out before
 * (several are taken before any is bound, so a repeat would make two services collide).
 */
export async function freePort() {
  for (;;) {
    const port = await new Promise((ok, fail) => {
      const server = createServer();
      server.unref();
      server.on("error", fail);
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address();
        server.close(() => ok(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/**
 * The last lines a child printed, for a failure message: a CI log shows only
 * the start of a long one, and the cause is at the end.
 */
function lastLines(child, count = 40) {
  const output = child?.output?.();
  if (!output) return "";
  return `\n--- last ${count} lines of its output ---\n${output.trimEnd().split("\n").slice(-count).join("\n")}`;
}

/** Polls `probe` until it returns a truthy value; fails after `timeoutMs`. */
export async function waitFor(probe, { timeoutMs = 60_000, what = "condition", child } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what}: process exited with ${child.exitCode}${lastLines(child)}`);
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}${lastLines(child)}`);
}

/** Spawns a long-running process in its own process group, capturing output. */
export function launch(command, args, options = {}) {
  const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], ...options });
  let output = "";
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  child.output = () => output;
  child.stopGroup = async (signal = "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid, signal);
    } catch {}
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  return child;
}

/** Runs wrangler (from node_modules) to completion. */
export async function wrangler(args) {
  const { stdout } = await run(join(ROOT, "node_modules/.bin/wrangler"), args, {
    cwd: ROOT,
    env: process.env,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/**
 * Runs SQL against the local D1 that `edge` uses; returns the result rows.
 * `wrangler dev` holds the same SQLite file, so while it writes this may meet
 * SQLITE_BUSY: it tries again then, and fails on any other error.
 */
export async function d1(edge, sql) {
  const args = ["d1", "execute", "DB", "--local", "--persist-to", edge.state, "--json", "--command", sql];
  for (let attempt = 1; ; attempt++) {
    try {
      return JSON.parse(await wrangler(args))[0].results;
    } catch (error) {
      const said = `${error.stdout ?? ""}${error.stderr ?? ""}${error.message}`;
      if (attempt >= 20 || !/SQLITE_BUSY|database is locked/.test(said)) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Whether wrangler's log (every level, as WRANGLER_LOG_PATH has it) shows the
 * rebuild its [build].watch_dir watcher runs once it has scanned, and after
 * it the Worker started or reloaded with that build, with no reload pending.
 * scripts/dev.sh waits the same way.
 */
export function settledAfterRebuild(log) {
  const at = log.lastIndexOf("changed, restarting build...");
  if (at < 0) return false;
  const after = log.slice(at);
  const reloading = after.lastIndexOf("Reloading local server");
  const done = Math.max(after.lastIndexOf("Starting local server"), after.lastIndexOf("Local server updated and ready"));
  return done >= 0 && done > reloading;
}

/**
 * Starts `wrangler dev` on `port` (else one the kernel picks as it binds, which
 * no other process can take in between) with fresh local state (or `state`),
 * applies the D1 migrations first, and waits until /api/health answers.
 */
export async function startEdge({ state, port = 0, vars = {}, hosts } = {}) {
  const owned = !state;
  state ??= await mkdtemp(join(tmpdir(), "flamingo-edge-"));
  await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state]);
  const command = join(ROOT, "node_modules/.bin/wrangler");
  const args = [
    "dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", "0",
    "--persist-to", state, "--show-interactive-dev-session=false", "--log-level", "info",
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ];
  // wrangler writes every message, whatever --log-level shows, to this file.
  const logDir = await mkdtemp(join(tmpdir(), "flamingo-wrangler-log-"));
  const log = join(logDir, "wrangler.log");
  const env = { env: { ...process.env, WRANGLER_LOG_PATH: log } };
  let child;
  // `hosts` ({ "name.localhost": "127.0.0.1" }) is DNS for the Worker's fetches only: wrangler runs
  // in a private mount namespace whose /etc/hosts lists them (workerd resolves no `*.localhost`).
  if (hosts) {
    const file = join(state, "hosts");
    const lines = ["127.0.0.1 localhost", ...Object.entries(hosts).map(([name, ip]) => `${ip} ${name}`)];
    await writeFile(file, `${lines.join("\n")}\n`);
    child = launch("unshare", [
      "--mount", "--propagation", "private", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', file, command, ...args,
    ], env);
  } else {
    child = launch(command, args, env);
  }
  let url;
  try {
    url = await waitFor(() => child.output().match(/Ready on (http:\/\/127\.0\.0\.1:\d+)/)?.[1], {
      timeoutMs: 180_000,
      what: "wrangler dev's address",
      child,
    });
    // wrangler runs the custom build (`make worker`) again once its watcher of
    // [build].watch_dir has scanned, and reloads the Worker with it. A slow
    // scan puts that reload after "Ready on", where it answers a request in
    // flight that is not a GET with 503 "Your worker restarted mid-request".
    // So the edge is ready once that rebuild has been served.
    await waitFor(async () => settledAfterRebuild(await readFile(log, "utf8").catch(() => "")), {
      timeoutMs: 180_000,
      what: "wrangler dev's reload after its watcher's first scan",
      child,
    });
    await waitFor(async () => (await fetch(`${url}/api/health`)).ok, { timeoutMs: 180_000, what: "wrangler dev", child });
  } catch (error) {
    await child.stopGroup();
    await rm(logDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    state,
    child,
    async stop({ keepState = false } = {}) {
      await child.stopGroup();
      await rm(logDir, { recursive: true, force: true });
      if (owned && !keepState) await rm(state, { recursive: true, force: true });
    },
  };
}

/** Starts tunnel-host (debug build) on free loopback ports. */
export async function startTunnelHost({ dataDir, args = [] } = {}) {
  const owned = !dataDir;
  dataDir ??= await mkdtemp(join(tmpdir(), "flamingo-tunnel-"));
  const [ssh, http, admin] = [await freePort(), await freePort(), await freePort()];
  const child = launch(join(ROOT, "target/debug/tunnel-host"), [
    "--ssh-addr", `127.0.0.1:${ssh}`, "--http-addr", `127.0.0.1:${http}`, "--admin-addr", `127.0.0.1:${admin}`,
    "--data-dir", dataDir, ...args,
  ]);
  const adminUrl = `http://127.0.0.1:${admin}`;
  try {
    await waitFor(async () => (await fetch(`${adminUrl}/healthz`)).ok, { what: "tunnel-host", child });
  } catch (error) {
    await child.stopGroup();
    throw error;
  }
  return {
    ports: { ssh, http, admin },
    adminUrl,
    dataDir,
    child,
    async stop() {
      await child.stopGroup();
      if (owned) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** GET `path` from 127.0.0.1:`port` with an explicit Host header (fetch cannot set it). */
export function getWithHost(port, host, path = "/") {
  return new Promise((ok, fail) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => ok({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", fail);
    req.end();
  });
}
