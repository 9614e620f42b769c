// The game-server admin screens in a real browser against `wrangler dev` and
// the Wings simulator: a node added through its form (offline until Wings
// runs with the config.yml the page shows, then online), ports added in bulk,
// an egg imported from a YAML file, a server made with the wizard (a variable
// refused inline by the egg's own rule first) that lands on its page, a
// subuser added with a checklist whose own view has no power buttons and no
// admin controls, and a backup taken and restored. Every page stays free of
// console errors and CSP violations, passes axe (light and dark), and is
// screenshotted light and dark.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { assertAccessible, launchBrowser, openPage, screenshots } from "../lib/browser.mjs";
import { startGameFixture } from "../lib/game-fixture.mjs";
import { client } from "../lib/client.mjs";
import { freePort, ROOT, waitFor } from "../lib/stack.mjs";
import { optionsFromConfig, readConfigYml, startWings } from "../wings-sim/index.mjs";

const STEP = { timeout: 240_000 };
const SUBUSER = { name: "Sam Sub", email: "sam@example.com", password: "subuser horse battery" };

let game;
let browser;
let owner; // openPage's answer for the owner
let uiNode; // the node added through the page: { id, port }
let uiSim;
let serverId;

before(async () => {
  game = await startGameFixture();
  browser = await launchBrowser();
  owner = await openPage(browser, game.url);
  await game.signIn(owner.page);
});

after(async () => {
  await browser?.close();
  await uiSim?.stop().catch(() => {});
  await game?.stop();
});

/** Drops the failures the test caused on purpose (a node asked before its Wings runs) from the page's problems. */
function forgive(problems, pattern) {
  for (let i = problems.length - 1; i >= 0; i--) if (pattern.test(problems[i])) problems.splice(i, 1);
}

test("a node is added, shows its config.yml and install command, goes online with it, and takes a port range", STEP, async () => {
  const { page, problems } = owner;
  const port = await freePort();
  await page.goto(`/o/${game.org}/nodes`);
  await page.getByRole("heading", { level: 1, name: "Nodes" }).waitFor();
  await page.getByRole("table", { name: "Nodes" }).getByText("sim-1").waitFor();
  await page.getByRole("table", { name: "Nodes" }).getByText("Online").waitFor();
  await assertAccessible(page, "the nodes list");
  await screenshots(page, "game-admin-nodes");

  await page.getByRole("button", { name: "Add node" }).click();
  const dialog = page.getByRole("dialog", { name: "Add node" });
  await dialog.getByLabel("Name", { exact: true }).fill("ui-node");
  await dialog.getByLabel("Host name or IP").fill("127.0.0.1");
  await dialog.getByLabel("Scheme").selectOption("http");
  await dialog.getByLabel("Wings port").fill("70000");
  await dialog.getByRole("button", { name: "Add node" }).click();
  await dialog.getByText("Use a port between 1 and 65535.").waitFor();
  await dialog.getByLabel("Wings port").fill(String(port));
  await dialog.getByRole("button", { name: "Add node" }).click();
  await page.getByRole("heading", { level: 1, name: "ui-node" }).waitFor();
  uiNode = { id: page.url().split("/nodes/")[1], port };

  // Wings is not running yet: the page says so in words.
  await page.getByText("Offline").first().waitFor();
  await page.getByText("The node ui-node could not be reached.").waitFor();
  const install = await page.getByRole("textbox", { name: "Install command" }).inputValue();
  assert.match(install, /^mkdir -p \/etc\/pelican && echo [A-Za-z0-9+/=]+ \| base64 -d > \/etc\/pelican\/config.yml/);
  const yaml = await page.getByRole("textbox", { name: "config.yml" }).inputValue();
  const fromInstall = Buffer.from(install.split(" ")[5], "base64").toString("utf8");
  assert.equal(fromInstall, yaml, "the install command writes the config.yml shown");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download config.yml" }).click();
  assert.equal((await download).suggestedFilename(), "config.yml");

  // Wings runs with that file: the node answers.
  const read = readConfigYml(yaml);
  assert.deepEqual(read.errors, []);
  uiSim = await startWings(optionsFromConfig(read.config, { backoff: { initialMs: 50, maxIntervalMs: 200, maxElapsedMs: 2000 } }));
  forgive(problems, new RegExp(`/nodes/${uiNode.id}/system`));
  await page.reload();
  await page.getByText("Online").first().waitFor();

  // Ports in bulk: the count is shown as typed, a bad range is refused in words.
  const form = page.getByRole("form", { name: "Add allocations" });
  await form.getByLabel("IP address").fill("127.0.0.1");
  await form.getByLabel("Ports").fill("25600-25590");
  await form.getByRole("button", { name: "Add allocations" }).click();
  await form.getByText('"25600-25590" runs backwards.').waitFor();
  await form.getByLabel("Ports").fill("25565, 25590-25599");
  await form.getByText("11 ports to add.").waitFor();
  await form.getByRole("button", { name: "Add allocations" }).click();
  await page.getByText("11 in all, 11 free.").waitFor();
  await page.getByRole("table", { name: "Allocations" }).getByText("127.0.0.1:25599").waitFor();

  // Rotating the token warns first; cancelling changes nothing.
  await page.getByRole("button", { name: "Rotate token" }).click();
  const warning = page.getByRole("alertdialog", { name: "Rotate the token of ui-node?" });
  await warning.getByText(/stops accepting the current token at once/).waitFor();
  await warning.getByRole("button", { name: "Cancel" }).click();
  await assertAccessible(page, "a node's page");
  await screenshots(page, "game-admin-node");
  owner.assertClean();
});

