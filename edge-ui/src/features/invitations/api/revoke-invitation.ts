import { useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { Invitation } from "@/features/invitations/schemas/invitation";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";
import { orgScope } from "@/lib/query-keys";

/** `DELETE /api/orgs/{org}/invitations/{id}`: the link stops working. */
export function useRevokeInvitation(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (invitation: Invitation) =>
      api.delete(
        `/api/orgs/${encodeURIComponent(org)}/invitations/${encodeURIComponent(invitation.id)}`,
        z.undefined(),
      ),
    onSuccess: () => {
      notifySuccess("Invitation revoked", "Its link no longer works.");
    },
    onError: (error) => {
      notifyError("Could not revoke the invitation", error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: orgScope(org) }),
  });
}
