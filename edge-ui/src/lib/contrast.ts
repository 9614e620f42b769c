/**
 * WCAG 2 contrast between two colours, for checking the app's own palettes
 * (e.g. the toasts') against AA: 4.5:1 for body text.
 */

/** WCAG AA's minimum for normal-size text. */
export const AA_TEXT = 4.5;

type Rgb = readonly [number, number, number];

/** Parses `#rrggbb`, `rgb(r, g, b)` or `hsl(h s% l%)` / `hsl(h, s%, l%)` into 0-255 channels. */
export function parseColor(css: string): Rgb {
  const value = css.trim().toLowerCase();
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(value);
  if (hex) return [parseInt(hex[1] ?? "0", 16), parseInt(hex[2] ?? "0", 16), parseInt(hex[3] ?? "0", 16)];
  const numbers = (value.match(/-?[\d.]+/g) ?? []).map(Number);
  const [a = 0, b = 0, c = 0] = numbers;
  if (value.startsWith("rgb")) return [a, b, c];
  if (value.startsWith("hsl")) return hslToRgb(a, b / 100, c / 100);
  throw new Error(`unsupported colour: ${css}`);
}

function hslToRgb(h: number, s: number, l: number): Rgb {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => 255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1)));
  return [f(0), f(8), f(4)];
}

function luminance([r, g, b]: Rgb): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** The contrast ratio, 1 to 21. */
export function contrastRatio(foreground: string, background: string): number {
  const [lighter, darker] = [luminance(parseColor(foreground)), luminance(parseColor(background))].sort(
    (x, y) => y - x,
  );
  return ((lighter ?? 0) + 0.05) / ((darker ?? 0) + 0.05);
}
