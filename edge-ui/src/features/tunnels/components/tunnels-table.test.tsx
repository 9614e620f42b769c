import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Tunnel } from "@/api/generated/Tunnel";
import { TunnelsTable } from "@/features/tunnels/components/tunnels-table";
import { jsonResponse } from "@/test/fetch";
import { errorResponse, noContent, stubApi } from "@/test/fake-api";
import { renderWithProviders } from "@/test/render-app";

function tunnel(overrides: Partial<Tunnel> & Pick<Tunnel, "id" | "name">): Tunnel {
  return {
    kind: "http",
    public_url: `https://${overrides.name}.tunnels.example.com`,
    client_addr: "203.0.113.7:51234",
    opened_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    bytes_in: 1536,
    bytes_out: 3 * 1024 * 1024,
    requests: 1234,
    user: { id: "u-ada", name: "Ada Lovelace", email: "ada@example.com" },
    host: { id: "h-1", name: "eu-1", online: true },
    ...overrides,
  };
}

const MYAPP = tunnel({ id: "t-1", name: "myapp" });
const DB = tunnel({
  id: "t-2",
  name: "tcp-5432",
  kind: "tcp",
  public_url: "tcp://eu-1.example.com:5432",
  user: { id: "deploy", name: null, email: null },
  host: { id: "h-2", name: "us-1", online: false },
});

function server() {
  let tunnels = [MYAPP, DB];
  return stubApi({
    "GET /api/orgs/acme/tunnels": () => jsonResponse(200, tunnels),
    "DELETE /api/orgs/acme/tunnels/t-1": () => {
      tunnels = tunnels.filter((t) => t.id !== "t-1");
      return noContent();
    },
    "DELETE /api/orgs/acme/tunnels/t-2": () =>
      errorResponse(409, "host_offline", "The tunnel's host is offline; try again when it is back."),
  });
}

describe("TunnelsTable", () => {
  it("shows each tunnel with its link, kind, owner, host and traffic", async () => {
    server();
    renderWithProviders(<TunnelsTable org="acme" role="viewer" />);

    const link = await screen.findByRole("link", { name: "https://myapp.tunnels.example.com" });
    expect(link).toHaveAttribute("href", "https://myapp.tunnels.example.com");
    const row = link.closest("tr");
    if (!row) throw new Error("no row");
    expect(row).toHaveTextContent("http");
    expect(row).toHaveTextContent("Ada Lovelace");
    expect(row).toHaveTextContent("eu-1(online)");
    expect(row).toHaveTextContent("1,234");
    expect(row).toHaveTextContent("1.5 KB / 3.0 MB");
    expect(row).toHaveTextContent("5 minutes ago");
    const db = screen.getByText("tcp-5432").closest("tr");
    expect(db).toHaveTextContent("tcp://eu-1.example.com:5432");
    expect(db).toHaveTextContent("deploy");
    expect(db).toHaveTextContent("us-1(offline)");
  });

  it("shows each tunnel's full URL with a copy button, and a QR code for web tunnels", async () => {
    server();
    const { user } = renderWithProviders(<TunnelsTable org="acme" role="viewer" />);

    await screen.findByRole("link", { name: "https://myapp.tunnels.example.com" });
    await user.click(screen.getByRole("button", { name: "Copy the URL of myapp" }));
    expect(await navigator.clipboard.readText()).toBe("https://myapp.tunnels.example.com");
    expect(await screen.findByText("URL copied")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Copy the URL of tcp-5432" }));
    expect(await navigator.clipboard.readText()).toBe("tcp://eu-1.example.com:5432");
    // A phone cannot open tcp://, so only the web tunnel has a QR code.
    expect(screen.queryByRole("button", { name: "QR code of tcp-5432" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "QR code of myapp" }));
    const dialog = await screen.findByRole("dialog", { name: "Open myapp on a phone" });
    expect(within(dialog).getByRole("img", { name: "QR code of https://myapp.tunnels.example.com" })).toBeInTheDocument();
  });

  it("offers no kick to a viewer", async () => {
    const api = server();
    renderWithProviders(<TunnelsTable org="acme" role="viewer" />);

    await screen.findByRole("link", { name: "https://myapp.tunnels.example.com" });
    expect(screen.queryByRole("button", { name: /^Kick / })).not.toBeInTheDocument();
    expect(api.requests.filter((r) => r.method !== "GET")).toHaveLength(0);
  });

  it("kicks a tunnel after a confirmation naming it", async () => {
    const api = server();
    const { user } = renderWithProviders(<TunnelsTable org="acme" role="operator" />);

    await user.click(await screen.findByRole("button", { name: "Kick myapp" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog).toHaveTextContent("Kick myapp?");
    expect(dialog).toHaveTextContent("https://myapp.tunnels.example.com");
    await user.click(within(dialog).getByRole("button", { name: "Kick tunnel" }));

    await vi.waitFor(() => {
      expect(api.calls("DELETE /api/orgs/acme/tunnels/t-1")).toHaveLength(1);
    });
    expect(await screen.findByText("Kicked myapp")).toBeInTheDocument();
    await vi.waitFor(() => {
      expect(screen.queryByRole("link", { name: "https://myapp.tunnels.example.com" })).not.toBeInTheDocument();
    });
  });

  it("says why a kick failed", async () => {
    const api = server();
    const { user } = renderWithProviders(<TunnelsTable org="acme" role="admin" />);

    await user.click(await screen.findByRole("button", { name: "Kick tcp-5432" }));
    await user.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Cancel" }));
    expect(api.calls("DELETE /api/orgs/acme/tunnels/t-2")).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Kick tcp-5432" }));
    await user.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Kick tunnel" }));
    expect(await screen.findByText("Could not kick tcp-5432")).toBeInTheDocument();
    expect(screen.getByText("The tunnel's host is offline; try again when it is back.")).toBeInTheDocument();
  });
});
