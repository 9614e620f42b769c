// The game pages in Chromium at scale: how long the server list takes to
// show 500 servers and the Files tab to render a directory of 10,000
// entries, against the dashboard measured in the same run (each a full page
// load, from navigation to the page's content on screen), with the ratios.
// 500 servers are created through the API on one simulated Wings node; the
// 10,000 entries are put on the simulator's volume.
// Run: make build && scripts/with-tools.sh node bench/ui-game.mjs
import { launchBrowser, openPage } from "../tests/lib/browser.mjs";
import { startGameFixture } from "../tests/lib/game-fixture.mjs";
import { Volume } from "../tests/wings-sim/files.mjs";

const SERVERS = Number(process.env.SERVERS ?? 500);
const ENTRIES = Number(process.env.ENTRIES ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const WARMUP = 2;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`.padStart(8);

/** `ROUNDS` loads of `url` (after `WARMUP`), each timed until `ready(page)` resolves. */
async function time(page, url, ready) {
  const out = [];
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const t = performance.now();
    await page.goto(url);
    await ready(page);
    const took = performance.now() - t;
    if (i >= WARMUP) out.push(took);
  }
  return out;
}

const game = await startGameFixture();
let browser;
try {
  const started = performance.now();
  const [first] = await game.createServers(SERVERS, { prefix: "bench", concurrency: 8 });
  await game.sim.idle();
  const s = game.sim.server(first.id);
  s.volume ??= new Volume();
  for (let i = 0; i < ENTRIES; i++) s.volume.write(`/many/entry-${String(i).padStart(5, "0")}.txt`, `n${i}`);
  console.log(`setup: ${SERVERS} servers and ${ENTRIES} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  browser = await launchBrowser();
  const { page } = await openPage(browser, game.url);
  await game.signIn(page);
  const last = `bench-${String(SERVERS).padStart(4, "0")}`;

  const dashboard = await time(page, `/o/${game.org}`, (p) =>
    p.getByRole("list", { name: "Recent activity" }).waitFor(),
  );
  const list = await time(page, `/o/${game.org}/game-servers`, async (p) => {
    await p.getByRole("table", { name: "Game servers" }).getByRole("link", { name: last }).waitFor({ state: "attached" });
    await p.getByText(`${SERVERS} servers`, { exact: true }).waitFor();
  });
  const files = await time(page, `/o/${game.org}/game-servers/${first.id}?tab=files&path=/many`, async (p) => {
    await p.getByRole("button", { name: "entry-00000.txt" }).waitFor();
    await p.getByText(`${ENTRIES.toLocaleString("en-US")} items`, { exact: false }).waitFor();
  });

  const base = median(dashboard);
  console.log(`page load to content, median of ${ROUNDS} (after ${WARMUP} warm-up loads):`);
  console.log(`  dashboard                         ${ms(base)}`);
  console.log(`  server list, ${SERVERS} servers          ${ms(median(list))}   ratio to dashboard ${(median(list) / base).toFixed(2)}x`);
  console.log(`  files tab, ${ENTRIES} entries        ${ms(median(files))}   ratio to dashboard ${(median(files) / base).toFixed(2)}x`);
} finally {
  await browser?.close();
  await game.stop();
}
