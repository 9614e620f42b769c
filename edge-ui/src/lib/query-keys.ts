/**
 * Query key roots shared across features. Every organization-scoped query
 * key starts with `orgScope(slug)`, so one invalidation refreshes everything
 * a change in that organization may have touched (lists, counts, the audit log).
 */
export const queryScopes = {
  /** The signed-in user and first-run status. */
  auth: ["auth"] as const,
  /** The signed-in user's own account (sessions, API keys). */
  account: ["account"] as const,
};

/** The root of every query about one organization. */
export function orgScope(org: string) {
  return ["orgs", org] as const;
}
