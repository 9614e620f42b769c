import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { CreateApiKeyDialog } from "@/features/api-keys/components/create-api-key-dialog";
import { jsonResponse } from "@/test/fetch";
import { errorResponse, stubApi, type FakeRequest } from "@/test/fake-api";
import { renderWithProviders } from "@/test/render-app";

const CREATED = {
  id: "k-1",
  name: "Deploy script",
  prefix: "flm_abcdefgh",
  allowed_ips: [],
  created_at: "2026-11-22T10:00:00Z",
  last_used_at: null,
  token: "flm_abcdefghsecret",
};

describe("CreateApiKeyDialog", () => {
  it("asks for the password before making a key", async () => {
    const api = stubApi({
      "POST /api/me/api-keys": ({ body }: FakeRequest) =>
        jsonResponse(201, { ...CREATED, name: (body as { name: string }).name }),
      "GET /api/me/api-keys": [],
    });
    const { user } = renderWithProviders(<CreateApiKeyDialog />);

    await user.click(screen.getByRole("button", { name: "Create API key" }));
    const dialog = await screen.findByRole("dialog", { name: "Create API key" });
    expect(within(dialog).getByRole("link", { name: /^API reference/ })).toHaveAttribute(
      "target",
      "_blank",
    );
    await user.type(within(dialog).getByLabelText("Name"), "Deploy script");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(await within(dialog).findByText("Enter your password.")).toBeInTheDocument();
    expect(api.calls("POST /api/me/api-keys")).toHaveLength(0);

    await user.type(within(dialog).getByLabelText("Your password"), "correct horse battery");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(await screen.findByLabelText("API key token")).toHaveValue(CREATED.token);
    // Both steps point at the reference for what to do with the key.
    expect(screen.getByRole("link", { name: /API reference/ })).toHaveAttribute("href", "/docs/api.txt");
    await vi.waitFor(() => {
      expect(api.calls("POST /api/me/api-keys").map((r) => r.body)).toEqual([
        { name: "Deploy script", allowed_ips: [], password: "correct horse battery" },
      ]);
    });
  });

  it("shows a wrong password on the password field", async () => {
    stubApi({
      "POST /api/me/api-keys": () =>
        errorResponse(422, "invalid", "Some fields are not valid.", { password: "is not your current password" }),
      "GET /api/me/api-keys": [],
    });
    const { user } = renderWithProviders(<CreateApiKeyDialog />);

    await user.click(screen.getByRole("button", { name: "Create API key" }));
    const dialog = await screen.findByRole("dialog", { name: "Create API key" });
    await user.type(within(dialog).getByLabelText("Name"), "Deploy script");
    await user.type(within(dialog).getByLabelText("Your password"), "not it at all");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(await within(dialog).findByText("Is not your current password")).toBeInTheDocument();
    expect(screen.queryByLabelText("API key token")).not.toBeInTheDocument();
  });
});
