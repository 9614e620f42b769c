import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { SessionInfo } from "@/api/generated/SessionInfo";
import { endedSessionsSchema, sessionSchema } from "@/features/sessions/schemas/session";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";
import { queryScopes } from "@/lib/query-keys";

export const sessionKeys = {
  all: [...queryScopes.account, "sessions"] as const,
};

export function getSessionsQueryOptions() {
  return queryOptions({
    queryKey: sessionKeys.all,
    queryFn: ({ signal }) => api.get("/api/auth/sessions", z.array(sessionSchema), signal),
  });
}

export function useSessions() {
  return useQuery(getSessionsQueryOptions());
}

/** `DELETE /api/auth/sessions/{id}`: signs that browser out. */
export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (session: SessionInfo) =>
      api.delete(`/api/auth/sessions/${encodeURIComponent(session.id)}`, z.undefined()),
    onSuccess: () => {
      notifySuccess("Session revoked", "That browser is signed out.");
    },
    onError: (error) => {
      notifyError("Could not revoke the session", error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: sessionKeys.all }),
  });
}

/** `DELETE /api/auth/sessions`: signs out every browser but this one. */
export function useRevokeOtherSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete("/api/auth/sessions", endedSessionsSchema),
    onSuccess: ({ ended }) => {
      notifySuccess(
        "Signed out everywhere else",
        ended === 1 ? "1 other session ended." : `${String(ended)} other sessions ended.`,
      );
    },
    onError: (error) => {
      notifyError("Could not sign out the other sessions", error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: sessionKeys.all }),
  });
}
