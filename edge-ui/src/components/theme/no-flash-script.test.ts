import { describe, expect, it } from "vitest";

import indexHtml from "../../../index.html?raw";
import themeScript from "../../../public/theme.js?raw";
import { THEME_STORAGE_KEY } from "@/components/theme/theme-storage";
import { installMatchMedia } from "@/test/match-media";

/** Runs public/theme.js, as the browser does before first paint. */
function runThemeScript() {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- executing our own public/theme.js
  (new Function(themeScript) as () => void)();
}

const html = document.documentElement;

describe("the no-flash theme script", () => {
  it("reads the same storage key as the provider", () => {
    expect(themeScript).toContain(`"${THEME_STORAGE_KEY}"`);
  });

  it("is loaded in <head> by a blocking script of its own, not inline", () => {
    const head = /<head>([\s\S]*?)<\/head>/.exec(indexHtml)?.[1] ?? "";
    // No async, defer or type="module": it must run before first paint.
    expect(head).toContain('<script src="/theme.js"></script>');
    expect(indexHtml).not.toMatch(/<script>/);
  });

  it.each([
    { stored: "dark", osDark: false, dark: true },
    { stored: "light", osDark: true, dark: false },
    { stored: "system", osDark: true, dark: true },
    { stored: null, osDark: true, dark: true },
    { stored: null, osDark: false, dark: false },
  ])("stored $stored with OS dark $osDark paints dark=$dark", ({ stored, osDark, dark }) => {
    if (stored) localStorage.setItem(THEME_STORAGE_KEY, stored);
    installMatchMedia({ dark: osDark });

    runThemeScript();

    expect(html.classList.contains("dark")).toBe(dark);
    expect(html.style.colorScheme).toBe(dark ? "dark" : "light");
  });
});
