/**
 * The toasts' rich colours, per theme, as sonner's CSS variables. Sonner's
 * own light palette puts green on pale green at about 4.3:1 (and amber at
 * 3:1), below WCAG AA's 4.5:1 for text; these keep its hues, darker.
 * `toast-palette.test.ts` checks every text/background pair.
 */

type Kind = "success" | "info" | "warning" | "error";

/** Text and background for each kind of toast. */
export type ToastPalette = Record<Kind, { text: string; bg: string; border: string }>;

export const toastPalettes: Record<"light" | "dark", ToastPalette> = {
  light: {
    success: { text: "hsl(140 100% 20%)", bg: "hsl(143 85% 96%)", border: "hsl(145 92% 87%)" },
    info: { text: "hsl(210 92% 35%)", bg: "hsl(208 100% 97%)", border: "hsl(221 91% 93%)" },
    warning: { text: "hsl(31 92% 28%)", bg: "hsl(49 100% 97%)", border: "hsl(49 91% 84%)" },
    error: { text: "hsl(360 100% 35%)", bg: "hsl(359 100% 97%)", border: "hsl(359 100% 94%)" },
  },
  dark: {
    success: { text: "hsl(150 86% 65%)", bg: "hsl(150 100% 6%)", border: "hsl(147 100% 12%)" },
    info: { text: "hsl(216 87% 65%)", bg: "hsl(215 100% 6%)", border: "hsl(223 43% 17%)" },
    warning: { text: "hsl(46 87% 65%)", bg: "hsl(64 100% 6%)", border: "hsl(60 100% 9%)" },
    error: { text: "hsl(358 100% 81%)", bg: "hsl(358 76% 10%)", border: "hsl(357 89% 16%)" },
  },
};

/** The palette as the CSS variables sonner reads on its toaster. */
export function toastPaletteVariables(theme: "light" | "dark"): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [kind, colours] of Object.entries(toastPalettes[theme])) {
    variables[`--${kind}-text`] = colours.text;
    variables[`--${kind}-bg`] = colours.bg;
    variables[`--${kind}-border`] = colours.border;
  }
  return variables;
}
