import type { Role } from "@/api/generated/Role";

/**
 * What a role may do, mirroring the server's permission matrix
 * (`edge-api/src/auth/access.rs`). The server is the judge; the UI only uses this
 * to hide or disable controls and to say why.
 */
export type Resource = "members" | "settings" | "audit" | "tunnels" | "vps";
export type Action = "read" | "write";

export function can(role: Role | undefined, resource: Resource, action: Action): boolean {
  if (!role) return false;
  if (action === "read") return true;
  if (resource === "audit") return false;
  // Operators run things (tunnels, reserved names); only admins change the fleet or the organization.
  if (resource === "tunnels") return role !== "viewer";
  return role === "owner" || role === "admin";
}

const WRITE_REASONS: Record<Resource, string> = {
  members: "Only owners and admins can manage members and invitations.",
  settings: "Only owners and admins can change organization settings.",
  audit: "The audit log cannot be changed.",
  tunnels: "Only owners, admins and operators can kick tunnels and reserve names.",
  vps: "Only owners and admins can add or remove tunnel hosts.",
};

/** Why `role` may not do this, or undefined when it may. */
export function deniedReason(
  role: Role | undefined,
  resource: Resource,
  action: Action,
): string | undefined {
  if (can(role, resource, action)) return undefined;
  return action === "write" ? WRITE_REASONS[resource] : "You are not a member of this organization.";
}

const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  operator: "Operator",
  viewer: "Viewer",
};

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role];
}
