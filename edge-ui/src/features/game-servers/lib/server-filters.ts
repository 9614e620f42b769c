import type { GameServerView, Utilization } from "@/features/game-servers/schemas/server";
import { serverStatus, type StatusView } from "@/features/game-servers/lib/server-status";

export type ServerFilters = { search: string; node: string; status: string; owner: string };

export const noFilters: ServerFilters = { search: "", node: "", status: "", owner: "" };

/** A server's status as the list shows it, with live figures when the node answered. */
export function liveStatus(server: GameServerView, utilization: Utilization | undefined): StatusView {
  const node = utilization?.nodes[server.node_id];
  const live = utilization?.servers[server.id];
  return serverStatus(server.status, live?.state ?? server.container_state, node ? node.online : undefined);
}

/** Servers matching every filter set: name or allocation contains the search, node, status label, owner id. */
export function filterServers(
  servers: readonly GameServerView[],
  filters: ServerFilters,
  utilization: Utilization | undefined,
): GameServerView[] {
  const needle = filters.search.trim().toLowerCase();
  return servers.filter((s) => {
    if (needle) {
      const address = `${s.allocation.alias ?? s.allocation.ip}:${String(s.allocation.port)}`;
      if (!s.name.toLowerCase().includes(needle) && !address.includes(needle)) return false;
    }
    if (filters.node && s.node_id !== filters.node) return false;
    if (filters.owner && (s.owner_id ?? "none") !== filters.owner) return false;
    if (filters.status && liveStatus(s, utilization).label !== filters.status) return false;
    return true;
  });
}

/** The distinct values of a field, by label, for a filter's choices. */
export function choices(
  servers: readonly GameServerView[],
  pick: (s: GameServerView) => { value: string; label: string },
): { value: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const s of servers) {
    const { value, label } = pick(s);
    if (!seen.has(value)) seen.set(value, label);
  }
  return [...seen].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
}
