import { screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import { jsonResponse, stubFetch } from "@/test/fetch";
import { renderApp } from "@/test/render-app";

const SECTIONS = [
  ["Dashboard", "/o/acme"],
  ["Game servers", "/o/acme/game-servers"],
  ["Tunnels", "/o/acme/tunnels"],
  ["VPS fleet", "/o/acme/vps"],
  ["Audit log", "/o/acme/audit-log"],
  ["Settings", "/o/acme/settings"],
] as const;

describe("app shell navigation", () => {
  beforeEach(() => {
    stubFetch(() =>
      Promise.resolve(
        jsonResponse(200, { status: "ok", version: "0.1.0", checks: { d1: "ok" } }),
      ),
    );
  });

  it("lists every section under the current organization", async () => {
    renderApp("/o/acme/tunnels");

    const nav = await screen.findByRole("navigation", { name: "Main" });
    const links = within(nav).getAllByRole("link");
    expect(links.map((link) => [link.textContent, link.getAttribute("href")])).toEqual(SECTIONS);
    expect(within(nav).getByRole("link", { name: "Tunnels" })).toHaveAttribute("aria-current", "page");
    expect(within(nav).getByRole("link", { name: "Dashboard" })).not.toHaveAttribute("aria-current");
  });

  it("says plainly that unbuilt sections are not built yet", async () => {
    renderApp("/o/acme/audit-log");

    expect(await screen.findByRole("heading", { level: 1, name: "Audit log" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Not built yet" })).toBeInTheDocument();
  });

  it("sends / to the default organization's dashboard", async () => {
    const { router } = renderApp("/");

    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/o/default");
    expect(screen.getByRole("button", { name: "Organization: default" })).toBeInTheDocument();
    expect(await screen.findByText("All systems operational")).toBeInTheDocument();
  });

  it("moves between sections and marks the current one", async () => {
    const { user, router } = renderApp("/o/acme");
    const nav = await screen.findByRole("navigation", { name: "Main" });

    await user.click(within(nav).getByRole("link", { name: "Settings" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Settings" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/o/acme/settings");
    expect(within(nav).getByRole("link", { name: "Settings" })).toHaveAttribute("aria-current", "page");
  });

  it("opens the navigation in a sheet on narrow screens and closes it after a choice", async () => {
    const { user } = renderApp("/o/acme");
    await screen.findByRole("navigation", { name: "Main" });

    await user.click(screen.getByRole("button", { name: "Open navigation" }));
    const sheet = await screen.findByRole("dialog");
    await user.click(within(sheet).getByRole("link", { name: "Game servers" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Game servers" })).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    });
  });

  it("shows a not-found page for unknown addresses", async () => {
    renderApp("/nowhere");

    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
  });
});
