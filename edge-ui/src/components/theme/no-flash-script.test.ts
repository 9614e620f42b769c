import { describe, expect, it } from "vitest";

import indexHtml from "../../../index.html?raw";
import { THEME_STORAGE_KEY } from "@/components/theme/theme-storage";
import { installMatchMedia } from "@/test/match-media";

/** Runs the blocking inline script from index.html, as the browser does before first paint. */
function runInlineThemeScript() {
  const match = /<script>([\s\S]*?)<\/script>/.exec(indexHtml);
  if (!match?.[1]) throw new Error("index.html has no inline theme script");
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- executing our own index.html script
  (new Function(match[1]) as () => void)();
}

const html = document.documentElement;

describe("index.html theme script", () => {
  it("reads the same storage key as the provider", () => {
    expect(indexHtml).toContain(`"${THEME_STORAGE_KEY}"`);
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

    runInlineThemeScript();

    expect(html.classList.contains("dark")).toBe(dark);
    expect(html.style.colorScheme).toBe(dark ? "dark" : "light");
  });
});
