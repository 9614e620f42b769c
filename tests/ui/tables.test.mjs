// Every table in the web app fits, in Chromium at 1280x800 and on a phone
// (390x844): each row's remove/revoke/kick button is on screen without any
// scrolling (wide tables pin it to their right edge, phones stack the rows
// with the button beside each title), the Settings tabs keep the current one
// in view, and axe-core finds nothing on any page state, light or dark. A
// real `ssh -R` tunnel is kicked at each size. Screenshots of the tables at
// phone width go to $SCREENSHOT_DIR.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startEdge, startTunnelHost, waitFor } from "../lib/stack.mjs";
import { client } from "../lib/client.mjs";
import { assertAccessible, launchBrowser, openPage, screenshots } from "../lib/browser.mjs";

const run = promisify(execFile);
const PASSWORD = "correct horse battery";
const STEP = { timeout: 180_000 };
const SIZES = [
  { name: "wide", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
];

let edge;
let host;
let app;
let dir;
let browser;
let owner;
let org;
let key;
const sshClients = [];

/** `ssh -N -R <name>:80:...` to the tunnel host, to a tiny local web app. */
function sshTunnel(name) {
  const child = spawn(
    "ssh",
    [
      "-N", "-R", `${name}:80:127.0.0.1:${app.address().port}`,
      "-p", String(host.ports.ssh), "-i", key.path,
      "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=accept-new",
      "-o", `UserKnownHostsFile=${join(dir, "known_hosts")}`, "-o", "ExitOnForwardFailure=yes",
      "tunnel@127.0.0.1",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  child.output = () => output;
  sshClients.push(child);
  return child;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "flamingo-tables-"));
  edge = await startEdge();
  owner = client(edge.url, { ip: "198.51.100.40" });
  const setup = await owner.post("/api/setup", {
    name: "Ada Lovelace", email: "ada@example.com", password: PASSWORD, organization: "Ada Lab",
  });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;

  // A member to remove, an invitation to revoke, an API key, a reserved name.
  const invite = await owner.post(`/api/orgs/${org}/invitations`, { role: "viewer" });
  const viewer = client(edge.url, { ip: "198.51.100.41" });
  const joined = await viewer.post(`/api/join/${invite.json.token}`, {
    name: "Vic Viewer", email: "vic@example.com", password: PASSWORD,
  });
  assert.equal(joined.status, 201, JSON.stringify(joined.json));
  const pending = await owner.post(`/api/orgs/${org}/invitations`, { role: "operator", email: "grace.hopper@example.com" });
  assert.equal(pending.status, 201, JSON.stringify(pending.json));
  const apiKey = await owner.post("/api/me/api-keys", { name: "Deploy script", allowed_ips: [], password: PASSWORD });
  assert.equal(apiKey.status, 201, JSON.stringify(apiKey.json));
  assert.equal((await owner.post(`/api/orgs/${org}/tunnel-names`, { name: "reserved-demo" })).status, 201);

  // A tunnel host, a key it accepts, and a web app to publish.
  const created = await owner.post(`/api/orgs/${org}/tunnel-hosts`, { name: "eu-1" });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  host = await startTunnelHost({ args: ["--edge", edge.url, "--enroll", created.json.enrollment_token] });
  await waitFor(async () => (await owner.get(`/api/orgs/${org}/tunnel-hosts`)).json[0]?.status === "online", {
    timeoutMs: 30_000, what: "host online", child: host.child,
  });
  const path = join(dir, "laptop");
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "laptop", "-f", path]);
  key = { path, public: (await readFile(`${path}.pub`, "utf8")).trim() };
  assert.equal((await owner.post("/api/me/ssh-keys", { name: "Work laptop", public_key: key.public })).status, 201);
  app = createServer((_req, res) => res.end("hello"));
  await new Promise((ok) => app.listen(0, "127.0.0.1", ok));

  browser = await launchBrowser();
});

