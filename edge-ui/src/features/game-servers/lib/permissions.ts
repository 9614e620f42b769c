import type { Role } from "@/api/generated/Role";

/**
 * Whether the caller may do `permission` (a Pelican permission string such
 * as `control.start`) on a server, mirroring the API's guard: owners and
 * subusers by their list (`*` is everything); members without one by role
 * (everyone reads: `*.read` and `websocket.connect`; owner, admin and
 * operator do the rest). The API is the judge; this only hides controls.
 */
export function serverCan(
  permissions: readonly string[] | null,
  role: Role | undefined,
  permission: string,
): boolean {
  if (permissions?.includes("*") || permissions?.includes(permission)) return true;
  if (!role) return false;
  if (permission === "websocket.connect" || permission.endsWith(".read")) return true;
  return role === "owner" || role === "admin" || role === "operator";
}
