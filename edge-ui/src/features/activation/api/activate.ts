import { useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { Activation } from "@/api/generated/Activation";
import { api } from "@/lib/api-client";
import { queryScopes } from "@/lib/query-keys";

/** `POST /api/activate`: approves a tunnel host's device code; the SSH key becomes the user's. */
export function useActivate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (activation: Activation) => api.post("/api/activate", activation, z.undefined()),
    // The new key shows in the user's SSH keys.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryScopes.account }),
  });
}
