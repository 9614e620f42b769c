import { describe, expect, it } from "vitest";

import { toastPalettes, toastPaletteVariables } from "@/components/theme/toast-palette";
import { AA_TEXT, contrastRatio } from "@/lib/contrast";

describe("toast palette", () => {
  for (const [theme, palette] of Object.entries(toastPalettes)) {
    for (const [kind, { text, bg }] of Object.entries(palette)) {
      it(`${theme} ${kind} text passes AA on its background`, () => {
        expect(contrastRatio(text, bg)).toBeGreaterThanOrEqual(AA_TEXT);
      });
    }
  }

  it("gives sonner every variable it reads", () => {
    const light = toastPaletteVariables("light");
    expect(light["--success-text"]).toBe(toastPalettes.light.success.text);
    expect(Object.keys(light)).toHaveLength(12);
  });
});

describe("contrastRatio", () => {
  it("matches WCAG's known values", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
    // Sonner's default light success pair: the one that failed.
    expect(contrastRatio("hsl(140, 100%, 27%)", "hsl(143, 85%, 96%)")).toBeLessThan(AA_TEXT);
    expect(contrastRatio("rgb(255, 255, 255)", "hsl(0 0% 100%)")).toBeCloseTo(1, 5);
  });
});
