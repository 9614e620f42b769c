import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { errorResponse, stubApi } from "@/test/fake-api";
import { jsonResponse } from "@/test/fetch";
import { EMPTY_AUDIT, HEALTHY, testMe, testMember } from "@/test/fixtures";
import { renderApp } from "@/test/render-app";

function signedIn() {
  return stubApi({
    "GET /api/auth/me": testMe(),
    "GET /api/health": HEALTHY,
    "GET /api/orgs/acme/members": [testMember({ user_id: "u-ada", name: "Ada Lovelace", role: "owner" })],
    "GET /api/orgs/acme/invitations": [],
    "GET /api/orgs/acme/audit": EMPTY_AUDIT,
    "GET /api/orgs/acme/tunnels": [],
    "GET /api/orgs/acme/tunnel-hosts": [],
    "GET /api/orgs/acme/tunnel-names": [],
    "GET /api/auth/sessions": [],
    "GET /api/me/api-keys": [],
    "GET /api/me/ssh-keys": [],
  });
}

const signedOut = () => errorResponse(401, "unauthenticated", "Sign in first.");

describe("tab titles", () => {
  it.each([
    ["/o/acme", "Dashboard · Flamingo"],
    ["/o/acme/tunnels", "Tunnels · Flamingo"],
    ["/o/acme/tunnels/hosts", "Hosts · Tunnels · Flamingo"],
    ["/o/acme/tunnels/names", "Reserved names · Tunnels · Flamingo"],
    ["/o/acme/organization/members", "Members · Organization · Flamingo"],
    ["/o/acme/organization/invitations", "Invitations · Organization · Flamingo"],
    ["/o/acme/audit-log", "Audit log · Flamingo"],
    ["/o/acme/settings/sessions", "Sessions · Settings · Flamingo"],
    ["/o/acme/settings/api-keys", "API keys · Settings · Flamingo"],
    ["/o/acme/nowhere", "Page not found · Flamingo"],
  ])("%s is titled %j", async (path, title) => {
    signedIn();
    renderApp(path);
    await waitFor(() => {
      expect(document.title).toBe(title);
    });
  });

  it("names the sign-in page", async () => {
    stubApi({ "GET /api/auth/me": signedOut, "GET /api/setup": { needed: false } });
    renderApp("/login");
    await waitFor(() => {
      expect(document.title).toBe("Sign in · Flamingo");
    });
  });
});

describe("not-found pages", () => {
  it("keep the shell inside an organization", async () => {
    signedIn();
    renderApp("/o/acme/settings/nowhere");

    expect(await screen.findByRole("heading", { level: 1, name: "Page not found" })).toBeInTheDocument();
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Dashboard" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Organization: Acme" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to the dashboard" })).toHaveAttribute("href", "/o/acme");
  });
});

describe("a lost connection to the API", () => {
  it("says so instead of 'Something went wrong', and reconnects", async () => {
    let down = true;
    const up = {
      "GET /api/auth/me": testMe(),
      "GET /api/health": HEALTHY,
      "GET /api/orgs/acme/members": [],
      "GET /api/orgs/acme/invitations": [],
      "GET /api/orgs/acme/audit": EMPTY_AUDIT,
    };
    const api = stubApi(up);
    const answer = api.fetchMock.getMockImplementation();
    // While "down", every request fails as fetch does when the network is gone.
    api.fetchMock.mockImplementation((...args: Parameters<typeof fetch>) =>
      down || !answer ? Promise.reject(new TypeError("Failed to fetch")) : answer(...args),
    );
    const { user } = renderApp("/o/acme");

    expect(await screen.findByRole("heading", { level: 1, name: "Can't reach Flamingo" })).toBeInTheDocument();
    expect(screen.queryByText("Something went wrong")).not.toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent(/Trying again in \d+ s/);

    down = false;
    await user.click(screen.getByRole("button", { name: "Try now" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
  });
});

describe("the signed-out start", () => {
  it("asks who is signed in once on its way to sign-in", async () => {
    const api = stubApi({ "GET /api/auth/me": signedOut, "GET /api/setup": { needed: false } });
    const { router } = renderApp("/");

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in to Flamingo" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(api.calls("GET /api/auth/me")).toHaveLength(1);
  });

  it("asks whether setup is needed once on its way to setup", async () => {
    const api = stubApi({ "GET /api/auth/me": signedOut, "GET /api/setup": { needed: true } });
    const { router } = renderApp("/");

    expect(await screen.findByRole("heading", { level: 1, name: "Set up Flamingo" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/setup");
    expect(api.calls("GET /api/setup")).toHaveLength(1);
    expect(api.calls("GET /api/auth/me")).toHaveLength(1);
  });

  it("asks once when sign-in sends a first visitor to setup", async () => {
    const api = stubApi({ "GET /api/auth/me": signedOut, "GET /api/setup": { needed: true } });
    const { router } = renderApp("/login");

    expect(await screen.findByRole("heading", { level: 1, name: "Set up Flamingo" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/setup");
    expect(api.calls("GET /api/setup")).toHaveLength(1);
  });

  it("still asks afresh when a cached user's session may have ended", async () => {
    let me = () => jsonResponse(200, testMe());
    const api = stubApi({
      "GET /api/auth/me": () => me(),
      "GET /api/setup": { needed: false },
      "GET /api/health": HEALTHY,
      "GET /api/orgs/acme/members": [],
      "GET /api/orgs/acme/invitations": [],
      "GET /api/orgs/acme/audit": EMPTY_AUDIT,
    });
    const { router } = renderApp("/o/acme");
    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();

    me = signedOut;
    await router.navigate({ to: "/login" });
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in to Flamingo" })).toBeInTheDocument();
    expect(api.calls("GET /api/auth/me")).toHaveLength(2);
  });
});

describe("the dashboard", () => {
  it("links its cards to their pages", async () => {
    signedIn();
    renderApp("/o/acme");

    expect(await screen.findByRole("link", { name: "Members" })).toHaveAttribute("href", "/o/acme/organization/members");
    expect(screen.getByRole("link", { name: "Pending invitations" })).toHaveAttribute(
      "href",
      "/o/acme/organization/invitations",
    );
    expect(screen.getByRole("link", { name: "View all" })).toHaveAttribute("href", "/o/acme/audit-log");
  });
});
