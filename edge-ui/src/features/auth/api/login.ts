import { useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { loginRequestSchema } from "@/features/auth/schemas/auth";
import { ApiError, api } from "@/lib/api-client";
import { authKeys, meSchema } from "@/lib/auth";
import { notifySuccess } from "@/lib/notify";

export type LoginRequestValues = z.infer<typeof loginRequestSchema>;

/** Whether a failed sign-in only needs the second factor. */
export function needsSecondFactor(error: unknown): boolean {
  return error instanceof ApiError && error.code === "totp_required";
}

/**
 * `POST /api/auth/login`. A `totp_required` answer is the second step, not a
 * failure; other failures are the sign-in form's to show (see `showFormError`).
 */
export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: LoginRequestValues) => api.post("/api/auth/login", values, meSchema),
    onSuccess: (me) => {
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== authKeys.me[0] });
      queryClient.setQueryData(authKeys.me, me);
      notifySuccess(`Signed in as ${me.user.name}`);
    },
  });
}
