import { afterEach, describe, expect, it, vi } from "vitest";

import { THEME_SWITCHING_CLASS, applyTheme } from "@/components/theme/theme-storage";

afterEach(() => {
  vi.restoreAllMocks();
  document.documentElement.className = "";
  document.documentElement.style.colorScheme = "";
});

describe("applyTheme", () => {
  it("applies the new colours with transitions off, then turns them back on", () => {
    const root = document.documentElement;
    const seen: { switching: boolean; dark: boolean }[] = [];
    const original = window.getComputedStyle.bind(window);
    vi.spyOn(window, "getComputedStyle").mockImplementation((element, pseudo) => {
      seen.push({ switching: root.classList.contains(THEME_SWITCHING_CLASS), dark: root.classList.contains("dark") });
      return original(element, pseudo);
    });

    applyTheme("dark");

    // The style was computed (so painted) while transitions were off and the new theme was on.
    expect(seen).toEqual([{ switching: true, dark: true }]);
    expect(root.classList.contains(THEME_SWITCHING_CLASS)).toBe(false);
    expect(root.classList.contains("dark")).toBe(true);
    expect(root.style.colorScheme).toBe("dark");
  });

  it("leaves the page alone when the theme is already painted", () => {
    applyTheme("light");
    const spy = vi.spyOn(window, "getComputedStyle");
    applyTheme("light");
    expect(spy).not.toHaveBeenCalled();
    expect(document.documentElement.classList.contains("dark")).toBe(false);
  });
});
