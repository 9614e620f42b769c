import { z } from "zod";

import type { EndedSessions } from "@/api/generated/EndedSessions";
import type { SessionInfo } from "@/api/generated/SessionInfo";

/** One of the signed-in user's sessions. */
export const sessionSchema = z.object({
  id: z.string(),
  created_at: z.string(),
  last_seen_at: z.string(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  current: z.boolean(),
}) satisfies z.ZodType<SessionInfo>;

/** `DELETE /api/auth/sessions`: how many other sessions ended. */
export const endedSessionsSchema = z.object({ ended: z.number().int() }) satisfies z.ZodType<EndedSessions>;
