// The pages a game-server host lives in, in Chromium against `wrangler dev`
// and the Wings simulator: the server list (search, filters, a node that is
// down shown as "Node offline"), the console (start from its power button, a
// command typed and its output seen in the terminal, history on the arrow
// keys), files (a file edited and saved with Ctrl-S, a file uploaded and one
// downloaded, a directory of 10,000 entries opened and one found by search),
// the Startup, Settings and Activity tabs, and a person invited to one server
// by email (not a member of the organization) joining through the link and
// working in that server's console and files. Every page stays free of
// console errors and CSP violations, passes axe (light and dark), and is
// screenshotted light and dark.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertAccessible, launchBrowser, openPage, screenshots } from "../lib/browser.mjs";
import { startGameFixture } from "../lib/game-fixture.mjs";
import { client } from "../lib/client.mjs";
import { waitFor } from "../lib/stack.mjs";
import { Volume } from "../wings-sim/files.mjs";

const STEP = { timeout: 240_000 };

let game;
let browser;
let owner; // openPage's answer for the owner
let server; // the server the console and files tests use
let dir;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "flamingo-ui-game-"));
  game = await startGameFixture();
  server = await game.createServer("survival");
  browser = await launchBrowser();
  owner = await openPage(browser, game.url);
  await game.signIn(owner.page);
});

