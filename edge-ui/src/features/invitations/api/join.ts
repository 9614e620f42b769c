import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import {
  joinPreviewSchema,
  type JoinAccountValues,
} from "@/features/invitations/schemas/invitation";
import { api } from "@/lib/api-client";
import { authKeys, meSchema } from "@/lib/auth";
import { notifySuccess } from "@/lib/notify";

export const joinKeys = {
  preview: (token: string) => ["join", token] as const,
};

export function getJoinPreviewQueryOptions(token: string) {
  return queryOptions({
    queryKey: joinKeys.preview(token),
    queryFn: ({ signal }) => api.get(`/api/join/${encodeURIComponent(token)}`, joinPreviewSchema, signal),
    staleTime: 0,
  });
}

export function useJoinPreview(token: string) {
  return useQuery(getJoinPreviewQueryOptions(token));
}

/** `POST /api/join/{token}`: `{}` joins as the signed-in user, or a new account's details. */
export function useAcceptInvitation(token: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (account: JoinAccountValues | Record<string, never>) =>
      api.post(`/api/join/${encodeURIComponent(token)}`, account, meSchema),
    onSuccess: (me) => {
      queryClient.setQueryData(authKeys.me, me);
      queryClient.removeQueries({ queryKey: joinKeys.preview(token) });
      notifySuccess("Invitation accepted");
    },
  });
}
