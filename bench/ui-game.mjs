// The game-server pages in Chromium at scale, through `wrangler dev` and the
// Wings simulator: how long the organization's server list takes to show 500
// servers (every row in the page, the last one included), and how long a
// directory of 10,000 entries takes to render in the Files tab (its first
// rows drawn, and the count of rows in the list), each from navigation, against the
// dashboard page measured in the same run and the same browser.
// Run: scripts/with-tools.sh node bench/ui-game.mjs   (SERVERS=, ENTRIES=, ROUNDS= to change the sizes)
import { launchBrowser, openPage } from "../tests/lib/browser.mjs";
import { startGameFixture } from "../tests/lib/game-fixture.mjs";
import { Volume } from "../tests/wings-sim/files.mjs";

const SERVERS = Number(process.env.SERVERS ?? 500);
const ENTRIES = Number(process.env.ENTRIES ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const WARMUP = 3;

const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const ms = (x) => `${x.toFixed(0)} ms`.padStart(9);

/** `ROUNDS` timed loads of `path` (after `WARMUP`): from `goto` until `ready(page)` resolves. */
async function time(page, path, ready) {
  const out = [];
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    await page.goto("about:blank");
    const t = performance.now();
    await page.goto(path);
    await ready(page);
    const took = performance.now() - t;
    if (i >= WARMUP) out.push(took);
  }
  return out;
}

const game = await startGameFixture();
const browser = await launchBrowser();
try {
  console.log(`creating ${SERVERS} servers and a directory of ${ENTRIES} entries…`);
  const [first] = await game.createServers(SERVERS, { prefix: "bench" });
  const last = `bench-${String(SERVERS).padStart(4, "0")}`;
  const sim = game.sim.wings.servers.get(first.id);
  sim.volume ??= new Volume();
  for (let i = 0; i < ENTRIES; i++) sim.volume.write(`/many/entry-${String(i).padStart(5, "0")}.txt`, `n${i}`);

  const owner = await openPage(browser, game.url);
  await game.signIn(owner.page);
  const { page } = owner;

  const dashboard = await time(page, `/o/${game.org}`, (p) => p.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor());
  const list = await time(page, `/o/${game.org}/game-servers`, async (p) => {
    const table = p.getByRole("table", { name: "Game servers" });
    await table.getByText(last, { exact: true }).waitFor({ state: "attached" });
    const rows = await table.locator("tbody tr").count();
    if (rows !== SERVERS) throw new Error(`the list shows ${rows} rows, not ${SERVERS}`);
  });
  const files = await time(page, `/o/${game.org}/game-servers/${first.id}?tab=files&path=%2Fmany`, async (p) => {
    const table = p.getByRole("table", { name: "Files in /many" });
    await table.getByRole("button", { name: "entry-00000.txt" }).waitFor();
    const count = await table.getAttribute("aria-rowcount");
    if (count !== String(ENTRIES + 1)) throw new Error(`the list counts ${count} rows, not ${ENTRIES + 1}`);
  });
  owner.assertClean();

  const base = quantile(dashboard, 0.5);
  console.log(`${ROUNDS} loads each in Chromium (loopback, wrangler dev)      p50       p95   p50 / dashboard`);
  for (const [what, xs] of [
    ["the dashboard", dashboard],
    [`the server list, ${SERVERS} servers`, list],
    [`a directory of ${ENTRIES} entries`, files],
  ]) {
    const p50 = quantile(xs, 0.5);
    console.log(`${what.padEnd(54)}${ms(p50)} ${ms(quantile(xs, 0.95))}   x${(p50 / base).toFixed(2)}`);
  }
} finally {
  await browser.close();
  await game.stop();
}
