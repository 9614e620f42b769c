import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { fetchAllServers } from "@/features/game-servers/api/servers";
import type { GameServerView } from "@/features/game-servers/schemas/server";
import { stubApi } from "@/test/fake-api";
import { HEALTHY, testMe } from "@/test/fixtures";
import { jsonResponse } from "@/test/fetch";
import { renderApp } from "@/test/render-app";

function server(i: number, node: "n1" | "n2"): GameServerView {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
  return {
    id,
    short_id: id.slice(0, 8),
    name: `server-${String(i).padStart(4, "0")}`,
    description: "",
    node_id: node,
    node_name: node === "n1" ? "Frankfurt" : "Paris",
    egg_id: "egg",
    egg_name: "Paper",
    owner_id: null,
    owner_name: null,
    status: null,
    container_state: "offline",
    state_at: null,
    limits: { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100 },
    docker_image: "img",
    startup: "java",
    environment: {},
    allocation: { id: `a${String(i)}`, ip: "127.0.0.1", alias: null, port: 25565 + i, is_default: true },
    created_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T10:00:00Z",
    installed_at: "2026-12-01T10:00:00Z",
  };
}

const ALL = Array.from({ length: 30 }, (_, i) => server(i, i % 10 === 0 ? "n2" : "n1"));

function stub() {
  return stubApi({
    "GET /api/auth/me": testMe(),
    "GET /api/health": HEALTHY,
    "GET /api/orgs/acme/servers": ({ url }) => {
      const limit = Number(url.searchParams.get("limit"));
      const offset = Number(url.searchParams.get("offset"));
      return jsonResponse(200, { items: ALL.slice(offset, offset + limit), total: ALL.length, limit, offset });
    },
    "GET /api/orgs/acme/servers/utilization": {
      nodes: { n1: { online: true }, n2: { online: false, error: "The node Paris could not be reached." } },
      servers: {
        [ALL[1]?.id ?? ""]: {
          state: "running",
          cpu_absolute: 42.4,
          memory_bytes: 512 * 1024 * 1024,
          memory_limit_bytes: 1024 * 1024 * 1024,
          disk_bytes: 2048,
          network_rx_bytes: 0,
          network_tx_bytes: 0,
          uptime_ms: 1000,
        },
      },
    },
  });
}

describe("game server list", () => {
  it("shows the servers from the list alone, then live figures and offline nodes", { timeout: 30_000 }, async () => {
    const api = stub();
    renderApp("/o/acme/game-servers");
    const table = await screen.findByRole("table", { name: "Game servers" });
    expect(await within(table).findByRole("link", { name: "server-0029" })).toBeInTheDocument();
    expect(api.calls("GET /api/orgs/acme/servers").length).toBe(1);
    const running = await within(table).findByText("42%");
    expect(within(running.closest("tr") as HTMLElement).getByText("running")).toBeInTheDocument();
    expect(within(table).getAllByText("node offline")).toHaveLength(3);
    expect(screen.getByText(/Paris is offline: The node Paris could not be reached\./)).toBeInTheDocument();
  });

  it("filters by search, node and status", { timeout: 30_000 }, async () => {
    stub();
    const { user } = renderApp("/o/acme/game-servers");
    await screen.findByRole("table", { name: "Game servers" });
    await user.type(screen.getByLabelText("Search"), "server-001");
    expect(await screen.findByText("10 of 30 servers")).toBeInTheDocument();
    await user.clear(screen.getByLabelText("Search"));
    await user.selectOptions(screen.getByLabelText("Node"), "n2");
    expect(await screen.findByText("3 of 30 servers")).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Node"), "");
    await screen.findByText("running", { selector: "span" });
    await user.selectOptions(screen.getByLabelText("Status"), "running");
    expect(await screen.findByText("1 of 30 servers")).toBeInTheDocument();
  });
});

describe("fetchAllServers", () => {
  it("asks the pages after the first at once and keeps their order", async () => {
    const many = Array.from({ length: 450 }, (_, i) => server(i, "n1"));
    const api = stubApi({
      "GET /api/orgs/acme/servers": ({ url }) => {
        const limit = Number(url.searchParams.get("limit"));
        const offset = Number(url.searchParams.get("offset"));
        return jsonResponse(200, { items: many.slice(offset, offset + limit), total: many.length, limit, offset });
      },
    });
    const got = await fetchAllServers("acme");
    expect(got.map((s) => s.name)).toEqual(many.map((s) => s.name));
    expect(api.calls("GET /api/orgs/acme/servers").map((r) => r.url.searchParams.get("offset"))).toEqual(["0", "200", "400"]);
  });
});
