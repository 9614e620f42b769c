// Issue 12's "done when", in Chromium against the real stack: a newcomer's
// tasks walked at 1280x800 and 390x844, in the light and the dark theme. The
// first-run start asks GET /api/setup and GET /api/auth/me once each; the
// Tunnels page shows the command with the host's real SSH port; a taken name,
// a key already registered, a tunnel host over the limit and a wrong password
// each show their error once (no toast repeats it) with focus on it; a real
// `ssh -R` tunnel's Kick button lies inside the viewport and is clicked where
// it is, with the mouse; and axe-core finds nothing on every page state
// visited, light and dark. Screenshots: walkthrough-tunnels (1280 wide),
// walkthrough-tunnels-phone and walkthrough-sign-in-error-phone.
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
const OWNER = { name: "Ada Lovelace", email: "ada@example.com", password: "correct horse battery", organization: "Ada Lab" };
const STEP = { timeout: 240_000 };
const COMBOS = [
  { size: "wide", width: 1280, height: 800, scheme: "light" },
  { size: "wide", width: 1280, height: 800, scheme: "dark" },
  { size: "phone", width: 390, height: 844, scheme: "light" },
  { size: "phone", width: 390, height: 844, scheme: "dark" },
];
const TAKEN = "The name taken is already reserved.";
const KEY_IN_USE = "This SSH key is already registered.";
const WRONG = "Wrong email or password.";

let edge;
let browser;
let owner; // API client signed in as the owner
let org;
let host;
let app;
let dir;
let key;
const sshClients = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "flamingo-walkthrough-"));
  edge = await startEdge();
  browser = await launchBrowser();
  app = createServer((_req, res) => res.end("hello"));
  await new Promise((ok) => app.listen(0, "127.0.0.1", ok));
});