test("an egg is imported from a YAML file, its field errors shown for a broken one, and its variables edited", STEP, async () => {
  const { page } = owner;
  await page.goto(`/o/${game.org}/eggs`);
  await page.getByRole("heading", { level: 1, name: "Eggs" }).waitFor();
  await page.getByRole("button", { name: "Import egg" }).click();
  let dialog = page.getByRole("dialog", { name: "Import egg" });
  await dialog.getByLabel("Or paste it").fill('{"meta": {"version": "PTDL_v9"}, "name": "Broken"}');
  await dialog.getByRole("button", { name: "Import" }).click();
  await dialog.getByRole("alert").getByText("meta.version").waitFor();
  await dialog.getByLabel("Egg file").setInputFiles(join(ROOT, "edge-api/tests/fixtures/eggs/nodejs-generic.plcn_v3.yaml"));
  await dialog.getByText("Read nodejs-generic.plcn_v3.yaml.").waitFor();
  await dialog.getByRole("button", { name: "Import" }).click();
  await page.getByRole("heading", { level: 1, name: "node.js generic" }).waitFor();
  const exported = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export YAML" }).click();
  assert.match((await exported).suggestedFilename(), /\.ya?ml$|export/);

  // A rule the API does not know is refused in the editor before anything is sent.
  const rules = page.getByRole("group", { name: /MAIN_FILE/ }).getByLabel("Rules");
  await rules.fill("required\nstring\nmax:16\nint");
  await page.getByRole("button", { name: "Save variables" }).click();
  await page.getByText("Rule `int`: `int` is not a supported rule.").waitFor();
  await rules.fill("required\nstring\nmax:16");
  await page.getByRole("button", { name: "Save variables" }).click();
  await page.getByText("Saved the variables of node.js generic").waitFor();
  await assertAccessible(page, "an egg's page");
  await screenshots(page, "game-admin-egg");

  await page.goto(`/o/${game.org}/eggs`);
  await page.getByRole("table", { name: "Eggs" }).getByText("node.js generic").waitFor();
  await assertAccessible(page, "the eggs list");
  await screenshots(page, "game-admin-eggs");
  owner.assertClean();
});

test("the wizard makes a server on the new node, a variable checked as typed with the egg's rule, and lands on it", STEP, async () => {
  const { page } = owner;
  await page.goto(`/o/${game.org}/game-servers/new`);
  await page.getByRole("heading", { level: 1, name: "New server" }).waitFor();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByText("Choose a node.").waitFor();
  await page.getByRole("radio", { name: /ui-node/ }).check();
  await assertAccessible(page, "the wizard's first step");
  await screenshots(page, "game-admin-wizard-node");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("heading", { name: "Step 2 of 5: Egg" }).waitFor();
  await page.getByLabel("Egg").selectOption({ label: "node.js generic" });
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Name", { exact: true }).fill("wizard-made");
  await page.getByLabel("Block I/O weight").fill("5");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByText("Must be between 10 and 1000.").waitFor();
  await page.getByLabel("Block I/O weight").fill("500");
  await page.getByLabel("Allocation").selectOption({ label: "127.0.0.1:25590" });
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("heading", { name: "Step 4 of 5: Variables" }).waitFor();
  const main = page.getByLabel(/Main file/);
  await main.fill("a-very-long-name-for-a-file.js");
  await page.getByText("Must be at most 16 characters.").waitFor();
  await assertAccessible(page, "the wizard's variables with an error");
  await screenshots(page, "game-admin-wizard-variables");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("heading", { name: "Step 4 of 5: Variables" }).waitFor();
  await main.fill("index.js");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("heading", { name: "Step 5 of 5: Review" }).waitFor();
  await page.getByText("127.0.0.1:25590").waitFor();
  await screenshots(page, "game-admin-wizard-review");
  await page.getByRole("button", { name: "Create server" }).click();
  await page.waitForURL(/\/game-servers\/[0-9a-f-]{36}\?tab=console/).catch(async (error) => {
    throw new Error(`${error.message}\n${await page.locator("main").innerText()}`);
  });
  await page.getByRole("heading", { level: 1, name: "wizard-made" }).waitFor();
  serverId = page.url().match(/game-servers\/([0-9a-f-]{36})/)[1];
  const detail = await game.owner.get(game.api(`/servers/${serverId}`));
  assert.equal(detail.json.server.node_id, uiNode.id);
  assert.equal(detail.json.server.allocation.port, 25590);
  assert.equal(detail.json.server.environment.MAIN_FILE, "index.js");
  await game.waitInstalled(serverId);
  assert.deepEqual(uiSim.problems, [], JSON.stringify(uiSim.problems));
  owner.assertClean();
});

