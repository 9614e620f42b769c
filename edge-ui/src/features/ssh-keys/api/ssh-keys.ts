import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { SshKey } from "@/api/generated/SshKey";
import { sshKeySchema, type NewSshKeyValues } from "@/features/ssh-keys/schemas/ssh-key";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";
import { queryScopes } from "@/lib/query-keys";

export const sshKeyKeys = {
  all: [...queryScopes.account, "ssh-keys"] as const,
};

export function getSshKeysQueryOptions() {
  return queryOptions({
    queryKey: sshKeyKeys.all,
    queryFn: ({ signal }) => api.get("/api/me/ssh-keys", z.array(sshKeySchema), signal),
  });
}

export function useSshKeys() {
  return useQuery(getSshKeysQueryOptions());
}

/** `POST /api/me/ssh-keys`: the key may then open tunnels on the organization's hosts. */
export function useAddSshKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: NewSshKeyValues) => api.post("/api/me/ssh-keys", values, sshKeySchema),
    onSuccess: (key) => {
      notifySuccess(`Added ${key.name}`);
    },
    // Its dialog shows any failure, once (see lib/form-errors).
    onSettled: () => queryClient.invalidateQueries({ queryKey: sshKeyKeys.all }),
  });
}

/** `DELETE /api/me/ssh-keys/{id}`: the key no longer opens tunnels. */
export function useDeleteSshKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (key: SshKey) => api.delete(`/api/me/ssh-keys/${encodeURIComponent(key.id)}`, z.undefined()),
    onSuccess: (_, key) => {
      notifySuccess(`Removed ${key.name}`);
    },
    onError: (error, key) => {
      notifyError(`Could not remove ${key.name}`, error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: sshKeyKeys.all }),
  });
}
