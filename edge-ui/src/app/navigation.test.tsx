import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { errorResponse, stubApi } from "@/test/fake-api";
import { EMPTY_AUDIT, HEALTHY, testMe, testMember } from "@/test/fixtures";
import { renderApp } from "@/test/render-app";

const SECTIONS = [
  ["Dashboard", "/o/acme"],
  ["Game servers", "/o/acme/game-servers"],
  ["Nodes", "/o/acme/nodes"],
  ["Eggs", "/o/acme/eggs"],
  ["Tunnels", "/o/acme/tunnels"],
  ["VPS fleet", "/o/acme/vps"],
  ["Organization", "/o/acme/organization"],
  ["Audit log", "/o/acme/audit-log"],
  ["Settings", "/o/acme/settings"],
] as const;

function signedIn() {
  return stubApi({
    "GET /api/auth/me": testMe(),
    "GET /api/health": HEALTHY,
    "GET /api/orgs/acme/members": [testMember({ user_id: "u-ada", name: "Ada Lovelace", role: "owner" })],
    "GET /api/orgs/acme/invitations": [],
    "GET /api/orgs/acme/audit": EMPTY_AUDIT,
    "GET /api/orgs/acme/tunnels": [],
  });
}

describe("app shell navigation", () => {
  it("lists every section under the current organization", async () => {
    signedIn();
    renderApp("/o/acme/tunnels");

    const nav = await screen.findByRole("navigation", { name: "Main" });
    const links = within(nav).getAllByRole("link");
    expect(links.map((link) => [link.textContent, link.getAttribute("href")])).toEqual(SECTIONS);
    expect(within(nav).getByRole("link", { name: "Tunnels" })).toHaveAttribute("aria-current", "page");
    expect(within(nav).getByRole("link", { name: "Dashboard" })).not.toHaveAttribute("aria-current");
  });

  it("says plainly that unbuilt sections are not built yet", async () => {
    signedIn();
    renderApp("/o/acme/vps");

    expect(await screen.findByRole("heading", { level: 1, name: "VPS fleet" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Not built yet" })).toBeInTheDocument();
  });

  it("sends / to the first organization's dashboard", async () => {
    signedIn();
    const { router } = renderApp("/");

    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/o/acme");
    expect(screen.getByRole("button", { name: "Organization: Acme" })).toBeInTheDocument();
    expect(await screen.findByText("All systems operational")).toBeInTheDocument();
  });

  it("sends / to first-run setup while it is needed", async () => {
    stubApi({
      "GET /api/auth/me": () => errorResponse(401, "unauthenticated", "Sign in first."),
      "GET /api/setup": { needed: true },
    });
    const { router } = renderApp("/");

    expect(await screen.findByRole("heading", { level: 1, name: "Set up Flamingo" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/setup");
  });

  it("sends a signed-out visitor to sign-in and back afterwards", async () => {
    stubApi({
      "GET /api/auth/me": () => errorResponse(401, "unauthenticated", "Sign in first."),
      "GET /api/setup": { needed: false },
    });
    const { router } = renderApp("/o/acme/audit-log");

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in to Flamingo" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(router.state.location.search).toEqual({ redirect: "/o/acme/audit-log" });
  });

  it("moves between sections and marks the current one", async () => {
    signedIn();
    const { user, router } = renderApp("/o/acme");
    const nav = await screen.findByRole("navigation", { name: "Main" });

    await user.click(within(nav).getByRole("link", { name: "Settings" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Settings" })).toBeInTheDocument();
    await waitFor(() => {
      expect(router.state.location.pathname).toBe("/o/acme/settings/profile");
    });
    expect(within(nav).getByRole("link", { name: "Settings" })).toHaveAttribute("aria-current", "page");
  });

  it("opens the navigation in a sheet on narrow screens and closes it after a choice", async () => {
    signedIn();
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

  it("shows a not-found page for unknown addresses and other organizations", async () => {
    signedIn();
    renderApp("/nowhere");
    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
  });

  it("treats an organization the user is not in as not found", async () => {
    signedIn();
    renderApp("/o/elsewhere");
    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
  });
});
