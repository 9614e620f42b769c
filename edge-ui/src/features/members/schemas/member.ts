import { z } from "zod";

import type { Member } from "@/api/generated/Member";
import type { Role } from "@/api/generated/Role";
import type { RoleChange } from "@/api/generated/RoleChange";
import { roleSchema } from "@/lib/auth";

/** A member as listed by `GET /api/orgs/{org}/members`. */
export const memberSchema = z.object({
  user_id: z.string(),
  name: z.string(),
  email: z.string(),
  role: roleSchema,
  totp_enabled: z.boolean(),
  joined_at: z.string(),
}) satisfies z.ZodType<Member>;

/** The roles a member can be given (there is one owner, set at creation). */
export const ASSIGNABLE_ROLES = ["admin", "operator", "viewer"] as const satisfies readonly Role[];

/** `PATCH /api/orgs/{org}/members/{user}`'s body. */
export const roleChangeSchema = z.object({ role: z.enum(ASSIGNABLE_ROLES) }) satisfies z.ZodType<RoleChange>;

export type RoleChangeValues = z.infer<typeof roleChangeSchema>;
