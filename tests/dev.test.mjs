// `make dev` as a newcomer uses it: it comes up and says so, serves the app
// and a healthy API, runs tunnel-host beside it and enrolls it to the local
// edge once Flamingo is set up, stops everything on SIGTERM or when a service
// dies, and keeps local data (and the enrollment) across a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { execFile } from "node:child_process";
import { d1, freePort, launch, waitFor } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";

const run = promisify(execFile);

function portOpen(port) {
  return new Promise((ok) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      ok(true);
    });
    socket.once("error", () => ok(false));
  });
}

// Every service is gone: nothing is left listening (or holding our pipes).
async function stopped(env) {
  const ports = [env.EDGE_PORT, env.SSH_PORT, env.HTTP_PORT, env.ADMIN_PORT].map(Number);
  await waitFor(async () => (await Promise.all(ports.map(portOpen))).every((open) => !open), {
    timeoutMs: 15_000,
    what: "every service to stop",
  });
}

/** The ports make dev takes from its environment, each free on 127.0.0.1 right now. */
async function pickPorts(env) {
  for (const name of ["EDGE_PORT", "SSH_PORT", "HTTP_PORT", "ADMIN_PORT", "INSPECTOR_PORT"]) {
    env[name] = String(await freePort());
  }
}

/**
 * Runs `make dev` until it says it is up. make dev binds the ports it is given,
 * and a port free when picked can be taken by another test's process in the
 * seconds before wrangler binds it: then (and only then) it starts again on
 * fresh ports, updating `env`.
 */
async function makeDev(env) {
  for (let attempt = 1; ; attempt++) {
    const child = launch("make", ["--no-print-directory", "dev"], { env: { ...process.env, ...env } });
    const url = `http://127.0.0.1:${env.EDGE_PORT}`;
    try {
      await waitFor(() => child.output().includes(`Flamingo is up at ${url}`), {
        timeoutMs: 300_000,
        what: "make dev",
        child,
      });
      return { child, url };
    } catch (error) {
      await child.stopGroup();
      if (attempt >= 3 || !/Address already in use|Address in use|EADDRINUSE/.test(child.output())) throw error;
      await pickPorts(env);
    }
  }
}

test("make dev serves the stack, stops on SIGTERM and keeps data", async () => {
  const state = await mkdtemp(join(tmpdir(), "flamingo-dev-"));
  const env = {
    FLAMINGO_STATE: join(state, "wrangler"),
    FLAMINGO_TUNNEL_DATA: join(state, "tunnel-host"),
  };
  await pickPorts(env);
  let child;
  let url;
  try {
    ({ child, url } = await makeDev(env));
    const health = await (await fetch(`${url}/api/health`)).json();
    assert.deepEqual(health.checks, { d1: "ok", durable_objects: "ok", kv: "ok" });
    assert.match(await (await fetch(`${url}/`)).text(), /<div id="root">/);
    assert.ok(await portOpen(Number(env.SSH_PORT)), "tunnel-host ssh port");
    assert.equal((await fetch(`http://127.0.0.1:${env.ADMIN_PORT}/healthz`)).status, 200);

    // Setting Flamingo up is all it takes for the local tunnel host to enroll.
    let owner = client(url);
    const setup = await owner.post("/api/setup", {
      name: "Newcomer", email: "new@example.com", password: "correct horse battery", organization: "Home Lab",
    });
    assert.equal(setup.status, 201, JSON.stringify(setup.json));
    const org = setup.json.memberships[0].slug;
    const hostOnline = () =>
      waitFor(async () => (await owner.get(`/api/orgs/${org}/tunnel-hosts`)).json?.[0]?.status === "online", {
        timeoutMs: 60_000,
        what: "the local tunnel host online",
        child,
      });
    await hostOnline();
    await waitFor(() => /the local tunnel host is enrolled/.test(child.output()), { what: "the enrolled note", child });

    const edge = { state: env.FLAMINGO_STATE };
    const [first] = await d1(edge, "SELECT checks FROM health_probe");

    const exited = new Promise((r) => child.once("exit", r));
    process.kill(-child.pid, "SIGTERM");
    await exited;
    await stopped(env);

    ({ child, url } = await makeDev(env));
    // The same session, at the URL make dev came up on this time.
    owner = Object.assign(client(url), { cookie: owner.cookie });
    await fetch(`${url}/api/health`);
    const [second] = await d1(edge, "SELECT checks FROM health_probe");
    assert.ok(second.checks > first.checks, `probe count continued: ${first.checks} -> ${second.checks}`);
    // Still enrolled: it reconnects with its stored credential (the session survived too).
    await hostOnline();
    assert.doesNotMatch(child.output(), /enrolls itself/);

    // When one service dies, make dev stops the other and says which died.
    const exitedAgain = new Promise((r) => child.once("exit", r));
    await run("pkill", ["-KILL", "-f", "--", `--data-dir ${env.FLAMINGO_TUNNEL_DATA}`]);
    assert.notEqual(await exitedAgain, 0);
    assert.match(child.output(), /tunnel-host exited with status 137; stopping/);
    await stopped(env);
  } finally {
    // A failed assertion must not leave the stack running (its pipes would
    // keep this file alive).
    await child?.stopGroup();
    await rm(state, { recursive: true, force: true });
  }
});