test("a subuser is added with the checklist and sees no power buttons or admin controls", STEP, async () => {
  // A viewer of the organization (the web app shows server pages to members) made a subuser of this server.
  const invite = await game.owner.post(game.api("/invitations"), { role: "viewer" });
  assert.equal(invite.status, 201, JSON.stringify(invite.json));
  const sam = client(game.url, { ip: "192.0.2.81" });
  const joined = await sam.post(`/api/join/${invite.json.token}`, SUBUSER);
  assert.equal(joined.status, 201, JSON.stringify(joined.json));

  const { page } = owner;
  await page.goto(`/o/${game.org}/game-servers/${serverId}?tab=subusers`);
  await page.getByRole("button", { name: "Add subuser" }).click();
  const dialog = page.getByRole("dialog", { name: "Add subuser" });
  await dialog.getByLabel("Email").fill(SUBUSER.email);
  await dialog.getByRole("checkbox", { name: /control\.console/ }).uncheck();
  await dialog.getByRole("checkbox", { name: /settings\.rename/ }).check();
  await assertAccessible(page, "the add-subuser checklist");
  await screenshots(page, "game-admin-subuser-add");
  await dialog.getByRole("button", { name: "Add subuser" }).click();
  await page.getByRole("table", { name: "Subusers" }).getByText(SUBUSER.name).waitFor();
  await assertAccessible(page, "the Subusers tab");
  await screenshots(page, "game-admin-subusers");
  owner.assertClean();

  const them = await openPage(browser, game.url);
  try {
    await them.page.goto("/login");
    await them.page.getByLabel("Email", { exact: true }).fill(SUBUSER.email);
    await them.page.getByLabel("Password", { exact: true }).fill(SUBUSER.password);
    await them.page.getByRole("button", { name: "Sign in" }).click();
    await them.page.waitForURL((url) => !url.pathname.startsWith("/login"));
    await them.page.goto(`/o/${game.org}/game-servers/${serverId}?tab=settings`);
    await them.page.getByRole("heading", { level: 1, name: "wizard-made" }).waitFor();
    await them.page.getByRole("textbox", { name: "SFTP address" }).waitFor();
    assert.match(await them.page.getByRole("textbox", { name: "SFTP address" }).inputValue(), new RegExp(`^sftp://sam@example\\.com\\.${serverId.slice(0, 8)}@`));
    for (const name of ["Start", "Stop", "Restart", "Kill", "Reinstall server", "Suspend", "Save limits"])
      assert.equal(await them.page.getByRole("button", { name, exact: true }).count(), 0, `${name} is not offered to the subuser`);
    await them.page.goto(`/o/${game.org}/game-servers/${serverId}?tab=subusers`);
    await them.page.getByRole("table", { name: "Subusers" }).getByText(SUBUSER.name).waitFor();
    assert.equal(await them.page.getByRole("button", { name: "Add subuser" }).count(), 0, "no adding without user.create");
    await assertAccessible(them.page, "the subuser's Settings tab");
    await screenshots(them.page, "game-admin-subuser-view");
    them.assertClean();
  } finally {
    await them.context.close();
  }
});

test("a backup is taken, completes live, and is restored after a confirmation", STEP, async () => {
  const { page } = owner;
  await page.goto(`/o/${game.org}/game-servers/${serverId}?tab=backups`);
  await page.getByText(/0 of \d+ backups used/).waitFor();
  await page.getByLabel("Name (optional)").fill("before-update");
  await page.getByLabel("Files to leave out (optional)").fill("logs/\n*.tmp");
  await page.getByRole("button", { name: "Take backup" }).click();
  const table = page.getByRole("table", { name: "Backups" });
  await table.getByText("before-update").waitFor();
  await table.getByText("Completed").waitFor({ timeout: 60_000 });
  await page.getByText(/1 of \d+ backups used/).waitFor();
  await page.getByRole("button", { name: "Lock before-update" }).click();
  await table.getByText("Locked").waitFor();
  assert.ok(await page.getByRole("button", { name: "Delete before-update" }).isDisabled(), "a locked backup cannot be deleted");
  await assertAccessible(page, "the Backups tab");
  await screenshots(page, "game-admin-backups");

  // The "Locked" toast sits over the row's buttons at this size, and a pointer held over it pauses
  // its timer: restore from the keyboard, as a keyboard user does.
  await page.getByRole("button", { name: "Restore before-update" }).focus();
  await page.keyboard.press("Enter");
  const confirm = page.getByRole("alertdialog", { name: "Restore before-update?" });
  await confirm.getByRole("button", { name: "Restore" }).click();
  await waitFor(
    async () => {
      const r = await game.owner.get(game.api(`/servers/${serverId}`));
      return r.status === 200 && r.json.server.status === null;
    },
    { what: "the restore to finish" },
  );
  await table.getByText("Completed").waitFor({ timeout: 60_000 });
  assert.deepEqual(uiSim.problems, [], JSON.stringify(uiSim.problems));
  owner.assertClean();
});
