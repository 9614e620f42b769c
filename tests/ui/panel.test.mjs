// The web app in a real browser against the real stack (`wrangler dev`):
// first run, signing out and in, two-factor sign-in, inviting a viewer who
// joins from another browser, the audit log, settings, and the theme without
// a flash. Every page must stay free of console errors and of
// Content-Security-Policy violations, and pass axe-core (light and dark)
// wherever a screenshot is taken. Screenshots of the main pages, light and
// dark, go to $SCREENSHOT_DIR.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "../lib/stack.mjs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { assertAccessible, launchBrowser, openPage, screenshotDir, screenshots, totp } from "../lib/browser.mjs";

const OWNER = { name: "Ada Lovelace", email: "ada@example.com", password: "correct horse battery", org: "Ada Lab" };
const VIEWER = { name: "Vic Viewer", email: "vic@example.com", password: "viewer horse battery" };
const STEP = { timeout: 120_000 };

let edge;
let browser;
let owner; // the owner's browser context: { page, assertClean, ... }
let org; // the organization's slug
let totpSecret;

before(async () => {
  browser = await launchBrowser();
  edge = await startEdge();
  owner = await openPage(browser, edge.url);
});

after(async () => {
  await browser?.close();
  // The server's last words, for when a step failed.
  if (edge) await writeFile(join(screenshotDir(), "..", "ui-wrangler.log"), edge.child.output()).catch(() => {});
  await edge?.stop();
});

/** Signs in through the form; `code` answers the two-factor step when asked. */
async function signIn(page, { email, password }, code, landing = "Dashboard") {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (code) {
    await page.getByLabel("Authentication code", { exact: true }).fill(code());
    await page.getByRole("button", { name: "Verify and sign in" }).click();
  }
  await page.getByRole("heading", { level: 1, name: landing }).waitFor();
}

async function signOut(page, name) {
  await page.getByRole("button", { name: `Account: ${name}` }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await page.getByRole("heading", { level: 1, name: "Sign in to Flamingo" }).waitFor();
}

test("first-run setup creates the owner and lands on the dashboard", STEP, async () => {
  const { page } = owner;
  await page.goto("/");
  await page.waitForURL("**/setup");
  await page.getByRole("heading", { level: 1, name: "Set up Flamingo" }).waitFor();

  // Checked in the browser first: nothing is sent with a short password.
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText("Use at least 12 characters.").waitFor();
  await screenshots(page, "setup");
  await assertAccessible(page, "setup");

  await page.getByLabel("Your name", { exact: true }).fill(OWNER.name);
  await page.getByLabel("Email", { exact: true }).fill(OWNER.email);
  await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
  await page.getByLabel("Organization name", { exact: true }).fill(OWNER.org);
  await page.getByRole("button", { name: "Create account" }).click();

  await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
  org = new URL(page.url()).pathname.split("/")[2];
  assert.equal(org, "ada-lab");
  await assertStat(page, "Your role", "Owner");
  await assertStat(page, "Members", "1");
  await assertStat(page, "Pending invitations", "0");
  await page.getByRole("list", { name: "Recent activity" }).getByText("set up Flamingo").waitFor();
  await page.getByText("All systems operational").waitFor();
  await screenshots(page, "dashboard");
  await assertAccessible(page, "dashboard");

  // Setup is gone for good.
  await page.goto("/setup");
  await page.waitForURL(`**/o/${org}`);
  owner.assertClean();
});

test("signing out and in again", STEP, async () => {
  const { page } = owner;
  await signOut(page, OWNER.name);
  await page.getByLabel("Email", { exact: true }).fill(OWNER.email);
  await page.getByLabel("Password", { exact: true }).fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: /email or password/i }).waitFor();
  await screenshots(page, "login");
  await assertAccessible(page, "login");

  // A signed-out visit to a deep link comes back there after signing in.
  await page.goto(`/o/${org}/audit-log`);
  await page.waitForURL(/\/login\?redirect=/);
  await signIn(page, OWNER, undefined, "Audit log");
  assert.equal(new URL(page.url()).pathname, `/o/${org}/audit-log`);
  owner.assertClean();
});

