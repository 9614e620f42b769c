// Tunnels explain themselves, in Chromium against the real stack: a tunnel
// host enrolled on a non-default SSH port (and --public-ssh-host) reports
// where it listens; the Tunnels page and the Hosts tab show the command with
// that real host and port; the command as shown opens a tunnel with the real
// OpenSSH client, whose row shows its full URL as a link with a copy button
// and a QR code; and `ssh -N` (no session channel, so no "tunnel ready" line)
// still tells its user the URL, in the banner OpenSSH prints on stderr.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { getWithHost, startEdge, startTunnelHost, waitFor } from "../lib/stack.mjs";
import { client } from "../lib/client.mjs";
import { launchBrowser, openPage, screenshotDir, screenshots } from "../lib/browser.mjs";

const run = promisify(execFile);
const OWNER = { name: "Ada Lovelace", email: "ada@example.com", password: "correct horse battery", organization: "Ada Lab" };
const STEP = { timeout: 180_000 };

let edge;
let host;
let app;
let dir;
let key;
let owner;
let org;
let browser;
let tab;
const sshClients = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "flamingo-tunnel-help-"));
  edge = await startEdge();
  owner = client(edge.url, { ip: "198.51.100.40" });
  const setup = await owner.post("/api/setup", OWNER);
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;

  const created = await owner.post(`/api/orgs/${org}/tunnel-hosts`, { name: "local" });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  // startTunnelHost binds SSH on a free port, never the default 2222.
  host = await startTunnelHost({
    args: ["--edge", edge.url, "--enroll", created.json.enrollment_token, "--public-ssh-host", "127.0.0.1"],
  });
  assert.notEqual(host.ports.ssh, 2222);
  await waitFor(async () => (await owner.get(`/api/orgs/${org}/tunnel-hosts`)).json[0]?.ssh_port === host.ports.ssh, {
    timeoutMs: 30_000,
    what: "the host's ssh address listed",
    child: host.child,
  });

  const path = join(dir, "ada");
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f", path]);
  key = { path, public: (await readFile(`${path}.pub`, "utf8")).trim() };
  const added = await owner.post("/api/me/ssh-keys", { name: "laptop", public_key: key.public });
  assert.equal(added.status, 201, JSON.stringify(added.json));

  app = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("hello from behind the tunnel");
  });
  await new Promise((ok) => app.listen(0, "127.0.0.1", ok));

  browser = await launchBrowser();
  tab = await openPage(browser, edge.url);
  await tab.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: edge.url });
  const [name, value] = owner.cookie.split("=");
  await tab.context.addCookies([{ name, value, url: edge.url }]);
});

