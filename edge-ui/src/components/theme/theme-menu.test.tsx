import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { ThemeMenu } from "@/components/theme/theme-menu";
import { THEME_STORAGE_KEY } from "@/components/theme/theme-storage";
import { renderWithProviders } from "@/test/render-app";

describe("ThemeMenu", () => {
  it("offers light, dark and system and applies the choice", async () => {
    const { user } = renderWithProviders(<ThemeMenu />);

    await user.click(screen.getByRole("button", { name: "Change theme" }));
    const options = screen.getAllByRole("menuitemradio");
    expect(options.map((option) => option.textContent)).toEqual(["Light", "Dark", "System"]);
    expect(screen.getByRole("menuitemradio", { name: "System" })).toHaveAttribute(
      "aria-checked",
      "true",
    );

    await user.click(screen.getByRole("menuitemradio", { name: "Dark" }));

    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe("dark");
    expect(document.documentElement).toHaveClass("dark");
  });

  it("can be used from the keyboard", async () => {
    const { user } = renderWithProviders(<ThemeMenu />);

    await user.tab();
    expect(screen.getByRole("button", { name: "Change theme" })).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(screen.getByRole("menuitemradio", { name: "Light" })).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("menuitemradio", { name: "Dark" })).toHaveFocus();
    await user.keyboard("{Enter}");

    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe("dark");
    expect(screen.getByRole("button", { name: "Change theme" })).toHaveFocus();
  });
});
