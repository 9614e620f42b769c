/** The three choices a person can make; "system" follows the OS. */
export type Theme = "light" | "dark" | "system";
/** What is actually painted. */
export type ResolvedTheme = "light" | "dark";

/** localStorage key; the no-flash script (public/theme.js) reads the same key. */
export const THEME_STORAGE_KEY = "flamingo-theme";
/** Media query for the OS dark preference. */
export const DARK_MEDIA_QUERY = "(prefers-color-scheme: dark)";

const THEMES: readonly Theme[] = ["light", "dark", "system"];

function isTheme(value: unknown): value is Theme {
  return THEMES.includes(value as Theme);
}

/** The stored choice, or undefined when none (or storage is unavailable). */
export function readStoredTheme(key: string): Theme | undefined {
  try {
    const value = window.localStorage.getItem(key);
    return isTheme(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers the choice; silently does nothing where storage is blocked. */
export function writeStoredTheme(key: string, theme: Theme): void {
  try {
    window.localStorage.setItem(key, theme);
  } catch {
    // Private browsing or disabled storage: the choice lasts for this visit only.
  }
}

/**
 * On <html> while the theme switches: index.css turns transitions off under
 * it, so every colour changes at once. Otherwise each badge, button and link
 * fades at its own pace (some start a frame late) and for a moment shows its
 * new colour on its old background, well below AA contrast.
 */
export const THEME_SWITCHING_CLASS = "theme-switching";

/** Paints the resolved theme on <html>, as public/theme.js does before first paint. */
export function applyTheme(resolved: ResolvedTheme): void {
  const root = document.documentElement;
  const dark = resolved === "dark";
  if (root.classList.contains("dark") === dark && root.style.colorScheme === resolved) return;
  root.classList.add(THEME_SWITCHING_CLASS);
  root.classList.toggle("dark", dark);
  root.style.colorScheme = resolved;
  // Reading a computed style applies the new colours now, with transitions
  // off; transitions come back for what changes after.
  window.getComputedStyle(root).getPropertyValue("color");
  root.classList.remove(THEME_SWITCHING_CLASS);
}
