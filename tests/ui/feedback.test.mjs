// Feedback reads once, in words (issue 12, item 4), in a real browser against
// the real stack: a failed sign-in shows one message with focus on it and no
// toast, a malformed email is never sent, a wrong two-factor code shows one
// message, setup steps are in the page, the success toast passes AA contrast
// in the light theme, and audit entries read as sentences, filtered by
// plain words. Screenshot: sign-in-error (light and dark).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { d1, startEdge } from "../lib/stack.mjs";
import { launchBrowser, openPage, screenshots, totp } from "../lib/browser.mjs";

const OWNER = { name: "Ada Lovelace", email: "ada@example.com", password: "correct horse battery", org: "Ada Lab" };
const STEP = { timeout: 120_000 };
const WRONG = "Wrong email or password.";

let edge;
let browser;
let session; // { page, assertClean, ... }
let org;
let orgId;
let totpSecret;
const loginRequests = [];

before(async () => {
  browser = await launchBrowser();
  edge = await startEdge();
  session = await openPage(browser, edge.url);
  session.page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/auth/login") loginRequests.push(request.postDataJSON());
  });
  // First run through the API, so this file starts at the sign-in page.
  await session.page.goto("/login");
  const me = await session.page.evaluate(async (owner) => {
    const response = await fetch("/api/setup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: owner.name, email: owner.email, password: owner.password, organization: owner.org }),
    });
    return response.json();
  }, OWNER);
  org = me.memberships[0].slug;
  orgId = me.memberships[0].org_id;
  await session.context.clearCookies();
});

after(async () => {
  await browser?.close();
  await edge?.stop();
});

/** Waits two frames, so anything a render would add (a toast) is in the DOM. */
async function settled(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** What has focus: its role, tag and text. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase(), role: el?.getAttribute("role"), name: el?.getAttribute("name"), text: el?.textContent?.trim() };
  });
}

async function fillCredentials(page, email, password) {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** WCAG contrast of two `rgb(...)` colours as getComputedStyle reports them. */
function contrast(a, b) {
  const luminance = (css) => {
    const [r, g, bl] = css.match(/[\d.]+/g).slice(0, 3).map(Number);
    const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(bl);
  };
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

test("a wrong password shows one message, focused, and no toast", STEP, async () => {
  const { page } = session;
  await page.goto("/login");
  await page.getByRole("heading", { level: 1, name: "Sign in to Flamingo" }).waitFor();
  const before = loginRequests.length;
  await fillCredentials(page, OWNER.email, "not the password");

  const alert = page.getByRole("alert").filter({ hasText: WRONG });
  await alert.waitFor();
  await settled(page);
  assert.equal(loginRequests.length, before + 1);
  assert.equal(await page.getByText(WRONG).count(), 1, "the message appears once");
  assert.equal(await page.locator("[data-sonner-toast]").count(), 0, "no toast repeats it");
  assert.deepEqual(await focused(page), { tag: "p", role: "alert", name: null, text: WRONG });
  await screenshots(page, "sign-in-error");

  // Failing again moves focus back to the (still single) message.
  await page.getByLabel("Password", { exact: true }).fill("still not it");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForFunction(() => document.activeElement?.getAttribute("role") === "alert");
  assert.equal(loginRequests.length, before + 2);
  assert.equal(await page.getByText(WRONG).count(), 1);
  session.assertClean();
});

test("a malformed email is never sent", STEP, async () => {
  const { page } = session;
  await page.goto("/login");
  const before = loginRequests.length;
  await fillCredentials(page, "notanemail", OWNER.password);
  await page.getByText("Enter an email address like ada@example.com.").waitFor();
  await settled(page);
  assert.equal(loginRequests.length, before, "nothing reached /api/auth/login");
  assert.equal((await focused(page)).name, "email");
  session.assertClean();
});

test("setup steps are in the page and the success toast passes AA in light", STEP, async () => {
  const { page } = session;
  await fillCredentials(page, OWNER.email, OWNER.password);
  await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();

  // The sign-in toast, in the light theme: text against its own background.
  const toast = page.locator("[data-sonner-toast][data-type=success]").first();
  await toast.waitFor();
  const colours = await toast.evaluate((el) => {
    const style = getComputedStyle(el);
    const title = el.querySelector("[data-title]");
    return { bg: style.backgroundColor, text: style.color, title: title ? getComputedStyle(title).color : style.color };
  });
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains("dark")), false);
  for (const colour of [colours.text, colours.title]) {
    const ratio = contrast(colour, colours.bg);
    assert.ok(ratio >= 4.5, `toast text ${colour} on ${colours.bg} is ${ratio.toFixed(2)}:1`);
  }

  await page.goto(`/o/${org}/settings/two-factor`);
  await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  const steps = page.getByRole("heading", { name: "Scan the QR code with your authenticator app" });
  await steps.waitFor();
  await page.getByRole("list", { name: "Setup steps" }).waitFor();
  await settled(page);
  assert.equal(await page.locator("[data-sonner-toast]").filter({ hasText: "Scan the QR code" }).count(), 0);
  assert.equal((await focused(page)).text, "Scan the QR code with your authenticator app");
  totpSecret = await page.getByLabel("Setup key", { exact: true }).inputValue();
  await page.getByLabel("Code from the app", { exact: true }).fill(totp(totpSecret));
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await page.getByRole("list", { name: "Recovery codes" }).waitFor();
  await page.getByRole("button", { name: "I have saved them" }).click();
  session.assertClean();
});

