import { z } from "zod";

import type { AuditEntry } from "@/api/generated/AuditEntry";
import type { Page } from "@/api/generated/Page";
import { actionsMatching, isActionCode } from "@/features/audit/utils/describe-action";

/** One audit entry. */
export const auditEntrySchema = z.object({
  id: z.string(),
  actor_id: z.string().nullable(),
  actor_name: z.string().nullable(),
  actor_email: z.string().nullable(),
  action: z.string(),
  resource_type: z.string().nullable(),
  resource_id: z.string().nullable(),
  metadata: z.json(),
  ip: z.string().nullable(),
  created_at: z.string(),
}) satisfies z.ZodType<AuditEntry>;

/**
 * A page of entries. The generated `Page` types the counts as `bigint` (Rust
 * `i64`), but JSON carries plain numbers; until the Rust side marks them
 * `#[ts(type = "number")]` the counts are typed here.
 */
export type AuditPage = Omit<Page, "total" | "limit" | "offset"> & {
  total: number;
  limit: number;
  offset: number;
};

export const auditPageSchema = z.object({
  items: z.array(auditEntrySchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
}) satisfies z.ZodType<AuditPage>;

/** Entries per page in the audit log. */
export const AUDIT_PAGE_SIZE = 25;

const day = z.union([z.literal(""), z.iso.date("Enter a date.")]);

/** The audit log's filters, as kept in the address (`?actor=&action=&since=&until=&page=`). */
export const auditSearchSchema = z.object({
  /** A member's user id. */
  actor: z.string().optional().catch(undefined),
  /** Plain words ("revoked key"), an action (`member.join`) or a prefix (`member.*`). */
  action: z.string().optional().catch(undefined),
  /** First day included, `YYYY-MM-DD`. */
  since: z.iso.date().optional().catch(undefined),
  /** Last day included, `YYYY-MM-DD`. */
  until: z.iso.date().optional().catch(undefined),
  /** 1-based page number. */
  page: z.number().int().min(1).optional().catch(undefined),
});

export type AuditSearch = z.infer<typeof auditSearchSchema>;

/** The filter form; empty strings mean "any". */
export const auditFilterFormSchema = z
  .object({
    actor: z.string(),
    action: z
      .string()
      .trim()
      .max(100, "Use at most 100 characters.")
      .refine(
        (value) => value === "" || actionFilter(value) !== undefined,
        "No action matches these words. Try words like invite, kick or API key, or an action like member.join.",
      ),
    since: day,
    until: day,
  })
  .refine((f) => !f.since || !f.until || f.since <= f.until, {
    message: "The end date must not be before the start date.",
    path: ["until"],
  });

export type AuditFilterValues = z.infer<typeof auditFilterFormSchema>;

/**
 * The server's `action` filter for what was typed: an action or prefix as
 * is (`member.join`, `member.*`), plain words as every action they describe
 * (`revoked` → `api_key.revoke,invitation.revoke`); undefined when nothing
 * matches or nothing was typed.
 */
export function actionFilter(action: string | undefined): string | undefined {
  const typed = action?.trim();
  if (!typed) return undefined;
  if (isActionCode(typed.toLowerCase())) return typed.toLowerCase();
  const actions = actionsMatching(typed);
  return actions.length > 0 ? actions.join(",") : undefined;
}

/** Local midnight at the start of `date` (`YYYY-MM-DD`), as RFC 3339. */
export function startOfDay(date: string, plusDays = 0): string {
  const [y = 0, m = 1, d = 1] = date.split("-").map(Number);
  return new Date(y, m - 1, d + plusDays).toISOString();
}
