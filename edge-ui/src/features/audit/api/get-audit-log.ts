import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import {
  actionFilter,
  auditPageSchema,
  type AuditPage,
  startOfDay,
  type AuditSearch,
} from "@/features/audit/schemas/audit";
import { api } from "@/lib/api-client";
import { orgScope } from "@/lib/query-keys";

/** What one audit request asks for. */
export type AuditQuery = Omit<AuditSearch, "page"> & { limit: number; offset: number };

export const auditKeys = {
  all: (org: string) => [...orgScope(org), "audit"] as const,
  list: (org: string, query: AuditQuery) => [...auditKeys.all(org), query] as const,
};

function toParams({ actor, action, since, until, limit, offset }: AuditQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (actor) params.set("actor", actor);
  const actions = actionFilter(action);
  if (actions) params.set("action", actions);
  if (since) params.set("since", startOfDay(since));
  // The last day is included: entries before the next day's midnight.
  if (until) params.set("until", startOfDay(until, 1));
  params.set("limit", String(limit));
  params.set("offset", String(offset));
  return params;
}

export function getAuditLogQueryOptions(org: string, query: AuditQuery) {
  return queryOptions({
    queryKey: auditKeys.list(org, query),
    queryFn: ({ signal }): Promise<AuditPage> =>
      // Words in the address that name no action match no entries (the form refuses them).
      query.action?.trim() && !actionFilter(query.action)
        ? Promise.resolve({ items: [], total: 0, limit: query.limit, offset: query.offset })
        : api.get(`/api/orgs/${encodeURIComponent(org)}/audit?${toParams(query).toString()}`, auditPageSchema, signal),
    placeholderData: keepPreviousData,
  });
}

export function useAuditLog(org: string, query: AuditQuery) {
  return useQuery(getAuditLogQueryOptions(org, query));
}
