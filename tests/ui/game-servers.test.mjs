// The game-server pages in Chromium against `wrangler dev` and the Wings
// simulator: the list with many servers and a node that is down, starting a
// server and typing a command in its console, editing and saving a file,
// uploading and downloading a file straight to and from Wings, a directory
// of 10,000 entries searched by name, and the activity log. Each page must
// stay free of console errors and CSP violations, pass axe-core (light and
// dark), and is photographed light and dark into $SCREENSHOT_DIR.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { assertAccessible, launchBrowser, openPage, screenshotDir, screenshots } from "../lib/browser.mjs";
import { startGameFixture } from "../lib/game-fixture.mjs";
import { waitFor } from "../lib/stack.mjs";
import { Volume } from "../wings-sim/files.mjs";

const STEP = { timeout: 180_000 };
/** Servers beside the one the tests drive, to make the list long. */
const MORE = 40;

let browser;
let game;
let tab; // { page, assertClean, ... }
let server; // the server the tests drive
let down; // a node that went away, and its server

function volume(id) {
  const s = game.sim.server(id);
  s.volume ??= new Volume();
  return s.volume;
}

function serverUrl(query) {
  return `/o/${game.org}/game-servers/${server.id}?${new URLSearchParams(query)}`;
}

before(async () => {
  browser = await launchBrowser();
  game = await startGameFixture();
  server = await game.createServer("Survival");
  await game.createServers(MORE, { prefix: "lobby" });
  const second = await game.addNode("sim-2", { ports: ["27000-27010"] });
  await waitFor(async () => Math.floor(Date.now() / 1000) > Math.floor(second.sim.wings.bootedAt / 1000), { what: "a second past sim-2's boot" });
  const stranded = await game.createServer("Stranded", { node: second.node });
  await game.stopNode(second.node);
  down = { node: second.node, server: stranded };
  tab = await openPage(browser, game.url);
  await game.signIn(tab.page);
});

after(async () => {
  await browser?.close();
  if (game) await writeFile(join(screenshotDir(), "..", "ui-game-wrangler.log"), game.edge.child.output()).catch(() => {});
  await game?.stop();
});

test("the server list shows every server at once, fills in live figures and says which node is offline", STEP, async () => {
  const { page } = tab;
  await page.goto(`/o/${game.org}/game-servers`);
  await page.getByRole("heading", { level: 1, name: "Game servers" }).waitFor();
  const table = page.getByRole("table", { name: "Game servers" });
  await table.getByRole("link", { name: "Survival" }).waitFor();
  await page.getByText(`${MORE + 2} servers`, { exact: true }).waitFor();
  // The stranded server's node did not answer: it says so instead of spinning.
  const stranded = table.getByRole("row").filter({ has: page.getByRole("link", { name: "Stranded" }) });
  await stranded.getByText("node offline").waitFor();
  await page.getByText("sim-2 is offline", { exact: false }).waitFor();
  // Live figures from the node that answered.
  const survival = table.getByRole("row").filter({ has: page.getByRole("link", { name: "Survival" }) });
  await survival.getByText("4.0 KB").waitFor();

  await page.getByLabel("Search", { exact: true }).fill("lobby-000");
  await page.getByText(`9 of ${MORE + 2} servers`).waitFor();
  await page.getByLabel("Search", { exact: true }).fill("");
  await page.getByLabel("Status", { exact: true }).selectOption("node offline");
  await page.getByText(`1 of ${MORE + 2} servers`).waitFor();
  await page.getByLabel("Status", { exact: true }).selectOption("");
  await screenshots(page, "game-servers");
  await assertAccessible(page, "the game server list");
  tab.assertClean();
});

test("starting a server and typing a command shows its output in the console", STEP, async () => {
  const { page } = tab;
  await page.goto(serverUrl({ tab: "console" }));
  await page.getByRole("heading", { level: 1, name: "Survival" }).waitFor();
  await page.getByText("Connected", { exact: false }).waitFor();
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByText("Start sent").waitFor();
  await waitFor(async () => game.sim.server(server.id).state === "running", { what: "running on the node" });
  const terminal = page.getByTestId("terminal");
  await waitFor(async () => (await terminal.textContent()).includes("Done"), { what: "the start's output in the console" });

  const line = page.getByLabel("Command", { exact: true });
  await line.fill("say hello from the browser");
  await line.press("Enter");
  await waitFor(async () => (await terminal.textContent()).includes("> say hello from the browser"), { what: "the command echoed" });
  assert.ok(game.sim.server(server.id).stdin.includes("say hello from the browser"), "the command reached the server's stdin");
  // History: arrow up gives the last command back.
  await line.press("ArrowUp");
  assert.equal(await line.inputValue(), "say hello from the browser");
  await line.fill("");
  // Kill asks first.
  await page.getByRole("button", { name: "Kill", exact: true }).click();
  await page.getByRole("alertdialog").getByText("Kill Survival?").waitFor();
  await page.getByRole("button", { name: "Cancel", exact: true }).click();
  await page.getByRole("figure").filter({ hasText: "Memory" }).getByText("256 MB", { exact: false }).waitFor();
  await screenshots(page, "game-server-console");
  await assertAccessible(page, "the console");
  tab.assertClean();
});

