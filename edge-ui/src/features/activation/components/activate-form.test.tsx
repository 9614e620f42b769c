import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { ActivateForm } from "@/features/activation/components/activate-form";
import { formatCode } from "@/features/activation/schemas/activation";
import { errorResponse, noContent, stubApi } from "@/test/fake-api";
import { renderWithProviders } from "@/test/render-app";

describe("formatCode", () => {
  it("keeps eight letters, upper case, with a dash after four", () => {
    expect(formatCode("bcdf")).toBe("BCDF");
    expect(formatCode("bcdfg")).toBe("BCDF-G");
    expect(formatCode(" bcdf ghjk ")).toBe("BCDF-GHJK");
    expect(formatCode("BCDF-GHJK-LM")).toBe("BCDF-GHJK");
    expect(formatCode("b1c2d3f4")).toBe("BCDF");
  });
});

describe("ActivateForm", () => {
  it("formats the code while typing and approves it", async () => {
    const api = stubApi({ "POST /api/activate": () => noContent() });
    const { user } = renderWithProviders(<ActivateForm />);

    const input = screen.getByLabelText("Code");
    await user.type(input, "bcdf ghjk");
    expect(input).toHaveValue("BCDF-GHJK");
    await user.click(screen.getByRole("button", { name: "Approve this key" }));

    expect(await screen.findByText("Key added to your account — go back to your terminal")).toBeInTheDocument();
    expect(api.calls("POST /api/activate").map((r) => r.body)).toEqual([{ code: "BCDF-GHJK" }]);
  });

  it("checks the code before sending", async () => {
    const api = stubApi({});
    const { user } = renderWithProviders(<ActivateForm initialCode="bcdf-gh" />);

    expect(screen.getByLabelText("Code")).toHaveValue("BCDF-GH");
    await user.click(screen.getByRole("button", { name: "Approve this key" }));
    expect(await screen.findByText("Enter all 8 letters your terminal shows, like BCDF-GHJK.")).toBeInTheDocument();

    await user.type(screen.getByLabelText("Code"), "ae");
    await user.click(screen.getByRole("button", { name: "Approve this key" }));
    expect(await screen.findByText("That is not a code the tunnel host shows: check it for typos.")).toBeInTheDocument();
    expect(api.requests).toHaveLength(0);
  });

  it("says when a code is unknown, and passes other refusals on", async () => {
    let answer = () => errorResponse(404, "not_found", "Not found.");
    stubApi({ "POST /api/activate": () => answer() });
    const { user } = renderWithProviders(<ActivateForm initialCode="BCDFGHJK" />);

    await user.click(screen.getByRole("button", { name: "Approve this key" }));
    expect(await screen.findByText(/This code is unknown or has expired/)).toBeInTheDocument();

    answer = () =>
      errorResponse(403, "not_a_member", "This tunnel host belongs to an organization you are not a member of.");
    await user.click(screen.getByRole("button", { name: "Approve this key" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "This tunnel host belongs to an organization you are not a member of.",
    );
    await vi.waitFor(() => {
      expect(screen.queryByText(/go back to your terminal/)).not.toBeInTheDocument();
    });
  });
});
