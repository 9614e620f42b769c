import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { MembersTable } from "@/features/members/components/members-table";
import { jsonResponse } from "@/test/fetch";
import { noContent, stubApi, type FakeRequest } from "@/test/fake-api";
import { testMember } from "@/test/fixtures";
import { renderWithProviders } from "@/test/render-app";

const OWNER = testMember({ user_id: "u-ada", name: "Ada Lovelace", role: "owner", totp_enabled: true });
const GRACE = testMember({ user_id: "u-grace", name: "Grace Hopper", role: "admin" });
const VIC = testMember({ user_id: "u-vic", name: "Vic Viewer", role: "viewer" });

function server() {
  let members = [OWNER, GRACE, VIC];
  return stubApi({
    "GET /api/orgs/acme/members": () => jsonResponse(200, members),
    "PATCH /api/orgs/acme/members/u-vic": ({ body }: FakeRequest) => {
      const { role } = body as { role: "operator" };
      members = members.map((m) => (m.user_id === "u-vic" ? { ...m, role } : m));
      return jsonResponse(200, { ...VIC, role });
    },
    "DELETE /api/orgs/acme/members/u-vic": () => {
      members = members.filter((m) => m.user_id !== "u-vic");
      return noContent();
    },
  });
}

describe("MembersTable", () => {
  it("disables every role select for a viewer, with the reason", async () => {
    const api = server();
    const { user } = renderWithProviders(<MembersTable org="acme" role="viewer" currentUserId="u-vic" />);

    const selects = await screen.findAllByRole("combobox", { name: /^Role of / });
    expect(selects).toHaveLength(3);
    for (const select of selects) expect(select).toBeDisabled();
    expect(screen.queryByRole("button", { name: /^Remove / })).not.toBeInTheDocument();

    // A disabled control gets no pointer events; its focusable holder shows the reason.
    const holder = screen.getByRole("combobox", { name: "Role of Grace Hopper" }).closest("span");
    if (!holder) throw new Error("the select has no holder for its reason");
    await user.hover(holder);
    expect(await screen.findByRole("tooltip")).toHaveTextContent("Only owners and admins can manage members and invitations.");
    expect(api.requests.filter((r) => r.method !== "GET")).toHaveLength(0);
  });

  it("lets an owner change a member's role, but not the owner's", async () => {
    const api = server();
    const { user } = renderWithProviders(<MembersTable org="acme" role="owner" currentUserId="u-ada" />);

    expect(await screen.findByRole("combobox", { name: "Role of Ada Lovelace" })).toBeDisabled();
    const vic = screen.getByRole("combobox", { name: "Role of Vic Viewer" });
    expect(vic).toBeEnabled();
    expect(vic).toHaveTextContent("Viewer");

    await user.click(vic);
    const options = within(await screen.findByRole("listbox")).getAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["Admin", "Operator", "Viewer"]);
    await user.click(screen.getByRole("option", { name: "Operator" }));

    await vi.waitFor(() => {
      expect(api.calls("PATCH /api/orgs/acme/members/u-vic").map((r) => r.body)).toEqual([{ role: "operator" }]);
    });
    expect(await screen.findByText("Vic Viewer is now operator")).toBeInTheDocument();
    await vi.waitFor(() => {
      expect(screen.getByRole("combobox", { name: "Role of Vic Viewer" })).toHaveTextContent("Operator");
    });
  });

  it("removes a member after confirmation", async () => {
    const api = server();
    const { user } = renderWithProviders(<MembersTable org="acme" role="admin" currentUserId="u-grace" />);

    expect(await screen.findByRole("button", { name: "Remove Ada Lovelace" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Remove Grace Hopper" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Remove Vic Viewer" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog).toHaveTextContent("Remove Vic Viewer?");
    await user.click(within(dialog).getByRole("button", { name: "Remove member" }));

    await vi.waitFor(() => {
      expect(api.calls("DELETE /api/orgs/acme/members/u-vic")).toHaveLength(1);
    });
    expect(await screen.findByText("Removed Vic Viewer")).toBeInTheDocument();
    await vi.waitFor(() => {
      expect(screen.queryByText("vic@example.com")).not.toBeInTheDocument();
    });
  });

  it("shows loading, then an error with a retry", async () => {
    let calls = 0;
    stubApi({
      "GET /api/orgs/acme/members": () => {
        calls += 1;
        return calls === 1
          ? jsonResponse(500, { error: { code: "internal", message: "Something broke." } })
          : jsonResponse(200, [OWNER]);
      },
    });
    const { user } = renderWithProviders(<MembersTable org="acme" role="owner" currentUserId="u-ada" />);

    expect(screen.getByRole("status")).toHaveTextContent("Loading members");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Something broke.");
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Ada Lovelace")).toBeInTheDocument();
  });
});
