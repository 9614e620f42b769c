// Live counters end to end: a real `ssh -R` tunnel through tunnel-host
// enrolled to a `wrangler dev` edge, with heartbeats at their default 30 s.
// While someone lists the tunnels, requests through the tunnel move the
// listed request and byte counters within seconds and arrive on the org
// event stream as `tunnel.stats`; an idle tunnel sends none; and in Chromium
// the open-tunnels table shows the new count without a reload.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { getWithHost, startEdge, startTunnelHost, waitFor } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";
import { openEvents } from "./lib/sse.mjs";
import { launchBrowser, openPage } from "./lib/browser.mjs";

const run = promisify(execFile);
const PASSWORD = "correct horse battery";
/** How long moving counters may take to show (the host reports about once a second). */
const LIVE_MS = 5_000;

let edge;
let owner;
let org;
let dir;
let app;
let host;
let events;
let ssh;

async function tunnels() {
  const res = await owner.get(`/api/orgs/${org}/tunnels`);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json;
}

async function listed(name) {
  return (await tunnels()).find((t) => t.name === name);
}

/** `n` requests through the tunnel, each answered 200. */
async function requests(n) {
  for (let i = 0; i < n; i++) {
    const page = await getWithHost(host.ports.http, "live.localhost");
    assert.equal(page.status, 200, page.body);
  }
}

/** Reads the event stream until a `tunnel.stats` event matching `found`, for at most `timeoutMs`. */
async function statsEvent(found, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    assert.ok(left > 0, "no matching tunnel.stats event in time");
    const message = await events.next({ timeoutMs: left });
    assert.ok(message, "the event stream ended");
    if (message.event === "tunnel.stats" && found(message.data)) return message.data;
  }
}

/** How many `tunnel.stats` events arrive within `ms`. */
async function countStats(ms) {
  const deadline = Date.now() + ms;
  let count = 0;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return count;
    let message;
    try {
      message = await events.next({ timeoutMs: left });
    } catch {
      return count;
    }
    if (message?.event === "tunnel.stats") count += 1;
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "flamingo-live-"));
  edge = await startEdge();
  owner = client(edge.url, { ip: "198.51.100.40" });
  const setup = await owner.post("/api/setup", {
    name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Lab",
  });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;

  const created = await owner.post(`/api/orgs/${org}/tunnel-hosts`, { name: "local" });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  host = await startTunnelHost({ args: ["--edge", edge.url, "--enroll", created.json.enrollment_token] });
  await waitFor(async () => (await owner.get(`/api/orgs/${org}/tunnel-hosts`)).json[0]?.status === "online", {
    timeoutMs: 30_000, what: "host online", child: host.child,
  });

  app = createServer((_, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("live and kicking");
  });
  await new Promise((ok) => app.listen(0, "127.0.0.1", ok));

  const key = join(dir, "ada");
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f", key]);
  const added = await owner.post("/api/me/ssh-keys", { name: "laptop", public_key: (await readFile(`${key}.pub`, "utf8")).trim() });
  assert.equal(added.status, 201, JSON.stringify(added.json));
  ssh = spawn(
    "ssh",
    [
      "-N", "-R", `live:80:127.0.0.1:${app.address().port}`,
      "-p", String(host.ports.ssh), "-i", key,
      "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=accept-new",
      "-o", `UserKnownHostsFile=${join(dir, "known_hosts")}`, "-o", "ExitOnForwardFailure=yes",
      "-o", "ServerAliveInterval=5", "tunnel@127.0.0.1",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  ssh.stderr.on("data", (chunk) => (output += chunk));
  ssh.output = () => output;
  await waitFor(() => listed("live"), { timeoutMs: 30_000, what: "tunnel live listed", child: ssh });

  events = await openEvents(`${edge.url}/api/orgs/${org}/events`, { headers: { cookie: owner.cookie } });
  assert.equal((await events.next()).event, "ready");
});

after(async () => {
  ssh?.kill("SIGTERM");
  events?.close();
  await host?.stop();
  app?.close();
  await edge?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("while the tunnels are listed, request and byte counters move within seconds", async () => {
  const before = await listed("live");
  await requests(3);
  // The listing just now told the host someone watches: the counters follow
  // within seconds, though the next heartbeat is up to 30 s away.
  const event = await statsEvent((d) => d.tunnels.some((t) => t.id === before.id && t.requests >= before.requests + 3), LIVE_MS);
  assert.ok(event.host_id, "the event names the host");
  let now;
  await waitFor(
    async () => {
      now = await listed("live");
      return now.requests >= before.requests + 3 && now.bytes_out > before.bytes_out && now.bytes_in > before.bytes_in;
    },
    { timeoutMs: LIVE_MS, what: "the listed counters to move", child: host.child },
  );

  // More traffic moves them again, without waiting for a heartbeat.
  await requests(2);
  await waitFor(async () => (await listed("live")).requests >= now.requests + 2, {
    timeoutMs: LIVE_MS, what: "the listed counters to move again", child: host.child,
  });
});

test("an idle tunnel sends no stats, even while watched", async () => {
  await listed("live");
  // Whatever was due has gone out after a couple of intervals.
  await countStats(2_500);
  assert.equal(await countStats(3_000), 0, "no tunnel.stats while nothing moves");
});

test("the open-tunnels table shows the new count without a reload", async () => {
  const browser = await launchBrowser();
  try {
    const tab = await openPage(browser, edge.url);
    const [name, value] = owner.cookie.split("=");
    await tab.context.addCookies([{ name, value, url: edge.url }]);
    await tab.page.goto(`/o/${org}/tunnels`);
    const row = tab.page.getByRole("row").filter({ has: tab.page.getByRole("link", { name: /^http:\/\/live\.localhost:\d+$/ }) });
    await row.waitFor({ timeout: 30_000 });
    const headers = await tab.page.getByRole("columnheader").allTextContents();
    const column = headers.findIndex((h) => h.trim() === "Requests");
    assert.ok(column >= 0, `a Requests column among ${headers.join(", ")}`);
    const shown = async () => Number((await row.getByRole("cell").nth(column).textContent())?.replace(/\D/g, ""));
    const start = (await listed("live")).requests;
    await waitFor(async () => (await shown()) === start, { timeoutMs: LIVE_MS, what: `the table to show ${start}` });

    await requests(4);
    await waitFor(async () => (await shown()) >= start + 4, {
      timeoutMs: LIVE_MS, what: `the table to show ${start + 4} requests`, child: host.child,
    });
    tab.assertClean();
  } finally {
    await browser.close();
  }
});
