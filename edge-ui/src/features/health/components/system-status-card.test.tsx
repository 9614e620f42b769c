import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { SystemStatusCard } from "@/features/health/components/system-status-card";
import { jsonResponse, stubFetch } from "@/test/fetch";
import { renderWithProviders } from "@/test/render-app";

const healthy = {
  status: "ok",
  version: "0.1.0",
  checks: { d1: "ok", kv: "ok", durable_objects: "ok" },
};

describe("SystemStatusCard", () => {
  it("shows a loading state while the check is in flight", () => {
    stubFetch(
      () =>
        new Promise<Response>(() => {
          // never settles: the request stays in flight
        }),
    );
    renderWithProviders(<SystemStatusCard />);

    expect(screen.getByRole("status")).toHaveTextContent("Checking system status");
    expect(screen.getByRole("button", { name: "Refresh system status" })).toBeDisabled();
  });

  it("lists every check when the system is healthy", async () => {
    const fetchMock = stubFetch(() => Promise.resolve(jsonResponse(200, healthy)));
    renderWithProviders(<SystemStatusCard />);

    expect(await screen.findByText("All systems operational")).toBeInTheDocument();
    expect(screen.getByText("Version 0.1.0")).toBeInTheDocument();
    const checks = within(screen.getByRole("list", { name: "Checks" })).getAllByRole("listitem");
    expect(checks.map((row) => row.textContent)).toEqual([
      "D1 databaseOK",
      "KV storeOK",
      "Durable ObjectsOK",
    ]);
    expect(fetchMock.mock.calls[0]?.[0]).toBe("/api/health");
  });

  it("shows a degraded system (HTTP 503) with the failing check's error", async () => {
    stubFetch(() =>
      Promise.resolve(
        jsonResponse(503, {
          status: "degraded",
          version: "0.1.0",
          checks: { d1: "ok", kv: "kv get timed out", durable_objects: "ok" },
        }),
      ),
    );
    renderWithProviders(<SystemStatusCard />);

    expect(await screen.findByText("Degraded")).toBeInTheDocument();
    expect(screen.getByText("kv get timed out")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows an error with a retry when the API cannot be reached", async () => {
    let calls = 0;
    stubFetch(() => {
      calls += 1;
      return calls === 1
        ? Promise.reject(new TypeError("Failed to fetch"))
        : Promise.resolve(jsonResponse(200, healthy));
    });
    const { user } = renderWithProviders(<SystemStatusCard />);

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not load the system status.");
    expect(alert).toHaveTextContent("Could not reach the Flamingo API");

    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("All systems operational")).toBeInTheDocument();
  });

  it("treats a 503 without a health body as an error", async () => {
    stubFetch(() =>
      Promise.resolve(jsonResponse(503, { error: { code: "unavailable", message: "Down for maintenance." } })),
    );
    renderWithProviders(<SystemStatusCard />);

    expect(await screen.findByRole("alert")).toHaveTextContent("Down for maintenance.");
  });

  it("says so when the server reports no checks", async () => {
    stubFetch(() => Promise.resolve(jsonResponse(200, { ...healthy, checks: {} })));
    renderWithProviders(<SystemStatusCard />);

    expect(await screen.findByText("The server reported no checks.")).toBeInTheDocument();
  });
});
