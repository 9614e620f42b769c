import { z } from "zod";

/** A check passes with "ok"; a failing check holds its error message instead. */
export const CHECK_OK = "ok";

/**
 * `GET /api/health`, sent with HTTP 200 when healthy and 503 when degraded.
 * Hand-written until the API types are generated from the Rust side.
 */
export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  checks: z.record(z.string(), z.string()),
});

export type Health = z.infer<typeof healthSchema>;
