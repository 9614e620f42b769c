import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { SetupValues } from "@/features/auth/schemas/auth";
import { api } from "@/lib/api-client";
import { authKeys, meSchema } from "@/lib/auth";
import { notifySuccess } from "@/lib/notify";

/** `POST /api/setup`: creates the owner and the first organization, and signs in. */
export function useSetup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: SetupValues) => api.post("/api/setup", values, meSchema),
    onSuccess: (me) => {
      queryClient.setQueryData(authKeys.me, me);
      queryClient.setQueryData(authKeys.setupStatus, { needed: false });
      notifySuccess("Welcome to Flamingo", `${me.memberships[0]?.name ?? "Your organization"} is ready.`);
    },
  });
}