after(async () => {
  for (const child of sshClients) child.kill("SIGTERM");
  await browser?.close();
  await host?.stop();
  app?.close();
  await edge?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Waits two frames, so anything a render would add (a toast) is in the DOM. */
async function settled(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * Fails unless `text` is on the page exactly once, no toast says it too, and
 * `focusTarget` (the message itself, or the field it is about) has focus.
 */
async function assertErrorOnce(page, text, focusTarget, what) {
  await page.getByText(text, { exact: true }).first().waitFor();
  await settled(page);
  assert.equal(await page.getByText(text).count(), 1, `${what}: "${text}" appears once`);
  assert.equal(await page.locator("[data-sonner-toast]", { hasText: text }).count(), 0, `${what}: no toast repeats it`);
  assert.equal(await focusTarget.evaluate((el) => el === document.activeElement), true, `${what}: focus is on it`);
}

/** Fails unless `locator` lies wholly inside the viewport and a click at its centre hits it; returns that centre. */
async function assertInViewport(page, locator, what) {
  await locator.waitFor();
  const box = await locator.boundingBox();
  const { width, height } = page.viewportSize();
  assert.ok(box, `${what} has a box`);
  assert.ok(
    box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height,
    `${what} lies inside the ${width}x${height} viewport without scrolling: ${JSON.stringify(box)}`,
  );
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const hit = await locator.evaluate((el, { x, y }) => {
    const top = document.elementFromPoint(x, y);
    return top !== null && (top === el || el.contains(top));
  }, centre);
  assert.ok(hit, `${what} is not covered by anything`);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, "no page-wide sideways scroll");
  return centre;
}

/** `ssh -N -R <name>:80:...` to the tunnel host, to the little local web app. */
function sshTunnel(name) {
  const child = spawn(
    "ssh",
    [
      "-N", "-R", `${name}:80:127.0.0.1:${app.address().port}`,
      "-p", String(host.ports.ssh), "-i", key.path,
      "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "StrictHostKeyChecking=no",
      "-o", "UserKnownHostsFile=/dev/null", "-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes",
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

/** A browser page at the combo's size and scheme, signed in as the owner unless `signedOut`. */
async function openAs(combo, { signedOut = false } = {}) {
  const tab = await openPage(browser, edge.url, { colorScheme: combo.scheme });
  await tab.page.setViewportSize({ width: combo.width, height: combo.height });
  if (!signedOut) {
    const [name, value] = owner.cookie.split("=");
    await tab.context.addCookies([{ name, value, url: edge.url }]);
  }
  return tab;
}

test("the first-run start asks GET /api/setup and GET /api/auth/me once each, then sets up", STEP, async () => {
  const tab = await openPage(browser, edge.url);
  const { page } = tab;
  const asked = [];
  page.on("request", (request) => {
    const { pathname } = new URL(request.url());
    if (request.method() === "GET" && (pathname === "/api/setup" || pathname === "/api/auth/me")) asked.push(pathname);
  });
  const count = (path) => asked.filter((p) => p === path).length;
  try {
    // Each start is a fresh load of the app; each asks each question at most once.
    for (const start of ["/", "/login", "/setup"]) {
      asked.length = 0;
      await page.goto(start);
      await page.waitForURL("**/setup");
      await page.getByRole("heading", { level: 1, name: "Set up Flamingo" }).waitFor();
      await page.waitForLoadState("networkidle");
      assert.equal(count("/api/setup"), 1, `GET /api/setup asked once from ${start}: ${JSON.stringify(asked)}`);
      assert.equal(count("/api/auth/me"), start === "/setup" ? 0 : 1, `GET /api/auth/me asked once from ${start}: ${JSON.stringify(asked)}`);
    }
    await assertAccessible(page, "setup");

    await page.getByLabel("Your name", { exact: true }).fill(OWNER.name);
    await page.getByLabel("Email", { exact: true }).fill(OWNER.email);
    await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
    await page.getByLabel("Organization name", { exact: true }).fill(OWNER.organization);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    org = new URL(page.url()).pathname.split("/")[2];
    tab.assertClean();
  } finally {
    await tab.context.close();
  }

  // The rest of the stage, through the API: a tunnel host on a non-default
  // port, the owner's SSH key, and a name someone holds.
  owner = client(edge.url, { ip: "198.51.100.60" });
  const login = await owner.post("/api/auth/login", { email: OWNER.email, password: OWNER.password });
  assert.equal(login.status, 200, JSON.stringify(login.json));
  const created = await owner.post(`/api/orgs/${org}/tunnel-hosts`, { name: "local" });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  host = await startTunnelHost({
    args: ["--edge", edge.url, "--enroll", created.json.enrollment_token, "--public-ssh-host", "127.0.0.1"],
  });
  assert.notEqual(host.ports.ssh, 2222);
  await waitFor(async () => (await owner.get(`/api/orgs/${org}/tunnel-hosts`)).json[0]?.ssh_port === host.ports.ssh, {
    timeoutMs: 30_000, what: "the host's ssh address listed", child: host.child,
  });
  const path = join(dir, "ada");
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "ada@laptop", "-f", path]);
  key = { path, public: (await readFile(`${path}.pub`, "utf8")).trim() };
  assert.equal((await owner.post("/api/me/ssh-keys", { name: "laptop", public_key: key.public })).status, 201);
  assert.equal((await owner.post(`/api/orgs/${org}/tunnel-names`, { name: "taken" })).status, 201);
});

for (const combo of COMBOS) {
  const at = `${combo.width}x${combo.height} ${combo.scheme}`;
  describe(`the walk at ${at}`, () => {
    let tab;
    let page;
    const tunnel = `${combo.size}-${combo.scheme}`;

    before(async () => {
      tab = await openAs(combo);
      page = tab.page;
    });

    after(async () => {
      await tab?.context.close();
    });

    test("the Tunnels page shows the command with the host's real port", STEP, async () => {
      await page.goto(`/o/${org}/tunnels`);
      await page.getByRole("heading", { level: 2, name: "Open a tunnel" }).waitFor();
      const command = page.getByLabel("HTTP tunnel on local", { exact: true });
      assert.equal(await command.inputValue(), `ssh -R ada:80:localhost:3000 -p ${host.ports.ssh} 127.0.0.1`);
      assert.equal(
        await page.getByLabel("TCP tunnel on local", { exact: true }).inputValue(),
        `ssh -R 0:localhost:5432 -p ${host.ports.ssh} 127.0.0.1`,
      );
      await assertAccessible(page, `the tunnels page at ${at}`);

      // Switching the theme paints every colour at once: nothing fades from
      // one theme's colours to the other's (half-way, text fails contrast).
      for (const scheme of [combo.scheme === "light" ? "dark" : "light", combo.scheme]) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.waitForFunction((dark) => document.documentElement.classList.contains("dark") === dark, scheme === "dark");
        await settled(page);
        const fading = await page.evaluate(() =>
          document.getAnimations().filter((a) => a instanceof CSSTransition).map((a) => `${a.effect?.target?.tagName} ${a.transitionProperty}`),
        );
        assert.deepEqual(fading, [], `nothing fades when the theme turns ${scheme} at ${at}`);
      }
      tab.assertClean();
    });

    test("a taken name is said once, beside the name, with focus on it", STEP, async () => {
      await page.goto(`/o/${org}/tunnels/names`);
      const form = page.getByRole("form", { name: "Reserve a name" });
      const name = form.getByLabel("Name", { exact: true });
      await name.fill("taken");
      await form.getByRole("button", { name: "Reserve" }).click();
      await assertErrorOnce(page, TAKEN, name, `reserving a taken name at ${at}`);
      assert.equal(await name.getAttribute("aria-invalid"), "true");
      await assertAccessible(page, `the taken-name error at ${at}`);
      tab.assertClean();
    });

    test("a key already registered is said once, beside the key, with focus on it", STEP, async () => {
      await page.goto(`/o/${org}/settings/ssh-keys`);
      await page.getByRole("button", { name: "Add SSH key" }).click();
      const dialog = page.getByRole("dialog");
      const publicKey = dialog.getByLabel("Public key", { exact: true });
      await publicKey.fill(key.public);
      await dialog.getByRole("button", { name: "Add key" }).click();
      await assertErrorOnce(page, KEY_IN_USE, publicKey, `adding a registered key at ${at}`);
      await assertAccessible(page, `the key-in-use error at ${at}`);
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      tab.assertClean();
    });

    test("Kick is inside the viewport and clicked where it is", STEP, async () => {
      const ssh = sshTunnel(tunnel);
      // On a failure, the tunnel host's log says why a forward was refused; `ssh -N` cannot.
      const both = {
        get exitCode() { return ssh.exitCode; },
        output: () => {
          const hostTail = (host.child.output?.() ?? "").trimEnd().split("\n").slice(-20).join("\n");
          return `--- the tunnel host ---\n${hostTail}\n--- ssh ---\n${ssh.output()}`;
        },
      };
      await waitFor(async () => (await owner.get(`/api/orgs/${org}/tunnels`)).json.some((t) => t.name === tunnel), {
        timeoutMs: 30_000, what: `tunnel ${tunnel} listed`, child: both,
      });
      await page.goto(`/o/${org}/tunnels`);
      const url = page.getByRole("link", { name: new RegExp(`^http://${tunnel}\\.`) });
      await url.waitFor();
      const kick = page.getByRole("button", { name: `Kick ${tunnel}` });
      const centre = await assertInViewport(page, kick, `Kick at ${at}`);
      // The live request counter is a column at 1280 px, beside the sidebar (phones list it in the stacked row).
      if (combo.size === "wide") {
        const headers = (await page.getByRole("columnheader").allTextContents()).map((h) => h.trim());
        assert.ok(headers.includes("Requests"), `a Requests column at ${at} among ${headers.join(", ")}`);
      }
      await assertAccessible(page, `an open tunnel at ${at}`);
      if (combo.scheme === "light") await screenshots(page, combo.size === "phone" ? "walkthrough-tunnels-phone" : "walkthrough-tunnels");

      await page.mouse.click(centre.x, centre.y);
      const dialog = page.getByRole("alertdialog");
      await dialog.getByRole("button", { name: "Kick tunnel" }).waitFor();
      await assertAccessible(page, `the kick confirmation at ${at}`);
      await dialog.getByRole("button", { name: "Kick tunnel" }).click();
      await dialog.waitFor({ state: "detached" });
      await url.waitFor({ state: "detached", timeout: 30_000 });
      await waitFor(async () => !(await owner.get(`/api/orgs/${org}/tunnels`)).json.some((t) => t.name === tunnel), {
        what: `${tunnel} unlisted after the kick`,
      });
      tab.assertClean();
    });

    test("a wrong password is said once, with focus on it", STEP, async () => {
      const signedOut = await openAs(combo, { signedOut: true });
      try {
        const { page: login } = signedOut;
        await login.goto("/login");
        await login.getByLabel("Email", { exact: true }).fill(OWNER.email);
        await login.getByLabel("Password", { exact: true }).fill("not the password");
        await login.getByRole("button", { name: "Sign in" }).click();
        const alert = login.getByRole("alert").filter({ hasText: WRONG });
        await assertErrorOnce(login, WRONG, alert, `a wrong password at ${at}`);
        await assertAccessible(login, `the sign-in error at ${at}`);
        if (combo.size === "phone" && combo.scheme === "light") await screenshots(login, "walkthrough-sign-in-error-phone");
        signedOut.assertClean();
      } finally {
        await signedOut.context.close();
      }
    });
  });
}

test("a tunnel host over the limit is said once, in the dialog, with focus on it", STEP, async () => {
  // Fill the organization up to its 100 hosts, through the API.
  const listed = (await owner.get(`/api/orgs/${org}/tunnel-hosts`)).json.length;
  for (let i = listed; i < 100; i++)
    assert.equal((await owner.post(`/api/orgs/${org}/tunnel-hosts`, { name: `spare-${i}` })).status, 201);
  for (const combo of [COMBOS[0], COMBOS[3]]) {
    const at = `${combo.width}x${combo.height} ${combo.scheme}`;
    const tab = await openAs(combo);
    try {
      const { page } = tab;
      await page.goto(`/o/${org}/tunnels/hosts`);
      await page.getByRole("button", { name: "Add tunnel host" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Name", { exact: true }).fill("one-too-many");
      await dialog.getByRole("button", { name: "Add host" }).click();
      const message = "An organization may have 100 tunnel hosts.";
      await assertErrorOnce(page, message, dialog.getByRole("alert"), `a host over the limit at ${at}`);
      await assertAccessible(page, `the host-limit error at ${at}`);
      tab.assertClean();
    } finally {
      await tab.context.close();
    }
  }
});
