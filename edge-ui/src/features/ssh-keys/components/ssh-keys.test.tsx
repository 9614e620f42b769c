import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { SshKey } from "@/api/generated/SshKey";
import { AddSshKeyDialog } from "@/features/ssh-keys/components/add-ssh-key-dialog";
import { SshKeysList } from "@/features/ssh-keys/components/ssh-keys-list";
import { jsonResponse } from "@/test/fetch";
import { errorResponse, noContent, stubApi, type FakeRequest } from "@/test/fake-api";
import { renderWithProviders } from "@/test/render-app";

const LAPTOP: SshKey = {
  id: "k-1",
  name: "Laptop",
  algorithm: "ssh-ed25519",
  fingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
  created_at: "2026-11-02T10:00:00Z",
};
const PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ada@laptop";

describe("SshKeysList", () => {
  it("lists keys and removes one after confirmation", async () => {
    let keys = [LAPTOP];
    const api = stubApi({
      "GET /api/me/ssh-keys": () => jsonResponse(200, keys),
      "DELETE /api/me/ssh-keys/k-1": () => {
        keys = [];
        return noContent();
      },
    });
    const { user } = renderWithProviders(<SshKeysList />);

    const row = (await screen.findByRole("cell", { name: "Laptop" })).closest("tr");
    expect(row).toHaveTextContent("ssh-ed25519");
    expect(row).toHaveTextContent(LAPTOP.fingerprint);

    await user.click(screen.getByRole("button", { name: "Remove Laptop" }));
    await user.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Remove key" }));
    await vi.waitFor(() => {
      expect(api.calls("DELETE /api/me/ssh-keys/k-1")).toHaveLength(1);
    });
    expect(await screen.findByText("No SSH keys")).toBeInTheDocument();
  });
});

