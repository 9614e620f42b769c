// Who may open tunnels, end to end: a real OpenSSH client against tunnel-host
// enrolled to a `wrangler dev` edge. Tunnels are read only for viewers, so a
// viewer's registered key is refused with a message saying why while an
// operator's opens its tunnel; a viewer cannot approve a device sign-in (an
// operator can); and the host's admin API answers only requests addressed to
// a loopback name or address, not a rebound DNS name.
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

const run = promisify(execFile);
const PASSWORD = "correct horse battery";

let edge;
let owner;
let org;
let dir;
let app;
let host;
const members = {};
const sshClients = [];

async function keygen(name) {
  const path = join(dir, name);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path]);
  return { path, public: (await readFile(`${path}.pub`, "utf8")).trim() };
}

/** `ssh -N -R <name>:80:127.0.0.1:<app>` to the tunnel host with `key`. */
function sshTunnel(name, key) {
  const child = spawn(
    "ssh",
    [
      "-N", "-R", `${name}:80:127.0.0.1:${app.port}`,
      "-p", String(host.ports.ssh), "-i", key.path,
      "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "StrictHostKeyChecking=no",
      "-o", "UserKnownHostsFile=/dev/null", "-o", "ExitOnForwardFailure=yes",
      "-o", "PasswordAuthentication=no", "-o", "LogLevel=INFO",
      "tunnel@127.0.0.1",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  child.output = () => output;
  child.exited = new Promise((ok) => child.once("exit", (code) => ok(code)));
  sshClients.push(child);
  return child;
}

/** The exit code of `child`, or "still running" after `ms`. */
function exitCodeWithin(child, ms) {
  let timer;
  const late = new Promise((ok) => (timer = setTimeout(() => ok("still running"), ms)));
  return Promise.race([child.exited, late]).finally(() => clearTimeout(timer));
}

async function tunnelNamed(name, child) {
  return waitFor(
    async () => {
      const res = await owner.get(`/api/orgs/${org}/tunnels`);
      return res.json.find((t) => t.name === name);
    },
    { timeoutMs: 30_000, what: `tunnel ${name} listed`, child },
  );
}

/** Invites `email` as `role`, joins, and returns the signed-in client. */
async function joinAs(role, name, email, ip) {
  const invite = await owner.post(`/api/orgs/${org}/invitations`, { role });
  assert.equal(invite.status, 201, JSON.stringify(invite.json));
  const who = client(edge.url, { ip });
  const joined = await who.post(`/api/join/${invite.json.token}`, { name, email, password: PASSWORD });
  assert.equal(joined.status, 201, JSON.stringify(joined.json));
  if (!who.cookie) assert.equal((await who.post("/api/auth/login", { email, password: PASSWORD })).status, 200);
  return who;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "flamingo-tunnel-security-"));
  edge = await startEdge();
  owner = client(edge.url, { ip: "198.51.100.40" });
  const setup = await owner.post("/api/setup", {
    name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Lab",
  });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;
  members.viewer = await joinAs("viewer", "Vic", "vic@example.com", "198.51.100.41");
  members.operator = await joinAs("operator", "Olga", "olga@example.com", "198.51.100.42");

  app = createServer((req, res) => res.end(`hello ${req.headers.host}`));
  await new Promise((ok) => app.listen(0, "127.0.0.1", ok));
  app.port = app.address().port;

  const created = await owner.post(`/api/orgs/${org}/tunnel-hosts`, { name: "local" });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  host = await startTunnelHost({ args: ["--edge", edge.url, "--enroll", created.json.enrollment_token] });
});

after(async () => {
  for (const child of sshClients) child.kill("SIGTERM");
  await host?.stop();
  app?.close();
  await edge?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("a viewer's ssh -R is refused with the reason; an operator's serves", async () => {
  const vicKey = await keygen("vic");
  const olgaKey = await keygen("olga");
  for (const [who, key] of [[members.viewer, vicKey], [members.operator, olgaKey]]) {
    const added = await who.post("/api/me/ssh-keys", { name: "laptop", public_key: key.public });
    assert.equal(added.status, 201, JSON.stringify(added.json));
  }

  const refused = sshTunnel("vics", vicKey);
  const code = await exitCodeWithin(refused, 30_000);
  assert.equal(code, 255, `the viewer's ssh was not refused: ${refused.output()}`);
  assert.match(refused.output(), /this SSH key may not open tunnels here/);
  assert.match(refused.output(), /role in this tunnel host's organization is viewer/);
  assert.equal((await getWithHost(host.ports.http, "vics.localhost")).status, 404);
  const listed = await owner.get(`/api/orgs/${org}/tunnels`);
  assert.ok(!listed.json.some((t) => t.name === "vics"), JSON.stringify(listed.json));

  const served = sshTunnel("olgas", olgaKey);
  const tunnel = await tunnelNamed("olgas", served);
  assert.equal(tunnel.user.name, "Olga");
  const page = await getWithHost(host.ports.http, "olgas.localhost");
  assert.equal(page.status, 200, page.body);
  assert.equal(page.body, "hello olgas.localhost");
});

test("a viewer cannot approve a device sign-in; an operator can", async () => {
  const key = await keygen("newcomer");
  const ssh = sshTunnel("newapp", key);
  let code;
  await waitFor(
    () => {
      code = ssh.output().match(/\b([B-DF-HJ-NP-TV-Z]{4}-[B-DF-HJ-NP-TV-Z]{4})\b/)?.[1];
      return code;
    },
    { timeoutMs: 30_000, what: "a device code from ssh", child: ssh },
  );
  const denied = await members.viewer.post("/api/activate", { code });
  assert.equal(denied.status, 403, JSON.stringify(denied.json));
  assert.equal(denied.json.error.code, "tunnels_read_only");
  assert.equal((await members.viewer.get("/api/me/ssh-keys")).json.length, 1, "no key added to the viewer");

  const approved = await members.operator.post("/api/activate", { code });
  assert.equal(approved.status, 204, JSON.stringify(approved.json));
  const tunnel = await tunnelNamed("newapp", ssh);
  assert.equal(tunnel.user.name, "Olga");
});

test("the admin API answers loopback addresses only, not a rebound DNS name", async () => {
  const port = host.ports.admin;
  for (const name of [`rebound.example:${port}`, `localhost.rebound.example:${port}`]) {
    const list = await getWithHost(port, name, "/tunnels");
    assert.equal(list.status, 403, `${name}: ${list.body}`);
    assert.match(JSON.parse(list.body).error, /addressed to localhost/);
  }
  for (const name of [`127.0.0.1:${port}`, `localhost:${port}`]) {
    const list = await getWithHost(port, name, "/tunnels");
    assert.equal(list.status, 200, `${name}: ${list.body}`);
    assert.ok(JSON.parse(list.body).some((t) => t.name === "olgas"), list.body);
  }
});