test("a wrong two-factor code shows one message, focused", STEP, async () => {
  const { page } = session;
  await session.context.clearCookies();
  await page.goto("/login");
  await fillCredentials(page, OWNER.email, OWNER.password);
  const code = page.getByLabel("Authentication code", { exact: true });
  await code.waitFor();
  // A code no nearby time step gives.
  const near = [-60_000, -30_000, 0, 30_000, 60_000].map((d) => totp(totpSecret, Date.now() + d));
  const wrong = ["111111", "222222", "333333", "444444", "555555", "666666"].find((c) => !near.includes(c));
  await code.fill(wrong);
  const before = loginRequests.length;
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  const message = "That code is not valid. Check your app's clock and try again.";
  await page.getByText(message).waitFor();
  await settled(page);
  assert.equal(loginRequests.length, before + 1);
  assert.equal(await page.getByText(message).count(), 1);
  assert.equal(await page.getByText(/Some fields are invalid|That code is not valid\.$/).count(), 0);
  assert.equal(await page.locator("[data-sonner-toast]").count(), 0, "no toast repeats it");
  assert.equal((await focused(page)).name, "totp");

  await code.fill(totp(totpSecret, Date.now() + 30_000));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
  session.assertClean();
});

test("audit entries read as sentences and filter by plain words", STEP, async () => {
  const { page } = session;
  // Entries for the tunnel actions that showed raw codes (their flows need a tunnel host).
  const me = await page.evaluate(async () => (await fetch("/api/auth/me")).json());
  const rows = [
    ["tunnel.kick", "tunnel", { name: "myapp", host_id: "h1", host: "vps-1" }],
    ["tunnel_host.create", "tunnel_host", { name: "edge-1", enrollment_expires_at: "2026-12-01T10:00:00.000Z" }],
    ["tunnel_name.reserve", "tunnel_name", { name: "docs", user_id: me.user.id, user: OWNER.name }],
  ];
  const values = rows
    .map(([action, type, metadata], i) =>
      `('${crypto.randomUUID()}', '${orgId}', '${me.user.id}', '${OWNER.name}', '${action}', '${type}', 'x', ` +
      `'${JSON.stringify(metadata)}', '127.0.0.1', '${new Date(Date.now() + i).toISOString()}')`,
    )
    .join(", ");
  await d1(edge, `INSERT INTO audit_log (id, org_id, actor_id, actor_name, action, resource_type, resource_id, metadata, ip, created_at) VALUES ${values}`);

  const sentences = [
    `${OWNER.name} kicked the tunnel myapp on vps-1.`,
    `${OWNER.name} added the tunnel host edge-1.`,
    `${OWNER.name} reserved the tunnel name docs for ${OWNER.name}.`,
    `${OWNER.name} set up Flamingo with the organization ${OWNER.org}.`,
  ];
  await page.goto(`/o/${org}`);
  const activity = page.getByRole("list", { name: "Recent activity" });
  await activity.getByText(sentences[0]).waitFor();
  const items = (await activity.getByRole("listitem").allInnerTexts()).map((t) => t.split("\n")[0].trim());
  for (const sentence of sentences) assert.ok(items.includes(sentence), `recent activity reads "${sentence}": ${items.join(" | ")}`);
  for (const item of items)
    for (const code of ["tunnel.kick", "tunnel_host.create", "tunnel_name.reserve", "instance.setup", "totp.enable"])
      assert.ok(!item.includes(code), `no raw action in "${item}"`);

  await page.goto(`/o/${org}/audit-log`);
  await page.getByText(/^Showing 1–\d+ of \d+ entries$/).waitFor();
  await page.getByRole("cell", { name: "kicked the tunnel myapp on vps-1" }).waitFor();
  await page.getByRole("cell", { name: "added the tunnel host edge-1" }).waitFor();
  // Who: name and email, so namesakes differ.
  assert.ok((await page.getByRole("cell").filter({ hasText: OWNER.name }).filter({ hasText: OWNER.email }).count()) > 0);
  // Details are readable whole: nothing cut off, nothing left to a hover.
  const cut = await page.locator("tbody td").evaluateAll((cells) =>
    cells.filter((c) => c.getClientRects().length > 0 && (c.scrollWidth > c.clientWidth + 1 || c.hasAttribute("title"))).length,
  );
  assert.equal(cut, 0, "no audit cell is truncated or needs a hover");

  await page.getByLabel("Action", { exact: true }).fill("kicked tunnel");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL(/action=kicked/);
  await page.getByText(/^Showing 1–1 of 1 entry$/).waitFor();
  assert.deepEqual(await page.getByRole("table").locator("tbody code").allInnerTexts(), ["tunnel.kick"]);

  await page.getByLabel("Action", { exact: true }).fill("zebra");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByText(/No action matches these words/).waitFor();
  assert.equal((await focused(page)).name, "action");
  session.assertClean();
});
