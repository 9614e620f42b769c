import { describe, expect, it } from "vitest";

import { choices, filterServers, liveStatus, noFilters } from "@/features/game-servers/lib/server-filters";
import type { GameServerView, Utilization } from "@/features/game-servers/schemas/server";

function server(id: string, over: Partial<GameServerView> = {}): GameServerView {
  return {
    id,
    short_id: id.slice(0, 8),
    name: `srv-${id}`,
    description: "",
    node_id: "n1",
    node_name: "Node one",
    egg_id: "e",
    egg_name: "Paper",
    owner_id: null,
    owner_name: null,
    status: null,
    container_state: "offline",
    state_at: null,
    limits: { memory: 1, swap: 0, disk: 1, io: 500, cpu: 100 },
    docker_image: "",
    startup: "",
    environment: {},
    allocation: { id: "a", ip: "127.0.0.1", alias: null, port: 25565, is_default: true },
    created_at: "",
    updated_at: "",
    installed_at: null,
    ...over,
  };
}

const live = (state: string) => ({
  state,
  cpu_absolute: 1,
  memory_bytes: 1,
  memory_limit_bytes: 2,
  disk_bytes: 3,
  network_rx_bytes: 0,
  network_tx_bytes: 0,
  uptime_ms: 0,
});

describe("server list filters", () => {
  const list = [
    server("a", { name: "Survival" }),
    server("b", { name: "Creative", node_id: "n2", node_name: "Node two", owner_id: "u1", owner_name: "Ada" }),
    server("c", { name: "Skyblock", allocation: { id: "x", ip: "10.0.0.5", alias: null, port: 25570, is_default: true } }),
  ];
  const util: Utilization = { nodes: { n1: { online: true }, n2: { online: false } }, servers: { a: live("running") } };

  it("searches names and addresses", () => {
    expect(filterServers(list, { ...noFilters, search: "sur" }, undefined).map((s) => s.id)).toEqual(["a"]);
    expect(filterServers(list, { ...noFilters, search: ":25570" }, undefined).map((s) => s.id)).toEqual(["c"]);
  });

  it("filters by node, owner and live status", () => {
    expect(filterServers(list, { ...noFilters, node: "n2" }, util).map((s) => s.id)).toEqual(["b"]);
    expect(filterServers(list, { ...noFilters, owner: "none" }, util).map((s) => s.id)).toEqual(["a", "c"]);
    expect(filterServers(list, { ...noFilters, status: "running" }, util).map((s) => s.id)).toEqual(["a"]);
    expect(filterServers(list, { ...noFilters, status: "node offline" }, util).map((s) => s.id)).toEqual(["b"]);
  });

  it("uses the stored state until live figures come", () => {
    const first = server("a");
    expect(liveStatus(first, undefined).label).toBe("offline");
    expect(liveStatus(first, util).label).toBe("running");
  });

  it("lists distinct choices by label", () => {
    expect(choices(list, (s) => ({ value: s.node_id, label: s.node_name }))).toEqual([
      { value: "n1", label: "Node one" },
      { value: "n2", label: "Node two" },
    ]);
  });
});