test("a file opens in the editor, and Ctrl-S saves it to the node", STEP, async () => {
  const { page } = tab;
  volume(server.id).write("/server.properties", "motd=A Flamingo server\n");
  await page.goto(serverUrl({ tab: "files" }));
  await page.getByRole("button", { name: "server.properties" }).click();
  const editor = page.getByRole("textbox", { name: "Contents of /server.properties" });
  await editor.waitFor();
  await page.getByText("motd=A Flamingo server").waitFor();
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("max-players=5");
  await page.getByText("Unsaved changes").waitFor();
  await page.keyboard.press("Control+s");
  await page.getByText("Saved /server.properties").first().waitFor();
  await waitFor(async () => volume(server.id).read("/server.properties")?.toString() === "motd=A Flamingo server\nmax-players=5", {
    what: "the edit on the node",
  });
  await screenshots(page, "game-server-editor");
  await assertAccessible(page, "the file editor");
  await page.getByRole("button", { name: "Back to files" }).click();
  tab.assertClean();
});

test("a file uploads straight to Wings and downloads back the same", STEP, async () => {
  const { page } = tab;
  await page.goto(serverUrl({ tab: "files" }));
  await page.getByRole("button", { name: "Upload files" }).waitFor();
  const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256));
  await page.getByTestId("upload-files").setInputFiles({ name: "level.dat", mimeType: "application/octet-stream", buffer: bytes });
  await page.getByText("Uploaded level.dat").first().waitFor();
  assert.deepEqual(volume(server.id).read("/level.dat"), bytes, "the node has the bytes");

  await page.getByRole("checkbox", { name: "Select level.dat" }).check();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download", exact: true }).click()]);
  assert.deepEqual(await readFile(await download.path()), bytes, "the same bytes come back");
  tab.assertClean();
});

test("a directory of 10,000 entries opens and search finds one", STEP, async () => {
  const { page } = tab;
  const v = volume(server.id);
  for (let i = 0; i < 10_000; i++) v.write(`/many/entry-${String(i).padStart(5, "0")}.txt`, `n${i}`);
  v.write("/many/needle-here.cfg", "x");
  await page.goto(serverUrl({ tab: "files", path: "/many" }));
  await page.getByText("10,001 items", { exact: false }).waitFor();
  // Virtualized: only the rows in view are in the page.
  const rendered = await page.getByTestId("file-scroller").getByRole("row").count();
  assert.ok(rendered > 5 && rendered < 100, `rows in the page: ${rendered}`);
  await page.getByLabel("Search this folder by name").fill("needle");
  await page.getByRole("button", { name: "needle-here.cfg" }).waitFor();
  await page.getByText("1 of 10,001 items match", { exact: false }).waitFor();
  await page.getByLabel("Search this folder by name").fill("");
  // Sort by name descending puts the last entry first.
  await page.getByRole("button", { name: /^Name/ }).click();
  await page.getByRole("button", { name: /^Name/ }).click();
  await page.getByRole("button", { name: "needle-here.cfg" }).waitFor();
  await page.getByRole("checkbox", { name: "Select needle-here.cfg" }).check();
  await page.getByRole("toolbar", { name: "Selected items" }).waitFor();
  await screenshots(page, "game-server-files");
  await assertAccessible(page, "the file manager with 10,000 entries");
  tab.assertClean();
});

test("the activity tab lists what happened, Wings' reports included, and filters", STEP, async () => {
  const { page } = tab;
  await game.sim.flushActivity();
  await page.goto(serverUrl({ tab: "activity" }));
  const entries = page.getByRole("list", { name: "Activity entries" });
  await entries.waitFor();
  await entries.getByText("server:console.command").first().waitFor();
  await page.getByLabel("From", { exact: true }).selectOption("wings");
  await entries.getByText("Wings").first().waitFor();
  await screenshots(page, "game-server-activity");
  await assertAccessible(page, "the activity log");
  tab.assertClean();
});

test("a server whose node is down says so on its page", STEP, async () => {
  const { page } = tab;
  await page.goto(`/o/${game.org}/game-servers/${down.server.id}?tab=files`);
  await page.getByRole("heading", { level: 1, name: "Stranded" }).waitFor();
  await page.getByText("The node is offline", { exact: false }).waitFor();
  await screenshots(page, "game-server-node-offline");
  await assertAccessible(page, "a server on a node that is down");
});
