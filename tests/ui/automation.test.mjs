// Schedules and webhooks in a real browser against `wrangler dev` and the
// Wings simulator (issue 16): a schedule made with two tasks on a server's
// Schedules tab (a cron expression with four fields refused by the form, one
// the server cannot parse refused under the field), run now with its run's
// outcome and each task's result shown, read by a viewer who gets no
// controls, and deleted after a confirmation; on Organization -> Webhooks a
// webhook added with its signing secret shown once, a delivery listed after
// an event, and a receiver answering 500 listed as failed after its retries.
// Every state passes axe (light and dark), stays free of console errors and
// CSP violations, and is screenshotted light and dark.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { assertAccessible, launchBrowser, openPage, screenshots } from "../lib/browser.mjs";
import { client } from "../lib/client.mjs";
import { startGameFixture } from "../lib/game-fixture.mjs";
import { startEdge, waitFor } from "../lib/stack.mjs";

const STEP = { timeout: 240_000 };
/** Retries a second apart, so a failing receiver shows failed within seconds. */
const RETRIES = [1, 1];
const VIEWER = { name: "Vera Viewer", email: "vera@example.com", password: "viewer horse battery" };
const SCHEDULE = "Hello twice";

let edge;
let game;
let browser;
let owner; // openPage's answer for the owner
let serverId;
const receivers = [];

/** An HTTP receiver on loopback answering `status`, keeping what it got. */
async function receiver(status) {
  const got = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    got.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "no");
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  receivers.push(server);
  return { got, url: `http://127.0.0.1:${server.address().port}/hook` };
}

before(async () => {
  edge = await startEdge({ vars: { WEBHOOK_RETRY_SECONDS: RETRIES.join(",") } });
  game = await startGameFixture({ edge });
  ({ id: serverId } = await game.createServer("scheduled"));
  assert.equal((await game.owner.post(game.api(`/servers/${serverId}/power`), { signal: "start" })).status, 202);
  await waitFor(() => game.sim.server(serverId)?.state === "running", { what: "the server running" });
  browser = await launchBrowser();
  owner = await openPage(browser, game.url);
  await game.signIn(owner.page);
});

after(async () => {
  await browser?.close();
  await game?.stop();
  await edge?.stop();
  for (const r of receivers) await new Promise((ok) => r.close(ok));
});

/** The server's Schedules tab, loaded. */
async function schedulesTab(page) {
  await page.goto(`/o/${game.org}/game-servers/${serverId}?tab=schedules`);
  await page.getByRole("heading", { level: 2, name: "Schedules" }).waitFor();
}

test("a schedule is made with two tasks (a bad cron refused inline), run now with its outcome shown", STEP, async () => {
  const { page } = owner;
  await schedulesTab(page);
  await page.getByText("No schedules yet").waitFor();
  await assertAccessible(page, "the empty Schedules tab");
  await screenshots(page, "automation-schedules-empty");

  await page.getByRole("button", { name: "New schedule" }).click();
  const form = page.getByRole("form", { name: "New schedule" });
  await form.getByLabel("Name", { exact: true }).fill(SCHEDULE);
  await form.getByLabel("Preset").selectOption({ label: "Every day at 04:00" });
  await form.getByText("Runs at 04:00 every day (UTC).").waitFor();
  for (const [n, command] of [["1", "say hello from a schedule"], ["2", "say hello again"]]) {
    await form.getByRole("button", { name: "Add task" }).click();
    const task = form.getByRole("group", { name: `Task ${n}` });
    await task.getByLabel("Action", { exact: true }).selectOption({ label: "Send a command" });
    await task.getByLabel("Command", { exact: true }).fill(command);
  }
  await form.getByRole("group", { name: "Task 2" }).getByLabel("Continue with the next task if this one fails").check();

  // Four fields: the form says so before sending anything.
  const cron = form.getByLabel("Cron expression (UTC)");
  await cron.fill("0 4 * *");
  await form.getByRole("button", { name: "Create schedule" }).click();
  await form.getByText("Enter five fields: minute hour day-of-month month day-of-week.").waitFor();
  // Five fields the server cannot read: its reason, under the field.
  await cron.fill("61 4 * * *");
  await form.getByRole("button", { name: "Create schedule" }).click();
  await form.getByText(/is not a cron expression/i).waitFor();
  assert.equal(await cron.getAttribute("aria-invalid"), "true", "the field is marked invalid");
  await assertAccessible(page, "the schedule form with a refused cron expression");
  await screenshots(page, "automation-schedule-refused");
  const none = await game.owner.get(game.api(`/servers/${serverId}/schedules`));
  assert.equal(none.json.items.length, 0, "nothing was saved");

  await cron.fill("0 4 * * *");
  await form.getByRole("button", { name: "Create schedule" }).click();
  await page.getByRole("heading", { level: 3, name: SCHEDULE }).waitFor();
  await page.getByText("It has not run yet.").waitFor();
  await assertAccessible(page, "a new schedule's page");
  await screenshots(page, "automation-schedule");

  await page.getByRole("button", { name: "Run now" }).click();
  const runs = page.getByRole("table", { name: `Recent runs of ${SCHEDULE}` });
  await runs.getByText("Completed").waitFor({ timeout: 60_000 });
  await runs.getByText("Run now").waitFor();
  for (const command of ["say hello from a schedule", "say hello again"])
    await runs.getByRole("listitem").filter({ hasText: `Send “${command}”` }).getByText("Done").waitFor();
  const commands = game.sim
    .requestsTo("POST", `/api/servers/${serverId}/commands`)
    .flatMap((r) => JSON.parse(r.body).commands);
  assert.deepEqual(commands.slice(-2), ["say hello from a schedule", "say hello again"], "both commands reached Wings, in order");
  await assertAccessible(page, "a schedule's page with its run");
  await screenshots(page, "automation-schedule-run");

  await page.getByRole("button", { name: "All schedules" }).click();
  const list = page.getByRole("table", { name: "Schedules" });
  await list.getByText(SCHEDULE).waitFor();
  await list.getByText("Completed").waitFor();
  await assertAccessible(page, "the Schedules tab listing a schedule");
  await screenshots(page, "automation-schedules");
  owner.assertClean();
});

