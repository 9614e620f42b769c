import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { TunnelHost } from "@/api/generated/TunnelHost";
import { AddTunnelHostDialog } from "@/features/tunnels/components/add-tunnel-host-dialog";
import { TunnelHostsTable } from "@/features/tunnels/components/tunnel-hosts-table";
import { jsonResponse } from "@/test/fetch";
import { errorResponse, noContent, stubApi, type FakeRequest } from "@/test/fake-api";
import { renderWithProviders } from "@/test/render-app";

const ONLINE: TunnelHost = {
  id: "h-1",
  name: "eu-1",
  status: "online",
  created_at: "2026-11-01T10:00:00Z",
  last_seen_at: new Date(Date.now() - 10_000).toISOString(),
  enrolled_at: "2026-11-01T10:05:00Z",
  ssh_host: "eu-1.tunnels.example.com",
  ssh_port: 40022,
  tunnel_domain: "eu-1.tunnels.example.com",
};
const PENDING: TunnelHost = {
  id: "h-2",
  name: "us-1",
  status: "pending",
  created_at: "2026-11-02T10:00:00Z",
  last_seen_at: null,
  enrolled_at: null,
  ssh_host: null,
  ssh_port: null,
  tunnel_domain: null,
};

describe("TunnelHostsTable", () => {
  it("shows status and last contact, and no removal for an operator", async () => {
    const api = stubApi({ "GET /api/orgs/acme/tunnel-hosts": [ONLINE, PENDING] });
    renderWithProviders(<TunnelHostsTable org="acme" role="operator" />);

    const eu = (await screen.findByText("eu-1")).closest("tr");
    expect(eu).toHaveTextContent("SSH address eu-1.tunnels.example.com:40022");
    expect(eu).toHaveTextContent("Online");
    expect(eu).toHaveTextContent("just now");
    const us = screen.getByRole("cell", { name: "us-1" }).closest("tr");
    expect(us).toHaveTextContent("Pending enrollment");
    expect(us).toHaveTextContent("Never");
    expect(screen.queryByRole("button", { name: /^Remove / })).not.toBeInTheDocument();
    expect(api.requests.filter((r) => r.method !== "GET")).toHaveLength(0);
  });

  it("removes a host after confirmation", async () => {
    let hosts = [ONLINE, PENDING];
    const api = stubApi({
      "GET /api/orgs/acme/tunnel-hosts": () => jsonResponse(200, hosts),
      "DELETE /api/orgs/acme/tunnel-hosts/h-2": () => {
        hosts = hosts.filter((h) => h.id !== "h-2");
        return noContent();
      },
    });
    const { user } = renderWithProviders(<TunnelHostsTable org="acme" role="admin" />);

    await user.click(await screen.findByRole("button", { name: "Remove us-1" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog).toHaveTextContent("Remove us-1?");
    await user.click(within(dialog).getByRole("button", { name: "Remove host" }));

    await vi.waitFor(() => {
      expect(api.calls("DELETE /api/orgs/acme/tunnel-hosts/h-2")).toHaveLength(1);
    });
    await vi.waitFor(() => {
      expect(screen.queryByRole("cell", { name: "us-1" })).not.toBeInTheDocument();
    });
  });

  it("explains an empty fleet", async () => {
    stubApi({ "GET /api/orgs/acme/tunnel-hosts": [] });
    renderWithProviders(<TunnelHostsTable org="acme" role="viewer" />);
    expect(await screen.findByText("No tunnel hosts")).toBeInTheDocument();
    expect(screen.getByText(/An owner or admin can add/)).toBeInTheDocument();
  });
});

describe("AddTunnelHostDialog", () => {
  it("shows the enrollment token and command once", async () => {
    const api = stubApi({
      "POST /api/orgs/acme/tunnel-hosts": ({ body }: FakeRequest) =>
        jsonResponse(201, {
          host: { ...PENDING, id: "h-3", name: (body as { name: string }).name },
          enrollment_token: "fte_secret",
        }),
    });
    const { user } = renderWithProviders(<AddTunnelHostDialog org="acme" />);

    await user.click(screen.getByRole("button", { name: "Add tunnel host" }));
    await user.type(await screen.findByLabelText("Name"), "ap-1");
    await user.click(screen.getByRole("button", { name: "Add host" }));

    expect(await screen.findByLabelText("Enrollment command")).toHaveValue(
      `tunnel-host --edge ${window.location.origin} --enroll fte_secret`,
    );
    expect(screen.getByLabelText("Enrollment token")).toHaveValue("fte_secret");
    expect(screen.getByRole("button", { name: "Copy enrollment command" })).toBeInTheDocument();
    expect(api.calls("POST /api/orgs/acme/tunnel-hosts").map((r) => r.body)).toEqual([{ name: "ap-1" }]);

    // Closed and opened again: the token is gone for good.
    await user.click(screen.getByRole("button", { name: "Done" }));
    await user.click(screen.getByRole("button", { name: "Add tunnel host" }));
    expect(await screen.findByLabelText("Name")).toHaveValue("");
    expect(screen.queryByLabelText("Enrollment token")).not.toBeInTheDocument();
    expect(screen.queryByText(/fte_secret/)).not.toBeInTheDocument();
  });

  it("shows the server's field errors", async () => {
    stubApi({
      "POST /api/orgs/acme/tunnel-hosts": () =>
        errorResponse(400, "invalid", "Some fields are not valid.", { name: "must be at most 100 characters" }),
    });
    const { user } = renderWithProviders(<AddTunnelHostDialog org="acme" />);

    await user.click(screen.getByRole("button", { name: "Add tunnel host" }));
    await user.type(await screen.findByLabelText("Name"), "x");
    await user.click(screen.getByRole("button", { name: "Add host" }));
    expect(await screen.findByText("Must be at most 100 characters")).toBeInTheDocument();
  });

  it("shows a failure without fields once, in the dialog, with focus on it", async () => {
    stubApi({
      "POST /api/orgs/acme/tunnel-hosts": () =>
        errorResponse(409, "too_many_hosts", "An organization may have 100 tunnel hosts."),
    });
    const { user } = renderWithProviders(<AddTunnelHostDialog org="acme" />);

    await user.click(screen.getByRole("button", { name: "Add tunnel host" }));
    await user.type(await screen.findByLabelText("Name"), "eu-2");
    await user.click(screen.getByRole("button", { name: "Add host" }));
    const alert = await within(screen.getByRole("dialog")).findByRole("alert");
    expect(alert).toHaveTextContent("An organization may have 100 tunnel hosts.");
    await vi.waitFor(() => {
      expect(alert).toHaveFocus();
    });
    // No toast repeats it.
    expect(screen.getAllByText("An organization may have 100 tunnel hosts.")).toHaveLength(1);
    expect(screen.queryByText("Could not add the tunnel host")).not.toBeInTheDocument();
  });

  it("is disabled, with the reason, for those who may not add hosts", async () => {
    stubApi({});
    const { user } = renderWithProviders(
      <AddTunnelHostDialog org="acme" disabledReason="Only owners and admins can add or remove tunnel hosts." />,
    );
    expect(screen.getByRole("button", { name: "Add tunnel host" })).toBeDisabled();
    await user.tab();
    expect(await screen.findByRole("tooltip")).toHaveTextContent("Only owners and admins");
  });
});
