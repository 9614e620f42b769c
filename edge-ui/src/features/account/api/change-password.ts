import { useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { PasswordChangeValues } from "@/features/account/schemas/account";
import { api } from "@/lib/api-client";
import { notifySuccess } from "@/lib/notify";
import { queryScopes } from "@/lib/query-keys";

/** `PUT /api/auth/password`; the server ends every other session, and revokes API keys when asked. */
export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: PasswordChangeValues) => api.put("/api/auth/password", values, z.undefined()),
    onSuccess: async (_, values) => {
      notifySuccess(
        "Password changed",
        values.revoke_api_keys
          ? "Your other sessions were signed out and your API keys revoked."
          : "Your other sessions were signed out.",
      );
      await queryClient.invalidateQueries({ queryKey: queryScopes.account });
    },
  });
}
