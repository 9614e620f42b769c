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
    expect(screen.queryByText(/<host>/)).not.toBeInTheDocument();
    // A viewer opens no tunnels, so is shown no command.
    expect(screen.queryByRole("heading", { name: "Open a tunnel" })).not.toBeInTheDocument();

    const tabs = screen.getByRole("navigation", { name: "Tunnels" });
    expect(within(tabs).getByRole("link", { name: "Tunnels" })).toHaveAttribute("aria-current", "page");
    await user.click(within(tabs).getByRole("link", { name: "Hosts" }));
    expect(await screen.findByText("No tunnel hosts")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/o/acme/tunnels/hosts");
    expect(within(tabs).getByRole("link", { name: "Tunnels" })).not.toHaveAttribute("aria-current");
    expect(within(tabs).getByRole("link", { name: "Hosts" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("button", { name: "Add tunnel host" })).toBeDisabled();
  });

  it("show operators each host's own command, with its real host and port, on both tabs", async () => {
    stubApi({
      "GET /api/auth/me": testMe({ role: "operator" }),
      "GET /api/orgs/acme/tunnels": [],
      "GET /api/orgs/acme/tunnel-hosts": [
        {
          id: "h-1",
          name: "eu-1",
          status: "online",
          created_at: "2026-11-01T10:00:00Z",
          last_seen_at: "2026-11-01T10:05:00Z",
          enrolled_at: "2026-11-01T10:05:00Z",
          ssh_host: "ssh.example.com",
          ssh_port: 40022,
          tunnel_domain: "t.example.com",
        },
        // Not reported yet (pending, or an older tunnel-host): no command made up for it.
        {
          id: "h-2",
          name: "us-1",
          status: "pending",
          created_at: "2026-11-01T10:00:00Z",
          last_seen_at: null,
          enrolled_at: null,
        },
      ],
    });
    const { user } = renderApp("/o/acme/tunnels");

    expect(await screen.findByRole("heading", { name: "Open a tunnel" })).toBeInTheDocument();
    expect(await screen.findByLabelText("HTTP tunnel on eu-1")).toHaveValue(
      "ssh -R ada:80:localhost:3000 -p 40022 ssh.example.com",
    );
    expect(screen.getByLabelText("TCP tunnel on eu-1")).toHaveValue("ssh -R 0:localhost:5432 -p 40022 ssh.example.com");
    expect(screen.getByText(/local port 3000 at ada\.t\.example\.com/)).toBeInTheDocument();
    expect(screen.queryByLabelText("HTTP tunnel on us-1")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Copy HTTP tunnel on eu-1" }));
    expect(await navigator.clipboard.readText()).toBe("ssh -R ada:80:localhost:3000 -p 40022 ssh.example.com");

    await user.click(within(screen.getByRole("navigation", { name: "Tunnels" })).getByRole("link", { name: "Hosts" }));
    expect(await screen.findByRole("heading", { name: "Tunnel hosts" })).toBeInTheDocument();
    expect(await screen.findByLabelText("HTTP tunnel on eu-1")).toHaveValue(
      "ssh -R ada:80:localhost:3000 -p 40022 ssh.example.com",
    );
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
