import { queryOptions, type QueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { SharedServer } from "@/api/generated/SharedServer";
import { api } from "@/lib/api-client";
import { queryScopes } from "@/lib/query-keys";

export const sharedServerSchema = z.object({
  id: z.string(),
  name: z.string(),
  org: z.string(),
  org_name: z.string(),
  node_name: z.string(),
  status: z.string().nullable(),
  container_state: z.string().nullable(),
  owner: z.boolean(),
  permissions: z.array(z.string()),
}) satisfies z.ZodType<SharedServer>;

export const sharedServerKeys = {
  list: [...queryScopes.account, "servers"] as const,
};

/** `GET /api/me/servers`: the servers the caller owns or is a subuser of, in any organization. */
export function getSharedServersQueryOptions() {
  return queryOptions({
    queryKey: sharedServerKeys.list,
    queryFn: ({ signal }) => api.get("/api/me/servers", z.array(sharedServerSchema), signal),
    staleTime: 30_000,
  });
}

/** The caller's shared servers, asked again once stale (route guards use it). */
export function loadSharedServers(queryClient: QueryClient): Promise<SharedServer[]> {
  return queryClient.query(getSharedServersQueryOptions());
}
