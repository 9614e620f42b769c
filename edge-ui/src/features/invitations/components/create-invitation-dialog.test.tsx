import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { CreateInvitationDialog } from "@/features/invitations/components/create-invitation-dialog";
import { jsonResponse } from "@/test/fetch";
import { errorResponse, stubApi, type FakeRequest } from "@/test/fake-api";
import { renderWithProviders } from "@/test/render-app";

function created(body: { role: string; email?: string }) {
  return {
    invitation: {
      id: "i-1",
      role: body.role,
      email: body.email ?? null,
      created_by: { id: "u-ada", name: "Ada Lovelace" },
      created_at: "2026-11-22T10:00:00Z",
      expires_at: "2026-11-29T10:00:00Z",
    },
    token: "tok_secret",
    url: "/join/tok_secret",
  };
}

describe("CreateInvitationDialog", () => {
  it("creates an invitation and shows its absolute link once", async () => {
    const api = stubApi({
      "POST /api/orgs/acme/invitations": ({ body }: FakeRequest) =>
        jsonResponse(201, created(body as { role: string; email?: string })),
    });
    const { user } = renderWithProviders(<CreateInvitationDialog org="acme" />);

    await user.click(screen.getByRole("button", { name: "Invite people" }));
    const dialog = await screen.findByRole("dialog", { name: "Invite people" });
    expect(within(dialog).getByRole("combobox", { name: "Role" })).toHaveTextContent("Viewer");

    await user.click(within(dialog).getByRole("combobox", { name: "Role" }));
    await user.click(await screen.findByRole("option", { name: "Operator" }));
    await user.type(within(dialog).getByLabelText("Meant for (optional)"), "vic@example.com");
    await user.click(within(dialog).getByRole("button", { name: "Create invitation link" }));

    const link = await screen.findByLabelText("Invitation link");
    expect(link).toHaveValue(`${window.location.origin}/join/tok_secret`);
    // The link is the credential, note or not: the dialog says so plainly.
    expect(screen.getByRole("dialog")).toHaveTextContent(
      "Anyone with this link can join as operator until it expires or is used; send it privately to vic@example.com.",
    );
    expect(api.calls("POST /api/orgs/acme/invitations").map((r) => r.body)).toEqual([
      { role: "operator", email: "vic@example.com", expires_in_days: 7 },
    ]);

    // Closed and opened again: the link is gone for good.
    await user.click(screen.getByRole("button", { name: "Done" }));
    await user.click(screen.getByRole("button", { name: "Invite people" }));
    expect(await screen.findByRole("dialog", { name: "Invite people" })).toBeInTheDocument();
    expect(screen.queryByLabelText("Invitation link")).not.toBeInTheDocument();
  });

  it("says the note is not checked", async () => {
    stubApi({});
    const { user } = renderWithProviders(<CreateInvitationDialog org="acme" />);

    await user.click(screen.getByRole("button", { name: "Invite people" }));
    const dialog = await screen.findByRole("dialog", { name: "Invite people" });
    expect(dialog).toHaveTextContent("Anyone with the link can join with the role you choose, so send it privately.");
    expect(within(dialog).getByLabelText("Meant for (optional)")).toHaveAccessibleDescription(
      "An email to tell this link apart in the list. It is not checked: whoever has the link can join, with any address.",
    );
    expect(dialog).not.toHaveTextContent(/only this address/i);
  });

  it("leaves the note out when empty and checks its form when given", async () => {
    const api = stubApi({
      "POST /api/orgs/acme/invitations": ({ body }: FakeRequest) =>
        jsonResponse(201, created(body as { role: string })),
    });
    const { user } = renderWithProviders(<CreateInvitationDialog org="acme" />);

    await user.click(screen.getByRole("button", { name: "Invite people" }));
    const email = await screen.findByLabelText("Meant for (optional)");
    await user.type(email, "not-an-email");
    await user.click(screen.getByRole("button", { name: "Create invitation link" }));
    expect(await screen.findByText("Enter an email address like ada@example.com.")).toBeInTheDocument();
    expect(api.requests).toHaveLength(0);

    await user.clear(email);
    await user.click(screen.getByRole("button", { name: "Create invitation link" }));
    await vi.waitFor(() => {
      expect(api.calls("POST /api/orgs/acme/invitations").map((r) => r.body)).toEqual([
        { role: "viewer", expires_in_days: 7 },
      ]);
    });
    expect(await screen.findByLabelText("Invitation link")).toBeInTheDocument();
    expect(screen.getByRole("dialog")).toHaveTextContent(
      "Anyone with this link can join as viewer until it expires or is used; send it privately.",
    );
  });

  it("shows the server's field errors", async () => {
    stubApi({
      "POST /api/orgs/acme/invitations": () =>
        errorResponse(422, "invalid", "Some fields are not valid.", { email: "must be an email address" }),
    });
    const { user } = renderWithProviders(<CreateInvitationDialog org="acme" />);

    await user.click(screen.getByRole("button", { name: "Invite people" }));
    await user.type(await screen.findByLabelText("Meant for (optional)"), "odd@example.com");
    await user.click(screen.getByRole("button", { name: "Create invitation link" }));

    expect(await screen.findByText("Must be an email address")).toBeInTheDocument();
    // Once, beside the field, with focus on it: no toast repeats it.
    expect(screen.getByLabelText("Meant for (optional)")).toHaveFocus();
    expect(screen.queryByText("Could not create the invitation")).not.toBeInTheDocument();
  });

  it("is disabled, with the reason, for those who may not invite", async () => {
    stubApi({});
    const { user } = renderWithProviders(
      <CreateInvitationDialog org="acme" disabledReason="Only owners and admins can manage members and invitations." />,
    );

    const button = screen.getByRole("button", { name: "Invite people" });
    expect(button).toBeDisabled();
    await user.tab();
    expect(await screen.findByRole("tooltip")).toHaveTextContent("Only owners and admins");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });
});
