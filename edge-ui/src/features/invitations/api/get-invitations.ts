import { queryOptions, useQuery } from "@tanstack/react-query";
import { z } from "zod";

import { invitationSchema } from "@/features/invitations/schemas/invitation";
import { api } from "@/lib/api-client";
import { orgScope } from "@/lib/query-keys";

export const invitationKeys = {
  all: (org: string) => [...orgScope(org), "invitations"] as const,
};

export function getInvitationsQueryOptions(org: string) {
  return queryOptions({
    queryKey: invitationKeys.all(org),
    queryFn: ({ signal }) =>
      api.get(`/api/orgs/${encodeURIComponent(org)}/invitations`, z.array(invitationSchema), signal),
  });
}

export function useInvitations(org: string) {
  return useQuery(getInvitationsQueryOptions(org));
}