describe("AddSshKeyDialog", () => {
  it("adds a key, its name filled in from the key's comment", async () => {
    const api = stubApi({
      "POST /api/me/ssh-keys": ({ body }: FakeRequest) =>
        jsonResponse(201, { ...LAPTOP, id: "k-2", name: (body as { name: string }).name }),
    });
    const { user } = renderWithProviders(<AddSshKeyDialog />);

    await user.click(screen.getByRole("button", { name: "Add SSH key" }));
    await user.click(await screen.findByLabelText("Public key"));
    await user.paste(`${PUBLIC_KEY}\n`);
    // The name field shows the default, so the user sees what the key will be called.
    expect(screen.getByLabelText("Name")).toHaveValue("ada@laptop");
    await user.click(screen.getByRole("button", { name: "Add key" }));

    await vi.waitFor(() => {
      expect(api.calls("POST /api/me/ssh-keys").map((r) => r.body)).toEqual([
        { name: "ada@laptop", public_key: PUBLIC_KEY },
      ]);
    });
    expect(await screen.findByText("Added ada@laptop")).toBeInTheDocument();
    await vi.waitFor(() => {
      expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    });
  });

  it("keeps a name the user typed when the key changes", async () => {
    stubApi({});
    const { user } = renderWithProviders(<AddSshKeyDialog />);

    await user.click(screen.getByRole("button", { name: "Add SSH key" }));
    await user.type(await screen.findByLabelText("Name"), "Work laptop");
    await user.click(screen.getByLabelText("Public key"));
    await user.paste(PUBLIC_KEY);
    expect(screen.getByLabelText("Name")).toHaveValue("Work laptop");
  });

  it("shows every field's error at once", async () => {
    const api = stubApi({});
    const { user } = renderWithProviders(<AddSshKeyDialog />);

    await user.click(screen.getByRole("button", { name: "Add SSH key" }));
    await user.click(await screen.findByRole("button", { name: "Add key" }));
    expect(await screen.findByText("Paste your public key.")).toBeInTheDocument();
    expect(screen.getByText("Enter a name.")).toBeInTheDocument();
    expect(screen.getByLabelText("Public key")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(api.requests).toHaveLength(0);
  });

  it("refuses a private key before sending", async () => {
    const api = stubApi({});
    const { user } = renderWithProviders(<AddSshKeyDialog />);

    await user.click(screen.getByRole("button", { name: "Add SSH key" }));
    await user.click(await screen.findByLabelText("Public key"));
    await user.paste("-----BEGIN OPENSSH PRIVATE KEY-----");
    await user.type(screen.getByLabelText("Name"), "Oops");
    await user.click(screen.getByRole("button", { name: "Add key" }));
    expect(await screen.findByText("That is a private key: paste the .pub file instead.")).toBeInTheDocument();
    expect(api.requests).toHaveLength(0);
  });

  it("shows the server's field errors and conflicts on the key", async () => {
    let answer = () =>
      errorResponse(400, "invalid", "Some fields are not valid.", { public_key: "is not a valid ssh-ed25519 key" });
    stubApi({ "POST /api/me/ssh-keys": () => answer() });
    const { user } = renderWithProviders(<AddSshKeyDialog />);

    await user.click(screen.getByRole("button", { name: "Add SSH key" }));
    await user.click(await screen.findByLabelText("Public key"));
    await user.paste(PUBLIC_KEY);
    await user.clear(screen.getByLabelText("Name"));
    await user.type(screen.getByLabelText("Name"), "Laptop");
    await user.click(screen.getByRole("button", { name: "Add key" }));
    expect(await screen.findByText("Is not a valid ssh-ed25519 key")).toBeInTheDocument();
    expect(screen.getByLabelText("Public key")).toHaveAttribute("aria-invalid", "true");

    answer = () => errorResponse(409, "key_in_use", "This SSH key is already registered.");
    await user.click(screen.getByRole("button", { name: "Add key" }));
    expect(
      await screen.findByText("This SSH key is already registered.", { selector: "p[id$='-form-item-message']" }),
    ).toBeInTheDocument();
  });

  it("shows a key in use once, beside the key, with focus on it", async () => {
    stubApi({ "POST /api/me/ssh-keys": () => errorResponse(409, "key_in_use", "This SSH key is already registered.") });
    const { user } = renderWithProviders(<AddSshKeyDialog />);

    await user.click(screen.getByRole("button", { name: "Add SSH key" }));
    const key = await screen.findByLabelText("Public key");
    await user.click(key);
    await user.paste(PUBLIC_KEY);
    await user.click(screen.getByRole("button", { name: "Add key" }));
    expect(await screen.findByText("This SSH key is already registered.")).toBeInTheDocument();
    expect(key).toHaveFocus();
    expect(key).toHaveAccessibleDescription(expect.stringContaining("This SSH key is already registered."));
    expect(screen.getAllByText("This SSH key is already registered.")).toHaveLength(1);
    expect(screen.queryByText("Could not add the SSH key")).not.toBeInTheDocument();
  });

  it("shows any other failure once, in the dialog, with focus on it", async () => {
    stubApi({
      "POST /api/me/ssh-keys": () => errorResponse(409, "too_many_keys", "You may register 100 SSH keys; remove some first."),
    });
    const { user } = renderWithProviders(<AddSshKeyDialog />);

    await user.click(screen.getByRole("button", { name: "Add SSH key" }));
    await user.click(await screen.findByLabelText("Public key"));
    await user.paste(PUBLIC_KEY);
    await user.click(screen.getByRole("button", { name: "Add key" }));
    const alert = await within(screen.getByRole("dialog")).findByRole("alert");
    expect(alert).toHaveTextContent("You may register 100 SSH keys; remove some first.");
    await vi.waitFor(() => {
      expect(alert).toHaveFocus();
    });
    expect(screen.getAllByText("You may register 100 SSH keys; remove some first.")).toHaveLength(1);
    expect(screen.queryByText("Could not add the SSH key")).not.toBeInTheDocument();
  });
});
