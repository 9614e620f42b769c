import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { Role } from "@/api/generated/Role";
import { stubApi } from "@/test/fake-api";
import { testMe, testMember } from "@/test/fixtures";
import { renderApp } from "@/test/render-app";

function signedIn(role: Role) {
  return stubApi({
    "GET /api/auth/me": testMe({ role }),
    "GET /api/orgs/acme/tunnels": [],
    "GET /api/orgs/acme/tunnel-hosts": [],
    "GET /api/orgs/acme/tunnel-names": [],
    "GET /api/orgs/acme/members": [
      testMember({ user_id: "u-ada", name: "Ada Lovelace", role }),
      testMember({ user_id: "u-grace", name: "Grace Hopper", role: "admin" }),
    ],
    "GET /api/me/ssh-keys": [],
  });
}

describe("tunnels pages", () => {
  it("open on the live tunnels, explaining how to open one", async () => {
    signedIn("viewer");
    const { user, router } = renderApp("/o/acme/tunnels");

    expect(await screen.findByRole("heading", { level: 1, name: "Tunnels" })).toBeInTheDocument();
    expect(await screen.findByText("No open tunnels")).toBeInTheDocument();
    expect(screen.getByText("ssh -R myapp:80:localhost:3000 -p 2222 <host>")).toBeInTheDocument();

    const tabs = screen.getByRole("navigation", { name: "Tunnels" });
    expect(within(tabs).getByRole("link", { name: "Tunnels" })).toHaveAttribute("aria-current", "page");
    await user.click(within(tabs).getByRole("link", { name: "Hosts" }));
    expect(await screen.findByText("No tunnel hosts")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/o/acme/tunnels/hosts");
    expect(within(tabs).getByRole("link", { name: "Tunnels" })).not.toHaveAttribute("aria-current");
    expect(within(tabs).getByRole("link", { name: "Hosts" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("button", { name: "Add tunnel host" })).toBeDisabled();
  });

  it("offer operators the reserve form", async () => {
    signedIn("operator");
    renderApp("/o/acme/tunnels/names");

    const form = await screen.findByRole("form", { name: "Reserve a name" });
    expect(within(form).getByRole("combobox", { name: "For" })).toHaveTextContent("Ada Lovelace (you)");
    expect(await screen.findByText("No reserved names")).toBeInTheDocument();
  });

  it("hide the reserve form from viewers", async () => {
    signedIn("viewer");
    renderApp("/o/acme/tunnels/names");

    expect(await screen.findByText("No reserved names")).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "Reserve a name" })).not.toBeInTheDocument();
    expect(screen.getByText("Only owners, admins and operators can kick tunnels and reserve names.")).toBeInTheDocument();
  });

  it("let admins add tunnel hosts", async () => {
    signedIn("admin");
    renderApp("/o/acme/tunnels/hosts");
    expect(await screen.findByRole("button", { name: "Add tunnel host" })).toBeEnabled();
  });

  it("list SSH keys in settings", async () => {
    signedIn("viewer");
    renderApp("/o/acme/settings/ssh-keys");

    expect(await screen.findByRole("heading", { level: 2, name: "SSH keys" })).toBeInTheDocument();
    expect(await screen.findByText("No SSH keys")).toBeInTheDocument();
    const tabs = screen.getByRole("navigation", { name: "Settings" });
    expect(within(tabs).getByRole("link", { name: "SSH keys" })).toHaveAttribute("aria-current", "page");
  });
});
