import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { ProfileUpdate } from "@/api/generated/ProfileUpdate";
import { api } from "@/lib/api-client";
import { authKeys, meSchema } from "@/lib/auth";
import { notifySuccess } from "@/lib/notify";

/** `PATCH /api/auth/me`: a new name or email. */
export function useUpdateProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (update: ProfileUpdate) => api.patch("/api/auth/me", update, meSchema),
    onSuccess: async (me) => {
      queryClient.setQueryData(authKeys.me, me);
      notifySuccess("Profile saved");
      // Member lists show names and emails.
      await queryClient.invalidateQueries({ queryKey: ["orgs"] });
    },
  });
}
