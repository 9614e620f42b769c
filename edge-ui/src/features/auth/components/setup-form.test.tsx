import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { SetupForm } from "@/features/auth/components/setup-form";
import { jsonResponse } from "@/test/fetch";
import { errorResponse, stubApi } from "@/test/fake-api";
import { testMe } from "@/test/fixtures";
import { renderWithProviders } from "@/test/render-app";

const PASSWORD = "correct horse battery";

describe("SetupForm", () => {
  it("checks every field before sending anything", async () => {
    const api = stubApi({});
    const { user } = renderWithProviders(<SetupForm onDone={vi.fn()} />);

    await user.type(screen.getByLabelText("Email"), "not-an-email");
    await user.type(screen.getByLabelText("Password"), "too short");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByText("Enter a name.")).toBeInTheDocument();
    expect(screen.getByText("Enter the organization's name.")).toBeInTheDocument();
    expect(screen.getByText("Enter an email address like ada@example.com.")).toBeInTheDocument();
    expect(screen.getByText("Use at least 12 characters.")).toBeInTheDocument();
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Your name")).toHaveFocus();
    expect(api.requests).toHaveLength(0);
  });

  it("creates the owner and the organization, then hands over the signed-in user", async () => {
    const me = testMe();
    const api = stubApi({ "POST /api/setup": () => jsonResponse(201, me) });
    const onDone = vi.fn();
    const { user } = renderWithProviders(<SetupForm onDone={onDone} />);

    await user.type(screen.getByLabelText("Your name"), "  Ada Lovelace ");
    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), PASSWORD);
    await user.type(screen.getByLabelText("Organization name"), "Acme");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    await vi.waitFor(() => {
      expect(onDone).toHaveBeenCalledWith(me);
    });
    expect(api.calls("POST /api/setup")[0]?.body).toEqual({
      name: "Ada Lovelace",
      email: "ada@example.com",
      password: PASSWORD,
      organization: "Acme",
    });
    expect(await screen.findByText("Welcome to Flamingo")).toBeInTheDocument();
  });

  it("shows the server's field errors beside the fields", async () => {
    stubApi({
      "POST /api/setup": () =>
        errorResponse(422, "invalid", "Some fields are not valid.", { organization: "must not be empty" }),
    });
    const onDone = vi.fn();
    const { user } = renderWithProviders(<SetupForm onDone={onDone} />);

    await user.type(screen.getByLabelText("Your name"), "Ada");
    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), PASSWORD);
    await user.type(screen.getByLabelText("Organization name"), "!!!");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByText("Must not be empty")).toBeInTheDocument();
    expect(screen.getByLabelText("Organization name")).toHaveAttribute("aria-invalid", "true");
    // Once, beside the field, with focus on it: no toast repeats it.
    expect(screen.getByLabelText("Organization name")).toHaveFocus();
    expect(screen.queryByText("Could not finish setup")).not.toBeInTheDocument();
    expect(screen.queryByText("Some fields are not valid.")).not.toBeInTheDocument();
    expect(onDone).not.toHaveBeenCalled();
  });
});