test("turning on two-factor sign-in, then signing in with a code", STEP, async () => {
  const { page } = owner;
  await page.goto(`/o/${org}/settings/two-factor`);
  await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  await page.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
  totpSecret = await page.getByLabel("Setup key", { exact: true }).inputValue();
  assert.match(totpSecret, /^[A-Z2-7]+=*$/);

  await page.getByLabel("Code from the app", { exact: true }).fill(totp(totpSecret));
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await codes.first().waitFor();
  assert.equal(await codes.count(), 10);
  await screenshots(page, "settings-two-factor-codes");
  await assertAccessible(page, "settings-two-factor-codes");
  await page.getByRole("button", { name: "I have saved them" }).click();
  await page.getByRole("button", { name: "Make new recovery codes" }).waitFor();
  await screenshots(page, "settings-two-factor");
  await assertAccessible(page, "settings-two-factor");

  await signOut(page, OWNER.name);
  // The enabling code's step is used up; the next step's code is accepted (one step of skew).
  await signIn(page, OWNER, () => totp(totpSecret, Date.now() + 30_000));
  owner.assertClean();
});

test("a viewer joins by invitation and cannot invite", STEP, async () => {
  const { page } = owner;
  await page.goto(`/o/${org}/organization/invitations`);
  await page.getByText("No pending invitations").waitFor();
  await page.getByRole("button", { name: "Invite people" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("combobox", { name: "Role" }).waitFor();
  assert.match(await dialog.getByRole("combobox", { name: "Role" }).innerText(), /Viewer/);
  await dialog.getByRole("button", { name: "Create invitation link" }).click();
  const link = await dialog.getByLabel("Invitation link", { exact: true }).inputValue();
  assert.match(link, new RegExp(`^${edge.url}/join/[^/]+$`));
  // The link is the credential, and the dialog says so.
  await dialog.getByText("Anyone with this link can join as viewer until it expires or is used; send it privately.").waitFor();
  await screenshots(page, "invitation-link");
  await assertAccessible(page, "invitation-link");
  await dialog.getByRole("button", { name: "Done" }).click();
  await page.getByRole("cell", { name: /^No note\b/ }).waitFor();
  await screenshots(page, "invitations");
  await assertAccessible(page, "invitations");

  // The owner watches the dashboard while the viewer opens the link in a
  // browser of their own.
  await page.goto(`/o/${org}`);
  const activity = page.getByRole("list", { name: "Recent activity" });
  await activity.getByText("set up Flamingo").waitFor();
  const viewer = await openPage(browser, edge.url);
  try {
    await viewer.page.goto(link);
    await viewer.page.getByText(`You are invited to join ${OWNER.org} as viewer.`).waitFor();
    await screenshots(viewer.page, "join");
    await assertAccessible(viewer.page, "join");
    await viewer.page.getByLabel("Your name", { exact: true }).fill(VIEWER.name);
    await viewer.page.getByLabel("Email", { exact: true }).fill(VIEWER.email);
    await viewer.page.getByLabel("Password", { exact: true }).fill(VIEWER.password);
    await viewer.page.getByRole("button", { name: "Create account and join" }).click();
    await viewer.page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    assert.equal(new URL(viewer.page.url()).pathname, `/o/${org}`);
    await assertStat(viewer.page, "Your role", "Viewer");
    // The join reaches the owner's open dashboard live, without a reload.
    await activity.getByText(`${VIEWER.name} joined`).waitFor({ timeout: 15_000 });

    // The controls say no...
    await viewer.page.goto(`/o/${org}/organization/invitations`);
    const invite = viewer.page.getByRole("button", { name: "Invite people" });
    await invite.waitFor();
    assert.equal(await invite.isDisabled(), true, "a viewer's invite button is disabled");
    await viewer.page.getByText("Only owners and admins can manage members and invitations.").first().waitFor();
    await viewer.page.goto(`/o/${org}/organization/members`);
    const roleSelect = viewer.page.getByRole("combobox", { name: `Role of ${VIEWER.name}` });
    await roleSelect.waitFor();
    assert.equal(await roleSelect.isDisabled(), true, "a viewer cannot change roles");
    assert.equal(await viewer.page.getByRole("button", { name: /^Remove / }).count(), 0);
    await screenshots(viewer.page, "members-as-viewer");
    await assertAccessible(viewer.page, "members-as-viewer");

    // ...and so does the server, when asked directly with the viewer's session.
    const forced = await viewer.page.evaluate(async (slug) => {
      const response = await fetch(`/api/orgs/${slug}/invitations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ role: "viewer" }),
      });
      return { status: response.status, body: await response.json() };
    }, org);
    assert.equal(forced.status, 403);
    assert.equal(forced.body.error.code, "forbidden");
    viewer.assertClean();
  } finally {
    await viewer.context.close();
  }

  // The owner sees the new member; the used invitation is gone.
  await page.goto(`/o/${org}/organization/members`);
  await page.getByRole("cell", { name: `${VIEWER.name} ${VIEWER.email}` }).waitFor();
  assert.equal(await page.getByRole("combobox", { name: `Role of ${VIEWER.name}` }).isEnabled(), true);
  assert.equal(await page.getByRole("combobox", { name: `Role of ${OWNER.name}` }).isDisabled(), true);
  await screenshots(page, "members");
  await assertAccessible(page, "members");
  owner.assertClean();
});

test("the audit log filters by action and pages", STEP, async () => {
  const { page } = owner;
  await page.goto(`/o/${org}/audit-log`);
  const rows = page.getByRole("table").getByRole("row");
  await page.getByText(/^Showing 1–\d+ of \d+ entries$/).waitFor();
  await screenshots(page, "audit");
  await assertAccessible(page, "audit");

  await page.getByLabel("Action", { exact: true }).fill("member");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL(/action=member/);
  await page.getByText(/^Showing 1–2 of 2 entries$/).waitFor();
  const actions = await page.getByRole("table").locator("tbody code").allInnerTexts();
  assert.deepEqual(actions.sort(), ["member.invite", "member.join"]);
  assert.equal(await rows.count(), 3, "a header row and two entries");
  owner.assertClean();
});

test("settings pages: profile, password, sessions and API keys", STEP, async () => {
  const { page } = owner;
  await page.goto(`/o/${org}/settings/profile`);
  await page.getByLabel("Name", { exact: true }).waitFor();
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), OWNER.name);
  await screenshots(page, "settings-profile");
  await assertAccessible(page, "settings-profile");
  // A new email asks for the current password; without it nothing is sent.
  await page.getByLabel("Email", { exact: true }).fill("ada@lab.example");
  await page.getByLabel("Current password", { exact: true }).waitFor();
  await page.getByRole("button", { name: "Save profile" }).click();
  await page.getByText("Enter your current password to change your email.").waitFor();
  await page.getByLabel("Email", { exact: true }).fill(OWNER.email);
  await page.getByLabel("Current password", { exact: true }).waitFor({ state: "detached" });

  await page.getByRole("link", { name: "Password" }).click();
  await page.getByLabel("Current password", { exact: true }).waitFor();
  assert.equal(await page.getByRole("checkbox", { name: "Also revoke all my API keys" }).isChecked(), true);
  await screenshots(page, "settings-password");
  await assertAccessible(page, "settings-password");

  await page.getByRole("link", { name: "Sessions" }).click();
  await page.getByText("This browser").waitFor();
  await screenshots(page, "settings-sessions");
  await assertAccessible(page, "settings-sessions");

  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByText("No API keys").waitFor();
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Deploy script");
  await page.getByLabel("Your password", { exact: true }).fill(OWNER.password);
  await page.getByRole("button", { name: "Create key" }).click();
  const token = await page.getByLabel("API key token", { exact: true }).inputValue();
  assert.match(token, /^flm_/);
  await page.getByRole("button", { name: "Done" }).click();
  await page.getByRole("cell", { name: "Deploy script", exact: true }).waitFor();
  await screenshots(page, "settings-api-keys");
  await assertAccessible(page, "settings-api-keys");
  owner.assertClean();
});

test("tunnels pages: hosts, open tunnels, reserved names and SSH keys", STEP, async () => {
  const { page } = owner;
  await page.goto(`/o/${org}/tunnels`);
  await page.getByText("No open tunnels", { exact: true }).waitFor();
  await screenshots(page, "tunnels-empty");
  await assertAccessible(page, "tunnels-empty");

  await page.getByRole("navigation", { name: "Tunnels" }).getByRole("link", { name: "Hosts" }).click();
  await page.getByText("No tunnel hosts", { exact: true }).waitFor();
  await page.getByRole("button", { name: "Add tunnel host" }).click();
  await page.getByLabel("Name", { exact: true }).fill("eu-1");
  await page.getByRole("button", { name: "Add host" }).click();
  const command = await page.getByLabel("Enrollment command", { exact: true }).inputValue();
  assert.match(command, /^tunnel-host --edge http\S+ --enroll \S+$/);
  await screenshots(page, "tunnel-host-enroll");
  await assertAccessible(page, "tunnel-host-enroll");
  await page.getByRole("button", { name: "Done" }).click();
  await page.getByRole("cell", { name: "eu-1", exact: true }).waitFor();
  await page.getByText("Pending enrollment", { exact: true }).waitFor();
  await screenshots(page, "tunnel-hosts");
  await assertAccessible(page, "tunnel-hosts");

  await page.getByRole("navigation", { name: "Tunnels" }).getByRole("link", { name: "Reserved names" }).click();
  await page.getByLabel("Name", { exact: true }).fill("panel-demo");
  await page.getByRole("button", { name: "Reserve", exact: true }).click();
  await page.getByRole("cell", { name: "panel-demo", exact: true }).waitFor();
  await screenshots(page, "tunnel-names");
  await assertAccessible(page, "tunnel-names");

  await page.goto(`/o/${org}/settings/ssh-keys`);
  await page.getByText("No SSH keys", { exact: true }).waitFor();
  await page.getByRole("button", { name: "Add SSH key" }).click();
  await page
    .getByLabel("Public key", { exact: true })
    .fill("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOewqmYZH88V7s9Lg4EQ8svuU809m9M5xnKk+2vFSu8Q ci@flamingo");
  await page.getByLabel("Name", { exact: true }).fill("Panel laptop");
  await page.getByRole("button", { name: "Add key" }).click();
  await page.getByRole("cell", { name: "Panel laptop", exact: true }).waitFor();
  await screenshots(page, "settings-ssh-keys");
  await assertAccessible(page, "settings-ssh-keys");

  await page.goto("/activate?code=bcdfghjk");
  assert.equal(await page.getByLabel("Code", { exact: true }).inputValue(), "BCDF-GHJK");
  await screenshots(page, "activate");
  await assertAccessible(page, "activate");
  owner.assertClean();
});

test("a chosen dark theme is painted before any app script runs", STEP, async () => {
  const { page } = owner;
  await page.goto(`/o/${org}`);
  await page.getByRole("button", { name: "Change theme" }).click();
  await page.getByRole("menuitemradio", { name: "Dark" }).click();
  await page.waitForFunction(() => document.documentElement.classList.contains("dark"));

  // After the page is parsed, before deferred and module scripts run, the
  // document is "interactive": only the blocking theme script in <head> has run.
  await page.addInitScript(() => {
    document.addEventListener("readystatechange", () => {
      if (document.readyState === "interactive") {
        window.__themeBeforeApp = {
          className: document.documentElement.className,
          colorScheme: document.documentElement.style.colorScheme,
          appStarted: document.getElementById("root")?.childElementCount ?? -1,
        };
      }
    });
  });
  await page.reload();
  await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
  const before = await page.evaluate(() => window.__themeBeforeApp);
  assert.deepEqual(before, { className: "dark", colorScheme: "dark", appStarted: 0 });
  owner.assertClean();

  // The first paint without any app script at all is dark too.
  const bare = await openPage(browser, edge.url, { colorScheme: "light" });
  try {
    await bare.page.addInitScript(() => localStorage.setItem("flamingo-theme", "dark"));
    await bare.page.route("**/assets/*.js", (route) => route.abort());
    await bare.page.goto("/login", { waitUntil: "load" });
    const painted = await bare.page.evaluate(() => ({
      dark: document.documentElement.classList.contains("dark"),
      background: getComputedStyle(document.body).backgroundColor,
    }));
    assert.equal(painted.dark, true);
    assert.notEqual(painted.background, "rgb(255, 255, 255)");
  } finally {
    await bare.context.close();
  }
});

test("the Content-Security-Policy is enforced, and its violations are caught", STEP, async () => {
  // Every page above ran under the policy with no violation (assertClean).
  // Here, that a violation would have been seen: an injected inline script
  // must not run, and must be reported.
  const probe = await openPage(browser, edge.url);
  try {
    await probe.page.goto("/login");
    await probe.page.getByRole("heading", { level: 1, name: "Sign in to Flamingo" }).waitFor();
    assert.deepEqual(probe.violations, [], "the page itself is clean");
    const ran = await probe.page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.__inlineRan = true";
      document.head.append(script);
      return window.__inlineRan === true;
    });
    assert.equal(ran, false, "an inline script does not run");
    const deadline = Date.now() + 5_000;
    while (probe.violations.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(probe.violations[0]?.directive ?? "", /^script-src/, JSON.stringify(probe.violations));
  } finally {
    await probe.context.close();
  }
});

async function assertStat(page, title, value) {
  const card = page.locator('[data-slot="card"]').filter({ has: page.getByRole("heading", { name: title, exact: true }) });
  await card.getByText(value, { exact: true }).waitFor();
}
