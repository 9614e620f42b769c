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

/** Paints the resolved theme on <html>, as public/theme.js does before first paint. */
export function applyTheme(resolved: ResolvedTheme): void {
  const root = document.documentElement;
  root.classList.toggle("dark", resolved === "dark");
  root.style.colorScheme = resolved;
}
