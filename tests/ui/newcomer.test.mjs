// What a newcomer notices first, in a real browser against the real stack
// (`wrangler dev`): the signed-out start asks who is signed in once and the
// app itself logs nothing for the API's expected 4xx answers; every page has
// its own tab title; sessions name the browser and "Sign out all other
// sessions" signs another browser out; a not-found page keeps the shell; a
// lost connection to the API says so and reconnects by itself.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "../lib/stack.mjs";
import { client } from "../lib/client.mjs";
import { launchBrowser, openPage, screenshots } from "../lib/browser.mjs";

const OWNER = { name: "Nia Newcomer", email: "nia@example.com", password: "correct horse battery", org: "Nia Lab" };
const ORG = "nia-lab";
const STEP = { timeout: 120_000 };
/** Chrome's own line for a failed HTTP answer, which no page can silence. */
const NETWORK_LINE = /^Failed to load resource: the server responded with a status of (\d{3})\b/;

let edge;
let browser;

before(async () => {
  browser = await launchBrowser();
  edge = await startEdge();
  const setup = await client(edge.url).post("/api/setup", {
    name: OWNER.name,
    email: OWNER.email,
    password: OWNER.password,
    organization: OWNER.org,
  });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
});

after(async () => {
  await browser?.close();
  await edge?.stop();
});

/** Every console message of `page`, unfiltered, as { type, text, url }. */
function recordConsole(page) {
  const messages = [];
  page.on("console", (m) => messages.push({ type: m.type(), text: m.text(), url: m.location()?.url ?? "" }));
  return messages;
}

async function signIn(page) {
  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill(OWNER.email);
  await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
}

test("the signed-out start asks /api/auth/me once, and expected 4xx answers log nothing of the app's", STEP, async () => {
  const visitor = await openPage(browser, edge.url);
  const { page } = visitor;
  const messages = recordConsole(page);
  const asked = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/api/auth/me") asked.push(r.method());
  });

  await page.goto("/");
  await page.getByRole("heading", { level: 1, name: "Sign in to Flamingo" }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/login");
  assert.deepEqual(asked, ["GET"], "one question, not one per redirect");

  // A wrong password (401) and a 409 (the same SSH key twice) once signed in.
  await page.getByLabel("Email", { exact: true }).fill(OWNER.email);
  await page.getByLabel("Password", { exact: true }).fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: /email or password/i }).first().waitFor();
  await signIn(page);
  const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl nia@laptop";
  await page.goto(`/o/${ORG}/settings/ssh-keys`);
  for (const expectation of ["added", "conflict"]) {
    await page.getByRole("button", { name: "Add SSH key" }).click();
    const dialog = page.getByRole("dialog", { name: "Add SSH key" });
    await dialog.getByLabel("Public key", { exact: true }).fill(key);
    // The name is filled in from the key's comment.
    assert.equal(await dialog.getByLabel("Name", { exact: true }).inputValue(), "nia@laptop");
    await dialog.getByRole("button", { name: "Add key" }).click();
    if (expectation === "added") await dialog.waitFor({ state: "hidden" });
    else {
      await dialog.getByText(/already/i).first().waitFor();
      await page.keyboard.press("Escape");
    }
  }

  const statuses = messages.filter((m) => m.type === "error").map((m) => {
    const network = NETWORK_LINE.exec(m.text);
    assert.ok(network && new URL(m.url).pathname.startsWith("/api/"), `the app logged: ${m.type} ${m.text} (${m.url})`);
    return Number(network[1]);
  });
  assert.ok(statuses.every((s) => [401, 409, 422].includes(s)), `unexpected answers: ${statuses}`);
  assert.ok(statuses.includes(409), "the conflict was answered");
  visitor.assertClean();
  await visitor.context.close();
});

