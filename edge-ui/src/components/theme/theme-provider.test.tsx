import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { useTheme } from "@/components/theme/theme-context";
import { ThemeProvider } from "@/components/theme/theme-provider";
import { THEME_STORAGE_KEY } from "@/components/theme/theme-storage";
import { installMatchMedia } from "@/test/match-media";

function Probe() {
  const { theme, resolvedTheme, setTheme } = useTheme();
  return (
    <div>
      <p>
        {theme}/{resolvedTheme}
      </p>
      {(["dark", "light", "system"] as const).map((choice) => (
        <button
          key={choice}
          onClick={() => {
            setTheme(choice);
          }}
        >
          {choice}
        </button>
      ))}
    </div>
  );
}

const html = document.documentElement;

function renderProvider() {
  return render(
    <ThemeProvider>
      <Probe />
    </ThemeProvider>,
  );
}

describe("ThemeProvider", () => {
  it("starts in system mode and follows the OS preference live", () => {
    const media = installMatchMedia({ dark: false });
    renderProvider();

    expect(screen.getByText("system/light")).toBeInTheDocument();
    expect(html).not.toHaveClass("dark");

    act(() => {
      media.setDark(true);
    });
    expect(screen.getByText("system/dark")).toBeInTheDocument();
    expect(html).toHaveClass("dark");
    expect(html.style.colorScheme).toBe("dark");

    act(() => {
      media.setDark(false);
    });
    expect(html).not.toHaveClass("dark");
  });

  it("persists the choice and restores it on the next visit", async () => {
    const user = userEvent.setup();
    const { unmount } = renderProvider();

    await user.click(screen.getByRole("button", { name: "dark" }));

    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe("dark");
    expect(html).toHaveClass("dark");

    unmount();
    html.classList.remove("dark");
    renderProvider();
    expect(screen.getByText("dark/dark")).toBeInTheDocument();
    expect(html).toHaveClass("dark");
  });

  it("ignores the OS while an explicit theme is chosen", async () => {
    const media = installMatchMedia({ dark: false });
    const user = userEvent.setup();
    renderProvider();

    await user.click(screen.getByRole("button", { name: "light" }));
    act(() => {
      media.setDark(true);
    });
    expect(html).not.toHaveClass("dark");

    await user.click(screen.getByRole("button", { name: "system" }));
    expect(html).toHaveClass("dark");
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe("system");
  });

  it("falls back to system for an unknown stored value", () => {
    localStorage.setItem(THEME_STORAGE_KEY, "sepia");
    installMatchMedia({ dark: true });
    renderProvider();

    expect(screen.getByText("system/dark")).toBeInTheDocument();
  });

  it("stops listening to the OS when unmounted", () => {
    const media = installMatchMedia({ dark: false });
    const { unmount } = renderProvider();
    expect(media.listenerCount()).toBeGreaterThan(0);

    unmount();
    expect(media.listenerCount()).toBe(0);
  });
});