test("a viewer reads the schedule and its runs with no controls, and is told webhooks are not theirs to manage", STEP, async () => {
  const invite = await game.owner.post(game.api("/invitations"), { role: "viewer" });
  assert.equal(invite.status, 201, JSON.stringify(invite.json));
  const joined = await client(game.url, { ip: "192.0.2.82" }).post(`/api/join/${invite.json.token}`, VIEWER);
  assert.equal(joined.status, 201, JSON.stringify(joined.json));

  const them = await openPage(browser, game.url);
  try {
    const { page } = them;
    await page.goto("/login");
    await page.getByLabel("Email", { exact: true }).fill(VIEWER.email);
    await page.getByLabel("Password", { exact: true }).fill(VIEWER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/login"));

    await schedulesTab(page);
    const list = page.getByRole("table", { name: "Schedules" });
    await list.getByText(SCHEDULE).waitFor();
    for (const name of ["New schedule", `Edit ${SCHEDULE}`, `Run ${SCHEDULE} now`, `Delete ${SCHEDULE}`])
      assert.equal(await page.getByRole("button", { name, exact: true }).count(), 0, `${name} is not offered to a viewer`);
    await assertAccessible(page, "a viewer's Schedules tab");
    await screenshots(page, "automation-schedules-viewer");

    await page.getByRole("button", { name: `Show ${SCHEDULE}` }).click();
    await page.getByRole("heading", { level: 3, name: SCHEDULE }).waitFor();
    await page.getByRole("listitem").filter({ hasText: "Send “say hello again”, continues on failure" }).first().waitFor();
    await page.getByRole("table", { name: `Recent runs of ${SCHEDULE}` }).getByText("Completed").waitFor();
    assert.equal(await page.getByRole("form").count(), 0, "no editor");
    for (const name of ["Run now", `Delete ${SCHEDULE}`])
      assert.equal(await page.getByRole("button", { name, exact: true }).count(), 0, `${name} is not offered to a viewer`);
    await assertAccessible(page, "a viewer's view of a schedule");
    await screenshots(page, "automation-schedule-viewer");

    await page.goto(`/o/${game.org}/organization/webhooks`);
    await page.getByRole("heading", { level: 2, name: "Webhooks" }).waitFor();
    assert.ok(await page.getByRole("button", { name: "Add webhook" }).isDisabled(), "a viewer cannot add webhooks");
    await assertAccessible(page, "a viewer's Webhooks page");
    await screenshots(page, "automation-webhooks-viewer");
    them.assertClean();
  } finally {
    await them.context.close();
  }
});

test("a schedule is deleted only after a confirmation", STEP, async () => {
  const { page } = owner;
  await schedulesTab(page);
  await page.getByRole("table", { name: "Schedules" }).getByText(SCHEDULE).waitFor();
  await page.getByRole("button", { name: `Delete ${SCHEDULE}` }).click();
  let confirm = page.getByRole("alertdialog", { name: `Delete ${SCHEDULE}?` });
  await confirm.getByText("it will not run again").waitFor();
  await assertAccessible(page, "the delete confirmation");
  await screenshots(page, "automation-schedule-delete");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await confirm.waitFor({ state: "hidden" });
  assert.equal((await game.owner.get(game.api(`/servers/${serverId}/schedules`))).json.items.length, 1, "cancelling keeps it");

  await page.getByRole("button", { name: `Delete ${SCHEDULE}` }).click();
  confirm = page.getByRole("alertdialog", { name: `Delete ${SCHEDULE}?` });
  await confirm.getByRole("button", { name: "Delete schedule" }).click();
  await page.getByText("No schedules yet").waitFor();
  assert.equal((await game.owner.get(game.api(`/servers/${serverId}/schedules`))).json.items.length, 0);
  await assertAccessible(page, "the Schedules tab after deleting");
  owner.assertClean();
});

/** Adds a webhook through the dialog; answers the secret it showed once. */
async function addWebhook(page, url, events) {
  await page.getByRole("button", { name: "Add webhook" }).click();
  const dialog = page.getByRole("dialog", { name: "Add webhook" });
  await dialog.getByLabel("Endpoint URL").fill(url);
  await dialog.getByLabel("Events").fill(events);
  await dialog.getByRole("button", { name: "Add webhook" }).click();
  const added = page.getByRole("dialog", { name: "Webhook added" });
  const secret = await added.getByRole("textbox", { name: "Signing secret" }).inputValue();
  assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
  return { added, secret };
}

/** The webhook row for `url`'s deliveries, freshly read. */
async function openDeliveries(page, url) {
  await page.reload();
  const row = page.getByRole("table", { name: "Webhooks" }).getByRole("row").filter({ hasText: url });
  await row.getByRole("button", { name: "Deliveries" }).click();
  return page.getByRole("table", { name: `Deliveries to ${url}` });
}

test("a webhook is added with its secret shown once, lists a delivery after an event, and a failing one shows failed", STEP, async () => {
  const { page } = owner;
  const good = await receiver(200);
  const bad = await receiver(500);
  await page.goto(`/o/${game.org}/organization/webhooks`);
  await page.getByRole("heading", { level: 2, name: "Webhooks" }).waitFor();
  await page.getByText("No webhooks", { exact: true }).waitFor();
  await assertAccessible(page, "the empty Webhooks page");
  await screenshots(page, "automation-webhooks-empty");

  const { added, secret } = await addWebhook(page, good.url, "audit.created");
  await assertAccessible(page, "the signing secret, shown once");
  await screenshots(page, "automation-webhook-secret");
  await added.getByRole("button", { name: "Done" }).click();
  await page.getByRole("table", { name: "Webhooks" }).getByText(good.url).waitFor();
  assert.ok(!(await page.content()).includes(secret), "the secret is not shown again");
  await (await addWebhook(page, bad.url, "audit.created")).added.getByRole("button", { name: "Done" }).click();
  await page.getByRole("table", { name: "Webhooks" }).getByText(bad.url).waitFor();

  // An event: an invitation is written to the audit log.
  assert.equal((await game.owner.post(game.api("/invitations"), { role: "viewer" })).status, 201);
  await waitFor(() => good.got.some((g) => JSON.parse(g.body).data?.action === "member.invite"), {
    what: "the audit entry at the receiver",
  });
  const delivered = await openDeliveries(page, good.url);
  await delivered.getByRole("row").filter({ hasText: "Delivered" }).filter({ hasText: "200" }).first().waitFor();
  await assertAccessible(page, "a webhook's deliveries");
  await screenshots(page, "automation-webhook-deliveries");

  // The failing receiver got every attempt; the delivery then shows failed, saying why.
  await waitFor(async () => {
    const hooks = (await game.owner.get(game.api("/webhooks"))).json.items;
    const hook = hooks.find((h) => h.url === bad.url);
    const res = await game.owner.get(game.api(`/webhooks/${hook.id}/deliveries`));
    return res.json.items.some((d) => d.status === "failed");
  }, { what: "a delivery failed after its retries", timeoutMs: 60_000 });
  assert.ok(bad.got.length >= RETRIES.length + 1, "the first attempt and every retry");
  const failed = await openDeliveries(page, bad.url);
  const row = failed.getByRole("row").filter({ hasText: "Failed" }).first();
  await row.waitFor();
  await row.getByText("500", { exact: true }).waitFor();
  await row.getByText("the endpoint answered 500").waitFor();
  await assertAccessible(page, "a failed delivery");
  await screenshots(page, "automation-webhook-failed");
  owner.assertClean();
});
