import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse } from "@/test/fetch";
import { errorResponse, noContent, stubApi, type FakeRequest } from "@/test/fake-api";
import { testMe } from "@/test/fixtures";
import { renderApp } from "@/test/render-app";

describe("ProfileForm", () => {
  it("asks for the current password only when the email changes", async () => {
    const api = stubApi({
      "GET /api/auth/me": testMe(),
      "PATCH /api/auth/me": ({ body }: FakeRequest) => {
        const { email } = body as { email: string | null };
        const me = testMe();
        return jsonResponse(200, { ...me, user: { ...me.user, email: email ?? me.user.email } });
      },
    });
    const { user } = renderApp("/o/acme/settings/profile");

    const email = await screen.findByLabelText("Email");
    expect(screen.queryByLabelText("Current password")).not.toBeInTheDocument();
    await user.clear(email);
    await user.type(email, "ada@lab.example");
    const password = await screen.findByLabelText("Current password");

    // Not sent without it.
    await user.click(screen.getByRole("button", { name: "Save profile" }));
    expect(await screen.findByText("Enter your current password to change your email.")).toBeInTheDocument();
    expect(api.calls("PATCH /api/auth/me")).toHaveLength(0);

    await user.type(password, "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Save profile" }));
    await vi.waitFor(() => {
      expect(api.calls("PATCH /api/auth/me").map((r) => r.body)).toEqual([
        { name: null, email: "ada@lab.example", current_password: "correct horse battery" },
      ]);
    });
  });

  it("sends a new name alone without a password", async () => {
    const api = stubApi({ "GET /api/auth/me": testMe(), "PATCH /api/auth/me": testMe() });
    const { user } = renderApp("/o/acme/settings/profile");

    const name = await screen.findByLabelText("Name");
    await user.clear(name);
    await user.type(name, "Ada King");
    expect(screen.queryByLabelText("Current password")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save profile" }));
    await vi.waitFor(() => {
      expect(api.calls("PATCH /api/auth/me").map((r) => r.body)).toEqual([{ name: "Ada King", email: null }]);
    });
  });

  it("shows a wrong password on the password field", async () => {
    stubApi({
      "GET /api/auth/me": testMe(),
      "PATCH /api/auth/me": () =>
        errorResponse(422, "invalid", "Some fields are not valid.", { current_password: "is not your current password" }),
    });
    const { user } = renderApp("/o/acme/settings/profile");

    const email = await screen.findByLabelText("Email");
    await user.clear(email);
    await user.type(email, "ada@lab.example");
    await user.type(await screen.findByLabelText("Current password"), "a wrong password");
    await user.click(screen.getByRole("button", { name: "Save profile" }));
    expect(await screen.findByText("Is not your current password")).toBeInTheDocument();
  });
});

describe("PasswordForm", () => {
  it("offers to revoke every API key, ticked by default", async () => {
    const api = stubApi({ "GET /api/auth/me": testMe(), "PUT /api/auth/password": () => noContent() });
    const { user } = renderApp("/o/acme/settings/password");

    const revoke = await screen.findByRole("checkbox", { name: "Also revoke all my API keys" });
    expect(revoke).toBeChecked();
    await user.type(screen.getByLabelText("Current password"), "correct horse battery");
    await user.type(screen.getByLabelText("New password"), "a brand new passphrase");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    await vi.waitFor(() => {
      expect(api.calls("PUT /api/auth/password")).toHaveLength(1);
    });
    expect(await screen.findByText("Your other sessions were signed out and your API keys revoked.")).toBeInTheDocument();

    await user.click(revoke);
    expect(revoke).not.toBeChecked();
    await user.type(screen.getByLabelText("Current password"), "a brand new passphrase");
    await user.type(screen.getByLabelText("New password"), "another new passphrase");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    await vi.waitFor(() => {
      expect(api.calls("PUT /api/auth/password").map((r) => r.body)).toEqual([
        { current_password: "correct horse battery", new_password: "a brand new passphrase", revoke_api_keys: true },
        { current_password: "a brand new passphrase", new_password: "another new passphrase", revoke_api_keys: false },
      ]);
    });
  });
});
