import { queryOptions, useQuery } from "@tanstack/react-query";
import { z } from "zod";

import { memberSchema } from "@/features/members/schemas/member";
import { api } from "@/lib/api-client";
import { orgScope } from "@/lib/query-keys";

export const memberKeys = {
  all: (org: string) => [...orgScope(org), "members"] as const,
};

export function getMembersQueryOptions(org: string) {
  return queryOptions({
    queryKey: memberKeys.all(org),
    queryFn: ({ signal }) =>
      api.get(`/api/orgs/${encodeURIComponent(org)}/members`, z.array(memberSchema), signal),
  });
}

export function useMembers(org: string) {
  return useQuery(getMembersQueryOptions(org));
}
