import { screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Invitation } from "@/api/generated/Invitation";
import { InvitationsTable } from "@/features/invitations/components/invitations-table";
import { stubApi } from "@/test/fake-api";
import { renderWithProviders } from "@/test/render-app";

const NOW = new Date("2026-11-22T12:00:00Z");

function invitation(id: string, email: string | null, created_at: string): Invitation {
  return {
    id,
    role: "viewer",
    email,
    created_by: { id: "u-ada", name: "Ada Lovelace" },
    created_at,
    expires_at: "2026-11-29T12:00:00Z",
  };
}

describe("InvitationsTable", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows when each invitation was made and names which one a revoke button ends", async () => {
    stubApi({
      "GET /api/orgs/acme/invitations": [
        invitation("i-1", null, "2026-11-22T09:00:00Z"),
        invitation("i-2", null, "2026-11-20T12:00:00Z"),
        invitation("i-3", "grace@example.com", "2026-11-22T11:00:00Z"),
      ],
    });
    const { user } = renderWithProviders(<InvitationsTable org="acme" role="owner" />);

    const rows = (await screen.findAllByRole("row")).slice(1);
    expect(rows.map((row) => within(row).getAllByRole("cell")[0]?.textContent)).toEqual([
      "No noteMade 3 hours ago",
      "No noteMade 2 days ago",
      "grace@example.comMade 1 hour ago",
    ]);
    // Two viewer invitations without a note are told apart by when they were made.
    expect(
      screen.getAllByRole("button", { name: /^Revoke / }).map((button) => button.getAttribute("aria-label")),
    ).toEqual([
      "Revoke the viewer invitation made 3 hours ago",
      "Revoke the viewer invitation made 2 days ago",
      "Revoke the invitation meant for grace@example.com",
    ]);
    // One wording for the expiry: relative, with the date.
    expect(rows[0]).toHaveTextContent(/next week \(Nov 29, 2026, .+\)/);

    await user.click(screen.getByRole("button", { name: "Revoke the viewer invitation made 2 days ago" }));
    expect(await screen.findByRole("alertdialog")).toHaveTextContent(
      "The link of the viewer invitation made 2 days ago stops working at once.",
    );
  });
});