after(async () => {
  for (const child of sshClients) child.kill("SIGTERM");
  await browser?.close();
  if (host) await writeFile(join(screenshotDir(), "..", "ui-tunnel-help-host.log"), host.child.output()).catch(() => {});
  await host?.stop();
  app?.close();
  await edge?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs `ssh` with `args` (a command as the panel shows it, minus `ssh`) and the test key; stderr and stdout collected. */
function ssh(args) {
  const child = spawn(
    "ssh",
    [
      "-i", key.path, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "StrictHostKeyChecking=no",
      "-o", "UserKnownHostsFile=/dev/null", "-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes",
      ...args,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdout_ = () => stdout;
  child.stderr_ = () => stderr;
  child.output = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;
  sshClients.push(child);
  return child;
}

async function listedTunnels() {
  const res = await owner.get(`/api/orgs/${org}/tunnels`);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json;
}

const expectedHttp = () => `ssh -R ada:80:localhost:3000 -p ${host.ports.ssh} 127.0.0.1`;
const expectedTcp = () => `ssh -R 0:localhost:5432 -p ${host.ports.ssh} 127.0.0.1`;

test("the Tunnels page and the Hosts tab show the command with the host's real address and port", STEP, async () => {
  const { page } = tab;
  await page.goto(`/o/${org}/tunnels`);
  await page.getByText("No open tunnels", { exact: true }).waitFor();
  await page.getByRole("heading", { level: 2, name: "Open a tunnel" }).waitFor();
  const http = page.getByLabel("HTTP tunnel on local", { exact: true });
  assert.equal(await http.inputValue(), expectedHttp());
  assert.equal(await page.getByLabel("TCP tunnel on local", { exact: true }).inputValue(), expectedTcp());
  assert.equal(await page.getByText("<host>").count(), 0, "no placeholder is left to guess");
  await page.getByRole("button", { name: "Copy HTTP tunnel on local" }).click();
  await page.getByText("HTTP tunnel on local copied").waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expectedHttp());
  await screenshots(page, "tunnels-help");

  await page.getByRole("navigation", { name: "Tunnels" }).getByRole("link", { name: "Hosts" }).click();
  await page.getByRole("heading", { level: 2, name: "Tunnel hosts" }).waitFor();
  await page.getByText(`SSH address 127.0.0.1:${host.ports.ssh}`).waitFor();
  assert.equal(await page.getByLabel("HTTP tunnel on local", { exact: true }).inputValue(), expectedHttp());
  tab.assertClean();
});

test("the command as shown opens a tunnel, listed with its full URL, a copy button and a QR code", STEP, async () => {
  const { page } = tab;
  await page.goto(`/o/${org}/tunnels`);
  const shown = await page.getByLabel("HTTP tunnel on local", { exact: true }).inputValue();
  // Exactly the words shown, but pointed at this test's app instead of port 3000, and -N.
  const words = shown.split(" ");
  assert.equal(words[0], "ssh");
  const args = words.slice(1).map((w) => w.replace(/:localhost:3000$/, `:127.0.0.1:${app.address().port}`));
  const child = ssh(["-N", ...args]);
  const url = `http://ada.localhost:${host.ports.http}`;
  await waitFor(async () => (await listedTunnels()).some((t) => t.name === "ada"), { timeoutMs: 30_000, what: "ada listed", child });
  const served = await getWithHost(host.ports.http, "ada.localhost");
  assert.equal(served.status, 200, served.body);

  const link = page.getByRole("link", { name: url, exact: true });
  await link.waitFor({ timeout: 30_000 });
  assert.equal(await link.getAttribute("href"), url);
  assert.ok(await link.isVisible(), "the URL is shown, not only a tooltip");
  await page.getByRole("button", { name: "Copy the URL of ada" }).click();
  await page.getByText("URL copied").waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
  await page.getByRole("button", { name: "QR code of ada" }).click();
  const dialog = page.getByRole("dialog", { name: "Open ada on a phone" });
  await dialog.getByRole("img", { name: `QR code of ${url}` }).waitFor();
  await screenshots(page, "tunnel-qr");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  await screenshots(page, "tunnels-open");

  // `ssh -N` opened no session: what it printed is the banner, naming the URL.
  assert.match(child.stderr_(), new RegExp(`-R <name>:80:localhost:3000 +-> +http://<name>\\.localhost:${host.ports.http}`), child.output());
  assert.equal(child.stdout_(), "", "no session channel, nothing on stdout");
  tab.assertClean();
});

test("ssh -N with a random name sees the very URL the panel lists", STEP, async () => {
  const child = ssh(["-N", "-R", `80:127.0.0.1:${app.address().port}`, "-p", String(host.ports.ssh), "127.0.0.1"]);
  let random;
  await waitFor(
    async () => {
      random = (await listedTunnels()).find((t) => t.name !== "ada");
      return random;
    },
    { timeoutMs: 30_000, what: "the random tunnel listed", child },
  );
  await waitFor(() => child.stderr_().includes(random.public_url), { timeoutMs: 10_000, what: "the url on ssh -N's stderr", child });
  assert.match(child.stderr_(), new RegExp(`-R 80:localhost:3000 +-> +${random.public_url.replace(/[.]/g, "\\.")} `), child.output());
  const served = await getWithHost(host.ports.http, `${random.name}.localhost`);
  assert.equal(served.status, 200, served.body);
  await tab.page.getByRole("link", { name: random.public_url, exact: true }).waitFor({ timeout: 30_000 });
  tab.assertClean();
});
