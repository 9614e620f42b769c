import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { z } from "zod";

import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";

/** `POST /api/auth/logout`, then the sign-in page with nothing of the old session cached. */
export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => api.post("/api/auth/logout", undefined, z.undefined()),
    onSuccess: async () => {
      await navigate({ to: "/login" });
      queryClient.clear();
      notifySuccess("Signed out");
    },
    onError: (error) => {
      notifyError("Could not sign out", error);
    },
  });
}
