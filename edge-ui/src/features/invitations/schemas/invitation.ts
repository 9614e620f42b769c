import { z } from "zod";

import type { CreatedInvitation } from "@/api/generated/CreatedInvitation";
import type { Invitation } from "@/api/generated/Invitation";
import type { InvitationPreview } from "@/api/generated/InvitationPreview";
import type { JoinRequest } from "@/api/generated/JoinRequest";
import type { NewInvitation } from "@/api/generated/NewInvitation";
import type { Role } from "@/api/generated/Role";
import { roleSchema } from "@/lib/auth";
import { emailRule, nameRule, passwordRule } from "@/lib/validation";

export type { CreatedInvitation, Invitation };

/** A pending invitation as listed (never its token). */
export const invitationSchema = z.object({
  id: z.string(),
  role: roleSchema,
  email: z.string().nullable(),
  created_by: z.object({ id: z.string(), name: z.string() }),
  created_at: z.string(),
  expires_at: z.string(),
}) satisfies z.ZodType<Invitation>;

/** `POST /api/orgs/{org}/invitations`: the only time the token is shown. */
export const createdInvitationSchema = z.object({
  invitation: invitationSchema,
  token: z.string(),
  /** The panel path to share, `/join/<token>`. */
  url: z.string(),
}) satisfies z.ZodType<CreatedInvitation>;

/** The roles an invitation can give. */
export const INVITABLE_ROLES = ["admin", "operator", "viewer"] as const satisfies readonly Role[];

/** How long a link may stay valid, in days. */
export const EXPIRY_DAYS = [1, 7, 14, 30] as const;

/** The invite form; its values become `POST /api/orgs/{org}/invitations`'s body. */
export const newInvitationSchema = z.object({
  role: z.enum(INVITABLE_ROLES),
  /** Whom the link is meant for, as a note (never checked); empty for none. */
  email: z.union([z.literal(""), emailRule]),
  expires_in_days: z.number().int().min(1).max(30),
});

export type NewInvitationValues = z.infer<typeof newInvitationSchema>;

/** The request body: an empty note is left out. */
export function toNewInvitationBody({ role, email, expires_in_days }: NewInvitationValues): NewInvitation {
  return { role, expires_in_days, ...(email ? { email } : {}) };
}

/** `GET /api/join/{token}`: what accepting would do. */
export const joinPreviewSchema = z.object({
  organization: z.object({ name: z.string(), slug: z.string() }),
  /** Null for an invitation to one game server (as a subuser). */
  role: roleSchema.nullable(),
  server: z.object({ id: z.string(), name: z.string(), permissions: z.array(z.string()) }).nullable(),
  expires_at: z.string(),
  signed_in_as: z.object({ name: z.string(), email: z.string() }).nullable(),
}) satisfies z.ZodType<InvitationPreview>;

export type JoinPreview = InvitationPreview;

/** Joining with a new account: `POST /api/join/{token}`'s body. */
export const joinAccountSchema = z.object({
  name: nameRule,
  email: emailRule,
  password: passwordRule,
}) satisfies z.ZodType<JoinRequest>;

export type JoinAccountValues = z.infer<typeof joinAccountSchema>;
