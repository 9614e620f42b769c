import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { SharedServer } from "@/api/generated/SharedServer";
import { stubApi } from "@/test/fake-api";
import { testMe } from "@/test/fixtures";
import { renderApp } from "@/test/render-app";

/** Signed in, a member of no organization. */
function noMemberships() {
  return { ...testMe(), memberships: [] };
}

const SHARED: SharedServer = {
  id: "9f1c2d3e-0000-4000-8000-000000000001",
  name: "survival",
  org: "games",
  org_name: "Ada Games",
  node_name: "sim-1",
  status: null,
  container_state: "running",
  owner: false,
  permissions: ["control.console", "websocket.connect"],
};

describe("servers shared with someone outside their organization", () => {
  it("sends / to the list of their servers, each linking to its page", async () => {
    stubApi({ "GET /api/auth/me": noMemberships(), "GET /api/me/servers": [SHARED] });
    const { router } = renderApp("/");

    expect(await screen.findByRole("heading", { level: 1, name: "Your servers" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/servers");
    const table = screen.getByRole("table", { name: "Your servers" });
    expect(within(table).getByRole("link", { name: "survival" })).toHaveAttribute(
      "href",
      `/o/games/game-servers/${SHARED.id}`,
    );
    expect(within(table).getByText("Ada Games")).toBeInTheDocument();
    expect(within(table).getByText("Subuser · 2 permissions")).toBeInTheDocument();
    expect(within(screen.getByRole("navigation", { name: "Main" })).getByRole("link", { name: "Your servers" })).toHaveAttribute(
      "href",
      "/servers",
    );
  });

  it("keeps / on 'No organization yet' for someone with no servers either", async () => {
    stubApi({ "GET /api/auth/me": noMemberships(), "GET /api/me/servers": [] });
    renderApp("/");

    expect(await screen.findByRole("heading", { level: 1, name: "No organization yet" })).toBeInTheDocument();
  });

  it("shows an organization's other pages to a subuser who is not a member as not found", async () => {
    stubApi({ "GET /api/auth/me": noMemberships(), "GET /api/me/servers": [SHARED] });
    renderApp("/o/games/game-servers");

    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
  });

  it("says when there are no servers yet", async () => {
    stubApi({ "GET /api/auth/me": testMe(), "GET /api/me/servers": [] });
    renderApp("/servers");

    expect(await screen.findByText("No servers yet")).toBeInTheDocument();
  });
});
