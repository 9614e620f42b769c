import type { Me } from "@/api/generated/Me";
import type { Member } from "@/api/generated/Member";
import type { Role } from "@/api/generated/Role";

/** A signed-in user who belongs to "Acme" (slug `acme`) with `role`. */
export function testMe({ role = "owner", totp = false }: { role?: Role; totp?: boolean } = {}): Me {
  return {
    user: {
      id: "u-ada",
      name: "Ada Lovelace",
      email: "ada@example.com",
      totp_enabled: totp,
      created_at: "2026-11-01T10:00:00Z",
    },
    memberships: [
      { org_id: "o-acme", slug: "acme", name: "Acme", role },
      { org_id: "o-lab", slug: "lab", name: "Lab", role: "viewer" },
    ],
  };
}

/** A member of Acme. */
export function testMember(overrides: Partial<Member> & Pick<Member, "user_id" | "name" | "role">): Member {
  return {
    email: `${overrides.name.split(" ")[0]?.toLowerCase() ?? "x"}@example.com`,
    totp_enabled: false,
    joined_at: "2026-11-02T10:00:00Z",
    ...overrides,
  };
}

export const HEALTHY = { status: "ok", version: "0.1.0", checks: { d1: "ok" } };

export const EMPTY_AUDIT = { items: [], total: 0, limit: 10, offset: 0 };
