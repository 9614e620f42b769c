import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { ReservedName } from "@/api/generated/ReservedName";
import { ReserveNameForm } from "@/features/tunnels/components/reserve-name-form";
import { ReservedNamesTable } from "@/features/tunnels/components/reserved-names-table";
import { jsonResponse } from "@/test/fetch";
import { errorResponse, noContent, stubApi, type FakeRequest } from "@/test/fake-api";
import { renderWithProviders } from "@/test/render-app";

const ADA = { id: "u-ada", name: "Ada Lovelace", email: "ada@example.com" };
const GRACE = { id: "u-grace", name: "Grace Hopper", email: "grace@example.com" };
const MYAPP: ReservedName = { name: "myapp", user: ADA, created_at: "2026-11-02T10:00:00Z" };

describe("ReservedNamesTable", () => {
  it("lists names without release buttons for a viewer", async () => {
    const api = stubApi({ "GET /api/orgs/acme/tunnel-names": [MYAPP] });
    renderWithProviders(<ReservedNamesTable org="acme" role="viewer" />);

    const row = (await screen.findByRole("cell", { name: "myapp" })).closest("tr");
    expect(row).toHaveTextContent("Ada Lovelace");
    expect(screen.queryByRole("button", { name: /^Release / })).not.toBeInTheDocument();
    expect(api.requests.filter((r) => r.method !== "GET")).toHaveLength(0);
  });

  it("releases a name after confirmation", async () => {
    let names = [MYAPP];
    const api = stubApi({
      "GET /api/orgs/acme/tunnel-names": () => jsonResponse(200, names),
      "DELETE /api/orgs/acme/tunnel-names/myapp": () => {
        names = [];
        return noContent();
      },
    });
    const { user } = renderWithProviders(<ReservedNamesTable org="acme" role="operator" />);

    await user.click(await screen.findByRole("button", { name: "Release myapp" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog).toHaveTextContent("Release myapp?");
    await user.click(within(dialog).getByRole("button", { name: "Release name" }));

    await vi.waitFor(() => {
      expect(api.calls("DELETE /api/orgs/acme/tunnel-names/myapp")).toHaveLength(1);
    });
    expect(await screen.findByText("No reserved names")).toBeInTheDocument();
  });
});

describe("ReserveNameForm", () => {
  it("reserves a lowercased name for the chosen member", async () => {
    const api = stubApi({
      "POST /api/orgs/acme/tunnel-names": ({ body }: FakeRequest) => {
        const { name } = body as { name: string };
        return jsonResponse(201, { name, user: GRACE, created_at: "2026-11-22T10:00:00Z" });
      },
    });
    const { user } = renderWithProviders(<ReserveNameForm org="acme" me={ADA} members={[ADA, GRACE]} />);

    const form = screen.getByRole("form", { name: "Reserve a name" });
    expect(within(form).getByRole("combobox", { name: "For" })).toHaveTextContent("Ada Lovelace (you)");
    await user.click(within(form).getByRole("combobox", { name: "For" }));
    await user.click(await screen.findByRole("option", { name: "Grace Hopper" }));
    await user.type(within(form).getByLabelText("Name"), " Docs ");
    await user.click(within(form).getByRole("button", { name: "Reserve" }));

    await vi.waitFor(() => {
      expect(api.calls("POST /api/orgs/acme/tunnel-names").map((r) => r.body)).toEqual([
        { name: "docs", user_id: "u-grace" },
      ]);
    });
    expect(await screen.findByText("Reserved docs for Grace Hopper")).toBeInTheDocument();
    expect(within(form).getByLabelText("Name")).toHaveValue("");
  });

  it("checks the name before sending and shows the server's reasons", async () => {
    let answer = () => errorResponse(400, "invalid", "Some fields are not valid.", { name: "is reserved" });
    const api = stubApi({ "POST /api/orgs/acme/tunnel-names": () => answer() });
    const { user } = renderWithProviders(<ReserveNameForm org="acme" me={ADA} members={[]} />);
    const name = screen.getByLabelText("Name");

    await user.type(name, "-bad-");
    await user.click(screen.getByRole("button", { name: "Reserve" }));
    expect(await screen.findByText(/Use lowercase letters, digits and dashes/)).toBeInTheDocument();
    expect(api.requests).toHaveLength(0);

    await user.clear(name);
    await user.type(name, "www");
    await user.click(screen.getByRole("button", { name: "Reserve" }));
    expect(await screen.findByText("Is reserved")).toBeInTheDocument();

    answer = () => errorResponse(409, "name_taken", "That name is already reserved.");
    await user.click(screen.getByRole("button", { name: "Reserve" }));
    expect(await screen.findByText("That name is already reserved.", { selector: "p[id$='-form-item-message']" })).toBeInTheDocument();
    expect(api.calls("POST /api/orgs/acme/tunnel-names").map((r) => r.body)).toEqual([
      { name: "www", user_id: "u-ada" },
      { name: "www", user_id: "u-ada" },
    ]);
  });

  it("shows a taken name once, beside the name, with focus on it", async () => {
    stubApi({
      "POST /api/orgs/acme/tunnel-names": () => errorResponse(409, "name_taken", "The name docs is already reserved."),
    });
    const { user } = renderWithProviders(<ReserveNameForm org="acme" me={ADA} members={[]} />);
    const name = screen.getByLabelText("Name");

    await user.type(name, "docs");
    await user.click(screen.getByRole("button", { name: "Reserve" }));
    expect(await screen.findByText("The name docs is already reserved.")).toBeInTheDocument();
    expect(name).toHaveFocus();
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(name).toHaveAccessibleDescription("The name docs is already reserved.");
    // Once: no toast, no second message.
    expect(screen.getAllByText("The name docs is already reserved.")).toHaveLength(1);
    expect(screen.queryByText("Could not reserve the name")).not.toBeInTheDocument();
  });

  it("shows any other failure once, in the form, with focus on it", async () => {
    stubApi({
      "POST /api/orgs/acme/tunnel-names": () => errorResponse(409, "too_many_names", "An organization may reserve 1000 names."),
    });
    const { user } = renderWithProviders(<ReserveNameForm org="acme" me={ADA} members={[]} />);

    await user.type(screen.getByLabelText("Name"), "docs");
    await user.click(screen.getByRole("button", { name: "Reserve" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("An organization may reserve 1000 names.");
    await vi.waitFor(() => {
      expect(alert).toHaveFocus();
    });
    expect(screen.getAllByText("An organization may reserve 1000 names.")).toHaveLength(1);
    expect(screen.queryByText("Could not reserve the name")).not.toBeInTheDocument();
  });
});
