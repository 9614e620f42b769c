import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { errorResponse, stubApi } from "@/test/fake-api";
import { testMe } from "@/test/fixtures";
import { renderApp } from "@/test/render-app";

describe("/activate", () => {
  it("fills in the code from the link for a signed-in user", async () => {
    stubApi({ "GET /api/auth/me": testMe() });
    renderApp("/activate?code=bcdf-ghjk");

    expect(await screen.findByRole("heading", { level: 1, name: "Connect your SSH key" })).toBeInTheDocument();
    expect(screen.getByLabelText("Code")).toHaveValue("BCDF-GHJK");
    expect(screen.getByText("Ada Lovelace")).toBeInTheDocument();
  });

  it("sends a signed-out visitor to sign-in and back, code and all", async () => {
    stubApi({
      "GET /api/auth/me": () => errorResponse(401, "unauthenticated", "Sign in first."),
      "GET /api/setup": { needed: false },
    });
    const { router } = renderApp("/activate?code=BCDF-GHJK");

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in to Flamingo" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(router.state.location.search).toEqual({ redirect: "/activate?code=BCDF-GHJK" });
  });
});
