// Drives Debian's Chromium with playwright-core for the browser tests:
// launching, pages that fail on console errors and Content-Security-Policy
// violations, two-factor codes, screenshots (light and dark) into
// SCREENSHOT_DIR, and axe-core accessibility checks (light and dark).
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { ROOT } from "./stack.mjs";

/** Flags for a headless Chromium that talks to nothing but the test's server. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Starts headless Chromium (CHROMIUM overrides /usr/bin/chromium). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * Chrome logs every failed HTTP response as a console error. The API answers
 * 4xx by design (401 before sign-in, 401 `totp_required`, a viewer's 403), so
 * those are not the page's errors; anything else is.
 */
const EXPECTED_HTTP_ERROR = /^Failed to load resource: the server responded with a status of 4\d\d\b/;

/**
 * A fresh browser context (own cookies and storage) and page at `baseURL`
 * that records console errors and warnings, uncaught errors, server
 * failures (5xx), Content-Security-Policy violations (each page's
 * `securitypolicyviolation` events) and pages served without a policy.
 * Call `assertClean()` to fail on any of them; `violations` lists the CSP
 * violations alone.
 */
export async function openPage(browser, baseURL, { colorScheme = "light" } = {}) {
  const context = await browser.newContext({ baseURL, colorScheme, viewport: { width: 1280, height: 800 } });
  const problems = [];
  const violations = [];
  await context.exposeBinding("__reportCspViolation", ({ frame }, v) => {
    violations.push(v);
    problems.push(`CSP violation on ${frame.url()}: ${v.directive} blocked ${v.blocked || "inline"} (${v.source}) ${v.sample}`);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__reportCspViolation({
        directive: e.effectiveDirective,
        blocked: e.blockedURI,
        source: `${e.sourceFile}:${e.lineNumber}`,
        sample: e.sample,
      });
    });
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    const type = message.type();
    if (type !== "error" && type !== "warning") return;
    const text = message.text();
    const url = message.location()?.url ?? "";
    if (EXPECTED_HTTP_ERROR.test(text) && new URL(url, baseURL).pathname.startsWith("/api/")) return;
    problems.push(`console ${type}: ${text}${url ? ` (${url})` : ""}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", async (response) => {
    if (response.status() >= 500) problems.push(`HTTP ${response.status()} from ${response.url()}`);
    if (response.request().resourceType() === "document") {
      const headers = await response.allHeaders().catch(() => null);
      // A download (an attachment the browser saves) is not a page.
      const download = /^attachment\b/i.test(headers?.["content-disposition"] ?? "");
      if (headers && !download && !headers["content-security-policy"]) problems.push(`page without a Content-Security-Policy: ${response.url()}`);
    }
    if (process.env.UI_TEST_DEBUG && response.url().includes("/api/"))
      console.error(`${response.request().method()} ${response.url()} -> ${response.status()}`);
  });
  return {
    context,
    page,
    problems,
    violations,
    assertClean() {
      if (problems.length > 0) throw new Error(`the browser reported problems:\n${problems.join("\n")}`);
    },
  };
}

/** Where screenshots go: $SCREENSHOT_DIR, else test-results/screenshots (relative to the repo root). */
export function screenshotDir() {
  return resolve(ROOT, process.env.SCREENSHOT_DIR ?? "test-results/screenshots");
}

/** Hidden during screenshots: toasts come and go, and would make pictures differ run to run. */
const SCREENSHOT_STYLE = "[data-sonner-toaster] { display: none !important; }";

/**
 * Saves `<name>-light.png` and `<name>-dark.png` of the whole page, switching
 * the OS colour scheme (the app follows it in its default "system" theme).
 */
export async function screenshots(page, name) {
  const dir = screenshotDir();
  await mkdir(dir, { recursive: true });
  for (const scheme of ["light", "dark"]) {
    await useScheme(page, scheme);
    await page.screenshot({
      path: join(dir, `${name}-${scheme}.png`),
      fullPage: true,
      animations: "disabled",
      style: SCREENSHOT_STYLE,
    });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** axe-core's browser bundle, injected into pages on demand. */
const AXE_SOURCE = readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");

/** Switches the OS colour scheme and waits until the app has followed it. */
async function useScheme(page, scheme) {
  await page.emulateMedia({ colorScheme: scheme });
  await page.waitForFunction((dark) => document.documentElement.classList.contains("dark") === dark, scheme === "dark");
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules and best practices) on the page as it
 * is, in the light and then the dark scheme, and fails listing every
 * violation (rule, impact, the elements and why) with `state` naming the page
 * state. axe is evaluated over the DevTools protocol, which the page's
 * Content-Security-Policy does not govern (an injected <script> would be
 * blocked by `script-src 'self'`). Leaves the page in the scheme it had.
 */
export async function assertAccessible(page, state) {
  const { wasDark, chosen } = await page.evaluate(() => ({
    wasDark: matchMedia("(prefers-color-scheme: dark)").matches,
    chosen: localStorage.getItem("flamingo-theme"),
  }));
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  const found = [];
  // A theme chosen in the app overrides the OS scheme: then only that one is on screen.
  const schemes = chosen === "light" || chosen === "dark" ? [chosen] : wasDark ? ["dark", "light"] : ["light", "dark"];
  for (const scheme of schemes) {
    if (schemes.length > 1) await useScheme(page, scheme);
    // Let transitions (a dialog or toast fading in, the theme's colours) settle first.
    // Two frames first, so transitions the scheme switch starts are running (and listed) before we wait on them.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    await page.evaluate(() =>
      Promise.all(
        document
          .getAnimations()
          .filter((a) => a.effect?.getTiming().iterations !== Infinity)
          .map((a) => a.finished.catch(() => {})),
      ),
    );
    const violations = await page.evaluate(async () => {
      const result = await window.axe.run(document, { resultTypes: ["violations"] });
      return result.violations.map((v) => ({
        rule: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary?.replace(/\s+/g, " ")}`),
      }));
    });
    for (const v of violations)
      found.push(`[${scheme}] ${v.rule} (${v.impact}): ${v.help}\n    ${v.nodes.join("\n    ")}`);
  }
  if (schemes.length > 1) await useScheme(page, wasDark ? "dark" : "light");
  if (found.length > 0) throw new Error(`axe found accessibility violations on ${state}:\n${found.join("\n")}`);
}

/** Decodes RFC 4648 base32 (no padding needed). */
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of text.replace(/[=\s]/g, "").toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s steps) for a base32 secret at `timeMs`. */
export function totp(secret, timeMs = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(timeMs / 1000 / 30)));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, "0");
}