after(async () => {
  for (const child of sshClients) child.kill("SIGTERM");
  await browser?.close();
  await host?.stop();
  app?.close();
  await edge?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Fails unless `locator`'s element lies wholly inside the viewport, and is what a click at its centre hits. */
async function assertOnScreen(page, locator, what) {
  await locator.waitFor();
  const box = await locator.boundingBox();
  const { width, height } = page.viewportSize();
  assert.ok(box, `${what} has a box`);
  assert.ok(
    box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height,
    `${what} lies inside the ${width}x${height} viewport without scrolling: ${JSON.stringify(box)}`,
  );
  const hit = await locator.evaluate((element, [x, y]) => {
    const top = document.elementFromPoint(x, y);
    return top !== null && (top === element || element.contains(top));
  }, [box.x + box.width / 2, box.y + box.height / 2]);
  assert.ok(hit, `${what} is not covered by anything`);
  // Nothing on the page scrolls sideways as a whole.
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, "no page-wide sideways scroll");
}

for (const size of SIZES) {
  describe(`tables at ${size.width}x${size.height}`, () => {
    let tab;
    let page;
    const tunnel = `${size.name}-app`;

    before(async () => {
      tab = await openPage(browser, edge.url);
      page = tab.page;
      await page.setViewportSize({ width: size.width, height: size.height });
      const [name, value] = owner.cookie.split("=");
      await tab.context.addCookies([{ name, value, url: edge.url }]);
    });

    after(async () => {
      await tab?.context.close();
    });

    /** Opens `path`, waits for `ready`, and checks that `button` is on screen and the page passes axe. */
    async function visit(path, ready, button, state) {
      await page.goto(path);
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await ready().waitFor();
      await assertOnScreen(page, button, `the row button on ${state}`);
      await assertAccessible(page, `${state} at ${size.width}px`);
    }

    test("members and invitations keep their remove and revoke buttons in view", STEP, async () => {
      const remove = page.getByRole("button", { name: "Remove Vic Viewer" });
      await visit(`/o/${org}/organization/members`, () => remove, remove, "members");
      if (size.name === "phone") await screenshots(page, "table-members-phone");

      const revoke = page.getByRole("button", { name: "Revoke the invitation meant for grace.hopper@example.com" });
      await visit(`/o/${org}/organization/invitations`, () => revoke, revoke, "invitations");
      if (size.name === "phone") await screenshots(page, "table-invitations-phone");
      tab.assertClean();
    });

    test("settings: the tabs keep the current one in view, and keys keep their buttons", STEP, async () => {
      const revoke = page.getByRole("button", { name: "Revoke Deploy script" });
      await visit(`/o/${org}/settings/api-keys`, () => revoke, revoke, "API keys");
      const remove = page.getByRole("button", { name: "Remove Work laptop" });
      await visit(`/o/${org}/settings/ssh-keys`, () => remove, remove, "SSH keys");
      // SSH keys is the last tab: on a phone the strip has scrolled to it.
      const tabs = page.getByRole("navigation", { name: "Settings" });
      await assertOnScreen(page, tabs.getByRole("link", { name: "SSH keys" }), "the current Settings tab");
      assert.equal(await tabs.getByRole("link", { name: "SSH keys" }).getAttribute("aria-current"), "page");
      if (size.name === "phone") await screenshots(page, "table-ssh-keys-phone");

      // Back to the first tab by the strip itself: it scrolls back too.
      await tabs.getByRole("link", { name: "Profile" }).click();
      await page.getByLabel("Name", { exact: true }).waitFor();
      await assertOnScreen(page, tabs.getByRole("link", { name: "Profile" }), "the Profile tab");
      await assertAccessible(page, `settings profile at ${size.width}px`);

      await page.goto(`/o/${org}/settings/sessions`);
      await page.getByText("This browser").first().waitFor();
      await assertAccessible(page, `sessions at ${size.width}px`);
      tab.assertClean();
    });

    test("tunnels: hosts and reserved names keep their buttons, and Kick is clickable without scrolling", STEP, async () => {
      const removeHost = page.getByRole("button", { name: "Remove eu-1" });
      await visit(`/o/${org}/tunnels/hosts`, () => removeHost, removeHost, "tunnel hosts");
      const release = page.getByRole("button", { name: "Release reserved-demo" });
      await visit(`/o/${org}/tunnels/names`, () => release, release, "reserved names");

      const ssh = sshTunnel(tunnel);
      await waitFor(async () => (await owner.get(`/api/orgs/${org}/tunnels`)).json.some((t) => t.name === tunnel), {
        timeoutMs: 30_000, what: `tunnel ${tunnel} listed`, child: ssh,
      });
      const kick = page.getByRole("button", { name: `Kick ${tunnel}` });
      await visit(`/o/${org}/tunnels`, () => page.getByRole("button", { name: `Copy the URL of ${tunnel}`, exact: true }), kick, "open tunnels");
      if (size.name === "phone") await screenshots(page, "table-tunnels-phone");

      // Clicked where it is, with the mouse: no scrolling first.
      const box = await kick.boundingBox();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      const dialog = page.getByRole("alertdialog");
      await dialog.getByRole("button", { name: "Kick tunnel" }).waitFor();
      await assertAccessible(page, `the kick confirmation at ${size.width}px`);
      await dialog.getByRole("button", { name: "Kick tunnel" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByRole("button", { name: `Copy the URL of ${tunnel}`, exact: true }).waitFor({ state: "detached", timeout: 30_000 });
      await waitFor(async () => !(await owner.get(`/api/orgs/${org}/tunnels`)).json.some((t) => t.name === tunnel), {
        what: `${tunnel} unlisted after the kick`,
      });
      tab.assertClean();
    });

    test("the audit log reads whole without sideways scrolling", STEP, async () => {
      await page.goto(`/o/${org}/audit-log`);
      await page.getByText(/^Showing 1–\d+ of \d+ entries$/).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
      const layout = await page.locator('[data-slot="data-table"]').getAttribute("data-layout");
      assert.equal(layout, size.name === "phone" ? "stacked" : "table");
      await assertAccessible(page, `audit log at ${size.width}px`);
      if (size.name === "phone") await screenshots(page, "table-audit-phone");
      tab.assertClean();
    });
  });
}
