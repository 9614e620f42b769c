import { createContext, useContext } from "react";

import type { ResolvedTheme, Theme } from "@/components/theme/theme-storage";

/** What the theme provider shares with the rest of the app. */
export type ThemeContextValue = {
  theme: Theme;
  resolvedTheme: ResolvedTheme;
  setTheme: (theme: Theme) => void;
};

export const ThemeContext = createContext<ThemeContextValue | null>(null);

/** The current theme and a setter; must be used inside <ThemeProvider>. */
export function useTheme(): ThemeContextValue {
  const value = useContext(ThemeContext);
  if (!value) throw new Error("useTheme must be used within <ThemeProvider>");
  return value;
}
