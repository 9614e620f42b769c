import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { LoginForm } from "@/features/auth/components/login-form";
import { jsonResponse } from "@/test/fetch";
import { errorResponse, stubApi, type FakeRequest } from "@/test/fake-api";
import { testMe } from "@/test/fixtures";
import { renderWithProviders } from "@/test/render-app";

const PASSWORD = "correct horse battery";

/** A server for an account with two-factor sign-in on, whose current code is 123456. */
function twoFactorServer() {
  const me = testMe({ totp: true });
  return {
    me,
    ...stubApi({
      "POST /api/auth/login": ({ body }: FakeRequest) => {
        const { password, totp } = body as { password: string; totp: string | null };
        if (password !== PASSWORD) return errorResponse(401, "invalid_credentials", "Wrong email or password.");
        if (!totp) return errorResponse(401, "totp_required", "Enter the code from your authenticator app.");
        if (totp !== "123456") return errorResponse(401, "invalid_totp", "That code is not valid.");
        return jsonResponse(200, me);
      },
    }),
  };
}

async function enterCredentials(user: ReturnType<typeof renderWithProviders>["user"], password = PASSWORD) {
  await user.type(screen.getByLabelText("Email"), "ada@example.com");
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("LoginForm", () => {
  it("asks for both fields before sending", async () => {
    const api = stubApi({});
    const { user } = renderWithProviders(<LoginForm onSignedIn={vi.fn()} />);

    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByText("Enter your email address.")).toBeInTheDocument();
    expect(screen.getByText("Enter your password.")).toBeInTheDocument();
    expect(api.requests).toHaveLength(0);
  });

  it("says so when the password is wrong", async () => {
    twoFactorServer();
    const onSignedIn = vi.fn();
    const { user } = renderWithProviders(<LoginForm onSignedIn={onSignedIn} />);

    await enterCredentials(user, "wrong password!");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Wrong email or password.");
    // Once, in the form, with focus on it: no toast repeats it.
    expect(alert).toHaveFocus();
    expect(screen.getAllByText("Wrong email or password.")).toHaveLength(1);
    expect(screen.queryByText("Could not sign in")).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Authentication code")).not.toBeInTheDocument();
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it("moves focus to the message again when the next try fails too", async () => {
    twoFactorServer();
    const { user } = renderWithProviders(<LoginForm onSignedIn={vi.fn()} />);

    await enterCredentials(user, "wrong password!");
    expect(await screen.findByRole("alert")).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await vi.waitFor(() => {
      expect(screen.getByRole("alert")).toHaveFocus();
    });
    expect(screen.getAllByRole("alert")).toHaveLength(1);
  });

  it("checks the email address before sending it", async () => {
    const api = stubApi({});
    const { user } = renderWithProviders(<LoginForm onSignedIn={vi.fn()} />);

    await user.type(screen.getByLabelText("Email"), "notanemail");
    await user.type(screen.getByLabelText("Password"), PASSWORD);
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByText("Enter an email address like ada@example.com.")).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveFocus();
    expect(api.requests).toHaveLength(0);
  });

  it("asks for the second factor, rejects a wrong code and signs in with the right one", async () => {
    const server = twoFactorServer();
    const onSignedIn = vi.fn();
    const { user } = renderWithProviders(<LoginForm onSignedIn={onSignedIn} />);

    await enterCredentials(user);

    const code = await screen.findByLabelText("Authentication code");
    expect(code).toHaveFocus();
    expect(screen.getByText("ada@example.com")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));
    expect(await screen.findByText("Enter the code from your authenticator app.")).toBeInTheDocument();
    expect(server.calls("POST /api/auth/login")).toHaveLength(1);

    await user.type(code, "654321");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));
    expect(await screen.findByText("That code is not valid. Check your app's clock and try again.")).toBeInTheDocument();
    expect(code).toHaveAttribute("aria-invalid", "true");
    expect(code).toHaveFocus();
    // One message: neither the server's wording nor a toast repeats it.
    expect(screen.queryByText("That code is not valid.")).not.toBeInTheDocument();
    expect(screen.queryByText("Could not sign in")).not.toBeInTheDocument();

    await user.clear(code);
    await user.type(code, "123456");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));

    await vi.waitFor(() => {
      expect(onSignedIn).toHaveBeenCalledWith(server.me);
    });
    expect(server.calls("POST /api/auth/login").map((r) => r.body)).toEqual([
      { email: "ada@example.com", password: PASSWORD, totp: null },
      { email: "ada@example.com", password: PASSWORD, totp: "654321" },
      { email: "ada@example.com", password: PASSWORD, totp: "123456" },
    ]);
  });

  it("takes a recovery code instead of an app code", async () => {
    const me = testMe({ totp: true });
    const api = stubApi({
      "POST /api/auth/login": ({ body }: FakeRequest) =>
        (body as { totp: string | null }).totp === "abcde-12345"
          ? jsonResponse(200, me)
          : errorResponse(401, "totp_required", "Enter the code."),
    });
    const onSignedIn = vi.fn();
    const { user } = renderWithProviders(<LoginForm onSignedIn={onSignedIn} />);

    await enterCredentials(user);
    await user.type(await screen.findByLabelText("Authentication code"), "abcde-12345");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));

    await vi.waitFor(() => {
      expect(onSignedIn).toHaveBeenCalledWith(me);
    });
    expect(api.calls("POST /api/auth/login")).toHaveLength(2);
  });

  it("goes back to the first step", async () => {
    twoFactorServer();
    const { user } = renderWithProviders(<LoginForm onSignedIn={vi.fn()} />);

    await enterCredentials(user);
    await user.click(await screen.findByRole("button", { name: "Use a different account" }));

    expect(screen.getByLabelText("Email")).toBeInTheDocument();
    expect(screen.queryByLabelText("Authentication code")).not.toBeInTheDocument();
  });
});
