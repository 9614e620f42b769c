import type { Role } from "@/api/generated/Role";

/**
 * Who may change what in the game-server admin screens, mirroring the API's
 * matrix (`edge-api/src/auth/access.rs`): nodes, allocations and eggs are
 * `nodes:write` (owner, admin); servers are `game_servers:write` (owner,
 * admin, operator). The API is the judge; the UI hides and explains.
 */
export function mayManageNodes(role: Role | undefined): boolean {
  return role === "owner" || role === "admin";
}

export function mayManageServers(role: Role | undefined): boolean {
  return role === "owner" || role === "admin" || role === "operator";
}

export const NODES_DENIED = "Only owners and admins can add or change nodes and eggs.";
export const SERVERS_DENIED = "Only owners, admins and operators can create game servers.";
