import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { ApiKey } from "@/api/generated/ApiKey";
import {
  apiKeySchema,
  createdKeySchema,
  toNewKey,
  type NewKeyFormValues,
} from "@/features/api-keys/schemas/api-key";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";
import { queryScopes } from "@/lib/query-keys";

export const apiKeyKeys = {
  all: [...queryScopes.account, "api-keys"] as const,
};

export function getApiKeysQueryOptions() {
  return queryOptions({
    queryKey: apiKeyKeys.all,
    queryFn: ({ signal }) => api.get("/api/me/api-keys", z.array(apiKeySchema), signal),
  });
}

export function useApiKeys() {
  return useQuery(getApiKeysQueryOptions());
}

/** `POST /api/me/api-keys`; the answer holds the token, once. */
export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: NewKeyFormValues) => api.post("/api/me/api-keys", toNewKey(values), createdKeySchema),
    onSuccess: () => {
      // The dialog says to copy the token now; a toast repeats no instructions.
      notifySuccess("API key created");
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

/** `DELETE /api/me/api-keys/{id}`: the key stops working. */
export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (key: ApiKey) => api.delete(`/api/me/api-keys/${encodeURIComponent(key.id)}`, z.undefined()),
    onSuccess: (_, key) => {
      notifySuccess(`Revoked ${key.name}`);
    },
    onError: (error) => {
      notifyError("Could not revoke the API key", error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}