after(async () => {
  await browser?.close();
  await game?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The simulator's copy of `id` on the first node, with a volume. */
function simServer(id) {
  const s = game.sim.wings.servers.get(id);
  assert.ok(s, `the simulator holds ${id}`);
  s.volume ??= new Volume();
  return s;
}

/** How many times `needle` is in `text`. */
function occurrences(text, needle) {
  return text.split(needle).length - 1;
}

/** The text the terminal shows (xterm's DOM renderer draws rows as text). */
function terminalText(page) {
  return page.locator(".xterm-rows").innerText();
}

test("the server list shows every server with its node, searches and filters, and says 'node offline' for a node that is down", STEP, async () => {
  const { page } = owner;
  const down = await game.addNode("sim-down", { ports: ["27000-27099"] });
  await game.createServers(3, { prefix: "alpha" });
  await game.createServer("far-away", { node: down.node });
  await game.stopNode(down.node);

  await page.goto(`/o/${game.org}/game-servers`);
  await page.getByRole("heading", { level: 1, name: "Game servers" }).waitFor();
  const table = page.getByRole("table", { name: "Game servers" });
  for (const name of ["survival", "alpha-0001", "alpha-0002", "alpha-0003", "far-away"]) await table.getByText(name, { exact: true }).waitFor();
  const farRow = table.getByRole("row").filter({ hasText: "far-away" });
  await farRow.getByText("node offline").waitFor();
  await assertAccessible(page, "the server list");
  await screenshots(page, "game-servers-list");

  await page.getByLabel("Search").fill("alpha-0002");
  await table.getByText("alpha-0002", { exact: true }).waitFor();
  await waitFor(async () => (await table.getByText("alpha-0001", { exact: true }).count()) === 0, { what: "the search to narrow the list" });
  assert.equal(await table.getByText("survival", { exact: true }).count(), 0);
  await page.getByLabel("Search").fill("");
  await page.getByLabel("Node").selectOption({ label: "sim-down" });
  await table.getByText("far-away", { exact: true }).waitFor();
  await waitFor(async () => (await table.getByText("survival", { exact: true }).count()) === 0, { what: "the node filter" });
  await assertAccessible(page, "the server list filtered by a node that is down");
  owner.assertClean();
});

test("the console starts the server from its power button, shows a typed command's output, and walks the history with the arrow keys", STEP, async () => {
  const { page } = owner;
  await page.goto(`/o/${game.org}/game-servers/${server.id}?tab=console`);
  await page.getByRole("heading", { level: 1, name: "survival" }).waitFor();
  await page.getByText("Connected ·").waitFor();
  await page.getByRole("group", { name: "Power" }).getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("status").getByText("running", { exact: true }).waitFor();
  // The simulator prints the startup command as Wings' container prompt does, then the egg's "done" line.
  await waitFor(async () => (await terminalText(page)).includes("container@pelican~ java"), { what: "the server's start in the terminal" });

  const command = page.getByRole("textbox", { name: "Command" });
  await command.fill("say hello from the browser");
  await command.press("Enter");
  await waitFor(async () => (await terminalText(page)).includes("> say hello from the browser"), { what: "the command's output in the terminal" });
  assert.deepEqual(simServer(server.id).stdin.at(-1), "say hello from the browser", "Wings got the command as typed");
  assert.equal(await command.inputValue(), "", "the line is cleared once sent");

  await command.fill("list");
  await command.press("Enter");
  await waitFor(async () => (await terminalText(page)).includes("> list"), { what: "the second command's output" });
  await command.press("ArrowUp");
  assert.equal(await command.inputValue(), "list");
  await command.press("ArrowUp");
  assert.equal(await command.inputValue(), "say hello from the browser");
  await command.press("ArrowDown");
  assert.equal(await command.inputValue(), "list");

  // A line Wings prints on its own reaches the open terminal too.
  simServer(server.id).output("\u001b[32m[Server] a line from the game\u001b[0m");
  await waitFor(async () => (await terminalText(page)).includes("[Server] a line from the game"), { what: "a pushed line" });
  // A reload shows the lines again, each once (the relay replays its backlog to a new socket).
  await page.reload();
  await page.getByText("Connected ·").waitFor();
  await waitFor(async () => (await terminalText(page)).includes("[Server] a line from the game"), { what: "the lines after a reload" });
  assert.equal(occurrences(await terminalText(page), "> say hello from the browser"), 1, "each line once after a reload");
  await assertAccessible(page, "the console");
  await screenshots(page, "game-servers-console");
  owner.assertClean();
});

test("a file is edited and saved with Ctrl-S, one is uploaded and one downloaded", STEP, async () => {
  const { page } = owner;
  const s = simServer(server.id);
  s.volume.write("/server.properties", "motd=A Minecraft Server\nmax-players=20\n");
  await page.goto(`/o/${game.org}/game-servers/${server.id}?tab=files`);
  const list = page.getByRole("table", { name: "Files in /" });
  await list.getByRole("button", { name: "server.properties" }).click();
  await page.getByRole("heading", { name: /server\.properties/ }).waitFor();
  const editor = page.getByRole("textbox", { name: "Contents of /server.properties" });
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press("ControlOrMeta+End");
  await page.keyboard.type("difficulty=hard\n");
  const status = page.locator("section[aria-labelledby=editor-heading]").getByRole("status");
  await status.getByText("Unsaved changes").waitFor();
  await assertAccessible(page, "the editor with unsaved changes");
  await screenshots(page, "game-servers-editor");

  // Leaving with unsaved changes asks first; saying no keeps the editor.
  const asked = new Promise((resolve) => {
    page.once("dialog", (dialog) => {
      resolve(dialog.message());
      void dialog.dismiss();
    });
  });
  await page.getByRole("button", { name: "Back to files" }).click();
  assert.equal(await asked, "server.properties has unsaved changes. Leave without saving?");
  await editor.waitFor();

  await editor.click();
  await page.keyboard.press("Control+s");
  await status.getByText("Saved", { exact: true }).waitFor();
  assert.equal(s.volume.read("/server.properties")?.toString(), "motd=A Minecraft Server\nmax-players=20\ndifficulty=hard\n");
  await page.getByRole("button", { name: "Back to files" }).click();

  // Upload: straight to Wings with a signed URL, then listed.
  const local = join(dir, "ops.json");
  const bytes = JSON.stringify([{ uuid: "0f7c", name: "ada" }]);
  await writeFile(local, bytes);
  await page.getByLabel("Files to upload").setInputFiles(local);
  await list.getByRole("button", { name: "ops.json" }).waitFor();
  assert.equal(s.volume.read("/ops.json")?.toString(), bytes, "the node holds the uploaded bytes");

  // Download: selected, then saved by the browser with the node's bytes.
  await list.getByRole("checkbox", { name: "Select server.properties" }).check();
  const download = page.waitForEvent("download");
  await page.getByRole("toolbar", { name: "Selected items" }).getByRole("button", { name: "Download" }).click();
  const saved = join(dir, "downloaded.properties");
  await (await download).saveAs(saved);
  assert.equal(await readFile(saved, "utf8"), s.volume.read("/server.properties").toString());
  await assertAccessible(page, "the files list");
  await screenshots(page, "game-servers-files");
  owner.assertClean();
});

test("a directory of 10,000 entries opens, scrolls, and search finds one entry in it", STEP, async () => {
  const { page } = owner;
  const s = simServer(server.id);
  for (let i = 0; i < 10_000; i++) s.volume.write(`/many/entry-${String(i).padStart(5, "0")}.txt`, `n${i}`);
  s.volume.write("/many/needle-here.cfg", "found me");
  await page.goto(`/o/${game.org}/game-servers/${server.id}?tab=files&path=${encodeURIComponent("/many")}`);
  const list = page.getByRole("table", { name: "Files in /many" });
  await list.getByRole("button", { name: "entry-00000.txt" }).waitFor();
  assert.equal(await list.getAttribute("aria-rowcount"), "10002", "every entry is in the list (and the header row)");
  const drawn = await list.getByRole("row").count();
  assert.ok(drawn < 200, `only the rows in view are drawn (${drawn})`);

  // The end of the list is reachable by scrolling.
  await page.getByTestId("file-scroller").evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await list.getByRole("button", { name: "needle-here.cfg" }).waitFor();

  await page.getByTestId("file-scroller").evaluate((el) => {
    el.scrollTop = 0;
  });
  await page.getByRole("searchbox", { name: "Search this folder by name" }).fill("needle");
  await list.getByRole("button", { name: "needle-here.cfg" }).waitFor();
  await waitFor(async () => (await list.getByRole("button", { name: "entry-00000.txt" }).count()) === 0, { what: "the search to narrow the list" });
  await assertAccessible(page, "the 10,000-entry directory searched");
  await screenshots(page, "game-servers-files-10k");
  owner.assertClean();
});

test("the Startup, Settings and Activity tabs show the server's startup, SFTP address and log", STEP, async () => {
  const { page } = owner;
  await page.goto(`/o/${game.org}/game-servers/${server.id}?tab=startup`);
  await page.getByRole("heading", { name: "Startup" }).first().waitFor();
  await page.getByText(/java/).first().waitFor();
  await assertAccessible(page, "the Startup tab");
  await screenshots(page, "game-servers-startup");

  await page.goto(`/o/${game.org}/game-servers/${server.id}?tab=settings`);
  const sftp = page.getByRole("textbox", { name: "SFTP address" });
  await sftp.waitFor();
  assert.match(await sftp.inputValue(), new RegExp(`^sftp://ada@example\\.com\\.${server.id.slice(0, 8)}@[^:]+:\\d+$`));
  await assertAccessible(page, "the Settings tab");
  await screenshots(page, "game-servers-settings");

  // What Wings reported (the console command typed earlier) is in the log,
  // once its activity cron has sent it.
  await game.sim.wings.flushActivity();
  await page.goto(`/o/${game.org}/game-servers/${server.id}?tab=activity`);
  await page.getByText("say hello from the browser").first().waitFor();
  await assertAccessible(page, "the Activity tab");
  await screenshots(page, "game-servers-activity");
  owner.assertClean();
});

test("a person invited to one server by email joins through the link and works in its console and files, outside the organization", STEP, async () => {
  const invite = await game.owner.post(game.api(`/servers/${server.id}/subusers`), {
    email: "newt@example.com",
    permissions: ["websocket.connect", "control.console", "file.read", "file.read-content"],
  });
  assert.equal(invite.status, 201, JSON.stringify(invite.json));
  assert.match(invite.json.url, /^\/join\//);

  const newt = await openPage(browser, game.url);
  try {
    const { page } = newt;
    await page.goto(invite.json.url);
    await page.getByLabel("Your name").fill("Newt Scamander");
    await page.getByLabel("Email", { exact: true }).fill("newt@example.com");
    await page.getByLabel("Password", { exact: true }).fill("newt horse battery staple");
    await page.getByRole("button", { name: "Create account and join" }).click();

    // Not a member: their servers, not the organization's dashboard.
    await page.getByRole("heading", { level: 1, name: "Your servers" }).waitFor();
    const table = page.getByRole("table", { name: "Your servers" });
    await table.getByText(game.account.org).waitFor();
    await assertAccessible(page, "a subuser's list of servers");
    await screenshots(page, "game-servers-shared-list");
    await table.getByRole("link", { name: "survival" }).click();

    await page.getByRole("heading", { level: 1, name: "survival" }).waitFor();
    await page.getByText("Connected ·").waitFor();
    const nav = page.getByRole("navigation", { name: "Main" });
    assert.deepEqual(await nav.getByRole("link").allTextContents(), ["Your servers"], "none of the organization's pages");
    for (const name of ["Start", "Stop", "Restart", "Kill"])
      assert.equal(await page.getByRole("button", { name, exact: true }).count(), 0, `${name} is not offered without its permission`);
    for (const tab of ["Backups", "Subusers", "Startup", "Activity"])
      assert.equal(await page.getByRole("tab", { name: tab }).count() + (await page.getByRole("link", { name: tab, exact: true }).count()), 0, `no ${tab} tab without its permission`);

    const command = page.getByRole("textbox", { name: "Command" });
    await command.fill("say hi from newt");
    await command.press("Enter");
    await waitFor(async () => (await terminalText(page)).includes("> say hi from newt"), { what: "the subuser's command in the terminal" });
    assert.equal(occurrences(await terminalText(page), "> say hello from the browser"), 1, "the earlier lines, each once");
    await assertAccessible(page, "a subuser's console");
    await screenshots(page, "game-servers-shared-console");

    await page.goto(`/o/${game.org}/game-servers/${server.id}?tab=files`);
    await page.getByRole("table", { name: "Files in /" }).getByRole("button", { name: "server.properties" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "New file" }).count(), 0, "no creating without file.create");

    // The organization's own pages stay closed to them.
    await page.goto(`/o/${game.org}/game-servers`);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    const api = client(game.url, { ip: "192.0.2.82" });
    const signedIn = await api.post("/api/auth/login", { email: "newt@example.com", password: "newt horse battery staple" });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.json));
    assert.equal((await api.get(`/api/orgs/${game.org}/servers`)).status, 404, "the organization's server list is hidden from them");
    newt.assertClean();
  } finally {
    await newt.context.close();
  }
});