test("each page has its own tab title", STEP, async () => {
  const owner = await openPage(browser, edge.url);
  const { page } = owner;
  await page.goto("/login");
  await page.waitForFunction(() => document.title === "Sign in · Flamingo");
  await signIn(page);
  await page.waitForFunction(() => document.title === "Dashboard · Flamingo");
  for (const [path, title] of [
    ["/tunnels", "Tunnels · Flamingo"],
    ["/tunnels/hosts", "Hosts · Tunnels · Flamingo"],
    ["/organization/members", "Members · Organization · Flamingo"],
    ["/organization/invitations", "Invitations · Organization · Flamingo"],
    ["/audit-log", "Audit log · Flamingo"],
    ["/settings/sessions", "Sessions · Settings · Flamingo"],
    ["/settings/api-keys", "API keys · Settings · Flamingo"],
  ]) {
    await page.goto(`/o/${ORG}${path}`);
    await page.waitForFunction((expected) => document.title === expected, title);
  }
  // The dashboard's cards lead to their pages.
  await page.goto(`/o/${ORG}`);
  await page.getByRole("link", { name: "Pending invitations" }).click();
  await page.waitForURL(`**/o/${ORG}/organization/invitations`);
  owner.assertClean();
  await owner.context.close();
});

test("sessions name the browser, and sign out all other sessions ends another browser's", STEP, async () => {
  const here = await openPage(browser, edge.url);
  const there = await openPage(browser, edge.url);
  await signIn(here.page);
  await signIn(there.page);

  await here.page.goto(`/o/${ORG}/settings/sessions`);
  const list = here.page.getByRole("list", { name: "Sessions" });
  await list.getByText("This browser").waitFor();
  // Headless Chromium on Linux, named from its user agent; curl-like clients by their product.
  const rows = list.getByRole("listitem");
  assert.ok((await rows.count()) >= 2);
  await list.getByText(/Chrome on Linux/).first().waitFor();
  await screenshots(here.page, "settings-sessions");

  await here.page.getByRole("button", { name: "Sign out all other sessions" }).click();
  const confirm = here.page.getByRole("alertdialog");
  await confirm.getByRole("button", { name: "Sign out other sessions" }).click();
  await here.page.getByText(/other sessions? ended/).first().waitFor();
  await here.page.waitForFunction(() => document.querySelectorAll('[aria-label="Sessions"] > li').length === 1);
  await here.page.getByRole("button", { name: "Sign out all other sessions" }).waitFor({ state: "detached" });

  // The other browser is signed out: its next page asks it to sign in.
  await there.page.goto(`/o/${ORG}/audit-log`);
  await there.page.getByRole("heading", { level: 1, name: "Sign in to Flamingo" }).waitFor();
  // And this one is not.
  await here.page.goto(`/o/${ORG}/audit-log`);
  await here.page.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
  here.assertClean();
  there.assertClean();
  await here.context.close();
  await there.context.close();
});

test("a not-found page keeps the shell", STEP, async () => {
  const owner = await openPage(browser, edge.url);
  const { page } = owner;
  await signIn(page);
  await page.goto(`/o/${ORG}/settings/nowhere`);
  await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
  await page.waitForFunction(() => document.title === "Page not found · Flamingo");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tunnels" }).waitFor();
  await page.getByRole("button", { name: `Account: ${OWNER.name}` }).waitFor();
  await page.getByRole("link", { name: "Go to the dashboard" }).click();
  await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
  owner.assertClean();
  await owner.context.close();
});

test("a lost connection to the API says so and reconnects by itself", STEP, async () => {
  const owner = await openPage(browser, edge.url);
  const { page } = owner;
  await signIn(page);

  // The API goes away: every request to it fails as a dropped network does.
  await page.route("**/api/**", (route) => route.abort("internetdisconnected"));
  await page.goto(`/o/${ORG}`);
  await page.getByRole("heading", { level: 1, name: "Can't reach Flamingo" }).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByText("Something went wrong").count(), 0);
  await page.getByRole("status").filter({ hasText: /Trying again in \d+ s/ }).waitFor();
  await screenshots(page, "connection-lost");

  // It comes back: the page recovers without a click.
  await page.unroute("**/api/**");
  await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor({ timeout: 30_000 });
  // Only the aborted requests' own lines, nothing else.
  const others = owner.problems.filter((p) => !/net::ERR_INTERNET_DISCONNECTED/.test(p));
  assert.deepEqual(others, []);
  await owner.context.close();
});
